//! epoll instances, built on the readiness model of [`crate::pollee`].
//!
//! An [`Epoll`] keeps one item per watched (fd number, open file) pair, as
//! Linux does: closing an fd whose file stays open through a dup keeps the
//! registration, and it goes only when the file itself is gone (the item
//! holds the file weakly and is pruned once it cannot be upgraded). Each item
//! has an observer ([`Observer`]) registered persistently with the file's
//! pollee through a [`Poller`]; a notification puts the item on the ready
//! list (once) and notifies the instance's own pollee, which is what
//! `epoll_wait` sleepers, `poll(2)` on the epoll fd and outer epoll instances
//! wait on.
//!
//! [`Epoll::wait`] takes items off the front of the ready list and re-reads
//! each file's readiness: a level-triggered item still ready is reported and
//! put back at the tail (round robin), an edge-triggered one is not put back
//! (the next notification re-queues it), a one-shot one is disabled (its
//! interest becomes empty until `EPOLL_CTL_MOD`). An item no longer ready
//! simply drops off the list.
//!
//! `EPOLLEXCLUSIVE` items use the pollee's exclusive notification: a file's
//! notify reaches its exclusive observers in registration order until one
//! instance that had a waiter was woken.
//!
//! Nesting: an epoll fd is pollable, so it can be watched by another one. As
//! on Linux (6.x), adding `to` to `ep` fails with ELOOP when it would make a
//! cycle or a chain of more than [`MAX_NESTS`] + 1 instances (the longest
//! chain of instances above `ep`, plus one, plus the longest below `to`).
use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::any::Any;
use rill_abi::{Errno, KResult};
use spin::Mutex;

use crate::file::{flags::O_PATH, FileKind, FileLike, OpenFile};
use crate::pollee::{IoEvents, Observer, Pollee, Poller};

pub const EPOLLIN: u32 = 0x1;
pub const EPOLLPRI: u32 = 0x2;
pub const EPOLLOUT: u32 = 0x4;
pub const EPOLLERR: u32 = 0x8;
pub const EPOLLHUP: u32 = 0x10;
pub const EPOLLRDNORM: u32 = 0x40;
pub const EPOLLRDHUP: u32 = 0x2000;
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
pub const EPOLLWAKEUP: u32 = 1 << 29;
pub const EPOLLONESHOT: u32 = 1 << 30;
pub const EPOLLET: u32 = 1 << 31;
/// Flags that are not events (Linux's EP_PRIVATE_BITS).
pub const PRIVATE_BITS: u32 = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/// What may come with EPOLLEXCLUSIVE (Linux's EPOLLEXCLUSIVE_OK_BITS).
pub const EXCLUSIVE_OK_BITS: u32 =
    EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

pub const EPOLL_CTL_ADD: i32 = 1;
pub const EPOLL_CTL_DEL: i32 = 2;
pub const EPOLL_CTL_MOD: i32 = 3;

/// Linux's EP_MAX_NESTS.
pub const MAX_NESTS: usize = 4;
/// Linux's EP_MAX_EVENTS (INT_MAX / sizeof(struct epoll_event)).
pub const MAX_EVENTS: usize = (i32::MAX as usize) / 12;

/// `struct epoll_event` (packed on x86_64: 12 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct EpollEvent {
    pub events: u32,
    pub data: u64,
}

impl EpollEvent {
    pub const SIZE: usize = 12;
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        let ev = u32::from_le_bytes(b.get(0..4)?.try_into().ok()?);
        let data = u64::from_le_bytes(b.get(4..12)?.try_into().ok()?);
        Some(EpollEvent { events: ev, data })
    }
    pub fn to_bytes(self) -> [u8; 12] {
        let mut b = [0u8; 12];
        b[..4].copy_from_slice(&self.events.to_le_bytes());
        b[4..].copy_from_slice(&self.data.to_le_bytes());
        b
    }
}

struct Item {
    fd: i32,
    file: Weak<OpenFile>,
    /// Interest plus flags (EPOLLERR|EPOLLHUP always added, as Linux does).
    events: u32,
    data: u64,
    queued: bool,
    obs: Arc<ItemObs>,
    poller: Option<Poller>,
}

