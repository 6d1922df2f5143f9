//! A configuration for the host tests: lo (127.0.0.1/8, ::1) and eth0, with
//! Linux's side effects (an address on eth0 adds its subnet route; a link going
//! down loses its routes) and errnos.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use spin::Mutex;

use crate::config::{
    iff, IfAddr, Link, LinkStats, NetConfig, Route, ARPHRD_ETHER, ARPHRD_LOOPBACK,
};
use crate::socket::{AF_INET, AF_INET6};

pub struct FakeConfig {
    pub st: Mutex<(Vec<Link>, Vec<IfAddr>, Vec<Route>)>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeConfig {
    pub fn new() -> FakeConfig {
        let lo = Link {
            index: 1,
            name: String::from("lo"),
            flags: iff::UP | iff::LOOPBACK | iff::RUNNING,
            mtu: 65536,
            mac: [0; 6],
            link_type: ARPHRD_LOOPBACK,
            stats: LinkStats {
                rx_packets: 3,
                tx_packets: 3,
                rx_bytes: 300,
                tx_bytes: 300,
                ..Default::default()
            },
        };
        let eth = Link {
            index: 2,
            name: String::from("eth0"),
            flags: iff::BROADCAST | iff::MULTICAST,
            mtu: 1500,
            mac: [0x52, 0x54, 0, 0x12, 0x34, 0x56],
            link_type: ARPHRD_ETHER,
            stats: LinkStats::default(),
        };
        let mut v6lo = vec![0u8; 16];
        v6lo[15] = 1;
        let addrs = vec![
            IfAddr {
                ifindex: 1,
                family: AF_INET,
                addr: vec![127, 0, 0, 1],
                prefix_len: 8,
            },
            IfAddr {
                ifindex: 1,
                family: AF_INET6,
                addr: v6lo,
                prefix_len: 128,
            },
        ];
        FakeConfig {
            st: Mutex::new((vec![lo, eth], addrs, Vec::new())),
        }
    }
}

impl NetConfig for FakeConfig {
    fn links(&self) -> Vec<Link> {
        self.st.lock().0.clone()
    }
    fn addrs(&self) -> Vec<IfAddr> {
        self.st.lock().1.clone()
    }
    fn routes(&self) -> Vec<Route> {
        self.st.lock().2.clone()
    }
    fn set_link_up(&self, ifindex: u32, up: bool) -> KResult<()> {
        let mut s = self.st.lock();
        let l =
            s.0.iter_mut()
                .find(|l| l.index == ifindex)
                .ok_or(Errno::ENODEV)?;
        if up {
            l.flags |= iff::UP | iff::RUNNING;
        } else {
            l.flags &= !(iff::UP | iff::RUNNING);
        }
        Ok(())
    }
    fn set_mtu(&self, ifindex: u32, mtu: u32) -> KResult<()> {
        let mut s = self.st.lock();
        let l =
            s.0.iter_mut()
                .find(|l| l.index == ifindex)
                .ok_or(Errno::ENODEV)?;
        l.mtu = mtu;
        Ok(())
    }
    fn add_addr(&self, a: &IfAddr) -> KResult<()> {
        let mut s = self.st.lock();
        if !s.0.iter().any(|l| l.index == a.ifindex) {
            return Err(Errno::ENODEV);
        }
        if s.1.contains(a) {
            return Err(Errno::EEXIST);
        }
        s.1.push(a.clone());
        if a.ifindex != 1 && a.family == AF_INET {
            let dst = super::route::mask_prefix(&a.addr, a.prefix_len);
            s.2.push(Route {
                family: AF_INET,
                dst,
                dst_len: a.prefix_len,
                gateway: None,
                ifindex: a.ifindex,
                protocol: 2,
                scope: 253,
                metric: 0,
            });
        }
        Ok(())
    }
    fn del_addr(&self, a: &IfAddr) -> KResult<()> {
        let mut s = self.st.lock();
        let n = s.1.len();
        s.1.retain(|x| x != a);
        if s.1.len() == n {
            return Err(Errno::EADDRNOTAVAIL);
        }
        Ok(())
    }
    fn add_route(&self, r: &Route) -> KResult<()> {
        let mut s = self.st.lock();
        if s.2.contains(r) {
            return Err(Errno::EEXIST);
        }
        s.2.push(r.clone());
        Ok(())
    }
    fn del_route(&self, r: &Route) -> KResult<()> {
        let mut s = self.st.lock();
        let n = s.2.len();
        s.2.retain(|x| x != r);
        if s.2.len() == n {
            return Err(Errno::ESRCH);
        }
        Ok(())
    }
}
