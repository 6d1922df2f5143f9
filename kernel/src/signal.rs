//! Signal generation and delivery (Linux semantics for x86_64).
//!
//! Pending sets: per thread (`Task::sig_pending`) and per process
//! (`Process::sig_pending`). Delivery happens on every return to user mode
//! (`return_to_user`), where interrupted syscalls are also restarted or
//! turned into EINTR according to `SA_RESTART`.
use crate::arch::TrapFrame;
use crate::mm::addrspace::FaultError;
use crate::task::process::{self, ChildEvent, Process, SigAction};
use crate::task::{sched, Task};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use core::sync::atomic::Ordering;
use rill_abi::types::{SigContext, SigInfo, StackT, UContext};
use rill_abi::Errno;
use spin::Mutex;

// Signal numbers, dispositions, sa_flags and si_codes: defined once in the
// ABI crate; the rules that need no kernel state are in rill_abi::sigset
// (host-tested).
pub use rill_abi::consts::{
    CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED, SA_NOCLDSTOP, SA_NOCLDWAIT,
    SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTART, SA_RESTORER, SA_SIGINFO, SIGABRT, SIGALRM,
    SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGHUP, SIGILL, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGSEGV,
    SIGSTOP, SIGSYS, SIGTERM, SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGUSR1, SIGUSR2,
    SIGWINCH, SIGXCPU, SIGXFSZ, SIG_DFL, SIG_IGN, SI_KERNEL, SI_TKILL, SI_USER,
};
use rill_abi::sigset::{self, DefaultAction, SigSet};

/// The bit of `sig` in a signal mask (0 for numbers outside 1..=64).
pub fn bit(sig: u32) -> u64 {
    SigSet::of(sig).0
}

pub const UNBLOCKABLE: u64 = sigset::UNBLOCKABLE.0;
const STOP_SET: u64 = sigset::STOP_SIGNALS.0;
use sigset::default_action;

/// Pollees told (POLLIN) whenever a signal becomes pending: signalfd's
/// (`fs::signalfd`), registered with [`watch_queued`].
static QUEUED_WATCHERS: Mutex<alloc::vec::Vec<alloc::sync::Weak<rill_vfs::Pollee>>> =
    Mutex::new(alloc::vec::Vec::new());

/// Notify `p` every time a signal is queued to any thread or process.
pub fn watch_queued(p: &Arc<rill_vfs::Pollee>) {
    let mut l = QUEUED_WATCHERS.lock();
    l.retain(|w| w.strong_count() > 0);
    l.push(Arc::downgrade(p));
}

fn notify_queued() {
    let live: alloc::vec::Vec<Arc<rill_vfs::Pollee>> = {
        let mut l = QUEUED_WATCHERS.lock();
        if l.is_empty() {
            return;
        }
        l.retain(|w| w.strong_count() > 0);
        l.iter().filter_map(|w| w.upgrade()).collect()
    };
    for p in live {
        p.notify(rill_vfs::poll::POLLIN);
    }
}

/// siginfo of pending signals, keyed by (tid or pid, signal).
static INFO: Mutex<BTreeMap<(u32, bool, u32), VecDeque<SigInfo>>> = Mutex::new(BTreeMap::new());

/// Most queued real-time signals per target (RLIMIT_SIGPENDING's default).
const MAX_QUEUED: usize = 3794;

/// Record the siginfo of a generated signal: real-time signals queue every
/// instance, standard ones keep only the first while pending. Returns false
/// if the queue is full.
fn queue_info(key: (u32, bool, u32), info: SigInfo) -> bool {
    let mut m = INFO.lock();
    let q = m.entry(key).or_default();
    if key.2 >= 32 {
        if q.len() >= MAX_QUEUED {
            return false;
        }
        q.push_back(info);
    } else if q.is_empty() {
        q.push_back(info);
    }
    true
}

/// POSIX timers: whether the signal of timer `timer_id` is still queued for
/// `target` (thread or process id, process-directed?, signal); if so `add`
/// overruns are counted in it, as Linux keeps one queued signal per timer.
pub fn timer_signal_queued(target: (u32, bool, u32), timer_id: i32, add: i32) -> bool {
    let mut m = INFO.lock();
    let Some(q) = m.get_mut(&target) else {
        return false;
    };
    match q.iter_mut().find(|i| i.timer_id() == Some(timer_id)) {
        Some(i) => {
            i.add_overrun(add);
            true
        }
        None => false,
    }
}

