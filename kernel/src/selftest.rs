//! Boot-time self-tests of the kernel-internal foundations that no user
//! program can observe directly: `rill.selftest=kthread,dma,mmio,irq,virtio-net` (or
//! `all`) on the command line. Each prints one line the test harness checks
//! (`xtask/src/selftest.rs`): `[rill] selftest NAME: ok ...` or
//! `[rill] selftest NAME: FAILED why`. `dma`, `mmio` and `irq` run during
//! boot, before init; `kthread` runs in kernel threads next to init and
//! prints when it is done (or has timed out: every wait is bounded).
//! Top layer (it drives `arch`, `mm` and `task` directly).
use crate::arch::{self, irq, smp};
use crate::mm::dma::DmaBuffer;
use crate::mm::{mmio, paging, phys};
use crate::task::{kthread, sched, wait};
use alloc::string::String;
use alloc::sync::Arc;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use rill_vfs::WaitQueue;

fn wanted(name: &str) -> bool {
    crate::cmdline::opt("rill.selftest")
        .is_some_and(|v| v.split(',').any(|w| w == name || w == "all"))
}

fn report(name: &str, r: Result<String, String>) {
    match r {
        Ok(detail) => {
            crate::log::print(4, format_args!("[rill] selftest {}: ok {}\n", name, detail))
        }
        Err(why) => crate::log::print(
            4,
            format_args!("[rill] selftest {}: FAILED {}\n", name, why),
        ),
    }
}

macro_rules! check {
    ($cond:expr, $($fmt:tt)*) => {
        if !$cond {
            return Err(alloc::format!($($fmt)*));
        }
    };
}

/// The tests that run during boot: after interrupt routing is set up and
/// before the device interrupts are registered (the irq test borrows the
/// UART's line).
pub fn run_boot() {
    if wanted("dma") {
        report("dma", dma());
    }
    if wanted("mmio") {
        report("mmio", mmio_test());
    }
    if wanted("irq") {
        report("irq", irq_test());
    }
}

/// The physical address kernel virtual address `va` translates to, from the
/// page tables themselves (1 GiB, 2 MiB and 4 KiB leaves).
fn translate(va: u64) -> Option<u64> {
    let (e, size) = paging::kernel_pte(va);
    if size == 0 {
        return None;
    }
    Some((e & paging::ADDR_MASK & !(size - 1)) + (va & (size - 1)))
}

fn dma() -> Result<String, String> {
    const LEN: usize = 3 * 4096 + 1;
    // dirty a block of the same size first, so that zeroing is tested on
    // reused memory rather than on never-touched pages
    drop(alloc::vec![0xa5u8; 4 * 4096]);
    let (_, used0) = phys::heap_stats();
    let mut b = DmaBuffer::alloc(LEN).map_err(|e| alloc::format!("alloc: {:?}", e))?;
    let (_, used1) = phys::heap_stats();
    check!(b.len() == 4 * 4096, "length {} for {} bytes", b.len(), LEN);
    check!(
        b.phys() & 0xfff == 0,
        "physical address {:#x} not page aligned",
        b.phys()
    );
    check!(
        used1 >= used0 + b.len(),
        "the heap did not shrink by the buffer"
    );
    check!(b.as_slice().iter().all(|&x| x == 0), "not zeroed");
    let va = b.as_slice().as_ptr() as u64;
    for i in 0..4u64 {
        let pa = translate(va + i * 4096);
        check!(
            pa == Some(b.phys() + i * 4096),
            "page {} is at {:x?}, not contiguous from {:#x}",
            i,
            pa,
            b.phys()
        );
    }
    for (i, x) in b.as_mut_slice().iter_mut().enumerate() {
        *x = (i * 7 + 3) as u8;
    }
    let mut page = [0u8; 4096];
    phys::frame_read(b.phys() + 2 * 4096, 0, &mut page);
    check!(
        page.iter()
            .enumerate()
            .all(|(i, &x)| x == ((i + 2 * 4096) * 7 + 3) as u8),
        "the bytes at phys() + 8192 are not the buffer's"
    );
    let pa = b.phys();
    drop(b);
    let (_, used2) = phys::heap_stats();
    check!(
        used2 == used0,
        "heap use {} before, {} after the drop",
        used0,
        used2
    );
    // a large buffer: 1 MiB in one piece
    let big = DmaBuffer::alloc(1 << 20).map_err(|e| alloc::format!("alloc 1 MiB: {:?}", e))?;
    let va = big.as_slice().as_ptr() as u64;
    let contiguous = (0..256u64).all(|i| translate(va + i * 4096) == Some(big.phys() + i * 4096));
    check!(contiguous, "the 1 MiB buffer is not physically contiguous");
    drop(big);
    let (_, used3) = phys::heap_stats();
    check!(
        used3 == used0,
        "heap use {} before, {} after the 1 MiB drop",
        used0,
        used3
    );
    Ok(alloc::format!(
        "(16 KiB at {:#x} and 1 MiB: contiguous, zeroed, freed)",
        pa
    ))
}

