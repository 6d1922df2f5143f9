//! The run queue and context switching: one global queue, a current task
//! per CPU and a per-CPU idle loop.
//!
//! Invariants: everything here runs with the big kernel lock held
//! (`arch::smp`) and interrupts off; a task's saved kernel stack pointer
//! (`Task::ctx`) is only touched by the CPU that switches away from or to
//! that task, and since the BKL stays held across a switch, a task switched
//! out on one CPU is fully saved before another CPU can pick it.
use super::Task;
use crate::arch;
use crate::arch::cpu::{cpu_id, MAX_CPUS};
use crate::arch::smp;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::Deref;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use spin::Mutex;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum State {
    Runnable = 0,
    Sleeping = 1,
    Stopped = 2,
    Dead = 3,
}

struct Sched {
    queue: VecDeque<Arc<Task>>,
    /// The task each CPU runs (None: its idle loop).
    current: [Option<Arc<Task>>; MAX_CPUS],
    /// A task that switched away for the last time; freed by the next task.
    reap: Option<Arc<Task>>,
}

static SCHED: Mutex<Sched> = Mutex::new(Sched {
    queue: VecDeque::new(),
    current: [const { None }; MAX_CPUS],
    reap: None,
});

/// "Reschedule before returning to user mode", one flag per CPU (the
/// `store`/`load` interface of the former single flag, for this CPU).
pub struct PerCpuFlag([AtomicBool; MAX_CPUS]);
impl PerCpuFlag {
    #[inline]
    pub fn store(&self, v: bool, o: Ordering) {
        self.0[cpu_id()].store(v, o)
    }
    #[inline]
    pub fn load(&self, o: Ordering) -> bool {
        self.0[cpu_id()].load(o)
    }
}
/// Length of the run queue, readable without the lock (idle CPUs poll it).
static QUEUED: AtomicUsize = AtomicUsize::new(0);
/// How long an idle CPU polls for queued work before it halts (see idle_loop).
const IDLE_POLL_US: u64 = 100;

fn push(s: &mut Sched, t: Arc<Task>) {
    s.queue.push_back(t);
    QUEUED.store(s.queue.len(), Ordering::Release);
}

pub static NEED_RESCHED: PerCpuFlag = PerCpuFlag([const { AtomicBool::new(false) }; MAX_CPUS]);

/// Saved kernel rsp of each CPU's idle loop while a task runs there.
struct IdleCtx([core::cell::UnsafeCell<u64>; MAX_CPUS]);
// SAFETY: entry i is only used by CPU i, in context_switch.
unsafe impl Sync for IdleCtx {}
static IDLE_CTX: IdleCtx = IdleCtx([const { core::cell::UnsafeCell::new(0) }; MAX_CPUS]);

fn idle_ctx() -> *mut u64 {
    IDLE_CTX.0[cpu_id()].get()
}

unsafe extern "C" {
    fn context_switch(prev: *mut u64, next: u64);
}

/// The task running on this CPU, borrowed: taken from the per-CPU block without the scheduler
/// lock and without touching the reference count. It derefs to the scheduler's `Arc<Task>`
/// (clone that to keep the task beyond the borrow). Neither `Send` nor `Sync`: safe code cannot
/// hand it to another task, so it is only ever used by the task it names.
pub struct CurrentTask {
    arc: ManuallyDrop<Arc<Task>>,
    _this_task_only: PhantomData<*const ()>,
}

impl Deref for CurrentTask {
    type Target = Arc<Task>;
    #[inline(always)]
    fn deref(&self) -> &Arc<Task> {
        &self.arc
    }
}

/// The current task as a borrow (see `CurrentTask`), or None in a CPU's idle loop.
#[inline]
pub fn try_current_task() -> Option<CurrentTask> {
    let p = arch::cpu::current_task_word() as *const Task;
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-zero word is `Arc::as_ptr` of the Arc in this CPU's `current` slot
    // (`set_current` writes both, with interrupts off, and only this CPU writes them), i.e. of
    // the task whose code is running now. The handle never drops that Arc (ManuallyDrop), so
    // the count the slot holds is left alone, and the task outlives every use of the handle:
    // the handle is !Send, so it is only used by this task, whose code (and kernel stack,
    // which the Task owns) runs only while the task is alive: a running task is held by its
    // CPU's slot, a sleeping or stopped one by whoever will wake it (else its own stack would
    // be freed under it), and a dead one that switched away for the last time by the reap
    // slot until another task runs; it never runs again.
    let arc = unsafe { Arc::from_raw(p) };
    Some(CurrentTask {
        arc: ManuallyDrop::new(arc),
        _this_task_only: PhantomData,
    })
}

/// The current task as a borrow (see `CurrentTask`); only for code that runs for a task.
#[inline]
pub fn current_task() -> CurrentTask {
    match try_current_task() {
        Some(t) => t,
        None => crate::kpanic("no current task"),
    }
}

/// The current task, as a new reference (no lock: see `try_current_task`).
pub fn current() -> Arc<Task> {
    Arc::clone(&current_task())
}

