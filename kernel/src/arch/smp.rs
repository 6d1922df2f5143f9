//! Multiprocessor support: CPU discovery (ACPI MADT), the local APIC (timer,
//! IPIs), bringing up the application processors, the big kernel lock and
//! TLB shootdowns.
//!
//! Locking model (like early Linux SMP): one big kernel lock (BKL) is held
//! by a CPU whenever it runs kernel code on behalf of a task: it is taken on
//! every entry from user mode (syscall, exception, interrupt) and released
//! on the way back to user mode and while the CPU idles. So the kernel keeps
//! its single-CPU invariants while user code runs on every CPU in parallel.
//! The lock belongs to the CPU, not to a task: a task that sleeps switches to
//! another task (or the idle loop) with the lock held, and whoever runs next
//! releases it. A task switched out is therefore completely saved before any
//! other CPU can take the lock and pick it.
//!
//! TLB shootdown: changing a page table entry of an address space that
//! other CPUs have loaded (`CPU_CR3`) marks a flush as pending; before the
//! lock holder returns to user mode (`bkl_release_to_user`) it sends an IPI
//! to those CPUs and waits until each has flushed. Frames freed meanwhile
//! are only returned to the allocator after that flush (`defer_free`), so a
//! stale TLB entry on another CPU never reaches reused memory. CPUs that
//! spin for the lock (interrupts off) service flush requests while spinning.
//! Own code rather than a crate: the few LAPIC registers and MADT fields
//! used here are simpler than adapting a crate's abstractions to the direct
//! map, and the lock must cooperate with the shootdown protocol.
use super::cpu::{self, MAX_CPUS};
use super::io::{rdmsr, wrmsr};
use crate::mm::mmio::MmioRegion;
use crate::mm::phys;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

pub const VEC_TIMER: u64 = 0xf0;
pub const VEC_RESCHED: u64 = 0xf1;
pub const VEC_TLB: u64 = 0xf2;
pub const VEC_SPURIOUS: u64 = 0xff;

/// Physical page of the AP start-up code (below 1 MiB, never given to the
/// heap: `boot.rs` only adds RAM above 1 MiB) and of its page tables (root
/// and, in the next two pages, an identity map of the first 2 MiB).
const TRAMP_PA: u64 = 0x8000;
const TRAMP_PML4_PA: u64 = 0x9000;

static NCPUS: AtomicUsize = AtomicUsize::new(1);
static RSDP: AtomicU64 = AtomicU64::new(0);
/// This machine's local APIC registers (the same physical page on every
/// CPU, each CPU seeing its own), mapped through `mm::mmio`.
static LAPIC: spin::Once<MmioRegion> = spin::Once::new();
/// What the MADT says (CPUs, I/O APICs, interrupt source overrides).
static MADT: spin::Once<rill_hw::Madt> = spin::Once::new();
static APIC_IDS: [AtomicU32; MAX_CPUS] = [const { AtomicU32::new(0) }; MAX_CPUS];
static LAPIC_TICKS_PER_MS: AtomicU32 = AtomicU32::new(0);
static AP_STARTED: AtomicBool = AtomicBool::new(false);

/// Number of CPUs running the scheduler.
pub fn online_cpus() -> usize {
    NCPUS.load(Ordering::Acquire)
}

/// "0" or "0-N": the CPU list of /sys/devices/system/cpu/online.
pub fn cpu_list() -> alloc::string::String {
    match online_cpus() {
        0 | 1 => "0\n".into(),
        n => alloc::format!("0-{}\n", n - 1),
    }
}

/// The APIC id of CPU `cpu`.
pub fn apic_id(cpu: usize) -> u32 {
    APIC_IDS.get(cpu).map_or(0, |a| a.load(Ordering::Relaxed))
}

/// The ACPI RSDP address from the PVH start info (0: scan the BIOS area).
pub fn set_rsdp(pa: u64) {
    RSDP.store(pa, Ordering::Relaxed);
}

// ---------------------------------------------------------------- the BKL

/// The CPU holding the big kernel lock (`FREE`: nobody).
static BKL_OWNER: AtomicUsize = AtomicUsize::new(FREE);
const FREE: usize = usize::MAX;