impl Item {
    fn alive(&self) -> bool {
        self.file.strong_count() > 0
    }
}

#[derive(Default)]
struct Inner {
    items: BTreeMap<u64, Item>,
    ready: VecDeque<u64>,
    next_id: u64,
}

struct Shared {
    inner: Mutex<Inner>,
    /// The instance's own readiness: waiters in epoll_wait, poll(2) on the
    /// epoll fd, outer instances.
    pollee: Pollee,
    /// Instances watching this one (with the id of their item), for the
    /// nesting depth check.
    parents: Mutex<Vec<(Weak<Shared>, u64)>>,
}

/// The observer of one item.
struct ItemObs {
    ep: Weak<Shared>,
    id: u64,
    exclusive: bool,
}

impl ItemObs {
    /// Queues the item; whether it became (or already was) queued.
    fn queue(&self, sh: &Shared) -> bool {
        let mut g = sh.inner.lock();
        let Some(it) = g.items.get_mut(&self.id) else {
            return false;
        };
        if it.events & !PRIVATE_BITS == 0 || !it.alive() {
            return false; // disabled one-shot item, or its file is gone
        }
        if !it.queued {
            it.queued = true;
            g.ready.push_back(self.id);
        }
        true
    }
}

impl Observer for ItemObs {
    fn on_events(&self, _events: IoEvents) {
        let Some(sh) = self.ep.upgrade() else { return };
        if self.queue(&sh) {
            sh.pollee.notify(EPOLLIN | EPOLLRDNORM);
        }
    }

    fn exclusive(&self) -> bool {
        self.exclusive
    }

    fn on_exclusive(&self, _events: IoEvents) -> bool {
        let Some(sh) = self.ep.upgrade() else {
            return false;
        };
        if !self.queue(&sh) {
            return false;
        }
        let waiters = sh.pollee.observer_count() > 0;
        sh.pollee.notify(EPOLLIN | EPOLLRDNORM);
        waiters
    }
}

/// An epoll instance (the `FileLike` of an epoll fd).
pub struct Epoll {
    sh: Arc<Shared>,
}

impl Default for Epoll {
    fn default() -> Self {
        Epoll {
            sh: Arc::new(Shared {
                inner: Mutex::new(Inner::default()),
                pollee: Pollee::new(0),
                parents: Mutex::new(Vec::new()),
            }),
        }
    }
}

/// The epoll instance behind an open file, if it is one.
pub fn of(f: &OpenFile) -> Option<&Epoll> {
    f.ops.as_ref()?.as_any().downcast_ref::<Epoll>()
}

/// Longest chain of instances below `sh` (0: it watches no instance).
fn depth_below(sh: &Arc<Shared>, limit: usize) -> usize {
    if limit == 0 {
        return 0;
    }
    let kids: Vec<Arc<OpenFile>> = sh
        .inner
        .lock()
        .items
        .values()
        .filter_map(|it| it.file.upgrade())
        .collect();
    kids.iter()
        .filter_map(|f| of(f))
        .map(|e| 1 + depth_below(&e.sh, limit - 1))
        .max()
        .unwrap_or(0)
}

/// Longest chain of instances above `sh`.
fn depth_above(sh: &Arc<Shared>, limit: usize) -> usize {
    if limit == 0 {
        return 0;
    }
    let ps: Vec<Arc<Shared>> = {
        let mut l = sh.parents.lock();
        l.retain(|(w, _)| w.strong_count() > 0);
        l.iter().filter_map(|(w, _)| w.upgrade()).collect()
    };
    ps.iter()
        .map(|p| 1 + depth_above(p, limit - 1))
        .max()
        .unwrap_or(0)
}

/// Is `target` reachable from `from` through watched instances?
fn reaches(from: &Arc<Shared>, target: &Arc<Shared>, limit: usize) -> bool {
    if Arc::ptr_eq(from, target) {
        return true;
    }
    if limit == 0 {
        return false;
    }
    let kids: Vec<Arc<OpenFile>> = from
        .inner
        .lock()
        .items
        .values()
        .filter_map(|it| it.file.upgrade())
        .collect();
    kids.iter()
        .filter_map(|f| of(f))
        .any(|e| reaches(&e.sh, target, limit - 1))
}

