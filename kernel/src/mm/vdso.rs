//! The vDSO and its data page (vvar), mapped into every process at exec.
//!
//! The vDSO image is built from kernel/vdso/ by kernel/build.rs (gcc, see
//! there why) and copied once into kernel-owned frames; every process maps
//! those same frames read+exec, copy-on-write (a debugger that mprotects and
//! patches it gets its own copy). The vvar page below it is one frame the
//! kernel writes (`crate::time` publishes the clock parameters under a
//! seqlock) and every process maps read-only; it can never be made writable
//! (`VM_NOMAYWRITE`, as Linux's vvar has no `VM_MAYWRITE`).
use super::addrspace::{MmInner, PROT_EXEC, PROT_READ};
use super::paging::{PTE_COW, PTE_NX, PTE_P, PTE_U};
use super::phys::{frame_alloc, frame_ref, frame_unref, frame_write, phys_to_virt};
use alloc::vec::Vec;
use core::sync::atomic::{fence, AtomicU32, Ordering};
use rill_abi::{Errno, KResult};
use rill_mm::{Vma, VM_DONTEXPAND, VM_NOMAYWRITE, VM_PFNMAP};

/// The vDSO shared object (see kernel/vdso/vdso.c).
static IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/vdso.so"));

/// Where the vvar page goes: below the 8 MiB the stack may grow into and its
/// 1 MiB guard gap, above the mmap area (which grows down from
/// `MMAP_BASE`), like Linux's vdso near the stack (Rill has no ASLR).
pub const VVAR_ADDR: u64 = 0x7fff_ff60_0000;
/// The vDSO's ELF header (AT_SYSINFO_EHDR): one page above the vvar page, as
/// kernel/vdso/vdso.c expects.
pub const VDSO_ADDR: u64 = VVAR_ADDR + 4096;

struct Vdso {
    /// Frames holding the image, one per page.
    text: Vec<u64>,
    vvar: u64,
}

static STATE: spin::Once<Option<Vdso>> = spin::Once::new();
/// The vvar page's seqlock counter (the kernel's copy; odd while writing).
static SEQ: spin::Mutex<u32> = spin::Mutex::new(0);

fn alloc_state() -> Option<Vdso> {
    let vvar = frame_alloc().ok()?;
    frame_write(vvar, 0, &[0u8; 4096]);
    let mut text = Vec::new();
    for chunk in IMAGE.chunks(4096) {
        let Ok(pa) = frame_alloc() else {
            text.into_iter().for_each(frame_unref);
            frame_unref(vvar);
            return None;
        };
        let mut page = [0u8; 4096];
        page[..chunk.len()].copy_from_slice(chunk);
        frame_write(pa, 0, &page);
        text.push(pa);
    }
    Some(Vdso { text, vvar })
}

fn state() -> Option<&'static Vdso> {
    STATE.call_once(alloc_state).as_ref()
}

fn text_len() -> u64 {
    (IMAGE.len() as u64).div_ceil(4096) * 4096
}

/// Write `d` (the bytes of `time::VvarData`, kernel/vdso/vvar.h's layout:
/// a u32 sequence counter first) into the vvar page with the seqlock
/// protocol the vDSO's readers follow (seq odd while the rest changes). The
/// first 4 bytes of `d` (its seq) are ignored.
pub fn vvar_update(d: &[u8]) {
    let Some(s) = state() else { return };
    let mut seq = SEQ.lock();
    // SAFETY: `s.vvar` is a kernel-owned frame in the direct map, never
    // freed (STATE holds it forever); its first 4 bytes are the u32 counter,
    // 4-aligned (page-aligned frame). Other CPUs only read it (the user
    // mappings are read-only), so an atomic view of it is sound.
    let ctr = unsafe { &*(phys_to_virt(s.vvar) as *const AtomicU32) };
    *seq = seq.wrapping_add(1) | 1;
    ctr.store(*seq, Ordering::Relaxed);
    fence(Ordering::Release);
    frame_write(s.vvar, 4, d.get(4..).unwrap_or_default());
    fence(Ordering::Release);
    *seq = seq.wrapping_add(1);
    ctr.store(*seq, Ordering::Release);
}

/// Map vvar and the vDSO into a fresh address space; returns the vDSO's
/// address for AT_SYSINFO_EHDR.
pub fn map_into(g: &mut MmInner) -> KResult<u64> {
    let s = state().ok_or(Errno::ENOMEM)?;
    g.vmas.map(Vma::anon(
        VVAR_ADDR,
        VVAR_ADDR + 4096,
        PROT_READ,
        VM_DONTEXPAND | VM_PFNMAP | VM_NOMAYWRITE,
    ))?;
    g.vmas.map(Vma::anon(
        VDSO_ADDR,
        VDSO_ADDR + text_len(),
        PROT_READ | PROT_EXEC,
        VM_DONTEXPAND,
    ))?;
    g.vdso_base = VDSO_ADDR;
    let mut va = VVAR_ADDR;
    for pa in core::iter::once(s.vvar).chain(s.text.iter().copied()) {
        frame_ref(pa);
        let nx = if va == VVAR_ADDR { PTE_NX } else { 0 };
        if let Err(e) = g.pt.set(va, pa | PTE_P | PTE_U | PTE_COW | nx) {
            frame_unref(pa);
            return Err(e);
        }
        va += 4096;
    }
    Ok(VDSO_ADDR)
}

/// The kernel frame behind `page` of the vvar/vDSO VMA `vma` (mapped at
/// exec with base `vdso_base`), to map again after its PTE was dropped
/// (MADV_DONTNEED). Takes a reference for the new PTE. `None` for any other
/// page.
pub fn special_page<B: Clone>(vdso_base: u64, vma: &Vma<B>, page: u64) -> Option<u64> {
    if vdso_base == 0 || vma.flags & VM_DONTEXPAND == 0 {
        return None;
    }
    let s = state()?;
    let pa = if page == vdso_base - 4096 {
        s.vvar
    } else if page >= vdso_base && page < vdso_base + text_len() {
        *s.text.get(((page - vdso_base) / 4096) as usize)?
    } else {
        return None;
    };
    frame_ref(pa);
    Some(pa)
}

/// The name /proc/PID/maps shows for the anonymous VMA `vma`, if it is the
/// vvar page or the vDSO.
pub fn name<B: Clone>(vdso_base: u64, vma: &Vma<B>) -> Option<&'static str> {
    if vdso_base == 0 || vma.flags & VM_DONTEXPAND == 0 {
        None
    } else if vma.start == vdso_base - 4096 {
        Some("[vvar]")
    } else if vma.start == vdso_base {
        Some("[vdso]")
    } else {
        None
    }
}