// A test-and-test-and-set lock rather than a fair ticket lock on purpose:
// under QEMU's TCG a vCPU can be descheduled by the host at any time, and a
// ticket lock would then block every other CPU behind the sleeping waiter.

/// How long a CPU spins for the lock before it halts until the holder's
/// release wakes it. Most holds (a syscall) are shorter than this, and under
/// TCG the halt costs far more than the spin: the wake-up is an IPI (LAPIC
/// writes that take QEMU's global lock) and a host thread wake-up.
const BKL_SPIN_US: u64 = 50;

/// CPUs halted while waiting for the lock (bit i = CPU i).
static BKL_SLEEPERS: AtomicU32 = AtomicU32::new(0);

/// Take the big kernel lock, servicing TLB shootdown requests while waiting
/// (interrupts are off here). After a short spin the CPU halts with
/// interrupts on until the holder's release wakes it: a spinning vCPU would
/// steal host time from the lock holder under TCG. Interrupts taken while
/// halted here find the lock not held by this CPU (see arch::trap).
#[inline]
pub fn bkl_acquire() {
    // the common case (every syscall): the lock is free; one locked compare-exchange
    if BKL_OWNER
        .compare_exchange(FREE, cpu::cpu_id(), Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        bkl_acquire_slow();
    }
}

#[cold]
#[inline(never)]
fn bkl_acquire_slow() {
    let me = cpu::cpu_id();
    let mut t0 = super::rdtsc();
    loop {
        if BKL_OWNER.load(Ordering::Relaxed) == FREE
            && BKL_OWNER
                .compare_exchange(FREE, me, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        {
            return;
        }
        service_tlb_flush();
        if super::tsc_us_since(t0) < BKL_SPIN_US {
            core::hint::spin_loop();
            continue;
        }
        BKL_SLEEPERS.fetch_or(1 << me, Ordering::SeqCst);
        if BKL_OWNER.load(Ordering::SeqCst) != FREE {
            // woken by the releaser's IPI, a TLB shootdown or a tick
            super::idle_wait();
        }
        BKL_SLEEPERS.fetch_and(!(1 << me), Ordering::SeqCst);
        t0 = super::rdtsc();
    }
}

/// Take the lock if nobody holds it.
pub fn bkl_try_acquire() -> bool {
    BKL_OWNER
        .compare_exchange(FREE, cpu::cpu_id(), Ordering::Acquire, Ordering::Relaxed)
        .is_ok()
}

pub fn bkl_held_by_me() -> bool {
    BKL_OWNER.load(Ordering::Relaxed) == cpu::cpu_id()
}

/// Release the lock (after finishing pending shootdowns).
#[inline]
pub fn bkl_release() {
    tlb_sync();
    BKL_OWNER.store(FREE, Ordering::SeqCst);
    let sleepers = BKL_SLEEPERS.load(Ordering::SeqCst);
    if sleepers != 0 {
        wake_bkl_sleeper(sleepers);
    }
}

#[cold]
#[inline(never)]
fn wake_bkl_sleeper(sleepers: u32) {
    send_ipi(sleepers.trailing_zeros() as usize, VEC_RESCHED);
}

// ---------------------------------------------------------- TLB shootdown

/// The page table root each CPU has loaded (0: not started).
static CPU_CR3: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];
/// Set by the lock holder for CPU i; cleared by CPU i once it flushed.
static FLUSH_REQ: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];
/// A page table entry of the current address space was changed while other
/// CPUs may have it cached (protected by the BKL).
static TLB_DIRTY: AtomicU64 = AtomicU64::new(0);
/// Entries of more than one address space, or of one that is not this CPU's
/// (truncate unmapping a file from every process), changed: the next
/// shootdown flushes every other CPU.
static TLB_DIRTY_ANY: AtomicBool = AtomicBool::new(false);
/// Frames whose last reference went away while another CPU could still hold
/// a stale translation to them; freed after the next shootdown.
static DEFERRED: spin::Mutex<Vec<u64>> = spin::Mutex::new(Vec::new());
/// DEFERRED may be non-empty: lets `tlb_sync`, run on every release of the lock, skip it.
static HAS_DEFERRED: AtomicBool = AtomicBool::new(false);
/// Frames that could not be deferred for want of memory for the list: kept, never reused
/// (a frame another CPU may still write through a stale TLB entry must not be handed out).
static LEAKED: AtomicU64 = AtomicU64::new(0);

