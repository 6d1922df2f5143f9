//! Time values from user space, checked and converted the way Linux does it, in one place:
//! every syscall that takes a `timespec`, `timeval` or millisecond timeout uses these.
//!
//! Linux's rules (include/linux/time64.h, kernel/time/time.c, fs/select.c):
//! - `timespec64_valid`: `tv_sec >= 0` and `0 <= tv_nsec < 1e9`, else EINVAL;
//!   `timeval_valid` the same with `tv_usec < 1e6`.
//! - `timespec64_to_ktime`: nanoseconds, saturated at `KTIME_MAX` (`i64::MAX` ns, ~292 years):
//!   a huge relative timeout is "practically forever", never an error and never a wrap.
//! - poll/select keep their end time as a timespec (`timespec64_add_safe`: saturated at
//!   `TIME64_MAX` seconds) and write back what is left of it.
//! - select(2) first carries whole seconds out of `tv_usec` (`tv_sec + tv_usec / 1e6`,
//!   wrapping as the kernel's C does), so only a negative `tv_usec` is EINVAL.
use crate::types::{Timespec, Timeval};
use crate::Errno;

pub const NSEC_PER_SEC: i64 = 1_000_000_000;
pub const USEC_PER_SEC: i64 = 1_000_000;
pub const NSEC_PER_USEC: i64 = 1_000;
/// Linux's KTIME_MAX: the largest time in nanoseconds.
pub const KTIME_MAX: u64 = i64::MAX as u64;
/// Linux's KTIME_SEC_MAX: seconds at and beyond which a time saturates to KTIME_MAX.
pub const KTIME_SEC_MAX: i64 = i64::MAX / NSEC_PER_SEC;
/// Linux's TIME64_MAX.
pub const TIME64_MAX: i64 = i64::MAX;

/// `timespec64_valid`.
pub fn timespec_valid(ts: &Timespec) -> bool {
    ts.tv_sec >= 0 && (0..NSEC_PER_SEC).contains(&ts.tv_nsec)
}

/// `timeval_valid`.
pub fn timeval_valid(tv: &Timeval) -> bool {
    tv.tv_sec >= 0 && (0..USEC_PER_SEC).contains(&tv.tv_usec)
}

/// `timespec64_to_ktime` of a valid timespec: nanoseconds, saturated at KTIME_MAX.
pub fn timespec_to_ns(ts: &Timespec) -> u64 {
    if ts.tv_sec >= KTIME_SEC_MAX {
        return KTIME_MAX;
    }
    let ns = ts.tv_sec.max(0) as u64 * NSEC_PER_SEC as u64 + ts.tv_nsec.max(0) as u64;
    ns.min(KTIME_MAX)
}

/// A user timespec checked (EINVAL) and converted to nanoseconds (saturated).
pub fn timespec_ns(ts: &Timespec) -> Result<u64, Errno> {
    if !timespec_valid(ts) {
        return Err(Errno::EINVAL);
    }
    Ok(timespec_to_ns(ts))
}

/// A user timeval checked (EINVAL) and converted to nanoseconds (saturated), as setitimer
/// and settimeofday read theirs.
pub fn timeval_ns(tv: &Timeval) -> Result<u64, Errno> {
    if !timeval_valid(tv) {
        return Err(Errno::EINVAL);
    }
    Ok(timespec_to_ns(&Timespec {
        tv_sec: tv.tv_sec,
        tv_nsec: tv.tv_usec * NSEC_PER_USEC,
    }))
}

/// select(2)'s timeval as a relative timespec: whole seconds carried out of `tv_usec` first
/// (kern_select), then checked like any timespec.
pub fn select_timeval(tv: &Timeval) -> Result<Timespec, Errno> {
    let ts = Timespec {
        tv_sec: tv.tv_sec.wrapping_add(tv.tv_usec / USEC_PER_SEC),
        tv_nsec: (tv.tv_usec % USEC_PER_SEC) * NSEC_PER_USEC,
    };
    if !timespec_valid(&ts) {
        return Err(Errno::EINVAL);
    }
    Ok(ts)
}

/// poll(2)'s millisecond timeout: negative waits forever (None).
pub fn poll_ms(ms: i32) -> Option<u64> {
    u64::try_from(ms).ok().map(|ms| ms * 1_000_000)
}

