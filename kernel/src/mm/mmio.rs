//! Device memory: mapping physical MMIO ranges (PCI BARs anywhere in the
//! physical address space, the local and I/O APICs) into the kernel's MMIO
//! window, uncached, and reaching their registers through a bounds-checked
//! typed accessor.
//!
//! A mapping lives as long as the kernel (Linux's `ioremap` without
//! `iounmap`): window pages are never remapped, so there is never a stale
//! translation to shoot down. Mapping a range that an earlier call already
//! covers returns a view of the same pages, so a driver re-probing a device
//! costs nothing. Like Linux, the direct map is not a way to reach devices
//! (it is uncached only for 3-4 GiB, for the boot tables' sake).
use super::paging::{self, MMIO_BASE, MMIO_SIZE};
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use spin::Mutex;

/// Physical addresses the CPU can generate (52 bits on x86_64).
const PHYS_LIMIT: u64 = 1 << 52;

struct Window {
    /// Next free virtual address.
    next: u64,
    /// (first physical page, pages, virtual address) of every mapping.
    maps: Vec<(u64, u64, u64)>,
}

static WINDOW: Mutex<Window> = Mutex::new(Window {
    next: MMIO_BASE,
    maps: Vec::new(),
});

/// A mapped device register range. Cheap to copy; every access is checked
/// against the range and for natural alignment, so a wrong offset cannot
/// reach memory outside the device.
#[derive(Clone, Copy, Debug)]
pub struct MmioRegion {
    va: u64,
    pa: u64,
    len: u64,
}

/// Map `len` bytes of device memory at physical `pa` (any alignment; the
/// pages around it are mapped).
pub fn map(pa: u64, len: u64) -> KResult<MmioRegion> {
    let end = pa.checked_add(len).ok_or(Errno::EINVAL)?;
    if len == 0 || end > PHYS_LIMIT {
        return Err(Errno::EINVAL);
    }
    let first = pa & !0xfff;
    let pages = (end - first).div_ceil(4096);
    let mut w = WINDOW.lock();
    let found = w
        .maps
        .iter()
        .find(|&&(p, n, _)| p <= first && first + pages * 4096 <= p + n * 4096)
        .map(|&(p, _, va)| va + (first - p));
    let base = match found {
        Some(va) => va,
        None => {
            let va = w.next;
            if va + pages * 4096 > MMIO_BASE + MMIO_SIZE {
                return Err(Errno::ENOMEM);
            }
            for i in 0..pages {
                paging::map_device_page(va + i * 4096, first + i * 4096)?;
            }
            w.next = va + pages * 4096;
            w.maps.push((first, pages, va));
            va
        }
    };
    Ok(MmioRegion {
        va: base + (pa - first),
        pa,
        len,
    })
}

impl MmioRegion {
    pub fn phys(&self) -> u64 {
        self.pa
    }
    pub fn len(&self) -> u64 {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The kernel virtual address of the start (for `virtio-drivers`'
    /// `Hal::mmio_phys_to_virt`).
    pub fn virt(&self) -> u64 {
        self.va
    }
    /// A sub-range (a BAR's capability structure), checked.
    pub fn sub(&self, off: u64, len: u64) -> Option<MmioRegion> {
        let end = off.checked_add(len)?;
        (end <= self.len).then_some(MmioRegion {
            va: self.va + off,
            pa: self.pa + off,
            len,
        })
    }

    fn addr(&self, off: u64, size: u64) -> Option<u64> {
        let end = off.checked_add(size)?;
        (end <= self.len && (self.va + off).is_multiple_of(size)).then_some(self.va + off)
    }

    pub fn try_read32(&self, off: u64) -> Option<u32> {
        let a = self.addr(off, 4)?;
        // SAFETY: `a` is inside this region (checked), which `map` mapped
        // uncached and never unmaps; aligned for the access.
        Some(unsafe { (a as *const u32).read_volatile() })
    }
    pub fn try_write32(&self, off: u64, v: u32) -> Option<()> {
        let a = self.addr(off, 4)?;
        // SAFETY: as try_read32.
        unsafe { (a as *mut u32).write_volatile(v) };
        Some(())
    }
    pub fn try_read8(&self, off: u64) -> Option<u8> {
        let a = self.addr(off, 1)?;
        // SAFETY: as try_read32.
        Some(unsafe { (a as *const u8).read_volatile() })
    }
    pub fn try_write8(&self, off: u64, v: u8) -> Option<()> {
        let a = self.addr(off, 1)?;
        // SAFETY: as try_read32.
        unsafe { (a as *mut u8).write_volatile(v) };
        Some(())
    }
    pub fn try_read16(&self, off: u64) -> Option<u16> {
        let a = self.addr(off, 2)?;
        // SAFETY: as try_read32.
        Some(unsafe { (a as *const u16).read_volatile() })
    }
    pub fn try_write16(&self, off: u64, v: u16) -> Option<()> {
        let a = self.addr(off, 2)?;
        // SAFETY: as try_read32.
        unsafe { (a as *mut u16).write_volatile(v) };
        Some(())
    }
    pub fn try_read64(&self, off: u64) -> Option<u64> {
        let a = self.addr(off, 8)?;
        // SAFETY: as try_read32.
        Some(unsafe { (a as *const u64).read_volatile() })
    }
    pub fn try_write64(&self, off: u64, v: u64) -> Option<()> {
        let a = self.addr(off, 8)?;
        // SAFETY: as try_read32.
        unsafe { (a as *mut u64).write_volatile(v) };
        Some(())
    }

    /// A register read; an offset outside the region (a driver bug) reads
    /// all ones, as a bus read of nothing does, and is logged once.
    pub fn read32(&self, off: u64) -> u32 {
        self.try_read32(off).unwrap_or_else(|| {
            bad_access(self, off);
            u32::MAX
        })
    }
    /// A register write; one outside the region is dropped and logged.
    pub fn write32(&self, off: u64, v: u32) {
        if self.try_write32(off, v).is_none() {
            bad_access(self, off);
        }
    }
}

fn bad_access(r: &MmioRegion, off: u64) {
    static ONCE: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);
    if !ONCE.swap(true, core::sync::atomic::Ordering::Relaxed) {
        kwarn!(
            "mmio: access at offset {:#x} outside or misaligned in [{:#x}, +{:#x})",
            off,
            r.pa,
            r.len
        );
    }
}
