//! Memory management: physical frames and heap (`phys`), page tables
//! (`paging`), and per-process address spaces (`addrspace`).
pub mod addrspace;
pub mod dma;
// volatile access to device registers (the driver transport's MMIO)
#[allow(unsafe_code)]
pub mod mmio;
pub mod pagecache;
// page-table entries through the direct map; the boot page-table pages
#[allow(unsafe_code)]
pub mod paging;
// the heap and page frames: raw allocation, copies through the direct map,
// and the mem* symbols core needs
#[allow(unsafe_code)]
pub mod phys;
// an atomic view of the vvar page's sequence counter (shared with user mode)
#[allow(unsafe_code)]
pub mod vdso;

pub use addrspace::{AddrSpace, MapFile};