/// The deadline `rel` nanoseconds after `now` (`ktime_add_safe`: saturated at KTIME_MAX).
pub fn deadline_after(now: u64, rel: u64) -> u64 {
    now.saturating_add(rel).min(KTIME_MAX.max(now))
}

/// Nanoseconds as a normalized timespec (negative values round towards minus infinity).
pub fn ns_to_timespec(ns: i64) -> Timespec {
    Timespec {
        tv_sec: ns.div_euclid(NSEC_PER_SEC),
        tv_nsec: ns.rem_euclid(NSEC_PER_SEC),
    }
}

/// Nanoseconds (at most KTIME_MAX) as a timeval, microseconds truncated.
pub fn ns_to_timeval(ns: u64) -> Timeval {
    let ns = ns.min(KTIME_MAX);
    Timeval {
        tv_sec: (ns / NSEC_PER_SEC as u64) as i64,
        tv_usec: ((ns % NSEC_PER_SEC as u64) / NSEC_PER_USEC as u64) as i64,
    }
}

/// `timespec64_add_safe` of a time and a valid relative timespec: saturated at TIME64_MAX
/// seconds (and 0 ns).
pub fn timespec_add_safe(a: Timespec, b: Timespec) -> Timespec {
    let nsec = a.tv_nsec + b.tv_nsec;
    let (carry, nsec) = (nsec / NSEC_PER_SEC, nsec % NSEC_PER_SEC);
    match a
        .tv_sec
        .checked_add(b.tv_sec)
        .and_then(|s| s.checked_add(carry))
    {
        Some(s) => Timespec {
            tv_sec: s,
            tv_nsec: nsec,
        },
        None => Timespec {
            tv_sec: TIME64_MAX,
            tv_nsec: 0,
        },
    }
}

/// What is left of a poll/select timeout that ends at `end` when the clock reads `now`
/// (poll_select_finish: never negative).
pub fn timespec_left(end: Timespec, now: Timespec) -> Timespec {
    let mut sec = end.tv_sec.saturating_sub(now.tv_sec);
    let mut nsec = end.tv_nsec - now.tv_nsec;
    if nsec < 0 {
        nsec += NSEC_PER_SEC;
        sec = sec.saturating_sub(1);
    }
    if sec < 0 {
        Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        }
    } else {
        Timespec {
            tv_sec: sec,
            tv_nsec: nsec,
        }
    }
}

/// A poll/select timeout: the relative time to sleep and the end time it writes back from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollTimeout {
    /// Nanoseconds to sleep (saturated at KTIME_MAX).
    pub rel_ns: u64,
    /// The end on the monotonic clock as Linux keeps it (saturated at TIME64_MAX seconds).
    pub end: Timespec,
}

