//! The user FPU/SIMD state image as the kernel keeps it and as it appears in
//! a signal frame: the legacy FXSAVE region, the XSAVE header and the
//! software-reserved bytes Linux defines (`struct _fpx_sw_bytes`). Pure byte
//! logic, so it is unit-tested on the host; the instructions that move the
//! image in and out of the registers live in the kernel's `arch::fpu`.
//!
//! Written for Rill from the Intel SDM (vol. 1 ch. 13, "Managing state using
//! the XSAVE feature set") and Linux's documented signal-frame ABI
//! (`asm/sigcontext.h`); no existing crate covers the signal-frame format.
#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
mod tests;

/// `_fpx_sw_bytes.magic1`: the fpstate is an XSAVE image.
pub const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
/// Written right after the XSAVE image in a signal frame.
pub const FP_XSTATE_MAGIC2: u32 = 0x4650_5845;
pub const FP_XSTATE_MAGIC2_SIZE: usize = 4;

/// Size of the legacy (FXSAVE) region.
pub const FXSAVE_SIZE: usize = 512;
/// The XSAVE header follows the legacy region.
pub const XSAVE_HDR_OFFSET: usize = 512;
pub const XSAVE_HDR_SIZE: usize = 64;
/// Smallest valid XSAVE image: legacy region + header.
pub const XSAVE_MIN_SIZE: usize = XSAVE_HDR_OFFSET + XSAVE_HDR_SIZE;
/// `struct _fpx_sw_bytes` sits in the legacy region's reserved bytes.
pub const SW_BYTES_OFFSET: usize = 464;

pub const FCW_OFFSET: usize = 0;
pub const MXCSR_OFFSET: usize = 24;
pub const MXCSR_MASK_OFFSET: usize = 28;
/// xmm0 in the legacy region (16 bytes per register).
pub const XMM_OFFSET: usize = 160;

pub const FCW_DEFAULT: u16 = 0x037f;
pub const MXCSR_DEFAULT: u32 = 0x1f80;
/// MXCSR_MASK to assume when FXSAVE reports 0 (SDM: DAZ unsupported).
pub const MXCSR_MASK_DEFAULT: u32 = 0xffbf;

/// State components (XCR0 / XSTATE_BV bits).
pub const XFEATURE_X87: u64 = 1 << 0;
pub const XFEATURE_SSE: u64 = 1 << 1;
pub const XFEATURE_YMM: u64 = 1 << 2;
pub const XFEATURE_OPMASK: u64 = 1 << 5;
pub const XFEATURE_ZMM_HI256: u64 = 1 << 6;
pub const XFEATURE_HI16_ZMM: u64 = 1 << 7;
pub const XFEATURE_MASK_FPSSE: u64 = XFEATURE_X87 | XFEATURE_SSE;
pub const XFEATURE_MASK_AVX512: u64 = XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM;

/// Size of Linux's x86_64 `struct rt_sigframe` (pretcode + ucontext + siginfo).
pub const RT_SIGFRAME_SIZE: usize = 440;

/// The user-state components Rill enables, from what CPUID.(EAX=0DH,ECX=0)
/// reports as supported in XCR0: x87 and SSE always, AVX when present, the
/// three AVX-512 components only together (and only on top of AVX). Nothing
/// else (PKRU, AMX, ...) since the kernel does not manage those.
pub fn choose_xcr0(supported: u64) -> u64 {
    let mut x = XFEATURE_MASK_FPSSE;
    if supported & XFEATURE_YMM != 0 {
        x |= XFEATURE_YMM;
        if supported & XFEATURE_MASK_AVX512 == XFEATURE_MASK_AVX512 {
            x |= XFEATURE_MASK_AVX512;
        }
    }
    x
}

/// How the CPU's FPU state is saved, fixed at boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// XSAVE/XRSTOR in use (else FXSAVE/FXRSTOR).
    pub xsave: bool,
    /// Enabled user-state components (XCR0); x87|SSE without XSAVE.
    pub xcr0: u64,
    /// Bytes of the standard-format image (CPUID.(0DH,0).EBX), 512 without XSAVE.
    pub size: usize,
    /// Writable MXCSR bits; others set make FXRSTOR/XRSTOR fault.
    pub mxcsr_mask: u32,
}

impl Config {
    pub const FXSAVE: Config = Config {
        xsave: false,
        xcr0: XFEATURE_MASK_FPSSE,
        size: FXSAVE_SIZE,
        mxcsr_mask: MXCSR_MASK_DEFAULT,
    };

