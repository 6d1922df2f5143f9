//! A list of wakers to notify when an object's readiness may have changed.

use alloc::vec::Vec;
use core::task::Waker;
use spin::Mutex;

/// Wakers waiting for a state change. `register` deduplicates with
/// [`Waker::will_wake`]; `wake_all` drains the list and wakes every waker.
#[derive(Default)]
pub struct WaitQueue {
    wakers: Mutex<Vec<Waker>>,
}

impl WaitQueue {
    pub const fn new() -> Self {
        WaitQueue {
            wakers: Mutex::new(Vec::new()),
        }
    }

    /// Adds `w` unless an equivalent waker is already registered.
    pub fn register(&self, w: &Waker) {
        let mut ws = self.wakers.lock();
        if !ws.iter().any(|x| x.will_wake(w)) {
            ws.push(w.clone());
        }
    }

    /// Wakes and removes every registered waker.
    pub fn wake_all(&self) {
        // Take the list first so wakers may re-register without deadlocking.
        let ws = core::mem::take(&mut *self.wakers.lock());
        for w in ws {
            w.wake();
        }
    }

    /// Number of registered wakers.
    pub fn len(&self) -> usize {
        self.wakers.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
pub(crate) mod test_waker {
    use alloc::sync::Arc;
    use core::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    /// A waker that counts how often it was woken.
    pub struct Counter(pub AtomicUsize);
    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    pub fn new() -> (Arc<Counter>, core::task::Waker) {
        let c = Arc::new(Counter(AtomicUsize::new(0)));
        let w = core::task::Waker::from(c.clone());
        (c, w)
    }

    pub fn count(c: &Counter) -> usize {
        c.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_and_wake() {
        let q = WaitQueue::new();
        let (c, w) = test_waker::new();
        q.register(&w);
        q.register(&w);
        assert_eq!(q.len(), 1);
        let (c2, w2) = test_waker::new();
        q.register(&w2);
        assert_eq!(q.len(), 2);
        q.wake_all();
        assert!(q.is_empty());
        assert_eq!(test_waker::count(&c), 1);
        assert_eq!(test_waker::count(&c2), 1);
        q.wake_all();
        assert_eq!(test_waker::count(&c), 1);
    }
}