impl PollTimeout {
    /// A checked relative timespec (see `select_timeval` for select's) starting at `now_ns`.
    pub fn new(rel: Timespec, now_ns: u64) -> Result<PollTimeout, Errno> {
        let rel_ns = timespec_ns(&rel)?;
        Ok(PollTimeout {
            rel_ns,
            end: timespec_add_safe(ns_to_timespec(now_ns.min(KTIME_MAX) as i64), rel),
        })
    }
    /// What is left at `now_ns` (zero once the end has passed).
    pub fn left(&self, now_ns: u64) -> Timespec {
        timespec_left(self.end, ns_to_timespec(now_ns.min(KTIME_MAX) as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64, n: i64) -> Timespec {
        Timespec {
            tv_sec: s,
            tv_nsec: n,
        }
    }
    fn tv(s: i64, u: i64) -> Timeval {
        Timeval {
            tv_sec: s,
            tv_usec: u,
        }
    }

    #[test]
    fn validity_as_linux() {
        assert_eq!(timespec_ns(&ts(0, 0)), Ok(0));
        assert_eq!(timespec_ns(&ts(1, 999_999_999)), Ok(1_999_999_999));
        assert_eq!(timespec_ns(&ts(0, -1)), Err(Errno::EINVAL));
        assert_eq!(timespec_ns(&ts(0, 1_000_000_000)), Err(Errno::EINVAL));
        assert_eq!(timespec_ns(&ts(-1, 0)), Err(Errno::EINVAL));
        assert_eq!(timespec_ns(&ts(i64::MIN, 0)), Err(Errno::EINVAL));
        assert_eq!(timeval_ns(&tv(0, 1_000_000)), Err(Errno::EINVAL));
        assert_eq!(timeval_ns(&tv(0, -1)), Err(Errno::EINVAL));
        assert_eq!(timeval_ns(&tv(2, 5)), Ok(2_000_005_000));
    }

    #[test]
    fn huge_times_saturate_instead_of_wrapping() {
        assert_eq!(timespec_ns(&ts(i64::MAX, 999_999_999)), Ok(KTIME_MAX));
        assert_eq!(timespec_ns(&ts(KTIME_SEC_MAX, 0)), Ok(KTIME_MAX));
        // just below the limit: exact
        assert_eq!(
            timespec_ns(&ts(KTIME_SEC_MAX - 1, 5)),
            Ok((KTIME_SEC_MAX as u64 - 1) * 1_000_000_000 + 5)
        );
        assert_eq!(timeval_ns(&tv(i64::MAX, 999_999)), Ok(KTIME_MAX));
        // 18446744074 s * 1e9 wraps u64 to a few seconds: it must not
        assert_eq!(timespec_ns(&ts(18_446_744_074, 0)), Ok(KTIME_MAX));
        assert_eq!(deadline_after(5, KTIME_MAX), KTIME_MAX);
        assert_eq!(deadline_after(5, 10), 15);
        assert_eq!(ns_to_timeval(u64::MAX), tv(9_223_372_036, 854_775));
    }

    #[test]
    fn select_carries_microseconds() {
        assert_eq!(select_timeval(&tv(1, 2_500_000)), Ok(ts(3, 500_000_000)));
        assert_eq!(select_timeval(&tv(0, -1)), Err(Errno::EINVAL));
        assert_eq!(select_timeval(&tv(-1, 0)), Err(Errno::EINVAL));
        // the C addition wraps: i64::MAX s + 1 s is negative, EINVAL
        assert_eq!(select_timeval(&tv(i64::MAX, 1_000_000)), Err(Errno::EINVAL));
        assert_eq!(
            select_timeval(&tv(i64::MAX, 999_999)),
            Ok(ts(i64::MAX, 999_999_000))
        );
    }

    #[test]
    fn poll_timeouts() {
        assert_eq!(poll_ms(-1), None);
        assert_eq!(poll_ms(i32::MIN), None);
        assert_eq!(poll_ms(0), Some(0));
        assert_eq!(poll_ms(i32::MAX), Some(i32::MAX as u64 * 1_000_000));
        let t = PollTimeout::new(ts(2, 0), 1_500_000_000).unwrap();
        assert_eq!(t.rel_ns, 2_000_000_000);
        assert_eq!(t.end, ts(3, 500_000_000));
        assert_eq!(t.left(2_000_000_000), ts(1, 500_000_000));
        assert_eq!(t.left(9_000_000_000), ts(0, 0));
        // a huge timeout ends at TIME64_MAX and writes back nearly that much
        let h = PollTimeout::new(ts(i64::MAX, 0), 10_000_000_000).unwrap();
        assert_eq!(h.rel_ns, KTIME_MAX);
        assert_eq!(h.end, ts(TIME64_MAX, 0));
        assert_eq!(h.left(11_000_000_000), ts(TIME64_MAX - 11, 0));
        assert_eq!(
            PollTimeout::new(ts(0, -1), 0),
            Err(Errno::EINVAL),
            "negative tv_nsec"
        );
    }

    #[test]
    fn add_and_left() {
        assert_eq!(
            timespec_add_safe(ts(1, 600_000_000), ts(1, 600_000_000)),
            ts(3, 200_000_000)
        );
        assert_eq!(
            timespec_add_safe(ts(5, 0), ts(i64::MAX - 4, 0)),
            ts(TIME64_MAX, 0)
        );
        assert_eq!(timespec_left(ts(3, 100), ts(2, 200)), ts(0, 999_999_900));
        assert_eq!(timespec_left(ts(3, 100), ts(3, 200)), ts(0, 0));
        assert_eq!(ns_to_timespec(-1), ts(-1, 999_999_999));
    }
}