/// Take the oldest siginfo of a pending signal; `true` if more remain.
fn take_info(key: (u32, bool, u32)) -> (SigInfo, bool) {
    let mut m = INFO.lock();
    let Some(q) = m.get_mut(&key) else {
        return (SigInfo::kill(key.2, SI_USER, 0, 0), false);
    };
    let info = q.pop_front().unwrap_or(SigInfo::kill(key.2, SI_USER, 0, 0));
    let more = !q.is_empty();
    if !more {
        m.remove(&key);
    }
    (info, more)
}

fn is_ignored(p: &Process, sig: u32) -> bool {
    let acts = p.sigactions();
    let a = acts.lock()[(sig - 1) as usize];
    a.handler == SIG_IGN || (a.handler == SIG_DFL && default_action(sig) == DefaultAction::Ignore)
}

/// Linux's SIGNAL_UNKILLABLE: init only gets the signals it has handlers
/// for (even SIGKILL is dropped); faults reach it through `user_fault`.
fn init_protected(p: &Process, sig: u32) -> bool {
    p.pid == 1 && p.sigactions().lock()[(sig - 1) as usize].handler == SIG_DFL
}

/// Does `t` block `sig`, counting the mask saved by rt_sigtimedwait?
fn blocks(t: &Task, sig: u32) -> bool {
    (t.sig_mask.load(Ordering::Relaxed) | t.real_blocked.load(Ordering::Relaxed)) & bit(sig) != 0
}

/// Generate a process-directed signal.
pub fn send_to_process(p: &Arc<Process>, sig: u32, info: SigInfo) {
    if sig == 0 || sig > 64 || init_protected(p, sig) {
        return;
    }
    if p.exiting() && sig != SIGKILL {
        return;
    }
    let threads = p.threads();
    if sig == SIGCONT || sig == SIGKILL {
        p.sig_pending.fetch_and(!STOP_SET, Ordering::AcqRel);
        let stopped = threads
            .iter()
            .any(|t| t.state() == crate::task::State::Stopped);
        for t in &threads {
            t.sig_pending.fetch_and(!STOP_SET, Ordering::AcqRel);
            sched::resume_stopped(t);
        }
        if stopped && sig == SIGCONT {
            p.inner.lock().event = Some(ChildEvent::Continued(true));
            notify_parent(p, CLD_CONTINUED, SIGCONT as i32);
        }
    }
    if bit(sig) & STOP_SET != 0 {
        p.sig_pending.fetch_and(!bit(SIGCONT), Ordering::AcqRel);
    }
    // Linux's sig_ignored looks at the thread the signal is sent to: the
    // leader for a process-directed one; a signal it blocks (or awaits in
    // sigtimedwait) is queued even if ignored, as it may be unblocked first
    let leader_blocks = threads.first().is_some_and(|t| blocks(t, sig));
    if !leader_blocks && is_ignored(p, sig) && sig != SIGKILL {
        return;
    }
    if sig < 32 && p.sig_pending.load(Ordering::Relaxed) & bit(sig) != 0 {
        return; // standard signals do not queue
    }
    if !queue_info((p.pid, true, sig), info) {
        return;
    }
    p.sig_pending.fetch_or(bit(sig), Ordering::AcqRel);
    for t in &threads {
        if t.sig_mask.load(Ordering::Relaxed) & bit(sig) == 0 || sig == SIGKILL {
            signal_wake(t);
        }
    }
    notify_queued();
}

