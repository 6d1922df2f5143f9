//! timerfd: a file whose reads return how many times a timer expired.
//!
//! The state is a monotonic deadline, an interval and the expiries counted
//! but not read yet. Expiries are worked out from the clock whenever the
//! file is read or polled; a timer on the kernel's timer list (cancellable)
//! is pending exactly while the timer is armed and nothing is left to read,
//! and its expiry only notifies the pollee (POLLIN). So a short interval
//! never keeps the timer interrupt busy: after an expiry the kernel timer is
//! re-armed by the next read.
use crate::time::{self, TimerId};
use alloc::sync::{Arc, Weak};
use core::any::Any;
use core::task::Waker;
use rill_abi::{Errno, KResult};
use rill_vfs::poll::{POLLIN, POLLRDNORM};
use rill_vfs::{FileKind, FileLike, IoEvents, Pollee, Poller};
use spin::Mutex;

pub const CLOCK_REALTIME: i32 = 0;
pub const CLOCK_MONOTONIC: i32 = 1;
pub const CLOCK_BOOTTIME: i32 = 7;
pub const CLOCK_REALTIME_ALARM: i32 = 8;
pub const CLOCK_BOOTTIME_ALARM: i32 = 9;
pub const TFD_TIMER_ABSTIME: u32 = 1;
pub const TFD_TIMER_CANCEL_ON_SET: u32 = 2;

#[derive(Default)]
struct St {
    /// Monotonic ns of the next expiry; 0: disarmed.
    deadline: u64,
    interval: u64,
    /// Expiries not read yet.
    ticks: u64,
    gen: u64,
    timer: Option<TimerId>,
}

impl St {
    /// Counts the expiries passed at `now`.
    fn advance(&mut self, now: u64) {
        if self.deadline == 0 || self.deadline > now {
            return;
        }
        if self.interval == 0 {
            self.deadline = 0;
            self.ticks = self.ticks.saturating_add(1);
            return;
        }
        let n = (now - self.deadline) / self.interval + 1;
        self.ticks = self.ticks.saturating_add(n);
        self.deadline = self
            .deadline
            .saturating_add(n.saturating_mul(self.interval));
    }

    /// (value left, interval) as timerfd_gettime shows them.
    fn value(&self, now: u64) -> (u64, u64) {
        let left = if self.deadline == 0 {
            0
        } else {
            self.deadline.saturating_sub(now).max(1)
        };
        (left, self.interval)
    }
}

pub struct TimerFd {
    clock: i32,
    st: Mutex<St>,
    pollee: Pollee,
    me: Weak<TimerFd>,
}

struct Expiry {
    tfd: Weak<TimerFd>,
    gen: u64,
}

impl alloc::task::Wake for Expiry {
    fn wake(self: Arc<Self>) {
        let Some(t) = self.tfd.upgrade() else { return };
        let fired = {
            let mut st = t.st.lock();
            if st.gen != self.gen {
                return;
            }
            st.timer = None;
            st.advance(time::now_ns());
            if st.ticks == 0 && st.deadline != 0 {
                // early: wait again for the deadline
                let d = st.deadline;
                st.timer = Some(time::add_timer(d, Waker::from(self.clone())));
            }
            st.ticks > 0
        };
        if fired {
            t.pollee.notify(POLLIN);
        }
    }
}

impl TimerFd {
    pub fn new(clock: i32) -> Arc<TimerFd> {
        Arc::new_cyclic(|me| TimerFd {
            clock,
            st: Mutex::new(St::default()),
            pollee: Pollee::new(0),
            me: me.clone(),
        })
    }

    /// The kernel timer for the deadline, unless expiries wait to be read.
    fn rearm(&self, st: &mut St) {
        if st.deadline != 0 && st.ticks == 0 && st.timer.is_none() {
            let w = Arc::new(Expiry {
                tfd: self.me.clone(),
                gen: st.gen,
            });
            st.timer = Some(time::add_timer(st.deadline, Waker::from(w)));
        }
    }

    /// timerfd_gettime: (value left, interval) in ns.
    pub fn gettime(&self) -> (u64, u64) {
        let now = time::now_ns();
        let mut st = self.st.lock();
        st.advance(now);
        st.value(now)
    }

    /// timerfd_settime with checked values in ns; the old (value, interval).
    pub fn settime(&self, flags: u32, value: u64, interval: u64) -> (u64, u64) {
        let now = time::now_ns();
        let (old, ready) = {
            let mut st = self.st.lock();
            st.advance(now);
            let old = st.value(now);
            if let Some(id) = st.timer.take() {
                time::cancel_timer(id);
            }
            st.gen = st.gen.wrapping_add(1);
            st.ticks = 0;
            st.interval = if value == 0 { 0 } else { interval };
            st.deadline = if value == 0 {
                0
            } else if flags & TFD_TIMER_ABSTIME != 0 {
                let cnow = match self.clock {
                    CLOCK_REALTIME | CLOCK_REALTIME_ALARM => time::realtime_ns(),
                    _ => now as i64,
                };
                // a time already passed stays in the past, so the periods
                // missed since are counted
                let d = (now as i64).saturating_add((value as i64).saturating_sub(cnow));
                d.max(1) as u64
            } else {
                rill_abi::time::deadline_after(now, value)
            };
            st.advance(now);
            self.rearm(&mut st);
            (old, st.ticks > 0)
        };
        if ready {
            self.pollee.notify(POLLIN);
        }
        old
    }
}

impl Drop for TimerFd {
    fn drop(&mut self) {
        if let Some(id) = self.st.get_mut().timer.take() {
            time::cancel_timer(id);
        }
    }
}

impl FileLike for TimerFd {
    fn read(&self, _offset: &mut u64, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        let out = buf.get_mut(..8).ok_or(Errno::EINVAL)?;
        let n = {
            let mut st = self.st.lock();
            st.advance(time::now_ns());
            let n = core::mem::take(&mut st.ticks);
            self.rearm(&mut st);
            n
        };
        if n == 0 {
            return Err(Errno::EAGAIN);
        }
        out.copy_from_slice(&n.to_le_bytes());
        Ok(8)
    }

    fn write(&self, _offset: &mut u64, _buf: &[u8], _nonblock: bool) -> KResult<usize> {
        Err(Errno::EINVAL)
    }

    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.pollee.register_poller(poller, mask);
        let mut st = self.st.lock();
        st.advance(time::now_ns());
        if st.ticks > 0 {
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
