use super::*;
use alloc::vec;

/// A MADT as QEMU's `pc` machine builds it for 2 CPUs: LAPICs 0 and 1, one
/// I/O APIC at 0xfec00000 (GSI 0), IRQ0 -> GSI 2, IRQ9 level/active high.
fn qemu_madt() -> Vec<u8> {
    let mut t = vec![0u8; 44];
    t[0..4].copy_from_slice(b"APIC");
    t[36..40].copy_from_slice(&0xfee0_0000u32.to_le_bytes());
    t[40..44].copy_from_slice(&1u32.to_le_bytes());
    for id in 0..2u8 {
        t.extend_from_slice(&[0, 8, id, id, 1, 0, 0, 0]);
    }
    t.extend_from_slice(&[0, 8, 2, 2, 0, 0, 0, 0]); // disabled CPU
    t.extend_from_slice(&[1, 12, 0, 0]);
    t.extend_from_slice(&0xfec0_0000u32.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&[2, 10, 0, 0, 2, 0, 0, 0, 0, 0]);
    t.extend_from_slice(&[2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0]);
    let len = t.len() as u32;
    t[4..8].copy_from_slice(&len.to_le_bytes());
    t
}

#[test]
fn parses_qemu_madt() {
    let m = parse_madt(&qemu_madt()).unwrap();
    assert_eq!(m.lapic_addr, 0xfee0_0000);
    assert!(m.has_8259);
    assert_eq!(m.apic_ids, vec![0, 1]);
    assert_eq!(
        m.ioapics,
        vec![IoApicEntry {
            id: 0,
            addr: 0xfec0_0000,
            gsi_base: 0
        }]
    );
    assert_eq!(m.overrides.len(), 2);
    assert_eq!(m.isa_line(0).gsi, 2);
    assert_eq!(
        m.isa_line(4),
        Line {
            gsi: 4,
            active_low: false,
            level: false
        }
    );
    let l9 = m.isa_line(9);
    assert!(l9.level && !l9.active_low && l9.gsi == 9);
    assert_eq!(m.ioapic_for(2, |_| 24), Some((0, 2)));
    assert_eq!(m.ioapic_for(24, |_| 24), None);
}

#[test]
fn truncated_entries_stop_the_walk() {
    let mut t = qemu_madt();
    // the second CPU's entry claims to run past the table end
    t[44 + 8 + 1] = 200;
    let m = parse_madt(&t).unwrap();
    assert_eq!(m.apic_ids, vec![0]);
    assert!(m.ioapics.is_empty());
    assert_eq!(parse_madt(b"APIC"), None);
    assert_eq!(parse_madt(&[0u8; 64]), None);
    // a zero-length entry must not loop forever
    let mut z = qemu_madt();
    z[44 + 1] = 0;
    assert_eq!(parse_madt(&z).unwrap().apic_ids, Vec::<u32>::new());
}

#[test]
fn redirection_entries() {
    let edge = Line {
        gsi: 4,
        active_low: false,
        level: false,
    };
    assert_eq!(ioapic_rte(0x24, 0, edge, false), 0x24);
    assert_eq!(ioapic_rte(0x24, 3, edge, true), 0x0300_0000_0001_0024);
    let lvl = Line {
        gsi: 9,
        active_low: true,
        level: true,
    };
    assert_eq!(ioapic_rte(0x40, 1, lvl, false), (1 << 56) | 0xa040);
    assert_eq!(ioapic_pins(0x0017_0011), 24);
    assert_eq!(ioapic_rte_reg(4), 0x18);
}

#[test]
fn msi_messages() {
    assert_eq!(
        msi_message(0x41, 1),
        Some(MsiMessage {
            addr: 0xfee0_1000,
            data: 0x41
        })
    );
    assert_eq!(msi_message(0x41, 0).unwrap().addr, 0xfee0_0000);
    assert_eq!(msi_message(0x41, 0xff).unwrap().addr, 0xfeef_f000);
    assert_eq!(msi_message(0x41, 256), None);
    assert_eq!(msi_message(3, 0), None);
}

#[test]
fn vector_allocation() {
    let mut s = VectorSet::new(0x30, 0x33);
    assert!(s.take(0x31));
    assert!(!s.take(0x31));
    assert_eq!(s.alloc(), Some(0x30));
    assert_eq!(s.alloc(), Some(0x32));
    assert_eq!(s.alloc(), None);
    s.free(0x30);
    assert_eq!(s.alloc(), Some(0x30));
    assert!(s.is_used(0x31));
}
