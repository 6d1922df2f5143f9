//! tmpfs: the in-memory read/write file system.

use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicU64, Ordering};
use rill_abi::{Errno, KResult};
use spin::Mutex;

use crate::dev::{major, minor, open_chrdev};
use crate::file::FileOps;
use crate::inode::{
    alloc_fs_id, check_new_name, mode, now, DirEntry, FileType, Inode, Metadata, SetTime, Timespec,
};
use crate::page::PageRef;
use crate::pipe::Pipe;

pub const PAGE_SIZE: usize = 4096;
/// tmpfs reports directory sizes like Linux: 20 bytes per entry including "." and "..".
const BOGO_DIRENT_SIZE: u64 = 20;
const MAX_FILE_SIZE: u64 = i64::MAX as u64;

struct Shared {
    id: u64,
    next_ino: AtomicU64,
    limits: Limits,
}

/// A tmpfs's size and inode limits (0: unlimited) and what is in use, in pages and
/// inodes (Linux's `max_blocks`/`max_inodes`; every live node counts, the root too).
#[derive(Default)]
pub struct Limits {
    pub max_blocks: AtomicU64,
    pub used_blocks: AtomicU64,
    pub max_inodes: AtomicU64,
    pub used_inodes: AtomicU64,
}

impl Limits {
    /// Takes one unit of `used` below `max` (0: no limit); false when full.
    fn take(used: &AtomicU64, max: &AtomicU64) -> bool {
        let m = max.load(Ordering::Relaxed);
        used.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
            (m == 0 || u < m).then_some(u + 1)
        })
        .is_ok()
    }
    fn take_block(&self) -> bool {
        Self::take(&self.used_blocks, &self.max_blocks)
    }
    fn put_blocks(&self, n: u64) {
        let _ = self
            .used_blocks
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                Some(u.saturating_sub(n))
            });
    }
    fn inode_free(&self) -> bool {
        let m = self.max_inodes.load(Ordering::Relaxed);
        m == 0 || self.used_inodes.load(Ordering::Relaxed) < m
    }
}

/// A tmpfs instance.
pub struct TmpFs {
    shared: Arc<Shared>,
    root: Arc<TmpNode>,
}

impl TmpFs {
    /// A new empty file system whose root is a 0755 directory owned by root.
    pub fn new() -> Arc<TmpFs> {
        let shared = Arc::new(Shared {
            id: alloc_fs_id(),
            next_ino: AtomicU64::new(1),
            limits: Limits::default(),
        });
        let root = TmpNode::new(
            &shared,
            FileType::Directory,
            0o755,
            0,
            0,
            0,
            Kind::new_dir(),
        );
        Arc::new(TmpFs { shared, root })
    }

    pub fn root(&self) -> Arc<dyn Inode> {
        self.root.clone()
    }

    pub fn fs_id(&self) -> u64 {
        self.shared.id
    }

    /// The size and inode limits and use (see [`Limits`]).
    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }
}

struct Meta {
    mode: u32,
    nlink: u32,
    uid: u32,
    gid: u32,
    atime: Timespec,
    mtime: Timespec,
    ctime: Timespec,
}

/// File data: [`PageRef`]s (in the kernel, the
/// very frames file mappings map), holes absent.
#[derive(Default)]
struct FileData {
    pages: BTreeMap<u64, PageRef>,
    size: u64,
}

struct DirData {
    entries: BTreeMap<Vec<u8>, Arc<TmpNode>>,
}

enum Kind {
    File(Mutex<FileData>),
    Dir(Mutex<DirData>),
    Symlink(Vec<u8>),
    Device(u64),
    Fifo(Mutex<Option<Arc<Pipe>>>),
    Socket,
}

impl Kind {
    fn new_dir() -> Kind {
        Kind::Dir(Mutex::new(DirData {
            entries: BTreeMap::new(),
        }))
    }
}

/// A tmpfs node.
pub struct TmpNode {
    me: Weak<TmpNode>,
    shared: Arc<Shared>,
    ino: u64,
    ftype: FileType,
    meta: Mutex<Meta>,
    /// The containing directory (meaningful for directories only).
    parent: Mutex<Weak<TmpNode>>,
    kind: Kind,
}

fn dyn_ptr(i: &Arc<dyn Inode>) -> *const u8 {
    Arc::as_ptr(i) as *const u8
}

impl TmpNode {
    fn new(
        shared: &Arc<Shared>,
        ftype: FileType,
        perm: u32,
        uid: u32,
        gid: u32,
        _rdev: u64,
        kind: Kind,
    ) -> Arc<TmpNode> {
        let t = now();
        let ino = shared.next_ino.fetch_add(1, Ordering::Relaxed);
        shared.limits.used_inodes.fetch_add(1, Ordering::Relaxed);
        Arc::new_cyclic(|me| TmpNode {
            me: me.clone(),
            shared: shared.clone(),
            ino,
            ftype,
            meta: Mutex::new(Meta {
                mode: ftype.mode_bits() | (perm & mode::PERM_MASK),
                nlink: if ftype == FileType::Directory { 2 } else { 1 },
                uid,
                gid,
                atime: t,
                mtime: t,
                ctime: t,
            }),
            parent: Mutex::new(Weak::new()),
            kind,
        })
    }

    /// A fresh data page charged to the size limit (ENOSPC when full, ENOMEM).
    fn new_page(&self) -> KResult<PageRef> {
        if !self.shared.limits.take_block() {
            return Err(Errno::ENOSPC);
        }
        PageRef::new().map_err(|_| {
            self.shared.limits.put_blocks(1);
            Errno::ENOMEM
        })
    }