pub fn cr3_loaded(root: u64) {
    CPU_CR3[cpu::cpu_id()].store(root, Ordering::Release);
}

fn others_with(root: u64) -> impl Iterator<Item = usize> {
    let me = cpu::cpu_id();
    (0..online_cpus()).filter(move |&c| c != me && CPU_CR3[c].load(Ordering::Acquire) == root)
}

/// A translation of the current address space changed (invlpg / flush).
pub fn note_tlb_flush() {
    note_tlb_flush_root(cpu::read_cr3());
}

/// A translation of the address space with page table root `root` changed:
/// before the lock is released, every other CPU that has it loaded flushes.
pub fn note_tlb_flush_root(root: u64) {
    if online_cpus() <= 1 || others_with(root).next().is_none() {
        return;
    }
    let prev = TLB_DIRTY.swap(root, Ordering::Relaxed);
    if prev != 0 && prev != root {
        TLB_DIRTY_ANY.store(true, Ordering::Relaxed);
    }
}

/// Called when a frame's reference count drops to zero: true if it must
/// not be reused yet. With other CPUs running, every frame waits for the
/// lock holder's next `tlb_sync`: the page table entries that pointed to it
/// may belong to any address space (not only this CPU's), and they are
/// flushed there, after the entries were cleared.
pub fn defer_free(pa: u64) -> bool {
    if online_cpus() <= 1 || !AP_STARTED.load(Ordering::Relaxed) {
        return false;
    }
    let mut d = DEFERRED.lock();
    if d.try_reserve(1).is_err() {
        if LEAKED.fetch_add(1, Ordering::Relaxed) == 0 {
            kwarn!("out of memory deferring a frame free: frames are being kept, not reused");
        }
        return true;
    }
    d.push(pa);
    HAS_DEFERRED.store(true, Ordering::Release);
    true
}

/// Flush the other CPUs that have the changed address space loaded and
/// wait for them; then free deferred frames. Lock holder only.
#[inline]
pub fn tlb_sync() {
    // Only the lock holder writes these two: plain loads (no locked swaps) for the common case.
    let root = TLB_DIRTY.load(Ordering::Relaxed);
    let any = TLB_DIRTY_ANY.load(Ordering::Relaxed);
    if root == 0 && !any && !HAS_DEFERRED.load(Ordering::Acquire) {
        return; // the common case: nothing changed (every return to user mode comes here)
    }
    tlb_sync_slow(root, any)
}

#[cold]
#[inline(never)]
fn tlb_sync_slow(root: u64, any: bool) {
    TLB_DIRTY.store(0, Ordering::Relaxed);
    TLB_DIRTY_ANY.store(false, Ordering::Relaxed);
    let me = cpu::cpu_id();
    let mut targets = 0u32;
    for c in 0..online_cpus() {
        let loaded = CPU_CR3[c].load(Ordering::Acquire);
        if c == me || loaded == 0 || !(any || (root != 0 && loaded == root)) {
            continue;
        }
        FLUSH_REQ[c].store(true, Ordering::Release);
        send_ipi(c, VEC_TLB);
        targets |= 1 << c;
    }
    let t0 = super::rdtsc();
    for (c, req) in FLUSH_REQ.iter().enumerate() {
        if targets & (1 << c) == 0 {
            continue;
        }
        while req.load(Ordering::Acquire) {
            service_tlb_flush();
            core::hint::spin_loop();
            if super::rdtsc().wrapping_sub(t0) > 50_000_000_000 {
                crate::kpanic("TLB shootdown: no answer");
            }
        }
    }
    let frames = {
        let mut d = DEFERRED.lock();
        HAS_DEFERRED.store(false, Ordering::Release);
        core::mem::take(&mut *d)
    };
    for pa in frames {
        phys::free_frame_now(pa);
    }
}

/// Flush this CPU's TLB if the lock holder asked for it.
pub fn service_tlb_flush() {
    let me = cpu::cpu_id();
    if FLUSH_REQ[me].load(Ordering::Acquire) {
        cpu::flush_local_tlb();
        FLUSH_REQ[me].store(false, Ordering::Release);
    }
}

