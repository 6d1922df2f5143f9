//! Leaving: thread exit, process exit (zombie, reparenting, the parent told), exit by
//! signal, and the reaping helpers wait4/waitid use.
use super::process::{self, ChildEvent, Process};
use super::{current, sched, wait, State, Task};
use crate::signal;
use crate::uaccess::*;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use rill_abi::types::SigInfo;
use rill_abi::{Errno, KResult};
use spin::Mutex;

/// A vfork child execs or exits: its parent may go on.
pub fn release_vfork(p: &Process) {
    let vp = p.inner.lock().vfork_parent.take();
    if vp.is_some() {
        p.child_wait.wake_all();
    }
}

/// Terminate the whole process because of signal `sig`.
pub fn exit_group_signal(sig: u32, core: bool) -> ! {
    let status = sig as i32 | if core { 0x80 } else { 0 };
    group_exit(status)
}

/// Terminate the whole process with wait status `status`.
pub fn group_exit(status: i32) -> ! {
    let t = current();
    let p = t.process();
    {
        let mut i = p.inner.lock();
        if p.set_exiting(&mut i) {
            i.event = Some(ChildEvent::Exited(status));
        }
    }
    for th in p.threads() {
        if !Arc::ptr_eq(&th, &t) {
            th.woken.store(true, Ordering::Release);
            sched::wake(&th);
            sched::resume_stopped(&th);
        }
    }
    drop(p);
    exit_thread(t, None)
}

/// Remove the current thread; the last one out turns the process into a
/// zombie and tells the parent. Never returns: callers give up their own
/// reference (`t`) and must hold no other on their stack frames, which are
/// never unwound (a reference left there leaks the task and its kernel stack).
pub fn exit_thread(t: Arc<Task>, status: Option<i32>) -> ! {
    let p = t.process();
    super::futex::exit_robust_list(&t);
    let ctid = t.clear_child_tid.swap(0, Ordering::Relaxed);
    if ctid != 0 {
        let _ = p.mm().write(ctid, &0i32.to_le_bytes());
        super::futex::wake_addr(ctid, 1);
    }
    let last = {
        let mut i = p.inner.lock();
        i.threads.retain(|x| !Arc::ptr_eq(x, &t));
        if let Some(s) = status {
            if i.threads.is_empty() && p.set_exiting(&mut i) {
                i.event = Some(ChildEvent::Exited(s));
            }
        }
        i.threads.is_empty()
    };
    if last {
        process_exit(&p);
    } else if t.must_exit.load(Ordering::Acquire) {
        // a thread exec'ing in de_thread waits for us to be gone
        p.child_wait.wake_all();
    }
    drop(p);
    process::unregister_task(t.tid());
    t.set_state(State::Dead);
    // The scheduler's own reference keeps the task alive until the next task frees it.
    drop(t);
    sched::schedule();
    crate::kpanic("dead task scheduled")
}

/// Told of each process whose last thread is gone, before its resources go, in the
/// order they were added: the tracer's `+++` line and its report (syscall/), the
/// hangup of a session leader's controlling terminal (fs/). Added at boot by those
/// upper layers, which task/ must not call into.
static EXIT_HOOKS: Mutex<[Option<ExitHook>; 4]> = Mutex::new([None; 4]);

pub type ExitHook = fn(&Process);

pub fn add_exit_hook(f: ExitHook) {
    let mut hooks = EXIT_HOOKS.lock();
    match hooks.iter_mut().find(|h| h.is_none()) {
        Some(slot) => *slot = Some(f),
        None => crate::kpanic("too many exit hooks"),
    }
}

