//! Pages of regular-file data, as the kernel maps them into user space.
//!
//! tmpfs keeps file data in [`PageRef`]s: reference-counted page handles
//! made by the allocator the kernel installs with [`set_page_alloc`]. In the
//! kernel a page is a physical frame ([`PageFrame::frame`]) that `MAP_SHARED`
//! mappings map as it is and `MAP_PRIVATE` ones map copy-on-write, so
//! `read`/`write` and mappings see the same bytes without copying. A page
//! dropped by the file (truncation, the file's end) lives on while mapped;
//! the kernel unmaps such pages when told through [`set_truncate_hook`].
//!
//! Without a kernel (host tests) pages are plain heap buffers.
use alloc::boxed::Box;
use alloc::sync::Arc;
use rill_abi::KResult;
use spin::Mutex;

pub const PAGE_SIZE: usize = 4096;

/// One page of file data. Offsets and lengths are clipped to the page.
pub trait PageFrame: Send + Sync {
    /// Copy bytes at `off` into `buf`.
    fn read(&self, off: usize, buf: &mut [u8]);
    /// Copy `data` to `off`.
    fn write(&self, off: usize, data: &[u8]);
    /// Zero the bytes from `off` to the end of the page.
    fn zero_from(&self, off: usize) {
        let z = [0u8; PAGE_SIZE];
        if let Some(t) = z.get(off..) {
            self.write(off, t);
        }
    }
    /// The physical address of the page, if the kernel can map it.
    fn frame(&self) -> Option<u64> {
        None
    }
}

pub type PageRef = Arc<dyn PageFrame>;

/// A heap page: the allocator used until the kernel installs its own.
struct HeapPage(Mutex<Box<[u8; PAGE_SIZE]>>);

impl PageFrame for HeapPage {
    fn read(&self, off: usize, buf: &mut [u8]) {
        let p = self.0.lock();
        let src = p.get(off.min(PAGE_SIZE)..).unwrap_or(&[]);
        let n = src.len().min(buf.len());
        buf[..n].copy_from_slice(&src[..n]);
    }
    fn write(&self, off: usize, data: &[u8]) {
        let mut p = self.0.lock();
        let dst = p.get_mut(off.min(PAGE_SIZE)..).unwrap_or(&mut []);
        let n = dst.len().min(data.len());
        dst[..n].copy_from_slice(&data[..n]);
    }
}

fn heap_page() -> KResult<PageRef> {
    Ok(Arc::new(HeapPage(Mutex::new(Box::new([0; PAGE_SIZE])))))
}

fn no_hook(_fs: u64, _ino: u64, _size: u64) {}

static ALLOC: Mutex<fn() -> KResult<PageRef>> = Mutex::new(heap_page);
static TRUNCATE: Mutex<fn(u64, u64, u64)> = Mutex::new(no_hook);

/// Install the page allocator (the kernel: page frames). Pages must come
/// zeroed.
pub fn set_page_alloc(f: fn() -> KResult<PageRef>) {
    *ALLOC.lock() = f;
}

/// A new zeroed page from the installed allocator.
pub fn alloc_page() -> KResult<PageRef> {
    let f = *ALLOC.lock();
    f()
}

/// Install the hook told that file `(fs, ino)` shrank to `size` bytes:
/// mapped pages wholly past the new end must go (later access: SIGBUS).
pub fn set_truncate_hook(f: fn(u64, u64, u64)) {
    *TRUNCATE.lock() = f;
}

pub(crate) fn notify_truncate(fs: u64, ino: u64, size: u64) {
    let f = *TRUNCATE.lock();
    f(fs, ino, size)
}
