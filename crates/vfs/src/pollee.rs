//! The readiness model: [`Pollee`], [`Observer`] and [`Poller`].
//!
//! Every object that can make a caller wait (a pipe, a terminal, later a
//! socket or an eventfd) owns a [`Pollee`]. Whoever wants to hear about the
//! object's readiness registers an [`Observer`] with an *interest mask*; when
//! the object's state changes it calls [`Pollee::notify`] with the events that
//! may have become true, and every live observer whose mask intersects them
//! (`POLLERR` and `POLLHUP` always do, as in Linux) is called. Notifying does
//! **not** remove anyone: a registration lasts until it is unregistered or its
//! observer is dropped. The pollee holds only `Weak` references, so a dead
//! observer never keeps memory alive and is pruned at the next
//! `notify`/`register`.
//!
//! A file's `poll(mask, poller)` (see [`crate::file::FileLike::poll`]) is the
//! one place where interest is registered and readiness is read, always in
//! that order: **register first, then read the state**. A change that happens
//! after the state was read is therefore notified to an observer that is
//! already registered, and a change before it is seen by the read: no wake-up
//! can be lost between "not ready" and "go to sleep" (the sleeper must, as
//! Rill's `Task::woken` and `std::thread::park` do, remember a wake that
//! arrives before it actually sleeps).
//!
//! # One-shot waits (read, write, poll, select)
//! A blocking call builds a [`Poller`] around its task's `Waker`
//! ([`Poller::from_waker`]) and loops: `poll(mask, Some(&mut poller))`; if
//! nothing is ready, sleep; repeat (see [`wait_until`]). The poller remembers
//! every pollee it was registered with and unregisters itself from all of them
//! when it is dropped, at the end of the call.
//!
//! # Persistent interest: how epoll stands on this
//! An epoll instance keeps, for each watched file, an entry that *is* an
//! [`Observer`] (`Arc<EpollEntry>`) together with a [`Poller`] built with
//! [`Poller::new`] around that entry. `EPOLL_CTL_ADD` calls
//! `file.poll(mask, Some(&mut entry.poller))` once: that registers the entry
//! with the file's pollee and returns the current readiness (if ready, the
//! entry goes on the ready list at once). From then on the registration stays:
//! every `notify` on the file calls `entry.on_events(ev)`, which puts the entry
//! on the instance's ready list (if not there yet) and wakes the tasks in
//! `epoll_wait` (a second pollee, the epoll instance's own, so epoll fds can be
//! polled and nested). `epoll_wait` takes entries off the ready list and
//! re-reads each file's readiness with `file.poll(mask, None)`:
//! * **level-triggered**: an entry still ready is reported and put back on the
//!   list, so the next `epoll_wait` reports it again (Linux re-queues it);
//!   an entry no longer ready is dropped from the list until the next notify;
//! * **edge-triggered** (`EPOLLET`): the entry is reported once and is not put
//!   back; only the next `notify` (a new edge) re-queues it;
//! * **`EPOLLONESHOT`**: after a report the entry's mask is cleared (it stays
//!   registered but matches nothing until `EPOLL_CTL_MOD`).
//!
//! `EPOLL_CTL_MOD` drops the entry's poller and polls again with a new one and
//! the new mask; `EPOLL_CTL_DEL` and closing the epoll fd drop the poller
//! (unregistering it); closing the watched file drops its pollee, after which
//! the entry's weak reference to it simply fails to upgrade. The host test
//! `tests::epoll_model_level_and_edge` in this module builds exactly that
//! on a pipe.

use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};
use core::task::Waker;
use spin::Mutex;

use crate::file::poll::{POLLERR, POLLHUP};

/// Readiness bits: the `poll`/`epoll` event values (`POLLIN`, `POLLOUT`, ...).
pub type IoEvents = u32;

/// Events reported whatever the interest mask (Linux: poll and epoll always
/// report errors and hang-ups).
pub const ALWAYS: IoEvents = POLLERR | POLLHUP;

