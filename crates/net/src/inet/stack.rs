//! The stack: interfaces, their devices and socket sets, the port table, the
//! sockets' protocol state, polling and the configuration.
//!
//! Design (see docs/architecture.md, "Network stack"):
//! * one smoltcp `Interface` **and one `SocketSet` per interface**, so a packet is
//!   matched only against the sockets attached to the interface it came in on
//!   (smoltcp scans its whole set per packet);
//! * a socket bound to a wildcard address (`0.0.0.0`, `::`) gets one smoltcp socket
//!   per interface (a TCP listener: a pool of listening sockets per interface,
//!   refilled after every received packet; UDP: one bound socket per interface);
//! * lo carries every local address (eth0's are mirrored onto it as /32 and /128),
//!   so traffic to the machine's own addresses goes through lo as on Linux;
//! * everything is under one lock; readiness changes are collected under it and
//!   the pollees are notified after it is dropped.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_vfs::poll::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use rill_vfs::pollee::Pollee;
use rill_vfs::IoEvents;
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::time::Instant;
use smoltcp::wire::{
    EthernetAddress, HardwareAddress, IpAddress, IpCidr, Ipv4Address, Ipv4Cidr, Ipv6Address,
    Ipv6Cidr,
};
use spin::Mutex;

use super::ports::{BindAddr, Ports};
use super::tcp::TcpState;
use super::udp::UdpState;
use crate::config::{
    iff, IfAddr, Link, LinkStats, NetConfig, Route, ARPHRD_ETHER, ARPHRD_LOOPBACK,
};
use crate::device::NetDevice;
use crate::procnet::InetSockInfo;
use crate::socket::{AF_INET, AF_INET6};
use crate::SockAddr;

/// An interface's device.
pub(crate) enum DevKind {
    /// lo: frames go straight back in (one copy out, one in).
    Lo(VecDeque<Vec<u8>>),
    Eth(Arc<dyn NetDevice>),
}

pub(crate) struct Dev {
    pub kind: DevKind,
    pub mtu: usize,
    pub stats: LinkStats,
    /// TCP endpoints whose listener's accept queue is full: their SYNs are dropped
    /// (Linux drops them, the client retransmits), set by `refill_listeners`.
    pub syn_drop: Vec<super::tcp::SynDrop>,
    /// A TCP SYN came in since the poll last looked (`StackInner::poll_all`): a
    /// listening socket may have taken it, so its listener needs a new one
    /// before the next SYN (`refill_listeners`). Other segments leave every
    /// listening socket listening, so they need no refill of their own.
    pub saw_syn: bool,
}

/// lo's IP MTU for smoltcp: the largest IPv6 packet (a 65527-byte UDP datagram).
pub(crate) const LO_IP_MTU: usize = 40 + 65535;
/// The largest IPv4 TCP segment payload: 65535 minus the IPv4 and TCP headers.
const LO_MSS_V4: u16 = 65535 - 20 - 20;

/// Lowers the MSS option of an IPv4 TCP SYN sent over lo to [`LO_MSS_V4`]: smoltcp
/// derives it from lo's MTU ([`LO_IP_MTU`]), which would let a full segment overflow
/// IPv4's 16-bit total length. lo ignores checksums, so none is updated.
pub(crate) fn clamp_lo_mss(pkt: &mut [u8]) {
    let Some(&vihl) = pkt.first() else { return };
    if vihl >> 4 != 4 || pkt.get(9) != Some(&6) {
        return;
    }
    let ihl = usize::from(vihl & 0xf) * 4;
    let Some(tcp) = pkt.get_mut(ihl..) else {
        return;
    };
    // flags byte 13: SYN is 0x02; data offset in the high nibble of byte 12
    let (Some(&off), Some(&flags)) = (tcp.get(12), tcp.get(13)) else {
        return;
    };
    if flags & 0x02 == 0 {
        return;
    }
    let end = (usize::from(off >> 4) * 4).min(tcp.len());
    let mut i = 20;
    while i < end {
        match tcp.get(i).copied() {
            Some(0) | None => return,
            Some(1) => i += 1,
            Some(kind) => {
                let Some(&len) = tcp.get(i + 1) else { return };
                if len < 2 {
                    return;
                }
                if kind == 2 && len == 4 {
                    if let Some(v) = tcp.get_mut(i + 2..i + 4) {
                        let mss = u16::from_be_bytes([v[0], v[1]]).min(LO_MSS_V4);
                        v.copy_from_slice(&mss.to_be_bytes());
                    }
                    return;
                }
                i += usize::from(len);
            }
        }
    }
}

/// A received frame and the offset of its IP header (14 on Ethernet).
pub(crate) struct RxTok(Vec<u8>, usize);
pub(crate) struct TxTok<'a> {
    dev: &'a mut Dev,
    meta: phy::PacketMeta,
}

impl phy::RxToken for RxTok {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        let r = f(&self.0);
        crate::bufpool::give(self.0);
        r
    }
    /// The IP header's TTL and TOS, for IP_RECVTTL/IP_RECVTOS (`udp::rx_meta`).
    fn meta(&self) -> phy::PacketMeta {
        let mut m = phy::PacketMeta::default();
        m.id = super::udp::rx_meta(self.0.get(self.1..).unwrap_or(&[]));
        m
    }
}

impl phy::TxToken for TxTok<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut buf = crate::bufpool::take_zeroed(len);
        let r = f(&mut buf);
        let ip = if matches!(self.dev.kind, DevKind::Eth(_)) {
            14
        } else {
            0
        };
        if let Some(p) = buf.get_mut(ip..) {
            super::udp::apply_tx_meta(p, self.meta.id);
        }
        let ok = match &mut self.dev.kind {
            DevKind::Lo(q) => {
                clamp_lo_mss(&mut buf);
                q.push_back(buf);
                true
            }
            DevKind::Eth(d) => {
                let ok = d.transmit(&buf);
                crate::bufpool::give(buf);
                ok
            }
        };
        if ok {
            self.dev.stats.tx_packets += 1;
            self.dev.stats.tx_bytes += len as u64;
        } else {
            self.dev.stats.tx_dropped += 1;
        }
        r
    }
    fn set_meta(&mut self, meta: phy::PacketMeta) {
        self.meta = meta;
    }
}

