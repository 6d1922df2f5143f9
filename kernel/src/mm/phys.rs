//! Physical memory: the direct map, the kernel heap and page frames.
//!
//! All usable RAM goes to one buddy allocator (the kernel heap). A page frame
//! is a 4 KiB-aligned heap block; its physical address is its direct-map
//! address minus `DIRECT_MAP`. Frames that user page tables point to carry a
//! reference count (copy-on-write sharing) in `FRAME_REFS`, indexed by PFN.
//!
//! Invariant: every physical address handed to the accessors below lies in
//! RAM covered by the direct map, and frames are only reused after their
//! reference count dropped to zero.
#![allow(clippy::missing_safety_doc)]
use alloc::vec::Vec;
use core::alloc::Layout;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use rill_abi::{Errno, KResult};

pub const DIRECT_MAP: u64 = 0xffff_8000_0000_0000;
pub const PAGE_SIZE: u64 = 4096;

#[global_allocator]
static HEAP: buddy_system_allocator::LockedHeap<33> = buddy_system_allocator::LockedHeap::empty();

static FRAME_REFS: spin::Once<Vec<AtomicU32>> = spin::Once::new();
pub static TOTAL_RAM: AtomicU64 = AtomicU64::new(0);
pub static FRAMES_IN_USE: AtomicU64 = AtomicU64::new(0);

pub fn phys_to_virt(pa: u64) -> u64 {
    pa + DIRECT_MAP
}
pub fn virt_to_phys(va: u64) -> u64 {
    va - DIRECT_MAP
}

/// Give the RAM range [start, end) (physical) to the heap.
pub fn add_ram(start: u64, end: u64) {
    let start = (start + PAGE_SIZE - 1) & !(PAGE_SIZE - 1);
    let end = end & !(PAGE_SIZE - 1);
    if end <= start {
        return;
    }
    TOTAL_RAM.fetch_add(end - start, Ordering::Relaxed);
    // SAFETY: the range is unused RAM reachable through the direct map (the
    // caller excluded the kernel image, the initrd and firmware areas).
    unsafe {
        HEAP.lock()
            .add_to_heap(phys_to_virt(start) as usize, phys_to_virt(end) as usize);
    }
}

/// The end of RAM (the direct map covers at least this much).
static TOTAL_RAM_TOP: AtomicU64 = AtomicU64::new(0);

pub fn init_frame_refs(max_phys: u64) {
    TOTAL_RAM_TOP.store(max_phys, Ordering::Relaxed);
    FRAME_REFS.call_once(|| {
        let n = (max_phys / PAGE_SIZE) as usize;
        let mut v = Vec::with_capacity(n);
        v.resize_with(n, || AtomicU32::new(0));
        v
    });
}

pub fn heap_stats() -> (usize, usize) {
    let h = HEAP.lock();
    (h.stats_total_bytes(), h.stats_alloc_actual())
}

fn refs(pa: u64) -> Option<&'static AtomicU32> {
    FRAME_REFS.get()?.get((pa / PAGE_SIZE) as usize)
}

const FRAME: Layout = match Layout::from_size_align(4096, 4096) {
    Ok(l) => l,
    Err(_) => panic!(),
};

/// A zero-filled frame with reference count 1.
pub fn frame_alloc() -> KResult<u64> {
    // SAFETY: FRAME is a valid non-zero-size layout.
    let p = unsafe { alloc::alloc::alloc_zeroed(FRAME) };
    if p.is_null() {
        return Err(Errno::ENOMEM);
    }
    let pa = virt_to_phys(p as u64);
    if let Some(r) = refs(pa) {
        r.store(1, Ordering::Relaxed);
    }
    FRAMES_IN_USE.fetch_add(1, Ordering::Relaxed);
    Ok(pa)
}

pub fn frame_ref(pa: u64) {
    if let Some(r) = refs(pa) {
        r.fetch_add(1, Ordering::Relaxed);
    }
}

