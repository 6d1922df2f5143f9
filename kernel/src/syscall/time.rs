//! Clocks, sleeps, interval timers.
use super::SysResult;
use crate::task::process::Process;
use crate::task::{current, wait};
use crate::time::{now_ns, realtime_ns};
use crate::uaccess::*;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use rill_abi::types::{Itimerval, Timespec, Timeval, Tms};
use rill_abi::{Errno, KResult};
use spin::Mutex;

const CLOCK_REALTIME: i32 = 0;
const CLOCK_MONOTONIC: i32 = 1;
const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
const CLOCK_MONOTONIC_RAW: i32 = 4;
const CLOCK_REALTIME_COARSE: i32 = 5;
const CLOCK_MONOTONIC_COARSE: i32 = 6;
const CLOCK_BOOTTIME: i32 = 7;
const CLOCK_REALTIME_ALARM: i32 = 8;
const CLOCK_BOOTTIME_ALARM: i32 = 9;
const CLOCK_TAI: i32 = 11;

/// Linux's KTIME_SEC_MAX: the seconds of KTIME_MAX (i64::MAX ns).
const KTIME_SEC_MAX: i64 = i64::MAX / 1_000_000_000;
/// Linux's TIME_SETTOD_SEC_MAX: the wall clock may be set below this (30 years of uptime
/// short of KTIME_SEC_MAX; timespec64_valid_settod), else EINVAL (and no overflow).
const SETTOD_SEC_MAX: i64 = KTIME_SEC_MAX - 30 * 365 * 24 * 3600;

fn ns_to_ts(ns: i64) -> Timespec {
    Timespec {
        tv_sec: ns.div_euclid(1_000_000_000),
        tv_nsec: ns.rem_euclid(1_000_000_000),
    }
}

/// CPU time is counted in timer ticks (1 ms); a running clock never reads 0.
fn ticks_ns(ticks: u64) -> i64 {
    (ticks.saturating_mul(1_000_000) as i64).saturating_add(1)
}

fn process_ticks(p: &Process) -> u64 {
    p.inner.lock().utime_ticks
}

/// A CPU-time clock: the fixed ids 2/3 or Linux's dynamic ids
/// (`(~pid << 3) | per_thread << 2 | type`, type 3 invalid). A process clock
/// needs a live process (thread-group leader), a thread clock a thread of
/// the caller's own process; anything else is EINVAL.
fn cpu_clock_ns(id: i32) -> KResult<i64> {
    let t = current();
    match id {
        CLOCK_PROCESS_CPUTIME_ID => return Ok(ticks_ns(process_ticks(&t.process()))),
        CLOCK_THREAD_CPUTIME_ID => {
            return Ok(ticks_ns(
                t.cpu_ticks.load(core::sync::atomic::Ordering::Relaxed),
            ))
        }
        _ => {}
    }
    if id >= 0 || id & 3 == 3 {
        return Err(Errno::EINVAL);
    }
    let pid = !(id >> 3) as u32;
    if id & 4 != 0 {
        let task = if pid == 0 {
            t.clone()
        } else {
            crate::task::process::find_task(pid).ok_or(Errno::EINVAL)?
        };
        if task.process().pid != t.process().pid {
            return Err(Errno::EINVAL);
        }
        Ok(ticks_ns(
            task.cpu_ticks.load(core::sync::atomic::Ordering::Relaxed),
        ))
    } else {
        let p = if pid == 0 {
            t.process()
        } else {
            crate::task::process::find_process(pid).ok_or(Errno::EINVAL)?
        };
        Ok(ticks_ns(process_ticks(&p)))
    }
}

fn clock_ns(id: i32) -> KResult<i64> {
    Ok(match id {
        CLOCK_REALTIME | CLOCK_REALTIME_COARSE | CLOCK_TAI => realtime_ns(),
        CLOCK_MONOTONIC | CLOCK_MONOTONIC_RAW | CLOCK_MONOTONIC_COARSE | CLOCK_BOOTTIME => {
            now_ns() as i64
        }
        // the alarm clocks need a wake-up capable RTC: Linux without one
        // says EINVAL
        CLOCK_REALTIME_ALARM | CLOCK_BOOTTIME_ALARM => return Err(Errno::EINVAL),
        _ => cpu_clock_ns(id)?,
    })
}

pub fn clock_gettime(id: i32, tp: u64) -> SysResult {
    let ns = clock_ns(id)?;
    write_val(tp, &ns_to_ts(ns))?;
    Ok(0)
}

