//! Kernel threads: a Rust closure running on its own kernel stack, with no
//! user address space and no user frame, scheduled like any task.
//!
//! A kernel thread is an ordinary `Task` whose process is `kthreadd`, a
//! kernel-owned process (pid 2, as Linux's) that is in no pid table: it runs
//! on the kernel-only page table root, owns no user mappings, receives no
//! signals (nothing can name it) and has no threads list, so exit, wait and
//! `/proc` never see kernel threads. (Linux lists them in /proc as
//! `[name]` children of pid 2; Rill keeps them out, which is what the ps
//! output of the busybox scenario expects today.)
//!
//! Kernel code is not preemptible here (interrupts are off in ring 0), so a
//! kernel thread runs until it sleeps (`wait::wait_event`, `sleep_until`),
//! yields (`sched::yield_now`) or returns, which ends it. It never returns
//! to user mode, so it never reaches signal delivery; an interruptible wait
//! in it behaves as an uninterruptible one.
use super::process::{FsContext, SigAction};
use super::sched::{self, State};
use super::{Process, Task};
use crate::arch::{FpuState, TrapFrame};
use crate::mm::AddrSpace;
use alloc::boxed::Box;
use alloc::sync::{Arc, Weak};
use rill_abi::KResult;
use spin::{Mutex, Once};

/// Linux's pid of kthreadd.
pub const KTHREADD_PID: u32 = 2;

static KTHREADD: Once<Arc<Process>> = Once::new();

type Body = Box<dyn FnOnce() + Send + 'static>;

/// Create `kthreadd` (once, at boot, before init: pid 2 is not in use yet
/// and is left free for user processes, since kthreadd stays out of the pid
/// table). `root` is the root directory (its cwd and root).
pub fn init(root: rill_vfs::Location) -> KResult<()> {
    if KTHREADD.get().is_some() {
        return Ok(());
    }
    let fs = FsContext {
        root: root.clone(),
        cwd: root,
        umask: 0o022,
    };
    // an address space object is part of every Process; this one is never
    // loaded (the root below is the kernel's) and never gets a mapping
    let mm = AddrSpace::new()?;
    let p = Process::new(
        KTHREADD_PID,
        Weak::new(),
        mm,
        Arc::new(Mutex::new(Default::default())), // no open files
        fs,
        Arc::new(Mutex::new([SigAction::default(); 64])),
        0,
        0,
    );
    super::process::unregister_process(KTHREADD_PID);
    p.set_comm(b"kthreadd");
    p.mm_root_cache.store(
        crate::mm::paging::kernel_root(),
        core::sync::atomic::Ordering::Relaxed,
    );
    KTHREADD.call_once(|| p);
    Ok(())
}

/// Is `t` a kernel thread?
pub fn is_kthread(t: &Task) -> bool {
    KTHREADD.get().is_some_and(|k| Arc::ptr_eq(k, &t.process()))
}

/// Start a kernel thread running `f`; it is runnable at once. The returned
/// handle may be kept (to wake the thread, or to see that it ended: a `Weak`
/// to it stops upgrading once it exited and was switched away from).
pub fn spawn(f: impl FnOnce() + Send + 'static) -> KResult<Arc<Task>> {
    let t = create(f)?;
    sched::spawn(t.clone());
    Ok(t)
}

/// A kernel thread running `f`, not started yet (`sched::spawn` starts it).
pub fn create(f: impl FnOnce() + Send + 'static) -> KResult<Arc<Task>> {
    let Some(kp) = KTHREADD.get() else {
        return Err(rill_abi::Errno::EAGAIN);
    };
    let t = Task::new(0, kp.clone(), &TrapFrame::default(), FpuState::initial());
    let body: Box<Body> = Box::new(Box::new(f));
    let arg = Box::into_raw(body) as u64;
    unsafe extern "C" {
        fn kthread_start();
    }
    let top = t.kstack_top();
    // the return address context_switch pops: 16-byte aligned + 8, as at a
    // function's entry, so `call` in kthread_start aligns the stack again
    let ret = (top - 24) & !15 | 8;
    let rsp = ret - 6 * 8;
    let regs: [u64; 6] = [
        0,                                // r15
        0,                                // r14
        kthread_main as *const () as u64, // r13: what kthread_start calls
        arg,                              // r12: its argument
        0,                                // rbx
        0,                                // rbp: the end of the frame chain
    ];
    // SAFETY: the task is new and has never run: its kernel stack is ours to
    // lay out. [rsp, ret + 8) lies below the stack top (the user trap frame
    // Task::new wrote there is never used by a kernel thread).
    unsafe {
        (ret as *mut u64).write(kthread_start as *const () as u64);
        for (i, r) in regs.iter().enumerate() {
            ((rsp + i as u64 * 8) as *mut u64).write(*r);
        }
        *t.ctx.get() = rsp;
    }
    Ok(t)
}

/// A kernel thread's first Rust code, on its own stack, with the big kernel
/// lock held (the switch to it happened under it, and kernel code keeps it).
extern "C" fn kthread_main(arg: u64) -> ! {
    sched::after_switch();
    // SAFETY: `arg` is the Box<Body> leaked by `spawn` for this thread,
    // reclaimed exactly once, here.
    let body: Box<Body> = unsafe { Box::from_raw(arg as *mut Body) };
    (*body)();
    exit()
}

/// End the calling kernel thread.
pub fn exit() -> ! {
    let t = sched::current();
    t.set_state(State::Dead);
    drop(t);
    sched::schedule();
    crate::kpanic("a dead kernel thread was scheduled")
}
