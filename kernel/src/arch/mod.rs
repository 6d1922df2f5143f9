//! x86_64 specifics. This module and `mm::phys` hold nearly all of Rill's
//! `unsafe`: port and MSR access, descriptor tables, control registers.
//! Invariants: this is a single-address-space kernel running with interrupts
//! disabled whenever it is in ring 0 (they are only enabled in user mode and
//! in the idle loop), so the red zone of the precompiled `core` code is never
//! clobbered by an asynchronous interrupt, and per-CPU data needs no locks.
//! Kernel code runs under the big kernel lock (`smp`), one CPU at a time.

pub mod cpu;
pub mod fpu;
pub mod io;
pub mod pic;
pub mod rtc;
pub mod serial;
pub mod smp;
pub mod trap;

pub use fpu::FpuState;

core::arch::global_asm!(include_str!("boot.S"), options(att_syntax));
core::arch::global_asm!(include_str!("entry.S"), options(att_syntax));

/// Register state saved on kernel entry from user mode (see entry.S).
#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub vector: u64,
    pub err: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

pub const USER_CS: u64 = 0x23;
pub const USER_SS: u64 = 0x1b;

impl TrapFrame {
    pub fn from_user(&self) -> bool {
        self.cs & 3 == 3
    }
    /// A fresh user frame: interrupts on, IOPL 0.
    pub fn new_user(rip: u64, rsp: u64) -> Self {
        TrapFrame {
            rip,
            rsp,
            cs: USER_CS,
            ss: USER_SS,
            rflags: 0x202,
            ..Default::default()
        }
    }
}

/// Halt until the next interrupt with interrupts enabled, then disable them.
pub fn idle_wait() {
    // SAFETY: sti;hlt is atomic w.r.t. interrupt delivery; the handler runs on
    // this (idle) stack in ring 0, and `cli` restores the kernel invariant.
    // The entry code saves no vector registers for an interrupt taken in ring
    // 0 and the handler's Rust code may use them: declare them clobbered.
    unsafe { core::arch::asm!("sti; hlt; cli", clobber_abi("C"), options(nomem, nostack)) }
}

pub fn halt_forever() -> ! {
    loop {
        // SAFETY: stopping the CPU with interrupts off.
        unsafe { core::arch::asm!("cli; hlt", options(nomem, nostack)) }
    }
}

pub fn rdtsc() -> u64 {
    // SAFETY: rdtsc has no side effects.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Return address chain via frame pointers (kernel built with frame pointers).
pub fn backtrace(mut f: impl FnMut(u64)) {
    let mut rbp: u64;
    // SAFETY: reading rbp.
    unsafe { core::arch::asm!("mov {}, rbp", out(reg) rbp) };
    for _ in 0..32 {
        if rbp < 0xffff_8000_0000_0000 || rbp & 7 != 0 {
            break;
        }
        // SAFETY: rbp points into a kernel stack frame (checked canonical
        // higher-half and aligned); frames are [saved rbp][return address].
        let (next, ret) = unsafe { (*(rbp as *const u64), *((rbp + 8) as *const u64)) };
        if ret == 0 {
            break;
        }
        f(ret);
        if next <= rbp {
            break;
        }
        rbp = next;
    }
}

unsafe extern "C" {
    fn syscall_handler(tf: &mut TrapFrame);
}

/// Entry from `syscall_entry` (entry.S): the syscall proper
/// (`syscall::syscall_handler`).
#[unsafe(no_mangle)]
extern "C" fn rill_syscall(tf: &mut TrapFrame) {
    smp::bkl_acquire();
    crate::task::sched::leave_if_dead();
    // SAFETY: the syscall dispatcher, defined in syscall/mod.rs with the
    // same C ABI and signature.
    unsafe { syscall_handler(tf) };
    crate::task::sched::leave_if_dead();
    smp::bkl_release();
}