pub fn clock_getres(id: i32, tp: u64) -> SysResult {
    clock_ns(id)?;
    let res = match id {
        CLOCK_REALTIME_COARSE | CLOCK_MONOTONIC_COARSE => 4_000_000,
        _ => 1,
    };
    if tp != 0 {
        write_val(tp, &ns_to_ts(res))?;
    }
    Ok(0)
}

pub fn clock_settime(id: i32, tp: u64) -> SysResult {
    let ts: Timespec = read_val(tp)?;
    if id != CLOCK_REALTIME {
        return Err(Errno::EINVAL);
    }
    if !(0..1_000_000_000).contains(&ts.tv_nsec) || !(0..SETTOD_SEC_MAX).contains(&ts.tv_sec) {
        return Err(Errno::EINVAL);
    }
    if current().process().creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    crate::time::set_realtime_ns(ts.tv_sec * 1_000_000_000 + ts.tv_nsec);
    Ok(0)
}

fn read_ts(tp: u64) -> KResult<i64> {
    let ts: Timespec = read_val(tp)?;
    if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
        return Err(Errno::EINVAL);
    }
    Ok(ts
        .tv_sec
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec))
}

fn sleep_ns(ns: i64, rem: u64) -> SysResult {
    let start = now_ns();
    let deadline = start.saturating_add(ns as u64);
    match wait::sleep_until(deadline) {
        Ok(()) => Ok(0),
        Err(e) => {
            if rem != 0 {
                let left = deadline.saturating_sub(now_ns()) as i64;
                write_val(rem, &ns_to_ts(left))?;
            }
            // Linux: EINTR when a handler runs; otherwise restart_syscall
            // resumes the sleep for the time left (ERESTART_RESTARTBLOCK)
            let _ = e;
            *current().restart_sleep.lock() = Some((deadline, rem));
            Err(Errno::ERESTART_RESTARTBLOCK)
        }
    }
}

/// restart_syscall(2): resume an interrupted sleep with the time it had left.
pub fn restart_syscall() -> SysResult {
    let Some((deadline, rem)) = current().restart_sleep.lock().take() else {
        return Err(Errno::EINTR);
    };
    let left = deadline.saturating_sub(now_ns());
    sleep_ns(left as i64, rem)
}

pub fn nanosleep(req: u64, rem: u64) -> SysResult {
    let ns = read_ts(req)?;
    sleep_ns(ns, rem)
}

pub fn clock_nanosleep(id: i32, flags: u32, req: u64, rem: u64) -> SysResult {
    if id == CLOCK_THREAD_CPUTIME_ID || (id < 0 && id & 4 != 0) {
        return Err(Errno::EINVAL);
    }
    clock_ns(id)?;
    // these clocks can be read but not slept on
    if matches!(
        id,
        CLOCK_MONOTONIC_RAW | CLOCK_MONOTONIC_COARSE | CLOCK_REALTIME_COARSE
    ) {
        return Err(Errno::EOPNOTSUPP);
    }
    let ns = read_ts(req)?;
    if flags & 1 != 0 {
        let now = clock_ns(id)?;
        let left = ns - now;
        if left <= 0 {
            return Ok(0);
        }
        let deadline = now_ns().saturating_add(left as u64);
        return match wait::sleep_until(deadline) {
            Ok(()) => Ok(0),
            Err(_) => Err(Errno::ERESTARTNOHAND),
        };
    }
    sleep_ns(ns, rem)
}

pub fn gettimeofday(tv: u64, tz: u64) -> SysResult {
    if tv != 0 {
        let ns = realtime_ns();
        write_val(
            tv,
            &Timeval {
                tv_sec: ns.div_euclid(1_000_000_000),
                tv_usec: ns.rem_euclid(1_000_000_000) / 1000,
            },
        )?;
    }
    if tz != 0 {
        write_val(tz, &[0i32; 2])?;
    }
    Ok(0)
}

pub fn settimeofday(tv: u64) -> SysResult {
    if tv == 0 {
        return Ok(0);
    }
    let t: Timeval = read_val(tv)?;
    if !(0..1_000_000).contains(&t.tv_usec) || !(0..SETTOD_SEC_MAX).contains(&t.tv_sec) {
        return Err(Errno::EINVAL);
    }
    if current().process().creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    crate::time::set_realtime_ns(t.tv_sec * 1_000_000_000 + t.tv_usec * 1000);
    Ok(0)
}

