//! Pipes, ioctl, poll/ppoll/select/pselect6.
use super::fs::{file, install_fd};
use super::SysResult;
use crate::fs::console::{self, Tty};
use crate::task::{current, wait};
use crate::uaccess::*;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use rill_abi::types::{Termios, Winsize};
use rill_abi::{Errno, KResult};
use rill_vfs::flags::{O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_WRONLY};
use rill_vfs::poll::*;
use rill_vfs::OpenFile;

pub fn pipe2(fds: u64, flags: u32) -> SysResult {
    if flags & !(O_CLOEXEC | O_NONBLOCK | 0o40000) != 0 {
        return Err(Errno::EINVAL);
    }
    let nb = flags & O_NONBLOCK;
    let c = current().process().creds();
    let (r, w, pi) = rill_vfs::pipe::new_pipe_with_inode(c.euid, c.egid);
    let inode: Arc<dyn rill_vfs::Inode> = pi;
    let name = alloc::format!("pipe:[{}]", inode.metadata().ino);
    let rf = OpenFile::new(Some(inode.clone()), Some(r), name.clone(), O_RDONLY | nb);
    let wf = OpenFile::new(Some(inode), Some(w), name, O_WRONLY | nb);
    let cloexec = flags & O_CLOEXEC != 0;
    let a = install_fd(rf, cloexec)?;
    let b = match install_fd(wf, cloexec) {
        Ok(b) => b,
        Err(e) => {
            let _ = current().process().files().lock().close(a);
            return Err(e);
        }
    };
    if let Err(e) = write_val(fds, &[a, b]) {
        let ft = current().process().files();
        let mut t = ft.lock();
        let _ = t.close(a);
        let _ = t.close(b);
        return Err(e);
    }
    Ok(0)
}

/// Opening the console without O_NOCTTY makes it the controlling terminal
/// of a session leader that has none.
pub fn maybe_acquire_ctty() {
    let p = current().process();
    let tty = console::tty();
    if p.sid() == p.pid && console::ctty_session(&tty) == 0 {
        tty.session.store(p.pid, Ordering::Relaxed);
        tty.fg_pgrp.store(p.pgid(), Ordering::Relaxed);
    }
}

const TCGETS: u32 = 0x5401;
const TCSETS: u32 = 0x5402;
const TCSETSW: u32 = 0x5403;
const TCSETSF: u32 = 0x5404;
const TCSBRK: u32 = 0x5409;
const TCXONC: u32 = 0x540A;
const TCFLSH: u32 = 0x540B;
const TIOCSCTTY: u32 = 0x540E;
const TIOCGPGRP: u32 = 0x540F;
const TIOCSPGRP: u32 = 0x5410;
const TIOCOUTQ: u32 = 0x5411;
const TIOCGWINSZ: u32 = 0x5413;
const TIOCSWINSZ: u32 = 0x5414;
const FIONREAD: u32 = 0x541B;
const TIOCNOTTY: u32 = 0x5422;
const TIOCGSID: u32 = 0x5429;
const FIONBIO: u32 = 0x5421;
const FIONCLEX: u32 = 0x5450;
const FIOCLEX: u32 = 0x5451;
const FIOASYNC: u32 = 0x5452;
const TIOCGPTN: u32 = 0x80045430;
const TIOCGSERIAL: u32 = 0x541E;

pub fn ioctl(fd: i32, cmd: u32, arg: u64) -> SysResult {
    let f = file(fd)?;
    match cmd {
        FIONBIO => {
            let on = read_i32(arg)? != 0;
            let fl = f.flags();
            f.set_flags(if on {
                fl | O_NONBLOCK
            } else {
                fl & !O_NONBLOCK
            });
            return Ok(0);
        }
        FIOCLEX | FIONCLEX => {
            current()
                .process()
                .files()
                .lock()
                .set_cloexec(fd, cmd == FIOCLEX)?;
            return Ok(0);
        }
        FIOASYNC => return Ok(0),
        _ => {}
    }
    if let Some(tty) = f.ops.as_ref().and_then(console::as_tty) {
        return tty_ioctl(tty, cmd, arg);
    }
    if cmd == FIONREAD {
        if let Some(ops) = &f.ops {
            if let Some(p) = rill_vfs::pipe::pipe_of(&**ops) {
                write_i32(arg, p.len() as i32)?;
                return Ok(0);
            }
            return Err(Errno::ENOTTY);
        }
        if let Some(i) = &f.inode {
            let md = i.metadata();
            if md.file_type() == rill_vfs::FileType::Regular {
                let n = md.size.saturating_sub(f.offset());
                write_i32(arg, n.min(i32::MAX as u64) as i32)?;
                return Ok(0);
            }
        }
    }
    let _ = TIOCGPTN;
    Err(Errno::ENOTTY)
}