fn mmio_test() -> Result<String, String> {
    let mut out = String::new();
    // a RAM page seen through both the direct map and an MMIO mapping
    let pa = phys::frame_alloc().map_err(|e| alloc::format!("frame: {:?}", e))?;
    // (never freed: an uncached alias of RAM must not outlive its owner)
    phys::frame_write(pa, 0x40, &0xdead_beefu32.to_le_bytes());
    let r = mmio::map(pa + 0x40, 0x100).map_err(|e| alloc::format!("map: {:?}", e))?;
    check!(
        r.read32(0) == 0xdead_beef,
        "MMIO read {:#x}, direct map wrote 0xdeadbeef",
        r.read32(0)
    );
    r.write32(8, 0x1234_5678);
    let mut w = [0u8; 4];
    phys::frame_read(pa, 0x48, &mut w);
    check!(
        u32::from_le_bytes(w) == 0x1234_5678,
        "MMIO write not seen through the direct map"
    );
    let (pte, _) = paging::kernel_pte(r.virt() & !0xfff);
    check!(
        pte & paging::ADDR_MASK == pa && pte & (paging::PTE_PCD | paging::PTE_PWT) != 0,
        "PTE {:#x} for {:#x} is not an uncached map of it",
        pte,
        pa
    );
    check!(
        r.try_read32(0x100).is_none(),
        "a read past the end was allowed"
    );
    check!(r.try_read32(2).is_none(), "a misaligned read was allowed");
    check!(
        r.sub(0x80, 0x81).is_none(),
        "a sub-range past the end was allowed"
    );
    let again = mmio::map(pa + 0x80, 4).map_err(|e| alloc::format!("map again: {:?}", e))?;
    check!(
        again.virt() == r.virt() + 0x40,
        "a second map of the same page got another address"
    );
    // above 4 GiB (and above RAM): the mapping exists, uncached, with the
    // full physical address (nothing is there to read on this machine)
    let high = 0x0000_0040_0000_0000u64 + 0x1000;
    let h = mmio::map(high, 0x2000).map_err(|e| alloc::format!("map {:#x}: {:?}", high, e))?;
    for i in 0..2 {
        let (e, _) = paging::kernel_pte(h.virt() + i * 4096);
        check!(
            e & paging::ADDR_MASK == high + i * 4096 && e & paging::PTE_PCD != 0,
            "PTE {:#x} for {:#x}",
            e,
            high + i * 4096
        );
    }
    check!(
        mmio::map(1 << 52, 4096).is_err() && mmio::map(u64::MAX - 10, 100).is_err(),
        "an impossible physical address was mapped"
    );
    let _ = write!(out, "(RAM alias ok, {:#x} mapped", high);
    // the local APIC, through its mapping: its id is the CPU's initial one
    let lapic = smp::lapic_region().ok_or("no LAPIC mapping")?;
    let id = lapic.read32(0x20) >> 24;
    let cpuid_id = arch::cpu::cpuid(1, 0).1 >> 24;
    check!(
        id == cpuid_id,
        "LAPIC id {} through MMIO, CPUID says {}",
        id,
        cpuid_id
    );
    let _ = write!(out, ", LAPIC id {}", id);
    if irq::ioapic_mode() {
        let rte = irq::gsi_rte(0).ok_or("no redirection entry for GSI 0")?;
        check!(
            rte & rill_hw::RTE_MASKED != 0 || rte & 0xff != 0,
            "GSI 0 entry {:#x}",
            rte
        );
        let _ = write!(out, ", I/O APIC answers");
    }
    out.push(')');
    Ok(out)
}

