//! User FPU/SIMD state: XSAVE setup on each CPU and the per-task save area.
//!
//! At boot `init_cpu` enables XSAVE when the CPU has it (CR4.OSXSAVE) and
//! sets XCR0 to the user-state components Rill saves (x87, SSE, AVX, and the
//! three AVX-512 components together when all exist); CPUID then tells user
//! space the truth (OSXSAVE, XGETBV), so programs may use the AVX registers.
//! The entry code (entry.S) saves the whole user state with `xsave64` on every
//! kernel entry from ring 3, before any Rust (the kernel's own code uses SSE)
//! runs, and reloads it with `xrstor64` on the way out; CPUs without XSAVE
//! keep `fxsave64`/`fxrstor64`. The image layout, the initial state and the
//! signal-frame rules are in the host-tested `rill_xstate` crate.

use alloc::boxed::Box;
use alloc::vec;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use rill_xstate::Config;

/// Read by entry.S: non-zero when the save area is an XSAVE image
/// (saved with `xsave64`, loaded with `xrstor64`), zero for FXSAVE.
#[unsafe(no_mangle)]
pub static RILL_FPU_XSAVE: AtomicU8 = AtomicU8::new(0);

static CONFIGURED: AtomicBool = AtomicBool::new(false);
static XCR0: AtomicU64 = AtomicU64::new(rill_xstate::XFEATURE_MASK_FPSSE);
static SIZE: AtomicUsize = AtomicUsize::new(rill_xstate::FXSAVE_SIZE);
static MXCSR_MASK: AtomicU32 = AtomicU32::new(rill_xstate::MXCSR_MASK_DEFAULT);

const CPUID1_ECX_XSAVE: u32 = 1 << 26;
const CR4_OSXSAVE: u64 = 1 << 18;

/// How the user state is saved (fixed by the boot CPU's `init_cpu`).
pub fn config() -> Config {
    Config {
        xsave: RILL_FPU_XSAVE.load(Ordering::Relaxed) != 0,
        xcr0: XCR0.load(Ordering::Relaxed),
        size: SIZE.load(Ordering::Relaxed),
        mxcsr_mask: MXCSR_MASK.load(Ordering::Relaxed),
    }
}

/// `rill.fpu=fxsave` (set by boot before the first `init_cpu`).
static FORCE_FXSAVE: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

pub fn set_force_fxsave(on: bool) {
    FORCE_FXSAVE.store(on, Ordering::Relaxed);
}

/// Enable the FPU state components on this CPU. The first call (boot CPU,
/// before any task exists) fixes the configuration; later calls (other
/// CPUs) program the same XCR0, so every task area fits every CPU.
pub fn init_cpu() {
    let first = !CONFIGURED.swap(true, Ordering::AcqRel);
    let mxcsr_mask = match read_mxcsr_mask() {
        0 => rill_xstate::MXCSR_MASK_DEFAULT,
        m => m,
    };
    // `rill.fpu=fxsave` keeps the legacy FXSAVE path (and XSAVE off, as
    // Linux's `noxsave`), for comparison and to exercise the fallback
    let off = FORCE_FXSAVE.load(Ordering::Relaxed);
    if off || super::cpu::cpuid(1, 0).2 & CPUID1_ECX_XSAVE == 0 {
        if first {
            MXCSR_MASK.store(mxcsr_mask, Ordering::Relaxed);
            kinfo!("fpu: XSAVE off, using FXSAVE (512 bytes)");
        }
        return;
    }
    write_cr4(read_cr4() | CR4_OSXSAVE);
    let (eax, _, _, edx) = super::cpu::cpuid(0xd, 0);
    let supported = eax as u64 | (edx as u64) << 32;
    let xcr0 = if first {
        rill_xstate::choose_xcr0(supported)
    } else {
        // same components as the boot CPU; a CPU lacking one would fault on
        // XSETBV, so keep what it has (identical CPUs in practice)
        XCR0.load(Ordering::Relaxed) & supported
    };
    xsetbv(0, xcr0);
    // EBX: bytes of the standard-format image for the components now in XCR0
    let size = super::cpu::cpuid(0xd, 0).1 as usize;
    if first {
        XCR0.store(xcr0, Ordering::Relaxed);
        SIZE.store(size.max(rill_xstate::XSAVE_MIN_SIZE), Ordering::Relaxed);
        MXCSR_MASK.store(mxcsr_mask, Ordering::Relaxed);
        RILL_FPU_XSAVE.store(1, Ordering::Release);
        kinfo!(
            "fpu: XSAVE, supported {:#x}, XCR0 {:#x}, area {} bytes",
            supported,
            xcr0,
            size
        );
    }
}

fn read_mxcsr_mask() -> u32 {
    #[repr(C, align(16))]
    struct Fx([u8; 512]);
    let mut fx = Fx([0; 512]);
    // SAFETY: fxsave64 writes 512 bytes to the 16-byte aligned buffer.
    unsafe {
        core::arch::asm!("fxsave64 [{}]", in(reg) fx.0.as_mut_ptr(), options(nostack));
    }
    rill_xstate::get32(&fx.0, rill_xstate::MXCSR_MASK_OFFSET)
}

fn read_cr4() -> u64 {
    let v: u64;
    // SAFETY: reading CR4.
    unsafe { core::arch::asm!("mov {}, cr4", out(reg) v, options(nomem, nostack)) };
    v
}