    fn dir(&self) -> KResult<&Mutex<DirData>> {
        match &self.kind {
            Kind::Dir(d) => Ok(d),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn touch_mc(&self) {
        let t = now();
        let mut m = self.meta.lock();
        m.mtime = t;
        m.ctime = t;
    }

    fn touch_c(&self) {
        self.meta.lock().ctime = now();
    }

    fn nlink_add(&self, d: i32) {
        let mut m = self.meta.lock();
        m.nlink = m.nlink.saturating_add_signed(d);
    }

    fn nlink(&self) -> u32 {
        self.meta.lock().nlink
    }

    fn is_removed_dir(&self) -> bool {
        self.ftype == FileType::Directory && self.nlink() == 0
    }

    /// Downcasts an inode of this file system (EXDEV otherwise).
    fn same_fs<'a>(&self, other: &'a Arc<dyn Inode>) -> KResult<&'a TmpNode> {
        match other.as_any().downcast_ref::<TmpNode>() {
            Some(n) if Arc::ptr_eq(&n.shared, &self.shared) => Ok(n),
            _ => Err(Errno::EXDEV),
        }
    }

    /// Whether `self` is `anc` or lies below it.
    fn is_within(&self, anc: &TmpNode) -> bool {
        let mut cur = self.me.upgrade();
        while let Some(n) = cur {
            if core::ptr::eq(&*n, anc) {
                return true;
            }
            cur = n.parent.lock().upgrade();
        }
        false
    }

    fn dir_is_empty(&self) -> bool {
        match &self.kind {
            Kind::Dir(d) => d.lock().entries.is_empty(),
            _ => false,
        }
    }
}

impl Inode for TmpNode {
    fn metadata(&self) -> Metadata {
        // Lock order is container before meta, so size the data first.
        let (size, blocks) = match &self.kind {
            Kind::File(f) => {
                let f = f.lock();
                (f.size, f.pages.len() as u64 * (PAGE_SIZE as u64 / 512))
            }
            Kind::Dir(d) => (BOGO_DIRENT_SIZE * (2 + d.lock().entries.len() as u64), 0),
            Kind::Symlink(t) => (t.len() as u64, 0),
            _ => (0, 0),
        };
        let m = self.meta.lock();
        Metadata {
            dev: self.shared.id,
            ino: self.ino,
            mode: m.mode,
            nlink: m.nlink,
            uid: m.uid,
            gid: m.gid,
            rdev: match self.kind {
                Kind::Device(r) => r,
                _ => 0,
            },
            size,
            blksize: PAGE_SIZE as u32,
            blocks,
            atime: m.atime,
            mtime: m.mtime,
            ctime: m.ctime,
        }
    }

    fn chmod(&self, new: u32) -> KResult<()> {
        let mut m = self.meta.lock();
        m.mode = (m.mode & mode::S_IFMT) | (new & mode::PERM_MASK);
        m.ctime = now();
        Ok(())
    }

    fn chown(&self, uid: Option<u32>, gid: Option<u32>) -> KResult<()> {
        let mut m = self.meta.lock();
        if let Some(u) = uid {
            m.uid = u;
        }
        if let Some(g) = gid {
            m.gid = g;
        }
        if (uid.is_some() || gid.is_some()) && self.ftype == FileType::Regular {
            // Like Linux: changing the owner clears set-user-ID, and set-group-ID
            // when the group-execute bit is set (otherwise it means locking).
            m.mode &= !mode::S_ISUID;
            if m.mode & mode::S_IXGRP != 0 {
                m.mode &= !mode::S_ISGID;
            }
        }
        m.ctime = now();
        Ok(())
    }

