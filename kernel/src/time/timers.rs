//! Interval timers (ITIMER_REAL/VIRTUAL/PROF, alarm) and POSIX timers: their state and
//! expiry. The syscalls (syscall/time.rs) check and copy the user's arguments and call these.
//! Each process's timers are dropped when it exits (`cancel_timers`), its POSIX timers when
//! it execs (`exec_timers`).
use super::{now_ns, TimerId};
use crate::task::process::Process;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use rill_abi::{Errno, KResult};
use spin::Mutex;

const CLOCK_REALTIME: i32 = 0;
const CLOCK_TAI: i32 = 11;

fn process_ticks(p: &Process) -> u64 {
    p.inner.lock().utime_ticks
}

// ---- ITIMER_REAL / alarm: one timer per process, fired by a timer waker.

struct RealTimer {
    deadline: u64,
    interval: u64,
    gen: u64,
    /// The pending timer of the clock (cancelled when the itimer is re-armed or goes).
    timer: Option<TimerId>,
}

static REAL: Mutex<BTreeMap<u32, RealTimer>> = Mutex::new(BTreeMap::new());
static GEN: Mutex<u64> = Mutex::new(0);

struct AlarmWaker {
    pid: u32,
    gen: u64,
}

impl alloc::task::Wake for AlarmWaker {
    fn wake(self: Arc<Self>) {
        let mut re = REAL.lock();
        let Some(t) = re.get_mut(&self.pid) else {
            return;
        };
        if t.gen != self.gen {
            return;
        }
        let fire = now_ns() + 1_000 >= t.deadline;
        if !fire {
            let w = Arc::new(AlarmWaker {
                pid: self.pid,
                gen: self.gen,
            });
            t.timer = Some(super::add_timer(t.deadline, core::task::Waker::from(w)));
            return;
        }
        if t.interval > 0 {
            // overruns collapse into one expiry (as Linux counts them), so
            // a 1 µs interval cannot keep the timer interrupt busy forever
            let now = now_ns();
            t.deadline = t.deadline.saturating_add(t.interval);
            if t.deadline <= now {
                t.deadline = now.saturating_add(t.interval.max(100_000));
            }
            let w = Arc::new(AlarmWaker {
                pid: self.pid,
                gen: self.gen,
            });
            t.timer = Some(super::add_timer(t.deadline, core::task::Waker::from(w)));
        } else {
            re.remove(&self.pid);
        }
        drop(re);
        if let Some(p) = crate::task::process::find_process(self.pid) {
            crate::signal::send_to_process(
                &p,
                crate::signal::SIGALRM,
                rill_abi::types::SigInfo::kill(14, 0x80, 0, 0),
            );
        }
    }
}

/// Time left on an armed ITIMER_REAL: never 0 while it is armed, even when its expiry is due
/// but has not been handled yet (Linux's itimer_get_remtime gives 1 µs then; 0 would read
/// as "disarmed").
fn real_remaining(t: &RealTimer) -> u64 {
    t.deadline.saturating_sub(now_ns()).max(1_000)
}

/// Arm (value > 0) or disarm ITIMER_REAL; returns the old (value, interval) in ns.
pub fn arm_real(pid: u32, value: u64, interval: u64) -> (u64, u64) {
    let mut re = REAL.lock();
    let old = re
        .remove(&pid)
        .map(|t| {
            if let Some(id) = t.timer {
                super::cancel_timer(id);
            }
            (real_remaining(&t), t.interval)
        })
        .unwrap_or((0, 0));
    if value > 0 {
        let gen = {
            let mut g = GEN.lock();
            *g += 1;
            *g
        };
        let deadline = rill_abi::time::deadline_after(now_ns(), value);
        let timer = super::add_timer(
            deadline,
            core::task::Waker::from(Arc::new(AlarmWaker { pid, gen })),
        );
        re.insert(
            pid,
            RealTimer {
                deadline,
                interval,
                gen,
                timer: Some(timer),
            },
        );
    }
    old
}

/// Process exit: every timer goes.
pub fn cancel_timers(p: &Process) {
    if let Some(t) = REAL.lock().remove(&p.pid) {
        if let Some(id) = t.timer {
            super::cancel_timer(id);
        }
    }
    CPU_ITIMERS.lock().retain(|k, _| k.0 != p.pid);
    exec_timers(p);
}

fn cancel_ptimers(pt: ProcTimers) {
    for t in pt.timers.values() {
        if let Some(id) = t.timer {
            super::cancel_timer(id);
        }
    }
}

/// execve: POSIX timers are deleted; interval timers and alarm() survive.
pub fn exec_timers(p: &Process) {
    let gone = PTIMERS.lock().remove(&p.pid);
    if let Some(pt) = gone {
        cancel_ptimers(pt);
    }
}

