//! Exceptions and hardware interrupts (vectors 0..255 except the syscall
//! path, which enters through `syscall_entry`). Nothing here knows about
//! tasks, signals or devices: user exceptions, ticks and the return to user
//! mode go through `arch::Hooks`, device vectors through `irq`'s table.
use super::{cpu, irq, smp, TrapFrame};

const PF: u64 = 14;

/// Every trap and interrupt. TLB shootdown requests are served without the
/// big kernel lock (its holder is waiting for us); everything else runs
/// under it (see arch::smp), taken here and released on the way out.
#[unsafe(no_mangle)]
extern "C" fn trap_handler(tf: &mut TrapFrame) {
    let user = tf.from_user();
    match tf.vector {
        smp::VEC_TLB => {
            smp::service_tlb_flush();
            smp::lapic_eoi();
            return;
        }
        smp::VEC_SPURIOUS => return,
        v if v < 32 && !user => kernel_fault(tf),
        // LAPIC interrupts are acknowledged before waiting for the lock:
        // while one is in service the LAPIC holds back every vector of its
        // priority class, including the wake-up and shootdown IPIs. An idle
        // CPU woken by its tick or a kick looks for work in its idle loop.
        smp::VEC_TIMER | smp::VEC_RESCHED => {
            smp::lapic_eoi();
            if !user {
                return;
            }
        }
        // a device interrupting an idle CPU (or one waiting for the lock)
        v if v >= 32 && !user => {
            let v = v as u8;
            match irq::kernel_entry_of(v) {
                irq::KernelEntry::SkipIfBusy => {
                    if smp::bkl_try_acquire() {
                        irq::dispatch(v, false);
                        smp::bkl_release();
                    } else {
                        irq::skip(v);
                    }
                }
                irq::KernelEntry::Wait => {
                    smp::bkl_acquire();
                    irq::dispatch(v, false);
                    smp::bkl_release();
                }
            }
            return;
        }
        _ => {}
    }
    smp::bkl_acquire();
    handle_user(tf);
    // (not before `handle_user`: an interrupt must be acknowledged first)
    (super::hooks().leave_if_dead)();
    smp::bkl_release();
}

/// Something that interrupted user mode.
fn handle_user(tf: &mut TrapFrame) {
    let h = super::hooks();
    match tf.vector {
        smp::VEC_TIMER => (h.user_tick)(),
        smp::VEC_RESCHED => {}
        v if v >= 32 => irq::dispatch(v as u8, true),
        PF => (h.user_exception)(tf, cpu::read_cr2()),
        _ => (h.user_exception)(tf, 0),
    }
    (h.return_to_user)(tf);
}

fn kernel_fault(tf: &TrapFrame) -> ! {
    let cr2 = if tf.vector == PF { cpu::read_cr2() } else { 0 };
    panic!(
        "exception {} in kernel mode: rip={:#x} rsp={:#x} err={:#x} cr2={:#x} rax={:#x} rbx={:#x} rcx={:#x} rdx={:#x} rsi={:#x} rdi={:#x} rbp={:#x}",
        tf.vector, tf.rip, tf.rsp, tf.err, cr2, tf.rax, tf.rbx, tf.rcx, tf.rdx, tf.rsi, tf.rdi, tf.rbp
    );
}