fn tty_ioctl(tty: &Tty, cmd: u32, arg: u64) -> SysResult {
    let p = current().process();
    // changing the terminal from a background group stops it (SIGTTOU)
    if matches!(
        cmd,
        TCSETS | TCSETSW | TCSETSF | TIOCSPGRP | TCFLSH | TCXONC
    ) {
        tty.check_job_control(rill_abi::consts::SIGTTOU)?;
    }
    match cmd {
        TCGETS => {
            let t = tty.ld.lock().termios();
            write_val(arg, &t)?;
            Ok(0)
        }
        TCSETS | TCSETSW | TCSETSF => {
            let t: Termios = read_val(arg)?;
            let mut ld = tty.ld.lock();
            if cmd == TCSETSF {
                ld.flush_input();
            }
            ld.set_termios(&t);
            drop(ld);
            tty.readers.wake_all();
            Ok(0)
        }
        TIOCGWINSZ => {
            let w = tty.ld.lock().winsize();
            write_val(arg, &w)?;
            Ok(0)
        }
        TIOCSWINSZ => {
            let w: Winsize = read_val(arg)?;
            let changed = tty.ld.lock().set_winsize(w);
            if changed {
                let pg = tty.fg_pgrp.load(Ordering::Relaxed);
                if pg != 0 {
                    crate::signal::send_to_pgrp(pg, crate::signal::SIGWINCH);
                }
            }
            Ok(0)
        }
        TIOCGPGRP => {
            let pg = tty.fg_pgrp.load(Ordering::Relaxed);
            write_i32(arg, if pg == 0 { p.pgid() as i32 } else { pg as i32 })?;
            Ok(0)
        }
        TIOCSPGRP => {
            let pg = read_i32(arg)?;
            if pg < 0 {
                return Err(Errno::EINVAL);
            }
            let s = tty.session.load(Ordering::Relaxed);
            if s != 0 && s != p.sid() {
                return Err(Errno::ENOTTY);
            }
            let exists = crate::task::process::all_processes()
                .iter()
                .any(|q| q.pgid() == pg as u32 && q.sid() == p.sid());
            if !exists {
                return Err(Errno::EPERM);
            }
            tty.fg_pgrp.store(pg as u32, Ordering::Relaxed);
            Ok(0)
        }
        TIOCSCTTY => {
            if p.sid() != p.pid {
                return Err(Errno::EPERM);
            }
            tty.session.store(p.pid, Ordering::Relaxed);
            tty.fg_pgrp.store(p.pgid(), Ordering::Relaxed);
            Ok(0)
        }
        TIOCNOTTY => {
            if tty.session.load(Ordering::Relaxed) == p.sid() && p.sid() == p.pid {
                tty.session.store(0, Ordering::Relaxed);
                tty.fg_pgrp.store(0, Ordering::Relaxed);
            }
            Ok(0)
        }
        TIOCGSID => {
            let s = tty.session.load(Ordering::Relaxed);
            if s == 0 {
                return Err(Errno::ENOTTY);
            }
            write_i32(arg, s as i32)?;
            Ok(0)
        }
        FIONREAD => {
            let n = tty.ld.lock().bytes_available();
            write_i32(arg, n as i32)?;
            Ok(0)
        }
        TIOCOUTQ => {
            write_i32(arg, 0)?;
            Ok(0)
        }
        TCFLSH => {
            if arg == 0 || arg == 2 {
                tty.ld.lock().flush_input();
            }
            Ok(0)
        }
        TCSBRK | TCXONC => Ok(0),
        TIOCGSERIAL => {
            // struct serial_struct of COM1 (busybox cttyhack finds ttyS<line> with it)
            let mut ss = [0u8; 72];
            let mut put = |off: usize, v: u32| ss[off..off + 4].copy_from_slice(&v.to_le_bytes());
            put(0, 4); // PORT_16550A
            put(4, 0); // line
            put(8, 0x3f8); // port
            put(12, 4); // irq
            put(20, 16); // xmit_fifo_size
            put(28, 115_200); // baud_base
            write_bytes(arg, &ss)?;
            Ok(0)
        }
        _ => Err(Errno::ENOTTY),
    }
}

// ---------------------------------------------------------------- polling

struct PollEntry {
    file: Option<Arc<OpenFile>>,
    events: u16,
}

