//! Legacy 8259 PICs (remapped to vectors 32..47) and the 8254 PIT.
use super::io::{inb, outb};

pub const IRQ_BASE: u8 = 32;
pub const TIMER_HZ: u64 = 1000;

/// Program both 8259s (vectors 32..47) with every line masked (`unmask`
/// opens one), and the PIT at `TIMER_HZ`.
pub fn init() {
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, IRQ_BASE);
    outb(0xA1, IRQ_BASE + 8);
    outb(0x21, 4);
    outb(0xA1, 2);
    outb(0x21, 0x01);
    outb(0xA1, 0x01);
    // everything masked but the cascade (IRQ2)
    outb(0x21, !(1 << 2));
    outb(0xA1, 0xff);
    // PIT channel 0, rate generator
    let div = (1_193_182 / TIMER_HZ) as u16;
    outb(0x43, 0x34);
    outb(0x40, div as u8);
    outb(0x40, (div >> 8) as u8);
}

/// Let IRQ `irq` through (the legacy path, without an I/O APIC).
pub fn unmask(irq: u8) {
    match irq {
        0..8 => outb(0x21, inb(0x21) & !(1 << irq)),
        8..16 => outb(0xA1, inb(0xA1) & !(1 << (irq - 8))),
        _ => {}
    }
}

/// Mask every line: the I/O APIC has taken over.
pub fn mask_all() {
    outb(0x21, 0xff);
    outb(0xA1, 0xff);
}

pub fn eoi(irq: u8) {
    if irq >= 8 {
        outb(0xA0, 0x20);
    }
    outb(0x20, 0x20);
}

/// Measure TSC ticks per microsecond against PIT channel 2 (10 ms gate).
pub fn calibrate_tsc() -> u64 {
    let ticks: u16 = (1_193_182u32 / 100) as u16; // 10 ms
    outb(0x61, (inb(0x61) & !0x02) | 0x01); // gate on, speaker off
    outb(0x43, 0xB0); // ch2, lobyte/hibyte, mode 0
    outb(0x42, ticks as u8);
    outb(0x42, (ticks >> 8) as u8);
    // restart the gate so counting begins now
    let v = inb(0x61) & !0x01;
    outb(0x61, v);
    outb(0x61, v | 0x01);
    let t0 = super::rdtsc();
    let mut spins = 0u64;
    while inb(0x61) & 0x20 == 0 && spins < 100_000_000 {
        spins += 1;
    }
    let t1 = super::rdtsc();
    let per_us = match (t1 - t0) / 10_000 {
        0 => 1000,
        v => v,
    };
    super::set_tsc_per_us(per_us);
    per_us
}
