//! Sockets: the kernel's side of `rill_net` (the stack's thread, devices, the
//! file-system names of unix sockets). `create` is what `socket(2)` calls.

pub mod inet;
pub mod netlink;
pub mod unix;

use alloc::sync::Arc;
use rill_abi::consts::{AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX};
use rill_net::Socket;

/// A new socket of `domain`/`ty` (flags removed)/`protocol`, with Linux's errnos for
/// what Rill does not have.
pub fn create(domain: i32, ty: i32, protocol: i32) -> Result<Arc<dyn Socket>, rill_abi::Errno> {
    match domain as u16 {
        AF_UNIX => unix::create(ty, protocol),
        AF_INET | AF_INET6 => inet::create(domain, ty, protocol),
        AF_NETLINK => netlink::create(ty, protocol),
        // Linux without CONFIG_PACKET, and every family it does not know
        AF_PACKET => Err(rill_abi::Errno::EAFNOSUPPORT),
        _ => Err(rill_abi::Errno::EAFNOSUPPORT),
    }
}

/// Starts the stack (called once by boot after the drivers).
pub fn init() {
    inet::init();
}

use rill_net::procnet::{InetSockInfo, UnixSockInfo};
use rill_net::NetConfig;
use spin::Mutex;

static CONFIG: Mutex<Option<Arc<dyn NetConfig>>> = Mutex::new(None);

/// Installs the configuration netlink, the interface ioctls and /proc/net read and
/// change (the inet stack does this at init).
pub fn set_config(c: Arc<dyn NetConfig>) {
    *CONFIG.lock() = Some(c);
}

/// The network configuration, once the stack is up.
pub fn config() -> Option<Arc<dyn NetConfig>> {
    CONFIG.lock().clone()
}

/// The inet sockets, for /proc/net/{tcp,tcp6,udp,udp6}.
pub fn inet_sockets() -> alloc::vec::Vec<InetSockInfo> {
    inet::sockets()
}

/// The unix sockets, for /proc/net/unix.
pub fn unix_sockets() -> alloc::vec::Vec<UnixSockInfo> {
    unix::sockets()
}