// ------------------------------------------------------------- local APIC

const LAPIC_ID: u64 = 0x20;
const LAPIC_TPR: u64 = 0x80;
const LAPIC_EOI: u64 = 0xb0;
const LAPIC_SVR: u64 = 0xf0;
const LAPIC_ICR_LO: u64 = 0x300;
const LAPIC_ICR_HI: u64 = 0x310;
const LAPIC_LVT_TIMER: u64 = 0x320;
const LAPIC_LINT0: u64 = 0x350;
const LAPIC_LINT1: u64 = 0x360;
const LAPIC_LVT_ERR: u64 = 0x370;
const LAPIC_TIMER_INIT: u64 = 0x380;
const LAPIC_TIMER_CUR: u64 = 0x390;
const LAPIC_TIMER_DIV: u64 = 0x3e0;
const MSR_APIC_BASE: u32 = 0x1b;

fn lapic_read(reg: u64) -> u32 {
    LAPIC.get().map_or(0, |r| r.read32(reg))
}

fn lapic_write(reg: u64, v: u32) {
    if let Some(r) = LAPIC.get() {
        r.write32(reg, v);
    }
}

/// This CPU's LAPIC (for the self-test: the id register as the MMIO
/// mapping sees it).
pub fn lapic_region() -> Option<MmioRegion> {
    LAPIC.get().copied()
}

/// The parsed MADT (empty without ACPI).
pub fn madt() -> &'static rill_hw::Madt {
    MADT.call_once(|| madt_parse().unwrap_or_default())
}

/// Mask the boot CPU's LINT0 (the 8259's ExtINT input): the I/O APIC
/// delivers the legacy IRQs from now on.
pub fn lapic_mask_lint0() {
    lapic_write(LAPIC_LINT0, 1 << 16);
}
pub fn lapic_eoi() {
    lapic_write(LAPIC_EOI, 0);
}

/// Enable this CPU's LAPIC. On the boot CPU LINT0 stays in ExtINT mode so
/// the 8259 (PIT, serial) keeps working.
fn lapic_enable(bsp: bool) {
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 11));
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS as u32);
    if bsp {
        lapic_write(LAPIC_LINT0, 0x700); // ExtINT
        lapic_write(LAPIC_LINT1, 0x400); // NMI
    } else {
        lapic_write(LAPIC_LINT0, 1 << 16);
        lapic_write(LAPIC_LINT1, 1 << 16);
    }
    lapic_write(LAPIC_LVT_ERR, 1 << 16);
    lapic_write(LAPIC_LVT_TIMER, 1 << 16);
}

fn wait_icr_idle() {
    let mut n = 0;
    while lapic_read(LAPIC_ICR_LO) & (1 << 12) != 0 && n < 10_000_000 {
        core::hint::spin_loop();
        n += 1;
    }
}

fn send_ipi_raw(apic_id: u32, lo: u32) {
    wait_icr_idle();
    lapic_write(LAPIC_ICR_HI, apic_id << 24);
    lapic_write(LAPIC_ICR_LO, lo);
}

/// Send a fixed interrupt `vector` to CPU `cpu`.
pub fn send_ipi(cpu: usize, vector: u64) {
    if let Some(id) = APIC_IDS.get(cpu) {
        send_ipi_raw(id.load(Ordering::Relaxed), vector as u32 | (1 << 14));
    }
}

/// CPUs waiting in `hlt` with nothing to run (bit i = CPU i).
static IDLE_MASK: AtomicU32 = AtomicU32::new(0);

pub fn set_idle(idle: bool) {
    let bit = 1u32 << cpu::cpu_id();
    if idle {
        IDLE_MASK.fetch_or(bit, Ordering::AcqRel);
    } else {
        IDLE_MASK.fetch_and(!bit, Ordering::AcqRel);
    }
}

/// Work was queued: wake one idle CPU (other than this one), if any.
pub fn kick_idle_cpu() {
    let me = cpu::cpu_id();
    // the caller's store to the run queue count before this load (store-load
    // order, which x86 does not keep without a fence): see sched::idle_loop
    core::sync::atomic::fence(Ordering::SeqCst);
    let mask = IDLE_MASK.load(Ordering::Acquire) & !(1 << me);
    if mask != 0 {
        let c = mask.trailing_zeros() as usize;
        IDLE_MASK.fetch_and(!(1 << c), Ordering::AcqRel);
        send_ipi(c, VEC_RESCHED);
    }
}