pub fn time(tloc: u64) -> SysResult {
    let s = realtime_ns().div_euclid(1_000_000_000);
    if tloc != 0 {
        write_val(tloc, &s)?;
    }
    Ok(s as u64)
}

pub fn times(buf: u64) -> SysResult {
    let p = current().process();
    if buf != 0 {
        let i = p.inner.lock();
        let tms = Tms {
            tms_utime: (i.utime_ticks / 10) as i64,
            tms_stime: (i.stime_ticks / 10) as i64,
            tms_cutime: (i.cutime_ticks / 10) as i64,
            tms_cstime: (i.cstime_ticks / 10) as i64,
        };
        drop(i);
        write_val(buf, &tms)?;
    }
    Ok(now_ns() / 10_000_000 + 100)
}

fn ticks_tv(ticks: u64) -> Timeval {
    let us = ticks as i64 * 1000;
    Timeval {
        tv_sec: us / 1_000_000,
        tv_usec: us % 1_000_000,
    }
}

pub fn getrusage(who: i32, buf: u64) -> SysResult {
    if !matches!(who, -1..=1) {
        return Err(Errno::EINVAL);
    }
    let mut r: rill_abi::types::Rusage = zeroed();
    let t = current();
    let p = t.process();
    let (ut, st) = {
        let i = p.inner.lock();
        match who {
            -1 => (i.cutime_ticks, i.cstime_ticks),
            0 => (i.utime_ticks, i.stime_ticks),
            _ => (t.cpu_ticks.load(core::sync::atomic::Ordering::Relaxed), 0),
        }
    };
    r.ru_utime = ticks_tv(ut);
    r.ru_stime = ticks_tv(st);
    r.ru_maxrss = (crate::mm::phys::FRAMES_IN_USE.load(core::sync::atomic::Ordering::Relaxed) * 4)
        .min(1 << 20) as i64;
    write_val(buf, &r)?;
    Ok(0)
}

// ---- ITIMER_REAL / alarm: one timer per process, fired by a timer waker.

struct RealTimer {
    deadline: u64,
    interval: u64,
    gen: u64,
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
            crate::time::add_timer(t.deadline, core::task::Waker::from(w));
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
            crate::time::add_timer(t.deadline, core::task::Waker::from(w));
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

fn arm(pid: u32, value: u64, interval: u64) -> (u64, u64) {
    let mut re = REAL.lock();
    let old = re
        .remove(&pid)
        .map(|t| (real_remaining(&t), t.interval))
        .unwrap_or((0, 0));
    if value > 0 {
        let gen = {
            let mut g = GEN.lock();
            *g += 1;
            *g
        };
        let deadline = now_ns() + value;
        re.insert(
            pid,
            RealTimer {
                deadline,
                interval,
                gen,
            },
        );
        drop(re);
        crate::time::add_timer(
            deadline,
            core::task::Waker::from(Arc::new(AlarmWaker { pid, gen })),
        );
    }
    old
}

/// Process exit: every timer goes.
pub fn cancel_timers(p: &Process) {
    REAL.lock().remove(&p.pid);
    CPU_ITIMERS.lock().retain(|k, _| k.0 != p.pid);
    PTIMERS.lock().remove(&p.pid);
    super::misc::drop_mempolicy(p.pid);
}

/// execve: POSIX timers are deleted; interval timers and alarm() survive.
pub fn exec_timers(p: &Process) {
    PTIMERS.lock().remove(&p.pid);
}

pub fn alarm(secs: u32) -> SysResult {
    let pid = current().process().pid;
    let (left, _) = arm(pid, secs as u64 * 1_000_000_000, 0);
    // Linux alarm_setitimer: whole seconds, rounded to nearest, never 0
    // while the old alarm was still pending
    let (s, us) = (left / 1_000_000_000, (left % 1_000_000_000) / 1000);
    Ok(if (s == 0 && us > 0) || us >= 500_000 {
        s + 1
    } else {
        s
    })
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
            crate::time::add_timer(now_ns() + 1_000_000, core::task::Waker::from(self));
        }
    }
}

fn ns_to_ticks(ns: u64) -> u64 {
    ns.div_ceil(1_000_000)
}

