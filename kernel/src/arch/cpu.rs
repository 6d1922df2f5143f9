//! Descriptor tables, per-CPU block, SYSCALL MSRs and control registers.
use super::io::*;
use core::cell::UnsafeCell;

/// Per-CPU block reached through GS in kernel mode. Field offsets are used
/// by entry.S: keep them in sync.
#[repr(C)]
pub struct PerCpu {
    pub self_ptr: u64,   // 0
    pub user_rsp: u64,   // 8
    pub kstack_top: u64, // 16
    pub fpu_area: u64,   // 24
    pub cpu_id: u64,     // 32
    /// The task running on this CPU (`Arc::as_ptr` of the scheduler's `current` slot, which
    /// holds the reference), 0 while the CPU idles. Read without a lock by
    /// `task::sched::current`; written only by this CPU, in the scheduler.
    pub current: u64, // 40
}

/// Most CPUs Rill brings up (`-smp N`, N <= 8).
pub const MAX_CPUS: usize = 8;

#[repr(C, packed)]
struct DescPtr {
    limit: u16,
    base: u64,
}

#[repr(C, packed)]
struct Tss {
    _r0: u32,
    rsp: [u64; 3],
    _r1: u64,
    ist: [u64; 7],
    _r2: u64,
    _r3: u16,
    iomap: u16,
}

#[repr(C, align(16))]
struct IdtEntry {
    lo: u64,
    hi: u64,
}

/// One CPU's descriptor tables, per-CPU block and double-fault stack.
struct CpuTables {
    gdt: [u64; 7],
    tss: Tss,
    percpu: PerCpu,
    df_stack: [u8; 16384],
}

struct Cell(UnsafeCell<[CpuTables; MAX_CPUS]>);
// SAFETY: entry `i` is written only by CPU `i` (its own `init` and
// `set_task_context`, with interrupts disabled); the BSP reads none of the
// others.
unsafe impl Sync for Cell {}

struct IdtCell(UnsafeCell<[IdtEntry; 256]>);
// SAFETY: written once by the boot CPU before the APs start, then read-only.
unsafe impl Sync for IdtCell {}
static IDT: IdtCell = IdtCell(UnsafeCell::new([const { IdtEntry { lo: 0, hi: 0 } }; 256]));

static TABLES: Cell = Cell(UnsafeCell::new(
    [const {
        CpuTables {
            gdt: [0; 7],
            tss: Tss {
                _r0: 0,
                rsp: [0; 3],
                _r1: 0,
                ist: [0; 7],
                _r2: 0,
                _r3: 0,
                iomap: 104,
            },
            percpu: PerCpu {
                self_ptr: 0,
                user_rsp: 0,
                kstack_top: 0,
                fpu_area: 0,
                cpu_id: 0,
                current: 0,
            },
            df_stack: [0; 16384],
        }
    }; MAX_CPUS],
));

unsafe extern "C" {
    static trap_vector_table: [u64; 256];
    fn syscall_entry();
}

/// This CPU's index (0 = boot CPU), from the per-CPU block.
#[inline]
pub fn cpu_id() -> usize {
    let v: u64;
    // SAFETY: GS base points at this CPU's PerCpu block in kernel mode
    // (set by `init` before anything else runs on the CPU).
    unsafe { core::arch::asm!("mov {}, gs:[32]", out(reg) v, options(nostack, readonly)) };
    (v as usize).min(MAX_CPUS - 1)
}

/// The per-CPU current-task word (see `PerCpu::current`): one load through GS.
#[inline(always)]
pub fn current_task_word() -> u64 {
    let v: u64;
    // SAFETY: GS base points at this CPU's PerCpu block in kernel mode; reading one of its
    // words has no side effect.
    unsafe {
        core::arch::asm!("mov {}, gs:[40]", out(reg) v, options(nostack, readonly, preserves_flags))
    };
    v
}

/// Set this CPU's current-task word (the scheduler, which owns the meaning of the value).
#[inline(always)]
pub fn set_current_task_word(v: u64) {
    // SAFETY: GS base points at this CPU's PerCpu block in kernel mode, where interrupts are
    // off: no other code on this CPU runs between reads and this write, and no other CPU
    // writes this CPU's block.
    unsafe { core::arch::asm!("mov gs:[40], {}", in(reg) v, options(nostack, preserves_flags)) };
}

