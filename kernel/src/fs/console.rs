//! The serial console as a terminal: /dev/console, /dev/ttyS0 and /dev/tty
//! all reach this one TTY. Input arrives from the COM1 interrupt and goes
//! through the line discipline (`rill-tty`); ^C/^\/^Z signal the foreground
//! process group.
use crate::arch::serial;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicU32, Ordering};
use core::task::Waker;
use rill_abi::{Errno, KResult};
use rill_tty::LineDiscipline;
use rill_vfs::{poll, FileOps, WaitQueue};
use spin::Mutex;

pub struct Tty {
    pub ld: Mutex<LineDiscipline>,
    pub readers: WaitQueue,
    pub fg_pgrp: AtomicU32,
    pub session: AtomicU32,
}

static TTY: spin::Once<Arc<Tty>> = spin::Once::new();

pub fn tty() -> Arc<Tty> {
    TTY.call_once(|| {
        Arc::new(Tty {
            ld: Mutex::new(LineDiscipline::new()),
            readers: WaitQueue::new(),
            fg_pgrp: AtomicU32::new(0),
            session: AtomicU32::new(0),
        })
    })
    .clone()
}

pub fn register() {
    let open = Arc::new(|_flags: u32| -> KResult<Arc<dyn FileOps>> { Ok(tty()) });
    rill_vfs::register_chrdev(5, 1, open.clone());
    rill_vfs::register_chrdev(4, 64, open);
    // /dev/tty: the caller's controlling terminal (ENXIO without one)
    let ctty = Arc::new(|_flags: u32| -> KResult<Arc<dyn FileOps>> {
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
    if s != 0 && crate::task::process::find_process(s).is_none_or(|p| p.inner.lock().exiting) {
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
        t.readers.wake_all();
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

impl FileOps for Tty {
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
    fn poll(&self) -> u16 {
        let mut r = poll::POLLOUT | poll::POLLWRNORM;
        if self.ld.lock().readable() {
            r |= poll::POLLIN | poll::POLLRDNORM;
        }
        r
    }
    fn register_waker(&self, w: &Waker) {
        self.readers.register(w);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Is this open file the console terminal?
pub fn as_tty(ops: &Arc<dyn FileOps>) -> Option<&Tty> {
    ops.as_any().downcast_ref::<Tty>()
}
