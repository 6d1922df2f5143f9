//! File pages for mappings.
//!
//! tmpfs keeps file data in page frames ([`FramePages`], installed as
//! `rill_vfs`'s page backend by [`init`]: a `PageRef` is a frame's physical
//! address and holds one of its references): a file mapping maps those very
//! frames. `MAP_SHARED` pages are the file's data (writes through the
//! mapping are seen by `read()` and by every other mapping, with no copying
//! and no write-back); `MAP_PRIVATE` pages map the same frame read-only and
//! copy on the first write. A frame dropped by its file (truncate) or whose
//! file went away (unlink + close) lives on while a page table maps it; on
//! truncation the pages wholly past the new end are unmapped from every
//! address space ([`truncated`]), so a later access faults with SIGBUS as
//! on Linux. Shared anonymous memory is an unlinked file of a private
//! tmpfs ([`shmem_file`]).
//!
//! Files whose data is not in pages (generated /proc files) cannot be
//! mapped (mmap says ENODEV).
use super::phys::*;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};
use rill_abi::{Errno, KResult};
use rill_mm::Backing;
use rill_vfs::{Inode, PageOps};
use spin::Mutex;

/// File data in page frames: a handle is the frame's physical address; the
/// references the file system holds are frame references (page tables that
/// map it hold their own).
struct FramePages;

/// References files hold on frames, i.e. pages of file data: the "Cached"
/// of /proc/meminfo.
static FILE_PAGES: AtomicU64 = AtomicU64::new(0);

impl PageOps for FramePages {
    fn alloc(&self) -> KResult<u64> {
        // frame_alloc gives zeroed frames
        let pa = frame_alloc()?;
        FILE_PAGES.fetch_add(1, Ordering::Relaxed);
        Ok(pa)
    }
    fn get(&self, h: u64) {
        FILE_PAGES.fetch_add(1, Ordering::Relaxed);
        frame_ref(h);
    }
    fn put(&self, h: u64) {
        FILE_PAGES.fetch_sub(1, Ordering::Relaxed);
        frame_unref(h);
    }
    fn read(&self, h: u64, off: usize, buf: &mut [u8]) {
        frame_read(h, off, buf);
    }
    fn write(&self, h: u64, off: usize, data: &[u8]) {
        frame_write(h, off, data);
    }
    fn frame(&self, h: u64) -> Option<u64> {
        Some(h)
    }
}

static FRAME_PAGES: FramePages = FramePages;

/// Make tmpfs keep its data in frames. Before any file is written.
pub fn init() {
    if !rill_vfs::set_page_ops(&FRAME_PAGES) {
        kwarn!("pagecache: tmpfs pages were made before init; file mappings will fail");
    }
    rill_vfs::set_truncate_hook(truncated);
}

/// The frame for page `idx` of `inode`, with one new reference for the
/// caller's page-table entry. ENXIO: past the end of the file (SIGBUS).
pub fn page(inode: &Arc<dyn Inode>, idx: u64) -> KResult<u64> {
    let pa = inode.page(idx)?.frame().ok_or(Errno::ENODEV)?;
    frame_ref(pa);
    Ok(pa)
}

/// Every live address space (set by the task layer, which owns processes:
/// `mm` never calls up).
static ADDRESS_SPACES: spin::Once<fn() -> alloc::vec::Vec<Arc<super::AddrSpace>>> =
    spin::Once::new();

pub fn set_address_spaces(f: fn() -> alloc::vec::Vec<Arc<super::AddrSpace>>) {
    ADDRESS_SPACES.call_once(|| f);
}

/// File `(fs, ino)` shrank to `size`: unmap its pages wholly past the new
/// end from every address space (private copies too, like Linux's
/// truncate), so that touching them faults with SIGBUS.
fn truncated(fs: u64, ino: u64, size: u64) {
    let first_gone = size.div_ceil(4096) * 4096;
    let mut seen: alloc::vec::Vec<*const super::AddrSpace> = alloc::vec::Vec::new();
    let all = ADDRESS_SPACES
        .get()
        .map_or_else(alloc::vec::Vec::new, |f| f());
    for mm in all {
        let ptr = Arc::as_ptr(&mm);
        if seen.contains(&ptr) {
            continue;
        }
        seen.push(ptr);
        let mut g = mm.inner.lock();
        let mut ranges = alloc::vec::Vec::new();
        for v in g.vmas.iter() {
            let Backing::File { file, offset } = &v.backing else {
                continue;
            };
            if file.inode.key() != (fs, ino) {
                continue;
            }
            // file offset of v.start is `offset`
            let end_off = offset.saturating_add(v.end - v.start);
            if end_off <= first_gone {
                continue;
            }
            let from = if *offset >= first_gone {
                v.start
            } else {
                v.start + (first_gone - offset)
            };
            ranges.push((from, v.end));
        }
        for (s, e) in ranges {
            g.unmap_pages(s, e);
        }
    }
}

/// Whether page `idx` of `inode` holds data already (mincore on a shared
/// mapping: a page another process faulted in is resident).
pub fn is_cached(inode: &Arc<dyn Inode>, idx: u64) -> bool {
    inode.has_page(idx)
}

/// Number of file-data pages (tmpfs and shared anonymous memory).
pub fn cached_pages() -> usize {
    FILE_PAGES.load(Ordering::Relaxed) as usize
}

static SHM_FS: Mutex<Option<Arc<rill_vfs::tmpfs::TmpFs>>> = Mutex::new(None);
static SHM_SEQ: AtomicU64 = AtomicU64::new(0);

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
    let ino = root.create(name.as_bytes(), rill_vfs::FileType::Regular, 0o600, 0, 0, 0)?;
    let _ = root.unlink(name.as_bytes());
    // sized like the mapping (sparse), so no page of it lies beyond EOF
    ino.truncate(len)?;
    Ok(ino)
}

pub const SHMEM_PATH: &str = "/dev/zero (deleted)";