/// `epoll_ctl(epfd, op, fd, event)` once the descriptors are looked up:
/// `epf` is epfd's file, `tf` fd's, `ev` the copied event (None for DEL).
/// The checks come in Linux's order (EPERM for files that cannot be polled,
/// EINVAL for a non-epoll epfd or epfd itself, the EPOLLEXCLUSIVE rules,
/// ELOOP, then EEXIST/ENOENT).
pub fn ctl(
    epf: &Arc<OpenFile>,
    op: i32,
    fd: i32,
    tf: &Arc<OpenFile>,
    ev: Option<EpollEvent>,
) -> KResult<()> {
    if epf.flags() & O_PATH != 0 || tf.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    // regular files and directories have no poll method on Linux
    if tf.ops.is_none() {
        return Err(Errno::EPERM);
    }
    if Arc::ptr_eq(epf, tf) {
        return Err(Errno::EINVAL);
    }
    let ep = of(epf).ok_or(Errno::EINVAL)?;
    let target = of(tf);
    let ev = ev.unwrap_or_default();
    let has_event = op != EPOLL_CTL_DEL;
    if has_event && ev.events & EPOLLEXCLUSIVE != 0 {
        if op == EPOLL_CTL_MOD {
            return Err(Errno::EINVAL);
        }
        if op == EPOLL_CTL_ADD && (target.is_some() || ev.events & !EXCLUSIVE_OK_BITS != 0) {
            return Err(Errno::EINVAL);
        }
    }
    if op == EPOLL_CTL_ADD {
        if let Some(t) = target {
            if reaches(&t.sh, &ep.sh, MAX_NESTS + 2)
                || depth_above(&ep.sh, MAX_NESTS + 1) + 1 + depth_below(&t.sh, MAX_NESTS + 1)
                    > MAX_NESTS
            {
                return Err(Errno::ELOOP);
            }
        }
    }
    let found = ep.find(fd, tf);
    match op {
        EPOLL_CTL_ADD => match found {
            Some(_) => Err(Errno::EEXIST),
            None => {
                ep.insert(fd, tf, ev, target);
                Ok(())
            }
        },
        EPOLL_CTL_DEL => match found {
            Some(id) => {
                ep.remove(id);
                Ok(())
            }
            None => Err(Errno::ENOENT),
        },
        EPOLL_CTL_MOD => match found {
            Some(id) => ep.modify(id, tf, ev),
            None => Err(Errno::ENOENT),
        },
        _ => Err(Errno::EINVAL),
    }
}

impl Epoll {
    pub fn new() -> Arc<Epoll> {
        Arc::new(Epoll::default())
    }

    /// Drops items whose file is gone (outside the lock).
    fn prune(&self) {
        let dead: Vec<Item> = {
            let mut g = self.sh.inner.lock();
            let ids: Vec<u64> = g
                .items
                .iter()
                .filter(|(_, it)| !it.alive())
                .map(|(id, _)| *id)
                .collect();
            let mut out = Vec::new();
            for id in ids {
                if let Some(it) = g.items.remove(&id) {
                    out.push(it);
                }
            }
            if !out.is_empty() {
                let Inner { items, ready, .. } = &mut *g;
                ready.retain(|id| items.contains_key(id));
            }
            out
        };
        drop(dead);
    }

    fn find(&self, fd: i32, f: &Arc<OpenFile>) -> Option<u64> {
        self.prune();
        let g = self.sh.inner.lock();
        g.items
            .iter()
            .find(|(_, it)| it.fd == fd && core::ptr::eq(it.file.as_ptr(), Arc::as_ptr(f)))
            .map(|(id, _)| *id)
    }