/// Start this CPU's LAPIC timer: periodic, 1 kHz.
fn start_lapic_timer() {
    lapic_write(LAPIC_TIMER_DIV, 0x3); // divide by 16
    let mut per_ms = LAPIC_TICKS_PER_MS.load(Ordering::Relaxed);
    if per_ms == 0 {
        // calibrate against the TSC (itself calibrated against the PIT)
        lapic_write(LAPIC_LVT_TIMER, 1 << 16);
        lapic_write(LAPIC_TIMER_INIT, u32::MAX);
        super::delay_us(10_000);
        let cur = lapic_read(LAPIC_TIMER_CUR);
        per_ms = ((u32::MAX - cur) / 10).max(1000);
        LAPIC_TICKS_PER_MS.store(per_ms, Ordering::Relaxed);
    }
    lapic_write(LAPIC_LVT_TIMER, VEC_TIMER as u32 | (1 << 17)); // periodic
    lapic_write(LAPIC_TIMER_INIT, per_ms);
}

// ---------------------------------------------------------- ACPI: the MADT

fn rd8(pa: u64) -> u8 {
    phys::boot_slice(pa, 1)[0]
}
fn rd32(pa: u64) -> u32 {
    let b = phys::boot_slice(pa, 4);
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}
fn rd64(pa: u64) -> u64 {
    rd32(pa) as u64 | (rd32(pa + 4) as u64) << 32
}

fn find_rsdp() -> Option<u64> {
    let given = RSDP.load(Ordering::Relaxed);
    if given != 0 {
        return Some(given);
    }
    let ebda =
        (phys::boot_slice(0x40e, 2)[0] as u64 | (phys::boot_slice(0x40f, 1)[0] as u64) << 8) << 4;
    let mut ranges = [(0xe0000u64, 0x100000u64), (0, 0)];
    if (0x80000..0xa0000).contains(&ebda) {
        ranges[1] = (ebda, ebda + 1024);
    }
    for (s, e) in ranges {
        let mut a = s;
        while a + 20 <= e {
            if phys::boot_slice(a, 8) == b"RSD PTR " {
                let sum = phys::boot_slice(a, 20)
                    .iter()
                    .fold(0u8, |x, &y| x.wrapping_add(y));
                if sum == 0 {
                    return Some(a);
                }
            }
            a += 16;
        }
    }
    None
}

/// Find and parse the MADT (`rill_hw::parse_madt`); None without ACPI.
fn madt_parse() -> Option<rill_hw::Madt> {
    let rsdp = find_rsdp()?;
    let rev = rd8(rsdp + 15);
    let (table, wide) = if rev >= 2 && rd64(rsdp + 24) != 0 {
        (rd64(rsdp + 24), true)
    } else {
        (rd32(rsdp + 16) as u64, false)
    };
    if table == 0 || table >= 1 << 32 {
        return None;
    }
    let len = rd32(table + 4) as u64;
    let step = if wide { 8 } else { 4 };
    let mut off = 36;
    while off + step <= len.min(4096) {
        let t = if wide {
            rd64(table + off)
        } else {
            rd32(table + off) as u64
        };
        if t != 0 && t < 1 << 32 && phys::boot_slice(t, 4) == b"APIC" {
            let mlen = (rd32(t + 4) as usize).min(65536);
            return rill_hw::parse_madt(phys::boot_slice(t, mlen));
        }
        off += step;
    }
    None
}

// ------------------------------------------------------ bringing up the APs

unsafe extern "C" {
    static ap_tramp_start: u8;
    static ap_tramp_end: u8;
    static ap_tramp_cr3: u8;
    static ap_tramp_stack: u8;
    static ap_tramp_entry: u8;
    static ap_tramp_arg: u8;
}

static AP_ALIVE: AtomicUsize = AtomicUsize::new(0);
/// The boot CPU's CR4, copied by each AP.
static BSP_CR4: AtomicU64 = AtomicU64::new(0);

