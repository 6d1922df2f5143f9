//! `AF_INET`/`AF_INET6`: the stack's thread and devices (to be written).

use alloc::sync::Arc;
use rill_abi::Errno;
use rill_net::Socket;

pub fn create(_domain: i32, _ty: i32, _protocol: i32) -> Result<Arc<dyn Socket>, Errno> {
    Err(Errno::EAFNOSUPPORT)
}

pub fn init() {}

/// Every inet socket (for /proc/net).
pub fn sockets() -> alloc::vec::Vec<rill_net::procnet::InetSockInfo> {
    alloc::vec::Vec::new()
}
