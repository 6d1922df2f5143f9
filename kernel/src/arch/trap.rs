//! Exceptions and hardware interrupts (vectors 0..255 except the syscall
//! path, which enters through `syscall_entry`).
use super::{cpu, pic, smp, TrapFrame};
use crate::mm::addrspace::FaultKind;
use crate::task::sched;

const PF: u64 = 14;

/// Every trap and interrupt. TLB shootdown requests are served without the
/// big kernel lock (its holder is waiting for us); everything else runs
/// under it (see arch::smp), taken here and released on the way out.
#[unsafe(no_mangle)]
extern "C" fn trap_handler(tf: &mut TrapFrame) {
    match tf.vector {
        smp::VEC_TLB => {
            smp::service_tlb_flush();
            smp::lapic_eoi();
            return;
        }
        smp::VEC_SPURIOUS => return,
        v if v < 32 && !tf.from_user() => kernel_fault(tf),
        // LAPIC interrupts are acknowledged before waiting for the lock:
        // while one is in service the LAPIC holds back every vector of its
        // priority class, including the wake-up and shootdown IPIs. An idle
        // CPU woken by its tick or a kick looks for work in its idle loop.
        smp::VEC_TIMER | smp::VEC_RESCHED => {
            smp::lapic_eoi();
            if !tf.from_user() {
                return;
            }
        }
        // the PIT interrupting an idle boot CPU: run expired timers unless
        // another CPU is in the kernel (it is busy; the next tick will do)
        32 if !tf.from_user() => {
            if smp::bkl_try_acquire() {
                handle(tf);
                smp::bkl_release();
            } else {
                pic::eoi(0);
            }
            return;
        }
        _ => {}
    }
    smp::bkl_acquire();
    let user = tf.from_user();
    handle(tf);
    // (not before `handle`: an interrupt must be acknowledged first)
    if user {
        sched::leave_if_dead();
    }
    smp::bkl_release();
}

/// A timer tick that interrupted user code: account it, and preempt.
fn user_tick() {
    if let Some(t) = sched::try_current() {
        t.cpu_ticks
            .fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        // the process total survives its threads (times, wait)
        t.process().inner.lock().utime_ticks += 1;
    }
    sched::NEED_RESCHED.store(true, core::sync::atomic::Ordering::Relaxed);
    if cpu::cpu_id() != 0 {
        // the boot CPU's PIT tick does this too, but it may be idle
        crate::time::fire_expired();
    }
}

fn handle(tf: &mut TrapFrame) {
    let v = tf.vector;
    if v == smp::VEC_TIMER || v == smp::VEC_RESCHED {
        if v == smp::VEC_TIMER && tf.from_user() {
            user_tick();
        }
        if tf.from_user() {
            crate::signal::return_to_user(tf);
        }
        return;
    }
    if (32..48).contains(&v) {
        let irq = (v - 32) as u8;
        match irq {
            0 => {
                pic::eoi(0);
                crate::time::tick();
                if tf.from_user() {
                    user_tick();
                }
            }
            4 => {
                crate::fs::console::on_serial_irq();
                pic::eoi(4);
            }
            7 | 15 => {} // spurious
            _ => pic::eoi(irq),
        }
        if tf.from_user() {
            crate::signal::return_to_user(tf);
        }
        return;
    }
    if !tf.from_user() {
        kernel_fault(tf);
    }
    // a fault in user mode
    match v {
        PF => {
            let addr = cpu::read_cr2();
            let kind = if tf.err & 0x10 != 0 {
                FaultKind::Exec
            } else if tf.err & 2 != 0 {
                FaultKind::Write
            } else {
                FaultKind::Read
            };
            let mm = sched::current().process().mm();
            if let Err(e) = mm.handle_fault(addr, kind) {
                crate::signal::user_fault_segv(tf, addr, e);
            }
        }
        0 => crate::signal::user_fault(tf, 8, 1, tf.rip), // SIGFPE FPE_INTDIV
        16 | 19 => crate::signal::user_fault(tf, 8, 0, tf.rip), // SIGFPE
        1 => crate::signal::user_fault(tf, 5, 1, tf.rip), // SIGTRAP
        3 => crate::signal::user_fault(tf, 5, 128, 0),    // int3: SIGTRAP SI_KERNEL
        6 => crate::signal::user_fault(tf, 4, 2, tf.rip), // SIGILL ILL_ILLOPN
        10..=13 => crate::signal::user_fault(tf, 11, 128, 0), // SIGSEGV SI_KERNEL
        17 => crate::signal::user_fault(tf, 7, 1, 0),     // SIGBUS
        _ => crate::signal::user_fault(tf, 11, 128, 0),
    }
    crate::signal::return_to_user(tf);
}

fn kernel_fault(tf: &TrapFrame) -> ! {
    let cr2 = if tf.vector == PF { cpu::read_cr2() } else { 0 };
    panic!(
        "exception {} in kernel mode: rip={:#x} rsp={:#x} err={:#x} cr2={:#x} rax={:#x} rbx={:#x} rcx={:#x} rdx={:#x} rsi={:#x} rdi={:#x} rbp={:#x}",
        tf.vector, tf.rip, tf.rsp, tf.err, cr2, tf.rax, tf.rbx, tf.rcx, tf.rdx, tf.rsi, tf.rdi, tf.rbp
    );
}
