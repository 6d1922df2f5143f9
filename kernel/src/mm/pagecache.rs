//! The page cache behind file mappings: one frame per (file, page index),
//! shared by every mapping of that page, so `MAP_SHARED` writes are seen by
//! all mappers and read-faulted `MAP_PRIVATE` pages see later file changes
//! (until the process writes them: copy-on-write).
//!
//! The file systems keep their own copy of file data, so the cache is kept
//! coherent with them at syscall boundaries (see `arch::rill_syscall`):
//! before any syscall that reads or writes file data, pages of shared
//! writable mappings are written back ([`sync_out`]); after a syscall that
//! may change file data, pages whose file changed (mtime/size) are re-read
//! ([`refresh`]). Shared anonymous memory uses unlinked files of a private
//! tmpfs whose pages live only here ([`shmem_file`]).
use super::phys::*;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use rill_abi::KResult;
use rill_vfs::{Inode, Timespec};
use spin::Mutex;

struct Entry {
    inode: Arc<dyn Inode>,
    pa: u64,
    stamp: (Timespec, u64),
    /// Mapped into a shared writable mapping: written back to the file.
    shared_w: bool,
    /// Shared anonymous memory: the data lives only in the cache.
    anon: bool,
}

type Key = (u64, u64, u64);

static CACHE: Mutex<BTreeMap<Key, Entry>> = Mutex::new(BTreeMap::new());
/// Number of entries with `shared_w` (write-back needed at all?).
static SHARED_W: AtomicUsize = AtomicUsize::new(0);
static SHM_FS: Mutex<Option<Arc<rill_vfs::tmpfs::TmpFs>>> = Mutex::new(None);
static SHM_SEQ: AtomicU64 = AtomicU64::new(0);
static CALLS: AtomicU64 = AtomicU64::new(0);

fn stamp(inode: &Arc<dyn Inode>) -> (Timespec, u64) {
    let m = inode.metadata();
    (m.mtime, m.size)
}

fn fill(inode: &Arc<dyn Inode>, idx: u64, pa: u64) {
    let mut buf = [0u8; 4096];
    let n = inode.read_at(idx * 4096, &mut buf).unwrap_or(0).min(4096);
    buf[n..].fill(0);
    frame_write(pa, 0, &buf);
}

fn is_shm(inode: &Arc<dyn Inode>) -> bool {
    SHM_FS
        .lock()
        .as_ref()
        .is_some_and(|fs| fs.fs_id() == inode.fs_id())
}

/// The cache frame for page `idx` of `inode`, with one new reference for
/// the caller. `shared_w`: it is being mapped into a shared writable
/// mapping.
pub fn page(inode: &Arc<dyn Inode>, idx: u64, shared_w: bool) -> KResult<u64> {
    let (fs, ino) = inode.key();
    let key = (fs, ino, idx);
    let anon = is_shm(inode);
    let mut c = CACHE.lock();
    if let Some(e) = c.get_mut(&key) {
        if !e.anon {
            let st = stamp(inode);
            if st != e.stamp {
                fill(inode, idx, e.pa);
                e.stamp = st;
            }
        }
        if shared_w && !e.shared_w {
            e.shared_w = true;
            SHARED_W.fetch_add(1, Ordering::Relaxed);
        }
        frame_ref(e.pa);
        return Ok(e.pa);
    }
    let pa = frame_alloc()?;
    if !anon {
        fill(inode, idx, pa);
    }
    if shared_w {
        SHARED_W.fetch_add(1, Ordering::Relaxed);
    }
    c.insert(
        key,
        Entry {
            inode: inode.clone(),
            pa,
            stamp: stamp(inode),
            shared_w,
            anon,
        },
    );
    frame_ref(pa);
    Ok(pa)
}

/// Write one entry's page back to its file (only bytes inside the file and
/// only if they differ). Returns whether the file changed.
fn write_back(e: &Entry, idx: u64) -> bool {
    if e.anon || !e.shared_w {
        return false;
    }
    let size = e.inode.metadata().size;
    let off = idx * 4096;
    if off >= size {
        return false;
    }
    let n = (size - off).min(4096) as usize;
    let mut mem = [0u8; 4096];
    frame_read(e.pa, 0, &mut mem[..n]);
    let mut file = [0u8; 4096];
    let got = e.inode.read_at(off, &mut file[..n]).unwrap_or(0);
    if got == n && file[..n] == mem[..n] {
        return false;
    }
    let _ = e.inode.write_at(off, &mem[..n]);
    true
}

/// Write dirty shared pages back to their files.
pub fn sync_out() {
    if SHARED_W.load(Ordering::Relaxed) == 0 {
        return;
    }
    let mut c = CACHE.lock();
    let mut changed: Vec<(u64, u64)> = Vec::new();
    for (k, e) in c.iter() {
        if write_back(e, k.2) {
            changed.push((k.0, k.1));
        }
    }
    // our own write-back is not a change to re-read
    if !changed.is_empty() {
        for (k, e) in c.iter_mut() {
            if changed.contains(&(k.0, k.1)) {
                e.stamp = stamp(&e.inode);
            }
        }
    }
}

