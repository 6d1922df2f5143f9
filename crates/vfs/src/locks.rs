//! Advisory file locks with Linux's semantics (fs/locks.c): POSIX record
//! locks and open-file-description (OFD) locks (`fcntl` F_GETLK/F_SETLK/
//! F_SETLKW, F_OFD_*), `flock(2)` locks and leases (F_SETLEASE/F_GETLEASE).
//!
//! The tables are plain data: the kernel keeps one of each under a lock,
//! supplies the owners (a process for POSIX locks, an open file description
//! for OFD locks, flock locks and leases), tells which owners are still alive
//! and does the sleeping. Files are identified by their inode key
//! `(fs_id, ino)`.

use alloc::vec::Vec;

/// `l_type` values (x86_64).
pub const F_RDLCK: i16 = 0;
pub const F_WRLCK: i16 = 1;
pub const F_UNLCK: i16 = 2;

/// Linux's MAX_DEADLK_ITERATIONS: the longest wait-for chain followed.
const MAX_DEADLK_ITERATIONS: usize = 10;

/// Linux's default `/proc/sys/fs/lease-break-time`: 45 s.
pub const LEASE_BREAK_NS: u64 = 45_000_000_000;

/// Who holds a lock.
pub trait LockOwner: Clone {
    fn same(&self, other: &Self) -> bool;
    /// OFD locks (and flock locks, leases) belong to an open file description:
    /// F_GETLK reports their pid as -1 and they take no part in deadlock
    /// detection.
    fn is_ofd(&self) -> bool;
    /// The pid F_GETLK reports for a POSIX lock.
    fn pid(&self) -> i32;
}

pub type Key = (u64, u64);

/// One POSIX or OFD record lock: bytes `start..=end` (`end == u64::MAX`
/// reaches past the end of the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordLock<O> {
    pub key: Key,
    pub owner: O,
    pub start: u64,
    pub end: u64,
    pub write: bool,
}

impl<O: LockOwner> RecordLock<O> {
    fn overlaps(&self, start: u64, end: u64) -> bool {
        self.start <= end && start <= self.end
    }

    /// The lock as F_GETLK reports it: (l_type, l_start, l_len, l_pid).
    pub fn report(&self) -> (i16, i64, i64, i32) {
        let len = if self.end == u64::MAX {
            0
        } else {
            (self.end - self.start + 1) as i64
        };
        let pid = if self.owner.is_ofd() {
            -1
        } else {
            self.owner.pid()
        };
        let ty = if self.write { F_WRLCK } else { F_RDLCK };
        (ty, self.start as i64, len, pid)
    }
}

/// What a record-lock request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockKind {
    Read,
    Write,
    Unlock,
}

impl LockKind {
    pub fn from_type(t: i16) -> Option<LockKind> {
        match t {
            F_RDLCK => Some(LockKind::Read),
            F_WRLCK => Some(LockKind::Write),
            F_UNLCK => Some(LockKind::Unlock),
            _ => None,
        }
    }
}

/// The byte range of a `struct flock` as Linux's `flock_to_posix_lock`
/// computes it: `base` is 0, the file offset or the file size for
/// l_whence SEEK_SET/CUR/END. Returns (start, end inclusive) or the errno
/// (EINVAL, EOVERFLOW).
pub fn flock_range(base: i64, l_start: i64, l_len: i64) -> Result<(u64, u64), rill_abi::Errno> {
    use rill_abi::Errno;
    if l_start > i64::MAX - base {
        return Err(Errno::EOVERFLOW);
    }
    let mut start = base + l_start;
    if start < 0 {
        return Err(Errno::EINVAL);
    }
    let end;
    if l_len > 0 {
        if l_len - 1 > i64::MAX - start {
            return Err(Errno::EOVERFLOW);
        }
        end = (start + (l_len - 1)) as u64;
    } else if l_len < 0 {
        if start + l_len < 0 {
            return Err(Errno::EINVAL);
        }
        end = (start - 1) as u64;
        start += l_len;
    } else {
        end = u64::MAX;
    }
    Ok((start as u64, end))
}

/// POSIX and OFD record locks of all files, in Linux's list order per file
/// (grouped by owner, each owner's locks sorted by start): F_GETLK reports
/// the first conflicting lock in that order, as Linux does.
pub struct LockTable<O> {
    locks: Vec<RecordLock<O>>,
    /// Blocked F_SETLKW requests: the waiter and the lock it waits for.
    waiting: Vec<(O, RecordLock<O>)>,
}