/// Wait until one of `entries` is ready (or the deadline passes); returns
/// the revents of each.
fn do_poll(entries: &[PollEntry], deadline: Option<u64>) -> KResult<Vec<u16>> {
    let check = |w: Option<&core::task::Waker>| -> (usize, Vec<u16>) {
        let mut n = 0;
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let r = match &e.file {
                None => 0,
                Some(f) => {
                    if let Some(w) = w {
                        f.register_waker(w);
                    }
                    let ev = f.poll();
                    ev & (e.events | POLLERR | POLLHUP | POLLNVAL)
                }
            };
            let r = if e.file.is_none() && e.events & POLLNVAL != 0 {
                POLLNVAL
            } else {
                r
            };
            if r != 0 {
                n += 1;
            }
            out.push(r);
        }
        (n, out)
    };
    let (n, out) = check(None);
    if n > 0 || deadline == Some(0) {
        return Ok(out);
    }
    let dl = deadline.map(|d| crate::time::now_ns().saturating_add(d));
    match wait::wait_event(true, dl, |w| {
        let (n, out) = check(Some(w));
        if n > 0 {
            Some(out)
        } else {
            None
        }
    }) {
        Ok(v) => Ok(v),
        Err(Errno::ETIMEDOUT) => Ok(alloc::vec![0; entries.len()]),
        Err(e) => Err(e),
    }
}

fn poll_common(fds: u64, nfds: u64, timeout_ns: Option<u64>) -> SysResult {
    let lim = current().process().inner.lock().rlimits[7].0;
    if nfds > lim.max(1024) {
        return Err(Errno::EINVAL);
    }
    let raw = read_bytes(fds, nfds as usize * 8)?;
    let ft = current().process().files();
    let mut entries = Vec::new();
    for i in 0..nfds as usize {
        let fd = i32::from_le_bytes([raw[i * 8], raw[i * 8 + 1], raw[i * 8 + 2], raw[i * 8 + 3]]);
        let ev = u16::from_le_bytes([raw[i * 8 + 4], raw[i * 8 + 5]]);
        let file = if fd < 0 { None } else { ft.lock().get(fd).ok() };
        let nval = fd >= 0 && file.is_none();
        entries.push(PollEntry {
            file,
            events: if nval { POLLNVAL } else { ev },
        });
    }
    let rev = do_poll(&entries, timeout_ns)?;
    let mut n = 0;
    let mut out = raw.clone();
    for (i, r) in rev.iter().enumerate() {
        out[i * 8 + 6..i * 8 + 8].copy_from_slice(&r.to_le_bytes());
        if *r != 0 {
            n += 1;
        }
    }
    write_bytes(fds, &out)?;
    Ok(n)
}

pub fn poll(fds: u64, nfds: u64, timeout_ms: i64) -> SysResult {
    let t = if timeout_ms < 0 {
        None
    } else {
        Some(timeout_ms as u64 * 1_000_000)
    };
    match poll_common(fds, nfds, t) {
        Err(Errno::ERESTARTSYS) => Err(Errno::ERESTARTNOHAND),
        r => r,
    }
}

fn with_sigmask<R>(mask_ptr: u64, f: impl FnOnce() -> KResult<R>) -> KResult<R> {
    if mask_ptr == 0 {
        return f();
    }
    let m = read_u64(mask_ptr)?;
    let t = current();
    let old = t
        .sig_mask
        .swap(m & !crate::signal::UNBLOCKABLE, Ordering::AcqRel);
    let r = f();
    if matches!(
        r,
        Err(Errno::ERESTARTNOHAND) | Err(Errno::ERESTARTSYS) | Err(Errno::EINTR)
    ) {
        *t.saved_mask.lock() = Some(old);
    } else {
        t.sig_mask.store(old, Ordering::Release);
    }
    r
}