/// Generate a thread-directed signal.
pub fn send_to_task(t: &Arc<Task>, sig: u32, info: SigInfo) {
    if sig == 0 || sig > 64 {
        return;
    }
    let p = t.process();
    if init_protected(&p, sig) {
        return;
    }
    if sig == SIGKILL || sig == SIGCONT || bit(sig) & STOP_SET != 0 {
        // these act on the whole process
        send_to_process(&p, sig, info);
        return;
    }
    if !blocks(t, sig) && is_ignored(&p, sig) {
        return;
    }
    if sig < 32 && t.sig_pending.load(Ordering::Relaxed) & bit(sig) != 0 {
        return;
    }
    if !queue_info((t.tid(), false, sig), info) {
        return;
    }
    t.sig_pending.fetch_or(bit(sig), Ordering::AcqRel);
    if t.sig_mask.load(Ordering::Relaxed) & bit(sig) == 0 {
        signal_wake(t);
    }
    notify_queued();
}

/// Wake `t` for a signal. Like Linux's wakeup preemption of a task that has
/// been sleeping, the signalled task runs before the sender returns to user
/// mode (a shell's `kill %1` sees the job die before its next prompt).
fn signal_wake(t: &Arc<Task>) {
    t.woken.store(true, Ordering::Release);
    let was_sleeping = t.state() == crate::task::State::Sleeping;
    sched::wake(t);
    sched::kick(t);
    if was_sleeping && sched::try_current().is_some_and(|c| !Arc::ptr_eq(&c, t)) {
        sched::NEED_RESCHED.store(true, Ordering::Relaxed);
    }
}

pub fn send_to_pgrp(pgid: u32, sig: u32) -> usize {
    let mut n = 0;
    for p in process::all_processes() {
        if p.pgid() == pgid && !p.exiting() {
            send_to_process(&p, sig, SigInfo::kill(sig, SI_KERNEL, 0, 0));
            n += 1;
        }
    }
    n
}

/// Linux's will_become_orphaned_pgrp: a process group is orphaned when no
/// member (other than `ignore`, and not counting exiting ones) has a parent
/// in another group of the same session. A parent that is init does not
/// count as such a link.
pub fn pgrp_orphaned(pgid: u32, ignore: Option<&Arc<Process>>) -> bool {
    for q in process::all_processes() {
        if q.pgid() != pgid || ignore.is_some_and(|i| Arc::ptr_eq(i, &q)) {
            continue;
        }
        if q.exiting() {
            continue;
        }
        let Some(parent) = q.parent() else { continue };
        if parent.pid == 1 {
            continue;
        }
        if parent.pgid() != pgid && parent.sid() == q.sid() {
            return false;
        }
    }
    true
}

/// Does some process of group `pgid` sit in the stopped state?
fn pgrp_has_stopped(pgid: u32) -> bool {
    process::all_processes().iter().any(|q| {
        q.pgid() == pgid
            && q.threads()
                .iter()
                .any(|t| t.state() == crate::task::State::Stopped)
    })
}

/// Linux's kill_orphaned_pgrp, called when `p` exits (`parent` None: p's own
/// group, ignoring p) or after p's child `child` was reparented away from the
/// exiting `p`: if the group just became orphaned and holds stopped
/// processes, it gets SIGHUP then SIGCONT so it is not stopped forever.
pub fn kill_orphaned_pgrp(p: &Arc<Process>, child: Option<&Arc<Process>>) {
    let (member, other, ignore) = match child {
        None => match p.parent() {
            Some(parent) => (p.clone(), parent, Some(p)),
            None => return,
        },
        Some(c) => (c.clone(), p.clone(), None),
    };
    let pgid = member.pgid();
    if other.pgid() != pgid
        && other.sid() == member.sid()
        && pgrp_orphaned(pgid, ignore)
        && pgrp_has_stopped(pgid)
    {
        send_to_pgrp(pgid, SIGHUP);
        send_to_pgrp(pgid, SIGCONT);
    }
}

