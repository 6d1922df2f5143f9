//! Rill: a Linux-compatible kernel for x86_64, booted by QEMU like Linux.
//!
//! Layout: `arch` (CPU, interrupts, devices; most `unsafe`), `mm` (frames,
//! page tables, address spaces), `task` (threads, processes, scheduler,
//! waiting), `fs` (VFS glue, console, procfs), `syscall` (the table and one
//! file per family), `signal`, `exec`, `time`, `boot`, `cmdline`, `random`.
//! Their layers: docs/architecture.md, "Layers" (checked by xtask/src/layers.rs).
#![no_std]
#![no_main]
// `unsafe` only where the hardware is touched: each `allow` below (and the
// item-level ones in task/mod.rs and boot.rs) says why.
#![deny(unsafe_code)]

extern crate alloc;

#[macro_use]
pub mod log;
// port I/O, MSRs, control registers, descriptor tables, the LAPIC, the
// trap and context-switch assembly, the AP trampoline
#[allow(unsafe_code)]
pub mod arch;
pub mod boot;
pub mod cmdline;
pub mod drivers;
pub mod exec;
pub mod fs;
pub mod mm;
pub mod net;
pub mod random;
pub mod selftest;
pub mod signal;
pub mod syscall;
pub mod task;
pub mod time;
pub mod uaccess;
pub mod wiring;

use core::sync::atomic::{AtomicBool, Ordering};

static PANICKING: AtomicBool = AtomicBool::new(false);

/// Stop the machine after an unrecoverable kernel error.
pub fn kpanic(msg: &str) -> ! {
    panic!("{}", msg)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    if PANICKING.swap(true, Ordering::SeqCst) {
        arch::halt_forever();
    }
    log::print_force(format_args!(
        "\n[rill] KERNEL PANIC: {}\n[rill] backtrace:",
        info
    ));
    arch::backtrace(|a| log::print_force(format_args!(" {:#x}", a)));
    log::print_force(format_args!("\n"));
    arch::exit_qemu(1)
}