pub fn try_current() -> Option<Arc<Task>> {
    try_current_task().map(|t| Arc::clone(&t))
}

/// Make `t` this CPU's current task (None: the idle loop): the slot keeps the reference, the
/// per-CPU block its address for `current_task`.
fn set_current(s: &mut Sched, t: Option<Arc<Task>>) {
    let word = t.as_ref().map_or(0, |t| Arc::as_ptr(t) as u64);
    s.current[cpu_id()] = t;
    arch::cpu::set_current_task_word(word);
}

/// Make `t` runnable (no-op if it already is, or is dead).
pub fn wake(t: &Arc<Task>) {
    let mut s = SCHED.lock();
    let st = t.state();
    if st == State::Sleeping {
        t.set_state(State::Runnable);
        push(&mut s, t.clone());
        drop(s);
        smp::kick_idle_cpu();
    }
}

/// If `t` runs on another CPU right now, interrupt it so that it enters the
/// kernel and notices what changed (a signal) without waiting for its tick.
pub fn kick(t: &Arc<Task>) {
    let s = SCHED.lock();
    let me = cpu_id();
    let cpu = s
        .current
        .iter()
        .position(|c| c.as_ref().is_some_and(|c| Arc::ptr_eq(c, t)));
    drop(s);
    if let Some(c) = cpu.filter(|&c| c != me) {
        smp::send_ipi(c, smp::VEC_RESCHED);
    }
}

fn on_cpu_elsewhere(t: &Arc<Task>) -> bool {
    let me = cpu_id();
    SCHED
        .lock()
        .current
        .iter()
        .enumerate()
        .any(|(c, x)| c != me && x.as_ref().is_some_and(|x| Arc::ptr_eq(x, t)))
}

/// Wait until `t` (already marked dead, e.g. by exec killing the other
/// threads) has left every other CPU, so that its address space can go.
/// Lets go of the big kernel lock meanwhile, so `t` can reach the kernel.
pub fn wait_off_cpu(t: &Arc<Task>) {
    kick(t);
    while on_cpu_elsewhere(t) {
        smp::bkl_release();
        for _ in 0..1000 {
            core::hint::spin_loop();
        }
        smp::bkl_acquire();
    }
}

/// A task killed (exec's de-thread) or stopped (a group stop) by another
/// CPU while it ran in user mode or waited for the kernel lock gives up its
/// CPU here, on kernel entry or exit: for good if dead, until SIGCONT if
/// stopped.
#[inline]
pub fn leave_if_dead() {
    let Some(t) = try_current_task() else {
        return;
    };
    // the common case, without a call: running, and allowed here
    if t.state() == State::Runnable && (!online_cpus_gt1() || t.cpu_allowed(cpu_id())) {
        return;
    }
    leave_if_dead_slow(&t)
}

#[inline(never)]
fn leave_if_dead_slow(t: &CurrentTask) {
    match t.state() {
        State::Dead => {
            schedule();
            crate::kpanic("dead task scheduled");
        }
        State::Stopped => schedule(),
        // its affinity no longer includes this CPU: move
        State::Runnable if online_cpus_gt1() && !t.cpu_allowed(cpu_id()) => {
            push(&mut SCHED.lock(), Arc::clone(t));
            smp::kick_idle_cpu();
            schedule();
        }
        _ => {}
    }
}

fn online_cpus_gt1() -> bool {
    smp::online_cpus() > 1
}

/// Add a brand-new task.
pub fn spawn(t: Arc<Task>) {
    t.set_state(State::Runnable);
    push(&mut SCHED.lock(), t);
    smp::kick_idle_cpu();
}

/// Continue a stopped task.
pub fn resume_stopped(t: &Arc<Task>) {
    let mut s = SCHED.lock();
    if t.state() == State::Stopped {
        t.set_state(State::Runnable);
        push(&mut s, t.clone());
        drop(s);
        smp::kick_idle_cpu();
    }
}

/// Give up the CPU while staying runnable.
pub fn yield_now() {
    NEED_RESCHED.store(false, Ordering::Relaxed);
    let cur = current();
    {
        let mut s = SCHED.lock();
        if !s.queue.iter().any(|t| runnable_elsewhere(&s, t)) {
            return;
        }
        push(&mut s, cur);
    }
    schedule();
}

/// A queued task that another CPU could take: runnable and not running on
/// any CPU (a task can be queued while it still runs, e.g. woken before it
/// got to sleep; such a stale entry is dropped when popped).
fn runnable_elsewhere(s: &Sched, t: &Arc<Task>) -> bool {
    t.state() == State::Runnable && !s.current.iter().flatten().any(|c| Arc::ptr_eq(c, t))
}

/// The next task to run here, if any (`cur` may be returned: it was
/// queued). Tasks whose affinity excludes this CPU stay queued.
fn pick_next(cur: Option<&Arc<Task>>) -> Option<Arc<Task>> {
    let me = cpu_id();
    let mut s = SCHED.lock();
    let mut i = 0;
    while let Some(t) = s.queue.get(i) {
        let is_cur = cur.is_some_and(|c| Arc::ptr_eq(c, t));
        let usable = if is_cur {
            t.state() == State::Runnable
        } else {
            runnable_elsewhere(&s, t)
        };
        if !usable {
            s.queue.remove(i);
        } else if !t.cpu_allowed(me) {
            i += 1;
        } else {
            let t = s.queue.remove(i);
            QUEUED.store(s.queue.len(), Ordering::Release);
            return t;
        }
        QUEUED.store(s.queue.len(), Ordering::Release);
    }
    None
}