impl<O: LockOwner> Default for LockTable<O> {
    fn default() -> Self {
        Self::new()
    }
}

impl<O: LockOwner> LockTable<O> {
    pub const fn new() -> Self {
        LockTable {
            locks: Vec::new(),
            waiting: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.locks.is_empty()
    }

    /// Drops the locks (and waits) of owners that are gone; true if any went.
    pub fn retain_owners(&mut self, alive: impl Fn(&O) -> bool) -> bool {
        let n = self.locks.len();
        self.locks.retain(|l| alive(&l.owner));
        self.waiting.retain(|(w, _)| alive(w));
        self.locks.len() != n
    }

    /// The locks on `key`, in order.
    pub fn locks_of(&self, key: Key) -> impl Iterator<Item = &RecordLock<O>> {
        self.locks.iter().filter(move |l| l.key == key)
    }

    /// F_GETLK: the first lock of another owner that conflicts with a lock
    /// of this kind (read or write) on start..=end.
    pub fn test(
        &self,
        key: Key,
        me: &O,
        start: u64,
        end: u64,
        write: bool,
    ) -> Option<RecordLock<O>> {
        self.locks
            .iter()
            .find(|l| {
                l.key == key && !l.owner.same(me) && l.overlaps(start, end) && (write || l.write)
            })
            .cloned()
    }

    /// F_SETLK: sets or removes `me`'s lock on start..=end. Where it
    /// conflicts, nothing changes and the first conflicting lock is returned.
    /// The owner's locks are split where a part of them changes type or is
    /// unlocked, and merged with overlapping or adjacent locks of the same
    /// type, as Linux's posix_lock_inode does.
    pub fn set(
        &mut self,
        key: Key,
        me: &O,
        start: u64,
        end: u64,
        kind: LockKind,
    ) -> Result<(), RecordLock<O>> {
        if kind != LockKind::Unlock {
            if let Some(c) = self.test(key, me, start, end, kind == LockKind::Write) {
                return Err(c);
            }
        }
        let pos = self
            .locks
            .iter()
            .position(|l| l.key == key && l.owner.same(me));
        let mut mine = Vec::new();
        let mut rest = Vec::with_capacity(self.locks.len());
        for l in self.locks.drain(..) {
            if l.key == key && l.owner.same(me) {
                mine.push(l);
            } else {
                rest.push(l);
            }
        }
        let (mut s, mut e) = (start, end);
        let write = kind == LockKind::Write;
        if kind != LockKind::Unlock {
            // Same-type locks that overlap or touch the request merge into it.
            let touches = |l: &RecordLock<O>, s: u64, e: u64| {
                l.start <= e.saturating_add(1) && s <= l.end.saturating_add(1)
            };
            loop {
                let before = (s, e);
                for l in mine.iter().filter(|l| l.write == write) {
                    if touches(l, s, e) {
                        s = s.min(l.start);
                        e = e.max(l.end);
                    }
                }
                if (s, e) == before {
                    break;
                }
            }
        }
        let mut out = Vec::with_capacity(mine.len() + 2);
        for l in mine {
            if !l.overlaps(s, e) {
                out.push(l);
                continue;
            }
            if l.start < s {
                out.push(RecordLock {
                    end: s - 1,
                    ..l.clone()
                });
            }
            if l.end > e {
                out.push(RecordLock {
                    start: e + 1,
                    ..l.clone()
                });
            }
        }
        if kind != LockKind::Unlock {
            out.push(RecordLock {
                key,
                owner: me.clone(),
                start: s,
                end: e,
                write,
            });
        }
        out.sort_by_key(|l| l.start);
        // Back into the owner's place in the list (new owners go last).
        let at = match pos {
            Some(p) => p.min(rest.len()),
            None => rest.len(),
        };
        let tail = rest.split_off(at);
        rest.extend(out);
        rest.extend(tail);
        self.locks = rest;
        Ok(())
    }

    /// Whether `me` blocking on `blocker` closes a cycle of waiting POSIX
    /// lock owners (Linux's posix_locks_deadlock; OFD locks never deadlock).
    pub fn would_deadlock(&self, me: &O, blocker: &RecordLock<O>) -> bool {
        if me.is_ofd() {
            return false;
        }
        let mut b = blocker.owner.clone();
        for _ in 0..=MAX_DEADLK_ITERATIONS {
            if b.same(me) {
                return true;
            }
            match self.waiting.iter().find(|(w, _)| w.same(&b)) {
                Some((_, l)) => b = l.owner.clone(),
                None => return false,
            }
        }
        false
    }

    /// Records that `me` sleeps waiting for `blocker` (replacing an older wait).
    pub fn add_waiter(&mut self, me: &O, blocker: RecordLock<O>) {
        self.remove_waiter(me);
        self.waiting.push((me.clone(), blocker));
    }

    pub fn remove_waiter(&mut self, me: &O) {
        self.waiting.retain(|(w, _)| !w.same(me));
    }

    /// Removes every lock `me` holds on `key` (close of a descriptor for a
    /// POSIX owner, the last close of the description for an OFD owner).
    /// True if one was removed.
    pub fn release(&mut self, key: Key, me: &O) -> bool {
        let n = self.locks.len();
        self.locks.retain(|l| !(l.key == key && l.owner.same(me)));
        n != self.locks.len()
    }
}

/// `flock(2)` operations.
pub const LOCK_SH: u32 = 1;
pub const LOCK_EX: u32 = 2;
pub const LOCK_NB: u32 = 4;
pub const LOCK_UN: u32 = 8;
pub const LOCK_MAND: u32 = 32;

/// flock(2) locks: whole-file, owned by an open file description.
pub struct FlockTable<O> {
    locks: Vec<(Key, O, bool)>,
}

impl<O: LockOwner> Default for FlockTable<O> {
    fn default() -> Self {
        Self::new()
    }
}

/// The outcome of a flock request that could not be granted at once.
#[derive(Debug, PartialEq, Eq)]
pub struct WouldBlock;

impl<O: LockOwner> FlockTable<O> {
    pub const fn new() -> Self {
        FlockTable { locks: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.locks.is_empty()
    }

    pub fn retain_owners(&mut self, alive: impl Fn(&O) -> bool) -> bool {
        let n = self.locks.len();
        self.locks.retain(|(_, o, _)| alive(o));
        n != self.locks.len()
    }

    /// The lock `me` holds on `key`: Some(true) exclusive, Some(false) shared.
    pub fn held(&self, key: Key, me: &O) -> Option<bool> {
        self.locks
            .iter()
            .find(|(k, o, _)| *k == key && o.same(me))
            .map(|l| l.2)
    }

    /// LOCK_SH (`write` false), LOCK_EX (`write` true) or, with `kind`
    /// Unlock, LOCK_UN. As in Linux's flock_lock_inode, converting a lock
    /// first drops the old one, so a conversion that would block leaves the
    /// file unlocked by `me`.
    pub fn lock(&mut self, key: Key, me: &O, kind: LockKind) -> Result<(), WouldBlock> {
        let write = kind == LockKind::Write;
        if let Some(i) = self
            .locks
            .iter()
            .position(|(k, o, _)| *k == key && o.same(me))
        {
            if kind != LockKind::Unlock && self.locks[i].2 == write {
                return Ok(());
            }
            self.locks.remove(i);
        }
        if kind == LockKind::Unlock {
            return Ok(());
        }
        if self
            .locks
            .iter()
            .any(|(k, o, w)| *k == key && !o.same(me) && (write || *w))
        {
            return Err(WouldBlock);
        }
        self.locks.push((key, me.clone(), write));
        Ok(())
    }
}

/// A lease (F_SETLEASE) on a regular file, owned by an open file description.
#[derive(Clone, Debug)]
pub struct Lease<O> {
    pub key: Key,
    pub owner: O,
    pub write: bool,
    /// A break is under way: the type the holder must go to (F_UNLCK or
    /// F_RDLCK) and when it is forced (monotonic ns).
    pub pending: Option<(i16, u64)>,
}

/// How a file is opened now, for the lease rules (Linux's i_readcount and
/// i_writecount): descriptions open read-only and open for writing.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenCounts {
    pub read_only: usize,
    pub writers: usize,
}

pub struct LeaseTable<O> {
    leases: Vec<Lease<O>>,
}

impl<O: LockOwner> Default for LeaseTable<O> {
    fn default() -> Self {
        Self::new()
    }
}

/// What a conflicting open must do after [`LeaseTable::break_for_open`].
#[derive(Debug, PartialEq, Eq)]
pub struct Breaking<O> {
    /// Holders to notify now (SIGIO): those whose break just started.
    pub notify: Vec<O>,
    /// The earliest time a pending break is forced.
    pub deadline: u64,
}

impl<O: LockOwner> LeaseTable<O> {
    pub const fn new() -> Self {
        LeaseTable { leases: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.leases.is_empty()
    }

    pub fn retain_owners(&mut self, alive: impl Fn(&O) -> bool) -> bool {
        let n = self.leases.len();
        self.leases.retain(|l| alive(&l.owner));
        n != self.leases.len()
    }

    /// Linux's time_out_leases: breaks whose time is up are forced.
    /// True if a lease changed.
    pub fn time_out(&mut self, now: u64) -> bool {
        let mut changed = false;
        self.leases.retain_mut(|l| match l.pending {
            Some((F_UNLCK, t)) if now >= t => {
                changed = true;
                false
            }
            Some((_, t)) if now >= t => {
                l.write = false;
                l.pending = None;
                changed = true;
                true
            }
            _ => true,
        });
        changed
    }

    /// F_SETLEASE by `me` on a file with these opens (`me` counted among
    /// them: `self_write` tells how `me` is open). Errors as Linux's
    /// generic_setlease on a local file system: EAGAIN for a conflicting
    /// open or lease (and for F_UNLCK without a lease), EINVAL for another
    /// type. The caller checks the file is regular and owned.
    pub fn set(
        &mut self,
        key: Key,
        me: &O,
        arg: i16,
        opens: OpenCounts,
        self_write: bool,
        now: u64,
    ) -> Result<(), rill_abi::Errno> {
        use rill_abi::Errno;
        self.time_out(now);
        let mine = self
            .leases
            .iter()
            .position(|l| l.key == key && l.owner.same(me));
        match arg {
            F_UNLCK => {
                let i = mine.ok_or(Errno::EAGAIN)?;
                self.leases.remove(i);
                return Ok(());
            }
            F_RDLCK => {
                if opens.writers > 0 {
                    return Err(Errno::EAGAIN);
                }
            }
            F_WRLCK => {
                let (sw, sr) = if self_write { (1, 0) } else { (0, 1) };
                if opens.writers != sw || opens.read_only != sr {
                    return Err(Errno::EAGAIN);
                }
            }
            _ => return Err(Errno::EINVAL),
        }
        for l in self.leases.iter() {
            if l.key != key || l.owner.same(me) {
                continue;
            }
            if arg == F_WRLCK {
                return Err(Errno::EAGAIN);
            }
            if matches!(l.pending, Some((F_UNLCK, _))) {
                return Err(Errno::EAGAIN);
            }
        }
        let write = arg == F_WRLCK;
        match mine {
            Some(i) => {
                let l = &mut self.leases[i];
                l.write = write;
                // lease_clear_pending: F_RDLCK ends a downgrade, not an unlock
                if matches!(l.pending, Some((F_RDLCK, _))) {
                    l.pending = None;
                }
            }
            None => self.leases.push(Lease {
                key,
                owner: me.clone(),
                write,
                pending: None,
            }),
        }
        Ok(())
    }

    /// F_GETLEASE: the type `me`'s lease has or is being broken to.
    pub fn get(&mut self, key: Key, me: &O, now: u64) -> i16 {
        self.time_out(now);
        match self
            .leases
            .iter()
            .find(|l| l.key == key && l.owner.same(me))
        {
            Some(l) => match l.pending {
                Some((t, _)) => t,
                None if l.write => F_WRLCK,
                None => F_RDLCK,
            },
            None => F_UNLCK,
        }
    }

    fn conflicts(&self, key: Key, want_write: bool) -> bool {
        self.leases
            .iter()
            .any(|l| l.key == key && (want_write || l.write))
    }

    /// An open of `key` (for writing or not) meets the leases (Linux's
    /// __break_lease): None if no lease conflicts (the open goes on);
    /// otherwise breaks start on the conflicting leases and the opener must
    /// fail with EWOULDBLOCK (O_NONBLOCK) or wait until
    /// [`LeaseTable::open_blocked`] is false.
    pub fn break_for_open(&mut self, key: Key, want_write: bool, now: u64) -> Option<Breaking<O>> {
        self.time_out(now);
        if !self.conflicts(key, want_write) {
            return None;
        }
        let when = now.saturating_add(LEASE_BREAK_NS);
        let mut notify = Vec::new();
        for l in self.leases.iter_mut() {
            if l.key != key || !(want_write || l.write) {
                continue;
            }
            if want_write {
                if matches!(l.pending, Some((F_UNLCK, _))) {
                    continue;
                }
                l.pending = Some((F_UNLCK, when));
            } else {
                if l.pending.is_some() {
                    continue;
                }
                l.pending = Some((F_RDLCK, when));
            }
            notify.push(l.owner.clone());
        }
        let deadline = self
            .leases
            .iter()
            .filter(|l| l.key == key)
            .filter_map(|l| l.pending.map(|p| p.1))
            .min()
            .unwrap_or(when);
        Some(Breaking { notify, deadline })
    }

    /// Whether an open of `key` must still wait.
    pub fn open_blocked(&mut self, key: Key, want_write: bool, now: u64) -> bool {
        self.time_out(now);
        self.conflicts(key, want_write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rill_abi::Errno;

    /// Test owners: POSIX (a pid) or OFD (a description id).
    #[derive(Clone, Debug, PartialEq, Eq)]
    enum O {
        P(i32),
        D(u32),
    }
    impl LockOwner for O {
        fn same(&self, o: &O) -> bool {
            self == o
        }
        fn is_ofd(&self) -> bool {
            matches!(self, O::D(_))
        }
        fn pid(&self) -> i32 {
            match self {
                O::P(p) => *p,
                O::D(_) => 0,
            }
        }
    }
    const K: Key = (1, 2);
    const MAX: u64 = u64::MAX;

    fn mine(t: &LockTable<O>, o: &O) -> Vec<(u64, u64, bool)> {
        t.locks_of(K)
            .filter(|l| l.owner.same(o))
            .map(|l| (l.start, l.end, l.write))
            .collect()
    }

    #[test]
    fn getlk_reports_the_holders_lock() {
        let mut t = LockTable::new();
        let (a, b) = (O::P(10), O::P(20));
        t.set(K, &a, 0, 9, LockKind::Write).unwrap();
        t.set(K, &a, 20, MAX, LockKind::Read).unwrap();
        // a read query meets the holder's write lock: F_WRLCK is reported
        let c = t.test(K, &b, 5, 5, false).unwrap();
        assert_eq!(c.report(), (F_WRLCK, 0, 10, 10));
        // a write query meets the holder's read lock: F_RDLCK, len 0 (to EOF)
        let c = t.test(K, &b, 30, 40, true).unwrap();
        assert_eq!(c.report(), (F_RDLCK, 20, 0, 10));
        // a read query does not conflict with a read lock
        assert!(t.test(K, &b, 30, 40, false).is_none());
        // one's own locks never conflict
        assert!(t.test(K, &a, 0, MAX, true).is_none());
        // OFD holders are reported with pid -1
        let d = O::D(1);
        t.set(K, &d, 12, 12, LockKind::Write).unwrap();
        assert_eq!(
            t.test(K, &b, 10, 15, false).unwrap().report(),
            (F_WRLCK, 12, 1, -1)
        );
        // an OFD lock conflicts with its own process's POSIX locks
        assert_eq!(
            t.set(K, &d, 0, 0, LockKind::Read).unwrap_err().report(),
            (F_WRLCK, 0, 10, 10)
        );
        // other files are separate
        assert!(t.test((1, 3), &b, 0, MAX, true).is_none());
    }

    #[test]
    fn split_and_merge() {
        let mut t = LockTable::new();
        let a = O::P(1);
        t.set(K, &a, 0, 99, LockKind::Write).unwrap();
        // unlocking the middle splits
        t.set(K, &a, 40, 59, LockKind::Unlock).unwrap();
        assert_eq!(mine(&t, &a), [(0, 39, true), (60, 99, true)]);
        // a read lock in the middle of a write lock splits it in three
        t.set(K, &a, 10, 19, LockKind::Read).unwrap();
        assert_eq!(
            mine(&t, &a),
            [
                (0, 9, true),
                (10, 19, false),
                (20, 39, true),
                (60, 99, true)
            ]
        );
        // a write lock filling the gap merges with both neighbours (adjacent)
        // but not with the read lock
        t.set(K, &a, 40, 59, LockKind::Write).unwrap();
        assert_eq!(
            mine(&t, &a),
            [(0, 9, true), (10, 19, false), (20, 99, true)]
        );
        // the same type over everything merges all
        t.set(K, &a, 0, 99, LockKind::Write).unwrap();
        assert_eq!(mine(&t, &a), [(0, 99, true)]);
        // adjacent read locks merge, to EOF too
        t.set(K, &a, 100, MAX, LockKind::Read).unwrap();
        t.set(K, &a, 0, 99, LockKind::Read).unwrap();
        assert_eq!(mine(&t, &a), [(0, MAX, false)]);
        // unlock from 50 to EOF
        t.set(K, &a, 50, MAX, LockKind::Unlock).unwrap();
        assert_eq!(mine(&t, &a), [(0, 49, false)]);
        // unlocking nothing is fine
        t.set(K, &a, 1000, 2000, LockKind::Unlock).unwrap();
        assert!(t.release(K, &a));
        assert!(t.is_empty());
    }

    #[test]
    fn conflicts_leave_the_table_alone_and_report_in_list_order() {
        let mut t = LockTable::new();
        let (a, b, c) = (O::P(1), O::P(2), O::P(3));
        t.set(K, &b, 50, 59, LockKind::Read).unwrap();
        t.set(K, &a, 0, 9, LockKind::Write).unwrap();
        t.set(K, &b, 5, 5, LockKind::Read).unwrap_err();
        // b's lock came first in the list: reported first
        assert_eq!(
            t.test(K, &c, 0, MAX, true).unwrap().report(),
            (F_RDLCK, 50, 10, 2)
        );
        assert_eq!(mine(&t, &b), [(50, 59, false)]);
        // upgrading a read lock that others share fails
        t.set(K, &a, 50, 50, LockKind::Read).unwrap();
        assert!(t.set(K, &a, 50, 50, LockKind::Write).is_err());
        assert_eq!(mine(&t, &a), [(0, 9, true), (50, 50, false)]);
        // dead owners go
        assert!(t.retain_owners(|o| *o != b));
        t.set(K, &a, 50, 50, LockKind::Write).unwrap();
    }

    #[test]
    fn deadlock_detection() {
        let mut t = LockTable::new();
        let (a, b, c) = (O::P(1), O::P(2), O::P(3));
        t.set(K, &a, 0, 0, LockKind::Write).unwrap();
        t.set(K, &b, 1, 1, LockKind::Write).unwrap();
        t.set(K, &c, 2, 2, LockKind::Write).unwrap();
        // a waits for b's byte 1
        let l = t.set(K, &a, 1, 1, LockKind::Write).unwrap_err();
        assert!(!t.would_deadlock(&a, &l));
        t.add_waiter(&a, l);
        // b waits for c: no cycle
        let l = t.set(K, &b, 2, 2, LockKind::Write).unwrap_err();
        assert!(!t.would_deadlock(&b, &l));
        t.add_waiter(&b, l);
        // c asking for a's byte 0 closes a -> b -> c -> a
        let l = t.set(K, &c, 0, 0, LockKind::Write).unwrap_err();
        assert!(t.would_deadlock(&c, &l));
        // once a stops waiting there is no cycle
        t.remove_waiter(&a);
        assert!(!t.would_deadlock(&c, &l));
        // OFD owners never deadlock
        let d = O::D(9);
        assert!(!t.would_deadlock(&d, &l));
    }

    #[test]
    fn flock_rules() {
        let mut t = FlockTable::new();
        let (x, y) = (O::D(1), O::D(2));
        t.lock(K, &x, LockKind::Read).unwrap();
        t.lock(K, &y, LockKind::Read).unwrap();
        assert_eq!(t.lock(K, &y, LockKind::Write), Err(WouldBlock));
        // the failed conversion dropped y's shared lock, as on Linux
        assert_eq!(t.held(K, &y), None);
        t.lock(K, &x, LockKind::Write).unwrap();
        assert_eq!(t.held(K, &x), Some(true));
        assert_eq!(t.lock(K, &y, LockKind::Read), Err(WouldBlock));
        t.lock(K, &x, LockKind::Unlock).unwrap();
        t.lock(K, &y, LockKind::Read).unwrap();
        assert!(t.retain_owners(|o| *o != y));
        assert!(t.is_empty());
    }

    #[test]
    fn flock_ranges() {
        assert_eq!(flock_range(0, 10, 5), Ok((10, 14)));
        assert_eq!(flock_range(0, 10, 0), Ok((10, MAX)));
        assert_eq!(flock_range(0, 10, -5), Ok((5, 9)));
        assert_eq!(flock_range(100, -10, 5), Ok((90, 94)));
        assert_eq!(flock_range(0, -1, 1), Err(Errno::EINVAL));
        assert_eq!(flock_range(0, 3, -4), Err(Errno::EINVAL));
        assert_eq!(flock_range(10, i64::MAX, 1), Err(Errno::EOVERFLOW));
        assert_eq!(flock_range(0, i64::MAX, 2), Err(Errno::EOVERFLOW));
        assert_eq!(
            flock_range(0, i64::MAX, 1),
            Ok((i64::MAX as u64, i64::MAX as u64))
        );
    }

    #[test]
    fn leases() {
        let mut t = LeaseTable::new();
        let (x, y) = (O::D(1), O::D(2));
        let ro = |n| OpenCounts {
            read_only: n,
            writers: 0,
        };
        // F_UNLCK without a lease: EAGAIN; bad type: EINVAL
        assert_eq!(t.set(K, &x, F_UNLCK, ro(1), false, 0), Err(Errno::EAGAIN));
        assert_eq!(t.set(K, &x, 7, ro(1), false, 0), Err(Errno::EINVAL));
        // a read lease needs no writers
        let w1 = OpenCounts {
            read_only: 1,
            writers: 1,
        };
        assert_eq!(t.set(K, &x, F_RDLCK, w1, false, 0), Err(Errno::EAGAIN));
        // a write lease needs the holder to be the only open
        assert_eq!(t.set(K, &x, F_WRLCK, ro(2), false, 0), Err(Errno::EAGAIN));
        t.set(K, &x, F_WRLCK, ro(1), false, 0).unwrap();
        assert_eq!(t.get(K, &x, 0), F_WRLCK);
        assert_eq!(t.get(K, &y, 0), F_UNLCK);
        // a read open breaks a write lease to a read lease
        let b = t.break_for_open(K, false, 100).unwrap();
        assert_eq!(b.notify, core::slice::from_ref(&x));
        assert_eq!(b.deadline, 100 + LEASE_BREAK_NS);
        assert_eq!(t.get(K, &x, 100), F_RDLCK);
        // a second break does not notify again
        assert_eq!(t.break_for_open(K, false, 200).unwrap().notify, []);
        assert!(t.open_blocked(K, false, 300));
        // the holder downgrades: the reader goes on
        t.set(K, &x, F_RDLCK, ro(1), false, 300).unwrap();
        assert!(!t.open_blocked(K, false, 300));
        assert_eq!(t.get(K, &x, 300), F_RDLCK);
        // read opens do not break read leases; others may share them
        assert!(t.break_for_open(K, false, 400).is_none());
        t.set(K, &y, F_RDLCK, ro(2), false, 400).unwrap();
        // ... but not take a write lease beside them
        assert_eq!(t.set(K, &y, F_WRLCK, ro(1), false, 400), Err(Errno::EAGAIN));
        // a write open breaks both to F_UNLCK
        let b = t.break_for_open(K, true, 500).unwrap();
        assert_eq!(b.notify.len(), 2);
        assert_eq!(t.get(K, &x, 500), F_UNLCK);
        // no new lease while an unlock is pending
        assert_eq!(
            t.set(K, &O::D(3), F_RDLCK, ro(3), false, 500),
            Err(Errno::EAGAIN)
        );
        t.set(K, &x, F_UNLCK, ro(2), false, 600).unwrap();
        assert!(t.open_blocked(K, true, 600));
        // y never answers: its lease is removed when the break time is up
        assert!(!t.open_blocked(K, true, 500 + LEASE_BREAK_NS));
        assert_eq!(t.get(K, &y, 500 + LEASE_BREAK_NS), F_UNLCK);
        assert!(t.is_empty());
    }
}
