//! /proc/PID/oom_score_adj, oom_adj and oom_score: Linux's ranges, the oom_adj mapping,
//! the oom_score formula and the kstrtoint parsing its writes use (fs/proc/base.c).
use crate::{Errno, KResult};

pub const OOM_SCORE_ADJ_MIN: i32 = -1000;
pub const OOM_SCORE_ADJ_MAX: i32 = 1000;
/// oom_adj's range (Linux's OOM_DISABLE and OOM_ADJUST_MAX).
pub const OOM_DISABLE: i32 = -17;
pub const OOM_ADJUST_MAX: i32 = 15;

/// oom_adj as Linux shows it for an oom_score_adj.
pub fn oom_adj_of(adj: i16) -> i32 {
    let adj = adj as i32;
    if adj == OOM_SCORE_ADJ_MAX {
        OOM_ADJUST_MAX
    } else {
        adj * -OOM_DISABLE / OOM_SCORE_ADJ_MAX
    }
}

/// The oom_score_adj an oom_adj write sets (EINVAL outside -17..15).
pub fn oom_score_adj_of_adj(v: i32) -> KResult<i16> {
    if !(OOM_DISABLE..=OOM_ADJUST_MAX).contains(&v) {
        return Err(Errno::EINVAL);
    }
    Ok(if v == OOM_ADJUST_MAX {
        OOM_SCORE_ADJ_MAX as i16
    } else {
        (v * OOM_SCORE_ADJ_MAX / -OOM_DISABLE) as i16
    })
}

/// /proc/PID/oom_score (Linux's proc_oom_score): 0 for OOM_SCORE_ADJ_MIN, else
/// `(1000 + badness * 1000 / pages) * 2 / 3` with badness = resident pages + adj * pages / 1000.
pub fn oom_score(adj: i16, resident_pages: u64, total_pages: u64) -> i64 {
    if adj as i32 == OOM_SCORE_ADJ_MIN {
        return 0;
    }
    let total = total_pages.max(1) as i64;
    let badness = (resident_pages as i64).saturating_add(adj as i64 * total / 1000);
    ((1000 + badness.saturating_mul(1000) / total) * 2 / 3).max(0)
}

/// Linux's kstrtoint(strstrip(buf), 0): optional sign, 0x/0 prefixes; EINVAL for anything
/// else, ERANGE past an int.
pub fn parse_kstrtoint(buf: &[u8]) -> KResult<i32> {
    let s = buf.trim_ascii();
    let (neg, s) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if s.len() > 2 && (s.starts_with(b"0x") || s.starts_with(b"0X")) {
        (16, &s[2..])
    } else if s.len() > 1 && s[0] == b'0' {
        (8, &s[1..])
    } else {
        (10, s)
    };
    if digits.is_empty() {
        return Err(Errno::EINVAL);
    }
    let mut v: i64 = 0;
    for &c in digits {
        let d = (c as char).to_digit(radix).ok_or(Errno::EINVAL)? as i64;
        v = v * radix as i64 + d;
        if v > i32::MAX as i64 + 1 {
            return Err(Errno::ERANGE);
        }
    }
    let v = if neg { -v } else { v };
    i32::try_from(v).map_err(|_| Errno::ERANGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kstrtoint_as_linux() {
        assert_eq!(parse_kstrtoint(b"300"), Ok(300));
        assert_eq!(parse_kstrtoint(b"  -1000\n"), Ok(-1000));
        assert_eq!(parse_kstrtoint(b"+020"), Ok(16));
        assert_eq!(parse_kstrtoint(b"0x10"), Ok(16));
        assert_eq!(parse_kstrtoint(b"0"), Ok(0));
        assert_eq!(parse_kstrtoint(b"-2147483648"), Ok(i32::MIN));
        assert_eq!(parse_kstrtoint(b"2147483648"), Err(Errno::ERANGE));
        for bad in [&b""[..], b"abc", b"12x", b"0x", b"-", b"08", b"1 2"] {
            assert_eq!(parse_kstrtoint(bad), Err(Errno::EINVAL), "{bad:?}");
        }
    }

    #[test]
    fn oom_adj_mapping() {
        assert_eq!(oom_adj_of(0), 0);
        assert_eq!(oom_adj_of(1000), 15);
        assert_eq!(oom_adj_of(700), 11);
        assert_eq!(oom_adj_of(-1000), -17);
        assert_eq!(oom_adj_of(-500), -8);
        assert_eq!(oom_score_adj_of_adj(15), Ok(1000));
        assert_eq!(oom_score_adj_of_adj(-17), Ok(-1000));
        assert_eq!(oom_score_adj_of_adj(3), Ok(176));
        assert_eq!(oom_score_adj_of_adj(16), Err(Errno::EINVAL));
        assert_eq!(oom_score_adj_of_adj(-18), Err(Errno::EINVAL));
    }

    #[test]
    fn oom_score_formula() {
        let total = 8 << 20;
        assert_eq!(oom_score(0, 100, total), 666);
        assert_eq!(oom_score(-1000, 100, total), 0);
        assert_eq!(oom_score(1000, 100, total), 1333);
        assert_eq!(oom_score(300, 100, total), 866);
        // a process using all memory
        assert_eq!(oom_score(0, total, total), 1333);
    }
}
