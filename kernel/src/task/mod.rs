//! Tasks (threads) and processes (thread groups).
pub mod exit;
pub mod fdtable;
pub mod futex;
// lays out a new kernel thread's first stack frame
#[allow(unsafe_code)]
pub mod kthread;
pub mod process;
// context switching (assembly) and the per-CPU idle contexts
#[allow(unsafe_code)]
pub mod sched;
pub mod uts;
pub mod wait;

pub use process::{Pid, Process};
pub use sched::{current, State};

use crate::arch::{FpuState, TrapFrame};
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::task::Wake;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use spin::Mutex;

const KSTACK_SIZE: usize = 64 * 1024;

#[repr(C, align(16))]
struct KStack([u8; KSTACK_SIZE]);

/// One schedulable thread.
pub struct Task {
    /// Thread id; changes only when a non-leader thread execs and takes
    /// over the leader's id (Linux's de_thread).
    tid: AtomicU32,
    /// Fixed for the task's life (exec keeps the Process), so it needs no lock.
    process: Arc<Process>,
    kstack: Box<UnsafeCell<KStack>>,
    /// Saved kernel rsp while switched out (see sched.rs for the invariant).
    ctx: UnsafeCell<u64>,
    /// User FPU/SSE state; written by the entry code of this task only.
    fpu: Box<UnsafeCell<FpuState>>,
    state: AtomicU8,
    /// Set by a waker; consumed by `wait::sleep`.
    pub woken: AtomicBool,
    pub fs_base: AtomicU64,
    pub gs_base: AtomicU64,
    pub sig_mask: AtomicU64,
    pub sig_pending: AtomicU64,
    /// The mask before rt_sigtimedwait unblocked the awaited signals
    /// (Linux's real_blocked): those still count as blocked, not ignored.
    pub real_blocked: AtomicU64,
    pub clear_child_tid: AtomicU64,
    /// Another thread of the process is exec'ing: leave at the next return
    /// to user mode, through the normal thread exit (robust list, tid word).
    pub must_exit: AtomicBool,
    /// Mask to restore after a sigsuspend-style wait delivered its signal.
    pub saved_mask: Mutex<Option<u64>>,
    pub exit_signal_sent: AtomicBool,
    pub alt_stack: Mutex<(u64, u64, u32)>,
    pub robust_list: AtomicU64,
    pub cpu_ticks: AtomicU64,
    pub restart_nr: AtomicU32,
    /// restart_syscall's state: (monotonic deadline, rem pointer) of an
    /// interrupted relative sleep, resumed with the time left.
    pub restart_sleep: Mutex<Option<(u64, u64)>>,
    /// restart_syscall's state for an interrupted timed futex wait.
    pub restart_futex: Mutex<Option<futex::WaitRestart>>,
    /// Scheduling policy, priority and nice value (sched_setscheduler, setpriority).
    pub sched_attr: Mutex<SchedAttr>,
    /// CPUs this thread may run on (sched_setaffinity; bit n = CPU n); read by the scheduler.
    pub affinity: AtomicU64,
    /// The thread's NUMA memory policy (set_mempolicy); None: the default.
    pub mempolicy: Mutex<Option<Mempolicy>>,
}

pub const SCHED_OTHER: u32 = 0;
pub const SCHED_FIFO: u32 = 1;
pub const SCHED_RR: u32 = 2;

/// A thread's scheduling attributes. Rill's scheduler does not act on them yet; they are
/// kept per thread and inherited as Linux does (threads and forked children alike).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct SchedAttr {
    pub policy: u32,
    pub prio: u32,
    pub reset_on_fork: bool,
    pub nice: i32,
}

impl SchedAttr {
    /// What a new task inherits (Linux's sched_fork): with SCHED_RESET_ON_FORK, real-time
    /// policies become SCHED_OTHER and a negative nice value 0, and the flag itself is not
    /// inherited.
    pub fn for_child(&self) -> SchedAttr {
        if !self.reset_on_fork {
            return *self;
        }
        let rt = self.policy == SCHED_FIFO || self.policy == SCHED_RR;
        SchedAttr {
            policy: if rt { SCHED_OTHER } else { self.policy },
            prio: if rt { 0 } else { self.prio },
            reset_on_fork: false,
            nice: self.nice.max(0),
        }
    }
}

/// A NUMA memory policy: mode | mode flags, and its node mask.
pub type Mempolicy = (u32, u64);

// SAFETY: the UnsafeCell fields follow the invariants documented on them:
// the kernel stack and ctx are touched only by the CPU running or switching
// the task, the FPU area only by the task itself in kernel mode.
#[allow(unsafe_code)]
unsafe impl Sync for Task {}
#[allow(unsafe_code)]
unsafe impl Send for Task {}

// the kernel stack is a zeroed allocation made without a copy
#[allow(unsafe_code)]
fn new_kstack() -> Box<UnsafeCell<KStack>> {
    let b: Box<core::mem::MaybeUninit<UnsafeCell<KStack>>> = Box::new_zeroed();
    // SAFETY: an all-zero byte array is a valid KStack.
    unsafe { b.assume_init() }
}