    fn set_times(&self, atime: SetTime, mtime: SetTime) -> KResult<()> {
        let t = now();
        let mut m = self.meta.lock();
        atime.apply(&mut m.atime, t);
        mtime.apply(&mut m.mtime, t);
        if atime != SetTime::Omit || mtime != SetTime::Omit {
            m.ctime = t;
        }
        Ok(())
    }

    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let f = match &self.kind {
            Kind::File(f) => f.lock(),
            Kind::Dir(_) => return Err(Errno::EISDIR),
            _ => return Err(Errno::EINVAL),
        };
        if off >= f.size {
            return Ok(0);
        }
        let n = core::cmp::min(buf.len() as u64, f.size - off) as usize;
        let mut done = 0;
        while done < n {
            let pos = off + done as u64;
            let pidx = pos / PAGE_SIZE as u64;
            let poff = (pos % PAGE_SIZE as u64) as usize;
            let len = core::cmp::min(PAGE_SIZE - poff, n - done);
            let dst = buf.get_mut(done..done + len).ok_or(Errno::EFAULT)?;
            match f.pages.get(&pidx) {
                Some(p) => p.read(poff, dst),
                None => dst.fill(0),
            }
            done += len;
        }
        Ok(n)
    }

    fn write_at(&self, off: u64, buf: &[u8]) -> KResult<usize> {
        let mut f = match &self.kind {
            Kind::File(f) => f.lock(),
            Kind::Dir(_) => return Err(Errno::EISDIR),
            _ => return Err(Errno::EINVAL),
        };
        if buf.is_empty() {
            return Ok(0);
        }
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EFBIG)?;
        if end > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let mut done = 0;
        while done < buf.len() {
            let pos = off + done as u64;
            let pidx = pos / PAGE_SIZE as u64;
            let poff = (pos % PAGE_SIZE as u64) as usize;
            let len = core::cmp::min(PAGE_SIZE - poff, buf.len() - done);
            let page = match f.pages.get_mut(&pidx) {
                Some(p) => p,
                None => match self.new_page() {
                    Ok(p) => f.pages.entry(pidx).or_insert(p),
                    // out of memory or over the size limit: a short write, or ENOSPC
                    Err(_) if done > 0 => break,
                    Err(_) => return Err(Errno::ENOSPC),
                },
            };
            let src = buf.get(done..done + len).ok_or(Errno::EFAULT)?;
            page.write(poff, src);
            done += len;
        }
        let end = off + done as u64;
        if end > f.size {
            f.size = end;
        }
        drop(f);
        self.touch_mc();
        Ok(done)
    }

    fn truncate(&self, len: u64) -> KResult<()> {
        let mut f = match &self.kind {
            Kind::File(f) => f.lock(),
            Kind::Dir(_) => return Err(Errno::EISDIR),
            _ => return Err(Errno::EINVAL),
        };
        if len > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let shrunk = len < f.size;
        if shrunk {
            let keep = len.div_ceil(PAGE_SIZE as u64);
            let before = f.pages.len();
            f.pages.retain(|&k, _| k < keep);
            self.shared
                .limits
                .put_blocks((before - f.pages.len()) as u64);
            // Zero the tail of the last partial page so a later extension
            // (and a mapping of that page) reads zeros.
            let poff = (len % PAGE_SIZE as u64) as usize;
            if poff != 0 {
                if let Some(p) = f.pages.get(&(len / PAGE_SIZE as u64)) {
                    p.zero_from(poff);
                }
            }
        }
        f.size = len;
        drop(f);
        if shrunk {
            crate::page::notify_truncate(self.shared.id, self.ino, len);
        }
        self.touch_mc();
        Ok(())
    }

    fn has_page(&self, idx: u64) -> bool {
        match &self.kind {
            Kind::File(f) => f.lock().pages.contains_key(&idx),
            _ => false,
        }
    }

    fn has_pages(&self) -> bool {
        matches!(self.kind, Kind::File(_))
    }

    fn page(&self, idx: u64) -> KResult<PageRef> {
        let mut f = match &self.kind {
            Kind::File(f) => f.lock(),
            _ => return Err(Errno::ENODEV),
        };
        if idx >= f.size.div_ceil(PAGE_SIZE as u64) {
            return Err(Errno::ENXIO);
        }
        if let Some(p) = f.pages.get(&idx) {
            return Ok(p.clone());
        }
        let p = self.new_page()?;
        f.pages.insert(idx, p.clone());
        Ok(p)
    }

    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        let d = self.dir()?.lock();
        if name.len() > 255 {
            return Err(Errno::ENAMETOOLONG);
        }
        match d.entries.get(name) {
            Some(n) => Ok(n.clone()),
            None => Err(Errno::ENOENT),
        }
    }

    fn create(
        &self,
        name: &[u8],
        ftype: FileType,
        perm: u32,
        rdev: u64,
        uid: u32,
        gid: u32,
    ) -> KResult<Arc<dyn Inode>> {
        let mut d = self.dir()?.lock();
        check_new_name(name)?;
        if self.is_removed_dir() {
            return Err(Errno::ENOENT);
        }
        if d.entries.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        if !self.shared.limits.inode_free() {
            return Err(Errno::ENOSPC);
        }
        let kind = match ftype {
            FileType::Regular => Kind::File(Mutex::new(FileData::default())),
            FileType::Directory => Kind::new_dir(),
            FileType::CharDev | FileType::BlockDev => Kind::Device(rdev),
            FileType::Fifo => Kind::Fifo(Mutex::new(None)),
            FileType::Socket => Kind::Socket,
            FileType::Symlink => return Err(Errno::EINVAL),
        };
        let node = TmpNode::new(&self.shared, ftype, perm, uid, gid, rdev, kind);
        if ftype == FileType::Directory {
            *node.parent.lock() = self.me.clone();
            self.nlink_add(1);
        }
        d.entries.insert(name.to_vec(), node.clone());
        drop(d);
        self.touch_mc();
        Ok(node)
    }

    fn link(&self, name: &[u8], target: &Arc<dyn Inode>) -> KResult<()> {
        let t = self.same_fs(target)?;
        if t.ftype == FileType::Directory {
            return Err(Errno::EPERM);
        }
        let mut d = self.dir()?.lock();
        check_new_name(name)?;
        if self.is_removed_dir() {
            return Err(Errno::ENOENT);
        }
        if d.entries.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        if t.nlink() == 0 {
            return Err(Errno::ENOENT);
        }
        let arc = t.me.upgrade().ok_or(Errno::ENOENT)?;
        d.entries.insert(name.to_vec(), arc);
        drop(d);
        t.nlink_add(1);
        t.touch_c();
        self.touch_mc();
        Ok(())
    }

    fn unlink(&self, name: &[u8]) -> KResult<()> {
        let mut d = self.dir()?.lock();
        if name == b"." || name == b".." {
            return Err(Errno::EISDIR);
        }
        let child = d.entries.get(name).ok_or(Errno::ENOENT)?;
        if child.ftype == FileType::Directory {
            return Err(Errno::EISDIR);
        }
        let child = d.entries.remove(name).ok_or(Errno::ENOENT)?;
        drop(d);
        child.nlink_add(-1);
        child.touch_c();
        self.touch_mc();
        Ok(())
    }

    fn rmdir(&self, name: &[u8]) -> KResult<()> {
        let mut d = self.dir()?.lock();
        if name == b"." {
            return Err(Errno::EINVAL);
        }
        if name == b".." {
            return Err(Errno::ENOTEMPTY);
        }
        let child = d.entries.get(name).ok_or(Errno::ENOENT)?;
        if child.ftype != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        if !child.dir_is_empty() {
            return Err(Errno::ENOTEMPTY);
        }
        let child = d.entries.remove(name).ok_or(Errno::ENOENT)?;
        drop(d);
        child.meta.lock().nlink = 0;
        child.touch_c();
        self.nlink_add(-1);
        self.touch_mc();
        Ok(())
    }

    fn rename(&self, old: &[u8], new_dir: &Arc<dyn Inode>, new: &[u8]) -> KResult<()> {
        let nd = self.same_fs(new_dir)?;
        let od_lock = self.dir()?;
        let nd_lock = nd.dir()?;
        if old == b"." || old == b".." || new == b"." || new == b".." {
            return Err(Errno::EBUSY);
        }
        check_new_name(new)?;
        let same_dir = core::ptr::eq(self, nd);
        // Lock both directories in address order to avoid deadlocks.
        let (mut od_g, mut nd_g) = if same_dir {
            (od_lock.lock(), None)
        } else if (self as *const TmpNode) < (nd as *const TmpNode) {
            let a = od_lock.lock();
            let b = nd_lock.lock();
            (a, Some(b))
        } else {
            let b = nd_lock.lock();
            let a = od_lock.lock();
            (a, Some(b))
        };
        let src = od_g.entries.get(old).cloned().ok_or(Errno::ENOENT)?;
        if nd.is_removed_dir() {
            return Err(Errno::ENOENT);
        }
        let target = match &nd_g {
            Some(g) => g.entries.get(new).cloned(),
            None => od_g.entries.get(new).cloned(),
        };
        let src_is_dir = src.ftype == FileType::Directory;
        if let Some(t) = &target {
            if Arc::ptr_eq(t, &src) {
                // Same inode (or same name): nothing to do.
                return Ok(());
            }
        }
        if src_is_dir && nd.is_within(&src) {
            return Err(Errno::EINVAL);
        }
        if let Some(t) = &target {
            let t_is_dir = t.ftype == FileType::Directory;
            match (src_is_dir, t_is_dir) {
                (true, false) => return Err(Errno::ENOTDIR),
                (false, true) => return Err(Errno::EISDIR),
                (true, true) => {
                    // The target being an ancestor of the source means it is not empty
                    // (and it may be locked by us already).
                    if self.is_within(t) || !t.dir_is_empty() {
                        return Err(Errno::ENOTEMPTY);
                    }
                }
                (false, false) => {}
            }
        }
        // Perform the move.
        od_g.entries.remove(old);
        let ins = match nd_g.as_mut() {
            Some(g) => &mut g.entries,
            None => &mut od_g.entries,
        };
        ins.insert(new.to_vec(), src.clone());
        drop(nd_g);
        drop(od_g);
        let t = now();
        if let Some(tg) = target {
            if tg.ftype == FileType::Directory {
                tg.meta.lock().nlink = 0;
                nd.nlink_add(-1);
            } else {
                tg.nlink_add(-1);
            }
            tg.meta.lock().ctime = t;
        }
        if src_is_dir && !same_dir {
            self.nlink_add(-1);
            nd.nlink_add(1);
            *src.parent.lock() = nd.me.clone();
        }
        src.meta.lock().ctime = t;
        self.touch_mc();
        if !same_dir {
            nd.touch_mc();
        }
        Ok(())
    }

    fn exchange(&self, old: &[u8], new_dir: &Arc<dyn Inode>, new: &[u8]) -> KResult<()> {
        let nd = self.same_fs(new_dir)?;
        let od_lock = self.dir()?;
        let nd_lock = nd.dir()?;
        if old == b"." || old == b".." || new == b"." || new == b".." {
            return Err(Errno::EBUSY);
        }
        let same_dir = core::ptr::eq(self, nd);
        let (mut od_g, mut nd_g) = if same_dir {
            (od_lock.lock(), None)
        } else if (self as *const TmpNode) < (nd as *const TmpNode) {
            let a = od_lock.lock();
            let b = nd_lock.lock();
            (a, Some(b))
        } else {
            let b = nd_lock.lock();
            let a = od_lock.lock();
            (a, Some(b))
        };
        let a = od_g.entries.get(old).cloned().ok_or(Errno::ENOENT)?;
        let b = match &nd_g {
            Some(g) => g.entries.get(new).cloned(),
            None => od_g.entries.get(new).cloned(),
        }
        .ok_or(Errno::ENOENT)?;
        if Arc::ptr_eq(&a, &b) {
            return Ok(());
        }
        if !same_dir {
            // Neither may contain the other's new parent.
            let a_dir = a.ftype == FileType::Directory;
            let b_dir = b.ftype == FileType::Directory;
            if (a_dir && nd.is_within(&a)) || (b_dir && self.is_within(&b)) {
                return Err(Errno::EINVAL);
            }
        }
        od_g.entries.insert(old.to_vec(), b.clone());
        match nd_g.as_mut() {
            Some(g) => g.entries.insert(new.to_vec(), a.clone()),
            None => od_g.entries.insert(new.to_vec(), a.clone()),
        };
        drop(nd_g);
        drop(od_g);
        if !same_dir {
            let a_dir = a.ftype == FileType::Directory;
            let b_dir = b.ftype == FileType::Directory;
            if a_dir {
                *a.parent.lock() = nd.me.clone();
            }
            if b_dir {
                *b.parent.lock() = self.me.clone();
            }
            if a_dir && !b_dir {
                self.nlink_add(-1);
                nd.nlink_add(1);
            } else if b_dir && !a_dir {
                nd.nlink_add(-1);
                self.nlink_add(1);
            }
            nd.touch_mc();
        }
        a.touch_c();
        b.touch_c();
        self.touch_mc();
        Ok(())
    }

    fn symlink(&self, name: &[u8], target: &[u8]) -> KResult<Arc<dyn Inode>> {
        let mut d = self.dir()?.lock();
        check_new_name(name)?;
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if target.len() >= 4096 {
            return Err(Errno::ENAMETOOLONG);
        }
        if self.is_removed_dir() {
            return Err(Errno::ENOENT);
        }
        if d.entries.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        if !self.shared.limits.inode_free() {
            return Err(Errno::ENOSPC);
        }
        let node = TmpNode::new(
            &self.shared,
            FileType::Symlink,
            0o777,
            0,
            0,
            0,
            Kind::Symlink(target.to_vec()),
        );
        d.entries.insert(name.to_vec(), node.clone());
        drop(d);
        self.touch_mc();
        Ok(node)
    }

    fn readlink(&self) -> KResult<Vec<u8>> {
        match &self.kind {
            Kind::Symlink(t) => Ok(t.clone()),
            _ => Err(Errno::EINVAL),
        }
    }

    fn readdir(&self) -> KResult<Vec<DirEntry>> {
        let d = self.dir()?.lock();
        Ok(d.entries
            .iter()
            .map(|(name, n)| DirEntry {
                name: name.clone(),
                ino: n.ino,
                ftype: n.ftype,
            })
            .collect())
    }

    fn open(&self, flags: u32) -> KResult<Option<Arc<dyn FileOps>>> {
        match &self.kind {
            Kind::Device(rdev) => match self.ftype {
                FileType::CharDev => open_chrdev(major(*rdev), minor(*rdev), flags).map(Some),
                _ => Err(Errno::ENXIO),
            },
            Kind::Fifo(p) => {
                let pipe = p.lock().get_or_insert_with(Pipe::new_fifo).clone();
                pipe.open_fifo(flags).map(Some)
            }
            Kind::Socket => Err(Errno::ENXIO),
            _ => Ok(None),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn fs_id(&self) -> u64 {
        self.shared.id
    }

    fn is_dir(&self) -> bool {
        self.ftype == FileType::Directory
    }
}

impl Drop for TmpNode {
    fn drop(&mut self) {
        let l = &self.shared.limits;
        let _ = l
            .used_inodes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                Some(u.saturating_sub(1))
            });
        if let Kind::File(f) = &self.kind {
            l.put_blocks(f.lock().pages.len() as u64);
        }
    }
}