/// Terminal job control (Linux's __tty_check_change and the n_tty read
/// check): may the current process use the terminal whose session is
/// `tty_session` and foreground group `fg_pgrp`? `sig` is SIGTTIN for reads
/// and SIGTTOU for writes (with TOSTOP) and for state-changing ioctls.
/// Returns Ok to go ahead, EIO (a blocked/ignored SIGTTIN, or an orphaned
/// group), or ERESTARTSYS after sending `sig` to the caller's group (the
/// call restarts once the group is continued in the foreground).
pub fn tty_job_control(tty_session: u32, fg_pgrp: u32, sig: u32) -> rill_abi::KResult<()> {
    let t = sched::current();
    let p = t.process();
    if tty_session == 0 || p.sid() != tty_session {
        return Ok(()); // not our controlling terminal
    }
    let pgid = p.pgid();
    if fg_pgrp == 0 || fg_pgrp == pgid {
        return Ok(());
    }
    let blocked = t.sig_mask.load(Ordering::Relaxed) & bit(sig) != 0;
    let ignored = p.sigactions().lock()[(sig - 1) as usize].handler == SIG_IGN;
    if blocked || ignored {
        return if sig == SIGTTIN {
            Err(Errno::EIO)
        } else {
            Ok(())
        };
    }
    if pgrp_orphaned(pgid, None) {
        return Err(Errno::EIO);
    }
    send_to_pgrp(pgid, sig);
    Err(Errno::ERESTARTSYS)
}

/// A group exit (exit_group or fatal signal) is under way for t's process.
pub fn fatal_pending(t: &Task) -> bool {
    t.must_exit.load(Ordering::Acquire) || t.process_ref().exiting()
}

/// Forget pending instances of `sig` in `p` and its threads (it became ignored).
pub fn discard(p: &Process, sig: u32) {
    p.sig_pending.fetch_and(!bit(sig), Ordering::AcqRel);
    let mut m = INFO.lock();
    m.remove(&(p.pid, true, sig));
    for t in p.threads() {
        t.sig_pending.fetch_and(!bit(sig), Ordering::AcqRel);
        m.remove(&(t.tid(), false, sig));
    }
}

/// A thread took over id `new` (exec from a non-leader thread): its
/// pending thread-directed siginfo follows it, the dead leader's is dropped.
pub fn rekey_thread_info(old: u32, new: u32) {
    let mut m = INFO.lock();
    m.retain(|k, _| k.0 != new || k.1);
    let moved: alloc::vec::Vec<_> = m
        .iter()
        .filter(|(k, _)| k.0 == old && !k.1)
        .map(|(k, _)| *k)
        .collect();
    for k in moved {
        if let Some(q) = m.remove(&k) {
            m.insert((new, false, k.2), q);
        }
    }
}

pub fn clear_info(p: &Process) {
    let pid = p.pid;
    INFO.lock().retain(|k, _| !(k.0 == pid && k.1));
}

fn dequeue(t: &Arc<Task>, p: &Arc<Process>) -> Option<(u32, SigInfo)> {
    let mask = SigSet(t.sig_mask.load(Ordering::Acquire));
    let own = SigSet(t.sig_pending.load(Ordering::Acquire));
    let shared = SigSet(p.sig_pending.load(Ordering::Acquire));
    // thread-directed first; within a set, Linux's priority order
    let pick = |set: SigSet| sigset::next_to_deliver(set, mask);
    if let Some(s) = pick(own) {
        let (info, more) = take_info((t.tid(), false, s));
        if !more {
            t.sig_pending.fetch_and(!bit(s), Ordering::AcqRel);
        }
        return Some((s, info));
    }
    if let Some(s) = pick(shared) {
        let (info, more) = take_info((p.pid, true, s));
        if !more {
            p.sig_pending.fetch_and(!bit(s), Ordering::AcqRel);
        }
        return Some((s, info));
    }
    None
}

/// Dequeue one signal from `set` (for rt_sigtimedwait/sigwaitinfo).
pub fn take_from_set(t: &Arc<Task>, set: u64) -> Option<(u32, SigInfo)> {
    let p = t.process();
    // the order delivery uses: synchronous signals first, then the lowest
    let own = t.sig_pending.load(Ordering::Acquire) & set;
    if let Some(s) = sigset::next_to_deliver(SigSet(own), SigSet(0)) {
        let (info, more) = take_info((t.tid(), false, s));
        if !more {
            t.sig_pending.fetch_and(!bit(s), Ordering::AcqRel);
        }
        return Some((s, info));
    }
    let shared = p.sig_pending.load(Ordering::Acquire) & set;
    if let Some(s) = sigset::next_to_deliver(SigSet(shared), SigSet(0)) {
        let (info, more) = take_info((p.pid, true, s));
        if !more {
            p.sig_pending.fetch_and(!bit(s), Ordering::AcqRel);
        }
        return Some((s, info));
    }
    None
}