static SERIAL_BYTES: AtomicU64 = AtomicU64::new(0);
static SERIAL_IRQS: AtomicU32 = AtomicU32::new(0);
static SERIAL_CPU: AtomicUsize = AtomicUsize::new(usize::MAX);
static MSI_HITS: AtomicU32 = AtomicU32::new(0);
static MSI_CPU: AtomicUsize = AtomicUsize::new(usize::MAX);

fn serial_test_irq(c: &irq::IrqContext) {
    SERIAL_IRQS.fetch_add(1, Ordering::AcqRel);
    SERIAL_CPU.store(c.cpu, Ordering::Release);
    while let Some(b) = arch::serial::read_byte() {
        let v = SERIAL_BYTES.load(Ordering::Acquire);
        SERIAL_BYTES.store(v << 8 | b as u64, Ordering::Release);
    }
}

fn msi_test_irq(c: &irq::IrqContext) {
    MSI_CPU.store(c.cpu, Ordering::Release);
    MSI_HITS.fetch_add(1, Ordering::AcqRel);
}

/// Wait (bounded) with the big kernel lock released and interrupts let in,
/// until `cond` holds.
fn wait_irq(cond: impl Fn() -> bool, us: u64) -> bool {
    let t0 = arch::rdtsc();
    loop {
        if cond() {
            return true;
        }
        if arch::tsc_us_since(t0) > us {
            return false;
        }
        smp::bkl_release();
        arch::irq_window();
        smp::bkl_acquire();
    }
}

fn irq_test() -> Result<String, String> {
    let mut out = String::new();
    let cpus = smp::online_cpus();
    check!(
        irq::ioapic_mode() || crate::cmdline::get().contains("rill.noapic"),
        "no I/O APIC in use"
    );
    // the UART's line (IRQ 4) through the I/O APIC to the last CPU, fed by
    // the UART's own loopback: nothing reaches the console meanwhile, so
    // nothing may be printed until the loopback is off again
    let target = cpus - 1;
    let vector = irq::register_isa(4, serial_test_irq, irq::KernelEntry::Wait, target)
        .map_err(|e| alloc::format!("register IRQ 4: {:?}", e))?;
    arch::serial::set_loopback(true);
    arch::serial::write_byte(0x5a);
    arch::serial::write_byte(0xc3);
    let got = wait_irq(
        || SERIAL_BYTES.load(Ordering::Acquire) & 0xffff == 0x5ac3,
        2_000_000,
    );
    arch::serial::set_loopback(false);
    irq::mask_gsi(irq::isa_gsi(4));
    irq::unregister(vector);
    let irqs = SERIAL_IRQS.load(Ordering::Acquire);
    check!(
        got,
        "the UART's loopback bytes did not arrive by interrupt ({} interrupts, bytes {:#x})",
        irqs,
        SERIAL_BYTES.load(Ordering::Acquire)
    );
    let on = SERIAL_CPU.load(Ordering::Acquire);
    check!(
        !irq::ioapic_mode() || on == target,
        "IRQ 4 was handled on CPU {}, routed to CPU {}",
        on,
        target
    );
    let _ = write!(
        out,
        "(IRQ 4 -> vector {} on CPU {}: {} interrupts",
        vector, on, irqs
    );
    // MSI vectors on every CPU, each raised twice: the second arrives only
    // if the first was acknowledged (an unacknowledged vector blocks its
    // priority class on that CPU)
    for cpu in 0..cpus {
        let (v, msg) = irq::register_msi(msi_test_irq, cpu)
            .map_err(|e| alloc::format!("register_msi(CPU {}): {:?}", cpu, e))?;
        let want = 0xfee0_0000 | (smp::apic_id(cpu) as u64) << 12;
        check!(
            msg.addr == want && msg.data == v as u32,
            "MSI message {:x?} for vector {} on CPU {}",
            msg,
            v,
            cpu
        );
        for n in 1..=2 {
            MSI_HITS.store(0, Ordering::Release);
            irq::raise(v, cpu);
            let ok = wait_irq(|| MSI_HITS.load(Ordering::Acquire) == 1, 1_000_000);
            check!(ok, "vector {} raise {} on CPU {} never arrived", v, n, cpu);
            let on = MSI_CPU.load(Ordering::Acquire);
            check!(on == cpu, "vector {} for CPU {} ran on CPU {}", v, cpu, on);
        }
        irq::release_vector(v);
        let _ = write!(out, ", MSI vector {} on CPU {}", v, cpu);
    }
    out.push(')');
    Ok(out)
}

