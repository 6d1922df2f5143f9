//! COM1 16550 UART: polled output, interrupt-driven input.
use super::io::{inb, outb};

const COM1: u16 = 0x3f8;

pub fn init() {
    outb(COM1 + 1, 0x00); // no interrupts while configuring
    outb(COM1 + 3, 0x80); // DLAB
    outb(COM1, 0x01); // 115200 baud
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); // 8N1
    outb(COM1 + 2, 0xC7); // FIFO on, clear, 14-byte threshold
    outb(COM1 + 4, 0x0B); // DTR | RTS | OUT2 (IRQs reach the PIC)
    outb(COM1 + 1, 0x01); // interrupt on received data
}

pub fn write_byte(b: u8) {
    let mut spins = 0;
    while inb(COM1 + 5) & 0x20 == 0 && spins < 100_000 {
        spins += 1;
        core::hint::spin_loop();
    }
    outb(COM1, b);
}

pub fn write_bytes(s: &[u8]) {
    for &b in s {
        write_byte(b);
    }
}

/// Next received byte, if any.
pub fn read_byte() -> Option<u8> {
    if inb(COM1 + 5) & 1 != 0 {
        Some(inb(COM1))
    } else {
        None
    }
}
