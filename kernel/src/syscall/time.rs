//! Clocks, sleeps, interval timers.
use super::SysResult;
use crate::task::process::Process;
use crate::task::{current, wait};
use crate::time::{now_ns, realtime_ns, timers};
use crate::uaccess::*;
use rill_abi::types::{Itimerval, Timespec, Timeval, Tms};
use rill_abi::{Errno, KResult};

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
    let ns = rill_abi::time::timespec_ns(&ts)?;
    if current().process().creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    crate::time::set_realtime_ns(ns as i64);
    Ok(0)
}

/// A user timespec in ns: EINVAL when invalid, saturated at KTIME_MAX (rill_abi::time).
fn read_ts(tp: u64) -> KResult<i64> {
    let ts: Timespec = read_val(tp)?;
    Ok(rill_abi::time::timespec_ns(&ts)? as i64)
}

fn sleep_ns(ns: i64, rem: u64) -> SysResult {
    let deadline = rill_abi::time::deadline_after(now_ns(), ns.max(0) as u64);
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
    crate::time::set_realtime_ns(
        t.tv_sec
            .saturating_mul(1_000_000_000)
            .saturating_add(t.tv_usec * 1000),
    );
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

// ---- interval timers and POSIX timers: the state is in time/timers.rs.

pub fn alarm(secs: u32) -> SysResult {
    Ok(timers::alarm(current().process().pid, secs))
}

fn tv_ns(t: &Timeval) -> KResult<u64> {
    rill_abi::time::timeval_ns(t)
}

fn ns_tv(ns: u64) -> Timeval {
    rill_abi::time::ns_to_timeval(ns)
}

fn write_itimerval(addr: u64, value: u64, interval: u64) -> KResult<()> {
    write_val(
        addr,
        &Itimerval {
            it_interval: ns_tv(interval),
            it_value: ns_tv(value),
        },
    )
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
    let p = current().process();
    let (ov, oi) = if which != 0 {
        timers::arm_cpu(&p, which, v, i)
    } else {
        timers::arm_real(p.pid, v, i)
    };
    if old != 0 {
        write_itimerval(old, ov, oi)?;
    }
    Ok(0)
}

pub fn getitimer(which: i32, cur: u64) -> SysResult {
    if !(0..=2).contains(&which) {
        return Err(Errno::EINVAL);
    }
    let p = current().process();
    let (v, i) = if which == 0 {
        timers::real_value(p.pid)
    } else {
        timers::cpu_itimer_value(&p, which)
    };
    write_itimerval(cur, v, i)?;
    Ok(0)
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
        (timers::SIGEV_SIGNAL, 14, 0, 0, true)
    };
    // Linux good_sigevent
    let signal_ok = (1..=64).contains(&signo);
    match notify {
        n if n == timers::SIGEV_SIGNAL | timers::SIGEV_THREAD_ID => {
            let ok = u32::try_from(tid)
                .ok()
                .and_then(crate::task::process::find_task)
                .is_some_and(|task| task.process().pid == p.pid);
            if !ok || !signal_ok {
                return Err(Errno::EINVAL);
            }
        }
        timers::SIGEV_SIGNAL | timers::SIGEV_THREAD => {
            if !signal_ok {
                return Err(Errno::EINVAL);
            }
        }
        timers::SIGEV_NONE => {}
        _ => return Err(Errno::EINVAL),
    }
    let id = timers::create(
        p.pid,
        timers::TimerSpec {
            clock,
            notify,
            signo: signo as u32,
            value: (!null_ev).then_some(value),
            tid: tid as u32,
        },
    )?;
    if let Err(e) = write_val(idp, &id) {
        let _ = timers::delete(p.pid, id);
        return Err(e);
    }
    Ok(0)
}

fn write_itimerspec(addr: u64, v: u64, i: u64) -> KResult<()> {
    write_val(addr, &[ns_to_ts(i as i64), ns_to_ts(v as i64)])
}

pub fn timer_settime(id: i32, flags: u32, new: u64, old: u64) -> SysResult {
    if new == 0 {
        return Err(Errno::EINVAL);
    }
    let spec: [Timespec; 2] = read_val(new)?;
    let interval = rill_abi::time::timespec_ns(&spec[0])?;
    let value = rill_abi::time::timespec_ns(&spec[1])?;
    let (ov, oi) = timers::settime(current().process().pid, id, flags, value, interval)?;
    if old != 0 {
        write_itimerspec(old, ov, oi)?;
    }
    Ok(0)
}

pub fn timer_gettime(id: i32, cur: u64) -> SysResult {
    let (v, i) = timers::gettime(current().process().pid, id)?;
    write_itimerspec(cur, v, i)?;
    Ok(0)
}

pub fn timer_getoverrun(id: i32) -> SysResult {
    timers::getoverrun(current().process().pid, id)
}

pub fn timer_delete(id: i32) -> SysResult {
    timers::delete(current().process().pid, id)?;
    Ok(0)
}