impl Device for Dev {
    type RxToken<'a> = RxTok;
    type TxToken<'a> = TxTok<'a>;

    fn receive(&mut self, _t: Instant) -> Option<(RxTok, TxTok<'_>)> {
        let frame = loop {
            let (frame, eth) = match &mut self.kind {
                DevKind::Lo(q) => (q.pop_front()?, false),
                DevKind::Eth(d) => (d.receive()?, true),
            };
            // parsed once: a SYN is noted (`saw_syn`), or dropped when its listener is full
            let syn = super::tcp::syn_dst(&frame, eth);
            if !syn.is_some_and(|syn| super::tcp::syn_is_for(&self.syn_drop, syn)) {
                self.saw_syn |= syn.is_some();
                break frame;
            }
            self.stats.rx_dropped += 1;
        };
        self.stats.rx_packets += 1;
        self.stats.rx_bytes += frame.len() as u64;
        let ip = if matches!(self.kind, DevKind::Eth(_)) {
            14
        } else {
            0
        };
        let meta = phy::PacketMeta::default();
        Some((RxTok(frame, ip), TxTok { dev: self, meta }))
    }

    fn transmit(&mut self, _t: Instant) -> Option<TxTok<'_>> {
        if let DevKind::Eth(d) = &self.kind {
            if !d.can_transmit() {
                return None;
            }
        }
        let meta = phy::PacketMeta::default();
        Some(TxTok { dev: self, meta })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        match self.kind {
            DevKind::Lo(_) => {
                c.medium = Medium::Ip;
                // lo takes the largest IPv6 packet (40 + 65535 bytes) whole, as
                // smoltcp can't fragment IPv6; IPv4 TCP segments are kept within
                // the 16-bit total length by `clamp_lo_mss`
                c.max_transmission_unit = self.mtu.min(LO_IP_MTU);
                c.checksum = phy::ChecksumCapabilities::ignored();
                // lo never drops a burst: no window limit from here
                c.max_burst_size = None;
            }
            DevKind::Eth(_) => {
                c.medium = Medium::Ethernet;
                // smoltcp's MTU for Ethernet includes the 14-byte header
                c.max_transmission_unit = self.mtu + 14;
                // virtio-net keeps a ring of receive buffers; smoltcp limits the
                // advertised window to this many segments (smoltcp #949)
                c.max_burst_size = Some(64);
            }
        }
        c
    }
}

pub(crate) struct Iface {
    pub link: Link,
    pub dev: Dev,
    pub iface: Interface,
    pub set: SocketSet<'static>,
    pub addrs: Vec<IfAddr>,
}

pub(crate) enum Kind {
    Tcp(TcpState),
    Udp(UdpState),
    Icmp(super::icmp::IcmpState),
}

/// One socket's protocol state.
pub(crate) struct Entry {
    pub family: u16,
    pub pollee: Arc<Pollee>,
    /// The readiness last reported (notify only on changes).
    pub last: IoEvents,
    pub kind: Kind,
}

/// How many closed TCP sockets `tcp_pool` keeps.
const TCP_POOL_MAX: usize = 16;

pub(crate) struct StackInner {
    pub ifaces: Vec<Iface>,
    pub ports: Ports,
    pub socks: BTreeMap<u64, Entry>,
    /// Closed TCP connections still finishing (FIN, TIME-WAIT), or aborted ones
    /// still to send their RST.
    pub orphans: Vec<(usize, SocketHandle)>,
    /// Port bindings kept by closed TCP connections (TIME_WAIT, see `tcp::TwHold`).
    pub tw_holds: Vec<super::tcp::TwHold>,
    /// Holds whose connection reached TIME_WAIT: (end in ms, port-table id), in
    /// order of their end (each ends TIME_WAIT_MS after it started), so a poll
    /// looks only at the ones due (a busy server has thousands).
    pub tw_timed: alloc::collections::VecDeque<(i64, u64)>,
    /// Closed smoltcp TCP sockets kept for reuse with their buffers (see
    /// `new_tcp_socket`): zero-filling two 256 KiB buffers per connection, and again
    /// for the listening socket that replaces an accepted one, was most of the cost
    /// of a loopback connect.
    pub tcp_pool: Vec<smoltcp::socket::tcp::Socket<'static>>,
    /// A reused list of socket ids for the walks over every socket of a poll
    /// (`ids`): a fresh `Vec` per walk, several per received packet, made the
    /// kernel allocator's frees a tenth of guest->host time.
    pub ids_buf: Vec<u64>,
    pub next_id: u64,
    pub now: Instant,
    pub seed: u64,
    pub opts: StackOptions,
    /// Per socket, the receive and send queue levels when the current poll began:
    /// growth of the receive level is a new arrival, a drop of the send level is
    /// freed space. Both are notified even when the readiness bits did not change,
    /// as Linux's `sk_data_ready`/`sk_write_space` wake on every arrival, so an
    /// edge-triggered epoll sees a new edge per datagram, segment or connection.
    /// The base is taken at the start of every `poll_all`, under the lock that
    /// also serialises the socket calls, so a level a read lowered is the base for
    /// what arrives next: taken at the previous report instead, a read of 1460
    /// bytes followed by an arrival of 77 in its own poll (or in the stack
    /// thread's, or after a datagram recv, which runs no poll) looked like no
    /// arrival, and an edge-triggered reader (nginx-rtmp's handshake) waited
    /// for ever.
    pub levels: BTreeMap<u64, (usize, usize)>,
    /// The inode number of each socket's file (for /proc/net), set by the kernel.
    pub inos: BTreeMap<u64, u64>,
    /// Readiness changes a socket call made itself, without a poll (`note_direct`),
    /// to be notified when the call leaves the lock.
    pub direct: Vec<(Arc<Pollee>, IoEvents)>,
    /// The call moved everything it had to move itself (a loopback datagram
    /// delivered straight, `udp_lo_deliver`): no poll after it.
    pub no_poll: bool,
}