/// Something that wants to hear about readiness changes.
pub trait Observer: Send + Sync {
    /// Called (without any pollee lock held) with the events that may have
    /// become true. It must not sleep; it may register or unregister.
    fn on_events(&self, events: IoEvents);
    /// An exclusive observer (an `EPOLLEXCLUSIVE` epoll item): a notify
    /// calls exclusive observers, in registration order, with
    /// [`Observer::on_exclusive`] only until one returns true.
    fn exclusive(&self) -> bool {
        false
    }
    /// The exclusive form of `on_events`: whether a waiter was woken.
    fn on_exclusive(&self, events: IoEvents) -> bool {
        self.on_events(events);
        true
    }
}

/// An observer that wakes a `Waker` (a sleeping task, in the kernel).
pub struct WakerObserver(pub Waker);

impl Observer for WakerObserver {
    fn on_events(&self, _events: IoEvents) {
        self.0.wake_by_ref();
    }
}

struct Entry {
    observer: Weak<dyn Observer>,
    mask: IoEvents,
}

struct Inner {
    /// Readiness bits kept by the pollee itself (for objects whose readiness
    /// is a plain set of bits; others compute theirs and only `notify`).
    state: AtomicU32,
    observers: Mutex<Vec<Entry>>,
}

impl Inner {
    /// Adds `obs` with `mask`, or updates the mask of an existing
    /// registration (`merge`: OR the masks, else replace). Returns whether
    /// the observer is new here.
    fn register(&self, obs: &Arc<dyn Observer>, mask: IoEvents, merge: bool) -> bool {
        let w = Arc::downgrade(obs);
        let mut list = self.observers.lock();
        list.retain(|e| e.observer.strong_count() > 0);
        if let Some(e) = list.iter_mut().find(|e| Weak::ptr_eq(&e.observer, &w)) {
            e.mask = if merge { e.mask | mask } else { mask };
            return false;
        }
        list.push(Entry { observer: w, mask });
        true
    }

    fn unregister(&self, obs: &Weak<dyn Observer>) -> bool {
        let mut list = self.observers.lock();
        let before = list.len();
        list.retain(|e| e.observer.strong_count() > 0 && !Weak::ptr_eq(&e.observer, obs));
        list.len() != before
    }
}

/// The readiness of one object and the observers interested in it.
pub struct Pollee {
    inner: Arc<Inner>,
}

impl Default for Pollee {
    fn default() -> Self {
        Pollee::new(0)
    }
}