/// Re-read the cached pages of one file if it changed since they were filled.
pub fn refresh_file(fs: u64, ino: u64) {
    let mut c = CACHE.lock();
    let mut st: Option<(Timespec, u64)> = None;
    for (k, e) in c.range_mut((fs, ino, 0)..=(fs, ino, u64::MAX)) {
        if e.anon {
            continue;
        }
        let s = *st.get_or_insert_with(|| stamp(&e.inode));
        if s != e.stamp {
            fill(&e.inode, k.2, e.pa);
            e.stamp = s;
        }
    }
}

/// Re-read cached pages whose file changed since they were filled.
pub fn refresh() {
    let mut c = CACHE.lock();
    let mut last: Option<((u64, u64), (Timespec, u64))> = None;
    for (k, e) in c.iter_mut() {
        if e.anon {
            continue;
        }
        let st = match last {
            Some((id, st)) if id == (k.0, k.1) => st,
            _ => {
                let st = stamp(&e.inode);
                last = Some(((k.0, k.1), st));
                st
            }
        };
        if st != e.stamp {
            fill(&e.inode, k.2, e.pa);
            e.stamp = st;
        }
    }
}

/// Drop pages nobody maps any more (writing shared ones back first).
pub fn evict() {
    let mut c = CACHE.lock();
    let dead: Vec<Key> = c
        .iter()
        .filter(|(_, e)| frame_refcount(e.pa) <= 1)
        .map(|(k, _)| *k)
        .collect();
    for k in dead {
        if let Some(e) = c.remove(&k) {
            write_back(&e, k.2);
            if e.shared_w {
                SHARED_W.fetch_sub(1, Ordering::Relaxed);
            }
            frame_unref(e.pa);
        }
    }
}

/// Number of cached pages.
pub fn cached_pages() -> usize {
    CACHE.lock().len()
}

/// A new unlinked file of `len` bytes for shared anonymous memory.
pub fn shmem_file(len: u64) -> KResult<Arc<dyn Inode>> {
    let fs = {
        let mut g = SHM_FS.lock();
        match g.as_ref() {
            Some(fs) => fs.clone(),
            None => {
                let fs = rill_vfs::tmpfs::TmpFs::new();
                *g = Some(fs.clone());
                fs
            }
        }
    };
    let root = fs.root();
    let name = alloc::format!("shm{}", SHM_SEQ.fetch_add(1, Ordering::Relaxed));
    let ino = root.create(&name, rill_vfs::FileType::Regular, 0o600, 0, 0, 0)?;
    let _ = root.unlink(&name);
    // sized like the mapping (sparse), so no page of it lies beyond EOF
    ino.truncate(len)?;
    Ok(ino)
}

pub const SHMEM_PATH: &str = "/dev/zero (deleted)";

fn reads_or_writes_files(nr: u64) -> bool {
    // read write pread64 pwrite64 readv writev sendfile truncate ftruncate
    // execve execveat splice copy_file_range preadv pwritev preadv2 pwritev2
    // fallocate msync exit exit_group munmap mremap
    matches!(
        nr,
        0 | 1
            | 17
            | 18
            | 19
            | 20
            | 40
            | 76
            | 77
            | 59
            | 322
            | 275
            | 326
            | 295
            | 296
            | 327
            | 328
            | 285
            | 26
    )
}

fn writes_files(nr: u64) -> bool {
    // write pwrite64 writev sendfile truncate ftruncate splice
    // copy_file_range pwritev pwritev2 fallocate open openat creat openat2
    matches!(
        nr,
        1 | 18 | 20 | 40 | 76 | 77 | 275 | 326 | 296 | 328 | 285 | 2 | 257 | 85 | 437
    )
}

/// Called before every syscall.
pub fn before_syscall(nr: u64) {
    if reads_or_writes_files(nr) {
        sync_out();
    }
    if CALLS.fetch_add(1, Ordering::Relaxed).is_multiple_of(256) {
        evict();
    }
}

/// Called after every syscall that returns. `fd` is its first argument:
/// for the fd-based writes only that file's pages need a look.
pub fn after_syscall(nr: u64, fd: u64) {
    if !writes_files(nr) || CACHE.lock().is_empty() {
        return;
    }
    // write pwrite64 writev ftruncate fallocate pwritev pwritev2
    if matches!(nr, 1 | 18 | 20 | 77 | 285 | 296 | 328) {
        let file = crate::task::current()
            .process()
            .files()
            .lock()
            .get(fd as i32);
        if let Ok(f) = file {
            if let Some(i) = &f.inode {
                let (fs, ino) = i.key();
                refresh_file(fs, ino);
            }
        }
        return;
    }
    refresh();
}
