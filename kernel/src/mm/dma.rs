//! DMA buffers: physically contiguous, zeroed, page-aligned memory from the
//! kernel heap (which is all of RAM, mapped 1:1 at `DIRECT_MAP`, so a heap
//! block is contiguous in physical memory too). The device gets the physical
//! address; the kernel reaches the bytes through the direct map as a safe
//! slice. Freed when dropped. x86 DMA is cache-coherent, so there is no
//! flushing; without an IOMMU the bus address is the physical address.
//!
//! Shaped for `virtio-drivers`' `Hal`: `dma_alloc(pages)` is
//! `DmaBuffer::alloc(pages * 4096)` + `into_raw`, `dma_dealloc` is
//! `from_raw` + drop, `mmio_phys_to_virt` is `mm::mmio::map`, and
//! `share`/`unshare` of a heap buffer is `phys::direct_virt_to_phys`.
use super::phys::{self, PAGE_SIZE};
use core::alloc::Layout;
use rill_abi::{Errno, KResult};

pub struct DmaBuffer {
    pa: u64,
    len: usize,
}

fn layout(len: usize) -> KResult<Layout> {
    let size = len
        .checked_next_multiple_of(PAGE_SIZE as usize)
        .ok_or(Errno::ENOMEM)?;
    Layout::from_size_align(size.max(PAGE_SIZE as usize), PAGE_SIZE as usize)
        .map_err(|_| Errno::ENOMEM)
}

impl DmaBuffer {
    /// `len` bytes (rounded up to whole pages), zeroed; ENOMEM when no
    /// contiguous block that large is free.
    pub fn alloc(len: usize) -> KResult<DmaBuffer> {
        let l = layout(len)?;
        let pa = phys::alloc_contiguous(l)?;
        Ok(DmaBuffer { pa, len: l.size() })
    }
    /// Bus address of the first byte.
    pub fn phys(&self) -> u64 {
        self.pa
    }
    /// Length in bytes (whole pages).
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn as_slice(&self) -> &[u8] {
        phys::contiguous_slice(self.pa, self.len)
    }
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        phys::contiguous_slice_mut(self.pa, self.len)
    }
    /// Give up ownership (a driver library keeps the address): (physical
    /// address, length). `from_raw` takes it back.
    pub fn into_raw(self) -> (u64, usize) {
        let r = (self.pa, self.len);
        core::mem::forget(self);
        r
    }
    /// Re-own a buffer from `into_raw`. The caller must pass exactly what
    /// `into_raw` returned, once: this is the `Hal::dma_dealloc` contract.
    pub fn from_raw(pa: u64, len: usize) -> DmaBuffer {
        DmaBuffer { pa, len }
    }
}

impl Drop for DmaBuffer {
    fn drop(&mut self) {
        if let Ok(l) = layout(self.len) {
            phys::free_contiguous(self.pa, l);
        }
    }
}
