//! eventfd objects: a 64-bit counter with Linux's read/write/poll rules.
//!
//! A read (8 bytes or more; EINVAL if shorter) returns the counter and
//! resets it to 0, or with `EFD_SEMAPHORE` returns 1 and decrements it; it
//! fails with EAGAIN while the counter is 0. A write (exactly 8 bytes) adds its value
//! (EINVAL for 2^64-1), failing with EAGAIN while the sum would pass
//! 0xffff_ffff_ffff_fffe. The kernel's blocking path waits on `poll`: POLLIN
//! while the counter is non-zero, POLLOUT while at least 1 can be added.
use alloc::sync::Arc;
use core::any::Any;
use rill_abi::{Errno, KResult};
use spin::Mutex;

use crate::file::poll::{POLLERR, POLLIN, POLLOUT};
use crate::file::{FileKind, FileLike};
use crate::pollee::{IoEvents, Pollee, Poller};

pub const EFD_SEMAPHORE: u32 = 1;
pub const EFD_CLOEXEC: u32 = 0o2000000;
pub const EFD_NONBLOCK: u32 = 0o4000;

/// The largest counter value.
pub const MAX: u64 = u64::MAX - 1;

pub struct EventFd {
    count: Mutex<u64>,
    semaphore: bool,
    pollee: Pollee,
}

impl EventFd {
    pub fn new(initval: u64, semaphore: bool) -> Arc<EventFd> {
        Arc::new(EventFd {
            count: Mutex::new(initval),
            semaphore,
            pollee: Pollee::new(0),
        })
    }

    /// The counter (for /proc/PID/fdinfo's `eventfd-count`).
    pub fn count(&self) -> u64 {
        *self.count.lock()
    }

    pub fn semaphore(&self) -> bool {
        self.semaphore
    }
}

impl FileLike for EventFd {
    fn read(&self, _offset: &mut u64, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        let out = buf.get_mut(..8).ok_or(Errno::EINVAL)?;
        let v = {
            let mut c = self.count.lock();
            if *c == 0 {
                return Err(Errno::EAGAIN);
            }
            let v = if self.semaphore { 1 } else { *c };
            *c -= v;
            v
        };
        out.copy_from_slice(&v.to_le_bytes());
        self.pollee.notify(POLLOUT);
        Ok(8)
    }

    fn write(&self, _offset: &mut u64, buf: &[u8], _nonblock: bool) -> KResult<usize> {
        // exactly 8 bytes (reads take 8 or more)
        let b: [u8; 8] = buf.try_into().map_err(|_| Errno::EINVAL)?;
        let v = u64::from_le_bytes(b);
        if v == u64::MAX {
            return Err(Errno::EINVAL);
        }
        {
            let mut c = self.count.lock();
            if u64::MAX - *c <= v {
                return Err(Errno::EAGAIN);
            }
            *c += v;
        }
        if v > 0 {
            self.pollee.notify(POLLIN);
        }
        Ok(8)
    }

    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.pollee.register_poller(poller, mask);
        let c = *self.count.lock();
        let mut ev = 0;
        if c > 0 {
            ev |= POLLIN;
        }
        if c == u64::MAX {
            ev |= POLLERR;
        }
        if c < MAX {
            ev |= POLLOUT;
        }
        ev
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wait::test_waker;

    fn rd(e: &EventFd) -> KResult<u64> {
        let mut b = [0u8; 8];
        e.read(&mut 0, &mut b, true)?;
        Ok(u64::from_le_bytes(b))
    }
    fn wr(e: &EventFd, v: u64) -> KResult<usize> {
        e.write(&mut 0, &v.to_le_bytes(), true)
    }

    #[test]
    fn counter_and_semaphore() {
        let e = EventFd::new(5, false);
        assert_eq!(e.poll(POLLIN, None), POLLIN | POLLOUT);
        assert_eq!(rd(&e), Ok(5));
        assert_eq!(rd(&e), Err(Errno::EAGAIN));
        assert_eq!(e.poll(POLLIN, None), POLLOUT);
        wr(&e, 2).unwrap();
        wr(&e, 3).unwrap();
        assert_eq!(rd(&e), Ok(5));
        let s = EventFd::new(2, true);
        assert_eq!((rd(&s), rd(&s), rd(&s)), (Ok(1), Ok(1), Err(Errno::EAGAIN)));
        let mut short = [0u8; 7];
        assert_eq!(s.read(&mut 0, &mut short, true), Err(Errno::EINVAL));
        assert_eq!(s.write(&mut 0, &[0u8; 4], true), Err(Errno::EINVAL));
        assert_eq!(s.write(&mut 0, &[0u8; 9], true), Err(Errno::EINVAL));
    }

    #[test]
    fn overflow() {
        let e = EventFd::new(0, false);
        assert_eq!(wr(&e, u64::MAX), Err(Errno::EINVAL));
        wr(&e, MAX).unwrap();
        assert_eq!(e.poll(POLLOUT, None), POLLIN);
        assert_eq!(wr(&e, 1), Err(Errno::EAGAIN));
        assert_eq!(wr(&e, 0), Ok(8), "adding 0 is always possible");
        let (c, wk) = test_waker::new();
        let mut p = Poller::from_waker(wk);
        e.poll(POLLOUT, Some(&mut p));
        assert_eq!(rd(&e), Ok(MAX));
        assert_eq!(test_waker::count(&c), 1, "a read wakes writers");
        wr(&e, MAX - 1).unwrap();
        wr(&e, 1).unwrap();
        assert_eq!(wr(&e, 1), Err(Errno::EAGAIN));
    }
}