/// Arm (value > 0) or disarm ITIMER_VIRTUAL (1) / ITIMER_PROF (2); returns
/// the old (value, interval) in ns.
fn arm_cpu(p: &Process, which: i32, value: u64, interval: u64) -> (u64, u64) {
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
        crate::time::add_timer(now_ns() + 1_000_000, core::task::Waker::from(w));
    }
    old
}

fn cpu_itimer_value(p: &Process, which: i32) -> (u64, u64) {
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

fn tv_ns(t: &Timeval) -> KResult<u64> {
    if t.tv_sec < 0 || !(0..1_000_000).contains(&t.tv_usec) {
        return Err(Errno::EINVAL);
    }
    // Linux's timeval_to_ktime / timespec64_to_ns: KTIME_MAX from KTIME_SEC_MAX seconds on
    if t.tv_sec >= KTIME_SEC_MAX {
        return Ok(i64::MAX as u64);
    }
    Ok(t.tv_sec as u64 * 1_000_000_000 + t.tv_usec as u64 * 1000)
}

fn ns_tv(ns: u64) -> Timeval {
    Timeval {
        tv_sec: (ns / 1_000_000_000) as i64,
        tv_usec: ((ns % 1_000_000_000) / 1000) as i64,
    }
}

pub fn setitimer(which: i32, new: u64, old: u64) -> SysResult {
    if !(0..=2).contains(&which) {
        return Err(Errno::EINVAL);
    }
    let (v, i) = if new != 0 {
        let it: Itimerval = read_val(new)?;
        (tv_ns(&it.it_value)?, tv_ns(&it.it_interval)?)
    } else {
        (0, 0)
    };
    if which != 0 {
        let (ov, oi) = arm_cpu(&current().process(), which, v, i);
        if old != 0 {
            write_val(
                old,
                &Itimerval {
                    it_interval: ns_tv(oi),
                    it_value: ns_tv(ov),
                },
            )?;
        }
        return Ok(0);
    }
    let pid = current().process().pid;
    let (ov, oi) = arm(pid, v, i);
    if old != 0 {
        write_val(
            old,
            &Itimerval {
                it_interval: ns_tv(oi),
                it_value: ns_tv(ov),
            },
        )?;
    }
    Ok(0)
}

pub fn getitimer(which: i32, cur: u64) -> SysResult {
    if !(0..=2).contains(&which) {
        return Err(Errno::EINVAL);
    }
    let pid = current().process().pid;
    let (v, i) = if which == 0 {
        REAL.lock()
            .get(&pid)
            .map(|t| (real_remaining(t), t.interval))
            .unwrap_or((0, 0))
    } else {
        cpu_itimer_value(&current().process(), which)
    };
    write_val(
        cur,
        &Itimerval {
            it_interval: ns_tv(i),
            it_value: ns_tv(v),
        },
    )?;
    Ok(0)
}

// ---- POSIX timers (timer_create & co.). Each process has its own ids,
// handed out cyclically from 0 like Linux. Deadlines are kept on the
// monotonic clock; absolute CLOCK_REALTIME/TAI times are converted when
// armed. Expiry runs from a timer waker; a timer whose signal is still
// queued does not queue another but counts an overrun in it (Linux keeps
// one preallocated signal per timer).

const SIGEV_SIGNAL: i32 = 0;
const SIGEV_NONE: i32 = 1;
const SIGEV_THREAD: i32 = 2;
const SIGEV_THREAD_ID: i32 = 4;
const TIMER_ABSTIME: u32 = 1;
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
            crate::time::add_timer(t.deadline, core::task::Waker::from(self));
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
            crate::time::add_timer(t.deadline, core::task::Waker::from(self.clone()));
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

pub fn timer_create(clock: i32, sevp: u64, idp: u64) -> SysResult {
    let t = current();
    let p = t.process();
    match clock {
        CLOCK_REALTIME | CLOCK_MONOTONIC | CLOCK_BOOTTIME | CLOCK_TAI => {}
        CLOCK_MONOTONIC_RAW | CLOCK_MONOTONIC_COARSE | CLOCK_REALTIME_COARSE => {
            return Err(Errno::EOPNOTSUPP)
        }
        // CPU-time timers are not implemented
        _ => {
            clock_ns(clock)?;
            return Err(Errno::EINVAL);
        }
    }
    let (notify, signo, value, tid, null_ev) = if sevp != 0 {
        let raw: [u8; 64] = read_val(sevp)?;
        let word = |o: usize| i32::from_ne_bytes([raw[o], raw[o + 1], raw[o + 2], raw[o + 3]]);
        let mut v = [0u8; 8];
        v.copy_from_slice(&raw[0..8]);
        (word(12), word(8), u64::from_ne_bytes(v), word(16), false)
    } else {
        (SIGEV_SIGNAL, 14, 0, 0, true)
    };
    // Linux good_sigevent
    let signal_ok = (1..=64).contains(&signo);
    match notify {
        n if n == SIGEV_SIGNAL | SIGEV_THREAD_ID => {
            let ok = u32::try_from(tid)
                .ok()
                .and_then(crate::task::process::find_task)
                .is_some_and(|task| task.process().pid == p.pid);
            if !ok || !signal_ok {
                return Err(Errno::EINVAL);
            }
        }
        SIGEV_SIGNAL | SIGEV_THREAD => {
            if !signal_ok {
                return Err(Errno::EINVAL);
            }
        }
        SIGEV_NONE => {}
        _ => return Err(Errno::EINVAL),
    }
    let id = {
        let mut all = PTIMERS.lock();
        let pt = all.entry(p.pid).or_default();
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
                clock,
                notify,
                signo: signo as u32,
                value: if null_ev { id as u64 } else { value },
                tid: tid as u32,
                deadline: 0,
                interval: 0,
                gen: 0,
                overrun: 0,
                overrun_last: 0,
            },
        );
        id
    };
    if let Err(e) = write_val(idp, &id) {
        if let Some(pt) = PTIMERS.lock().get_mut(&p.pid) {
            pt.timers.remove(&id);
        }
        return Err(e);
    }
    Ok(0)
}

