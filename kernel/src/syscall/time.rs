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

fn ns_to_ts(ns: i64) -> Timespec {
    Timespec {
        tv_sec: ns.div_euclid(1_000_000_000),
        tv_nsec: ns.rem_euclid(1_000_000_000),
    }
}

fn cpu_ns() -> i64 {
    let t = current();
    (t.cpu_ticks.load(core::sync::atomic::Ordering::Relaxed) * 1_000_000) as i64 + 1
}

fn clock_ns(id: i32) -> KResult<i64> {
    Ok(match id {
        CLOCK_REALTIME | CLOCK_REALTIME_COARSE | CLOCK_REALTIME_ALARM | CLOCK_TAI => realtime_ns(),
        CLOCK_MONOTONIC
        | CLOCK_MONOTONIC_RAW
        | CLOCK_MONOTONIC_COARSE
        | CLOCK_BOOTTIME
        | CLOCK_BOOTTIME_ALARM => now_ns() as i64,
        CLOCK_PROCESS_CPUTIME_ID | CLOCK_THREAD_CPUTIME_ID => cpu_ns(),
        _ => return Err(Errno::EINVAL),
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
    if !(0..1_000_000_000).contains(&ts.tv_nsec) || ts.tv_sec < 0 {
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
    if id == CLOCK_THREAD_CPUTIME_ID {
        return Err(Errno::EINVAL);
    }
    clock_ns(id)?;
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
    if !(0..1_000_000).contains(&t.tv_usec) {
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

fn arm(pid: u32, value: u64, interval: u64) -> (u64, u64) {
    let mut re = REAL.lock();
    let old = re
        .remove(&pid)
        .map(|t| (t.deadline.saturating_sub(now_ns()), t.interval))
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

pub fn cancel_timers(p: &Process) {
    REAL.lock().remove(&p.pid);
}

pub fn alarm(secs: u32) -> SysResult {
    let pid = current().process().pid;
    let (left, _) = arm(pid, secs as u64 * 1_000_000_000, 0);
    Ok(left
        .div_ceil(1_000_000_000)
        .max(if left > 0 { 1 } else { 0 }))
}

fn tv_ns(t: &Timeval) -> KResult<u64> {
    if t.tv_sec < 0 || !(0..1_000_000).contains(&t.tv_usec) {
        return Err(Errno::EINVAL);
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
        if old != 0 {
            write_val(
                old,
                &Itimerval {
                    it_interval: ns_tv(0),
                    it_value: ns_tv(0),
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
            .map(|t| (t.deadline.saturating_sub(now_ns()), t.interval))
            .unwrap_or((0, 0))
    } else {
        (0, 0)
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
