//! Device interrupts: the handler table, the I/O APIC(s), MSI/MSI-X
//! messages, and the legacy 8259 fallback.
//!
//! Vectors: 0-31 exceptions; 32-47 the ISA IRQs 0-15 (32 + irq, whether the
//! I/O APIC or the 8259 delivers them); 48-239 handed out by `alloc_vector`
//! (PCI INTx lines through the I/O APIC, MSI/MSI-X); 240-255 the local
//! APIC's own (timer, IPIs, spurious: `smp`). Every device vector is in a
//! lower priority class than the IPIs, so a handler waiting for the big
//! kernel lock never holds back a TLB shootdown or wake-up.
//!
//! A handler runs with interrupts off and the big kernel lock held, must not
//! sleep, and is acknowledged after it returns: a LAPIC EOI for everything
//! the I/O APIC or an MSI delivered (after the handler, so a level-triggered
//! line that the handler quietened does not fire again at once), the 8259's
//! EOI on the legacy path.
//!
//! Parsing and encodings are `rill_hw`'s (host-tested); this module does the
//! register accesses. Own code rather than a crate (`x2apic`'s I/O APIC type
//! wants raw pointers and owns no routing policy).
use super::{cpu, pic, smp};
use crate::mm::mmio::{self, MmioRegion};
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_hw::{Line, MsiMessage, VectorSet};
use spin::{Mutex, Once, RwLock};

pub const ISA_BASE: u8 = 32;
pub const DYN_FIRST: u8 = 48;
pub const DYN_END: u8 = 0xf0;

/// What the handler learns about the interrupt.
#[derive(Clone, Copy, Debug)]
pub struct IrqContext {
    pub vector: u8,
    /// It interrupted user mode (else: an idle or lock-waiting CPU).
    pub from_user: bool,
    pub cpu: usize,
}

pub type Handler = fn(&IrqContext);

/// How a registered interrupt behaves when it arrives while the CPU was in
/// the kernel (idle, or waiting for the big kernel lock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelEntry {
    /// Wait for the big kernel lock, then run the handler.
    Wait,
    /// Run only if the lock is free at once, else just acknowledge (a
    /// periodic tick: the next one will do; another CPU is in the kernel).
    SkipIfBusy,
}

#[derive(Clone, Copy)]
struct Entry {
    handler: Handler,
    kernel: KernelEntry,
}

static TABLE: RwLock<[Option<Entry>; 256]> = RwLock::new([None; 256]);
static VECTORS: Mutex<VectorSet> = Mutex::new(VectorSet::new(DYN_FIRST, DYN_END));

struct IoApic {
    regs: MmioRegion,
    gsi_base: u32,
    pins: u32,
    /// IOREGSEL/IOWIN are a pair: one access at a time.
    lock: Mutex<()>,
}

impl IoApic {
    fn read(&self, reg: u32) -> u32 {
        let _g = self.lock.lock();
        self.regs.write32(0, reg);
        self.regs.read32(0x10)
    }
    fn write(&self, reg: u32, v: u32) {
        let _g = self.lock.lock();
        self.regs.write32(0, reg);
        self.regs.write32(0x10, v);
    }
    fn read_rte(&self, pin: u32) -> u64 {
        let r = rill_hw::ioapic_rte_reg(pin);
        self.read(r) as u64 | (self.read(r + 1) as u64) << 32
    }
    fn write_rte(&self, pin: u32, v: u64) {
        let r = rill_hw::ioapic_rte_reg(pin);
        // masked while the halves disagree
        self.write(r, (v as u32) | rill_hw::RTE_MASKED as u32);
        self.write(r + 1, (v >> 32) as u32);
        self.write(r, v as u32);
    }
}

/// The I/O APICs in use; empty: the 8259 delivers the ISA IRQs.
static IOAPICS: Once<Vec<IoApic>> = Once::new();

fn ioapics() -> &'static [IoApic] {
    IOAPICS.get().map_or(&[], |v| v.as_slice())
}

/// The I/O APIC routes the legacy IRQs (false: the 8259 does).
pub fn ioapic_mode() -> bool {
    !ioapics().is_empty()
}

