//! Pages of regular-file data, as the kernel maps them into user space.
//!
//! tmpfs keeps file data in [`PageRef`]s: counted references to pages that
//! the [`PageOps`] the kernel installs with [`set_page_ops`] manages. In the
//! kernel a page is a physical frame (its handle is its physical address,
//! its count the frame's reference count) that `MAP_SHARED` mappings map as
//! it is and `MAP_PRIVATE` ones map copy-on-write, so `read`/`write` and
//! mappings see the same bytes without copying. A page dropped by the file
//! (truncation, the file's end) lives on while mapped; the kernel unmaps such
//! pages when told through [`set_truncate_hook`].
//!
//! A `PageRef` is just the handle (no allocation of its own per page): file
//! data costs the pages and the tmpfs index, nothing more. Without a kernel
//! (host tests) pages are heap buffers in a table ([`HeapPages`]).
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use rill_abi::KResult;
use spin::Mutex;

pub const PAGE_SIZE: usize = 4096;

/// What backs [`PageRef`]s. Offsets and lengths are clipped to the page.
pub trait PageOps: Send + Sync {
    /// A new zeroed page with one reference; its handle.
    fn alloc(&self) -> KResult<u64>;
    /// One more reference to `h`.
    fn get(&self, h: u64);
    /// Drop a reference to `h` (the last one frees it).
    fn put(&self, h: u64);
    fn read(&self, h: u64, off: usize, buf: &mut [u8]);
    fn write(&self, h: u64, off: usize, data: &[u8]);
    /// The physical address of the page, if the kernel can map it.
    fn frame(&self, _h: u64) -> Option<u64> {
        None
    }
}

/// A heap page and its reference count.
type HeapPage = (u32, Box<[u8; PAGE_SIZE]>);

/// Heap pages for host tests (the default until the kernel installs its
/// own): a table of reference-counted buffers (and the last handle given).
pub struct HeapPages {
    pages: Mutex<(u64, BTreeMap<u64, HeapPage>)>,
}

impl PageOps for HeapPages {
    fn alloc(&self) -> KResult<u64> {
        let mut g = self.pages.lock();
        g.0 += 1;
        let h = g.0;
        g.1.insert(h, (1, Box::new([0; PAGE_SIZE])));
        Ok(h)
    }
    fn get(&self, h: u64) {
        if let Some(p) = self.pages.lock().1.get_mut(&h) {
            p.0 += 1;
        }
    }
    fn put(&self, h: u64) {
        let mut g = self.pages.lock();
        let last = match g.1.get_mut(&h) {
            Some(p) => {
                p.0 -= 1;
                p.0 == 0
            }
            None => false,
        };
        if last {
            g.1.remove(&h);
        }
    }
    fn read(&self, h: u64, off: usize, buf: &mut [u8]) {
        let g = self.pages.lock();
        let src =
            g.1.get(&h)
                .and_then(|p| p.1.get(off.min(PAGE_SIZE)..))
                .unwrap_or(&[]);
        let n = src.len().min(buf.len());
        buf[..n].copy_from_slice(&src[..n]);
    }
    fn write(&self, h: u64, off: usize, data: &[u8]) {
        let mut g = self.pages.lock();
        if let Some(dst) =
            g.1.get_mut(&h)
                .and_then(|p| p.1.get_mut(off.min(PAGE_SIZE)..))
        {
            let n = dst.len().min(data.len());
            dst[..n].copy_from_slice(&data[..n]);
        }
    }
}

static HEAP_PAGES: HeapPages = HeapPages {
    pages: Mutex::new((0, BTreeMap::new())),
};

static OPS: spin::Once<&'static dyn PageOps> = spin::Once::new();

fn ops() -> &'static dyn PageOps {
    *OPS.call_once(|| &HEAP_PAGES)
}

/// Install the page backend (the kernel: page frames). Must come before
/// any file data is written; returns false (and changes nothing) after.
pub fn set_page_ops(o: &'static dyn PageOps) -> bool {
    let mut set = false;
    OPS.call_once(|| {
        set = true;
        o
    });
    set
}

/// One counted reference to a page of file data.
#[derive(Debug, PartialEq, Eq)]
pub struct PageRef(u64);

impl PageRef {
    /// A new zeroed page.
    pub fn new() -> KResult<PageRef> {
        ops().alloc().map(PageRef)
    }
    pub fn read(&self, off: usize, buf: &mut [u8]) {
        ops().read(self.0, off, buf)
    }
    pub fn write(&self, off: usize, data: &[u8]) {
        ops().write(self.0, off, data)
    }
    /// Zero the bytes from `off` to the end of the page.
    pub fn zero_from(&self, off: usize) {
        let z = [0u8; PAGE_SIZE];
        if let Some(t) = z.get(off..) {
            self.write(off, t);
        }
    }
    /// The physical address of the page, if the kernel can map it.
    pub fn frame(&self) -> Option<u64> {
        ops().frame(self.0)
    }
}

impl Clone for PageRef {
    fn clone(&self) -> Self {
        ops().get(self.0);
        PageRef(self.0)
    }
}

impl Drop for PageRef {
    fn drop(&mut self) {
        ops().put(self.0)
    }
}

fn no_hook(_fs: u64, _ino: u64, _size: u64) {}

static TRUNCATE: Mutex<fn(u64, u64, u64)> = Mutex::new(no_hook);

/// Install the hook told that file `(fs, ino)` shrank to `size` bytes:
/// mapped pages wholly past the new end must go (later access: SIGBUS).
pub fn set_truncate_hook(f: fn(u64, u64, u64)) {
    *TRUNCATE.lock() = f;
}

pub(crate) fn notify_truncate(fs: u64, ino: u64, size: u64) {
    let f = *TRUNCATE.lock();
    f(fs, ino, size)
}
