//! Kernel log on the serial console.
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU8, Ordering};
use spin::Mutex;

/// 0 = errors only ... 7 = debug (Linux's loglevel scale; `quiet` = 4).
pub static LEVEL: AtomicU8 = AtomicU8::new(7);
static CONSOLE: Mutex<()> = Mutex::new(());

pub fn console_write(b: &[u8]) {
    let _g = CONSOLE.lock();
    crate::arch::serial::write_bytes(b);
}

struct W;
impl Write for W {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if b == b'\n' {
                crate::arch::serial::write_byte(b'\r');
            }
            crate::arch::serial::write_byte(b);
        }
        Ok(())
    }
}

pub fn print(level: u8, args: fmt::Arguments) {
    if level > LEVEL.load(Ordering::Relaxed) {
        return;
    }
    let _g = CONSOLE.lock();
    let _ = W.write_fmt(args);
}

/// Printing that must work even with the console lock held (panics).
pub fn print_force(args: fmt::Arguments) {
    let _ = W.write_fmt(args);
}

#[macro_export]
macro_rules! kinfo {
    ($($a:tt)*) => { $crate::log::print(6, format_args!("[rill] {}\n", format_args!($($a)*))) };
}
/// Something is wrong in the kernel or the machine (not in a user program): the test harness
/// fails a run that prints one. Keep the "WARNING:" prefix, which it looks for.
#[macro_export]
macro_rules! kwarn {
    ($($a:tt)*) => { $crate::log::print(4, format_args!("[rill] WARNING: {}\n", format_args!($($a)*))) };
}
#[macro_export]
macro_rules! kdebug {
    ($($a:tt)*) => { $crate::log::print(7, format_args!("[rill] {}\n", format_args!($($a)*))) };
}