// Task::new lays out the first stack frame; the saved context, the user
// frame and the FPU area are reached through their UnsafeCells
#[allow(unsafe_code)]
impl Task {
    /// A new task that will enter user mode with `frame` on first run.
    pub fn new(tid: Pid, process: Arc<Process>, frame: &TrapFrame, fpu: FpuState) -> Arc<Task> {
        let t = Arc::new(Task {
            tid: AtomicU32::new(tid),
            process,
            kstack: new_kstack(),
            ctx: UnsafeCell::new(0),
            fpu: Box::new(UnsafeCell::new(fpu)),
            state: AtomicU8::new(State::Sleeping as u8),
            woken: AtomicBool::new(false),
            fs_base: AtomicU64::new(0),
            gs_base: AtomicU64::new(0),
            sig_mask: AtomicU64::new(0),
            sig_pending: AtomicU64::new(0),
            real_blocked: AtomicU64::new(0),
            clear_child_tid: AtomicU64::new(0),
            must_exit: AtomicBool::new(false),
            saved_mask: Mutex::new(None),
            exit_signal_sent: AtomicBool::new(false),
            alt_stack: Mutex::new((0, 0, 2)),
            robust_list: AtomicU64::new(0),
            cpu_ticks: AtomicU64::new(0),
            restart_nr: AtomicU32::new(0),
            restart_sleep: Mutex::new(None),
            restart_futex: Mutex::new(None),
            sched_attr: Mutex::new(SchedAttr::default()),
            affinity: AtomicU64::new(u64::MAX),
            mempolicy: Mutex::new(None),
        });
        unsafe extern "C" {
            fn task_start();
        }
        let top = t.kstack_top();
        let tf_addr = top - core::mem::size_of::<TrapFrame>() as u64;
        // SAFETY: the stack is new and not running; we lay out the trap
        // frame at its top, then the return address and 6 callee-saved
        // registers that context_switch pops.
        unsafe {
            (tf_addr as *mut TrapFrame).write(*frame);
            let ret = tf_addr - 8;
            (ret as *mut u64).write(task_start as *const () as u64);
            let rsp = ret - 6 * 8;
            for i in 0..6 {
                ((rsp + i * 8) as *mut u64).write(0);
            }
            *t.ctx.get() = rsp;
        }
        t
    }

    pub fn tid(&self) -> Pid {
        self.tid.load(Ordering::Relaxed)
    }
    pub fn set_tid(&self, tid: Pid) {
        self.tid.store(tid, Ordering::Relaxed);
    }

    pub fn kstack_top(&self) -> u64 {
        self.kstack.get() as u64 + KSTACK_SIZE as u64
    }
    pub fn fpu_ptr(&self) -> u64 {
        self.fpu.get() as u64
    }
    pub fn ctx_ptr(&self) -> *mut u64 {
        self.ctx.get()
    }
    pub fn ctx_value(&self) -> u64 {
        // SAFETY: read while the task is switched out (sched.rs invariant).
        unsafe { *self.ctx.get() }
    }

    /// The user register frame at the top of this task's kernel stack.
    // A `&mut` from `&self` on purpose: the frame lives in the task's own
    // kernel stack, and only the task itself (or its creator before it first
    // runs) touches it, one syscall at a time.
    #[allow(clippy::mut_from_ref)]
    pub fn trap_frame(&self) -> &mut TrapFrame {
        let addr = self.kstack_top() - core::mem::size_of::<TrapFrame>() as u64;
        // SAFETY: every task has its user frame at this fixed place; only the
        // task itself (in its own syscall/trap) or its creator before first
        // run accesses it.
        unsafe { &mut *(addr as *mut TrapFrame) }
    }

    /// The task's saved user FPU state (valid while it is in the kernel).
    #[allow(clippy::mut_from_ref)] // same invariant as `trap_frame`
    pub fn fpu(&self) -> &mut FpuState {
        // SAFETY: see the field's invariant.
        unsafe { &mut *self.fpu.get() }
    }

    pub fn process(&self) -> Arc<Process> {
        self.process.clone()
    }
    /// The task's process, borrowed (no reference count touched).
    pub fn process_ref(&self) -> &Arc<Process> {
        &self.process
    }

    pub fn state(&self) -> State {
        match self.state.load(Ordering::Acquire) {
            0 => State::Runnable,
            1 => State::Sleeping,
            2 => State::Stopped,
            _ => State::Dead,
        }
    }
    pub fn set_state(&self, s: State) {
        self.state.store(s as u8, Ordering::Release);
    }

    pub fn save_user_tls(&self) {
        // the user's GS base lives in KERNEL_GS_BASE while we are in ring 0
        self.gs_base.store(
            crate::arch::io::rdmsr(crate::arch::io::MSR_KERNEL_GS_BASE),
            Ordering::Relaxed,
        );
    }
    pub fn load_user_tls(&self) {
        crate::arch::cpu::set_fs_base(self.fs_base.load(Ordering::Relaxed));
        crate::arch::cpu::set_user_gs_base(self.gs_base.load(Ordering::Relaxed));
    }

    /// May this thread run on CPU `cpu` (its sched_setaffinity mask)?
    pub fn cpu_allowed(&self, cpu: usize) -> bool {
        self.affinity.load(Ordering::Relaxed) & (1u64 << cpu.min(63)) != 0
    }

    /// Copy what a new thread or child inherits from this one (Linux's copy_process):
    /// scheduling attributes, CPU affinity and memory policy.
    pub fn inherit_attrs(&self, child: &Task) {
        *child.sched_attr.lock() = self.sched_attr.lock().for_child();
        child
            .affinity
            .store(self.affinity.load(Ordering::Relaxed), Ordering::Relaxed);
        *child.mempolicy.lock() = *self.mempolicy.lock();
    }

    /// Signals that could be delivered now.
    pub fn deliverable_signals(&self) -> u64 {
        let shared = self.process.sig_pending.load(Ordering::Acquire);
        (self.sig_pending.load(Ordering::Acquire) | shared) & !self.sig_mask.load(Ordering::Acquire)
    }
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        sched::wake(&self);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        sched::wake(self);
    }
}

/// The credentials of the running process (root before any process exists).
pub fn current_creds() -> process::Creds {
    sched::try_current()
        .map(|t| t.process().creds())
        .unwrap_or_default()
}