fn process_exit(p: &Arc<Process>) {
    let hooks = *EXIT_HOOKS.lock();
    for hook in hooks.iter().flatten() {
        hook(p);
    }
    release_vfork(p);
    // close files and drop the address space now, not at reap time; a
    // table shared with another process (CLONE_FILES without CLONE_THREAD)
    // stays open for it: only our reference goes
    let files = core::mem::replace(
        &mut *p.files.lock(),
        Arc::new(Mutex::new(super::fdtable::FdTable::new())),
    );
    if let Some(table) = Arc::into_inner(files) {
        table.lock().clear();
    }
    crate::arch::cpu::write_cr3(crate::mm::paging::kernel_root());
    if let Ok(empty) = crate::mm::AddrSpace::new() {
        p.set_mm(empty);
    }
    crate::time::timers::cancel_timers(p);
    // reparent children to init
    let children: Vec<Arc<Process>> = core::mem::take(&mut p.inner.lock().children);
    for c in &children {
        let sig = c.inner.lock().pdeathsig;
        if sig != 0 {
            signal::send_to_process(c, sig, SigInfo::kill(sig, 0, p.pid as i32, 0));
        }
    }
    if !children.is_empty() {
        // the nearest living ancestor that is a child subreaper, else init
        let mut reaper = None;
        let mut a = p.parent();
        while let Some(x) = a {
            let (sub, alive) = (x.inner.lock().subreaper, !x.exiting());
            if sub && alive {
                reaper = Some(x);
                break;
            }
            a = x.parent();
        }
        if let Some(init) = reaper.or_else(|| process::find_process(1)) {
            let mut zombie = false;
            for c in &children {
                // Linux (reparent_leader): "we don't want people slaying
                // init": a reparented child's exit signal becomes SIGCHLD
                {
                    let mut ci = c.inner.lock();
                    c.set_parent(&mut ci, &init);
                    ci.exit_signal = 17;
                }
                if matches!(c.inner.lock().event, Some(ChildEvent::Exited(_))) {
                    zombie = true;
                }
            }
            init.inner.lock().children.extend(children.iter().cloned());
            if zombie {
                init.child_wait.wake_all();
                signal::send_to_process(&init, signal::SIGCHLD, SigInfo::kill(17, 0, 0, 0));
            }
        }
        // groups of our children that lost their last outside link
        for c in &children {
            signal::kill_orphaned_pgrp(p, Some(c));
        }
    }
    // our own group, if we were its last link to the session
    signal::kill_orphaned_pgrp(p, None);
    if p.pid == 1 {
        let st = match p.inner.lock().event {
            Some(ChildEvent::Exited(s)) => s,
            _ => 0,
        };
        // init exiting is fatal, as on Linux (init cannot be killed by signals
        // it does not handle, so only its own exit reaches this)
        panic!("Attempted to kill init! exitcode={:#x}", st);
    }
    let status = match p.inner.lock().event {
        Some(ChildEvent::Exited(s)) => s,
        _ => 0,
    };
    // auto-reap when the parent ignores SIGCHLD
    if let Some(parent) = p.parent() {
        let a = parent.sigactions().lock()[16];
        if a.handler == signal::SIG_IGN || a.flags & signal::SA_NOCLDWAIT != 0 {
            parent.inner.lock().children.retain(|c| !Arc::ptr_eq(c, p));
            process::unregister_process(p.pid);
            parent.child_wait.wake_all();
            // with SA_NOCLDWAIT a handler still runs (only SIG_IGN is silent)
            if a.handler > signal::SIG_IGN {
                let code = if status & 0x7f == 0 {
                    signal::CLD_EXITED
                } else {
                    signal::CLD_KILLED
                };
                let st = if status & 0x7f == 0 {
                    (status >> 8) & 0xff
                } else {
                    status & 0x7f
                };
                let uid = p.creds().uid;
                signal::send_to_process(
                    &parent,
                    signal::SIGCHLD,
                    SigInfo::child(code, p.pid as i32, uid, st, 0, 0),
                );
            }
            return;
        }
        let (code, st) = if status & 0x7f == 0 {
            (signal::CLD_EXITED, (status >> 8) & 0xff)
        } else if status & 0x80 != 0 {
            (signal::CLD_DUMPED, status & 0x7f)
        } else {
            (signal::CLD_KILLED, status & 0x7f)
        };
        signal::notify_parent(p, code, st);
    }
}

pub const WNOHANG: u32 = 1;
pub const WUNTRACED: u32 = 2;
pub const WEXITED: u32 = 4;
pub const WCONTINUED: u32 = 8;
pub const WNOWAIT: u32 = 0x0100_0000;
pub const WALL: u32 = 0x4000_0000;
pub const WCLONE: u32 = 0x8000_0000;

