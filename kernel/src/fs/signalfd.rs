//! signalfd: reading the caller's pending signals as `struct signalfd_siginfo`.
//!
//! A read dequeues pending signals of the *calling* thread (its own, then its
//! process's) that are in the file's mask, as many 128-byte records as fit
//! (EINVAL below 128 bytes, EAGAIN when none is pending; the kernel's
//! blocking path then waits for POLLIN). Readiness is the same test on the
//! polling thread. Every queued signal notifies the file's pollee
//! (`signal::watch_queued`), so poll, epoll and blocked reads wake up.
use crate::signal::{self, UNBLOCKABLE};
use crate::task::current;
use alloc::sync::Arc;
use core::any::Any;
use core::sync::atomic::{AtomicU64, Ordering};
use rill_abi::types::SigInfo;
use rill_abi::{Errno, KResult};
use rill_vfs::poll::{POLLIN, POLLRDNORM};
use rill_vfs::{FileKind, FileLike, IoEvents, Pollee, Poller};

pub const SIZE: usize = 128;

pub struct SignalFd {
    mask: AtomicU64,
    pollee: Arc<Pollee>,
}

impl SignalFd {
    pub fn new(mask: u64) -> Arc<SignalFd> {
        let pollee = Arc::new(Pollee::new(0));
        signal::watch_queued(&pollee);
        Arc::new(SignalFd {
            mask: AtomicU64::new(mask & !UNBLOCKABLE),
            pollee,
        })
    }

    pub fn mask(&self) -> u64 {
        self.mask.load(Ordering::Acquire)
    }

    /// signalfd(fd, ...) on an existing one: a new mask (waiters re-check).
    pub fn set_mask(&self, mask: u64) {
        self.mask.store(mask & !UNBLOCKABLE, Ordering::Release);
        self.pollee.notify(POLLIN);
    }
}

fn rd32(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
        .unwrap_or(0)
}
fn rd64(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 8)
        .and_then(|s| s.try_into().ok())
        .map(u64::from_le_bytes)
        .unwrap_or(0)
}
fn put(out: &mut [u8], off: usize, v: &[u8]) {
    if let Some(d) = out.get_mut(off..off + v.len()) {
        d.copy_from_slice(v);
    }
}

/// Linux's signalfd_copyinfo: which siginfo fields a record carries
/// depends on the layout the signal and its code select.
pub fn record(signo: u32, si: &SigInfo) -> [u8; SIZE] {
    let b = bytemuck::bytes_of(si);
    let mut o = [0u8; SIZE];
    let code = si.si_code;
    put(&mut o, 0, &signo.to_le_bytes());
    put(&mut o, 4, &si.si_errno.to_le_bytes());
    put(&mut o, 8, &code.to_le_bytes());
    const SI_USER: i32 = 0;
    const SI_KERNEL: i32 = 0x80;
    const SI_TIMER: i32 = -2;
    const SI_SIGIO: i32 = -5;
    enum L {
        Kill,
        Timer,
        Poll,
        Fault,
        Chld,
        Rt,
        Sys,
    }
    let layout = if code > SI_USER && code < SI_KERNEL {
        match signo {
            4 | 5 | 7 | 8 | 11 => L::Fault,
            17 => L::Chld,
            29 => L::Poll,
            31 => L::Sys,
            _ => L::Kill,
        }
    } else if code == SI_TIMER {
        L::Timer
    } else if code == SI_SIGIO {
        L::Poll
    } else if code < 0 {
        L::Rt
    } else {
        L::Kill
    };
    let (pid, uid) = (rd32(b, 16), rd32(b, 20));
    match layout {
        L::Kill => {
            put(&mut o, 12, &pid.to_le_bytes());
            put(&mut o, 16, &uid.to_le_bytes());
        }
        L::Rt => {
            put(&mut o, 12, &pid.to_le_bytes());
            put(&mut o, 16, &uid.to_le_bytes());
            put(&mut o, 44, &rd32(b, 24).to_le_bytes());
            put(&mut o, 48, &rd64(b, 24).to_le_bytes());
        }
        L::Timer => {
            put(&mut o, 24, &rd32(b, 16).to_le_bytes());
            put(&mut o, 32, &rd32(b, 20).to_le_bytes());
            put(&mut o, 44, &rd32(b, 24).to_le_bytes());
            put(&mut o, 48, &rd64(b, 24).to_le_bytes());
        }
        L::Poll => {
            put(&mut o, 28, &(rd64(b, 16) as u32).to_le_bytes());
            put(&mut o, 20, &rd32(b, 24).to_le_bytes());
        }
        L::Fault => {
            put(&mut o, 72, &rd64(b, 16).to_le_bytes());
            if signo == 7 && (code == 4 || code == 5) {
                put(&mut o, 80, &(rd32(b, 24) as u16).to_le_bytes());
            }
        }
        L::Chld => {
            put(&mut o, 12, &pid.to_le_bytes());
            put(&mut o, 16, &uid.to_le_bytes());
            put(&mut o, 40, &rd32(b, 24).to_le_bytes());
            put(&mut o, 56, &rd64(b, 32).to_le_bytes());
            put(&mut o, 64, &rd64(b, 40).to_le_bytes());
        }
        L::Sys => {
            put(&mut o, 88, &rd64(b, 16).to_le_bytes());
            put(&mut o, 84, &rd32(b, 24).to_le_bytes());
            put(&mut o, 96, &rd32(b, 28).to_le_bytes());
        }
    }
    o
}

impl FileLike for SignalFd {
    fn read(&self, _offset: &mut u64, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        let n = buf.len() / SIZE;
        if n == 0 {
            return Err(Errno::EINVAL);
        }
        let t = current();
        let mask = self.mask();
        let mut done = 0;
        while done < n {
            let Some((signo, si)) = signal::take_from_set(&t, mask) else {
                break;
            };
            if let Some(d) = buf.get_mut(done * SIZE..(done + 1) * SIZE) {
                d.copy_from_slice(&record(signo, &si));
            }
            done += 1;
        }
        if done == 0 {
            return Err(Errno::EAGAIN);
        }
        Ok(done * SIZE)
    }

    fn write(&self, _offset: &mut u64, _buf: &[u8], _nonblock: bool) -> KResult<usize> {
        Err(Errno::EINVAL)
    }

    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.pollee.register_poller(poller, mask);
        let t = current();
        let pending =
            t.sig_pending.load(Ordering::Acquire) | t.process().sig_pending.load(Ordering::Acquire);
        if pending & self.mask() != 0 {
            POLLIN | POLLRDNORM
        } else {
            0
        }
    }

    fn kind(&self) -> FileKind {
        FileKind::Regular
    }

    /// Linux's noop_llseek.
    fn lseek(&self, pos: &mut u64, _off: i64, _whence: u32) -> Option<KResult<u64>> {
        Some(Ok(*pos))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