/// After the drivers started (before the network stack takes the devices).
pub fn run_drivers() {
    if wanted("virtio-net") {
        report("virtio-net", virtio_net_test());
    }
}

/// Sleep (`hlt`, the big kernel lock released) until an interrupt makes
/// `cond` true, at most `us` microseconds (the 1 kHz tick bounds each halt).
fn sleep_until_irq(cond: impl Fn() -> bool, us: u64) -> bool {
    let t0 = arch::rdtsc();
    loop {
        if cond() {
            return true;
        }
        if arch::tsc_us_since(t0) > us {
            return false;
        }
        smp::bkl_release();
        arch::idle_wait();
        smp::bkl_acquire();
    }
}

/// An ARP request "who has `tpa`? tell `spa`" from `mac`, broadcast.
fn arp_request(mac: [u8; 6], spa: [u8; 4], tpa: [u8; 4]) -> alloc::vec::Vec<u8> {
    let mut f = alloc::vec::Vec::with_capacity(60);
    f.extend_from_slice(&[0xff; 6]);
    f.extend_from_slice(&mac);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]);
    f.extend_from_slice(&mac);
    f.extend_from_slice(&spa);
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&tpa);
    f.resize(60, 0);
    f
}

/// Whether `f` is the ARP reply "`spa` is at ..." addressed to `mac`.
fn is_arp_reply(f: &[u8], mac: [u8; 6], spa: [u8; 4]) -> bool {
    f.len() >= 42
        && f.get(0..6) == Some(&mac[..])
        && f.get(12..14) == Some(&[0x08, 0x06][..])
        && f.get(20..22) == Some(&[0, 2][..])
        && f.get(28..32) == Some(&spa[..])
        && f.get(32..38) == Some(&mac[..])
}

