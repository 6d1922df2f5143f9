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

/// The UART's loopback mode: what is sent is received (and interrupts) at
/// once, and nothing reaches the line (the interrupt self-test).
pub fn set_loopback(on: bool) {
    // wait until the transmitter is empty, so no byte changes sides
    let mut spins = 0;
    while inb(COM1 + 5) & 0x40 == 0 && spins < 100_000 {
        spins += 1;
        core::hint::spin_loop();
    }
    outb(COM1 + 4, if on { 0x1B } else { 0x0B });
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
