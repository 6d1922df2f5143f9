//! The serial console as a terminal: /dev/console, /dev/ttyS0 and /dev/tty
//! all reach this one TTY. Input arrives from the COM1 interrupt and goes
//! through the line discipline (`rill-tty`); ^C/^\/^Z signal the foreground
//! process group. The terminal answers its own ioctls (termios, window
//! size, job control) through `FileLike::ioctl`; its readiness is a
//! `Pollee` notified when input arrives or the termios changes.
use crate::arch::serial;
use alloc::sync::Arc;
use alloc::vec::Vec;
use bytemuck::Pod;
use core::any::Any;
use core::sync::atomic::{AtomicU32, Ordering};
use rill_abi::types::{Termios, Winsize};
use rill_abi::{Errno, KResult};
use rill_tty::LineDiscipline;
use rill_vfs::{poll, FileKind, FileLike, IoEvents, Pollee, Poller, UserIo};
use spin::Mutex;

/// What input arriving may make true.
const READABLE: IoEvents = poll::POLLIN | poll::POLLRDNORM;

pub struct Tty {
    pub ld: Mutex<LineDiscipline>,
    /// Readiness: readers register for POLLIN; output is always possible.
    pub pollee: Pollee,
    pub fg_pgrp: AtomicU32,
    pub session: AtomicU32,
}

static TTY: spin::Once<Arc<Tty>> = spin::Once::new();

pub fn tty() -> Arc<Tty> {
    TTY.call_once(|| {
        Arc::new(Tty {
            ld: Mutex::new(LineDiscipline::new()),
            pollee: Pollee::new(0),
            fg_pgrp: AtomicU32::new(0),
            session: AtomicU32::new(0),
        })
    })
    .clone()
}

/// The exit hook (`task::exit::add_exit_hook`): a session leader holding the terminal
/// exits, so its foreground group is hung up.
pub fn hang_up_on_exit(p: &crate::task::Process) {
    let tty = tty();
    if p.sid() == p.pid && tty.session.load(Ordering::Relaxed) == p.pid {
        tty.session.store(0, Ordering::Relaxed);
        let fg = tty.fg_pgrp.swap(0, Ordering::Relaxed);
        // Linux (disassociate_ctty on exit): SIGHUP to the foreground
        // group, SIGCONT so that a stopped one sees it
        if fg != 0 {
            crate::signal::send_to_pgrp(fg, crate::signal::SIGHUP);
            crate::signal::send_to_pgrp(fg, crate::signal::SIGCONT);
        }
    }
}

pub fn register() {
    let open = Arc::new(|_flags: u32| -> KResult<Arc<dyn FileLike>> { Ok(tty()) });
    rill_vfs::register_chrdev(5, 1, open.clone());
    rill_vfs::register_chrdev(4, 64, open);
    // /dev/tty: the caller's controlling terminal (ENXIO without one)
    let ctty = Arc::new(|_flags: u32| -> KResult<Arc<dyn FileLike>> {
        let t = tty();
        let s = ctty_session(&t);
        if s == 0 || s != crate::task::current().process().sid() {
            return Err(Errno::ENXIO);
        }
        Ok(t)
    });
    rill_vfs::register_chrdev(5, 0, ctty);
}

/// The session the console is the controlling terminal of (0: none). A
/// session whose leader is gone loses its terminal, as on Linux.
pub fn ctty_session(t: &Tty) -> u32 {
    let s = t.session.load(Ordering::Relaxed);
    if s != 0 && crate::task::process::find_process(s).is_none_or(|p| p.exiting()) {
        t.session.store(0, Ordering::Relaxed);
        t.fg_pgrp.store(0, Ordering::Relaxed);
        return 0;
    }
    s
}