fn with_ptimer<R>(id: i32, f: impl FnOnce(&mut PTimer) -> R) -> KResult<R> {
    let pid = current().process().pid;
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

fn write_itimerspec(addr: u64, v: u64, i: u64) -> KResult<()> {
    write_val(addr, &[ns_to_ts(i as i64), ns_to_ts(v as i64)])
}

pub fn timer_settime(id: i32, flags: u32, new: u64, old: u64) -> SysResult {
    if new == 0 {
        return Err(Errno::EINVAL);
    }
    let spec: [Timespec; 2] = read_val(new)?;
    let valid = |ts: &Timespec| ts.tv_sec >= 0 && (0..1_000_000_000).contains(&ts.tv_nsec);
    if !valid(&spec[0]) || !valid(&spec[1]) {
        return Err(Errno::EINVAL);
    }
    let to_ns = |ts: &Timespec| {
        (ts.tv_sec as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(ts.tv_nsec as u64)
    };
    let (interval, value) = (to_ns(&spec[0]), to_ns(&spec[1]));
    let pid = current().process().pid;
    let gen = {
        let mut g = GEN.lock();
        *g += 1;
        *g
    };
    let (old_state, arm) = with_ptimer(id, |t| {
        let old_state = ptimer_state(t);
        let now = now_ns();
        t.gen = gen;
        t.overrun = 0;
        t.overrun_last = 0;
        t.interval = if value == 0 { 0 } else { interval };
        t.deadline = if value == 0 {
            0
        } else if flags & TIMER_ABSTIME != 0 {
            let cnow = match t.clock {
                CLOCK_REALTIME | CLOCK_TAI => realtime_ns(),
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
        let deadline = with_ptimer(id, |t| t.deadline)?;
        crate::time::add_timer(
            deadline,
            core::task::Waker::from(Arc::new(PTimerWaker { pid, id, gen })),
        );
        // an absolute time already passed fires now, not at the next tick
        if deadline <= now_ns() {
            crate::time::fire_expired();
        }
    }
    if old != 0 {
        write_itimerspec(old, old_state.0, old_state.1)?;
    }
    Ok(0)
}

pub fn timer_gettime(id: i32, cur: u64) -> SysResult {
    let (v, i) = with_ptimer(id, ptimer_state)?;
    write_itimerspec(cur, v, i)?;
    Ok(0)
}

pub fn timer_getoverrun(id: i32) -> SysResult {
    let pid = current().process().pid;
    let (target, cur, last, none) = with_ptimer(id, |t| {
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

pub fn timer_delete(id: i32) -> SysResult {
    let pid = current().process().pid;
    let mut all = PTIMERS.lock();
    let pt = all.get_mut(&pid).ok_or(Errno::EINVAL)?;
    pt.timers.remove(&id).ok_or(Errno::EINVAL)?;
    Ok(0)
}
