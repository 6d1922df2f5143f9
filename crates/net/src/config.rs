//! The network configuration every view shares: interfaces (links), their
//! addresses, and the routes. The inet stack owns it; netlink (`RTM_*`), the
//! `SIOCGIF*` ioctls, `/proc/net/*` and `/sys/class/net` read and change it only
//! through [`NetConfig`].

use alloc::string::String;
use alloc::vec::Vec;
use rill_abi::KResult;

/// Interface flags (`IFF_*` of `<net/if.h>`).
pub mod iff {
    pub const UP: u32 = 0x1;
    pub const BROADCAST: u32 = 0x2;
    pub const LOOPBACK: u32 = 0x8;
    pub const RUNNING: u32 = 0x40;
    pub const MULTICAST: u32 = 0x1000;
    pub const LOWER_UP: u32 = 0x10000;
}

/// ARPHRD_* link types.
pub const ARPHRD_ETHER: u16 = 1;
pub const ARPHRD_LOOPBACK: u16 = 772;

/// Counters of one interface (`/proc/net/dev`, `statistics/*`, `IFLA_STATS64`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_errors: u64,
    pub tx_errors: u64,
    pub rx_dropped: u64,
    pub tx_dropped: u64,
}

/// One interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// `ifindex`: lo is 1, eth0 2, as on Linux.
    pub index: u32,
    pub name: String,
    /// `IFF_*` flags as `SIOCGIFFLAGS` reports them (UP, RUNNING, LOOPBACK, ...).
    pub flags: u32,
    pub mtu: u32,
    /// The hardware address (6 bytes, zero for lo).
    pub mac: [u8; 6],
    /// `ARPHRD_ETHER` or `ARPHRD_LOOPBACK`.
    pub link_type: u16,
    pub stats: LinkStats,
}

/// An address on an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfAddr {
    pub ifindex: u32,
    /// `AF_INET` or `AF_INET6`.
    pub family: u16,
    /// 4 or 16 bytes.
    pub addr: Vec<u8>,
    pub prefix_len: u8,
}

/// A route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub family: u16,
    /// Destination network (4 or 16 bytes) and its prefix length (0 for default).
    pub dst: Vec<u8>,
    pub dst_len: u8,
    /// Next hop, if any.
    pub gateway: Option<Vec<u8>>,
    pub ifindex: u32,
    /// `RTPROT_*` and `RT_SCOPE_*` values netlink reports.
    pub protocol: u8,
    pub scope: u8,
    pub metric: u32,
}

/// Reads and changes the configuration. Errors are Linux's: a missing interface
/// is ENODEV, an address added twice EEXIST, a missing one EADDRNOTAVAIL, a route
/// whose gateway is unreachable ENETUNREACH.
pub trait NetConfig: Send + Sync {
    fn links(&self) -> Vec<Link>;
    fn addrs(&self) -> Vec<IfAddr>;
    fn routes(&self) -> Vec<Route>;
    fn set_link_up(&self, ifindex: u32, up: bool) -> KResult<()>;
    fn set_mtu(&self, ifindex: u32, mtu: u32) -> KResult<()>;
    fn add_addr(&self, a: &IfAddr) -> KResult<()>;
    fn del_addr(&self, a: &IfAddr) -> KResult<()>;
    fn add_route(&self, r: &Route) -> KResult<()>;
    fn del_route(&self, r: &Route) -> KResult<()>;
}
