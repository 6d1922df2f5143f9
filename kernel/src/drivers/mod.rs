//! Device drivers: PCI enumeration (`pci`) and virtio-net (`virtio_net`,
//! over `virtio-drivers` with the kernel's `Hal` in `virtio_hal`), and their
//! `/sys` entries (`sysfs`).
//!
//! Drivers do not call the network stack: it registers what the drivers
//! call (`set_net_waker`: run from the device interrupt, must not sleep;
//! `set_net_sysfs_source`: the interface list `/sys/class/net` shows) and
//! takes the devices with `net_devices`.
pub mod pci;
pub mod sysfs;
// `virtio-drivers`' Hal and configuration access: raw DMA and MMIO pointers
#[allow(unsafe_code)]
pub mod virtio_hal;
// the crate's buffer-borrowing transmit/receive calls (invariant in the module)
#[allow(unsafe_code)]
pub mod virtio_net;

use alloc::sync::Arc;
use alloc::vec::Vec;
use rill_net::NetDevice;
use spin::Mutex;

/// Finds and starts the devices (called once by boot, after interrupts are set up).
pub fn init() {
    let devs = pci::scan();
    let mut eth = 0;
    for d in devs {
        match virtio_net::probe(d, eth) {
            Ok(Some(_)) => eth += 1,
            Ok(None) => {}
            Err(e) => kwarn!("virtio_net {}: {}", d.bdf.name(), e),
        }
    }
}

/// The network devices, in order (eth0 first).
pub fn net_devices() -> Vec<Arc<dyn NetDevice>> {
    virtio_net::devices()
        .into_iter()
        .map(|d| d as Arc<dyn NetDevice>)
        .collect()
}

static NET_WAKER: Mutex<Option<fn()>> = Mutex::new(None);

/// What a network device interrupt calls (after acknowledging it): the
/// stack's wake-up of its thread. Runs in interrupt context with the big
/// kernel lock held: it must not sleep.
pub fn set_net_waker(f: fn()) {
    *NET_WAKER.lock() = Some(f);
}

fn wake_net() {
    let f = *NET_WAKER.lock();
    if let Some(f) = f {
        f();
    }
}

pub use sysfs::{populate as populate_sys, set_net_sysfs_source};