/// Tunables.
#[derive(Clone, Copy, Debug)]
pub struct StackOptions {
    /// Default TCP buffer sizes (smoltcp's are fixed at creation; window scaling
    /// follows the receive buffer).
    pub tcp_rx: usize,
    pub tcp_tx: usize,
}

impl Default for StackOptions {
    fn default() -> Self {
        StackOptions {
            tcp_rx: 256 * 1024,
            tcp_tx: 256 * 1024,
        }
    }
}

/// How the kernel lets its other CPUs go on while the stack polls (see
/// [`Stack::set_outside`]): `leave` runs before a poll takes the stack's lock and
/// gives back whether it let go of something, `enter` runs with that answer after
/// the lock is released and before any socket is notified.
#[derive(Clone, Copy)]
pub struct Outside {
    pub leave: fn() -> bool,
    pub enter: fn(bool),
}

/// The network stack (one per kernel; tests build several).
pub struct Stack {
    pub(crate) inner: Mutex<StackInner>,
    clock: fn() -> i64,
    kick: Mutex<Option<fn()>>,
    /// Set once by the kernel; read by every poll without a lock.
    outside: spin::Once<Outside>,
}

pub(crate) fn v4(a: [u8; 4]) -> IpAddress {
    IpAddress::Ipv4(Ipv4Address::from(a))
}
pub(crate) fn v6(a: [u8; 16]) -> IpAddress {
    IpAddress::Ipv6(Ipv6Address::from(a))
}

/// An IPv6 address as smoltcp should see it: v4-mapped ones are IPv4.
pub(crate) fn unmapped(a: [u8; 16]) -> IpAddress {
    match SockAddr::unmap_v4(&a) {
        Some(x) => v4(x),
        None => v6(a),
    }
}

/// The address user space sees for `ip` on a socket of `family`.
pub(crate) fn sockaddr(family: u16, ip: Option<IpAddress>, port: u16) -> SockAddr {
    match (family, ip) {
        (AF_INET, Some(IpAddress::Ipv4(a))) => SockAddr::Inet {
            addr: a.octets(),
            port,
        },
        (AF_INET, _) => SockAddr::Inet { addr: [0; 4], port },
        (_, Some(IpAddress::Ipv4(a))) => SockAddr::v4_mapped(a.octets(), port),
        (_, Some(IpAddress::Ipv6(a))) => SockAddr::Inet6 {
            addr: a.octets(),
            port,
            flowinfo: 0,
            scope_id: 0,
        },
        (_, None) => SockAddr::Inet6 {
            addr: [0; 16],
            port,
            flowinfo: 0,
            scope_id: 0,
        },
    }
}

/// The address of `b`, `None` for a wildcard.
pub(crate) fn bind_ip(b: BindAddr) -> Option<IpAddress> {
    match b {
        BindAddr::Any4 | BindAddr::Any6 => None,
        BindAddr::V4(a) => Some(v4(a)),
        BindAddr::V6(a) => Some(v6(a)),
    }
}

/// A remote address given to connect/sendto on a socket of `family`.
pub(crate) fn parse_remote(family: u16, v6only: bool, a: &SockAddr) -> KResult<(IpAddress, u16)> {
    match (family, a) {
        (AF_INET, SockAddr::Inet { addr, port }) => {
            // 0.0.0.0 means this host (Linux)
            let ip = if *addr == [0; 4] {
                [127, 0, 0, 1]
            } else {
                *addr
            };
            Ok((v4(ip), *port))
        }
        (AF_INET, _) => Err(Errno::EAFNOSUPPORT),
        (_, SockAddr::Inet6 { addr, port, .. }) => {
            let ip = unmapped(*addr);
            if ip.version() == smoltcp::wire::IpVersion::Ipv4 && v6only {
                return Err(Errno::ENETUNREACH);
            }
            let ip = match ip {
                IpAddress::Ipv6(x) if x.is_unspecified() => IpAddress::Ipv6(Ipv6Address::LOCALHOST),
                IpAddress::Ipv4(x) if x.is_unspecified() => v4([127, 0, 0, 1]),
                x => x,
            };
            Ok((ip, *port))
        }
        (_, SockAddr::Inet { .. }) => Err(Errno::EAFNOSUPPORT),
        _ => Err(Errno::EINVAL),
    }
}

/// A local address given to bind on a socket of `family`.
pub(crate) fn parse_local(family: u16, a: &SockAddr) -> KResult<(BindAddr, u16)> {
    match (family, a) {
        (AF_INET, SockAddr::Inet { addr, port }) => Ok((
            if *addr == [0; 4] {
                BindAddr::Any4
            } else {
                BindAddr::V4(*addr)
            },
            *port,
        )),
        (AF_INET, _) => Err(Errno::EAFNOSUPPORT),
        (_, SockAddr::Inet6 { addr, port, .. }) => Ok((
            if *addr == [0; 16] {
                BindAddr::Any6
            } else {
                match SockAddr::unmap_v4(addr) {
                    Some(x) if x == [0; 4] => BindAddr::Any4,
                    Some(x) => BindAddr::V4(x),
                    None => BindAddr::V6(*addr),
                }
            },
            *port,
        )),
        _ => Err(Errno::EINVAL),
    }
}

fn cidr(family: u16, addr: &[u8], len: u8) -> KResult<IpCidr> {
    match (family, addr.len()) {
        (AF_INET, 4) if len <= 32 => Ok(IpCidr::Ipv4(Ipv4Cidr::new(
            Ipv4Address::new(addr[0], addr[1], addr[2], addr[3]),
            len,
        ))),
        (AF_INET6, 16) if len <= 128 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(addr);
            Ok(IpCidr::Ipv6(Ipv6Cidr::new(Ipv6Address::from(a), len)))
        }
        _ => Err(Errno::EINVAL),
    }
}