    /// Registers the item with the file and queues it if ready now.
    fn arm(&self, id: u64, f: &Arc<OpenFile>) {
        let (obs, events) = {
            let g = self.sh.inner.lock();
            let Some(it) = g.items.get(&id) else { return };
            (it.obs.clone(), it.events)
        };
        let mut poller = Poller::new(obs.clone());
        let rev = f.poll(events & !PRIVATE_BITS, Some(&mut poller)) & events;
        let queued = {
            let mut g = self.sh.inner.lock();
            let Inner { items, ready, .. } = &mut *g;
            let Some(it) = items.get_mut(&id) else { return };
            let old = it.poller.replace(poller);
            let q = rev != 0 && !it.queued;
            if q {
                it.queued = true;
                ready.push_back(id);
            }
            drop(g);
            drop(old);
            q
        };
        if queued {
            self.sh.pollee.notify(EPOLLIN | EPOLLRDNORM);
        }
    }

    fn insert(&self, fd: i32, f: &Arc<OpenFile>, ev: EpollEvent, target: Option<&Epoll>) {
        let id = {
            let mut g = self.sh.inner.lock();
            let id = g.next_id;
            g.next_id += 1;
            let obs = Arc::new(ItemObs {
                ep: Arc::downgrade(&self.sh),
                id,
                exclusive: ev.events & EPOLLEXCLUSIVE != 0,
            });
            g.items.insert(
                id,
                Item {
                    fd,
                    file: Arc::downgrade(f),
                    events: ev.events | EPOLLERR | EPOLLHUP,
                    data: ev.data,
                    queued: false,
                    obs,
                    poller: None,
                },
            );
            id
        };
        if let Some(t) = target {
            t.sh.parents.lock().push((Arc::downgrade(&self.sh), id));
        }
        self.arm(id, f);
    }

    fn remove(&self, id: u64) {
        let it = {
            let mut g = self.sh.inner.lock();
            let it = g.items.remove(&id);
            if it.as_ref().is_some_and(|i| i.queued) {
                g.ready.retain(|x| *x != id);
            }
            it
        };
        if let Some(f) = it.as_ref().and_then(|i| i.file.upgrade()) {
            if let Some(t) = of(&f) {
                let me = Arc::downgrade(&self.sh);
                t.sh.parents
                    .lock()
                    .retain(|(w, i)| !(Weak::ptr_eq(w, &me) && *i == id));
            }
        }
        drop(it);
    }

    fn modify(&self, id: u64, f: &Arc<OpenFile>, ev: EpollEvent) -> KResult<()> {
        let old = {
            let mut g = self.sh.inner.lock();
            let it = g.items.get_mut(&id).ok_or(Errno::ENOENT)?;
            if it.events & EPOLLEXCLUSIVE != 0 {
                return Err(Errno::EINVAL);
            }
            it.events = ev.events | EPOLLERR | EPOLLHUP;
            it.data = ev.data;
            it.poller.take()
        };
        // unregister first, so the new registration has exactly the new mask
        drop(old);
        self.arm(id, f);
        Ok(())
    }

    /// Is an item ready now (re-read from its file)? For items on the ready
    /// list only; those found not ready are dropped from it (Linux's
    /// `__ep_eventpoll_poll`).
    fn any_ready(&self) -> bool {
        let ids: Vec<u64> = self.sh.inner.lock().ready.iter().copied().collect();
        for id in ids {
            let (f, events) = {
                let g = self.sh.inner.lock();
                match g.items.get(&id) {
                    Some(it) => (it.file.upgrade(), it.events),
                    None => continue,
                }
            };
            let rev = f
                .as_ref()
                .map(|f| f.poll(events & !PRIVATE_BITS, None) & events & !PRIVATE_BITS)
                .unwrap_or(0);
            if rev != 0 {
                return true;
            }
            let mut g = self.sh.inner.lock();
            let Inner { items, ready, .. } = &mut *g;
            if let Some(it) = items.get_mut(&id) {
                it.queued = false;
                ready.retain(|x| *x != id);
            }
        }
        false
    }

    /// Harvests up to `max` events from the ready list (see the module
    /// docs). With a `poller`, first registers it with the instance's own
    /// pollee, so an item queued after this call wakes it.
    pub fn wait(&self, max: usize, poller: Option<&mut Poller>) -> Vec<EpollEvent> {
        let mut out = Vec::new();
        self.wait_into(max, poller, &mut |e| {
            out.push(e);
            true
        });
        out
    }

