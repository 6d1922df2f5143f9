//! The byte- and bit-level parts of x86 interrupt routing, kept out of the
//! kernel so they are unit-tested on the host: the ACPI MADT (local APICs,
//! I/O APICs, interrupt source overrides), I/O APIC redirection table
//! entries, and MSI/MSI-X message composition. The kernel's `arch::irq` and
//! `arch::smp` do the register accesses.
//!
//! Written for Rill from the ACPI specification (6.5, §5.2.12 "Multiple APIC
//! Description Table"), the Intel 82093AA I/O APIC datasheet (§3.2.4, the
//! redirection table) and the Intel SDM vol. 3 §11.11 ("Message Signalled
//! Interrupts").
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
pub mod pci;
use alloc::vec::Vec;

#[cfg(test)]
mod tests;

/// One I/O APIC of the MADT (entry type 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoApicEntry {
    pub id: u8,
    /// Physical address of its register window.
    pub addr: u32,
    /// The first global system interrupt (GSI) it serves.
    pub gsi_base: u32,
}

/// An interrupt source override (entry type 2): ISA IRQ `source` is
/// wired to `gsi`, with MPS INTI `flags` (polarity bits 0-1, trigger 2-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Override {
    pub source: u8,
    pub gsi: u32,
    pub flags: u16,
}

/// What the kernel uses of the MADT.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Madt {
    /// Physical address of the local APICs.
    pub lapic_addr: u32,
    /// APIC ids of the enabled (or online-capable) CPUs, in table order.
    pub apic_ids: Vec<u32>,
    pub ioapics: Vec<IoApicEntry>,
    pub overrides: Vec<Override>,
    /// PCAT_COMPAT: the machine also has dual 8259s (which must be masked
    /// when the I/O APIC takes over).
    pub has_8259: bool,
}

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(o..o + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?))
}

/// Parse a whole MADT (starting with its "APIC" header). Malformed entries
/// end the walk (what was read before them is kept); a table too short for
/// its header gives `None`.
pub fn parse_madt(t: &[u8]) -> Option<Madt> {
    if t.get(0..4)? != b"APIC" {
        return None;
    }
    let len = (u32_at(t, 4)? as usize).min(t.len());
    let mut m = Madt {
        lapic_addr: u32_at(t, 36)?,
        has_8259: u32_at(t, 40)? & 1 != 0,
        ..Madt::default()
    };
    let mut off = 44;
    while off + 2 <= len {
        let (ty, l) = (t[off], t[off + 1] as usize);
        if l < 2 || off + l > len {
            break;
        }
        let e = &t[off..off + l];
        match ty {
            // processor local APIC: enabled (bit 0) or online capable (bit 1)
            0 if l >= 8 && u32_at(e, 4)? & 3 != 0 => m.apic_ids.push(e[3] as u32),
            1 if l >= 12 => m.ioapics.push(IoApicEntry {
                id: e[2],
                addr: u32_at(e, 4)?,
                gsi_base: u32_at(e, 8)?,
            }),
            2 if l >= 10 && e[2] == 0 => m.overrides.push(Override {
                source: e[3],
                gsi: u32_at(e, 4)?,
                flags: u16_at(e, 8)?,
            }),
            // processor local x2APIC
            9 if l >= 16 && u32_at(e, 8)? & 3 != 0 => m.apic_ids.push(u32_at(e, 4)?),
            _ => {}
        }
        off += l;
    }
    Some(m)
}

/// Electrical properties of an interrupt line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub gsi: u32,
    pub active_low: bool,
    pub level: bool,
}

impl Madt {
    /// Where ISA IRQ `irq` arrives: the override if there is one (its flags
    /// "conforming" meaning the ISA default), else GSI = IRQ, edge, active
    /// high (ACPI 6.5 §5.2.12.5).
    pub fn isa_line(&self, irq: u8) -> Line {
        match self.overrides.iter().find(|o| o.source == irq) {
            Some(o) => Line {
                gsi: o.gsi,
                active_low: o.flags & 3 == 3,
                level: (o.flags >> 2) & 3 == 3,
            },
            None => Line {
                gsi: irq as u32,
                active_low: false,
                level: false,
            },
        }
    }

    /// The I/O APIC serving `gsi` (index into `ioapics`) and the pin on it;
    /// `max_pins(i)` gives each one's number of redirection entries.
    pub fn ioapic_for(&self, gsi: u32, max_pins: impl Fn(usize) -> u32) -> Option<(usize, u32)> {
        self.ioapics.iter().enumerate().find_map(|(i, a)| {
            let pin = gsi.checked_sub(a.gsi_base)?;
            (pin < max_pins(i)).then_some((i, pin))
        })
    }
}

/// I/O APIC register numbers (through IOREGSEL/IOWIN).
pub const IOAPIC_REG_ID: u32 = 0;
pub const IOAPIC_REG_VER: u32 = 1;
/// Low half of redirection entry `pin`; the high half is the next register.
pub const fn ioapic_rte_reg(pin: u32) -> u32 {
    0x10 + 2 * pin
}
/// Number of redirection entries, from the version register.
pub const fn ioapic_pins(ver: u32) -> u32 {
    ((ver >> 16) & 0xff) + 1
}
pub const RTE_MASKED: u64 = 1 << 16;

/// A redirection table entry: fixed delivery, physical destination mode.
pub fn ioapic_rte(vector: u8, dest_apic_id: u8, line: Line, masked: bool) -> u64 {
    let mut v = vector as u64;
    if line.active_low {
        v |= 1 << 13;
    }
    if line.level {
        v |= 1 << 15;
    }
    if masked {
        v |= RTE_MASKED;
    }
    v | (dest_apic_id as u64) << 56
}

/// An MSI/MSI-X message: what the device writes (`data` to `addr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsiMessage {
    pub addr: u64,
    pub data: u32,
}

/// The message that delivers `vector` to the CPU with APIC id
/// `dest_apic_id` (physical destination, no redirection hint; fixed
/// delivery, edge): address 0xfee0_0000 | id << 12, data = vector. APIC ids
/// above 255 need interrupt remapping (or the extended-id scheme), which
/// this does not do: `None`.
pub fn msi_message(vector: u8, dest_apic_id: u32) -> Option<MsiMessage> {
    if dest_apic_id > 0xff || vector < 0x10 {
        return None;
    }
    Some(MsiMessage {
        addr: 0xfee0_0000 | (dest_apic_id as u64) << 12,
        data: vector as u32,
    })
}

/// A set of free interrupt vectors in `[lo, hi)`: the allocator behind
/// `arch::irq::alloc_vector`.
#[derive(Clone, Debug)]
pub struct VectorSet {
    used: [u64; 4],
    lo: u8,
    hi: u8,
}

impl VectorSet {
    pub const fn new(lo: u8, hi: u8) -> Self {
        VectorSet {
            used: [0; 4],
            lo,
            hi,
        }
    }
    pub fn is_used(&self, v: u8) -> bool {
        self.used[v as usize / 64] & (1 << (v % 64)) != 0
    }
    /// Mark `v` taken (a fixed assignment); false if it already was.
    pub fn take(&mut self, v: u8) -> bool {
        if self.is_used(v) {
            return false;
        }
        self.used[v as usize / 64] |= 1 << (v % 64);
        true
    }
    /// The lowest free vector in range, now taken.
    pub fn alloc(&mut self) -> Option<u8> {
        let v = (self.lo..self.hi).find(|&v| !self.is_used(v))?;
        self.take(v);
        Some(v)
    }
    pub fn free(&mut self, v: u8) {
        self.used[v as usize / 64] &= !(1 << (v % 64));
    }
}