fn ip_bytes(ip: &IpAddress) -> Vec<u8> {
    match ip {
        IpAddress::Ipv4(a) => a.octets().to_vec(),
        IpAddress::Ipv6(a) => a.octets().to_vec(),
    }
}

pub(crate) fn is_loopback(ip: &IpAddress) -> bool {
    match ip {
        IpAddress::Ipv4(a) => a.is_loopback(),
        IpAddress::Ipv6(a) => a.is_loopback(),
    }
}

/// Whether `ip` is one of `iface`'s configured addresses (not smoltcp's
/// `has_ip_addr`, which is always true on lo: lo has AnyIP on).
fn has_addr(iface: &Interface, ip: &IpAddress) -> bool {
    iface.ip_addrs().iter().any(|c| c.address() == *ip)
}

impl StackInner {
    /// Whether `ip` is one of this host's addresses.
    pub fn is_local(&self, ip: &IpAddress) -> bool {
        is_loopback(ip) || self.ifaces.iter().any(|i| has_addr(&i.iface, ip))
    }

    /// Whether a socket bound to `b` is attached to interface `idx`.
    pub fn attached(&self, b: BindAddr, idx: usize) -> bool {
        match bind_ip(b) {
            None => true,
            // lo is AnyIP for 127.0.0.0/8 (and ::1): a socket bound to 127.0.0.2 is on lo
            Some(ip) => {
                (idx == 0 && is_loopback(&ip))
                    || self
                        .ifaces
                        .get(idx)
                        .is_some_and(|i| has_addr(&i.iface, &ip))
            }
        }
    }

    /// The interface traffic to `dst` leaves by (lo for local addresses).
    pub fn route(&self, dst: &IpAddress) -> KResult<usize> {
        if self.is_local(dst) {
            return Ok(0);
        }
        let v4 = matches!(dst, IpAddress::Ipv4(_));
        let mut gw = None;
        for (i, f) in self.ifaces.iter().enumerate().skip(1) {
            if f.link.flags & iff::UP == 0 {
                continue;
            }
            let bcast = matches!(dst, IpAddress::Ipv4(a) if a.is_broadcast());
            for c in f.iface.ip_addrs() {
                if c.contains_addr(dst) || (bcast && matches!(c, IpCidr::Ipv4(_))) {
                    return Ok(i);
                }
            }
            let has_gw = if v4 {
                f.iface.routes().get_default_ipv4_route().is_some()
            } else {
                f.iface.routes().get_default_ipv6_route().is_some()
            };
            if has_gw && gw.is_none() {
                gw = Some(i);
            }
        }
        gw.ok_or(Errno::ENETUNREACH)
    }

    /// The source address for `dst` leaving by `idx`.
    pub fn source_for(&mut self, idx: usize, dst: &IpAddress) -> Option<IpAddress> {
        if idx == 0 {
            if let IpAddress::Ipv4(a) = dst {
                // Linux's local route for 127.0.0.0/8 has lo's address as its source
                if a.is_loopback() {
                    let lo = self.ifaces.first().and_then(|f| {
                        f.iface.ip_addrs().iter().find_map(|c| match c {
                            IpCidr::Ipv4(c) if c.address().is_loopback() => Some(c.address()),
                            _ => None,
                        })
                    });
                    return Some(IpAddress::Ipv4(lo.unwrap_or(*a)));
                }
            }
            if is_loopback(dst) {
                return Some(*dst);
            }
            if self.is_local(dst) {
                return Some(*dst);
            }
        }
        self.ifaces.get(idx)?.iface.get_source_address(dst)
    }

    /// lo's smoltcp addresses: its own plus every other interface's.
    fn sync_lo(&mut self) {
        let mut all: Vec<IpCidr> = Vec::new();
        for a in &self.ifaces[0].addrs {
            if let Ok(c) = cidr(a.family, &a.addr, a.prefix_len) {
                all.push(c);
            }
        }
        for f in self.ifaces.iter().skip(1) {
            for a in &f.addrs {
                let full = if a.family == AF_INET { 32 } else { 128 };
                if let Ok(c) = cidr(a.family, &a.addr, full) {
                    all.push(c);
                }
            }
        }
        self.ifaces[0].iface.update_ip_addrs(|v| {
            v.clear();
            for c in all {
                let _ = v.push(c);
            }
        });
    }

    fn apply_addrs(&mut self, idx: usize) {
        if idx == 0 {
            self.sync_lo();
            return;
        }
        let Some(f) = self.ifaces.get_mut(idx) else {
            return;
        };
        let list: Vec<IpCidr> = f
            .addrs
            .iter()
            .filter_map(|a| cidr(a.family, &a.addr, a.prefix_len).ok())
            .collect();
        f.iface.update_ip_addrs(|v| {
            v.clear();
            for c in list {
                let _ = v.push(c);
            }
        });
        self.sync_lo();
    }

    pub fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn rand16(&mut self) -> u16 {
        // xorshift on the seed: ports and ISNs need no cryptographic strength
        let mut x = self.seed;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed = x;
        (x >> 16) as u16
    }

