//! CMOS real-time clock, read once at boot for the wall clock.
use super::io::{inb, outb};

fn reg(r: u8) -> u8 {
    outb(0x70, r);
    inb(0x71)
}

/// Seconds since the Unix epoch (UTC, as QEMU presents the RTC by default).
pub fn read_unix_time() -> i64 {
    let mut spins = 0;
    while reg(0x0A) & 0x80 != 0 && spins < 1_000_000 {
        spins += 1;
    }
    let (mut s, mut m, mut h, mut d, mut mo, mut y) =
        (reg(0), reg(2), reg(4), reg(7), reg(8), reg(9));
    let century = reg(0x32);
    let b = reg(0x0B);
    let bcd = |v: u8| (v & 0x0f) + (v >> 4) * 10;
    let mut cen = 20i64;
    if b & 0x04 == 0 {
        s = bcd(s);
        m = bcd(m);
        h = bcd(h & 0x7f) | (h & 0x80);
        d = bcd(d);
        mo = bcd(mo);
        y = bcd(y);
        if century != 0 && century != 0xff {
            cen = bcd(century) as i64;
        }
    } else if century != 0 && century != 0xff {
        cen = century as i64;
    }
    if b & 0x02 == 0 && h & 0x80 != 0 {
        h = ((h & 0x7f) + 12) % 24;
    }
    let year = cen * 100 + y as i64;
    days_from_civil(year, mo as i64, d as i64) * 86400 + h as i64 * 3600 + m as i64 * 60 + s as i64
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}