    /// [`Epoll::wait`] handing each event to `emit` (a copy to user
    /// memory): when `emit` fails (EFAULT) the item goes back to the front of
    /// the ready list, as Linux does, and the harvest stops. Returns how many
    /// events were emitted and whether one failed.
    pub fn wait_into(
        &self,
        max: usize,
        poller: Option<&mut Poller>,
        emit: &mut dyn FnMut(EpollEvent) -> bool,
    ) -> (usize, bool) {
        self.sh
            .pollee
            .register_poller(poller, EPOLLIN | EPOLLRDNORM);
        let mut emitted = 0;
        // each item queued now is looked at once (level-triggered items go
        // back to the tail and must not be seen twice in one call)
        let mut budget = self.sh.inner.lock().ready.len();
        while emitted < max && budget > 0 {
            budget -= 1;
            let (id, f, events, data) = {
                let mut g = self.sh.inner.lock();
                let Some(id) = g.ready.pop_front() else { break };
                let Some(it) = g.items.get_mut(&id) else {
                    continue;
                };
                it.queued = false;
                (id, it.file.upgrade(), it.events, it.data)
            };
            let Some(f) = f else { continue };
            let rev = f.poll(events & !PRIVATE_BITS, None) & events & !PRIVATE_BITS;
            drop(f);
            if rev == 0 {
                continue;
            }
            if !emit(EpollEvent { events: rev, data }) {
                let mut g = self.sh.inner.lock();
                let Inner { items, ready, .. } = &mut *g;
                if let Some(it) = items.get_mut(&id) {
                    if !it.queued {
                        it.queued = true;
                        ready.push_front(id);
                    }
                }
                return (emitted, true);
            }
            emitted += 1;
            let mut g = self.sh.inner.lock();
            let Inner { items, ready, .. } = &mut *g;
            let Some(it) = items.get_mut(&id) else {
                continue;
            };
            if events & EPOLLONESHOT != 0 {
                it.events &= PRIVATE_BITS;
            } else if events & EPOLLET == 0 && !it.queued {
                it.queued = true;
                ready.push_back(id);
            }
        }
        if emitted == 0 {
            self.prune();
        }
        (emitted, false)
    }