fn read_cr4() -> u64 {
    let v: u64;
    // SAFETY: reading CR4.
    unsafe { core::arch::asm!("mov {}, cr4", out(reg) v, options(nomem, nostack)) };
    v
}

/// Give this AP the boot CPU's control register setup (SSE, PGE, ...),
/// then the FPU/XSAVE setup `arch::fpu` does on every CPU.
fn copy_bsp_cpu_setup() {
    let cr4 = BSP_CR4.load(Ordering::Relaxed);
    // SAFETY: the boot CPU runs with exactly these bits, and all CPUs are
    // the same model, so they are supported here too.
    unsafe {
        core::arch::asm!("mov cr4, {}", in(reg) cr4, options(nostack));
        core::arch::asm!("fninit", options(nostack));
    }
    super::fpu::init_cpu();
}

use super::delay_us;

/// Boot CPU: enable the LAPIC; find the other CPUs and start them (each
/// waits for the BKL, which the boot CPU holds, then enters its idle loop).
/// `max` is the `rill.maxcpus=` limit.
pub fn init_bsp_and_start_aps(max: usize) {
    CPU_CR3[0].store(cpu::read_cr3(), Ordering::Relaxed);
    // without OSXSAVE: fpu::init_cpu sets it together with XCR0
    BSP_CR4.store(read_cr4() & !(1 << 18), Ordering::Relaxed);
    if cpu::cpuid(1, 0).3 & (1 << 9) == 0 {
        return; // no APIC
    }
    let base = rdmsr(MSR_APIC_BASE) & 0x000f_ffff_ffff_f000;
    match crate::mm::mmio::map(base, 4096) {
        Ok(r) => {
            LAPIC.call_once(|| r);
        }
        Err(e) => {
            kwarn!("cannot map the local APIC at {:#x}: {:?}", base, e);
            return;
        }
    }
    lapic_enable(true);
    let my_id = lapic_read(LAPIC_ID) >> 24;
    APIC_IDS[0].store(my_id, Ordering::Relaxed);
    let ids = madt().apic_ids.clone();
    let others: Vec<u32> = ids
        .into_iter()
        .filter(|&i| i != my_id && i < 255)
        .take(max.clamp(1, MAX_CPUS) - 1)
        .collect();
    if others.is_empty() {
        return;
    }
    // the start-up code and an identity-mapping root for the switch to long
    // mode (entry 0 = the direct map's PDPT, which maps [0, 512 GiB) 1:1)
    let start = core::ptr::addr_of!(ap_tramp_start) as u64;
    let end = core::ptr::addr_of!(ap_tramp_end) as u64;
    let slot = |s: *const u8| TRAMP_PA + (s as u64 - start);
    let kroot = crate::mm::paging::kernel_root();
    // SAFETY: [start, end) is the trampoline in the kernel image.
    let bytes = unsafe { core::slice::from_raw_parts(start as *const u8, (end - start) as usize) };
    phys::frame_write(TRAMP_PA, 0, bytes);
    for i in 0..512usize {
        let mut e = [0u8; 8];
        phys::frame_read(kroot, i * 8, &mut e);
        phys::frame_write(TRAMP_PML4_PA, i * 8, &e);
    }
    // entry 0: the first 2 MiB identity-mapped and executable (the direct
    // map is NX), through a PDPT and a PD in the two pages after the root
    let (pdpt, pd) = (TRAMP_PML4_PA + 0x1000, TRAMP_PML4_PA + 0x2000);
    phys::frame_write(pdpt, 0, &[0u8; 4096]);
    phys::frame_write(pd, 0, &[0u8; 4096]);
    phys::frame_write(pd, 0, &0x83u64.to_le_bytes()); // P|W|PS at 0
    phys::frame_write(pdpt, 0, &(pd | 3).to_le_bytes());
    phys::frame_write(TRAMP_PML4_PA, 0, &(pdpt | 3).to_le_bytes());
    let write_slot = |s: *const u8, v: u64| {
        let pa = slot(s);
        phys::frame_write(pa & !0xfff, (pa & 0xfff) as usize, &v.to_le_bytes());
    };
    write_slot(core::ptr::addr_of!(ap_tramp_cr3), TRAMP_PML4_PA);
    write_slot(
        core::ptr::addr_of!(ap_tramp_entry),
        ap_entry as *const () as u64,
    );

    for (n, &id) in others.iter().enumerate() {
        let cpu = n + 1;
        APIC_IDS[cpu].store(id, Ordering::Relaxed);
        // the idle stack of the AP (never freed)
        let stack: &'static mut [u8] = alloc::vec![0u8; 64 * 1024].leak();
        let top = (stack.as_ptr() as u64 + stack.len() as u64) & !15;
        write_slot(core::ptr::addr_of!(ap_tramp_stack), top);
        write_slot(core::ptr::addr_of!(ap_tramp_arg), cpu as u64);
        let before = AP_ALIVE.load(Ordering::Acquire);
        send_ipi_raw(id, 0x4500); // INIT, assert
        delay_us(10_000);
        for _ in 0..2 {
            send_ipi_raw(id, 0x4600 | (TRAMP_PA >> 12) as u32); // STARTUP
            delay_us(200);
        }
        let t0 = super::rdtsc();
        while AP_ALIVE.load(Ordering::Acquire) == before {
            if super::tsc_us_since(t0) > 1_000_000 {
                break;
            }
            core::hint::spin_loop();
        }
        if AP_ALIVE.load(Ordering::Acquire) == before {
            kwarn!("CPU {} (APIC id {}) did not start", cpu, id);
            break;
        }
        NCPUS.store(cpu + 1, Ordering::Release);
    }
    AP_STARTED.store(true, Ordering::Relaxed);
    kinfo!("smp: {} CPUs online", online_cpus());
}