/// Tell the parent a child stopped/continued/exited (SIGCHLD + wake waiters).
pub fn notify_parent(p: &Arc<Process>, code: i32, status: i32) {
    let Some(parent) = p.parent() else { return };
    let (sig, nocldstop) = {
        let acts = parent.sigactions();
        let a = acts.lock()[(SIGCHLD - 1) as usize];
        (p.inner.lock().exit_signal, a.flags & SA_NOCLDSTOP != 0)
    };
    let send = !((code == CLD_STOPPED || code == CLD_CONTINUED) && nocldstop);
    if send && sig != 0 {
        let uid = p.creds().uid;
        send_to_process(
            &parent,
            sig,
            SigInfo::child(code, p.pid as i32, uid, status, 0, 0),
        );
    }
    parent.child_wait.wake_all();
}

/// Put the whole process into the stopped state (SIGSTOP & co).
fn do_stop(t: &Arc<Task>, p: &Arc<Process>, sig: u32) {
    p.inner.lock().event = Some(ChildEvent::Stopped(sig, true));
    for th in p.threads() {
        if !Arc::ptr_eq(&th, t) {
            th.set_state(crate::task::State::Stopped);
            sched::kick(&th); // SMP: running elsewhere, it stops on entry
        }
    }
    notify_parent(p, CLD_STOPPED, sig as i32);
    t.set_state(crate::task::State::Stopped);
    sched::schedule();
}

/// The last step before every return to user mode: reschedule, stop,
/// deliver signals, restart interrupted syscalls.
#[inline]
pub fn return_to_user(tf: &mut TrapFrame) {
    if !sched::NEED_RESCHED.load(Ordering::Relaxed) {
        let t = sched::current_task();
        if nothing_to_do(&t) {
            // no handler runs: restart what was interrupted
            restart_syscall(tf, &t, None);
            return;
        }
    }
    deliver(tf)
}

/// `return_to_user` when there is something to do (kept out of line: the fast path needs
/// none of its stack frame).
#[inline(never)]
fn deliver(tf: &mut TrapFrame) {
    loop {
        if sched::NEED_RESCHED.load(Ordering::Relaxed) {
            sched::yield_now();
        }
        let t = sched::current();
        let p = t.process();
        if t.must_exit.load(Ordering::Acquire) || p.exiting() {
            // exit_thread never returns: no reference may stay on this frame.
            drop(p);
            crate::task::exit::exit_thread(t, None);
        }
        let Some((sig, info)) = dequeue(&t, &p) else {
            // no handler runs: restart what was interrupted
            restart_syscall(tf, &t, None);
            return;
        };
        let acts = p.sigactions();
        let act: SigAction = acts.lock()[(sig - 1) as usize];
        if sig == SIGKILL {
            drop((acts, p, t));
            crate::task::exit::exit_group_signal(sig, false);
        }
        if act.handler == SIG_IGN {
            continue;
        }
        if act.handler == SIG_DFL {
            match default_action(sig) {
                DefaultAction::Ignore | DefaultAction::Continue => continue,
                DefaultAction::Stop => {
                    // Linux: the terminal stop signals are discarded in an
                    // orphaned process group (nobody could continue it)
                    if sig == SIGSTOP || !pgrp_orphaned(p.pgid(), None) {
                        do_stop(&t, &p, sig);
                    }
                    continue;
                }
                DefaultAction::Terminate | DefaultAction::CoreDump => {
                    let core = default_action(sig) == DefaultAction::CoreDump;
                    drop((acts, p, t));
                    crate::task::exit::exit_group_signal(sig, core)
                }
            }
        }
        restart_syscall(tf, &t, Some(act.flags));
        if act.flags & SA_RESETHAND != 0 {
            acts.lock()[(sig - 1) as usize].handler = SIG_DFL;
        }
        if setup_frame(tf, &t, sig, &act, &info).is_err() {
            // could not write the frame: the process dies with SIGSEGV
            drop((acts, p, t));
            crate::task::exit::exit_group_signal(SIGSEGV, true);
        }
        // like Linux's exit-to-user loop, keep delivering: every further
        // deliverable signal gets a frame nested on top of this one
    }
}