/// Serial interrupt: feed received bytes to the line discipline.
pub fn on_serial_irq() {
    let t = tty();
    let mut any = false;
    while let Some(b) = serial::read_byte() {
        let mut echo = Vec::new();
        let sig = t.ld.lock().receive(b, &mut echo);
        if !echo.is_empty() {
            serial::write_bytes(&echo);
        }
        if let Some(s) = sig {
            let pg = t.fg_pgrp.load(Ordering::Relaxed);
            if pg != 0 {
                crate::signal::send_to_pgrp(pg, s);
            }
        }
        any = true;
    }
    if any {
        t.pollee.notify(READABLE);
    }
}

impl Tty {
    /// Job control for a caller using this terminal (Linux's
    /// tty_check_change / __tty_check_change): a background process group of
    /// the terminal's session gets `sig` (SIGTTIN for reads, SIGTTOU for
    /// writes under TOSTOP and for termios/foreground changes) and the call
    /// restarts after SIGCONT; an orphaned group gets EIO instead.
    pub fn check_job_control(&self, sig: u32) -> KResult<()> {
        let session = ctty_session(self);
        crate::signal::tty_job_control(session, self.fg_pgrp.load(Ordering::Relaxed), sig)
    }

    pub fn write_out(&self, data: &[u8]) {
        let mut out = Vec::with_capacity(data.len() + 16);
        self.ld.lock().output(data, &mut out);
        crate::log::console_write(&out);
    }
}

impl FileLike for Tty {
    fn read(&self, _off: &mut u64, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        self.check_job_control(rill_abi::consts::SIGTTIN)?;
        self.ld.lock().read(buf)
    }
    fn write(&self, _off: &mut u64, buf: &[u8], _nonblock: bool) -> KResult<usize> {
        let tostop = self.ld.lock().termios().c_lflag & rill_abi::consts::TOSTOP != 0;
        if tostop {
            self.check_job_control(rill_abi::consts::SIGTTOU)?;
        }
        self.write_out(buf);
        Ok(buf.len())
    }
    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.pollee.register_poller(poller, mask);
        let mut r = poll::POLLOUT | poll::POLLWRNORM;
        if self.ld.lock().readable() {
            r |= READABLE;
        }
        r
    }
    fn ioctl(&self, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
        tty_ioctl(self, cmd, arg, io)
    }
    fn kind(&self) -> FileKind {
        FileKind::Tty
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn get<T: Pod>(io: &mut dyn UserIo, addr: u64) -> KResult<T> {
    let mut v = T::zeroed();
    io.read(addr, bytemuck::bytes_of_mut(&mut v))?;
    Ok(v)
}

fn put<T: Pod>(io: &mut dyn UserIo, addr: u64, v: &T) -> KResult<()> {
    io.write(addr, bytemuck::bytes_of(v))
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
const TIOCGSERIAL: u32 = 0x541E;

fn tty_ioctl(tty: &Tty, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
    let p = crate::task::current().process();
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
            put(io, arg, &t)?;
            Ok(0)
        }
        TCSETS | TCSETSW | TCSETSF => {
            let t: Termios = get(io, arg)?;
            let mut ld = tty.ld.lock();
            if cmd == TCSETSF {
                ld.flush_input();
            }
            ld.set_termios(&t);
            drop(ld);
            // a new VMIN or canonical mode may make pending input readable
            tty.pollee.notify(READABLE);
            Ok(0)
        }
        TIOCGWINSZ => {
            let w = tty.ld.lock().winsize();
            put(io, arg, &w)?;
            Ok(0)
        }
        TIOCSWINSZ => {
            let w: Winsize = get(io, arg)?;
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
            io.write_i32(arg, if pg == 0 { p.pgid() as i32 } else { pg as i32 })?;
            Ok(0)
        }
        TIOCSPGRP => {
            let pg = io.read_i32(arg)?;
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
            io.write_i32(arg, s as i32)?;
            Ok(0)
        }
        FIONREAD => {
            let n = tty.ld.lock().bytes_available();
            io.write_i32(arg, n as i32)?;
            Ok(0)
        }
        TIOCOUTQ => {
            io.write_i32(arg, 0)?;
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
            io.write(arg, &ss)?;
            Ok(0)
        }
        _ => Err(Errno::ENOTTY),
    }
}