pub fn frame_refcount(pa: u64) -> u32 {
    refs(pa).map(|r| r.load(Ordering::Relaxed)).unwrap_or(1)
}

/// Drop one reference; frees the frame when none are left.
pub fn frame_unref(pa: u64) {
    let Some(r) = refs(pa) else { return };
    if r.fetch_sub(1, Ordering::AcqRel) == 1 && !crate::arch::smp::defer_free(pa) {
        free_frame_now(pa);
    }
}

/// Return a frame whose reference count is zero to the heap (another CPU
/// may have had a stale TLB entry for it: see `arch::smp::defer_free`).
pub fn free_frame_now(pa: u64) {
    FRAMES_IN_USE.fetch_sub(1, Ordering::Relaxed);
    // SAFETY: the frame came from frame_alloc, its reference count is zero
    // and no CPU can still reach it through a TLB entry.
    unsafe { alloc::alloc::dealloc(phys_to_virt(pa) as *mut u8, FRAME) };
}

/// A zeroed, physically contiguous heap block (for `mm::dma`): its physical
/// address.
pub fn alloc_contiguous(l: Layout) -> KResult<u64> {
    if l.size() == 0 {
        return Err(Errno::EINVAL);
    }
    // SAFETY: non-zero-size layout (checked).
    let p = unsafe { alloc::alloc::alloc_zeroed(l) };
    if p.is_null() {
        return Err(Errno::ENOMEM);
    }
    Ok(virt_to_phys(p as u64))
}

/// Free a block from `alloc_contiguous` with the same layout.
pub fn free_contiguous(pa: u64, l: Layout) {
    // SAFETY: `pa` came from alloc_contiguous(l) (the DmaBuffer contract)
    // and is freed once.
    unsafe { alloc::alloc::dealloc(phys_to_virt(pa) as *mut u8, l) }
}

/// The bytes of a block from `alloc_contiguous`, through the direct map.
pub fn contiguous_slice(pa: u64, len: usize) -> &'static [u8] {
    // SAFETY: a live heap block of at least `len` bytes owned by the caller
    // (a DmaBuffer, which ties the lifetime to itself).
    unsafe { core::slice::from_raw_parts(phys_to_virt(pa) as *const u8, len) }
}
/// As `contiguous_slice`, writable (the DmaBuffer's `&mut self`).
pub fn contiguous_slice_mut(pa: u64, len: usize) -> &'static mut [u8] {
    // SAFETY: as contiguous_slice; the owner hands out one `&mut` at a time.
    unsafe { core::slice::from_raw_parts_mut(phys_to_virt(pa) as *mut u8, len) }
}

/// The physical address behind a direct-map address (a heap buffer a driver
/// library wants to share with a device), if it is one.
pub fn direct_virt_to_phys(va: u64) -> Option<u64> {
    let top = TOTAL_RAM_TOP.load(Ordering::Relaxed);
    (va >= DIRECT_MAP && va - DIRECT_MAP < top).then(|| va - DIRECT_MAP)
}

/// Copy `data` into frame `pa` at `off` (bounds clipped to the page).
pub fn frame_write(pa: u64, off: usize, data: &[u8]) {
    let off = off.min(4096);
    let n = data.len().min(4096 - off);
    // SAFETY: pa is a frame in the direct map; [off, off+n) is inside it.
    unsafe {
        core::ptr::copy_nonoverlapping(data.as_ptr(), (phys_to_virt(pa) as *mut u8).add(off), n);
    }
}

/// Appends bytes `[off, off + n)` of frame `pa` to `out` (one copy, no zero fill).
pub fn frame_append(pa: u64, off: usize, n: usize, out: &mut alloc::vec::Vec<u8>) {
    let off = off.min(4096);
    let n = n.min(4096 - off);
    // SAFETY: as frame_write: [off, off+n) lies inside the frame, which the direct
    // map covers; the slice lives only for this copy.
    let src = unsafe { core::slice::from_raw_parts((phys_to_virt(pa) as *const u8).add(off), n) };
    out.extend_from_slice(src);
}

