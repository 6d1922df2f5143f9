//! Time: the 1 kHz PIT tick, the TSC-based monotonic clock, the wall clock
//! (CMOS RTC read at boot) and the timer list that wakes sleepers.
//!
//! The clocks are also published in the vDSO's data page (vvar, see
//! kernel/vdso/vvar.h): CLOCK_MONOTONIC is `((tsc - TSC_BOOT) * MULT) >>
//! SHIFT` in 128 bits, computed the same way here and in the vDSO so that
//! both agree to the nanosecond; CLOCK_REALTIME adds `wall_base_ns`
//! (boot wall time plus the settimeofday offset). Updates go under a seqlock.
pub mod timers;

use alloc::collections::BTreeMap;
use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use core::task::Waker;
use spin::Mutex;

/// ns = (tsc_delta * MULT) >> SHIFT.
const SHIFT: u32 = 32;
static MULT: AtomicU64 = AtomicU64::new((1000u64 << SHIFT) / 1000);
static TSC_BOOT: AtomicU64 = AtomicU64::new(0);
static BOOT_WALL_NS: AtomicI64 = AtomicI64::new(0);
static REALTIME_OFFSET: AtomicI64 = AtomicI64::new(0);
static TICKS: AtomicU64 = AtomicU64::new(0);

/// Pending timers by (deadline, sequence number): cancelled ones are removed at once (a
/// cancelled timer must not keep its waker, often a whole task, alive until its deadline).
static TIMERS: Mutex<BTreeMap<TimerId, Waker>> = Mutex::new(BTreeMap::new());

/// A timer added with `add_timer`, for `cancel_timer`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct TimerId {
    deadline: u64,
    seq: u64,
}
static SEQ: AtomicU64 = AtomicU64::new(0);

pub fn init() {
    let per_us = crate::arch::pic::calibrate_tsc().max(1);
    MULT.store((1000u64 << SHIFT) / per_us, Ordering::Relaxed);
    TSC_BOOT.store(crate::arch::rdtsc(), Ordering::Relaxed);
    let wall = crate::arch::rtc::read_unix_time();
    BOOT_WALL_NS.store(wall * 1_000_000_000, Ordering::Relaxed);
    publish_vvar();
}

/// Nanoseconds since boot (CLOCK_MONOTONIC).
pub fn now_ns() -> u64 {
    tsc_to_ns(crate::arch::rdtsc())
}

/// The monotonic clock at TSC value `tsc` (the vDSO's formula).
fn tsc_to_ns(tsc: u64) -> u64 {
    let d = tsc.wrapping_sub(TSC_BOOT.load(Ordering::Relaxed));
    ((d as u128 * MULT.load(Ordering::Relaxed) as u128) >> SHIFT) as u64
}

/// realtime = this + monotonic.
fn wall_base_ns() -> i64 {
    BOOT_WALL_NS
        .load(Ordering::Relaxed)
        .wrapping_add(REALTIME_OFFSET.load(Ordering::Relaxed))
}

/// Nanoseconds since the epoch (CLOCK_REALTIME).
pub fn realtime_ns() -> i64 {
    wall_base_ns().wrapping_add(now_ns() as i64)
}

pub fn set_realtime_ns(ns: i64) {
    let _g = VVAR_LOCK.lock();
    let cur = BOOT_WALL_NS
        .load(Ordering::Relaxed)
        .wrapping_add(now_ns() as i64);
    REALTIME_OFFSET.store(ns.wrapping_sub(cur), Ordering::Relaxed);
    write_vvar();
}

/// Serialises writers of the vvar page.
static VVAR_LOCK: Mutex<()> = Mutex::new(());

/// The vvar page's layout (kernel/vdso/vvar.h's `struct rill_vvar`).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub struct VvarData {
    pub seq: u32,
    pub flags: u32,
    pub tsc_base: u64,
    pub mult: u64,
    pub shift: u32,
    pub pad: u32,
    pub wall_base_ns: i64,
}

// The layout kernel/vdso/vvar.h asserts too.
const _: () = {
    assert!(core::mem::size_of::<VvarData>() == 40);
    assert!(core::mem::offset_of!(VvarData, tsc_base) == 8);
    assert!(core::mem::offset_of!(VvarData, mult) == 16);
    assert!(core::mem::offset_of!(VvarData, shift) == 24);
    assert!(core::mem::offset_of!(VvarData, wall_base_ns) == 32);
};

/// VvarData::flags: the vDSO may read the TSC.
const VVAR_TSC_OK: u32 = 1;

/// Write the clock parameters into the vvar page (if it exists yet).
pub fn publish_vvar() {
    let _g = VVAR_LOCK.lock();
    write_vvar();
}

fn write_vvar() {
    let d = VvarData {
        seq: 0,
        flags: VVAR_TSC_OK,
        tsc_base: TSC_BOOT.load(Ordering::Relaxed),
        mult: MULT.load(Ordering::Relaxed),
        shift: SHIFT,
        pad: 0,
        wall_base_ns: wall_base_ns(),
    };
    crate::mm::vdso::vvar_update(bytemuck::bytes_of(&d));
}

pub fn ticks() -> u64 {
    TICKS.load(Ordering::Relaxed)
}

/// Wake `waker` once the monotonic clock reaches `deadline` (ns).
pub fn add_timer(deadline: u64, waker: Waker) -> TimerId {
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let id = TimerId { deadline, seq };
    TIMERS.lock().insert(id, waker);
    id
}

/// Forget a timer that has not fired (a no-op once it has).
pub fn cancel_timer(id: TimerId) {
    TIMERS.lock().remove(&id);
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
            match t.first_key_value() {
                Some((id, _)) if id.deadline <= now => t.pop_first().map(|(_, w)| w),
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
