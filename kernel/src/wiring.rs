//! How hardware events reach the upper layers: the hooks `arch`, `mm` and
//! `task` call instead of calling up (`arch::Hooks`, `mm::pagecache`'s address
//! space list, `task::exit`'s exit hooks) and the device interrupts registered in `arch::irq`. Part of
//! the top layer with `boot`, which calls `install` first and
//! `register_interrupts` once interrupt routing is set up.
use crate::arch::{self, irq, TrapFrame};
use crate::mm::addrspace::FaultKind;
use crate::task::sched;
use core::sync::atomic::Ordering;

pub fn install() {
    arch::set_hooks(arch::Hooks {
        syscall: crate::syscall::syscall_handler,
        user_exception,
        return_to_user: crate::signal::return_to_user,
        user_tick,
        leave_if_dead: sched::leave_if_dead,
        idle: sched::idle_loop,
    });
    crate::task::exit::add_exit_hook(crate::fs::console::hang_up_on_exit);
    crate::mm::pagecache::set_address_spaces(|| {
        crate::task::process::all_processes()
            .iter()
            .map(|p| p.mm())
            .collect()
    });
}

/// The PIT (ISA IRQ 0) drives the clock on the boot CPU; the console's
/// UART (IRQ 4) goes to the last CPU, so routing to a CPU other than the
/// boot one is exercised on every boot with `-smp 2`.
pub fn register_interrupts() {
    let last = arch::smp::online_cpus().saturating_sub(1);
    if let Err(e) = irq::register_isa(0, pit_tick, irq::KernelEntry::SkipIfBusy, 0) {
        kwarn!("cannot register the timer interrupt: {:?}", e);
    }
    let serial = irq::register_isa(4, serial_irq, irq::KernelEntry::Wait, last)
        .or_else(|_| irq::register_isa(4, serial_irq, irq::KernelEntry::Wait, 0));
    if let Err(e) = serial {
        kwarn!("cannot register the serial interrupt: {:?}", e);
    }
}

fn pit_tick(c: &irq::IrqContext) {
    crate::time::tick();
    if c.from_user {
        user_tick();
    }
}

fn serial_irq(_: &irq::IrqContext) {
    crate::fs::console::on_serial_irq();
}

/// A timer tick that interrupted user code: account it, and preempt.
fn user_tick() {
    if let Some(t) = sched::try_current() {
        t.cpu_ticks.fetch_add(1, Ordering::Relaxed);
        // the process total survives its threads (times, wait)
        t.process().inner.lock().utime_ticks += 1;
    }
    sched::NEED_RESCHED.store(true, Ordering::Relaxed);
    if arch::cpu::cpu_id() != 0 {
        // the boot CPU's PIT tick does this too, but it may be idle
        crate::time::fire_expired();
    }
}

/// An exception in user mode: fault the page in, or a signal as Linux
/// sends it.
fn user_exception(tf: &mut TrapFrame, cr2: u64) {
    use crate::signal::user_fault;
    match tf.vector {
        14 => {
            let kind = if tf.err & 0x10 != 0 {
                FaultKind::Exec
            } else if tf.err & 2 != 0 {
                FaultKind::Write
            } else {
                FaultKind::Read
            };
            let mm = sched::current().process().mm();
            if let Err(e) = mm.handle_fault(cr2, kind) {
                crate::signal::user_fault_segv(tf, cr2, e);
            }
        }
        0 => user_fault(tf, 8, 1, tf.rip), // SIGFPE FPE_INTDIV
        16 | 19 => user_fault(tf, 8, 0, tf.rip), // SIGFPE
        1 => user_fault(tf, 5, 1, tf.rip), // SIGTRAP
        3 => user_fault(tf, 5, 128, 0),    // int3: SIGTRAP SI_KERNEL
        6 => user_fault(tf, 4, 2, tf.rip), // SIGILL ILL_ILLOPN
        10..=13 => user_fault(tf, 11, 128, 0), // SIGSEGV SI_KERNEL
        17 => user_fault(tf, 7, 1, 0),     // SIGBUS
        _ => user_fault(tf, 11, 128, 0),
    }
}
