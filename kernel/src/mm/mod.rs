//! Memory management: physical frames and heap (`phys`), page tables
//! (`paging`), and per-process address spaces (`addrspace`).
pub mod addrspace;
pub mod dma;
pub mod mmio;
pub mod pagecache;
pub mod paging;
pub mod phys;
pub mod vdso;

pub use addrspace::{AddrSpace, MapFile};
