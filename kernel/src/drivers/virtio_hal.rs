//! What `virtio-drivers` needs from the kernel: `Hal` over `mm::dma` and
//! `mm::mmio`, and configuration-space access over the PCI ports.
//!
//! Invariants the `unsafe` here relies on:
//! - `dma_alloc` returns a `DmaBuffer` given up with `into_raw`: zeroed,
//!   page-aligned, physically contiguous heap memory reached through the
//!   direct map, which nothing else references until `dma_dealloc` takes it
//!   back with `from_raw` (the crate passes back exactly what it got).
//! - `mmio_phys_to_virt` returns the MMIO window mapping of a BAR range
//!   (uncached, never unmapped). The driver maps every BAR it hands the
//!   crate before creating the transport, so the mapping here only finds
//!   the existing one.
//! - `share` is only given heap memory (the driver's DMA buffers, the
//!   crate's own allocations), whose physical address is its direct-map
//!   address minus the base; x86 DMA is coherent and there is no IOMMU, so
//!   `unshare` has nothing to do.
use super::pci::Bdf;
use crate::mm::dma::DmaBuffer;
use crate::mm::{mmio, phys};
use core::ptr::NonNull;
use virtio_drivers::transport::pci::bus::{ConfigurationAccess, DeviceFunction};
use virtio_drivers::{BufferDirection, Hal, PhysAddr};

pub struct RillHal;

// SAFETY: see the module comment: the returned pointers are valid, aligned,
// unaliased memory (DMA) or the device's own mapping (MMIO).
unsafe impl Hal for RillHal {
    fn dma_alloc(pages: usize, _dir: BufferDirection) -> (PhysAddr, NonNull<u8>) {
        let Some(len) = pages.checked_mul(4096) else {
            return (0, NonNull::dangling());
        };
        match DmaBuffer::alloc(len) {
            Ok(b) => {
                let (pa, _) = b.into_raw();
                let va = phys::phys_to_virt(pa) as *mut u8;
                match NonNull::new(va) {
                    Some(p) => (pa, p),
                    None => (0, NonNull::dangling()),
                }
            }
            // the crate turns a zero address into Error::DmaError
            Err(_) => (0, NonNull::dangling()),
        }
    }

    unsafe fn dma_dealloc(paddr: PhysAddr, _vaddr: NonNull<u8>, pages: usize) -> i32 {
        drop(DmaBuffer::from_raw(paddr, pages * 4096));
        0
    }

    unsafe fn mmio_phys_to_virt(paddr: PhysAddr, size: usize) -> NonNull<u8> {
        let va = mmio::map(paddr, size as u64).map(|r| r.virt()).unwrap_or(0);
        match NonNull::new(va as *mut u8) {
            Some(p) => p,
            // unreachable in practice: the driver mapped the BARs first
            None => crate::kpanic("virtio: cannot map a BAR the driver had mapped"),
        }
    }

    unsafe fn share(buffer: NonNull<[u8]>, _dir: BufferDirection) -> PhysAddr {
        let va = buffer.as_ptr() as *mut u8 as u64;
        match phys::direct_virt_to_phys(va) {
            Some(pa) => pa,
            None => crate::kpanic("virtio: a buffer outside the direct map was shared"),
        }
    }

    unsafe fn unshare(_paddr: PhysAddr, _buffer: NonNull<[u8]>, _dir: BufferDirection) {}
}

/// Configuration space through the PCI ports (`drivers::pci`).
pub struct PortCam;

fn bdf(d: DeviceFunction) -> Bdf {
    Bdf {
        bus: d.bus,
        dev: d.device,
        func: d.function,
    }
}

impl ConfigurationAccess for PortCam {
    fn read_word(&self, d: DeviceFunction, off: u8) -> u32 {
        bdf(d).read32(off as u16)
    }
    fn write_word(&mut self, d: DeviceFunction, off: u8, data: u32) {
        bdf(d).write32(off as u16, data)
    }
    unsafe fn unsafe_clone(&self) -> Self {
        PortCam
    }
}