// ---- ITIMER_VIRTUAL / ITIMER_PROF: count the process's CPU ticks. A
// poller runs every timer tick while such a timer is armed (Rill's tick
// accounting lives in the interrupt handler; polling keeps it untouched).

struct CpuTimer {
    /// Process CPU ticks at which it expires.
    target: u64,
    /// Reload in ticks (0: one-shot).
    interval: u64,
    gen: u64,
}

/// Keyed by (pid, which).
static CPU_ITIMERS: Mutex<BTreeMap<(u32, i32), CpuTimer>> = Mutex::new(BTreeMap::new());

struct CpuTimerPoll {
    pid: u32,
    which: i32,
    gen: u64,
}

impl alloc::task::Wake for CpuTimerPoll {
    fn wake(self: Arc<Self>) {
        let Some(p) = crate::task::process::find_process(self.pid) else {
            CPU_ITIMERS.lock().remove(&(self.pid, self.which));
            return;
        };
        let used = process_ticks(&p);
        let mut m = CPU_ITIMERS.lock();
        let Some(t) = m.get_mut(&(self.pid, self.which)) else {
            return;
        };
        if t.gen != self.gen {
            return;
        }
        let fire = used >= t.target;
        if fire {
            if t.interval > 0 {
                t.target = used.saturating_add(t.interval);
            } else {
                m.remove(&(self.pid, self.which));
            }
        }
        let again = m.contains_key(&(self.pid, self.which));
        drop(m);
        if fire {
            let sig = if self.which == 1 { 26 } else { 27 }; // SIGVTALRM, SIGPROF
            crate::signal::send_to_process(&p, sig, rill_abi::types::SigInfo::new(sig, 0x80));
        }
        if again {
            super::add_timer(now_ns() + 1_000_000, core::task::Waker::from(self));
        }
    }
}

fn ns_to_ticks(ns: u64) -> u64 {
    ns.div_ceil(1_000_000)
}

/// Arm (value > 0) or disarm ITIMER_VIRTUAL (1) / ITIMER_PROF (2); returns
/// the old (value, interval) in ns.
pub fn arm_cpu(p: &Process, which: i32, value: u64, interval: u64) -> (u64, u64) {
    let used = process_ticks(p);
    let mut m = CPU_ITIMERS.lock();
    let old = m
        .remove(&(p.pid, which))
        .map(|t| {
            (
                t.target.saturating_sub(used).max(1) * 1_000_000,
                t.interval * 1_000_000,
            )
        })
        .unwrap_or((0, 0));
    if value > 0 {
        let gen = {
            let mut g = GEN.lock();
            *g += 1;
            *g
        };
        m.insert(
            (p.pid, which),
            CpuTimer {
                target: used + ns_to_ticks(value),
                interval: ns_to_ticks(interval),
                gen,
            },
        );
        drop(m);
        let w = Arc::new(CpuTimerPoll {
            pid: p.pid,
            which,
            gen,
        });
        super::add_timer(now_ns() + 1_000_000, core::task::Waker::from(w));
    }
    old
}

pub fn cpu_itimer_value(p: &Process, which: i32) -> (u64, u64) {
    let used = process_ticks(p);
    CPU_ITIMERS
        .lock()
        .get(&(p.pid, which))
        .map(|t| {
            (
                t.target.saturating_sub(used).max(1) * 1_000_000,
                t.interval * 1_000_000,
            )
        })
        .unwrap_or((0, 0))
}

// ---- POSIX timers (timer_create & co.). Each process has its own ids,
// handed out cyclically from 0 like Linux. Deadlines are kept on the
// monotonic clock; absolute CLOCK_REALTIME/TAI times are converted when
// armed. Expiry runs from a timer waker; a timer whose signal is still
// queued does not queue another but counts an overrun in it (Linux keeps
// one preallocated signal per timer).

pub const SIGEV_SIGNAL: i32 = 0;
pub const SIGEV_NONE: i32 = 1;
pub const SIGEV_THREAD: i32 = 2;
pub const SIGEV_THREAD_ID: i32 = 4;
pub const TIMER_ABSTIME: u32 = 1;
/// Most timers per process (Linux limits them by RLIMIT_SIGPENDING).
const MAX_PTIMERS: usize = 3794;

struct PTimer {
    clock: i32,
    notify: i32,
    signo: u32,
    value: u64,
    /// Target thread for SIGEV_THREAD_ID.
    tid: u32,
    /// Monotonic ns of the next expiry; 0 = disarmed.
    deadline: u64,
    interval: u64,
    gen: u64,
    /// Overruns counted since the signal now queued (or last delivered).
    overrun: i32,
    /// Overruns carried by the signal delivered before that one.
    overrun_last: i32,
    /// The pending timer (cancelled when re-armed or deleted).
    timer: Option<TimerId>,
}

