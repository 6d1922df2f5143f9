//! `AF_NETLINK`: `NETLINK_ROUTE` sockets from `rill_net::netlink`, answering from
//! the configuration the inet stack installs (`super::config()`; until then the
//! dumps are empty and changes fail with ENODEV).

use alloc::sync::Arc;
use rill_abi::Errno;
use rill_net::netlink::ConfigFn;
use rill_net::Socket;

pub fn create(ty: i32, protocol: i32) -> Result<Arc<dyn Socket>, Errno> {
    // the first socket of a process autobinds to its pid, as on Linux
    let pid = crate::task::current().process().pid;
    let config: ConfigFn = Arc::new(super::config);
    let s = rill_net::netlink::create(ty, protocol, pid, config)?;
    Ok(s)
}