    /// Polls every interface until nothing moves (lo's frames go round again), then
    /// collects the readiness changes.
    pub fn poll_all(&mut self) -> Vec<(Arc<Pollee>, IoEvents)> {
        let now = self.now;
        self.take_levels();
        for idx in 0..self.ifaces.len() {
            if self.ifaces[idx].link.flags & iff::UP == 0 {
                // a down interface drops what arrives
                if let DevKind::Eth(d) = &self.ifaces[idx].dev.kind {
                    while d.receive().is_some() {}
                }
                continue;
            }
            let lo = matches!(self.ifaces[idx].dev.kind, DevKind::Lo(_));
            for _round in 0..64 {
                loop {
                    let f = &mut self.ifaces[idx];
                    f.iface.poll_maintenance(now);
                    let r = f.iface.poll_ingress_single(now, &mut f.dev, &mut f.set);
                    if r == smoltcp::iface::PollIngressSingleResult::None {
                        break;
                    }
                    // only a SYN can have taken a listening socket (see `Dev::saw_syn`);
                    // the handshakes that other segments finish are moved at the end
                    if core::mem::take(&mut self.ifaces[idx].dev.saw_syn) {
                        self.refill_listeners(idx);
                    }
                }
                // each pass over the sockets sends at most one segment per socket.
                // On lo one pass per round is enough: what it sent comes back in
                // the next round, whose pass sends the rest along with the
                // answers (a handshake takes four passes, not seven). Ethernet's
                // frames go out: its passes run until nothing is left to send.
                loop {
                    let f = &mut self.ifaces[idx];
                    if f.iface.poll_egress(now, &mut f.dev, &mut f.set)
                        == smoltcp::iface::PollResult::None
                        || lo
                    {
                        break;
                    }
                }
                if let DevKind::Eth(d) = &self.ifaces[idx].dev.kind {
                    d.flush();
                }
                let lo_pending =
                    matches!(&self.ifaces[idx].dev.kind, DevKind::Lo(q) if !q.is_empty());
                if !lo_pending {
                    break;
                }
            }
        }
        for idx in 0..self.ifaces.len() {
            self.refill_listeners(idx);
        }
        self.reap_orphans();
        self.update_all();
        self.collect()
    }

    /// The earliest time smoltcp wants to be polled again (ms), if any.
    pub fn poll_at(&mut self) -> Option<i64> {
        let now = self.now;
        let mut best: Option<i64> = None;
        for f in self.ifaces.iter_mut() {
            if f.link.flags & iff::UP == 0 {
                continue;
            }
            if let Some(t) = f.iface.poll_at(now, &f.set) {
                let t = t.total_millis();
                best = Some(best.map_or(t, |b: i64| b.min(t)));
            }
        }
        best
    }

    /// The ids of the sockets `keep` selects, in the reused `ids_buf`: hand it
    /// back with `put_ids`.
    pub(crate) fn ids(&mut self, keep: impl Fn(&Entry) -> bool) -> Vec<u64> {
        let mut v = core::mem::take(&mut self.ids_buf);
        v.clear();
        v.extend(
            self.socks
                .iter()
                .filter(|(_, e)| keep(e))
                .map(|(id, _)| *id),
        );
        v
    }

    pub(crate) fn put_ids(&mut self, v: Vec<u64>) {
        if v.capacity() > self.ids_buf.capacity() {
            self.ids_buf = v;
        }
    }

    fn update_all(&mut self) {
        let ids = self.ids(|_| true);
        for &id in &ids {
            self.tcp_update(id);
            self.udp_sync(id);
            self.icmp_sync(id);
        }
        self.put_ids(ids);
    }

    /// The base for `collect`'s arrival and freed-space edges: every socket's
    /// queue levels now, before the poll moves anything (see `levels`).
    fn take_levels(&mut self) {
        if self.levels.len() != self.socks.len() {
            let socks = &self.socks;
            self.levels.retain(|id, _| socks.contains_key(id));
        }
        let ids = self.ids(|_| true);
        for &id in &ids {
            let l = self.queue_levels(id);
            self.levels.insert(id, l);
        }
        self.put_ids(ids);
    }

    /// Readiness changes since the last report, and arrivals and freed space
    /// since the poll began.
    fn collect(&mut self) -> Vec<(Arc<Pollee>, IoEvents)> {
        let ids = self.ids(|_| true);
        let mut out = Vec::new();
        for &id in &ids {
            let ev = self.events(id);
            let (rx, tx) = self.queue_levels(id);
            // take_levels gave every socket a base and the poll makes none, so the
            // default (all of it new) is only for completeness
            let (old_rx, old_tx) = self.levels.get(&id).copied().unwrap_or((0, usize::MAX));
            let mut again = 0;
            if rx > old_rx {
                again |= ev & (POLLIN | POLLRDNORM);
            }
            if tx < old_tx {
                again |= ev & (POLLOUT | POLLWRNORM);
            }
            if let Some(e) = self.socks.get_mut(&id) {
                let new = (ev & !e.last) | again;
                e.last = ev;
                if new != 0 {
                    out.push((e.pollee.clone(), new));
                }
            }
        }
        self.put_ids(ids);
        out
    }

    /// What `collect` would report for socket `id` after a change a call made
    /// itself: the readiness bits that changed since the last report, and `again`
    /// (an arrival or freed space) where set, as a poll's edges. Notified when the
    /// call leaves the lock, with no poll after it (`no_poll`).
    pub(crate) fn note_direct(&mut self, id: u64, again: IoEvents) {
        let ev = self.events(id);
        if let Some(e) = self.socks.get_mut(&id) {
            let new = (ev & !e.last) | (ev & again);
            e.last = ev;
            if new != 0 {
                self.direct.push((e.pollee.clone(), new));
            }
        }
        self.no_poll = true;
    }

    /// (receive level, send level) of a socket: queued bytes, or for a listener the
    /// established connections waiting for accept.
    fn queue_levels(&self, id: u64) -> (usize, usize) {
        match self.socks.get(&id).map(|e| &e.kind) {
            Some(Kind::Tcp(_)) => self.tcp_levels(id),
            Some(Kind::Udp(_)) => self.udp_levels(id),
            _ => (0, 0),
        }
    }

    pub fn events(&mut self, id: u64) -> IoEvents {
        match self.socks.get(&id).map(|e| &e.kind) {
            Some(Kind::Tcp(_)) => self.tcp_events(id),
            Some(Kind::Udp(_)) => self.udp_events(id),
            Some(Kind::Icmp(_)) => self.icmp_events(id),
            None => 0,
        }
    }

    pub fn remove_handle(&mut self, h: (usize, SocketHandle)) {
        if let Some(f) = self.ifaces.get_mut(h.0) {
            if let smoltcp::socket::Socket::Tcp(mut s) = f.set.remove(h.1) {
                use smoltcp::socket::tcp::State;
                // a TIME_WAIT socket (lo drops them at once, the active closer of
                // every loopback connection) is pooled too: out of the set, abort
                // sends nothing, and listen/connect reset it before it is used
                if s.state() == State::TimeWait {
                    s.abort();
                }
                if s.state() == State::Closed && self.tcp_pool.len() < TCP_POOL_MAX {
                    self.tcp_pool.push(s);
                }
            }
        }
    }
}