#[derive(Default)]
struct ProcTimers {
    next_id: i32,
    timers: BTreeMap<i32, PTimer>,
}

static PTIMERS: Mutex<BTreeMap<u32, ProcTimers>> = Mutex::new(BTreeMap::new());

/// Whole expirations of a periodic timer passed at `now` (>= 1 if expired).
fn advance(t: &mut PTimer, now: u64) -> u64 {
    if t.deadline == 0 || t.deadline > now {
        return 0;
    }
    if t.interval == 0 {
        t.deadline = 0;
        return 1;
    }
    let n = (now - t.deadline) / t.interval + 1;
    t.deadline = t.deadline.saturating_add(n.saturating_mul(t.interval));
    n
}

fn ptimer_target(pid: u32, t: &PTimer) -> (u32, bool, u32) {
    if t.notify & SIGEV_THREAD_ID != 0 {
        (t.tid, false, t.signo)
    } else {
        (pid, true, t.signo)
    }
}

struct PTimerWaker {
    pid: u32,
    id: i32,
    gen: u64,
}

impl alloc::task::Wake for PTimerWaker {
    fn wake(self: Arc<Self>) {
        let now = now_ns();
        let mut all = PTIMERS.lock();
        let Some(t) = all
            .get_mut(&self.pid)
            .and_then(|pt| pt.timers.get_mut(&self.id))
        else {
            return;
        };
        if t.gen != self.gen || t.deadline == 0 {
            return;
        }
        if t.deadline > now + 1_000 {
            t.timer = Some(super::add_timer(t.deadline, core::task::Waker::from(self)));
            return;
        }
        let n = advance(t, now.max(t.deadline)).max(1);
        // a tiny interval must not keep the timer interrupt busy: like the
        // itimer, at most one expiry per 100 µs
        if t.interval > 0 && t.interval < 100_000 {
            t.deadline = t.deadline.max(now + 100_000);
        }
        let add = i32::try_from(n - 1).unwrap_or(i32::MAX);
        let target = ptimer_target(self.pid, t);
        let (signo, value, notify, tid) = (t.signo, t.value, t.notify, t.tid);
        let queued = crate::signal::timer_signal_queued(
            target,
            self.id,
            i32::try_from(n).unwrap_or(i32::MAX),
        );
        if queued {
            t.overrun = t
                .overrun
                .saturating_add(i32::try_from(n).unwrap_or(i32::MAX));
        } else {
            t.overrun_last = t.overrun;
            t.overrun = add;
        }
        if t.deadline != 0 {
            t.timer = Some(super::add_timer(
                t.deadline,
                core::task::Waker::from(self.clone()),
            ));
        }
        drop(all);
        if queued || notify == SIGEV_NONE {
            return;
        }
        let info = rill_abi::types::SigInfo::timer(signo, self.id, add, value);
        if notify & SIGEV_THREAD_ID != 0 {
            if let Some(task) = crate::task::process::find_task(tid) {
                crate::signal::send_to_task(&task, signo, info);
            }
        } else if let Some(p) = crate::task::process::find_process(self.pid) {
            crate::signal::send_to_process(&p, signo, info);
        }
    }
}

fn with_ptimer<R>(pid: u32, id: i32, f: impl FnOnce(&mut PTimer) -> R) -> KResult<R> {
    let mut all = PTIMERS.lock();
    let t = all
        .get_mut(&pid)
        .and_then(|pt| pt.timers.get_mut(&id))
        .ok_or(Errno::EINVAL)?;
    Ok(f(t))
}

/// (value left, interval) of a timer now, in ns.
fn ptimer_state(t: &mut PTimer) -> (u64, u64) {
    let now = now_ns();
    if t.notify == SIGEV_NONE {
        // nothing runs for SIGEV_NONE: expiries are worked out when read
        let n = advance(t, now);
        t.overrun = t
            .overrun
            .saturating_add(i32::try_from(n.saturating_sub(1)).unwrap_or(i32::MAX));
    }
    let left = if t.deadline == 0 {
        0
    } else {
        t.deadline.saturating_sub(now).max(1)
    };
    (left, t.interval)
}

/// alarm(2): arm ITIMER_REAL for `secs`; the old alarm's seconds left, rounded as Linux's
/// alarm_setitimer does (to nearest, never 0 while the old alarm was still pending).
pub fn alarm(pid: u32, secs: u32) -> u64 {
    let (left, _) = arm_real(pid, secs as u64 * 1_000_000_000, 0);
    let (s, us) = (left / 1_000_000_000, (left % 1_000_000_000) / 1000);
    if (s == 0 && us > 0) || us >= 500_000 {
        s + 1
    } else {
        s
    }
}

