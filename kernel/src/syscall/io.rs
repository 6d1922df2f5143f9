//! Pipes, ioctl, poll/ppoll/select/pselect6.
use super::fs::{file, install_fd};
use super::SysResult;
use crate::fs::console;
use crate::task::{current, wait};
use crate::uaccess::*;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use rill_abi::time::PollTimeout;
use rill_abi::{Errno, KResult};
use rill_vfs::flags::{O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_WRONLY};
use rill_vfs::poll::*;
use rill_vfs::{IoEvents, OpenFile, Poller, UserIo};

pub fn pipe2(fds: u64, flags: u32) -> SysResult {
    if flags & !(O_CLOEXEC | O_NONBLOCK | 0o40000) != 0 {
        return Err(Errno::EINVAL);
    }
    let nb = flags & O_NONBLOCK;
    let c = current().process().creds();
    let (r, w, pi) = rill_vfs::pipe::new_pipe_with_inode(c.euid, c.egid);
    let inode: Arc<dyn rill_vfs::Inode> = pi;
    let name = alloc::format!("pipe:[{}]", inode.metadata().ino).into_bytes();
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

const FIONBIO: u32 = 0x5421;
const FIONCLEX: u32 = 0x5450;
const FIOCLEX: u32 = 0x5451;
const FIOASYNC: u32 = 0x5452;

/// The calling process's memory, for the ioctls files answer themselves.
pub struct UserMem;

impl UserIo for UserMem {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> KResult<()> {
        read_into(addr, buf)
    }
    fn write(&mut self, addr: u64, data: &[u8]) -> KResult<()> {
        write_bytes(addr, data)
    }
}

/// The descriptor-level commands are answered here (they change the fd or
/// its open file description); everything else by the file itself
/// (`OpenFile::ioctl`: FIONREAD/FIGETBSZ of regular files, then the
/// object's `FileLike::ioctl`, ENOTTY by default).
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
    // interface ioctls (SIOCGIF*, SIOCSIF*, routes) on any socket, as Linux's sock_ioctl
    if super::net::socket_of(&f).is_some() {
        if let Some(cfg) = crate::net::config() {
            if let Some(r) = rill_net::ifreq::ioctl(&*cfg, cmd, arg, &mut UserMem) {
                return r;
            }
        }
    }
    f.ioctl(cmd, arg, &mut UserMem)
}

// ---------------------------------------------------------------- polling

struct PollEntry {
    file: Option<Arc<OpenFile>>,
    events: IoEvents,
}

/// Wait until one of `entries` is ready (or the deadline passes); returns
/// the revents of each. While waiting, one `Poller` is registered with every
/// file (before its readiness is read), so a change anywhere wakes the call.
fn do_poll(entries: &[PollEntry], deadline: Option<u64>) -> KResult<Vec<IoEvents>> {
    let check = |mut poller: Option<&mut Poller>| -> (usize, Vec<IoEvents>) {
        let mut n = 0;
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let r = match &e.file {
                None if e.events & POLLNVAL != 0 => POLLNVAL,
                None => 0,
                Some(f) => {
                    f.poll(e.events, poller.as_deref_mut())
                        & (e.events | POLLERR | POLLHUP | POLLNVAL)
                }
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
    match wait::wait_poll(true, dl, |p| {
        let (n, out) = check(Some(p));
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
        let ev = u16::from_le_bytes([raw[i * 8 + 4], raw[i * 8 + 5]]) as IoEvents;
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
        out[i * 8 + 6..i * 8 + 8].copy_from_slice(&(*r as u16).to_le_bytes());
        if *r != 0 {
            n += 1;
        }
    }
    write_bytes(fds, &out)?;
    Ok(n)
}

pub fn poll(fds: u64, nfds: u64, timeout_ms: i64) -> SysResult {
    // Linux's timeout is an int (the dispatcher passes it sign-extended)
    let t = rill_abi::time::poll_ms(timeout_ms as i32);
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

/// A ppoll/pselect6 timeout, checked and saturated as Linux does (rill_abi::time).
fn read_timeout(ts: u64) -> KResult<Option<PollTimeout>> {
    if ts == 0 {
        return Ok(None);
    }
    let t: rill_abi::types::Timespec = read_val(ts)?;
    Ok(Some(PollTimeout::new(t, crate::time::now_ns())?))
}

pub fn ppoll(fds: u64, nfds: u64, ts: u64, mask: u64, size: u64) -> SysResult {
    if mask != 0 && size != 8 {
        return Err(Errno::EINVAL);
    }
    let timeout = read_timeout(ts)?;
    let r = with_sigmask(mask, || {
        match poll_common(fds, nfds, timeout.map(|t| t.rel_ns)) {
            Err(Errno::ERESTARTSYS) => Err(Errno::ERESTARTNOHAND),
            r => r,
        }
    });
    write_left(ts, timeout, &r);
    r
}

/// What is left of a poll/select timeout (Linux's poll_select_finish; zero after a timeout).
fn time_left(timeout: &PollTimeout, r: &SysResult) -> rill_abi::types::Timespec {
    if matches!(r, Ok(0)) {
        rill_abi::types::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        }
    } else {
        timeout.left(crate::time::now_ns())
    }
}

/// ppoll/pselect6 store the time not slept back into the user's timespec.
fn write_left(ts: u64, timeout: Option<PollTimeout>, r: &SysResult) {
    if let Some(t) = timeout {
        let _ = write_val(ts, &time_left(&t, r));
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
        let mut ev: IoEvents = 0;
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
    let timeout = if tv != 0 {
        let t: rill_abi::types::Timeval = read_val(tv)?;
        let rel = rill_abi::time::select_timeval(&t)?;
        Some(PollTimeout::new(rel, crate::time::now_ns())?)
    } else {
        None
    };
    let r = select_common(nfds, rp, wp, ep, timeout.map(|t| t.rel_ns));
    if let Some(t) = timeout {
        // a select that timed out leaves nothing
        let left = time_left(&t, &r);
        let _ = write_val(
            tv,
            &rill_abi::types::Timeval {
                tv_sec: left.tv_sec,
                tv_usec: left.tv_nsec / 1000,
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
    let r = with_sigmask(mask, || {
        match select_common(nfds, rp, wp, ep, timeout.map(|t| t.rel_ns)) {
            Err(Errno::ERESTARTSYS) => Err(Errno::ERESTARTNOHAND),
            r => r,
        }
    });
    write_left(ts, timeout, &r);
    r
}