/// Whether two inode handles are the same object.
pub fn same_inode(a: &Arc<dyn Inode>, b: &Arc<dyn Inode>) -> bool {
    dyn_ptr(a) == dyn_ptr(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{flags, OpenFile};

    fn setup() -> (Arc<TmpFs>, Arc<dyn Inode>) {
        let fs = TmpFs::new();
        let r = fs.root();
        (fs, r)
    }

    fn mkdir(d: &Arc<dyn Inode>, n: &[u8]) -> Arc<dyn Inode> {
        d.create(n, FileType::Directory, 0o755, 0, 0, 0).unwrap()
    }

    fn mkfile(d: &Arc<dyn Inode>, n: &[u8]) -> Arc<dyn Inode> {
        d.create(n, FileType::Regular, 0o644, 0, 1000, 100).unwrap()
    }

    fn names(d: &Arc<dyn Inode>) -> Vec<Vec<u8>> {
        d.readdir().unwrap().into_iter().map(|e| e.name).collect()
    }

    #[test]
    fn create_lookup_errnos() {
        let (_fs, r) = setup();
        let f = mkfile(&r, b"f");
        let m = f.metadata();
        assert_eq!(m.mode, mode::S_IFREG | 0o644);
        assert_eq!(
            (m.uid, m.gid, m.nlink, m.size, m.blksize),
            (1000, 100, 1, 0, 4096)
        );
        assert_eq!(
            r.create(b"f", FileType::Regular, 0o644, 0, 0, 0).err(),
            Some(Errno::EEXIST)
        );
        assert_eq!(r.lookup(b"nope").err(), Some(Errno::ENOENT));
        assert_eq!(f.lookup(b"x").err(), Some(Errno::ENOTDIR));
        assert_eq!(
            f.create(b"x", FileType::Regular, 0, 0, 0, 0).err(),
            Some(Errno::ENOTDIR)
        );
        let long = b"a".repeat(256);
        assert_eq!(
            r.create(&long, FileType::Regular, 0, 0, 0, 0).err(),
            Some(Errno::ENAMETOOLONG)
        );
        assert_eq!(r.read_at(0, &mut [0; 4]).err(), Some(Errno::EISDIR));
        assert_eq!(f.readlink().err(), Some(Errno::EINVAL));
        assert_eq!(f.readdir().err(), Some(Errno::ENOTDIR));
        // unique inode numbers, same fs id
        let g = mkfile(&r, b"g");
        assert_ne!(f.metadata().ino, g.metadata().ino);
        assert_eq!(f.metadata().dev, r.metadata().dev);
        assert_eq!(names(&r), [b"f", b"g"]);
    }

    #[test]
    fn unlink_rmdir() {
        let (_fs, r) = setup();
        let d = mkdir(&r, b"d");
        mkfile(&d, b"x");
        assert_eq!(r.unlink(b"d").err(), Some(Errno::EISDIR));
        assert_eq!(r.unlink(b"zz").err(), Some(Errno::ENOENT));
        assert_eq!(r.rmdir(b"d").err(), Some(Errno::ENOTEMPTY));
        assert_eq!(d.rmdir(b"x").err(), Some(Errno::ENOTDIR));
        d.unlink(b"x").unwrap();
        assert_eq!(r.metadata().nlink, 3);
        r.rmdir(b"d").unwrap();
        assert_eq!(r.metadata().nlink, 2);
        assert_eq!(d.metadata().nlink, 0);
        // creating inside a removed directory fails
        assert_eq!(
            d.create(b"y", FileType::Regular, 0, 0, 0, 0).err(),
            Some(Errno::ENOENT)
        );
    }

    #[test]
    fn nlink_and_hard_links() {
        let (_fs, r) = setup();
        let a = mkdir(&r, b"a");
        mkdir(&r, b"b");
        mkdir(&a, b"c");
        assert_eq!(r.metadata().nlink, 4);
        assert_eq!(a.metadata().nlink, 3);
        let f = mkfile(&r, b"f");
        a.link(b"f2", &f).unwrap();
        assert_eq!(f.metadata().nlink, 2);
        assert_eq!(a.link(b"f2", &f).err(), Some(Errno::EEXIST));
        assert_eq!(r.link(b"a2", &a).err(), Some(Errno::EPERM));
        let other = TmpFs::new();
        assert_eq!(other.root().link(b"x", &f).err(), Some(Errno::EXDEV));
        r.unlink(b"f").unwrap();
        assert_eq!(f.metadata().nlink, 1);
        assert!(
            Arc::ptr_eq(&a.lookup(b"f2").unwrap(), &f) || same_inode(&a.lookup(b"f2").unwrap(), &f)
        );
    }

    static SHRUNK: spin::Mutex<Vec<(u64, u64, u64)>> = spin::Mutex::new(Vec::new());
    fn record_truncate(fs: u64, ino: u64, size: u64) {
        SHRUNK.lock().push((fs, ino, size));
    }

    #[test]
    fn pages_for_mappings() {
        crate::page::set_truncate_hook(record_truncate);
        let (fs, r) = setup();
        let f = mkfile(&r, b"f");
        assert_eq!(f.page(0).err(), Some(Errno::ENXIO));
        f.truncate(8192 + 10).unwrap();
        // a hole becomes a page the file and the mapping share
        let p1 = f.page(1).unwrap();
        assert_eq!(f.metadata().blocks, 8);
        p1.write(5, b"map");
        let mut b = [0u8; 3];
        f.read_at(4096 + 5, &mut b).unwrap();
        assert_eq!(&b, b"map");
        f.write_at(4096 + 100, b"file").unwrap();
        let mut c = [0u8; 4];
        p1.read(100, &mut c);
        assert_eq!(&c, b"file");
        assert_eq!(p1, f.page(1).unwrap());
        assert_ne!(p1, f.page(2).unwrap());
        assert_eq!(f.page(2).map(|_| ()), Ok(()));
        assert_eq!(f.page(3).err(), Some(Errno::ENXIO));
        assert_eq!(r.page(0).err(), Some(Errno::ENODEV));
        // shrinking tells the hook; a dropped page lives on in its holder
        f.truncate(4096 + 6).unwrap();
        let key = (fs.fs_id(), f.metadata().ino);
        assert!(SHRUNK.lock().contains(&(key.0, key.1, 4096 + 6)));
        p1.read(5, &mut b);
        assert_eq!(&b, b"m\0\0"); // tail past the new end zeroed
        f.truncate(0).unwrap();
        p1.read(5, &mut b);
        assert_eq!(&b, b"m\0\0");
        assert_eq!(f.page(0).err(), Some(Errno::ENXIO));
        // growing is not a shrink
        let n = SHRUNK.lock().len();
        f.truncate(100).unwrap();
        assert_eq!(
            SHRUNK.lock().iter().filter(|e| (e.0, e.1) == key).count(),
            2
        );
        assert!(SHRUNK.lock().len() >= n);
    }

    #[test]
    fn sparse_pages_and_truncate() {
        let (_fs, r) = setup();
        let f = mkfile(&r, b"f");
        assert_eq!(f.write_at(10000, b"hello").unwrap(), 5);
        let m = f.metadata();
        assert_eq!(m.size, 10005);
        assert_eq!(m.blocks, 8); // one page allocated
        let mut buf = vec![0xffu8; 10010];
        assert_eq!(f.read_at(0, &mut buf).unwrap(), 10005);
        assert!(buf[..10000].iter().all(|&b| b == 0));
        assert_eq!(&buf[10000..10005], b"hello");
        // write across a page boundary
        f.write_at(4094, b"abcd").unwrap();
        let mut b4 = [0u8; 4];
        f.read_at(4094, &mut b4).unwrap();
        assert_eq!(&b4, b"abcd");
        assert_eq!(f.metadata().blocks, 24);
        assert_eq!(f.read_at(20000, &mut b4).unwrap(), 0);
        // truncate down into the middle of a page, then grow: tail reads zeros
        f.truncate(4095).unwrap();
        assert_eq!(f.metadata().size, 4095);
        assert_eq!(f.metadata().blocks, 8);
        f.truncate(9000).unwrap();
        let mut b = [9u8; 3];
        assert_eq!(f.read_at(4094, &mut b).unwrap(), 3);
        assert_eq!(b, [b'a', 0, 0]);
        assert_eq!(f.metadata().blocks, 8);
        f.truncate(0).unwrap();
        assert_eq!(f.metadata().blocks, 0);
        assert_eq!(f.write_at(u64::MAX - 2, b"abcd").err(), Some(Errno::EFBIG));
        assert_eq!(r.truncate(0).err(), Some(Errno::EISDIR));
    }

    fn clock_42() -> Timespec {
        Timespec { sec: 42, nsec: 7 }
    }

    #[test]
    fn times_and_attrs() {
        let (_fs, r) = setup();
        let f = mkfile(&r, b"f");
        f.set_times(SetTime::Set(Timespec { sec: 1, nsec: 0 }), SetTime::Omit)
            .unwrap();
        assert_eq!(f.metadata().atime.sec, 1);
        f.chmod(0o4755).unwrap();
        assert_eq!(f.metadata().mode, mode::S_IFREG | 0o4755);
        f.chown(Some(5), None).unwrap();
        let m = f.metadata();
        assert_eq!((m.uid, m.gid), (5, 100));
        assert_eq!(m.mode & mode::S_ISUID, 0, "chown clears setuid");
        crate::inode::set_clock(clock_42);
        f.write_at(0, b"x").unwrap();
        let m = f.metadata();
        assert_eq!(m.mtime, clock_42());
        assert_eq!(m.ctime, clock_42());
        mkfile(&r, b"g");
        assert_eq!(r.metadata().mtime, clock_42());
        f.set_times(SetTime::Now, SetTime::Set(Timespec { sec: 3, nsec: 4 }))
            .unwrap();
        let m = f.metadata();
        assert_eq!(m.atime, clock_42());
        assert_eq!(m.mtime, Timespec { sec: 3, nsec: 4 });
    }

    #[test]
    fn symlinks() {
        let (_fs, r) = setup();
        let l = r.symlink(b"l", b"/some/where").unwrap();
        let m = l.metadata();
        assert_eq!(m.mode, mode::S_IFLNK | 0o777);
        assert_eq!(m.size, 11);
        assert_eq!(l.readlink().unwrap(), b"/some/where");
        assert_eq!(r.symlink(b"l", b"x").err(), Some(Errno::EEXIST));
        assert_eq!(r.symlink(b"e", b"").err(), Some(Errno::ENOENT));
        assert_eq!(r.readdir().unwrap()[0].ftype, FileType::Symlink);
    }

    #[test]
    fn exchange_swaps_names() {
        let fs = TmpFs::new();
        let r = fs.root();
        let a = r.create(b"a", FileType::Regular, 0o644, 0, 0, 0).unwrap();
        let d = r.create(b"d", FileType::Directory, 0o755, 0, 0, 0).unwrap();
        let sub = r
            .create(b"sub", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        assert_eq!(r.exchange(b"a", &r, b"zz").err(), Some(Errno::ENOENT));
        // file <-> directory across parents
        assert_eq!(r.exchange(b"a", &sub, b"x").err(), Some(Errno::ENOENT));
        let x = sub
            .create(b"x", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        let r_links = r.metadata().nlink;
        r.exchange(b"a", &sub, b"x").unwrap();
        assert_eq!(r.lookup(b"a").unwrap().metadata().ino, x.metadata().ino);
        assert_eq!(sub.lookup(b"x").unwrap().metadata().ino, a.metadata().ino);
        assert_eq!(r.metadata().nlink, r_links + 1);
        assert_eq!(sub.metadata().nlink, 2);
        // a directory cannot be swapped below itself
        let inner = d.create(b"in", FileType::Regular, 0o644, 0, 0, 0).unwrap();
        let _ = inner;
        assert_eq!(r.exchange(b"d", &d, b"in").err(), Some(Errno::EINVAL));
    }

    #[test]
    fn rename_rules() {
        let (_fs, r) = setup();
        let a = mkdir(&r, b"a");
        let b = mkdir(&r, b"b");
        let f = mkfile(&a, b"f");
        let g = mkfile(&b, b"g");
        // plain move across directories
        a.rename(b"f", &b, b"f2").unwrap();
        assert_eq!(a.lookup(b"f").err(), Some(Errno::ENOENT));
        assert!(same_inode(&b.lookup(b"f2").unwrap(), &f));
        // replace a file
        b.rename(b"f2", &b, b"g").unwrap();
        assert!(same_inode(&b.lookup(b"g").unwrap(), &f));
        assert_eq!(g.metadata().nlink, 0);
        assert_eq!(names(&b), [b"g"]);
        // rename onto itself / a hard link of itself is a no-op
        b.rename(b"g", &b, b"g").unwrap();
        b.link(b"h", &f).unwrap();
        b.rename(b"g", &b, b"h").unwrap();
        assert_eq!(names(&b), [b"g", b"h"]);
        // file over dir, dir over file
        let d = mkdir(&b, b"d");
        assert_eq!(b.rename(b"g", &b, b"d").err(), Some(Errno::EISDIR));
        assert_eq!(b.rename(b"d", &b, b"g").err(), Some(Errno::ENOTDIR));
        assert_eq!(b.rename(b"nope", &b, b"x").err(), Some(Errno::ENOENT));
        // dir over non-empty dir, then over empty dir
        let e = mkdir(&r, b"e");
        mkfile(&e, b"inside");
        assert_eq!(b.rename(b"d", &r, b"e").err(), Some(Errno::ENOTEMPTY));
        let r_nlink = r.metadata().nlink; // 2 + a, b, e
        assert_eq!(r_nlink, 5);
        let empty = mkdir(&r, b"empty");
        assert_eq!(r.metadata().nlink, 6);
        b.rename(b"d", &r, b"empty").unwrap();
        assert_eq!(empty.metadata().nlink, 0);
        assert_eq!(r.metadata().nlink, 6); // lost b"empty", gained b"d" under its name
        assert_eq!(b.metadata().nlink, 2);
        assert!(same_inode(&r.lookup(b"empty").unwrap(), &d));
        // a directory into itself or its descendant
        let sub = mkdir(&d, b"sub");
        assert_eq!(r.rename(b"empty", &d, b"x").err(), Some(Errno::EINVAL));
        assert_eq!(r.rename(b"empty", &sub, b"x").err(), Some(Errno::EINVAL));
        // target is an ancestor of the source
        assert_eq!(d.rename(b"sub", &r, b"empty").err(), Some(Errno::ENOTEMPTY));
        // moving the dir updates parent pointers: now sub can move into a
        d.rename(b"sub", &a, b"sub").unwrap();
        assert_eq!(a.metadata().nlink, 3);
        assert_eq!(d.metadata().nlink, 2);
        a.rename(b"sub", &r, b"top").unwrap();
        // sub is no longer below d, so d may now move into it
        r.rename(b"empty", &sub, b"d").unwrap();
        assert!(same_inode(&sub.lookup(b"d").unwrap(), &d));
        assert_eq!(r.rename(b"top", &d, b"x").err(), Some(Errno::EINVAL));
        // across file systems
        let other = TmpFs::new();
        assert_eq!(
            r.rename(b"top", &other.root(), b"x").err(),
            Some(Errno::EXDEV)
        );
        assert_eq!(r.rename(b"top", &r, b"..").err(), Some(Errno::EBUSY));
    }

    #[test]
    fn unlinked_open_file_keeps_working() {
        let (_fs, r) = setup();
        let f = mkfile(&r, b"f");
        let of = OpenFile::new(Some(f.clone()), None, b"/f".into(), flags::O_RDWR);
        r.unlink(b"f").unwrap();
        drop(f);
        assert_eq!(of.write(b"still here").unwrap(), 10);
        of.seek(0, flags::SEEK_SET).unwrap();
        let mut b = [0u8; 20];
        assert_eq!(of.read(&mut b).unwrap(), 10);
        assert_eq!(&b[..10], b"still here");
        assert_eq!(of.inode.as_ref().unwrap().metadata().nlink, 0);
    }

    #[test]
    fn devices_fifos_sockets() {
        let (_fs, r) = setup();
        let c = r
            .create(
                b"c",
                FileType::CharDev,
                0o600,
                crate::dev::makedev(4, 64),
                0,
                0,
            )
            .unwrap();
        let m = c.metadata();
        assert_eq!(m.mode, mode::S_IFCHR | 0o600);
        assert_eq!(m.rdev, crate::dev::makedev(4, 64));
        let b = r
            .create(b"b", FileType::BlockDev, 0o600, 0x801, 0, 0)
            .unwrap();
        assert_eq!(b.open(0).err(), Some(Errno::ENXIO));
        let s = r.create(b"s", FileType::Socket, 0o755, 0, 0, 0).unwrap();
        assert_eq!(s.open(0).err(), Some(Errno::ENXIO));
        let f = r.create(b"p", FileType::Fifo, 0o644, 0, 0, 0).unwrap();
        assert_eq!(f.metadata().file_type(), FileType::Fifo);
        let w = f.open(flags::O_RDWR).unwrap().unwrap();
        let mut off = 0;
        w.write(&mut off, b"ping", false).unwrap();
        let rd = f.open(flags::O_RDONLY).unwrap().unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(rd.read(&mut off, &mut buf, true).unwrap(), 4);
        assert_eq!(&buf[..4], b"ping");
    }

    #[test]
    fn names_are_bytes() {
        let (_fs, r) = setup();
        let mut all = Vec::new();
        for b in 1..=255u8 {
            if b == b'/' {
                continue;
            }
            let name = [b'n', b, 0xff];
            mkfile(&r, &name);
            all.push(name.to_vec());
            // a single byte too (but "." is not a name)
            if b != b'.' {
                mkfile(&r, &[b]);
                all.push(alloc::vec![b]);
            }
        }
        // invalid UTF-8 sequences
        for n in [
            &b"\xc3\x28"[..],
            b"\xed\xa0\x80",
            b"\xc0\xaf",
            b"\xf8\xa1\xa1\xa1\xa1",
        ] {
            mkfile(&r, n);
            all.push(n.to_vec());
        }
        all.sort();
        assert_eq!(
            names(&r),
            all,
            "readdir lists every byte name, in byte order"
        );
        for n in &all {
            assert!(r.lookup(n).is_ok());
        }
        // rename, link, symlink with a byte target, readlink, unlink
        let f = r.lookup(b"n\x80\xff").unwrap();
        let r2 = r.clone();
        r.rename(b"n\x80\xff", &r2, b"\xfe\xfd").unwrap();
        assert_eq!(r.lookup(b"n\x80\xff").err(), Some(Errno::ENOENT));
        assert!(same_inode(&r.lookup(b"\xfe\xfd").unwrap(), &f));
        r.link(b"\xfe\xfd", &f).unwrap_err();
        r.link(b"\xfc\xfc", &f).unwrap();
        assert_eq!(f.metadata().nlink, 2);
        let l = r.symlink(b"\xfb\xfb", b"\x80/\xff\x01").unwrap();
        assert_eq!(l.readlink().unwrap(), b"\x80/\xff\x01");
        assert_eq!(l.metadata().size, 4);
        r.unlink(b"\xfe\xfd").unwrap();
        r.unlink(b"\xfc\xfc").unwrap();
        assert_eq!(f.metadata().nlink, 0);
        // what is not a name: '/', NUL, ".", "..", more than 255 bytes
        for bad in [&b"a/b"[..], b"a\0b"] {
            assert_eq!(
                r.create(bad, FileType::Regular, 0o644, 0, 0, 0).err(),
                Some(Errno::EINVAL)
            );
        }
        assert_eq!(
            r.create(b"..", FileType::Regular, 0o644, 0, 0, 0).err(),
            Some(Errno::EEXIST)
        );
        let long = [0xffu8; 255];
        mkfile(&r, &long);
        assert_eq!(
            r.create(&[0xffu8; 256], FileType::Regular, 0o644, 0, 0, 0)
                .err(),
            Some(Errno::ENAMETOOLONG)
        );
        assert_eq!(r.lookup(&[0xffu8; 256]).err(), Some(Errno::ENAMETOOLONG));
    }
}