impl Stack {
    /// A stack with lo (127.0.0.1/8 and ::1/128, up). `clock` gives monotonic ms.
    pub fn new(clock: fn() -> i64, seed: u64, opts: StackOptions) -> Arc<Stack> {
        let now = Instant::from_millis(clock());
        let mut dev = Dev {
            kind: DevKind::Lo(VecDeque::new()),
            // lo reports MTU 65536 as Linux's; its device takes the largest IPv6
            // datagram (40 + 65535 bytes) whole, since smoltcp can't fragment IPv6
            mtu: 65536 + 64,
            stats: LinkStats::default(),
            syn_drop: Vec::new(),
            saw_syn: false,
        };
        let mut cfg = Config::new(HardwareAddress::Ip);
        cfg.random_seed = seed;
        let mut iface = Interface::new(cfg, &mut dev, now);
        // lo takes every destination routed to it (all of 127/8, as Linux)
        iface.set_any_ip(true);
        let lo = Iface {
            link: Link {
                index: 1,
                name: String::from("lo"),
                flags: iff::UP | iff::LOOPBACK | iff::RUNNING | iff::LOWER_UP,
                mtu: 65536,
                mac: [0; 6],
                link_type: ARPHRD_LOOPBACK,
                stats: LinkStats::default(),
            },
            dev,
            iface,
            set: SocketSet::new(Vec::new()),
            addrs: vec![
                IfAddr {
                    ifindex: 1,
                    family: AF_INET,
                    addr: vec![127, 0, 0, 1],
                    prefix_len: 8,
                },
                IfAddr {
                    ifindex: 1,
                    family: AF_INET6,
                    addr: Ipv6Address::LOCALHOST.octets().to_vec(),
                    prefix_len: 128,
                },
            ],
        };
        let mut inner = StackInner {
            ifaces: vec![lo],
            ports: Ports::default(),
            socks: BTreeMap::new(),
            orphans: Vec::new(),
            tw_holds: Vec::new(),
            tw_timed: alloc::collections::VecDeque::new(),
            tcp_pool: Vec::new(),
            ids_buf: Vec::new(),
            next_id: 0,
            now,
            seed: seed | 1,
            opts,
            levels: BTreeMap::new(),
            inos: BTreeMap::new(),
            direct: Vec::new(),
            no_poll: false,
        };
        inner.sync_lo();
        Arc::new(Stack {
            inner: Mutex::new(inner),
            clock,
            kick: Mutex::new(None),
            outside: spin::Once::new(),
        })
    }

    /// Attaches an Ethernet device (down, no address, as Linux before `ip link set
    /// up`). Returns its ifindex; its name is eth0, eth1, ...
    pub fn add_device(&self, d: Arc<dyn NetDevice>) -> u32 {
        let mut g = self.inner.lock();
        let now = Instant::from_millis((self.clock)());
        g.now = now;
        let n = g.ifaces.len();
        let mac = d.mac();
        let mtu = d.mtu();
        let mut dev = Dev {
            kind: DevKind::Eth(d),
            mtu: mtu as usize,
            stats: LinkStats::default(),
            syn_drop: Vec::new(),
            saw_syn: false,
        };
        let mut cfg = Config::new(HardwareAddress::Ethernet(EthernetAddress(mac)));
        cfg.random_seed = g.seed ^ (n as u64) << 32;
        let iface = Interface::new(cfg, &mut dev, now);
        let index = n as u32 + 1;
        g.ifaces.push(Iface {
            link: Link {
                index,
                name: alloc::format!("eth{}", n - 1),
                flags: iff::BROADCAST | iff::MULTICAST,
                mtu,
                mac,
                link_type: ARPHRD_ETHER,
                stats: LinkStats::default(),
            },
            dev,
            iface,
            set: SocketSet::new(Vec::new()),
            addrs: Vec::new(),
        });
        index
    }

    /// Called after a socket call's poll found an earlier deadline (the kernel wakes
    /// its stack thread so it sleeps for the right time).
    pub fn set_kick(&self, f: fn()) {
        *self.kick.lock() = Some(f);
    }

    /// What the kernel does around the part of every poll that runs under the
    /// stack's lock only. Rill's kernel lets go of its big lock there: the poll
    /// touches nothing but the stack, its devices (each behind its own lock), the
    /// heap and the clock, so another CPU can run its own system call meanwhile
    /// (a sender's loopback poll no longer stops the receiver). Notifications wait
    /// for `enter`: waking a task needs the kernel's lock. Set once, at the kernel's
    /// start; a later call changes nothing.
    pub fn set_outside(&self, o: Outside) {
        self.outside.call_once(|| o);
    }

    /// Polls all interfaces and notifies the sockets whose readiness changed.
    /// Returns the delay in ms until smoltcp wants the next poll (`None`: no
    /// timer pending).
    pub fn poll(&self) -> Option<u64> {
        let outside = self.outside.get().copied();
        let left = outside.map(|o| (o.leave)());
        let (notes, at) = {
            let mut g = self.inner.lock();
            self.poll_locked(&mut g)
        };
        if let (Some(o), Some(left)) = (outside, left) {
            (o.enter)(left);
        }
        for (p, ev) in notes {
            p.notify(ev);
        }
        at
    }

    /// The part of a poll under the stack's lock: the readiness changes to
    /// notify, and the delay until the next poll.
    fn poll_locked(&self, g: &mut StackInner) -> (Vec<(Arc<Pollee>, IoEvents)>, Option<u64>) {
        g.now = Instant::from_millis((self.clock)());
        let notes = g.poll_all();
        let at = g.poll_at();
        (notes, at.map(|t| (t - g.now.total_millis()).max(0) as u64))
    }

    /// `poll` from a socket call: also tells the kernel's thread about a timer.
    pub(crate) fn poll_from_call(&self) {
        if self.poll().is_some() {
            self.kick();
        }
    }