/// The first virtio-net device sends ARP requests for the gateway (QEMU's
/// slirp, 10.0.2.2) and each reply must arrive and be seen after an
/// interrupt: TX, RX, interrupt delivery, and (more rounds than receive
/// buffers) the reposting of receive buffers.
fn virtio_net_test() -> Result<String, String> {
    use crate::drivers::virtio_net::IrqMode;
    use rill_net::NetDevice;
    const ROUNDS: u32 = 100;
    let dev = crate::drivers::virtio_net::devices()
        .into_iter()
        .next()
        .ok_or("no virtio-net device")?;
    let mode = dev
        .irq_mode()
        .ok_or("no interrupt wired (neither MSI-X nor INTx)")?;
    let mac = dev.mac();
    let (me, gw) = ([10, 0, 2, 15], [10, 0, 2, 2]);
    let frame = arp_request(mac, me, gw);
    let irq0 = dev.irq_count();
    let t0 = arch::rdtsc();
    let mut others = 0u32;
    for round in 1..=ROUNDS {
        let t_round = arch::rdtsc();
        let mut seen = dev.irq_count();
        check!(dev.transmit(&frame), "round {}: transmit refused", round);
        // the driver rings the doorbell once per batch: this one ends here
        dev.flush();
        let mut got = false;
        while !got {
            let left = 2_000_000u64.saturating_sub(arch::tsc_us_since(t_round));
            let woke = sleep_until_irq(|| dev.irq_count() != seen, left);
            check!(
                woke,
                "round {}: no interrupt within 2 s ({:?}, {} interrupts so far)",
                round,
                mode,
                dev.irq_count() - irq0
            );
            seen = dev.irq_count();
            while let Some(f) = dev.receive() {
                if is_arp_reply(&f, mac, gw) {
                    got = true;
                } else {
                    others += 1;
                }
            }
        }
    }
    let us = arch::tsc_us_since(t0).max(1);
    let how = match mode {
        IrqMode::Msix { vector } => alloc::format!("MSI-X vector {}", vector),
        IrqMode::Intx { gsi, vector } => alloc::format!("INTx GSI {} vector {}", gsi, vector),
    };
    Ok(alloc::format!(
        "({} {}, {}: {} ARP replies from 10.0.2.2 by interrupt, {} interrupts, {} other frames, {} round trips/s)",
        dev.name,
        dev.pci_name,
        how,
        ROUNDS,
        dev.irq_count() - irq0,
        others,
        ROUNDS as u64 * 1_000_000 / us
    ))
}

/// After the device interrupts are registered: their routing as programmed.
pub fn check_routing() {
    if !wanted("irq") || !irq::ioapic_mode() {
        return;
    }
    let r = (|| {
        for (irq_no, cpu) in [(0u8, 0usize), (4, smp::online_cpus() - 1)] {
            let gsi = irq::isa_gsi(irq_no);
            let rte = irq::gsi_rte(gsi).ok_or("no entry")?;
            check!(
                rte & rill_hw::RTE_MASKED == 0
                    && rte & 0xff == (irq::ISA_BASE + irq_no) as u64
                    && (rte >> 56) as u32 == smp::apic_id(cpu),
                "IRQ {} (GSI {}) entry {:#x}",
                irq_no,
                gsi,
                rte
            );
        }
        Ok(alloc::format!(
            "(PIT on GSI {}, COM1 on GSI {})",
            irq::isa_gsi(0),
            irq::isa_gsi(4)
        ))
    })();
    report("irq-routing", r);
}

// ------------------------------------------------------------ kthread

const ROUNDS: u32 = 50;
static PING: AtomicU32 = AtomicU32::new(0);
static PONG: AtomicU32 = AtomicU32::new(0);
static PING_Q: WaitQueue = WaitQueue::new();
static PONG_Q: WaitQueue = WaitQueue::new();
static DONE: AtomicU32 = AtomicU32::new(0);
static DONE_Q: WaitQueue = WaitQueue::new();
static ASLEEP: AtomicU32 = AtomicU32::new(0);
static TIMED_OUT: AtomicBool = AtomicBool::new(false);

/// Some(()) when `c`: a wait condition that registers its waker only when
/// it has to sleep, so no stale waker (holding the task) stays queued.
fn ready(c: bool) -> Option<()> {
    c.then_some(())
}

fn deadline(ms: u64) -> Option<u64> {
    Some(crate::time::now_ns() + ms * 1_000_000)
}

fn sleeper() {
    for i in 1..=ROUNDS {
        let r = wait::wait_event(false, deadline(500), |w| {
            ready(PING.load(Ordering::Acquire) >= i).or_else(|| {
                PING_Q.register(w);
                ready(PING.load(Ordering::Acquire) >= i)
            })
        });
        if r.is_err() {
            TIMED_OUT.store(true, Ordering::Release);
            break;
        }
        PONG.store(i, Ordering::Release);
        PONG_Q.wake_all();
    }
    DONE.fetch_add(1, Ordering::AcqRel);
    DONE_Q.wake_all();
}