fn write_cr4(v: u64) {
    // SAFETY: only sets OSXSAVE, checked available through CPUID.
    unsafe { core::arch::asm!("mov cr4, {}", in(reg) v, options(nostack)) }
}

fn xsetbv(reg: u32, v: u64) {
    // SAFETY: CR4.OSXSAVE is set and `v` holds only components CPUID
    // reports as supported, with x87 always on (XSETBV's requirements).
    unsafe {
        core::arch::asm!("xsetbv", in("ecx") reg, in("eax") v as u32,
            in("edx") (v >> 32) as u32, options(nomem, nostack))
    }
}

/// 64 bytes, 64-byte aligned: the unit of the save area (XSAVE needs a
/// 64-byte aligned image).
#[repr(C, align(64))]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Chunk([u8; 64]);

/// A task's saved user FPU/SIMD state. The image lives in its own heap
/// block; the entry code reaches it through `image`, the first field, so the
/// per-CPU pointer (%gs:24) names this struct, which stays put in the task
/// even when the state is replaced by a new one (exec).
///
/// Syscalls save less (the "lazy" path, XSAVE only): the kernel's Rust code
/// touches only xmm0-15 and MXCSR (baseline x86-64 code: no x87, no VEX), so
/// syscall entry stores just those in `sse` and sets `lazy`; the rest of the
/// user state (x87, the upper halves of the ymm registers, ...) stays live in
/// the registers. Anything that needs the whole image (a context switch, a
/// signal frame, sigreturn, fork) calls `sync_live` first, which completes
/// the image with XSAVE and clears `lazy`; the exit path then restores the
/// whole image, otherwise just `sse`. Under TCG this halves the cost of a
/// null syscall (XSAVE+XRSTOR of 832 bytes cost ~1.3 us).
#[repr(C)]
pub struct FpuState {
    /// Address of `area` (read by entry.S: must stay the first field).
    image: u64,
    /// Non-zero while `sse` holds the user's xmm/MXCSR and the rest is live
    /// in the registers (offset 8, written by entry.S).
    lazy: u64,
    /// xmm0..15 then MXCSR, stored by the syscall entry (offset 16).
    sse: [u8; SSE_LEN],
    area: Box<[Chunk]>,
}

/// Bytes of `FpuState::sse`: 16 xmm registers and MXCSR (padded).
const SSE_LEN: usize = 16 * 16 + 16;
// entry.S uses these offsets
const _: () = assert!(core::mem::offset_of!(FpuState, lazy) == 8);
const _: () = assert!(core::mem::offset_of!(FpuState, sse) == 16);

impl FpuState {
    /// The state a new process starts with (and a signal handler runs
    /// with): FCW 0x37f, MXCSR 0x1f80, all components initial.
    pub fn initial() -> Self {
        let cfg = config();
        let area = vec![Chunk([0; 64]); cfg.area_size() / 64].into_boxed_slice();
        let mut s = FpuState {
            image: area.as_ptr() as u64,
            lazy: 0,
            sse: [0; SSE_LEN],
            area,
        };
        cfg.init_image(s.image_mut());
        s
    }

    /// Back to the initial state, in place (the exit path restores it all).
    pub fn reset(&mut self) {
        self.lazy = 0;
        config().init_image(bytemuck::cast_slice_mut(&mut self.area));
    }

    /// The saved image (`config().area_size()` bytes), complete.
    pub fn image(&mut self) -> &[u8] {
        self.sync_live();
        bytemuck::cast_slice(&self.area)
    }

    /// The image to change; the exit path restores all of it.
    pub fn image_mut(&mut self) -> &mut [u8] {
        self.sync_live();
        bytemuck::cast_slice_mut(&mut self.area)
    }

    /// Completes the image of a task stopped in a syscall on this CPU (see
    /// the type's comment): `lazy` is only ever set for the task running
    /// here, and a context switch away from it syncs first.
    pub fn sync_live(&mut self) {
        if self.lazy == 0 {
            return;
        }
        // SAFETY: `lazy` is set only by the syscall entry on this CPU for
        // the current task, so the live registers hold this task's state
        // (its xmm/MXCSR are in `sse`); `image` is this task's 64-byte
        // aligned area, sized by CPUID 0xD for XCR0 (XSAVE is on: the lazy
        // path is only taken with it).
        unsafe {
            core::arch::asm!("xsave64 [{0}]", in(reg) self.image,
                in("eax") u32::MAX, in("edx") u32::MAX, options(nostack))
        }
        let sse = self.sse;
        let img: &mut [u8] = bytemuck::cast_slice_mut(&mut self.area);
        // legacy area: MXCSR at 24, xmm0..15 at 160..416; XSTATE_BV at 512
        if let (Some(x), Some(m)) = (img.get_mut(160..416), sse.get(..256)) {
            x.copy_from_slice(m);
        }
        if let (Some(x), Some(m)) = (img.get_mut(24..28), sse.get(256..260)) {
            x.copy_from_slice(m);
        }
        if let Some(bv) = img.get_mut(512) {
            *bv |= 2; // the SSE component is in the image
        }
        self.lazy = 0;
    }
}

impl Clone for FpuState {
    fn clone(&self) -> Self {
        // (callers sync first: a lazy state's image is incomplete)
        let area = self.area.clone();
        FpuState {
            image: area.as_ptr() as u64,
            lazy: 0,
            sse: [0; SSE_LEN],
            area,
        }
    }
}
