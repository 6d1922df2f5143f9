//! PCI enumeration through configuration mechanism #1 (ports 0xCF8/0xCFC):
//! every function on bus 0 and behind PCI-PCI bridges, with its ids, class,
//! BARs (sized by probing), interrupt line and capability list (MSI-X
//! parsed). The encodings are `rill_hw::pci`'s (host-tested).
use crate::arch::io::{inl, outl};
use alloc::string::String;
use alloc::vec::Vec;
use rill_hw::pci::{self, reg, Bar, Msix};
use spin::{Mutex, Once};

const CONFIG_ADDRESS: u16 = 0xcf8;
const CONFIG_DATA: u16 = 0xcfc;

/// The address/data port pair is one register window: one access at a time.
static PORTS: Mutex<()> = Mutex::new(());

/// Bus/device/function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bdf {
    pub bus: u8,
    pub dev: u8,
    pub func: u8,
}

impl Bdf {
    pub fn read32(&self, off: u16) -> u32 {
        let Some(a) = pci::config_address(self.bus, self.dev, self.func, off) else {
            return u32::MAX;
        };
        let _g = PORTS.lock();
        outl(CONFIG_ADDRESS, a);
        inl(CONFIG_DATA)
    }
    pub fn write32(&self, off: u16, v: u32) {
        let Some(a) = pci::config_address(self.bus, self.dev, self.func, off) else {
            return;
        };
        let _g = PORTS.lock();
        outl(CONFIG_ADDRESS, a);
        outl(CONFIG_DATA, v);
    }
    pub fn read16(&self, off: u16) -> u16 {
        (self.read32(off) >> ((off & 2) * 8)) as u16
    }
    pub fn read8(&self, off: u16) -> u8 {
        (self.read32(off) >> ((off & 3) * 8)) as u8
    }
    /// A 16-bit write as a read-modify-write of its dword. Only for
    /// registers whose neighbour half has no write-1-to-clear bits that
    /// matter (the command register's neighbour is the status register:
    /// writing back its set bits clears them, which is harmless here).
    pub fn write16(&self, off: u16, v: u16) {
        let shift = (off & 2) * 8;
        let old = self.read32(off & !3);
        let new = (old & !(0xffff << shift)) | (v as u32) << shift;
        self.write32(off & !3, new);
    }
    pub fn name(&self) -> String {
        pci::slot_name(self.bus, self.dev, self.func)
    }
}

/// One PCI function as found at boot.
#[derive(Clone, Debug)]
pub struct PciDevice {
    pub bdf: Bdf,
    pub vendor: u16,
    pub device: u16,
    /// Class, subclass, programming interface (Linux's `class`: 0xCCSSPP).
    pub class: u32,
    pub revision: u8,
    pub header_type: u8,
    pub subsystem_vendor: u16,
    pub subsystem_device: u16,
    /// Interrupt line (the firmware's routing: the ISA IRQ / GSI) and pin (1-4: INTA-D, 0: none).
    pub irq_line: u8,
    pub irq_pin: u8,
    pub bars: [Bar; 6],
    /// (capability id, offset).
    pub caps: Vec<(u8, u8)>,
    pub msix: Option<Msix>,
}

impl PciDevice {
    pub fn cap(&self, id: u8) -> Option<u8> {
        self.caps.iter().find(|c| c.0 == id).map(|c| c.1)
    }
    pub fn command(&self) -> u16 {
        self.bdf.read16(reg::COMMAND_STATUS)
    }
    pub fn set_command(&self, v: u16) {
        // status bits are write-1-to-clear: write zeros there
        self.bdf.write32(reg::COMMAND_STATUS, v as u32);
    }
}

static DEVICES: Once<Vec<PciDevice>> = Once::new();

/// The devices found by `scan` (empty before).
pub fn devices() -> &'static [PciDevice] {
    DEVICES.get().map_or(&[], |v| v.as_slice())
}