/// An AP's first Rust code (from the trampoline, on its idle stack). The
/// boot CPU's LAPIC timer is not used (the PIT ticks there).
extern "C" fn ap_entry(cpu: u64) -> ! {
    cpu::init(cpu as usize);
    cpu::write_cr3(crate::mm::paging::kernel_root());
    copy_bsp_cpu_setup();
    lapic_enable(false);
    start_lapic_timer();
    AP_ALIVE.fetch_add(1, Ordering::AcqRel);
    bkl_acquire();
    (super::hooks().idle)()
}

core::arch::global_asm!(
    r#"
.set TRAMP_BASE, 0x8000
.section .text.ap_tramp, "ax"
.code16
.global ap_tramp_start
ap_tramp_start:
    cli
    cld
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %ss
    lgdtl (TRAMP_BASE + ap_tramp_gdtptr - ap_tramp_start)
    movl $((1 << 5) | (1 << 7) | (1 << 9) | (1 << 10)), %eax
    mov %eax, %cr4
    movl (TRAMP_BASE + ap_tramp_cr3 - ap_tramp_start), %eax
    mov %eax, %cr3
    movl $0xC0000080, %ecx
    rdmsr
    orl $((1 << 0) | (1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    andl $~((1 << 2) | (1 << 3)), %eax
    orl $((1 << 31) | (1 << 16) | (1 << 1) | 1), %eax
    mov %eax, %cr0
    ljmpl $0x08, $(TRAMP_BASE + ap_tramp_64 - ap_tramp_start)
.code64
ap_tramp_64:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    fninit
    mov (TRAMP_BASE + ap_tramp_stack - ap_tramp_start), %rsp
    mov (TRAMP_BASE + ap_tramp_arg - ap_tramp_start), %rdi
    mov (TRAMP_BASE + ap_tramp_entry - ap_tramp_start), %rax
    xor %ebp, %ebp
    call *%rax
1:  hlt
    jmp 1b
.balign 8
ap_tramp_gdt:
    .quad 0
    .quad 0x00af9a000000ffff
    .quad 0x00cf92000000ffff
ap_tramp_gdtptr:
    .word 23
    .long TRAMP_BASE + ap_tramp_gdt - ap_tramp_start
.balign 8
.global ap_tramp_cr3
ap_tramp_cr3: .quad 0
.global ap_tramp_stack
ap_tramp_stack: .quad 0
.global ap_tramp_entry
ap_tramp_entry: .quad 0
.global ap_tramp_arg
ap_tramp_arg: .quad 0
.global ap_tramp_end
ap_tramp_end:
.text
"#,
    options(att_syntax)
);
