//! PCI configuration space: the 0xCF8 address encoding, BAR decoding and
//! sizing, the capability list walk, the MSI-X capability and its table
//! entries. Pure functions over the values read; the kernel's
//! `drivers::pci` does the port I/O.
//!
//! Written from the PCI Local Bus Specification 3.0 (§3.2.2.3.2, configuration
//! mechanism #1; §6.2.5, base addresses; §6.7, capabilities; §6.8.2, MSI-X).

use alloc::vec::Vec;

/// Configuration-space offsets of the type 0/1 header.
pub mod reg {
    pub const VENDOR_DEVICE: u16 = 0x00;
    pub const COMMAND_STATUS: u16 = 0x04;
    pub const CLASS_REV: u16 = 0x08;
    /// The header type byte (bit 7: multi-function).
    pub const HEADER: u16 = 0x0e;
    pub const BAR0: u16 = 0x10;
    /// Type 1 (bridge): primary, secondary, subordinate bus numbers.
    pub const BRIDGE_BUSES: u16 = 0x18;
    pub const SUBSYSTEM: u16 = 0x2c;
    pub const CAP_PTR: u16 = 0x34;
    pub const INTERRUPT: u16 = 0x3c;
}

/// Command register bits.
pub mod cmd {
    pub const IO: u16 = 1 << 0;
    pub const MEMORY: u16 = 1 << 1;
    pub const BUS_MASTER: u16 = 1 << 2;
    pub const INTX_DISABLE: u16 = 1 << 10;
}

/// Status register: the capability list is present.
pub const STATUS_CAP_LIST: u16 = 1 << 4;

/// Capability ids.
pub const CAP_MSI: u8 = 0x05;
pub const CAP_VENDOR: u8 = 0x09;
pub const CAP_MSIX: u8 = 0x11;

/// The value written to port 0xCF8 to reach dword `off` (rounded down to 4)
/// of bus/device/function; `None` for a device above 31, a function above 7
/// or an offset past the 256-byte legacy configuration space.
pub fn config_address(bus: u8, dev: u8, func: u8, off: u16) -> Option<u32> {
    if dev > 31 || func > 7 || off > 0xff {
        return None;
    }
    Some(
        0x8000_0000
            | (bus as u32) << 16
            | (dev as u32) << 11
            | (func as u32) << 8
            | (off as u32 & 0xfc),
    )
}

/// What a BAR decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bar {
    /// Not implemented (reads back zero when sized).
    None,
    Io {
        port: u32,
        size: u32,
    },
    Memory {
        addr: u64,
        size: u64,
        /// Occupies this BAR and the next (the high half).
        is64: bool,
        prefetchable: bool,
    },
}

impl Bar {
    /// The memory address and size, for a memory BAR with an address.
    pub fn memory(&self) -> Option<(u64, u64)> {
        match *self {
            Bar::Memory { addr, size, .. } if addr != 0 && size != 0 => Some((addr, size)),
            _ => None,
        }
    }
}

/// Whether the BAR value `lo` is the low half of a 64-bit memory BAR.
pub fn bar_is64(lo: u32) -> bool {
    lo & 1 == 0 && (lo >> 1) & 3 == 2
}

/// Decode a BAR from its original value(s) and what it read back after
/// all ones were written (`probe_*`; the high halves only for a 64-bit BAR).
pub fn decode_bar(orig_lo: u32, orig_hi: u32, probe_lo: u32, probe_hi: u32) -> Bar {
    if probe_lo == 0 && (!bar_is64(orig_lo) || probe_hi == 0) {
        return Bar::None;
    }
    if orig_lo & 1 == 1 {
        let mask = probe_lo & !0x3;
        // I/O BARs decode 16 bits on x86; the upper bits may read back as 0
        let mask = if mask & 0xffff_0000 == 0 {
            mask | 0xffff_0000
        } else {
            mask
        };
        return Bar::Io {
            port: orig_lo & !0x3,
            size: (!mask).wrapping_add(1),
        };
    }
    let is64 = bar_is64(orig_lo);
    let (addr, mask) = if is64 {
        (
            (orig_lo & !0xf) as u64 | (orig_hi as u64) << 32,
            (probe_lo & !0xf) as u64 | (probe_hi as u64) << 32,
        )
    } else {
        (
            (orig_lo & !0xf) as u64,
            (probe_lo & !0xf) as u64 | 0xffff_ffff_0000_0000,
        )
    };
    Bar::Memory {
        addr,
        size: (!mask).wrapping_add(1),
        is64,
        prefetchable: orig_lo & 0x8 != 0,
    }
}

