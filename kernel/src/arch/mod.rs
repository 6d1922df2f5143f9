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
pub mod irq;
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

/// Let pending interrupts in for one instruction, then disable them again
/// (a boot-time wait for an interrupt that may already be pending, where
/// `idle_wait`'s `hlt` could sleep forever).
pub fn irq_window() {
    // SAFETY: as idle_wait, without the halt.
    unsafe { core::arch::asm!("sti; nop; cli", clobber_abi("C"), options(nomem, nostack)) }
}

pub fn halt_forever() -> ! {
    loop {
        // SAFETY: stopping the CPU with interrupts off.
        unsafe { core::arch::asm!("cli; hlt", options(nomem, nostack)) }
    }
}

/// Leave QEMU with a failure status (isa-debug-exit: status = code*2+1).
pub fn exit_qemu(code: u8) -> ! {
    io::outl(0xf4, code as u32);
    // no debug-exit device: reset through the keyboard controller; with
    // -no-reboot QEMU exits
    io::outb(0x64, 0xfe);
    halt_forever()
}

/// Power off (QEMU exits with status 0).
pub fn power_off() -> ! {
    kinfo!("reboot: Power down");
    // ACPI PM1a control of QEMU's PIIX4/ICH9 as SeaBIOS programs it: S5
    io::outw(0x604, 0x2000);
    io::outw(0xb004, 0x2000);
    io::outw(0x4004, 0x3400);
    halt_forever()
}

/// Restart through the keyboard controller (with -no-reboot QEMU exits).
pub fn reboot() -> ! {
    kinfo!("reboot: Restarting system");
    io::outb(0x64, 0xfe);
    halt_forever()
}

pub fn rdtsc() -> u64 {
    // SAFETY: rdtsc has no side effects.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// TSC ticks per microsecond, measured against the PIT (`pic::calibrate_tsc`;
/// a guess of 1 GHz before that).
static TSC_PER_US: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1000);

pub(crate) fn set_tsc_per_us(v: u64) {
    TSC_PER_US.store(v.max(1), core::sync::atomic::Ordering::Relaxed);
}

/// Microseconds since TSC value `t0` (arch's own clock: `time` sits above).
pub fn tsc_us_since(t0: u64) -> u64 {
    rdtsc().wrapping_sub(t0) / TSC_PER_US.load(core::sync::atomic::Ordering::Relaxed)
}

/// Busy-wait `us` microseconds.
pub fn delay_us(us: u64) {
    let t0 = rdtsc();
    while tsc_us_since(t0) < us {
        core::hint::spin_loop();
    }
}

/// How hardware events reach the layers above `arch` (which never calls
/// up): function pointers set once at boot (`set_hooks`), before the first
/// interrupt or syscall. Device interrupts are registered separately, per
/// vector (`irq`).
pub struct Hooks {
    /// The syscall proper, with the user's registers (entry.S → `rill_syscall`), called
    /// with the big kernel lock held; it runs the `leave_if_dead` checks itself, on entry
    /// and on the way out (one indirect call per syscall).
    pub syscall: fn(&mut TrapFrame),
    /// An exception taken in user mode (vector in `tf.vector`, error code in
    /// `tf.err`; `cr2` the faulting address of a page fault): fault the page
    /// in or turn it into a signal.
    pub user_exception: fn(&mut TrapFrame, u64),
    /// Every return to user mode from an interrupt or exception: signal
    /// delivery and preemption.
    pub return_to_user: fn(&mut TrapFrame),
    /// The local APIC timer ticked on a CPU that was running user code.
    pub user_tick: fn(),
    /// On entry from and exit to user mode: give up the CPU if the current
    /// task was killed, stopped or moved away from this CPU meanwhile.
    pub leave_if_dead: fn(),
    /// An application processor's scheduler loop, entered with the big
    /// kernel lock held.
    pub idle: fn() -> !,
}

static HOOKS: spin::Once<Hooks> = spin::Once::new();

/// Install the upper layers' hooks (once; later calls are ignored).
pub fn set_hooks(h: Hooks) {
    HOOKS.call_once(|| h);
}

fn hooks() -> &'static Hooks {
    match HOOKS.get() {
        Some(h) => h,
        None => crate::kpanic("arch: hooks used before set_hooks"),
    }
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

/// Entry from `syscall_entry` (entry.S): the syscall proper is the
/// `Hooks::syscall` hook (which also gives up the CPU if the task was killed,
/// stopped or moved meanwhile, as `Hooks::leave_if_dead`).
#[unsafe(no_mangle)]
extern "C" fn rill_syscall(tf: &mut TrapFrame) {
    smp::bkl_acquire();
    (hooks().syscall)(tf);
    smp::bkl_release();
}

// Symbols the precompiled core/alloc reference on this target (never
// called: the kernel aborts on panic).
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}

#[unsafe(no_mangle)]
pub extern "C" fn _Unwind_Resume() -> ! {
    halt_forever()
}

/// Physical end of the kernel image (the linker's `__kernel_end`).
pub fn kernel_end_pa() -> u64 {
    unsafe extern "C" {
        static __kernel_end: u8;
    }
    (core::ptr::addr_of!(__kernel_end) as u64) - 0xffff_ffff_8000_0000
}