fn waker(s: Arc<crate::task::Task>) {
    for i in 1..=ROUNDS {
        if s.state() == sched::State::Sleeping {
            ASLEEP.fetch_add(1, Ordering::AcqRel);
        }
        PING.store(i, Ordering::Release);
        PING_Q.wake_all();
        let r = wait::wait_event(false, deadline(500), |w| {
            ready(PONG.load(Ordering::Acquire) >= i).or_else(|| {
                PONG_Q.register(w);
                ready(PONG.load(Ordering::Acquire) >= i)
            })
        });
        if r.is_err() {
            TIMED_OUT.store(true, Ordering::Release);
            break;
        }
    }
    drop(s);
    DONE.fetch_add(1, Ordering::AcqRel);
    DONE_Q.wake_all();
}

fn kthread_check() -> Result<String, String> {
    let start = crate::time::now_ns();
    let s = kthread::spawn(sleeper).map_err(|e| alloc::format!("spawn: {:?}", e))?;
    check!(
        kthread::is_kthread(&s),
        "the spawned task is not a kernel thread"
    );
    check!(
        s.process().mm_root() == paging::kernel_root(),
        "a kernel thread has a user address space"
    );
    let s2 = s.clone();
    let w = kthread::spawn(move || waker(s2)).map_err(|e| alloc::format!("spawn: {:?}", e))?;
    let (ws, ww) = (Arc::downgrade(&s), Arc::downgrade(&w));
    drop((s, w));
    let r = wait::wait_event(false, deadline(20_000), |wk| {
        DONE_Q.register(wk);
        (DONE.load(Ordering::Acquire) == 2).then_some(())
    });
    check!(r.is_ok(), "the two threads did not finish in 20 s");
    check!(
        !TIMED_OUT.load(Ordering::Acquire),
        "a wake-up was lost (a 0.5 s wait timed out)"
    );
    let (pi, po) = (PING.load(Ordering::Acquire), PONG.load(Ordering::Acquire));
    check!(
        pi == ROUNDS && po == ROUNDS,
        "{} pings, {} pongs of {}",
        pi,
        po,
        ROUNDS
    );
    let asleep = ASLEEP.load(Ordering::Acquire);
    check!(
        asleep == ROUNDS,
        "the sleeper was asleep for {} of {} wake-ups",
        asleep,
        ROUNDS
    );
    // exited threads are freed: the pending 0.5 s timers of their waits
    // hold their wakers until they fire, so allow more than that
    let t0 = crate::time::now_ns();
    while ws.strong_count() + ww.strong_count() > 0 {
        check!(
            crate::time::now_ns() - t0 < 5_000_000_000,
            "exited threads still referenced after 5 s ({} + {})",
            ws.strong_count(),
            ww.strong_count()
        );
        let _ = wait::sleep_until(crate::time::now_ns() + 10_000_000);
    }
    Ok(alloc::format!(
        "(slept and was woken {} times by another kernel thread; both exited and were freed; {} ms)",
        ROUNDS,
        (crate::time::now_ns() - start) / 1_000_000
    ))
}

/// Run the kernel-thread test before `init`: the returned task (a kernel
/// thread) is the first to run; it prints the result and then starts
/// `init`. Without the test, `init` itself.
pub fn before_init(init: Arc<crate::task::Task>) -> Arc<crate::task::Task> {
    if !wanted("kthread") {
        return init;
    }
    let first = init.clone();
    match kthread::create(move || {
        report("kthread", kthread_check());
        sched::spawn(first);
    }) {
        Ok(t) => t,
        Err(e) => {
            report("kthread", Err(alloc::format!("create: {:?}", e)));
            init
        }
    }
}