    /// Number of registrations (live files only).
    pub fn len(&self) -> usize {
        self.prune();
        self.sh.inner.lock().items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl FileLike for Epoll {
    fn read(&self, _offset: &mut u64, _buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        Err(Errno::EINVAL)
    }

    fn write(&self, _offset: &mut u64, _buf: &[u8], _nonblock: bool) -> KResult<usize> {
        Err(Errno::EINVAL)
    }

    /// POLLIN when an item on the ready list is really ready.
    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.sh.pollee.register_poller(poller, mask);
        if self.any_ready() {
            EPOLLIN | EPOLLRDNORM
        } else {
            0
        }
    }

    fn kind(&self) -> FileKind {
        FileKind::Regular
    }

    /// Linux's noop_llseek: the position stays (0).
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
    use crate::eventfd::EventFd;
    use crate::file::flags::{O_RDONLY, O_RDWR, O_WRONLY};
    use crate::wait::test_waker;

    fn epfile() -> Arc<OpenFile> {
        let e: Arc<dyn FileLike> = Epoll::new();
        OpenFile::new(None, Some(e), b"anon_inode:[eventpoll]".to_vec(), O_RDWR)
    }
    fn pipe() -> (Arc<OpenFile>, Arc<OpenFile>) {
        let (r, w) = crate::pipe::new_pipe();
        (
            OpenFile::new(None, Some(r), Vec::new(), O_RDONLY),
            OpenFile::new(None, Some(w), Vec::new(), O_WRONLY),
        )
    }
    fn ev(events: u32, data: u64) -> Option<EpollEvent> {
        Some(EpollEvent { events, data })
    }
    fn wait(e: &Arc<OpenFile>, max: usize) -> Vec<(u32, u64)> {
        of(e)
            .unwrap()
            .wait(max, None)
            .iter()
            .map(|e| (e.events, e.data))
            .collect()
    }

    #[test]
    fn level_edge_oneshot() {
        let e = epfile();
        let (r, w) = pipe();
        let (r2, w2) = pipe();
        let (r3, w3) = pipe();
        ctl(&e, EPOLL_CTL_ADD, 3, &r, ev(EPOLLIN, 1)).unwrap();
        ctl(&e, EPOLL_CTL_ADD, 4, &r2, ev(EPOLLIN | EPOLLET, 2)).unwrap();
        ctl(&e, EPOLL_CTL_ADD, 5, &r3, ev(EPOLLIN | EPOLLONESHOT, 3)).unwrap();
        assert!(wait(&e, 10).is_empty());
        for f in [&w, &w2, &w3] {
            f.write(b"x").unwrap();
        }
        assert_eq!(wait(&e, 10), [(1, 1), (1, 2), (1, 3)]);
        assert_eq!(wait(&e, 10), [(1, 1)], "only LT again");
        w2.write(b"y").unwrap();
        w3.write(b"y").unwrap();
        assert_eq!(wait(&e, 10), [(1, 1), (1, 2)], "new edge; oneshot disabled");
        ctl(&e, EPOLL_CTL_MOD, 5, &r3, ev(EPOLLIN | EPOLLONESHOT, 9)).unwrap();
        assert_eq!(wait(&e, 10), [(1, 1), (1, 9)], "MOD re-arms");
        // maxevents and round robin
        assert_eq!(wait(&e, 1), [(1, 1)]);
        ctl(&e, EPOLL_CTL_MOD, 4, &r2, ev(EPOLLIN, 2)).unwrap();
        assert_eq!(wait(&e, 1), [(1, 1)], "MOD queued item 2 behind item 1");
        assert_eq!(wait(&e, 1), [(1, 2)]);
        assert_eq!(wait(&e, 1), [(1, 1)]);
        // errors
        assert_eq!(
            ctl(&e, EPOLL_CTL_ADD, 3, &r, ev(EPOLLIN, 1)),
            Err(Errno::EEXIST)
        );
        assert_eq!(ctl(&e, EPOLL_CTL_DEL, 9, &r, None), Err(Errno::ENOENT));
        assert_eq!(
            ctl(&e, EPOLL_CTL_MOD, 9, &r, ev(EPOLLIN, 1)),
            Err(Errno::ENOENT)
        );
        assert_eq!(
            ctl(&e, EPOLL_CTL_ADD, 1, &e, ev(EPOLLIN, 1)),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            ctl(&r, EPOLL_CTL_ADD, 1, &w, ev(EPOLLIN, 1)),
            Err(Errno::EINVAL)
        );
        assert_eq!(ctl(&e, 77, 3, &r, ev(EPOLLIN, 1)), Err(Errno::EINVAL));
        ctl(&e, EPOLL_CTL_DEL, 3, &r, None).unwrap();
        ctl(&e, EPOLL_CTL_DEL, 4, &r2, None).unwrap();
        assert_eq!(wait(&e, 10), [(1, 9)].repeat(0));
    }

    #[test]
    fn failed_copy_requeues() {
        let e = epfile();
        let (r, w) = pipe();
        ctl(&e, EPOLL_CTL_ADD, 3, &r, ev(EPOLLIN | EPOLLET, 1)).unwrap();
        w.write(b"x").unwrap();
        let ep = of(&e).unwrap();
        assert_eq!(ep.wait_into(4, None, &mut |_| false), (0, true));
        assert_eq!(wait(&e, 4), [(1, 1)], "the edge was not lost");
        assert!(wait(&e, 4).is_empty());
    }

    #[test]
    fn hup_and_out() {
        let e = epfile();
        let (r, w) = pipe();
        ctl(&e, EPOLL_CTL_ADD, 4, &w, ev(EPOLLOUT, 7)).unwrap();
        assert_eq!(wait(&e, 4), [(EPOLLOUT, 7)]);
        ctl(&e, EPOLL_CTL_ADD, 3, &r, ev(EPOLLIN, 8)).unwrap();
        drop(w);
        // the writer is gone: its item goes, the reader sees HUP
        assert_eq!(wait(&e, 4), [(EPOLLHUP, 8)]);
        assert_eq!(of(&e).unwrap().len(), 1);
    }

    #[test]
    fn registration_is_per_fd_and_file() {
        let e = epfile();
        let (r, w) = pipe();
        let dup = r.clone(); // a dup: the same open file
        ctl(&e, EPOLL_CTL_ADD, 3, &r, ev(EPOLLIN, 1)).unwrap();
        ctl(&e, EPOLL_CTL_ADD, 5, &dup, ev(EPOLLIN, 2)).unwrap();
        drop(r); // close(3): the file lives on through fd 5
        w.write(b"x").unwrap();
        assert_eq!(wait(&e, 4), [(1, 2), (1, 1)], "newest registration first");
        drop(dup);
        assert!(wait(&e, 4).is_empty());
        assert!(of(&e).unwrap().is_empty());
    }

    #[test]
    fn sleeper_is_woken_and_nesting() {
        let e = epfile();
        let outer = epfile();
        let efd = OpenFile::new(None, Some(EventFd::new(0, false)), Vec::new(), O_RDWR);
        ctl(&e, EPOLL_CTL_ADD, 3, &efd, ev(EPOLLIN, 1)).unwrap();
        ctl(&outer, EPOLL_CTL_ADD, 4, &e, ev(EPOLLIN, 2)).unwrap();
        let (c, wk) = test_waker::new();
        let mut p = Poller::from_waker(wk);
        assert!(of(&outer).unwrap().wait(8, Some(&mut p)).is_empty());
        assert_eq!(test_waker::count(&c), 0);
        efd.write(&1u64.to_le_bytes()).unwrap();
        assert!(test_waker::count(&c) > 0, "woken through the inner epoll");
        assert_eq!(wait(&outer, 8), [(EPOLLIN, 2)]);
        assert_eq!(e.poll(EPOLLIN, None), EPOLLIN | EPOLLRDNORM);
        // cycles and depth
        assert_eq!(
            ctl(&e, EPOLL_CTL_ADD, 5, &outer, ev(EPOLLIN, 0)),
            Err(Errno::ELOOP)
        );
        let chain: Vec<_> = (0..6).map(|_| epfile()).collect();
        let mut res = Vec::new();
        for i in 0..5 {
            res.push(ctl(&chain[i + 1], EPOLL_CTL_ADD, 9, &chain[i], ev(EPOLLIN, 0)).is_ok());
        }
        assert_eq!(res, [true, true, true, true, false]);
        let top: Vec<_> = (0..6).map(|_| epfile()).collect();
        let mut res = Vec::new();
        for i in 0..5 {
            res.push(ctl(&top[i], EPOLL_CTL_ADD, 9, &top[i + 1], ev(EPOLLIN, 0)).is_ok());
        }
        assert_eq!(res, [true, true, true, true, false]);
    }

    #[test]
    fn exclusive_wakes_one() {
        let efd = OpenFile::new(None, Some(EventFd::new(0, false)), Vec::new(), O_RDWR);
        let eps: Vec<_> = (0..3).map(|_| epfile()).collect();
        let mut sleepers = Vec::new();
        for e in &eps {
            ctl(e, EPOLL_CTL_ADD, 3, &efd, ev(EPOLLIN | EPOLLEXCLUSIVE, 1)).unwrap();
            let (c, wk) = test_waker::new();
            let mut p = Poller::from_waker(wk);
            assert!(of(e).unwrap().wait(8, Some(&mut p)).is_empty());
            sleepers.push((c, p));
        }
        efd.write(&1u64.to_le_bytes()).unwrap();
        let woken: Vec<usize> = sleepers.iter().map(|(c, _)| test_waker::count(c)).collect();
        assert_eq!(woken, [1, 0, 0]);
        assert_eq!(
            ctl(&eps[0], EPOLL_CTL_MOD, 3, &efd, ev(EPOLLIN, 1)),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            ctl(
                &eps[0],
                EPOLL_CTL_ADD,
                4,
                &efd,
                ev(EPOLLIN | EPOLLPRI | EPOLLEXCLUSIVE, 1)
            ),
            Err(Errno::EINVAL)
        );
    }
}