    fn kick(&self) {
        let k = *self.kick.lock();
        if let Some(k) = k {
            k();
        }
    }

    /// Runs a socket call `f` under the stack's lock, then what has to follow it: a
    /// poll (what `f` queued goes out, what it freed is reported), unless `f` did all
    /// of that itself (`StackInner::note_direct`, `no_poll`): then only its notes are
    /// notified.
    ///
    /// When another CPU holds the lock (its poll, run outside the kernel's lock),
    /// the call lets go of the kernel's lock while it waits (`Outside::leave`, which
    /// declines where that is not allowed), then runs and polls in one hold and
    /// takes the kernel's lock back before it notifies. Waiting with the kernel's
    /// lock held made the two CPUs of a loopback exchange take turns: the poller,
    /// done, waited for the kernel's lock that the waiter held while it waited
    /// for the stack's.
    pub(crate) fn call<R>(&self, f: impl FnOnce(&mut StackInner) -> R) -> R {
        let outside = self.outside.get().copied();
        let (mut g, left) = match self.inner.try_lock() {
            Some(g) => (g, false),
            None => {
                let left = outside.is_some_and(|o| (o.leave)());
                (self.inner.lock(), left)
            }
        };
        g.now = Instant::from_millis((self.clock)());
        let r = f(&mut g);
        let direct =
            core::mem::replace(&mut g.no_poll, false).then(|| core::mem::take(&mut g.direct));
        if !left {
            drop(g);
            match direct {
                Some(notes) => notes.into_iter().for_each(|(p, ev)| p.notify(ev)),
                None => self.poll_from_call(),
            }
            return r;
        }
        let (notes, at) = match direct {
            Some(notes) => (notes, None),
            None => self.poll_locked(&mut g),
        };
        drop(g);
        if let Some(o) = outside {
            (o.enter)(true);
        }
        for (p, ev) in notes {
            p.notify(ev);
        }
        if at.is_some() {
            self.kick();
        }
        r
    }

    pub(crate) fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    /// Every TCP and UDP socket, for /proc/net.
    pub fn sockets(&self) -> Vec<InetSockInfo> {
        let mut g = self.inner.lock();
        let ids: Vec<u64> = g.socks.keys().copied().collect();
        let g = &mut *g;
        let socks = &g.socks;
        g.inos.retain(|id, _| socks.contains_key(id));
        ids.into_iter()
            .filter_map(|id| {
                let mut info = g.sock_info(id)?;
                info.inode = g.inos.get(&id).copied().unwrap_or(0);
                Some(info)
            })
            .collect()
    }

    /// Records the inode number of socket `id`'s file (for /proc/net).
    pub(crate) fn set_ino(&self, id: u64, ino: u64) {
        self.inner.lock().inos.insert(id, ino);
    }

    /// Applies `ip=` (a static address, gateway and the device up).
    pub fn apply_ip_param(&self, p: &super::ipconfig::StaticIp) -> KResult<()> {
        let idx = {
            let g = self.inner.lock();
            match &p.device {
                Some(n) => g.ifaces.iter().position(|f| &f.link.name == n),
                None => (g.ifaces.len() > 1).then_some(1),
            }
            .ok_or(Errno::ENODEV)?
        };
        let ifindex = idx as u32 + 1;
        self.set_link_up(ifindex, true)?;
        self.add_addr(&IfAddr {
            ifindex,
            family: AF_INET,
            addr: p.client.to_vec(),
            prefix_len: p.prefix_len,
        })?;
        if let Some(gw) = p.gateway {
            self.add_route(&Route {
                family: AF_INET,
                dst: vec![0; 4],
                dst_len: 0,
                gateway: Some(gw.to_vec()),
                ifindex,
                protocol: 4, // RTPROT_BOOT
                scope: 0,
                metric: 0,
            })?;
        }
        Ok(())
    }
}

const RTPROT_KERNEL: u8 = 2;
const RT_SCOPE_LINK: u8 = 253;

impl NetConfig for Stack {
    fn links(&self) -> Vec<Link> {
        let g = self.inner.lock();
        g.ifaces
            .iter()
            .map(|f| {
                let mut l = f.link.clone();
                l.stats = f.dev.stats;
                l
            })
            .collect()
    }

    fn addrs(&self) -> Vec<IfAddr> {
        let g = self.inner.lock();
        g.ifaces
            .iter()
            .flat_map(|f| f.addrs.iter().cloned())
            .collect()
    }

    fn routes(&self) -> Vec<Route> {
        let g = self.inner.lock();
        let mut out = Vec::new();
        for f in g.ifaces.iter().skip(1) {
            if f.link.flags & iff::UP == 0 {
                continue;
            }
            for a in &f.addrs {
                // the prefix route Linux adds with each address
                if let Ok(c) = cidr(a.family, &a.addr, a.prefix_len) {
                    let net = match c {
                        IpCidr::Ipv4(x) => x.network().address().octets().to_vec(),
                        IpCidr::Ipv6(x) => {
                            let mut o = x.address().octets();
                            let n = x.prefix_len() as usize;
                            for (i, b) in o.iter_mut().enumerate() {
                                let keep = n.saturating_sub(i * 8).min(8);
                                *b &= (0xffu16 << (8 - keep)) as u8;
                            }
                            o.to_vec()
                        }
                    };
                    out.push(Route {
                        family: a.family,
                        dst: net,
                        dst_len: a.prefix_len,
                        gateway: None,
                        ifindex: f.link.index,
                        protocol: RTPROT_KERNEL,
                        scope: RT_SCOPE_LINK,
                        metric: if a.family == AF_INET6 { 256 } else { 0 },
                    });
                }
            }
            if let Some(r) = f.iface.routes().get_default_ipv4_route() {
                out.push(Route {
                    family: AF_INET,
                    dst: vec![0; 4],
                    dst_len: 0,
                    gateway: Some(ip_bytes(&r.via_router)),
                    ifindex: f.link.index,
                    protocol: 4,
                    scope: 0,
                    metric: 0,
                });
            }
            if let Some(r) = f.iface.routes().get_default_ipv6_route() {
                out.push(Route {
                    family: AF_INET6,
                    dst: vec![0; 16],
                    dst_len: 0,
                    gateway: Some(ip_bytes(&r.via_router)),
                    ifindex: f.link.index,
                    protocol: 4,
                    scope: 0,
                    metric: 1024,
                });
            }
        }
        out
    }