/// ITIMER_REAL's (value left, interval) in ns.
pub fn real_value(pid: u32) -> (u64, u64) {
    REAL.lock()
        .get(&pid)
        .map(|t| (real_remaining(t), t.interval))
        .unwrap_or((0, 0))
}

/// What timer_create asks for (checked by the caller as Linux's good_sigevent does).
pub struct TimerSpec {
    pub clock: i32,
    pub notify: i32,
    pub signo: u32,
    /// sigev_value; None: no sigevent was given (the value is then the timer id).
    pub value: Option<u64>,
    pub tid: u32,
}

/// A new POSIX timer of process `pid`; its id (EAGAIN past the per-process limit).
pub fn create(pid: u32, spec: TimerSpec) -> KResult<i32> {
    let mut all = PTIMERS.lock();
    let pt = all.entry(pid).or_default();
    if pt.timers.len() >= MAX_PTIMERS {
        return Err(Errno::EAGAIN);
    }
    let mut id = pt.next_id;
    while pt.timers.contains_key(&id) {
        id = id.checked_add(1).unwrap_or(0);
    }
    pt.next_id = id.checked_add(1).unwrap_or(0);
    pt.timers.insert(
        id,
        PTimer {
            clock: spec.clock,
            notify: spec.notify,
            signo: spec.signo,
            value: spec.value.unwrap_or(id as u64),
            tid: spec.tid,
            deadline: 0,
            interval: 0,
            gen: 0,
            overrun: 0,
            overrun_last: 0,
            timer: None,
        },
    );
    Ok(id)
}

/// timer_delete: EINVAL for an id the process does not have.
pub fn delete(pid: u32, id: i32) -> KResult<()> {
    let mut all = PTIMERS.lock();
    let pt = all.get_mut(&pid).ok_or(Errno::EINVAL)?;
    let t = pt.timers.remove(&id).ok_or(Errno::EINVAL)?;
    if let Some(id) = t.timer {
        super::cancel_timer(id);
    }
    Ok(())
}

/// timer_gettime: (value left, interval) in ns.
pub fn gettime(pid: u32, id: i32) -> KResult<(u64, u64)> {
    with_ptimer(pid, id, ptimer_state)
}

/// timer_settime with checked values in ns (saturated at KTIME_MAX); returns the old
/// (value left, interval).
pub fn settime(pid: u32, id: i32, flags: u32, value: u64, interval: u64) -> KResult<(u64, u64)> {
    let gen = {
        let mut g = GEN.lock();
        *g += 1;
        *g
    };
    let (old_state, arm) = with_ptimer(pid, id, |t| {
        let old_state = ptimer_state(t);
        let now = now_ns();
        if let Some(old) = t.timer.take() {
            super::cancel_timer(old);
        }
        t.gen = gen;
        t.overrun = 0;
        t.overrun_last = 0;
        t.interval = if value == 0 { 0 } else { interval };
        t.deadline = if value == 0 {
            0
        } else if flags & TIMER_ABSTIME != 0 {
            let cnow = match t.clock {
                CLOCK_REALTIME | CLOCK_TAI => super::realtime_ns(),
                _ => now as i64,
            };
            let left = (value as i64).saturating_sub(cnow);
            now.saturating_add(left.max(0) as u64).max(1)
        } else {
            now.saturating_add(value)
        };
        (old_state, t.deadline != 0 && t.notify != SIGEV_NONE)
    })?;
    if arm {
        let deadline = with_ptimer(pid, id, |t| {
            t.timer = Some(super::add_timer(
                t.deadline,
                core::task::Waker::from(Arc::new(PTimerWaker { pid, id, gen })),
            ));
            t.deadline
        })?;
        // an absolute time already passed fires now, not at the next tick
        if deadline <= now_ns() {
            super::fire_expired();
        }
    }
    Ok(old_state)
}

/// timer_getoverrun.
pub fn getoverrun(pid: u32, id: i32) -> KResult<u64> {
    let (target, cur, last, none) = with_ptimer(pid, id, |t| {
        ptimer_state(t);
        (
            ptimer_target(pid, t),
            t.overrun,
            t.overrun_last,
            t.notify == SIGEV_NONE,
        )
    })?;
    // the overrun of the last delivered signal: while a newer one is still
    // queued that is the previous count (SIGEV_NONE delivers nothing: 0)
    if none || crate::signal::timer_signal_queued(target, id, 0) {
        return Ok(last.max(0) as u64);
    }
    Ok(cur.max(0) as u64)
}
