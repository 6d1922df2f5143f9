//! `AF_INET`/`AF_INET6`: the one stack instance (`rill_net::inet::Stack`), its
//! devices and its kernel thread, "netd".
//!
//! netd sleeps until a device wakes it ([`wake`], which drivers call from their
//! interrupt path through the waker they were given) or until smoltcp's next
//! timer, then polls the stack. Socket calls also poll right after queueing data,
//! so loopback traffic never waits for netd; when such a poll leaves a timer
//! pending, netd is kicked so it sleeps for the right time.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use rill_abi::Errno;
use rill_net::inet::{ipconfig, Stack, StackOptions};
use rill_net::{NetDevice, Socket};
use spin::Once;

use crate::task::Task;

static STACK: Once<Arc<Stack>> = Once::new();
static NETD: Once<Arc<Task>> = Once::new();
static KICKED: AtomicBool = AtomicBool::new(false);
/// Whether an Ethernet device is attached (netd then polls at least every
/// [`DEVICE_POLL_MS`] until drivers wake it on every received frame).
static HAVE_DEVICE: AtomicBool = AtomicBool::new(false);
const DEVICE_POLL_MS: u64 = 10;
/// When netd's current sleep ends (ns; `u64::MAX`: no deadline or not asleep).
static NETD_DEADLINE: AtomicU64 = AtomicU64::new(u64::MAX);

fn now_ms() -> i64 {
    (crate::time::now_ns() / 1_000_000) as i64
}

/// The stack (`None` before `init`).
pub fn stack() -> Option<&'static Arc<Stack>> {
    STACK.get()
}

pub fn create(domain: i32, ty: i32, protocol: i32) -> Result<Arc<dyn Socket>, Errno> {
    match STACK.get() {
        Some(s) => s.create(domain, ty, protocol),
        None => Err(Errno::EAFNOSUPPORT),
    }
}

/// Wakes netd: a device received frames or freed transmit space, or a socket
/// call left a timer pending. Safe from an interrupt handler (it only wakes).
pub fn wake() {
    KICKED.store(true, Ordering::Release);
    if let Some(t) = NETD.get() {
        use alloc::task::Wake;
        t.wake_by_ref();
    }
}

/// The stack's kick after a socket call's poll left a timer pending: wakes netd
/// unless it is asleep with a deadline at most [`DEVICE_POLL_MS`] away (with a
/// device it always is), so a timer is served at most that late, as netd's own
/// polling would. Waking netd on every send costs an IPI and a second poll that
/// contends for the kernel lock with the caller (half the loopback time).
fn kick_timer() {
    let d = NETD_DEADLINE.load(Ordering::Acquire);
    let soon = crate::time::now_ns().saturating_add(DEVICE_POLL_MS * 1_000_000);
    if d != u64::MAX && d <= soon {
        return;
    }
    wake();
}

/// CPUs running a call that may let go of the big kernel lock in the stack's
/// poll (see [`outside_ok`]).
static MAY_LEAVE: [AtomicBool; crate::arch::cpu::MAX_CPUS] =
    [const { AtomicBool::new(false) }; crate::arch::cpu::MAX_CPUS];

/// Runs `f`, a socket call made by a caller that holds no lock of its own (only
/// the big kernel lock): the socket system calls' send, recv (also read(2) and
/// readv(2) on a socket), connect, accept and listen, the last close(2) of an inet
/// socket, and netd's poll. Only there does the stack's poll let go of the big lock
/// (`leave_bkl`). Elsewhere a spin lock may be held around a socket call: a file's
/// read/write ops run under its offset lock, exit or dup2 may drop the last file under
/// the fd table's lock; letting go of the big lock there would deadlock with a CPU
/// that holds it and waits for that lock. `f` must not sleep (a socket call returns
/// EAGAIN instead, and the caller waits after it).
pub fn outside_ok<T>(f: impl FnOnce() -> T) -> T {
    let me = &MAY_LEAVE[crate::arch::cpu::cpu_id()];
    let before = me.swap(true, Ordering::Relaxed);
    let r = f();
    me.store(before, Ordering::Relaxed);
    r
}

