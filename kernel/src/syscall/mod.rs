//! System calls. The table is `crates/abi/src/table.rs`: one line per Linux x86_64
//! syscall number, naming the handler, the tracer's argument kinds and the support
//! status; `table.rs` here builds `dispatch` from it. The handlers are grouped by family,
//! each in its own file: `fs` (files, directories, fds), `io` (poll/select, pipes,
//! ioctl), `process` (fork/exec/exit/wait, ids), `signal`, `mm` (memory), `time`,
//! `misc` (uname, limits, random, reboot, ...). Any other number returns ENOSYS and logs
//! one rate-limited line naming the program.
pub mod fs;
pub mod futex;
pub mod io;
pub mod misc;
pub mod mm;
pub mod net;
pub mod process;
pub mod signal;
pub mod splice;
pub mod table;
pub mod time;
pub mod trace;

use crate::arch::TrapFrame;
use crate::task::sched;
use core::sync::atomic::Ordering;
use rill_abi::sysno::*;
use rill_abi::{Errno, KResult};

pub type SysResult = KResult<u64>;

/// Entry from `syscall_entry` (entry.S, through `arch::Hooks::syscall`) with the user's
/// registers and the big kernel lock held. This is the whole syscall path above the entry
/// code: the fast paths of `leave_if_dead`, the tracer check and `return_to_user` are
/// inlined, so a call that needs none of them makes one indirect call (the handler).
pub fn syscall_handler(tf: &mut TrapFrame) {
    // killed, stopped or moved while waiting for the lock
    sched::leave_if_dead();
    // Linux (do_syscall_64) takes the number as an unsigned int: the upper half of rax
    // is ignored
    let nr = tf.rax as u32 as usize;
    let regs = table::Regs {
        nr,
        a: [tf.rdi, tf.rsi, tf.rdx, tf.r10, tf.r8, tf.r9],
    };
    // No task reference is held across dispatch: exit never returns here, and a reference
    // left on this stack would keep the dead task (and its kernel stack) alive forever. The
    // borrow from the per-CPU block takes no lock and no reference.
    let tracing = {
        let t = sched::current_task();
        t.restart_nr.store(nr as u32, Ordering::Relaxed);
        trace::enter(&t, nr, &regs.a)
    };
    let r = table::dispatch(&regs, tf);
    let ret = match r {
        Ok(v) => v,
        Err(e) => (-(e.0 as i64)) as u64,
    };
    if tracing {
        trace::exit(&sched::current_task(), nr, ret as i64);
    }
    // execve and rt_sigreturn set up the frame themselves
    if nr != SYS_EXECVE && nr != SYS_EXECVEAT || r.is_err() {
        tf.rax = ret;
    }
    tf.vector = 256;
    crate::signal::return_to_user(tf);
    // killed, stopped or moved (its own sched_setaffinity) during the call
    sched::leave_if_dead();
}

static ENOSYS_LOGGED: spin::Mutex<[u16; 512]> = spin::Mutex::new([0; 512]);

fn unknown(nr: usize) -> SysResult {
    trace::unsupported(nr, "");
    let mut l = ENOSYS_LOGGED.lock();
    let idx = nr.min(511);
    if l[idx] < 3 {
        l[idx] += 1;
        drop(l);
        let name = rill_abi::sysno::name(nr).unwrap_or("?");
        // the name is the program's to choose: escaped, quoted
        let mut comm = alloc::string::String::new();
        let c = sched::current().process().comm();
        rill_abi::strace::fmt_escaped(c.as_bytes(), 16, &mut comm);
        // A program asking for something Rill lacks is not a kernel fault: info level.
        kinfo!(
            "{}: syscall {} ({}) not implemented: ENOSYS",
            comm,
            nr,
            name
        );
    }
    Err(Errno::ENOSYS)
}
