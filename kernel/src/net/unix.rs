//! `AF_UNIX`: socket names in the file system (to be written).

use alloc::sync::Arc;
use rill_abi::Errno;
use rill_net::Socket;

pub fn create(_ty: i32, _protocol: i32) -> Result<Arc<dyn Socket>, Errno> {
    Err(Errno::EAFNOSUPPORT)
}

/// Every unix socket (for /proc/net/unix).
pub fn sockets() -> alloc::vec::Vec<rill_net::procnet::UnixSockInfo> {
    alloc::vec::Vec::new()
}

/// A connected pair (socketpair).
pub fn pair(_ty: i32, _protocol: i32) -> Result<(Arc<dyn Socket>, Arc<dyn Socket>), Errno> {
    Err(Errno::EAFNOSUPPORT)
}