/// Which children a wait selects.
pub enum Sel {
    Any,
    Pid(u32),
    Pgid(u32),
}

/// Find a child matching `sel` with a reportable event. Returns
/// Ok(Some((pid, status, event))) or Ok(None) if children exist but none is
/// ready, ECHILD if there are no matching children.
pub fn find_child(
    p: &Arc<Process>,
    sel: &Sel,
    opts: u32,
) -> KResult<Option<(Arc<Process>, ChildEvent)>> {
    let children = p.inner.lock().children.clone();
    let mut any = false;
    for c in children {
        let m = match sel {
            Sel::Any => true,
            Sel::Pid(x) => c.pid == *x,
            Sel::Pgid(g) => c.pgid() == *g,
        };
        if !m {
            continue;
        }
        let es = c.inner.lock().exit_signal;
        let clone_child = es != 17;
        if opts & WALL == 0 && (clone_child != (opts & WCLONE != 0)) {
            continue;
        }
        any = true;
        let ev = c.inner.lock().event;
        match ev {
            Some(ChildEvent::Exited(_))
                if opts & WEXITED != 0 && c.inner.lock().threads.is_empty() =>
            {
                return Ok(Some((c.clone(), ev.unwrap_or(ChildEvent::Exited(0)))))
            }
            Some(ChildEvent::Stopped(s, true)) if opts & WUNTRACED != 0 => {
                return Ok(Some((c.clone(), ChildEvent::Stopped(s, true))))
            }
            Some(ChildEvent::Continued(true)) if opts & WCONTINUED != 0 => {
                return Ok(Some((c.clone(), ChildEvent::Continued(true))))
            }
            _ => {}
        }
    }
    if any {
        Ok(None)
    } else {
        Err(Errno::ECHILD)
    }
}

/// Reap the zombie child `c` of `p`: its times go to the parent, its pid is freed.
pub fn reap(p: &Arc<Process>, c: &Arc<Process>) {
    p.inner.lock().children.retain(|x| !Arc::ptr_eq(x, c));
    // the child's figures first, then the parent's lock: one `inner` at a time (clone
    // holds the parent's while it fills the child's, so child-then-parent would invert it)
    let (ut, st) = {
        let ci = c.inner.lock();
        (
            ci.utime_ticks + ci.cutime_ticks,
            ci.stime_ticks + ci.cstime_ticks,
        )
    };
    {
        let mut pi = p.inner.lock();
        pi.cutime_ticks += ut;
        pi.cstime_ticks += st;
    }
    signal::clear_info(c);
    process::unregister_process(c.pid);
}

/// A stop or continue event has been reported.
pub fn consume(c: &Arc<Process>, ev: ChildEvent) {
    let mut i = c.inner.lock();
    match ev {
        ChildEvent::Stopped(s, _) => i.event = Some(ChildEvent::Stopped(s, false)),
        ChildEvent::Continued(_) => i.event = Some(ChildEvent::Continued(false)),
        _ => {}
    }
}

/// wait4/waitid: a child with a reportable event (None with WNOHANG and none ready).
pub fn do_wait(sel: Sel, opts: u32) -> KResult<Option<(Arc<Process>, ChildEvent)>> {
    let p = current().process();
    if opts & WNOHANG != 0 {
        return find_child(&p, &sel, opts);
    }
    wait::wait_event(true, None, |w| {
        p.child_wait.register(w);
        match find_child(&p, &sel, opts) {
            Ok(Some(x)) => Some(Ok(Some(x))),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    })?
}

/// The resource usage wait4/waitid report for a child: its own CPU time
/// plus that of the children it waited for.
pub fn child_rusage(c: &Process) -> rill_abi::types::Rusage {
    let mut r: rill_abi::types::Rusage = zeroed();
    let (ut, st) = {
        let i = c.inner.lock();
        (
            i.utime_ticks + i.cutime_ticks,
            i.stime_ticks + i.cstime_ticks,
        )
    };
    let tv = |ms: u64| rill_abi::types::Timeval {
        tv_sec: (ms / 1000) as i64,
        tv_usec: ((ms % 1000) * 1000) as i64,
    };
    r.ru_utime = tv(ut);
    r.ru_stime = tv(st);
    r
}
