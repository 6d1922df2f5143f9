//! The run queue and context switching (one CPU for now).
//!
//! Invariants: kernel code runs with interrupts off, so the scheduler lock is
//! never contended by an interrupt handler that runs in the middle of it; a
//! task's saved kernel stack pointer (`Task::ctx`) is only touched here, by
//! the CPU that switches away from or to that task.
use super::Task;
use crate::arch;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};
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
    current: Option<Arc<Task>>,
    /// A task that switched away for the last time; freed by the next task.
    reap: Option<Arc<Task>>,
}

static SCHED: Mutex<Sched> = Mutex::new(Sched {
    queue: VecDeque::new(),
    current: None,
    reap: None,
});
pub static NEED_RESCHED: AtomicBool = AtomicBool::new(false);

unsafe extern "C" {
    fn context_switch(prev: *mut u64, next: u64);
}

pub fn current() -> Arc<Task> {
    match &SCHED.lock().current {
        Some(t) => t.clone(),
        None => crate::kpanic("no current task"),
    }
}

pub fn try_current() -> Option<Arc<Task>> {
    SCHED.lock().current.clone()
}

/// Make `t` runnable (no-op if it already is, or is dead).
pub fn wake(t: &Arc<Task>) {
    let mut s = SCHED.lock();
    let st = t.state();
    if st == State::Sleeping {
        t.set_state(State::Runnable);
        s.queue.push_back(t.clone());
    }
}

/// Add a brand-new task.
pub fn spawn(t: Arc<Task>) {
    t.set_state(State::Runnable);
    SCHED.lock().queue.push_back(t);
}

/// Continue a stopped task.
pub fn resume_stopped(t: &Arc<Task>) {
    let mut s = SCHED.lock();
    if t.state() == State::Stopped {
        t.set_state(State::Runnable);
        s.queue.push_back(t.clone());
    }
}

/// Give up the CPU while staying runnable.
pub fn yield_now() {
    NEED_RESCHED.store(false, Ordering::Relaxed);
    let cur = current();
    {
        let mut s = SCHED.lock();
        if s.queue.is_empty() {
            return;
        }
        s.queue.push_back(cur);
    }
    schedule();
}

/// Switch to the next runnable task. The caller set the current task's state
/// (Sleeping/Stopped/Dead) or queued it (yield).
pub fn schedule() {
    let cur = current();
    let next = loop {
        let n = SCHED.lock().queue.pop_front();
        match n {
            Some(t) if t.state() == State::Runnable => break t,
            Some(_) => continue,
            None => {
                if cur.state() == State::Runnable {
                    return;
                }
                crate::time::idle_tick_wait();
            }
        }
    };
    if Arc::ptr_eq(&next, &cur) {
        return;
    }
    let prev_ptr = cur.ctx_ptr();
    let next_rsp = next.ctx_value();
    switch_cpu_context(&cur, &next);
    {
        let mut s = SCHED.lock();
        if cur.state() == State::Dead {
            s.reap = Some(cur.clone());
        }
        s.current = Some(next);
    }
    drop(cur);
    // SAFETY: prev_ptr points into the current task's Task, which stays
    // alive (the reap slot or its owners hold it) until another task runs;
    // next_rsp was saved by context_switch or built by Task::new.
    unsafe { context_switch(prev_ptr, next_rsp) };
    after_switch();
}

fn switch_cpu_context(cur: &Arc<Task>, next: &Arc<Task>) {
    cur.save_user_tls();
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

/// Start the very first task: never returns.
pub fn start_first(t: Arc<Task>) -> ! {
    arch::cpu::set_task_context(t.kstack_top(), t.fpu_ptr());
    arch::cpu::write_cr3(t.process().mm_root());
    t.load_user_tls();
    t.set_state(State::Runnable);
    let rsp = t.ctx_value();
    SCHED.lock().current = Some(t);
    let mut dummy = 0u64;
    // SAFETY: switching from the boot stack, which is never resumed.
    unsafe { context_switch(&mut dummy, rsp) };
    arch::halt_forever()
}

#[unsafe(no_mangle)]
extern "C" fn task_first_run() {
    after_switch();
}

pub fn runnable_count() -> usize {
    SCHED.lock().queue.len()
}

/// Make `t` current before the scheduler starts (loading init needs a
/// process context for path lookups and user copies).
pub fn set_boot_current(t: Arc<Task>) {
    SCHED.lock().current = Some(t);
}