/// The common case of `return_to_user`, checked without a reference count: no exit pending and
/// no signal `dequeue` would take (the same test: pending and not blocked, KILL/STOP never
/// blocked).
#[inline]
fn nothing_to_do(t: &Task) -> bool {
    let p = t.process_ref();
    let pending = t.sig_pending.load(Ordering::Acquire) | p.sig_pending.load(Ordering::Acquire);
    let mask = SigSet(t.sig_mask.load(Ordering::Acquire)).as_mask();
    SigSet(pending).minus(mask).is_empty() && !t.must_exit.load(Ordering::Acquire) && !p.exiting()
}

/// Apply Linux's restart rules to an interrupted syscall's result.
fn restart_syscall(tf: &mut TrapFrame, t: &Task, handler_flags: Option<u64>) {
    if tf.vector != 256 {
        return;
    }
    let r = tf.rax as i64;
    tf.vector = 257;
    if !(-516..=-512).contains(&r) {
        return;
    }
    let code = Errno((-r) as i32);
    match sigset::restart_outcome(code, handler_flags) {
        // restart: re-execute the syscall instruction, with the original
        // number, or restart_syscall(2) for ERESTART_RESTARTBLOCK (a sleep
        // resumes with the time it had left)
        None => {
            tf.rax = if code == Errno::ERESTART_RESTARTBLOCK {
                rill_abi::sysno::SYS_RESTART_SYSCALL as u64
            } else {
                t.restart_nr.load(Ordering::Relaxed) as u64
            };
            tf.rip -= 2;
        }
        Some(e) => {
            // a handler ran: the interrupted call's restart state is stale
            if code == Errno::ERESTART_RESTARTBLOCK {
                t.restart_futex.lock().take();
            }
            tf.rax = (-(e.0 as i64)) as u64
        }
    }
}

fn setup_frame(
    tf: &mut TrapFrame,
    t: &Arc<Task>,
    sig: u32,
    act: &SigAction,
    info: &SigInfo,
) -> Result<(), Errno> {
    let mm = t.process().mm();
    let (ss_sp, ss_size, ss_flags) = *t.alt_stack.lock();
    let on_alt = ss_size != 0 && tf.rsp > ss_sp && tf.rsp <= ss_sp + ss_size;
    let mut sp = if act.flags & SA_ONSTACK != 0 && ss_size != 0 && !on_alt {
        ss_sp + ss_size
    } else {
        tf.rsp - 128
    };
    // FP state: the XSAVE image + FP_XSTATE_MAGIC2 (FXSAVE image without
    // XSAVE), 64-byte aligned, as Linux lays it out
    let fpcfg = crate::arch::fpu::config();
    sp = (sp - fpcfg.sigframe_fp_size() as u64) & !63;
    let fp_addr = sp;
    let frame_size = core::mem::size_of::<rill_abi::types::RtSigFrame>() as u64;
    sp = ((sp - frame_size) & !15) - 8;
    let old_mask = t
        .saved_mask
        .lock()
        .take()
        .unwrap_or(t.sig_mask.load(Ordering::Relaxed));
    let mc = SigContext {
        r8: tf.r8,
        r9: tf.r9,
        r10: tf.r10,
        r11: tf.r11,
        r12: tf.r12,
        r13: tf.r13,
        r14: tf.r14,
        r15: tf.r15,
        rdi: tf.rdi,
        rsi: tf.rsi,
        rbp: tf.rbp,
        rbx: tf.rbx,
        rdx: tf.rdx,
        rax: tf.rax,
        rcx: tf.rcx,
        rsp: tf.rsp,
        rip: tf.rip,
        eflags: tf.rflags,
        cs: tf.cs as u16,
        gs: 0,
        fs: 0,
        ss: tf.ss as u16,
        err: tf.err,
        trapno: if tf.vector < 256 { tf.vector } else { 0 },
        oldmask: old_mask,
        cr2: if sig == SIGSEGV || sig == SIGBUS {
            info.addr()
        } else {
            0
        },
        fpstate: fp_addr,
        reserved1: [0; 8],
    };
    let uc = UContext {
        uc_flags: if fpcfg.xsave {
            rill_abi::types::UC_FP_XSTATE
        } else {
            0
        } | rill_abi::types::UC_SIGCONTEXT_SS
            | rill_abi::types::UC_STRICT_RESTORE_SS,
        uc_link: 0,
        uc_stack: StackT {
            ss_sp,
            ss_flags: if on_alt { 1 } else { ss_flags as i32 },
            _pad0: 0,
            ss_size,
        },
        uc_mcontext: mc,
        uc_sigmask: old_mask,
    };
    let frame = rill_abi::types::RtSigFrame {
        pretcode: act.restorer,
        uc,
        info: *info,
    };
    let mut fp = alloc::vec![0u8; fpcfg.sigframe_fp_size()];
    fpcfg.sigframe_image(t.fpu().image(), &mut fp);
    mm.write(fp_addr, &fp)?;
    mm.write(sp, bytemuck::bytes_of(&frame))?;
    let mut newmask = t.sig_mask.load(Ordering::Relaxed) | act.mask;
    if act.flags & SA_NODEFER == 0 {
        newmask |= bit(sig);
    }
    t.sig_mask.store(newmask & !UNBLOCKABLE, Ordering::Release);
    tf.rsp = sp;
    tf.rip = act.handler;
    tf.rdi = sig as u64;
    tf.rsi = sp + 8 + core::mem::size_of::<UContext>() as u64;
    tf.rdx = sp + 8;
    tf.rax = 0;
    tf.rflags &= !(0x100 | 0x400); // TF, DF
                                   // handlers start with a clean FPU state, as on Linux
    t.fpu().reset();
    Ok(())
}