    /// Bytes of the per-task area: the image size rounded up to 64.
    pub fn area_size(&self) -> usize {
        self.size.div_ceil(64) * 64
    }

    /// Bytes the fpstate takes in a signal frame (Linux's
    /// `fpu__get_fpstate_size` without the ia32 part): the image, plus
    /// FP_XSTATE_MAGIC2 after it when XSAVE is in use.
    pub fn sigframe_fp_size(&self) -> usize {
        if self.xsave {
            self.size + FP_XSTATE_MAGIC2_SIZE
        } else {
            FXSAVE_SIZE
        }
    }

    /// AT_MINSIGSTKSZ: the largest signal frame Rill builds, computed the
    /// way Linux's `init_sigframe_size` does (siginfo + ucontext, frame
    /// alignment padding, the fpstate and its worst-case 64-byte alignment
    /// padding, rounded up to 16). Linux also reserves room for ia32 frames,
    /// which Rill does not build.
    pub fn min_sigstksz(&self) -> u64 {
        let n = RT_SIGFRAME_SIZE + 15 + self.sigframe_fp_size() + 63;
        n.div_ceil(16) as u64 * 16
    }

    /// Fill `img` (at least `size` bytes) with the state a new process
    /// starts with: FCW 0x37f, MXCSR 0x1f80, every component in its initial
    /// configuration (XSTATE_BV = 0).
    pub fn init_image(&self, img: &mut [u8]) {
        img.fill(0);
        put16(img, FCW_OFFSET, FCW_DEFAULT);
        put32(img, MXCSR_OFFSET, MXCSR_DEFAULT);
        put32(img, MXCSR_MASK_OFFSET, self.mxcsr_mask);
    }

    /// The fpstate of a signal frame from the task's saved image `img`: the
    /// image with `_fpx_sw_bytes` filled in, the x87/SSE bits forced on in
    /// XSTATE_BV (so a handler that edits the legacy region is honoured, as
    /// Linux does for programs unaware of XSAVE), then FP_XSTATE_MAGIC2.
    /// `out` must be `sigframe_fp_size()` bytes.
    pub fn sigframe_image(&self, img: &[u8], out: &mut [u8]) {
        let n = self.size.min(img.len()).min(out.len());
        copy(out, 0, img, n);
        zero(out, SW_BYTES_OFFSET, FXSAVE_SIZE);
        if !self.xsave {
            return;
        }
        put32(out, SW_BYTES_OFFSET, FP_XSTATE_MAGIC1);
        put32(out, SW_BYTES_OFFSET + 4, self.sigframe_fp_size() as u32); // extended_size
        put64(out, SW_BYTES_OFFSET + 8, self.xcr0); // xfeatures
        put32(out, SW_BYTES_OFFSET + 16, self.size as u32); // xstate_size
        let bv = get64(out, XSAVE_HDR_OFFSET) | XFEATURE_MASK_FPSSE;
        put64(out, XSAVE_HDR_OFFSET, bv);
        if out.len() >= self.size + FP_XSTATE_MAGIC2_SIZE {
            put32(out, self.size, FP_XSTATE_MAGIC2);
        }
    }

    /// The layout of the user's fpstate for rt_sigreturn, from its first 512
    /// bytes `legacy` (Linux `check_xstate_in_sigframe`). For `Xsave` the
    /// caller still checks FP_XSTATE_MAGIC2 at offset `xstate_size` and
    /// falls back to `FxOnly` when it is missing.
    pub fn restore_form(&self, legacy: &[u8]) -> RestoreForm {
        if !self.xsave || legacy.len() < FXSAVE_SIZE {
            return RestoreForm::FxOnly;
        }
        let magic1 = get32(legacy, SW_BYTES_OFFSET);
        let extended = get32(legacy, SW_BYTES_OFFSET + 4) as usize;
        let xfeatures = get64(legacy, SW_BYTES_OFFSET + 8);
        let xstate_size = get32(legacy, SW_BYTES_OFFSET + 16) as usize;
        if magic1 != FP_XSTATE_MAGIC1
            || xstate_size < XSAVE_MIN_SIZE
            || xstate_size > self.size
            || xstate_size > extended
        {
            return RestoreForm::FxOnly;
        }
        RestoreForm::Xsave {
            xstate_size,
            xfeatures,
        }
    }