pub fn frame_read(pa: u64, off: usize, out: &mut [u8]) {
    let off = off.min(4096);
    let n = out.len().min(4096 - off);
    // SAFETY: as frame_write.
    unsafe {
        core::ptr::copy_nonoverlapping(
            (phys_to_virt(pa) as *const u8).add(off),
            out.as_mut_ptr(),
            n,
        );
    }
}

pub fn frame_copy(dst: u64, src: u64) {
    // SAFETY: two distinct frames in the direct map.
    unsafe {
        core::ptr::copy_nonoverlapping(
            phys_to_virt(src) as *const u8,
            phys_to_virt(dst) as *mut u8,
            4096,
        );
    }
}

/// Read a physical range (firmware structures, the initrd) into a slice
/// view. Only for boot-time data that stays put while the slice lives.
pub fn boot_slice(pa: u64, len: usize) -> &'static [u8] {
    // SAFETY: boot-time physical data covered by the direct map, not
    // released to the heap while in use (the caller's contract).
    unsafe { core::slice::from_raw_parts(phys_to_virt(pa) as *const u8, len) }
}

// Symbols the precompiled core/alloc need on this target. Their safety
// contracts are those of the C functions of the same names (hence the
// module-wide allow of clippy::missing_safety_doc above).
//
// Quadword string moves for the bulk, bytes for the rest: under QEMU's TCG
// every iteration of a `rep` string instruction is a pass through a
// translation block, so `rep movsb` costs as much per byte as `rep movsq`
// costs per eight (the network path copies every byte several times).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
    // SAFETY: caller contract of memcpy; the string moves do not call memcpy.
    // movsq moves n/8 quadwords forward, then movsb the n%8 bytes left.
    unsafe {
        core::arch::asm!(
            "rep movsq",
            "mov rcx, {rest}",
            "rep movsb",
            rest = in(reg) n & 7,
            inout("rcx") n >> 3 => _,
            inout("rdi") d => _,
            inout("rsi") s => _,
            options(nostack)
        );
    }
    d
}
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
    if n == 0 {
        return d;
    }
    // SAFETY: caller contract of memmove.
    unsafe {
        if (d as usize) <= (s as usize) || (d as usize) >= (s as usize + n) {
            memcpy(d, s, n);
        } else {
            // overlapping with the destination above: backwards, the n%8 top
            // bytes first, then the quadwords below them
            core::arch::asm!(
                "std",
                "rep movsb",
                "sub rsi, 7",
                "sub rdi, 7",
                "mov rcx, {q}",
                "rep movsq",
                "cld",
                q = in(reg) n >> 3,
                inout("rcx") n & 7 => _,
                inout("rdi") d.add(n - 1) => _,
                inout("rsi") s.add(n - 1) => _,
                options(nostack)
            );
        }
    }
    d
}
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(d: *mut u8, c: i32, n: usize) -> *mut u8 {
    // SAFETY: caller contract of memset; the byte repeated in all of rax.
    unsafe {
        core::arch::asm!(
            "rep stosq",
            "mov rcx, {rest}",
            "rep stosb",
            rest = in(reg) n & 7,
            inout("rcx") n >> 3 => _,
            inout("rdi") d => _,
            in("rax") (c as u8 as u64).wrapping_mul(0x0101_0101_0101_0101),
            options(nostack)
        );
    }
    d
}
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: caller contract of memcmp.
        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
        if x != y {
            return x as i32 - y as i32;
        }
    }
    0
}
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: same contract as memcmp.
    unsafe { memcmp(a, b, n) }
}
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strlen(s: *const u8) -> usize {
    let mut n = 0;
    // SAFETY: caller passes a NUL-terminated string.
    while unsafe { *s.add(n) } != 0 {
        n += 1;
    }
    n
}