    fn set_link_up(&self, ifindex: u32, up: bool) -> KResult<()> {
        {
            let mut g = self.inner.lock();
            let f = g
                .ifaces
                .get_mut((ifindex as usize).wrapping_sub(1))
                .ok_or(Errno::ENODEV)?;
            if up {
                let running = match &f.dev.kind {
                    DevKind::Eth(d) => d.link_up(),
                    DevKind::Lo(_) => true,
                };
                f.link.flags |= iff::UP;
                if running {
                    f.link.flags |= iff::RUNNING | iff::LOWER_UP;
                }
            } else {
                f.link.flags &= !(iff::UP | iff::RUNNING | iff::LOWER_UP);
            }
        }
        self.poll();
        Ok(())
    }

    fn set_mtu(&self, ifindex: u32, mtu: u32) -> KResult<()> {
        let mut g = self.inner.lock();
        let f = g
            .ifaces
            .get_mut((ifindex as usize).wrapping_sub(1))
            .ok_or(Errno::ENODEV)?;
        if !(68..=65536).contains(&mtu) {
            return Err(Errno::EINVAL);
        }
        if let DevKind::Eth(d) = &f.dev.kind {
            if mtu > d.mtu() {
                return Err(Errno::EINVAL);
            }
        }
        // smoltcp reads the MTU from the device's capabilities at creation; a
        // smaller MTU is recorded and reported (frames keep the device's MTU)
        f.link.mtu = mtu;
        Ok(())
    }

    fn add_addr(&self, a: &IfAddr) -> KResult<()> {
        cidr(a.family, &a.addr, a.prefix_len)?;
        let mut g = self.inner.lock();
        let idx = (a.ifindex as usize).wrapping_sub(1);
        let f = g.ifaces.get_mut(idx).ok_or(Errno::ENODEV)?;
        if f.addrs
            .iter()
            .any(|x| x.family == a.family && x.addr == a.addr)
        {
            return Err(Errno::EEXIST);
        }
        let total: usize = 2 + g
            .ifaces
            .iter()
            .skip(1)
            .map(|f| f.addrs.len())
            .sum::<usize>();
        if total >= 8 {
            return Err(Errno::ENOSPC);
        }
        if let Some(f) = g.ifaces.get_mut(idx) {
            f.addrs.push(a.clone());
        }
        g.apply_addrs(idx);
        Ok(())
    }

    fn del_addr(&self, a: &IfAddr) -> KResult<()> {
        let mut g = self.inner.lock();
        let idx = (a.ifindex as usize).wrapping_sub(1);
        let f = g.ifaces.get_mut(idx).ok_or(Errno::ENODEV)?;
        let before = f.addrs.len();
        f.addrs
            .retain(|x| !(x.family == a.family && x.addr == a.addr));
        if f.addrs.len() == before {
            return Err(Errno::EADDRNOTAVAIL);
        }
        g.apply_addrs(idx);
        Ok(())
    }

    fn add_route(&self, r: &Route) -> KResult<()> {
        let mut g = self.inner.lock();
        let Some(gw) = &r.gateway else {
            // a route to an on-link prefix: smoltcp sends to a subnet it has an
            // address in directly; other on-link prefixes are not supported
            return Err(Errno::EOPNOTSUPP);
        };
        let gwc = cidr(r.family, gw, if r.family == AF_INET { 32 } else { 128 })?;
        let gwip = gwc.address();
        // the interface: given, or the one whose subnet holds the gateway
        let idx = g
            .ifaces
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, f)| {
                (r.ifindex == 0 || f.link.index == r.ifindex)
                    && f.iface.ip_addrs().iter().any(|c| c.contains_addr(&gwip))
            })
            .map(|(i, _)| i)
            .ok_or(Errno::ENETUNREACH)?;
        if r.dst_len != 0 {
            let dst = cidr(r.family, &r.dst, r.dst_len)?;
            let f = &mut g.ifaces[idx];
            let mut full = false;
            f.iface.routes_mut().update(|v| {
                if v.iter().any(|x| x.cidr == dst) {
                    return;
                }
                full = v
                    .push(smoltcp::iface::Route {
                        cidr: dst,
                        via_router: gwip,
                        preferred_until: None,
                        expires_at: None,
                    })
                    .is_err();
            });
            return if full { Err(Errno::ENOSPC) } else { Ok(()) };
        }
        let f = &mut g.ifaces[idx];
        let exists = match gwip {
            IpAddress::Ipv4(_) => f.iface.routes().get_default_ipv4_route().is_some(),
            IpAddress::Ipv6(_) => f.iface.routes().get_default_ipv6_route().is_some(),
        };
        if exists {
            return Err(Errno::EEXIST);
        }
        let res = match gwip {
            IpAddress::Ipv4(a) => f.iface.routes_mut().add_default_ipv4_route(a).map(|_| ()),
            IpAddress::Ipv6(a) => f.iface.routes_mut().add_default_ipv6_route(a).map(|_| ()),
        };
        res.map_err(|_| Errno::ENOSPC)
    }

    fn del_route(&self, r: &Route) -> KResult<()> {
        let mut g = self.inner.lock();
        let dst = cidr(r.family, &r.dst, r.dst_len)?;
        let mut found = false;
        for f in g.ifaces.iter_mut().skip(1) {
            if r.ifindex != 0 && f.link.index != r.ifindex {
                continue;
            }
            f.iface.routes_mut().update(|v| {
                let before = v.len();
                v.retain(|x| x.cidr != dst);
                found |= v.len() != before;
            });
        }
        if found {
            Ok(())
        } else {
            Err(Errno::ESRCH)
        }
    }
}