/// Set up interrupt delivery on the boot CPU, after `smp` found the CPUs:
/// with an I/O APIC in the MADT (and `legacy_pic` false), map it, mask all
/// its pins, mask the 8259s and the LAPIC's ExtINT input; otherwise keep the
/// 8259 (all lines masked until registered). Starts the PIT either way.
pub fn init(legacy_pic: bool) {
    for v in ISA_BASE..DYN_FIRST {
        VECTORS.lock().take(v);
    }
    pic::init();
    let madt = smp::madt();
    if legacy_pic || madt.ioapics.is_empty() || smp::lapic_region().is_none() {
        kinfo!("irq: 8259 PIC");
        return;
    }
    let mut found = Vec::new();
    for a in &madt.ioapics {
        let regs = match mmio::map(a.addr as u64, 0x20) {
            Ok(r) => r,
            Err(e) => {
                kwarn!("irq: cannot map the I/O APIC at {:#x}: {:?}", a.addr, e);
                continue;
            }
        };
        let mut io = IoApic {
            regs,
            gsi_base: a.gsi_base,
            pins: 0,
            lock: Mutex::new(()),
        };
        let ver = io.read(rill_hw::IOAPIC_REG_VER);
        if ver == u32::MAX {
            kwarn!("irq: no I/O APIC answers at {:#x}", a.addr);
            continue;
        }
        io.pins = rill_hw::ioapic_pins(ver);
        for pin in 0..io.pins {
            io.write_rte(pin, rill_hw::RTE_MASKED);
        }
        kinfo!(
            "irq: I/O APIC id {} at {:#x}, GSIs {}-{}",
            a.id,
            a.addr,
            a.gsi_base,
            a.gsi_base + io.pins - 1
        );
        found.push(io);
    }
    if found.is_empty() {
        return;
    }
    IOAPICS.call_once(|| found);
    pic::mask_all();
    smp::lapic_mask_lint0();
}

/// A free vector for a device (MSI/MSI-X, a PCI INTx line); `None` when all
/// are taken.
pub fn alloc_vector() -> Option<u8> {
    VECTORS.lock().alloc()
}

/// Give back a vector from `alloc_vector` (after `unregister`).
pub fn free_vector(v: u8) {
    if (DYN_FIRST..DYN_END).contains(&v) {
        VECTORS.lock().free(v);
    }
}

/// Install `handler` for `vector` (a device vector, 32-239). EBUSY if one is
/// installed already, EINVAL outside the device range.
pub fn register(vector: u8, handler: Handler, kernel: KernelEntry) -> KResult<()> {
    if !(ISA_BASE..DYN_END).contains(&vector) {
        return Err(Errno::EINVAL);
    }
    let mut t = TABLE.write();
    if t[vector as usize].is_some() {
        return Err(Errno::EBUSY);
    }
    t[vector as usize] = Some(Entry { handler, kernel });
    Ok(())
}

/// Remove the handler of `vector` (its source should be masked first).
pub fn unregister(vector: u8) {
    TABLE.write()[vector as usize] = None;
}

fn find_ioapic(gsi: u32) -> Option<(&'static IoApic, u32)> {
    ioapics().iter().find_map(|a| {
        let pin = gsi.checked_sub(a.gsi_base)?;
        (pin < a.pins).then_some((a, pin))
    })
}

fn dest_apic_id(cpu: usize) -> KResult<u8> {
    if cpu >= smp::online_cpus() {
        return Err(Errno::EINVAL);
    }
    u8::try_from(smp::apic_id(cpu)).map_err(|_| Errno::EINVAL)
}

/// Route global system interrupt `line.gsi` to `vector` on CPU `cpu`
/// (unmasked). ENODEV without an I/O APIC serving it.
pub fn route_gsi(line: Line, vector: u8, cpu: usize) -> KResult<()> {
    let (io, pin) = find_ioapic(line.gsi).ok_or(Errno::ENODEV)?;
    let dest = dest_apic_id(cpu)?;
    io.write_rte(pin, rill_hw::ioapic_rte(vector, dest, line, false));
    Ok(())
}

/// Mask global system interrupt `gsi`.
pub fn mask_gsi(gsi: u32) {
    if let Some((io, pin)) = find_ioapic(gsi) {
        io.write_rte(pin, io.read_rte(pin) | rill_hw::RTE_MASKED);
    }
}

/// The redirection entry of `gsi` as programmed (self-test, diagnostics).
pub fn gsi_rte(gsi: u32) -> Option<u64> {
    let (io, pin) = find_ioapic(gsi)?;
    Some(io.read_rte(pin))
}

