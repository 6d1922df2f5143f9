//! `AF_NETLINK` (to be written).

use alloc::sync::Arc;
use rill_abi::Errno;
use rill_net::Socket;

pub fn create(_ty: i32, _protocol: i32) -> Result<Arc<dyn Socket>, Errno> {
    Err(Errno::EAFNOSUPPORT)
}