/// Size BAR `i` (and `i + 1` for the high half of a 64-bit one) with
/// decoding off, restoring it afterwards.
fn probe_bar(b: Bdf, i: u16) -> Bar {
    let off = reg::BAR0 + 4 * i;
    let lo = b.read32(off);
    b.write32(off, u32::MAX);
    let plo = b.read32(off);
    b.write32(off, lo);
    let (mut hi, mut phi) = (0, 0);
    if pci::bar_is64(lo) && i < 5 {
        hi = b.read32(off + 4);
        b.write32(off + 4, u32::MAX);
        phi = b.read32(off + 4);
        b.write32(off + 4, hi);
    }
    pci::decode_bar(lo, hi, plo, phi)
}

fn probe(b: Bdf) -> Option<PciDevice> {
    let id = b.read32(reg::VENDOR_DEVICE);
    let vendor = id as u16;
    if vendor == 0xffff || vendor == 0 {
        return None;
    }
    let class_rev = b.read32(reg::CLASS_REV);
    let header_type = b.read8(reg::HEADER);
    let mut bars = [Bar::None; 6];
    let nbars = match header_type & 0x7f {
        0 => 6,
        1 => 2,
        _ => 0,
    };
    if nbars > 0 {
        let command = b.read16(reg::COMMAND_STATUS);
        b.write32(
            reg::COMMAND_STATUS,
            (command & !(pci::cmd::IO | pci::cmd::MEMORY)) as u32,
        );
        let mut i = 0;
        while i < nbars {
            let bar = probe_bar(b, i as u16);
            bars[i] = bar;
            i += if matches!(bar, Bar::Memory { is64: true, .. }) {
                2
            } else {
                1
            };
        }
        b.write32(reg::COMMAND_STATUS, command as u32);
    }
    let (subsystem_vendor, subsystem_device) = if header_type & 0x7f == 0 {
        let s = b.read32(reg::SUBSYSTEM);
        (s as u16, (s >> 16) as u16)
    } else {
        (0, 0)
    };
    let status = (b.read32(reg::COMMAND_STATUS) >> 16) as u16;
    let caps = if status & pci::STATUS_CAP_LIST != 0 {
        pci::capabilities(b.read8(reg::CAP_PTR), |o| b.read8(o))
    } else {
        Vec::new()
    };
    let msix = caps
        .iter()
        .find(|c| c.0 == pci::CAP_MSIX)
        .and_then(|&(_, off)| {
            let o = off as u16;
            Msix::parse(off, b.read32(o), b.read32(o + 4), b.read32(o + 8))
        });
    let int = b.read32(reg::INTERRUPT);
    Some(PciDevice {
        bdf: b,
        vendor,
        device: (id >> 16) as u16,
        class: class_rev >> 8,
        revision: class_rev as u8,
        header_type,
        subsystem_vendor,
        subsystem_device,
        irq_line: int as u8,
        irq_pin: (int >> 8) as u8,
        bars,
        caps,
        msix,
    })
}

fn scan_bus(bus: u8, out: &mut Vec<PciDevice>, seen: &mut [bool; 256]) {
    if core::mem::replace(&mut seen[bus as usize], true) {
        return;
    }
    for dev in 0..32u8 {
        let Some(f0) = probe(Bdf { bus, dev, func: 0 }) else {
            continue;
        };
        let multi = f0.header_type & 0x80 != 0;
        let mut found = alloc::vec![f0];
        if multi {
            for func in 1..8u8 {
                if let Some(d) = probe(Bdf { bus, dev, func }) {
                    found.push(d);
                }
            }
        }
        for d in found {
            let bridge = d.header_type & 0x7f == 1;
            let secondary = (d.bdf.read32(reg::BRIDGE_BUSES) >> 8) as u8;
            out.push(d);
            if bridge && secondary != 0 {
                scan_bus(secondary, out, seen);
            }
        }
    }
}

/// Enumerate the buses once (bus 0, then every bridge's secondary bus).
pub fn scan() -> &'static [PciDevice] {
    DEVICES.call_once(|| {
        let mut out = Vec::new();
        let mut seen = [false; 256];
        scan_bus(0, &mut out, &mut seen);
        for d in &out {
            kdebug!(
                "pci {}: {:04x}:{:04x} class {:06x} irq {} msix {:?}",
                d.bdf.name(),
                d.vendor,
                d.device,
                d.class,
                d.irq_line,
                d.msix.map(|m| m.entries)
            );
        }
        out
    })
}