/// rt_sigreturn: restore the context saved by `setup_frame`.
pub fn sigreturn(tf: &mut TrapFrame) -> Result<u64, Errno> {
    let t = sched::current();
    let mm = t.process().mm();
    // the handler's `ret` popped pretcode; rsp is the user's, any value (wrapping: no
    // overflow panic in a debug build for rsp < 8, and the read then faults)
    let base = tf.rsp.wrapping_sub(8);
    let mut uc = UContext::default();
    if mm
        .read(base.wrapping_add(8), bytemuck::bytes_of_mut(&mut uc))
        .is_err()
    {
        // an unreadable frame is Linux's badframe too: SIGSEGV (SI_KERNEL), not an errno
        // returned to the code after the syscall
        user_fault(tf, SIGSEGV, 0x80, 0);
        tf.vector = 257;
        return Ok(0);
    }
    let m = &uc.uc_mcontext;
    tf.r8 = m.r8;
    tf.r9 = m.r9;
    tf.r10 = m.r10;
    tf.r11 = m.r11;
    tf.r12 = m.r12;
    tf.r13 = m.r13;
    tf.r14 = m.r14;
    tf.r15 = m.r15;
    tf.rdi = m.rdi;
    tf.rsi = m.rsi;
    tf.rbp = m.rbp;
    tf.rbx = m.rbx;
    tf.rdx = m.rdx;
    tf.rcx = m.rcx;
    tf.rsp = m.rsp;
    tf.rip = m.rip;
    // user may change only the arithmetic/status flags (and TF, DF, AC, ...)
    tf.rflags = (tf.rflags & !0x40dd5) | (m.eflags & 0x40dd5) | 0x200;
    tf.cs = crate::arch::USER_CS;
    tf.ss = crate::arch::USER_SS;
    // no fpstate: initial FPU state (Linux fpu__restore_sig(NULL))
    let fp_ok = m.fpstate != 0 && restore_fpstate(&mm, m.fpstate, &t).is_ok();
    if !fp_ok {
        t.fpu().reset();
    }
    let fp_ok = fp_ok || m.fpstate == 0;
    t.sig_mask
        .store(uc.uc_sigmask & !UNBLOCKABLE, Ordering::Release);
    if !fp_ok {
        // Linux's badframe: SIGSEGV (SI_KERNEL), rax 0
        user_fault(tf, SIGSEGV, 0x80, 0);
        tf.vector = 257;
        return Ok(0);
    }
    // the saved sigaltstack settings come back too (Linux restore_altstack;
    // refused, silently, while running on the alternate stack)
    let ss = uc.uc_stack;
    {
        let mut alt = t.alt_stack.lock();
        let (sp, size, _) = *alt;
        let on = size != 0 && tf.rsp > sp && tf.rsp <= sp + size;
        let mode = ss.ss_flags as u32 & !0x8000_0000;
        if !on {
            if mode == 2 {
                *alt = (0, 0, 2);
            } else if mode <= 1 && ss.ss_size >= 2048 {
                *alt = (ss.ss_sp, ss.ss_size, ss.ss_flags as u32 & 0x8000_0000);
            }
        }
    }
    tf.vector = 257; // not a restartable syscall return
    Ok(m.rax)
}

