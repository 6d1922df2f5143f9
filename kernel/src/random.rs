//! The kernel's random bytes (getrandom(2), AT_RANDOM, /proc/sys/kernel/random,
//! rill-vfs's /dev/urandom).
use core::sync::atomic::{AtomicU64, Ordering};

static RNG: AtomicU64 = AtomicU64::new(0);

/// Kernel random bytes: a xorshift/splitmix generator seeded from the TSC
/// and the RTC, stirred with the TSC on every call.
pub fn fill(buf: &mut [u8]) {
    let mut s = RNG.load(Ordering::Relaxed);
    if s == 0 {
        s = crate::arch::rdtsc()
            ^ (crate::time::realtime_ns() as u64).rotate_left(17)
            ^ 0x9e37_79b9_7f4a_7c15;
    }
    s ^= crate::arch::rdtsc().rotate_left(29);
    for chunk in buf.chunks_mut(8) {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let b = z.to_le_bytes();
        chunk.copy_from_slice(&b[..chunk.len()]);
    }
    RNG.store(s, Ordering::Relaxed);
}