/// Before the stack's poll: lets go of the big kernel lock if this CPU holds it
/// and runs an [`outside_ok`] call (interrupts stay off). What the poll touches
/// has its own locks: the stack's, each device's queues (`drivers::virtio_net`),
/// the buffer pool's and the heap's, all leaves; it reads the clock, touches no
/// user memory and wakes nobody (see `Stack::set_outside`). Whatever changes
/// meanwhile under the big lock is looked at again after `enter_bkl`, as after any
/// sleep.
fn leave_bkl() -> bool {
    let me = crate::arch::cpu::cpu_id();
    if MAY_LEAVE[me].load(Ordering::Relaxed) && crate::arch::smp::bkl_held_by_me() {
        crate::arch::smp::bkl_release();
        true
    } else {
        false
    }
}

/// After the poll: takes the big kernel lock back (servicing TLB shootdowns while
/// it waits, so a CPU that changed this address space meanwhile is not held up).
fn enter_bkl(left: bool) {
    if left {
        crate::arch::smp::bkl_acquire();
    }
}

/// Attaches a network device (eth0, eth1, ... in call order); it stays down until
/// configured by `ip=` or netlink.
pub fn attach(dev: Arc<dyn NetDevice>) -> Option<u32> {
    let s = STACK.get()?;
    let idx = s.add_device(dev);
    HAVE_DEVICE.store(true, Ordering::Release);
    wake();
    Some(idx)
}

/// Builds the stack (lo up), installs it as the network configuration, applies
/// `ip=`, and starts netd.
pub fn init() {
    let mut seed = [0u8; 8];
    crate::random::fill(&mut seed);
    let stack = Stack::new(now_ms, u64::from_ne_bytes(seed), StackOptions::default());
    stack.set_kick(kick_timer);
    stack.set_outside(rill_net::inet::Outside {
        leave: leave_bkl,
        enter: enter_bkl,
    });
    STACK.call_once(|| stack.clone());
    crate::net::set_config(stack.clone());
    // the drivers' devices become eth0, eth1, ...; their interrupts wake netd, and
    // /sys/class/net shows the stack's interfaces
    for d in crate::drivers::net_devices() {
        attach(d);
    }
    crate::drivers::set_net_waker(wake);
    crate::drivers::set_net_sysfs_source(sysfs_links);
    if let Some(v) = crate::cmdline::opt("ip") {
        match ipconfig::parse(v) {
            Some(ipconfig::IpParam::Static(p)) => {
                if let Err(e) = stack.apply_ip_param(&p) {
                    crate::kinfo!("net: ip={} not applied: {:?}", v, e);
                }
            }
            Some(ipconfig::IpParam::Auto) => {
                crate::kinfo!(
                    "net: ip={}: no DHCP/BOOTP client in Rill, interface left unconfigured",
                    v
                )
            }
            Some(ipconfig::IpParam::Off) => {}
            None => crate::kinfo!("net: ip={}: malformed, ignored", v),
        }
    }
    match crate::task::kthread::create(netd) {
        Ok(t) => {
            NETD.call_once(|| t.clone());
            crate::task::sched::spawn(t);
        }
        Err(e) => crate::kinfo!("net: netd not started: {:?}", e),
    }
}

fn sysfs_links() -> alloc::vec::Vec<rill_net::config::Link> {
    use rill_net::NetConfig;
    STACK.get().map(|s| s.links()).unwrap_or_default()
}

fn netd() {
    let Some(stack) = STACK.get() else { return };
    loop {
        KICKED.store(false, Ordering::Release);
        let delay = outside_ok(|| stack.poll());
        let delay = if HAVE_DEVICE.load(Ordering::Acquire) {
            Some(delay.map_or(DEVICE_POLL_MS, |d| d.min(DEVICE_POLL_MS)))
        } else {
            delay
        };
        let deadline =
            delay.map(|d| crate::time::now_ns().saturating_add(d.saturating_mul(1_000_000)));
        NETD_DEADLINE.store(deadline.unwrap_or(u64::MAX), Ordering::Release);
        // not interruptible: a kernel thread gets no signals
        let _ = crate::task::wait::wait_event(false, deadline, |_| {
            KICKED.swap(false, Ordering::AcqRel).then_some(())
        });
        NETD_DEADLINE.store(u64::MAX, Ordering::Release);
    }
}

/// Every inet socket (for /proc/net).
pub fn sockets() -> alloc::vec::Vec<rill_net::procnet::InetSockInfo> {
    STACK.get().map(|s| s.sockets()).unwrap_or_default()
}