/// The capability list: (id, offset) of each entry, starting at the
/// capability pointer, through `read8` of configuration space. Stops at a
/// pointer into the header, a repeat (a loop) or after 48 entries, so a
/// broken device cannot hang the walk.
pub fn capabilities(cap_ptr: u8, read8: impl Fn(u16) -> u8) -> Vec<(u8, u8)> {
    let mut out: Vec<(u8, u8)> = Vec::new();
    let mut p = cap_ptr & 0xfc;
    while p >= 0x40 && out.len() < 48 && !out.iter().any(|&(_, o)| o == p) {
        let id = read8(p as u16);
        out.push((id, p));
        p = read8(p as u16 + 1) & 0xfc;
    }
    out
}

/// The MSI-X capability: where the table and the pending-bit array live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msix {
    /// Offset of the capability in configuration space.
    pub cap: u8,
    /// Number of table entries (1-2048).
    pub entries: u16,
    pub table_bar: u8,
    pub table_offset: u32,
    pub pba_bar: u8,
    pub pba_offset: u32,
}

/// Message control bits (the upper half of the capability's first dword).
pub const MSIX_ENABLE: u16 = 1 << 15;
pub const MSIX_FUNCTION_MASK: u16 = 1 << 14;
/// Each table entry's size; the vector control word's mask bit.
pub const MSIX_ENTRY_SIZE: u64 = 16;
pub const MSIX_ENTRY_MASKED: u32 = 1;

impl Msix {
    /// From the capability's three dwords (at `cap`, `cap + 4`, `cap + 8`).
    /// `None` for a BAR indicator above 5.
    pub fn parse(cap: u8, dw0: u32, table: u32, pba: u32) -> Option<Msix> {
        let ctrl = (dw0 >> 16) as u16;
        let (table_bar, pba_bar) = ((table & 7) as u8, (pba & 7) as u8);
        if table_bar > 5 || pba_bar > 5 {
            return None;
        }
        Some(Msix {
            cap,
            entries: (ctrl & 0x7ff) + 1,
            table_bar,
            table_offset: table & !7,
            pba_bar,
            pba_offset: pba & !7,
        })
    }
    /// Offset of entry `i`'s first byte in the table BAR.
    pub fn entry_offset(&self, i: u16) -> Option<u64> {
        (i < self.entries).then(|| self.table_offset as u64 + i as u64 * MSIX_ENTRY_SIZE)
    }
    /// Bytes of the table BAR the table covers.
    pub fn table_len(&self) -> u64 {
        self.entries as u64 * MSIX_ENTRY_SIZE
    }
}

/// The four dwords of an MSI-X table entry: message address low and high,
/// data, vector control.
pub fn msix_entry(m: crate::MsiMessage, masked: bool) -> [u32; 4] {
    [
        m.addr as u32,
        (m.addr >> 32) as u32,
        m.data,
        if masked { MSIX_ENTRY_MASKED } else { 0 },
    ]
}