    /// Build the kernel image `out` (`size` bytes) from what user space put
    /// in its signal frame, as XRSTOR/FXRSTOR from the frame would load it on
    /// Linux. `user` holds the bytes read from the fpstate: `size` bytes for
    /// the XSAVE form (plus nothing else), 512 for FxOnly. Errors are the
    /// cases where the instruction would fault (#GP) and Linux fails the
    /// sigreturn with SIGSEGV: MXCSR reserved bits, XSTATE_BV bits outside
    /// XCR0, a non-zero XCOMP_BV or header bytes 16..23, or a bad alignment.
    pub fn restore_image(
        &self,
        form: RestoreForm,
        addr: u64,
        user: &[u8],
        out: &mut [u8],
    ) -> Result<(), BadFpstate> {
        out.fill(0);
        match form {
            RestoreForm::FxOnly => {
                if addr & 15 != 0 || user.len() < FXSAVE_SIZE {
                    return Err(BadFpstate);
                }
                copy(out, 0, user, FXSAVE_SIZE);
                if self.xsave {
                    put64(out, XSAVE_HDR_OFFSET, XFEATURE_MASK_FPSSE);
                }
            }
            RestoreForm::Xsave { xfeatures, .. } => {
                if addr & 63 != 0 || user.len() < self.size || out.len() < self.size {
                    return Err(BadFpstate);
                }
                let bv = get64(user, XSAVE_HDR_OFFSET);
                let hdr_rsvd =
                    get64(user, XSAVE_HDR_OFFSET + 8) | get64(user, XSAVE_HDR_OFFSET + 16);
                if bv & !self.xcr0 != 0 || hdr_rsvd != 0 {
                    return Err(BadFpstate);
                }
                copy(out, 0, user, self.size);
                // components the frame does not claim come back in their
                // initial state; bytes 24..63 of the header are ignored by
                // the standard-form XRSTOR
                put64(out, XSAVE_HDR_OFFSET, bv & xfeatures);
                zero(out, XSAVE_HDR_OFFSET + 8, XSAVE_HDR_OFFSET + XSAVE_HDR_SIZE);
                if xfeatures & (XFEATURE_SSE | XFEATURE_YMM) == 0 {
                    // XRSTOR would not load MXCSR: it gets its initial value
                    put32(out, MXCSR_OFFSET, MXCSR_DEFAULT);
                }
            }
        }
        zero(out, SW_BYTES_OFFSET, FXSAVE_SIZE);
        if get32(out, MXCSR_OFFSET) & !self.mxcsr_mask != 0 {
            return Err(BadFpstate);
        }
        put32(out, MXCSR_MASK_OFFSET, self.mxcsr_mask);
        Ok(())
    }
}

/// Which layout rt_sigreturn found in the user's fpstate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestoreForm {
    /// Only the legacy region is valid (no or broken software bytes).
    FxOnly,
    /// An XSAVE image of `xstate_size` bytes whose MAGIC2 still has to be
    /// checked at offset `xstate_size`; `xfeatures` from the software bytes.
    Xsave { xstate_size: usize, xfeatures: u64 },
}

/// The user's fpstate cannot be loaded (Linux: sigreturn fails, SIGSEGV).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadFpstate;

/// `dst[off..off + n] = src[..n]`, clipped to both slices.
fn copy(dst: &mut [u8], off: usize, src: &[u8], n: usize) {
    let n = n.min(src.len()).min(dst.len().saturating_sub(off));
    if let (Some(d), Some(s)) = (dst.get_mut(off..off + n), src.get(..n)) {
        d.copy_from_slice(s);
    }
}
/// Zero `b[from..to]`, clipped to the slice.
fn zero(b: &mut [u8], from: usize, to: usize) {
    let to = to.min(b.len());
    if let Some(s) = b.get_mut(from.min(to)..to) {
        s.fill(0);
    }
}
fn put16(b: &mut [u8], off: usize, v: u16) {
    if let Some(s) = b.get_mut(off..off + 2) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}
fn put32(b: &mut [u8], off: usize, v: u32) {
    if let Some(s) = b.get_mut(off..off + 4) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}
fn put64(b: &mut [u8], off: usize, v: u64) {
    if let Some(s) = b.get_mut(off..off + 8) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}
pub fn get32(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(off..off + 4) {
        a.copy_from_slice(s);
    }
    u32::from_le_bytes(a)
}
pub fn get64(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(off..off + 8) {
        a.copy_from_slice(s);
    }
    u64::from_le_bytes(a)
}