/// Load the task's FPU state from the fpstate of a signal frame at `addr`
/// (an XSAVE image with its software bytes and MAGIC2, or a legacy FXSAVE
/// image), refusing what XRSTOR/FXRSTOR would fault on (see rill_xstate).
fn restore_fpstate(mm: &crate::mm::AddrSpace, addr: u64, t: &Arc<Task>) -> Result<(), ()> {
    use rill_xstate::RestoreForm;
    let cfg = crate::arch::fpu::config();
    let mut user = alloc::vec![0u8; cfg.size.max(rill_xstate::FXSAVE_SIZE)];
    let legacy = user.get_mut(..rill_xstate::FXSAVE_SIZE).ok_or(())?;
    mm.read(addr, legacy).map_err(|_| ())?;
    let mut form = cfg.restore_form(legacy);
    if let RestoreForm::Xsave { xstate_size, .. } = form {
        let mut m2 = [0u8; 4];
        mm.read(addr.wrapping_add(xstate_size as u64), &mut m2)
            .map_err(|_| ())?;
        if u32::from_le_bytes(m2) == rill_xstate::FP_XSTATE_MAGIC2 {
            mm.read(addr, &mut user).map_err(|_| ())?;
        } else {
            form = RestoreForm::FxOnly;
        }
    }
    cfg.restore_image(form, addr, &user, t.fpu().image_mut())
        .map_err(|_| ())
}

/// A user page fault that could not be resolved.
pub fn user_fault_segv(tf: &mut TrapFrame, addr: u64, e: FaultError) {
    let code = match e {
        FaultError::Access => 2, // SEGV_ACCERR
        _ => 1,                  // SEGV_MAPERR
    };
    if e == FaultError::NoMem {
        kwarn!("out of memory in page fault at {:#x}", addr);
    }
    if e == FaultError::Bus {
        user_fault(tf, SIGBUS, 2, addr); // BUS_ADRERR
        return;
    }
    user_fault(tf, SIGSEGV, code, addr);
}

/// Raise a synchronous fault signal; if it is blocked or ignored the
/// process is killed, as Linux's force_sig_fault does.
pub fn user_fault(tf: &mut TrapFrame, sig: u32, code: i32, addr: u64) {
    let t = sched::current();
    kdebug!(
        "{}[{}]: signal {} code {} addr {:#x} at rip {:#x} (vector {}, err {:#x})",
        t.process().comm(),
        t.tid(),
        sig,
        code,
        addr,
        tf.rip,
        tf.vector,
        tf.err
    );
    let p = t.process();
    let blocked = t.sig_mask.load(Ordering::Relaxed) & bit(sig) != 0;
    let acts = p.sigactions();
    {
        let mut a = acts.lock();
        let e = &mut a[(sig - 1) as usize];
        if blocked || e.handler == SIG_IGN {
            e.handler = SIG_DFL;
        }
    }
    if blocked {
        t.sig_mask.fetch_and(!bit(sig), Ordering::AcqRel);
    }
    {
        // a fault's siginfo replaces whatever a kill() of the same signal left
        let mut m = INFO.lock();
        let q = m.entry((t.tid(), false, sig)).or_default();
        q.clear();
        q.push_back(SigInfo::fault(sig, code, addr));
    }
    t.sig_pending.fetch_or(bit(sig), Ordering::AcqRel);
}