/// Linux's name of a device: `0000:BB:DD.F`.
pub fn slot_name(bus: u8, dev: u8, func: u8) -> alloc::string::String {
    alloc::format!("0000:{:02x}:{:02x}.{}", bus, dev, func)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MsiMessage;

    #[test]
    fn address_encoding() {
        assert_eq!(config_address(0, 3, 0, 0x10), Some(0x8000_1810));
        assert_eq!(config_address(1, 31, 7, 0xff), Some(0x8001_fffc));
        assert_eq!(config_address(0, 32, 0, 0), None);
        assert_eq!(config_address(0, 0, 8, 0), None);
        assert_eq!(config_address(0, 0, 0, 0x100), None);
    }

    #[test]
    fn bars() {
        // QEMU virtio-net: BAR0 I/O 32 ports at 0xc000 (reads back 0xffffffe1)
        assert_eq!(
            decode_bar(0xc001, 0, 0xffff_ffe1, 0),
            Bar::Io {
                port: 0xc000,
                size: 32
            }
        );
        // a 16-bit-decoding I/O BAR whose upper bits read back 0
        assert_eq!(
            decode_bar(0xc041, 0, 0x0000_ffe1, 0),
            Bar::Io {
                port: 0xc040,
                size: 32
            }
        );
        // BAR1: 4 KiB 32-bit memory
        assert_eq!(
            decode_bar(0xfebd_1000, 0, 0xffff_f000, 0),
            Bar::Memory {
                addr: 0xfebd_1000,
                size: 4096,
                is64: false,
                prefetchable: false
            }
        );
        // BAR4: 16 KiB 64-bit prefetchable above 4 GiB
        let b = decode_bar(0xfe00_000c, 0x1, 0xffff_c00c, 0xffff_ffff);
        assert_eq!(
            b,
            Bar::Memory {
                addr: 0x1_fe00_0000,
                size: 0x4000,
                is64: true,
                prefetchable: true
            }
        );
        assert_eq!(b.memory(), Some((0x1_fe00_0000, 0x4000)));
        // a 64-bit BAR larger than 4 GiB
        assert_eq!(
            decode_bar(0x4, 0, 0x4, 0xffff_fffe),
            Bar::Memory {
                addr: 0,
                size: 1 << 33,
                is64: true,
                prefetchable: false
            }
        );
        assert_eq!(decode_bar(0, 0, 0, 0), Bar::None);
        assert_eq!(Bar::None.memory(), None);
        // unassigned memory BAR: no address to map
        assert_eq!(decode_bar(0, 0, 0xffff_f000, 0).memory(), None);
        assert!(bar_is64(0xc) && !bar_is64(0x8) && !bar_is64(0x5));
    }

    #[test]
    fn capability_walk() {
        let mut cfg = [0u8; 256];
        // 0x98 MSI-X -> 0x84 vendor -> 0x70 vendor -> end
        cfg[0x98] = CAP_MSIX;
        cfg[0x99] = 0x84;
        cfg[0x84] = CAP_VENDOR;
        cfg[0x85] = 0x70;
        cfg[0x70] = CAP_VENDOR;
        cfg[0x71] = 0;
        let caps = capabilities(0x98, |o| cfg[o as usize]);
        assert_eq!(
            caps,
            [(CAP_MSIX, 0x98), (CAP_VENDOR, 0x84), (CAP_VENDOR, 0x70)]
        );
        // a loop ends
        cfg[0x71] = 0x98;
        assert_eq!(capabilities(0x98, |o| cfg[o as usize]).len(), 3);
        // a pointer into the header ends the list; low bits are ignored
        cfg[0x99] = 0x13;
        assert_eq!(capabilities(0x9b, |o| cfg[o as usize]), [(CAP_MSIX, 0x98)]);
        assert!(capabilities(0, |o| cfg[o as usize]).is_empty());
    }

    #[test]
    fn msix() {
        // QEMU virtio-net: 3 vectors, table in BAR1 at 0, PBA in BAR1 at 0x800
        let m = Msix::parse(0x98, 0x0002_8411, 0x0000_0001, 0x0000_0801).unwrap();
        assert_eq!(
            m,
            Msix {
                cap: 0x98,
                entries: 3,
                table_bar: 1,
                table_offset: 0,
                pba_bar: 1,
                pba_offset: 0x800
            }
        );
        assert_eq!(m.entry_offset(2), Some(32));
        assert_eq!(m.entry_offset(3), None);
        assert_eq!(m.table_len(), 48);
        assert_eq!(
            Msix::parse(0x98, 0x07ff_0011, 0x2005, 0).unwrap().entries,
            2048
        );
        assert_eq!(Msix::parse(0x98, 0, 6, 0), None);
        let msg = MsiMessage {
            addr: 0xfee0_1000,
            data: 0x31,
        };
        assert_eq!(msix_entry(msg, false), [0xfee0_1000, 0, 0x31, 0]);
        assert_eq!(msix_entry(msg, true)[3], MSIX_ENTRY_MASKED);
    }

    #[test]
    fn names() {
        assert_eq!(slot_name(0, 3, 0), "0000:00:03.0");
        assert_eq!(slot_name(0x1a, 0x1f, 7), "0000:1a:1f.7");
    }
}