fn read_timeout(ts: u64) -> KResult<Option<u64>> {
    if ts == 0 {
        return Ok(None);
    }
    let t: rill_abi::types::Timespec = read_val(ts)?;
    if t.tv_sec < 0 || !(0..1_000_000_000).contains(&t.tv_nsec) {
        return Err(Errno::EINVAL);
    }
    // a huge timeout saturates (Linux's timespec64_add_safe): no overflow
    Ok(Some(
        (t.tv_sec as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(t.tv_nsec as u64),
    ))
}

pub fn ppoll(fds: u64, nfds: u64, ts: u64, mask: u64, size: u64) -> SysResult {
    if mask != 0 && size != 8 {
        return Err(Errno::EINVAL);
    }
    let timeout = read_timeout(ts)?;
    let start = crate::time::now_ns();
    let r = with_sigmask(mask, || match poll_common(fds, nfds, timeout) {
        Err(Errno::ERESTARTSYS) => Err(Errno::ERESTARTNOHAND),
        r => r,
    });
    write_left(ts, timeout, start, &r);
    r
}

/// ppoll/pselect6 store the time not slept back into the user's timespec
/// (zero after a timeout).
fn write_left(ts: u64, timeout: Option<u64>, start: u64, r: &SysResult) {
    if let Some(t) = timeout {
        let left = if matches!(r, Ok(0)) {
            0
        } else {
            t.saturating_sub(crate::time::now_ns().saturating_sub(start))
        };
        let v = rill_abi::types::Timespec {
            tv_sec: (left / 1_000_000_000) as i64,
            tv_nsec: (left % 1_000_000_000) as i64,
        };
        let _ = write_val(ts, &v);
    }
}

fn select_common(nfds: i32, rp: u64, wp: u64, ep: u64, timeout: Option<u64>) -> SysResult {
    if !(0..=1024 * 1024).contains(&nfds) {
        return Err(Errno::EINVAL);
    }
    let n = nfds as usize;
    let bytes = n.div_ceil(64) * 8;
    let rd = |p: u64| -> KResult<Vec<u8>> {
        if p == 0 {
            Ok(alloc::vec![0; bytes])
        } else {
            read_bytes(p, bytes)
        }
    };
    let (r, w, e) = (rd(rp)?, rd(wp)?, rd(ep)?);
    let isset = |v: &Vec<u8>, i: usize| v[i / 8] & (1 << (i % 8)) != 0;
    let ft = current().process().files();
    let mut entries = Vec::new();
    let mut idx = Vec::new();
    for i in 0..n {
        let mut ev = 0u16;
        if isset(&r, i) {
            ev |= POLLIN | POLLRDNORM | POLLHUP | POLLERR;
        }
        if isset(&w, i) {
            ev |= POLLOUT | POLLWRNORM | POLLERR;
        }
        if isset(&e, i) {
            ev |= POLLPRI;
        }
        if ev == 0 {
            continue;
        }
        let f = ft.lock().get(i as i32).map_err(|_| Errno::EBADF)?;
        entries.push(PollEntry {
            file: Some(f),
            events: ev,
        });
        idx.push(i);
    }
    let rev = do_poll(&entries, timeout)?;
    let mut ro = alloc::vec![0u8; bytes];
    let mut wo = alloc::vec![0u8; bytes];
    let mut eo = alloc::vec![0u8; bytes];
    let mut count = 0;
    for (k, &i) in idx.iter().enumerate() {
        let rv = rev[k];
        if isset(&r, i) && rv & (POLLIN | POLLRDNORM | POLLHUP | POLLERR) != 0 {
            ro[i / 8] |= 1 << (i % 8);
            count += 1;
        }
        if isset(&w, i) && rv & (POLLOUT | POLLWRNORM | POLLERR) != 0 {
            wo[i / 8] |= 1 << (i % 8);
            count += 1;
        }
        if isset(&e, i) && rv & POLLPRI != 0 {
            eo[i / 8] |= 1 << (i % 8);
            count += 1;
        }
    }
    if rp != 0 {
        write_bytes(rp, &ro)?;
    }
    if wp != 0 {
        write_bytes(wp, &wo)?;
    }
    if ep != 0 {
        write_bytes(ep, &eo)?;
    }
    Ok(count)
}

pub fn select(nfds: i32, rp: u64, wp: u64, ep: u64, tv: u64) -> SysResult {
    let (timeout, start) = if tv != 0 {
        let t: rill_abi::types::Timeval = read_val(tv)?;
        if t.tv_sec < 0 || !(0..1_000_000).contains(&t.tv_usec) {
            return Err(Errno::EINVAL);
        }
        (
            Some(
                (t.tv_sec as u64)
                    .saturating_mul(1_000_000_000)
                    .saturating_add(t.tv_usec as u64 * 1000),
            ),
            crate::time::now_ns(),
        )
    } else {
        (None, 0)
    };
    let r = select_common(nfds, rp, wp, ep, timeout);
    if let Some(t) = timeout {
        // a select that timed out leaves nothing
        let left = if matches!(r, Ok(0)) {
            0
        } else {
            t.saturating_sub(crate::time::now_ns() - start)
        };
        let _ = write_val(
            tv,
            &rill_abi::types::Timeval {
                tv_sec: (left / 1_000_000_000) as i64,
                tv_usec: ((left % 1_000_000_000) / 1000) as i64,
            },
        );
    }
    match r {
        Err(Errno::ERESTARTSYS) => Err(Errno::ERESTARTNOHAND),
        r => r,
    }
}

pub fn pselect6(nfds: i32, rp: u64, wp: u64, ep: u64, ts: u64, sig: u64) -> SysResult {
    let timeout = read_timeout(ts)?;
    let mask = if sig != 0 {
        let ptr = read_u64(sig)?;
        let size = read_u64(sig + 8)?;
        if ptr != 0 && size != 8 {
            return Err(Errno::EINVAL);
        }
        ptr
    } else {
        0
    };
    let start = crate::time::now_ns();
    let r = with_sigmask(mask, || match select_common(nfds, rp, wp, ep, timeout) {
        Err(Errno::ERESTARTSYS) => Err(Errno::ERESTARTNOHAND),
        r => r,
    });
    write_left(ts, timeout, start, &r);
    r
}