/// Set up CPU `cpu`'s GDT, TSS, IDT, GS block and SYSCALL MSRs; called once
/// on each CPU (the boot CPU first: it also builds the shared IDT).
pub fn init(cpu: usize) {
    let cpu = cpu.min(MAX_CPUS - 1);
    // SAFETY: called once per CPU, on that CPU, with interrupts disabled;
    // only this CPU touches TABLES[cpu].
    unsafe {
        let t = &mut (*TABLES.0.get())[cpu];
        t.gdt[1] = 0x00af9a000000ffff; // 0x08 kernel code
        t.gdt[2] = 0x00cf92000000ffff; // 0x10 kernel data
        t.gdt[3] = 0x00cff2000000ffff; // 0x18 user data (0x1b)
        t.gdt[4] = 0x00affa000000ffff; // 0x20 user code (0x23)
        let tss_base = &t.tss as *const Tss as u64;
        let limit = (core::mem::size_of::<Tss>() - 1) as u64;
        t.gdt[5] = limit & 0xffff
            | (tss_base & 0xffffff) << 16
            | 0x89 << 40
            | ((limit >> 16) & 0xf) << 48
            | ((tss_base >> 24) & 0xff) << 56;
        t.gdt[6] = tss_base >> 32;
        t.tss.ist[0] = t.df_stack.as_ptr() as u64 + t.df_stack.len() as u64;

        let gdtp = DescPtr {
            limit: (7 * 8 - 1) as u16,
            base: t.gdt.as_ptr() as u64,
        };
        core::arch::asm!(
            "lgdt [{0}]",
            "push 0x08",
            "lea {1}, [rip + 2f]",
            "push {1}",
            "retfq",
            "2:",
            "mov {2:e}, 0x10",
            "mov ds, {2:e}",
            "mov es, {2:e}",
            "mov ss, {2:e}",
            "mov {2:e}, 0x28",
            "ltr {2:x}",
            in(reg) &gdtp, out(reg) _, out(reg) _,
        );

        let idt = &mut *IDT.0.get();
        for (i, e) in idt.iter_mut().enumerate().filter(|_| cpu == 0) {
            let h = trap_vector_table[i];
            // interrupt gate, DPL 0 (int3/into reachable from ring 3)
            let dpl: u64 = if i == 3 || i == 4 { 3 } else { 0 };
            let ist: u64 = if i == 8 { 1 } else { 0 };
            e.lo = (h & 0xffff)
                | (0x08 << 16)
                | (ist << 32)
                | ((0x8e | dpl << 5) << 40)
                | ((h >> 16) & 0xffff) << 48;
            e.hi = h >> 32;
        }
        let idtp = DescPtr {
            limit: (256 * 16 - 1) as u16,
            base: idt.as_ptr() as u64,
        };
        core::arch::asm!("lidt [{0}]", in(reg) &idtp);

        t.percpu.self_ptr = &t.percpu as *const PerCpu as u64;
        t.percpu.cpu_id = cpu as u64;
        wrmsr(MSR_GS_BASE, t.percpu.self_ptr);
        wrmsr(MSR_KERNEL_GS_BASE, 0);

        wrmsr(MSR_STAR, (0x10u64 << 48) | (0x08u64 << 32));
        wrmsr(MSR_LSTAR, syscall_entry as *const () as usize as u64);
        // clear IF, TF, DF, AC, NT on syscall entry
        wrmsr(MSR_SFMASK, 0x47700);
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1 | (1 << 11));
    }
}

/// Point the TSS and the syscall path at the kernel stack of the task about
/// to run, and the entry code at its FPU save area.
pub fn set_task_context(kstack_top: u64, fpu_area: u64) {
    // SAFETY: interrupts are disabled in kernel mode; each CPU writes only
    // its own entry.
    unsafe {
        let t = &mut (*TABLES.0.get())[cpu_id()];
        t.tss.rsp[0] = kstack_top;
        t.percpu.kstack_top = kstack_top;
        t.percpu.fpu_area = fpu_area;
    }
}

pub fn set_fs_base(v: u64) {
    wrmsr(MSR_FS_BASE, v);
}

/// The user GS base is in KERNEL_GS_BASE while we run in the kernel.
pub fn set_user_gs_base(v: u64) {
    wrmsr(MSR_KERNEL_GS_BASE, v);
}

pub fn read_cr2() -> u64 {
    let v: u64;
    // SAFETY: reading CR2.
    unsafe { core::arch::asm!("mov {}, cr2", out(reg) v, options(nomem, nostack)) };
    v
}

pub fn read_cr3() -> u64 {
    let v: u64;
    // SAFETY: reading CR3.
    unsafe { core::arch::asm!("mov {}, cr3", out(reg) v, options(nomem, nostack)) };
    v
}

/// Switch address spaces. The caller guarantees `pml4` maps the kernel.
/// Reloading the current root is a TLB flush: other CPUs running the same
/// address space are flushed too before the kernel returns to user mode.
pub fn write_cr3(pml4: u64) {
    let old = read_cr3();
    // SAFETY: all page tables share the kernel half, so execution continues.
    unsafe { core::arch::asm!("mov cr3, {}", in(reg) pml4, options(nostack)) }
    super::smp::cr3_loaded(pml4);
    if old == pml4 {
        super::smp::note_tlb_flush();
    }
}

/// Flush this CPU's (non-global) TLB entries without telling anyone.
pub fn flush_local_tlb() {
    // SAFETY: reloading the current root only drops TLB entries.
    unsafe { core::arch::asm!("mov {0}, cr3", "mov cr3, {0}", out(reg) _, options(nostack)) }
}

/// Invalidate the translation of `va` here and (before the next return to
/// user mode) on every other CPU that has this address space loaded.
pub fn invlpg(va: u64) {
    // SAFETY: TLB maintenance only.
    unsafe { core::arch::asm!("invlpg [{}]", in(reg) va, options(nostack)) }
    super::smp::note_tlb_flush();
}

pub fn cpuid(leaf: u32, sub: u32) -> (u32, u32, u32, u32) {
    // cpuid is always available in long mode (safe since Rust 1.94)
    let r = core::arch::x86_64::__cpuid_count(leaf, sub);
    (r.eax, r.ebx, r.ecx, r.edx)
}

/// Save the live FPU state (used before building a signal frame while the
/// task's saved copy is current anyway) — kept for completeness.
pub fn has_1g_pages() -> bool {
    cpuid(0x8000_0001, 0).3 & (1 << 26) != 0
}
