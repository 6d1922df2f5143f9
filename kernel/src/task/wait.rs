//! Sleeping until something happens: the one blocking primitive.
//!
//! `wait_event` calls `cond` with the current task's `Waker`; `cond`
//! registers it wherever the awaited change will be announced and returns
//! `Some` once the wait is over. Wakers set `Task::woken` before making the
//! task runnable, so a wake that races with going to sleep is never lost.
//!
//! `wait_poll` is the adapter to the VFS readiness model (`rill_vfs::pollee`):
//! it hands `cond` a `Poller` wrapping the task's waker, which `cond` passes to
//! `poll(mask, Some(poller))` (register first, then read readiness). The
//! registrations persist across the loop's iterations and are removed when
//! the wait ends.
use super::sched::{self, State};
use super::Task;
use alloc::sync::Arc;
use core::sync::atomic::Ordering;
use core::task::Waker;
use rill_abi::{Errno, KResult};
use rill_vfs::Poller;

pub fn waker_of(t: &Arc<Task>) -> Waker {
    Waker::from(t.clone())
}

/// Sleep until woken (or until a pending wake is consumed).
pub fn sleep(t: &Arc<Task>) {
    if t.woken.swap(false, Ordering::AcqRel) {
        return;
    }
    t.set_state(State::Sleeping);
    if t.woken.swap(false, Ordering::AcqRel) {
        t.set_state(State::Runnable);
        return;
    }
    sched::schedule();
}

/// Is there a signal that should interrupt a sleep of the current task?
pub fn signal_pending(t: &Task) -> bool {
    t.deliverable_signals() != 0 || crate::signal::fatal_pending(t)
}

/// Wait until `cond` returns Some. With `interruptible`, a deliverable signal
/// ends the wait with ERESTARTSYS (turned into EINTR or a restart on the way
/// out). `deadline` is a monotonic time in ns; reaching it gives ETIMEDOUT.
pub fn wait_event<T>(
    interruptible: bool,
    deadline: Option<u64>,
    mut cond: impl FnMut(&Waker) -> Option<T>,
) -> KResult<T> {
    let t = sched::current();
    let w = waker_of(&t);
    loop {
        t.woken.store(false, Ordering::Release);
        if let Some(v) = cond(&w) {
            return Ok(v);
        }
        if interruptible && signal_pending(&t) {
            return Err(Errno::ERESTARTSYS);
        }
        let timer = match deadline {
            Some(d) if crate::time::now_ns() >= d => return Err(Errno::ETIMEDOUT),
            Some(d) => Some(crate::time::add_timer(d, w.clone())),
            None => None,
        };
        sleep(&t);
        // woken by something else: the timer (and the task reference in its waker) goes
        if let Some(id) = timer {
            crate::time::cancel_timer(id);
        }
    }
}

/// `wait_event` for readiness: `cond` polls files with the given `Poller`
/// (the current task's observer) and returns `Some` once one is ready.
pub fn wait_poll<T>(
    interruptible: bool,
    deadline: Option<u64>,
    mut cond: impl FnMut(&mut Poller) -> Option<T>,
) -> KResult<T> {
    let mut poller: Option<Poller> = None;
    wait_event(interruptible, deadline, |w| {
        let p = poller.get_or_insert_with(|| Poller::from_waker(w.clone()));
        cond(p)
    })
}

/// Sleep until the monotonic deadline; ERESTARTSYS if a signal comes first.
pub fn sleep_until(deadline: u64) -> KResult<()> {
    match wait_event(true, Some(deadline), |_| None::<()>) {
        Err(Errno::ETIMEDOUT) => Ok(()),
        other => other,
    }
}