/// Switch to the next runnable task. The caller set the current task's state
/// (Sleeping/Stopped/Dead) or queued it (yield). Called with the BKL held.
pub fn schedule() {
    let cur = current();
    let next = pick_next(Some(&cur));
    if next.as_ref().is_some_and(|n| Arc::ptr_eq(n, &cur)) {
        return;
    }
    if next.is_none() && cur.state() == State::Runnable && cur.cpu_allowed(cpu_id()) {
        return;
    }
    let prev_ptr = cur.ctx_ptr();
    cur.save_user_tls();
    // a task switched out in a syscall: complete its FPU image (arch/fpu.rs)
    cur.fpu().sync_live();
    let next_rsp = match &next {
        Some(n) => {
            load_cpu_context(n);
            n.ctx_value()
        }
        None => {
            // SAFETY: this CPU's idle context, saved when it switched to a task.
            unsafe { *idle_ctx() }
        }
    };
    {
        let mut s = SCHED.lock();
        if cur.state() == State::Dead {
            s.reap = Some(cur.clone());
        }
        set_current(&mut s, next);
    }
    drop(cur);
    // SAFETY: prev_ptr points into the current task's Task, which stays
    // alive (the reap slot or its owners hold it) until another task runs;
    // next_rsp was saved by context_switch or built by Task::new. The BKL
    // stays held across the switch, so no other CPU picks the task before
    // its context is saved.
    unsafe { context_switch(prev_ptr, next_rsp) };
    after_switch();
}

fn load_cpu_context(next: &Arc<Task>) {
    arch::cpu::set_task_context(next.kstack_top(), next.fpu_ptr());
    let root = next.process().mm_root();
    if root != 0 && root != arch::cpu::read_cr3() {
        arch::cpu::write_cr3(root);
    }
    next.load_user_tls();
}

/// Runs on the new task's stack right after a switch.
pub fn after_switch() {
    let r = SCHED.lock().reap.take();
    drop(r);
}

/// Each CPU's scheduler loop, entered with the BKL held: run queued tasks;
/// with nothing to do, drop the lock and halt until an interrupt.
pub fn idle_loop() -> ! {
    loop {
        if let Some(next) = pick_next(None) {
            load_cpu_context(&next);
            let rsp = next.ctx_value();
            set_current(&mut SCHED.lock(), Some(next));
            // SAFETY: the idle context is saved into this CPU's slot; rsp
            // was saved by context_switch or built by Task::new.
            unsafe { context_switch(idle_ctx(), rsp) };
            after_switch();
            continue;
        }
        // no stale user translations while idle (see arch::smp)
        let k = crate::mm::paging::kernel_root();
        if arch::cpu::read_cr3() != k {
            arch::cpu::write_cr3(k);
        }
        smp::bkl_release();
        // Poll a little before halting: work queued soon after (the peer of
        // a loopback exchange) is picked up without the waker's IPI and the
        // halted vCPU's wake-up, each far dearer under TCG than this spin.
        // Interrupts get a window on every round; the CPU is not in
        // IDLE_MASK meanwhile, so wakers only bump QUEUED.
        let t0 = arch::rdtsc();
        while QUEUED.load(Ordering::Acquire) == 0 && arch::tsc_us_since(t0) < IDLE_POLL_US {
            arch::irq_window();
            core::hint::spin_loop();
        }
        loop {
            // in IDLE_MASK before the last look at QUEUED: a waker that
            // queues after that look sees the bit and sends the IPI, which
            // ends the halt
            smp::set_idle(true);
            if QUEUED.load(Ordering::SeqCst) > 0 {
                break;
            }
            // only contend for the lock when there is something to run (or,
            // on the boot CPU, timers to fire: the PIT tick does that)
            arch::idle_wait();
            if QUEUED.load(Ordering::Acquire) > 0 {
                break;
            }
        }
        smp::set_idle(false);
        smp::bkl_acquire();
        crate::time::fire_expired();
    }
}

#[unsafe(no_mangle)]
extern "C" fn task_first_run() {
    after_switch();
    // leaving to user mode for the first time: the BKL taken by whoever
    // switched to this task is released here
    smp::bkl_release();
}

pub fn runnable_count() -> usize {
    SCHED.lock().queue.len()
}

/// Make `t` current before the scheduler starts (loading init needs a
/// process context for path lookups and user copies).
pub fn set_boot_current(t: Arc<Task>) {
    set_current(&mut SCHED.lock(), Some(t));
}

/// Start the scheduler on the boot CPU with `t` (init) queued: never returns.
pub fn start_first(t: Arc<Task>) -> ! {
    set_current(&mut SCHED.lock(), None);
    spawn(t);
    idle_loop()
}