/// Register `handler` for ISA IRQ `irq` (vector 32 + irq), delivered to CPU
/// `cpu`: through the I/O APIC with the MADT's source override (PIT: IRQ 0
/// is GSI 2 on QEMU), or by the 8259 (CPU 0 only). Returns the vector.
pub fn register_isa(irq: u8, handler: Handler, kernel: KernelEntry, cpu: usize) -> KResult<u8> {
    if irq >= 16 || irq == 2 {
        return Err(Errno::EINVAL);
    }
    let vector = ISA_BASE + irq;
    register(vector, handler, kernel)?;
    let routed = if ioapic_mode() {
        route_gsi(smp::madt().isa_line(irq), vector, cpu)
    } else if cpu == 0 {
        pic::unmask(irq);
        Ok(())
    } else {
        Err(Errno::EINVAL)
    };
    if let Err(e) = routed {
        unregister(vector);
        return Err(e);
    }
    Ok(vector)
}

/// The GSI ISA IRQ `irq` arrives on (its source override applied).
pub fn isa_gsi(irq: u8) -> u32 {
    smp::madt().isa_line(irq).gsi
}

/// Register `handler` for a PCI INTx line (GSI `gsi`, level-triggered,
/// active low) on CPU `cpu`: a fresh vector, returned.
pub fn register_pci_intx(gsi: u32, handler: Handler, cpu: usize) -> KResult<u8> {
    let vector = alloc_vector().ok_or(Errno::ENOSPC)?;
    let line = Line {
        gsi,
        active_low: true,
        level: true,
    };
    let r =
        register(vector, handler, KernelEntry::Wait).and_then(|()| route_gsi(line, vector, cpu));
    if let Err(e) = r {
        unregister(vector);
        free_vector(vector);
        return Err(e);
    }
    Ok(vector)
}

/// An MSI/MSI-X vector with `handler` for CPU `cpu`: the vector and the
/// message to program into the device's MSI capability or MSI-X table entry
/// (edge, fixed delivery; acknowledged with a LAPIC EOI like any vector).
pub fn register_msi(handler: Handler, cpu: usize) -> KResult<(u8, MsiMessage)> {
    let vector = alloc_vector().ok_or(Errno::ENOSPC)?;
    let msg = dest_apic_id(cpu)
        .ok()
        .and_then(|d| rill_hw::msi_message(vector, d as u32));
    let Some(msg) = msg else {
        free_vector(vector);
        return Err(Errno::EINVAL);
    };
    if let Err(e) = register(vector, handler, KernelEntry::Wait) {
        free_vector(vector);
        return Err(e);
    }
    Ok((vector, msg))
}

/// Release a vector from `register_msi`/`register_pci_intx` (mask the
/// source first).
pub fn release_vector(vector: u8) {
    unregister(vector);
    free_vector(vector);
}

/// The MSI message delivering `vector` to CPU `cpu` (to move an interrupt).
pub fn msi_message_for(vector: u8, cpu: usize) -> Option<MsiMessage> {
    rill_hw::msi_message(vector, dest_apic_id(cpu).ok()? as u32)
}

/// Raise `vector` on CPU `cpu` as a fixed IPI (what an MSI write to
/// `msi_message_for(vector, cpu)` delivers): the self-test's stand-in for
/// a device.
pub fn raise(vector: u8, cpu: usize) {
    smp::send_ipi(cpu, vector as u64);
}

fn acknowledge(vector: u8) {
    if ioapic_mode() || !(ISA_BASE..DYN_FIRST).contains(&vector) {
        smp::lapic_eoi();
    } else {
        let irq = vector - ISA_BASE;
        // the 8259's spurious IRQ 7/15 is not in service: no EOI
        if irq != 7 && irq != 15 {
            pic::eoi(irq);
        }
    }
}

/// How `trap` treats a device vector that interrupted the kernel.
pub(super) fn kernel_entry_of(vector: u8) -> KernelEntry {
    TABLE.read()[vector as usize].map_or(KernelEntry::Wait, |e| e.kernel)
}

/// Acknowledge without running the handler (`SkipIfBusy`).
pub(super) fn skip(vector: u8) {
    acknowledge(vector);
}

/// Run the handler of a device vector and acknowledge it (the caller holds
/// the big kernel lock).
pub(super) fn dispatch(vector: u8, from_user: bool) {
    let e = TABLE.read()[vector as usize];
    if let Some(e) = e {
        (e.handler)(&IrqContext {
            vector,
            from_user,
            cpu: cpu::cpu_id(),
        });
    }
    acknowledge(vector);
}