impl Pollee {
    /// A pollee whose own state bits start as `initial`.
    pub fn new(initial: IoEvents) -> Self {
        Pollee {
            inner: Arc::new(Inner {
                state: AtomicU32::new(initial),
                observers: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Wakes every live observer whose mask intersects `events` (or that
    /// `events` contains POLLERR/POLLHUP for), the newest registration first
    /// (exclusive observers: see [`Observer::exclusive`]). Nobody is removed.
    /// No-op when `events` is 0.
    pub fn notify(&self, events: IoEvents) {
        if events == 0 {
            return;
        }
        let hit: Vec<Arc<dyn Observer>> = {
            let mut list = self.inner.observers.lock();
            list.retain(|e| e.observer.strong_count() > 0);
            list.iter()
                .filter(|e| e.mask & events != 0 || events & ALWAYS != 0)
                .filter_map(|e| e.observer.upgrade())
                .collect()
        };
        // Linux's wait queues: plain entries are added at the head (the
        // newest is woken first), exclusive ones at the tail, woken until
        // one of them woke a waiter
        for o in hit.iter().rev().filter(|o| !o.exclusive()) {
            o.on_events(events);
        }
        for o in hit.iter().filter(|o| o.exclusive()) {
            if o.on_exclusive(events) {
                break;
            }
        }
    }

    /// Registers `obs` persistently with interest `mask` (a second call for
    /// the same observer replaces its mask). Returns whether it was new.
    pub fn register(&self, obs: &Arc<dyn Observer>, mask: IoEvents) -> bool {
        self.inner.register(obs, mask, false)
    }

    /// Removes `obs`; returns whether it was registered.
    pub fn unregister(&self, obs: &Arc<dyn Observer>) -> bool {
        self.inner.unregister(&Arc::downgrade(obs))
    }

    /// Live registrations (dead ones are pruned first).
    pub fn observer_count(&self) -> usize {
        let mut list = self.inner.observers.lock();
        list.retain(|e| e.observer.strong_count() > 0);
        list.len()
    }

    /// Registers `poller` (if any) for `mask`, *then* returns nothing: the
    /// first half of every `poll` implementation. The caller reads its state
    /// after this call.
    pub fn register_poller(&self, poller: Option<&mut Poller>, mask: IoEvents) {
        if let Some(p) = poller {
            if self.inner.register(&p.observer, mask | ALWAYS, true) {
                p.pollees.push(Arc::downgrade(&self.inner));
            }
        }
    }

    /// The pollee's own state bits.
    pub fn events(&self) -> IoEvents {
        self.inner.state.load(Ordering::Acquire)
    }

    /// Sets state bits and notifies the ones that were not set before.
    pub fn add_events(&self, ev: IoEvents) {
        let old = self.inner.state.fetch_or(ev, Ordering::AcqRel);
        self.notify(ev & !old);
    }

    /// Clears state bits (becoming less ready wakes nobody).
    pub fn del_events(&self, ev: IoEvents) {
        self.inner.state.fetch_and(!ev, Ordering::AcqRel);
    }

    /// `poll` for objects whose readiness is the pollee's own state bits:
    /// registers, then reads the state. Returns all ready bits.
    pub fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.register_poller(poller, mask);
        self.events()
    }
}

/// A waiter's side of a registration: one observer registered with any number
/// of pollees; dropping it unregisters it from all that still exist.
pub struct Poller {
    observer: Arc<dyn Observer>,
    pollees: Vec<Weak<Inner>>,
}

impl Poller {
    /// A poller for `observer` (an epoll entry, say).
    pub fn new(observer: Arc<dyn Observer>) -> Self {
        Poller {
            observer,
            pollees: Vec::new(),
        }
    }

    /// A poller that wakes `waker` (a blocking call's task).
    pub fn from_waker(waker: Waker) -> Self {
        Poller::new(Arc::new(WakerObserver(waker)))
    }

    /// The observer this poller registers.
    pub fn observer(&self) -> &Arc<dyn Observer> {
        &self.observer
    }

    /// How many pollees it is registered with.
    pub fn registrations(&self) -> usize {
        self.pollees.len()
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        let w = Arc::downgrade(&self.observer);
        for p in self.pollees.drain(..) {
            if let Some(inner) = p.upgrade() {
                inner.unregister(&w);
            }
        }
    }
}

/// The one-shot wait behind blocking calls, without any notion of tasks:
/// calls `check` (which must register through the poller *before* reading
/// readiness, as every `poll(mask, Some(poller))` does) until it returns
/// `Some`, calling `park` in between. `park` must return at once if the
/// poller's observer was woken since the previous `check` began (a pending
/// wake), and may fail (a signal, a timeout) to end the wait. The kernel's
/// equivalent is `task::wait::wait_poll`, on top of `wait_event`.
pub fn wait_until<T, E>(
    poller: &mut Poller,
    mut check: impl FnMut(&mut Poller) -> Option<T>,
    mut park: impl FnMut() -> Result<(), E>,
) -> Result<T, E> {
    loop {
        if let Some(v) = check(poller) {
            return Ok(v);
        }
        park()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::poll::*;
    use crate::file::FileLike;
    use crate::wait::test_waker;
    use core::sync::atomic::AtomicUsize;
    use std::sync::atomic::AtomicBool;
    use std::time::{Duration, Instant};

    struct Count(AtomicUsize, AtomicU32);
    impl Observer for Count {
        fn on_events(&self, ev: IoEvents) {
            self.0.fetch_add(1, Ordering::SeqCst);
            self.1.fetch_or(ev, Ordering::SeqCst);
        }
    }
    fn counter() -> (Arc<Count>, Arc<dyn Observer>) {
        let c = Arc::new(Count(AtomicUsize::new(0), AtomicU32::new(0)));
        let o: Arc<dyn Observer> = c.clone();
        (c, o)
    }
    fn hits(c: &Count) -> usize {
        c.0.load(Ordering::SeqCst)
    }

    #[test]
    fn registrations_persist_and_are_masked() {
        let p = Pollee::new(0);
        let (rc, r) = counter();
        let (wc, w) = counter();
        assert!(p.register(&r, POLLIN));
        assert!(p.register(&w, POLLOUT));
        assert!(!p.register(&r, POLLIN), "same observer twice is one entry");
        p.notify(POLLIN);
        p.notify(POLLIN);
        assert_eq!((hits(&rc), hits(&wc)), (2, 0), "persistent, masked");
        p.notify(POLLOUT);
        assert_eq!((hits(&rc), hits(&wc)), (2, 1));
        p.notify(POLLHUP);
        assert_eq!((hits(&rc), hits(&wc)), (3, 2), "HUP reaches every mask");
        p.notify(0);
        assert_eq!(hits(&rc), 3);
        // replacing the mask
        p.register(&r, POLLPRI);
        p.notify(POLLIN);
        assert_eq!(hits(&rc), 3);
        assert!(p.unregister(&r));
        assert!(!p.unregister(&r));
        p.notify(POLLPRI | POLLERR);
        assert_eq!(hits(&rc), 3);
        assert_eq!(p.observer_count(), 1);
    }

    #[test]
    fn dead_observers_are_not_kept() {
        let p = Pollee::new(0);
        let (c, o) = counter();
        p.register(&o, POLLIN);
        drop(o);
        assert_eq!(p.observer_count(), 1, "the test still holds the Count");
        drop(c);
        assert_eq!(p.observer_count(), 0);
        p.notify(POLLIN);
        // a poller unregisters itself from every pollee when dropped
        let a = Pollee::new(POLLOUT);
        let b = Pollee::new(0);
        let (_wc, w) = test_waker::new();
        let mut pl = Poller::from_waker(w);
        assert_eq!(a.poll(POLLIN, Some(&mut pl)), POLLOUT);
        assert_eq!(b.poll(POLLIN, Some(&mut pl)), 0);
        assert_eq!(b.poll(POLLIN, Some(&mut pl)), 0);
        assert_eq!(pl.registrations(), 2, "re-polling does not re-register");
        assert_eq!((a.observer_count(), b.observer_count()), (1, 1));
        drop(b);
        drop(pl);
        assert_eq!(a.observer_count(), 0);
    }

    #[test]
    fn state_bits() {
        let p = Pollee::new(POLLOUT);
        let (c, o) = counter();
        p.register(&o, POLLIN);
        p.add_events(POLLOUT);
        assert_eq!(hits(&c), 0, "bits already set change nothing");
        p.add_events(POLLIN);
        assert_eq!(hits(&c), 1);
        assert_eq!(p.events(), POLLIN | POLLOUT);
        p.del_events(POLLIN);
        assert_eq!(hits(&c), 1);
        assert_eq!(p.poll(POLLIN, None), POLLOUT);
    }

    /// A change after the readiness check but before the sleep is not lost:
    /// the registration came first, so the wake is pending and the sleep
    /// returns at once.
    #[test]
    fn change_between_check_and_sleep_is_seen() {
        let (r, w) = crate::pipe::new_pipe();
        let (c, wk) = test_waker::new();
        let mut pl = Poller::from_waker(wk);
        let mut parks = 0;
        let mut checks = 0;
        let got = wait_until(
            &mut pl,
            |pl| {
                checks += 1;
                let ev = r.poll(POLLIN, Some(pl));
                if checks == 1 {
                    // the writer runs right after our check said "not ready"
                    assert_eq!(ev & POLLIN, 0);
                    w.write(&mut 0, b"x", true).unwrap();
                    return None;
                }
                (ev & POLLIN != 0).then_some(ev)
            },
            || {
                parks += 1;
                // a parker sleeps only when no wake is pending
                if test_waker::count(&c) == 0 {
                    return Err("slept with no wake pending: the wake-up was lost");
                }
                Ok(())
            },
        );
        assert_eq!(got, Ok(POLLIN | POLLRDNORM));
        assert_eq!(parks, 1);
    }

    /// Threads: a writer and a waiting reader race 2000 times; every wait
    /// must end through a wake-up (a reader still parked 5 s after the data
    /// became readable is a lost wake-up and fails).
    #[test]
    fn no_lost_wakeups_between_threads() {
        use std::sync::mpsc;
        use std::task::Wake;
        struct Unpark(std::thread::Thread);
        impl Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        const ROUNDS: usize = 2000;
        let (r, w) = crate::pipe::new_pipe();
        let (tx, rx) = mpsc::channel::<()>();
        let lost = Arc::new(AtomicBool::new(false));
        let lost2 = lost.clone();
        let reader = std::thread::spawn(move || {
            let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
            for i in 0..ROUNDS {
                let mut pl = Poller::from_waker(waker.clone());
                let res: Result<(), ()> = wait_until(
                    &mut pl,
                    |pl| (r.poll(POLLIN, Some(pl)) & POLLIN != 0).then_some(()),
                    || {
                        let t0 = Instant::now();
                        std::thread::park_timeout(Duration::from_secs(5));
                        if t0.elapsed() >= Duration::from_secs(5)
                            && r.poll(POLLIN, None) & POLLIN != 0
                        {
                            return Err(());
                        }
                        Ok(())
                    },
                );
                if res.is_err() {
                    lost2.store(true, Ordering::SeqCst);
                    return i;
                }
                let mut b = [0u8; 1];
                assert_eq!(r.read(&mut 0, &mut b, true).unwrap(), 1);
                tx.send(()).unwrap();
            }
            ROUNDS
        });
        for i in 0..ROUNDS {
            // vary the moment of the write relative to the reader's check
            for _ in 0..(i % 64) * 10 {
                core::hint::spin_loop();
            }
            w.write(&mut 0, b"y", true).unwrap();
            if rx.recv_timeout(Duration::from_secs(30)).is_err() {
                break;
            }
        }
        let done = reader.join().unwrap();
        assert!(!lost.load(Ordering::SeqCst), "lost wake-up in round {done}");
        assert_eq!(done, ROUNDS);
    }

    /// The epoll design of the module docs, on a pipe: persistent entries,
    /// a ready list, level- and edge-triggered reporting.
    #[test]
    fn epoll_model_level_and_edge() {
        struct Entry {
            id: usize,
            ready: Arc<Mutex<Vec<usize>>>,
        }
        impl Observer for Entry {
            fn on_events(&self, _ev: IoEvents) {
                let mut l = self.ready.lock();
                if !l.contains(&self.id) {
                    l.push(self.id);
                }
            }
        }
        struct Watch {
            file: Arc<dyn FileLike>,
            mask: IoEvents,
            edge: bool,
            _poller: Poller,
        }
        let ready = Arc::new(Mutex::new(Vec::new()));
        let (r, w) = crate::pipe::new_pipe();
        let mut watches = Vec::new();
        for (id, edge) in [(0, false), (1, true)] {
            let obs: Arc<dyn Observer> = Arc::new(Entry {
                id,
                ready: ready.clone(),
            });
            let mut poller = Poller::new(obs.clone());
            // EPOLL_CTL_ADD: one poll registers and reports the current state
            if r.poll(POLLIN, Some(&mut poller)) & POLLIN != 0 {
                obs.on_events(POLLIN);
            }
            watches.push(Watch {
                file: r.clone(),
                mask: POLLIN,
                edge,
                _poller: poller,
            });
        }
        let epoll_wait = |watches: &Vec<Watch>| -> Vec<usize> {
            let list: Vec<usize> = core::mem::take(&mut *ready.lock());
            let mut out = Vec::new();
            for id in list {
                let wt = &watches[id];
                if wt.file.poll(wt.mask, None) & wt.mask != 0 {
                    out.push(id);
                    if !wt.edge {
                        ready.lock().push(id); // level-triggered: stays queued
                    }
                }
            }
            out
        };
        assert!(epoll_wait(&watches).is_empty(), "empty pipe: nothing");
        w.write(&mut 0, b"ab", true).unwrap();
        assert_eq!(
            epoll_wait(&watches),
            [1, 0],
            "the newest registration is notified first (Linux)"
        );
        assert_eq!(epoll_wait(&watches), [0], "only LT reports again");
        w.write(&mut 0, b"c", true).unwrap();
        assert_eq!(epoll_wait(&watches), [0, 1], "a new edge re-arms ET");
        let mut b = [0u8; 8];
        r.read(&mut 0, &mut b, true).unwrap();
        assert!(epoll_wait(&watches).is_empty(), "drained: LT drops out");
        assert!(epoll_wait(&watches).is_empty());
        // the registrations persisted through all of that
        w.write(&mut 0, b"d", true).unwrap();
        assert_eq!(epoll_wait(&watches), [1, 0]);
        // dropping the watches (EPOLL_CTL_DEL) unregisters them
        drop(watches);
        ready.lock().clear();
        w.write(&mut 0, b"e", true).unwrap();
        assert!(ready.lock().is_empty());
    }
}
