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

/// The interface ioctls (`SIOCGIFFLAGS`, `SIOCGIFCONF`, `SIOCADDRT`, ...) every
/// socket answers before its own ioctls, whatever its family: `None` when `cmd` is
/// not one of them. Before the stack has installed its configuration there are no
/// interfaces (ENODEV; `SIOCGIFCONF` lists nothing).
pub fn interface_ioctl(
    cmd: u32,
    arg: u64,
    io: &mut dyn rill_vfs::UserIo,
) -> Option<rill_abi::KResult<u64>> {
    match super::config() {
        Some(c) => rill_net::ifreq::ioctl(&*c, cmd, arg, io),
        None => rill_net::ifreq::ioctl(&NoConfig, cmd, arg, io),
    }
}

/// No interfaces yet.
struct NoConfig;

impl rill_net::NetConfig for NoConfig {
    fn links(&self) -> alloc::vec::Vec<rill_net::config::Link> {
        alloc::vec::Vec::new()
    }
    fn addrs(&self) -> alloc::vec::Vec<rill_net::config::IfAddr> {
        alloc::vec::Vec::new()
    }
    fn routes(&self) -> alloc::vec::Vec<rill_net::config::Route> {
        alloc::vec::Vec::new()
    }
    fn set_link_up(&self, _: u32, _: bool) -> rill_abi::KResult<()> {
        Err(Errno::ENODEV)
    }
    fn set_mtu(&self, _: u32, _: u32) -> rill_abi::KResult<()> {
        Err(Errno::ENODEV)
    }
    fn add_addr(&self, _: &rill_net::config::IfAddr) -> rill_abi::KResult<()> {
        Err(Errno::ENODEV)
    }
    fn del_addr(&self, _: &rill_net::config::IfAddr) -> rill_abi::KResult<()> {
        Err(Errno::ENODEV)
    }
    fn add_route(&self, _: &rill_net::config::Route) -> rill_abi::KResult<()> {
        Err(Errno::ENETUNREACH)
    }
    fn del_route(&self, _: &rill_net::config::Route) -> rill_abi::KResult<()> {
        Err(Errno::ESRCH)
    }
}
