//! Time: the 1 kHz PIT tick, the TSC-based monotonic clock, the wall clock
//! (CMOS RTC read at boot) and the timer list that wakes sleepers.
use alloc::collections::BinaryHeap;
use core::cmp::Reverse;
use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use core::task::Waker;
use spin::Mutex;

static TSC_PER_US: AtomicU64 = AtomicU64::new(1000);
static TSC_BOOT: AtomicU64 = AtomicU64::new(0);
static BOOT_WALL_NS: AtomicI64 = AtomicI64::new(0);
static REALTIME_OFFSET: AtomicI64 = AtomicI64::new(0);
static TICKS: AtomicU64 = AtomicU64::new(0);

struct Timer {
    deadline: u64,
    seq: u64,
    waker: Waker,
}
impl PartialEq for Timer {
    fn eq(&self, o: &Self) -> bool {
        (self.deadline, self.seq) == (o.deadline, o.seq)
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, o: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Timer {
    fn cmp(&self, o: &Self) -> core::cmp::Ordering {
        (self.deadline, self.seq).cmp(&(o.deadline, o.seq))
    }
}

static TIMERS: Mutex<BinaryHeap<Reverse<Timer>>> = Mutex::new(BinaryHeap::new());
static SEQ: AtomicU64 = AtomicU64::new(0);

pub fn init() {
    TSC_PER_US.store(crate::arch::pic::calibrate_tsc(), Ordering::Relaxed);
    TSC_BOOT.store(crate::arch::rdtsc(), Ordering::Relaxed);
    let wall = crate::arch::rtc::read_unix_time();
    BOOT_WALL_NS.store(wall * 1_000_000_000, Ordering::Relaxed);
}

/// Nanoseconds since boot (CLOCK_MONOTONIC).
pub fn now_ns() -> u64 {
    let d = crate::arch::rdtsc().wrapping_sub(TSC_BOOT.load(Ordering::Relaxed));
    let per_us = TSC_PER_US.load(Ordering::Relaxed).max(1);
    // d / per_us microseconds, keep ns precision without overflow
    let us = d / per_us;
    let rem = d % per_us;
    us * 1000 + rem * 1000 / per_us
}

/// Nanoseconds since the epoch (CLOCK_REALTIME).
pub fn realtime_ns() -> i64 {
    BOOT_WALL_NS.load(Ordering::Relaxed) + REALTIME_OFFSET.load(Ordering::Relaxed) + now_ns() as i64
}

pub fn set_realtime_ns(ns: i64) {
    let cur = BOOT_WALL_NS.load(Ordering::Relaxed) + now_ns() as i64;
    REALTIME_OFFSET.store(ns - cur, Ordering::Relaxed);
}

pub fn ticks() -> u64 {
    TICKS.load(Ordering::Relaxed)
}

pub fn add_timer(deadline: u64, waker: Waker) {
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    TIMERS.lock().push(Reverse(Timer {
        deadline,
        seq,
        waker,
    }));
}

/// Called from the timer interrupt.
pub fn tick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
    fire_expired();
}

pub fn fire_expired() {
    let now = now_ns();
    loop {
        let w = {
            let mut t = TIMERS.lock();
            match t.peek() {
                Some(Reverse(x)) if x.deadline <= now => t.pop().map(|Reverse(x)| x.waker),
                _ => None,
            }
        };
        match w {
            Some(w) => w.wake(),
            None => break,
        }
    }
}

/// Idle: wait for the next interrupt (timer, serial), then run due timers.
pub fn idle_tick_wait() {
    crate::arch::idle_wait();
    fire_expired();
}
