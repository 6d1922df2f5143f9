//! UDP: the state behind a `SOCK_DGRAM` inet socket. A bound socket has one
//! smoltcp UDP socket per interface it is attached to; receiving takes from any of
//! them, sending uses the one of the route's interface.

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_vfs::poll::*;
use rill_vfs::IoEvents;
use smoltcp::socket::udp::{self, UdpMetadata};
use smoltcp::wire::{IpAddress, IpEndpoint, IpListenEndpoint, IpVersion};

use super::c::{MSG_PEEK, MSG_TRUNC, SHUT_RD, SHUT_RDWR, SHUT_WR};
use super::ports::BindAddr;
use super::stack::{bind_ip, parse_remote, sockaddr, Entry, Kind, StackInner};
use super::tcp::{SockOpts, H};
use super::{sock, IPPROTO_UDP};
use crate::procnet::InetSockInfo;
use crate::socket::{opt, Cmsg, RecvInfo, AF_INET};
use crate::SockAddr;

pub(crate) struct UdpState {
    pub bind: Option<(BindAddr, u16)>,
    pub handles: Vec<H>,
    pub peer: Option<(IpAddress, u16)>,
    /// The source address chosen by connect (what getsockname shows).
    pub conn_local: Option<IpAddress>,
    pub opts: SockOpts,
    pub error: Option<Errno>,
    pub shut_rd: bool,
    pub shut_wr: bool,
    /// bind gave a nonzero port (Linux's SOCK_BINDPORT_LOCK): disconnect keeps it.
    pub port_locked: bool,
    /// Datagrams taken out of a smoltcp queue on a shared port and given to this
    /// socket (see [`StackInner::udp_steer`]), with the index of the interface they
    /// came in by; received before the smoltcp queues.
    pub steered: VecDeque<(Vec<u8>, UdpMetadata, u32)>,
    pub steered_bytes: usize,
}

/// Whether a socket's steered queue takes one more datagram: while the payload
/// queued is at most SO_RCVBUF's value (the doubled one getsockopt reads), as
/// Linux's `__udp_enqueue_schedule_skb` takes one while the memory charged is at
/// most `sk_rcvbuf` (so an empty queue takes any datagram); more is dropped.
/// Linux charges each datagram's truesize (the payload and about 1 KB more), Rill
/// the payload, so a queue of small datagrams holds more than Linux's.
fn steer_room(u: &UdpState) -> bool {
    u.steered_bytes <= usize::try_from(u.opts.rcvbuf).unwrap_or(0)
}

/// The packet metadata id (`smoltcp::phy::PacketMeta::id`) carries a received
/// packet's TTL/hop limit (bits 0-7) and TOS/traffic class (bits 8-15), valid
/// with [`META_RX`] (set by the device from the IP header, see [`rx_meta`]); a
/// datagram to send carries its TOS or traffic class with [`META_TX_TOS`] (see
/// [`apply_tx_meta`]).
pub(crate) const META_RX: u32 = 1 << 31;
pub(crate) const META_TX_TOS: u32 = 1 << 30;

/// The metadata id of a received IP packet (`pkt` starts at its IP header); 0 if
/// it is neither IPv4 nor IPv6.
pub(crate) fn rx_meta(pkt: &[u8]) -> u32 {
    let (Some(&b0), Some(&b1)) = (pkt.first(), pkt.get(1)) else {
        return 0;
    };
    let (ttl, tos) = match b0 >> 4 {
        4 => (pkt.get(8), b1),
        6 => (pkt.get(7), (b0 << 4) | (b1 >> 4)),
        _ => return 0,
    };
    match ttl {
        Some(&t) => META_RX | u32::from(tos) << 8 | u32::from(t),
        None => 0,
    }
}

/// Writes the TOS of an outgoing IPv4 packet (`pkt` starts at its IP header) that
/// carries one in its metadata id, and recomputes the header checksum; or the
/// traffic class of an IPv6 one (no header checksum).
pub(crate) fn apply_tx_meta(pkt: &mut [u8], id: u32) {
    if id & META_TX_TOS == 0 {
        return;
    }
    let Some(&b0) = pkt.first() else { return };
    let tc = (id >> 8) as u8;
    if b0 >> 4 == 6 {
        if let Some(b1) = pkt.get(1).copied() {
            pkt[0] = 0x60 | tc >> 4;
            pkt[1] = tc << 4 | (b1 & 0xf);
        }
        return;
    }
    let ihl = usize::from(b0 & 0xf) * 4;
    if b0 >> 4 != 4 || ihl < 20 || pkt.len() < ihl {
        return;
    }
    pkt[1] = (id >> 8) as u8;
    pkt[10] = 0;
    pkt[11] = 0;
    let mut sum: u32 = 0;
    for w in pkt[..ihl].chunks_exact(2) {
        sum += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    let c = !(sum as u16);
    pkt[10..12].copy_from_slice(&c.to_be_bytes());
}

/// A socket's options that decide what a received datagram's control messages are.
struct RecvOpts {
    family: u16,
    pktinfo: bool,
    pktinfo6: bool,
    ip_flags: u32,
    hoplimit6: bool,
    tclass6: bool,
}

impl RecvOpts {
    /// What recv gives for datagram `data` (copied into `buf`) that came in by the
    /// interface of index `ifindex`.
    fn info(&self, buf: &mut [u8], data: &[u8], meta: &UdpMetadata, ifindex: u32) -> RecvInfo {
        let n = data.len().min(buf.len());
        buf[..n].copy_from_slice(&data[..n]);
        let full = data.len();
        let mut cmsgs = Vec::new();
        let dst = meta.local_address;
        match dst {
            Some(IpAddress::Ipv4(a)) if self.pktinfo && self.family == AF_INET => {
                let mut d = Vec::with_capacity(12);
                d.extend_from_slice(&(ifindex as i32).to_ne_bytes());
                d.extend_from_slice(&a.octets());
                d.extend_from_slice(&a.octets());
                cmsgs.push(Cmsg::Other {
                    level: opt::SOL_IP,
                    ty: opt::IP_PKTINFO,
                    data: d,
                });
            }
            Some(ip) if self.pktinfo6 && self.family != AF_INET => {
                let a = match ip {
                    IpAddress::Ipv4(a) => a.to_ipv6_mapped().octets(),
                    IpAddress::Ipv6(a) => a.octets(),
                };
                let mut d = Vec::with_capacity(20);
                d.extend_from_slice(&a);
                d.extend_from_slice(&(ifindex as i32).to_ne_bytes());
                cmsgs.push(Cmsg::Other {
                    level: opt::SOL_IPV6,
                    ty: opt::IPV6_PKTINFO,
                    data: d,
                });
            }
            _ => {}
        }
        let rx = if meta.meta.id & META_RX != 0 {
            meta.meta.id
        } else {
            64
        };
        let (ttl, tos) = ((rx & 0xff) as i32, (rx >> 8) as u8);
        let v4 = meta.endpoint.addr.version() == IpVersion::Ipv4;
        // ip_cmsg_recv's order: PKTINFO, TTL, TOS. A v6 socket (udpv6_recvmsg):
        // IPV6_PKTINFO, then for an IPv4 datagram the IP ones, else
        // IPV6_HOPLIMIT, IPV6_TCLASS.
        let mut ip_cmsgs = Vec::new();
        if v4 && self.ip_flags & 1 << sock::IP_RECVTTL != 0 {
            ip_cmsgs.push(Cmsg::Other {
                level: opt::SOL_IP,
                ty: opt::IP_TTL,
                data: ttl.to_ne_bytes().to_vec(),
            });
        }
        if v4 && self.ip_flags & 1 << opt::IP_RECVTOS != 0 {
            ip_cmsgs.push(Cmsg::Other {
                level: opt::SOL_IP,
                ty: opt::IP_TOS,
                data: vec![tos],
            });
        }
        if v4 {
            cmsgs.extend(ip_cmsgs);
        } else if self.family != AF_INET {
            if self.hoplimit6 {
                cmsgs.push(Cmsg::Other {
                    level: opt::SOL_IPV6,
                    ty: sock::IPV6_HOPLIMIT,
                    data: ttl.to_ne_bytes().to_vec(),
                });
            }
            if self.tclass6 {
                cmsgs.push(Cmsg::Other {
                    level: opt::SOL_IPV6,
                    ty: opt::IPV6_TCLASS,
                    data: i32::from(tos).to_ne_bytes().to_vec(),
                });
            }
        }
        RecvInfo {
            len: n,
            full_len: full,
            addr: Some(sockaddr(
                self.family,
                Some(meta.endpoint.addr),
                meta.endpoint.port,
            )),
            cmsgs,
            flags: if full > n { MSG_TRUNC } else { 0 },
        }
    }
}

/// The TOS (`IP_TOS`) and traffic class (`IPV6_TCLASS`) a
/// sendmsg's control messages give, checked as `ip_cmsg_send` and
/// `ip6_datagram_send_ctl` do; other messages are ignored.
fn send_cmsgs(cmsgs: &[Cmsg]) -> KResult<(Option<i32>, Option<i32>)> {
    let (mut tos, mut tclass) = (None, None);
    for c in cmsgs {
        let Cmsg::Other { level, ty, data } = c else {
            continue;
        };
        let int = <[u8; 4]>::try_from(&data[..]).map(i32::from_ne_bytes);
        match (*level, *ty) {
            (opt::SOL_IP, opt::IP_TOS) => {
                let v = match (int, data.first()) {
                    (Ok(v), _) => v,
                    (_, Some(&b)) if data.len() == 1 => i32::from(b),
                    _ => return Err(Errno::EINVAL),
                };
                if !(0..=255).contains(&v) {
                    return Err(Errno::EINVAL);
                }
                tos = Some(v);
            }
            (opt::SOL_IPV6, opt::IPV6_TCLASS) => {
                let v = int.map_err(|_| Errno::EINVAL)?;
                if !(-1..=255).contains(&v) {
                    return Err(Errno::EINVAL);
                }
                // -1 is not the socket's value here: Linux writes it as 0xff
                // (ipcm6_init_sk puts the socket's in first, the message replaces it)
                tclass = Some(v & 0xff);
            }
            _ => {}
        }
    }
    Ok((tos, tclass))
}

/// Whether `dst`, the destination of a datagram that came in by `iface`, is a
/// unicast address (not multicast, not a broadcast one).
fn unicast_on(iface: &smoltcp::iface::Interface, dst: &IpAddress) -> bool {
    match dst {
        IpAddress::Ipv4(a) => {
            !a.is_multicast()
                && !a.is_broadcast()
                && !iface.ip_addrs().iter().any(|c| match c {
                    smoltcp::wire::IpCidr::Ipv4(c) => c.broadcast() == Some(*a),
                    _ => false,
                })
        }
        IpAddress::Ipv6(a) => !a.is_multicast(),
    }
}

/// The local address datagrams to `u` (bound to `baddr`) must be sent to: the
/// bound one, else for a connected socket the source address connect chose
/// (`ip4_datagram_connect` and `ip6_datagram_connect` bind a wildcard socket to
/// it); `None`: any.
fn udp_local_ip(u: &UdpState, baddr: BindAddr) -> Option<IpAddress> {
    bind_ip(baddr).or(u.peer.and(u.conn_local))
}

/// Largest payloads (65535 minus the IP and UDP headers).
const MAX_V4: usize = 65507;
const MAX_V6: usize = 65527;

impl UdpState {
    pub fn new() -> UdpState {
        UdpState {
            bind: None,
            handles: Vec::new(),
            peer: None,
            conn_local: None,
            opts: SockOpts::new(false),
            error: None,
            shut_rd: false,
            shut_wr: false,
            port_locked: false,
            steered: VecDeque::new(),
            steered_bytes: 0,
        }
    }
}

fn new_udp_socket() -> udp::Socket<'static> {
    udp::Socket::new(
        // enough slots for the buffer full of small datagrams (RTP bursts)
        udp::PacketBuffer::new(
            vec![udp::PacketMetadata::EMPTY; 1024],
            vec![0u8; 256 * 1024],
        ),
        udp::PacketBuffer::new(vec![udp::PacketMetadata::EMPTY; 512], vec![0u8; 160 * 1024]),
    )
}

impl StackInner {
    pub(crate) fn udp(&mut self, id: u64) -> KResult<&mut UdpState> {
        match self.socks.get_mut(&id).map(|e| &mut e.kind) {
            Some(Kind::Udp(u)) => Ok(u),
            _ => Err(Errno::EBADF),
        }
    }

    fn udp_ref(&self, id: u64) -> KResult<&UdpState> {
        match self.socks.get(&id).map(|e| &e.kind) {
            Some(Kind::Udp(u)) => Ok(u),
            _ => Err(Errno::EBADF),
        }
    }

    pub fn udp_bind(&mut self, id: u64, addr: BindAddr, port: u16) -> KResult<()> {
        let u = self.udp(id)?;
        if u.bind.is_some() {
            return Err(Errno::EINVAL);
        }
        let o = u.opts.clone();
        let o_port_locked = port != 0;
        let port = self.bind_common(id, IPPROTO_UDP, addr, port, &o)?;
        let u = self.udp(id)?;
        u.bind = Some((addr, port));
        u.port_locked = o_port_locked;
        self.udp_sync(id);
        Ok(())
    }

    fn udp_autobind(&mut self, id: u64, family: u16) -> KResult<()> {
        if self.udp(id)?.bind.is_some() {
            return Ok(());
        }
        let any = if family == AF_INET {
            BindAddr::Any4
        } else {
            BindAddr::Any6
        };
        self.udp_bind(id, any, 0)
    }

    /// Attaches smoltcp sockets to interfaces that appeared, and drops datagrams a
    /// connected socket or the family filters out.
    pub fn udp_sync(&mut self, id: u64) {
        let family = match self.socks.get(&id) {
            Some(e) => e.family,
            None => return,
        };
        let Ok(u) = self.udp(id) else { return };
        let Some((baddr, port)) = u.bind else { return };
        // no allocation here: this runs for every UDP socket at every poll
        let have = |u: &UdpState, idx: usize| u.handles.iter().any(|h| h.0 == idx);
        let peer = u.peer;
        let local = udp_local_ip(u, baddr);
        let v6only = u.opts.v6only;
        let hop = u.opts.ttl;
        for idx in 0..self.ifaces.len() {
            if self.udp(id).is_ok_and(|u| have(u, idx)) || !self.attached(baddr, idx) {
                continue;
            }
            let mut s = new_udp_socket();
            s.set_hop_limit(Some(hop.clamp(1, 255) as u8));
            if s.bind(IpListenEndpoint {
                addr: bind_ip(baddr),
                port,
            })
            .is_err()
            {
                continue;
            }
            let h = (idx, self.ifaces[idx].set.add(s));
            if let Ok(u) = self.udp(id) {
                u.handles.push(h);
            }
        }
        let shared = self.udp_port_shared(id, family, baddr, port);
        let n = self.udp(id).map_or(0, |u| u.handles.len());
        for i in 0..n {
            let Some(h) = self.udp(id).ok().and_then(|u| u.handles.get(i).copied()) else {
                break;
            };
            if shared {
                self.udp_steer(id, h, port);
                continue;
            }
            let Some(f) = self.ifaces.get_mut(h.0) else {
                continue;
            };
            let iface = &f.iface;
            let s = f.set.get_mut::<udp::Socket>(h.1);
            while let Ok((_, m)) = s.peek() {
                let src = m.endpoint;
                let ok_family = match src.addr.version() {
                    IpVersion::Ipv6 => family != AF_INET,
                    IpVersion::Ipv4 => family == AF_INET || !v6only,
                };
                let ok_peer = peer.is_none_or(|(a, p)| a == src.addr && p == src.port);
                let dst = m.local_address;
                if ok_family && ok_peer && (local.is_none() || dst.is_none() || dst == local) {
                    break;
                }
                // to another address than a connected socket's: unless broadcast or
                // multicast, Linux's lookup would not have found it
                if ok_family && ok_peer && dst.is_some_and(|d| !unicast_on(iface, &d)) {
                    break;
                }
                let _ = s.recv();
            }
        }
    }

    /// Whether another UDP socket on `port` could be the better receiver of a
    /// datagram smoltcp gives to `id` (it hands each to the first socket of its set
    /// that takes it): one bound differently, of the other family or V6ONLY
    /// setting, or connected, or `id` itself connected. Not for a group of alike
    /// sockets (SO_REUSEPORT, SO_REUSEADDR), whose datagrams stay where smoltcp put
    /// them.
    fn udp_port_shared(&self, id: u64, family: u16, baddr: BindAddr, port: u16) -> bool {
        let shape = |i: u64| match self.socks.get(&i) {
            Some(Entry {
                kind: Kind::Udp(u),
                family,
                ..
            }) => Some((
                *family,
                u.bind.map(|b| b.0),
                u.opts.v6only,
                u.peer.is_some(),
            )),
            _ => None,
        };
        let me = Some((
            family,
            Some(baddr),
            self.udp_ref(id).is_ok_and(|u| u.opts.v6only),
            false,
        ));
        let connected = self.udp_ref(id).is_ok_and(|u| u.peer.is_some());
        self.ports
            .on_port(IPPROTO_UDP, port)
            .any(|b| b.id != id && (connected || shape(b.id) != me))
    }

    /// Empties `id`'s smoltcp socket `h` on a shared port, giving each datagram to
    /// the socket Linux would deliver it to ([`StackInner::udp_best`]); one that no
    /// socket takes is dropped.
    fn udp_steer(&mut self, id: u64, h: H, port: u16) {
        let Some(f) = self.ifaces.get_mut(h.0) else {
            return;
        };
        let ifindex = f.link.index;
        let s = f.set.get_mut::<udp::Socket>(h.1);
        let mut got = Vec::new();
        while let Ok((d, m)) = s.recv() {
            got.push((d.to_vec(), m));
        }
        for (d, m) in got {
            let Some(dst) = m.local_address else { continue };
            let Some(t) = self.udp_best(h.0, id, m.endpoint, dst, port) else {
                continue;
            };
            if let Ok(u) = self.udp(t) {
                if steer_room(u) {
                    u.steered_bytes += d.len();
                    u.steered.push_back((d, m, ifindex));
                }
            }
        }
    }

    /// The socket a datagram from `src` to `dst`:`port` that came in by interface
    /// `idx` goes to, as Linux's `__udp4_lib_lookup`/`__udp6_lib_lookup` choose:
    /// among the sockets on the port that take it (of its family, bound to `dst` or
    /// a wildcard (a wildcard socket connected is bound to its source address, as
    /// Linux's connect sets `inet_rcv_saddr`), connected to `src` if connected), one bound to `dst` first, then
    /// a connected one, then (IPv4) an AF_INET one over a dual-stack AF_INET6 one.
    /// `holder` (the socket smoltcp gave it to) wins a tie. A broadcast or
    /// multicast datagram (which Linux copies to every socket; Rill gives it to
    /// one) stays with `holder` if it takes it.
    fn udp_best(
        &self,
        idx: usize,
        holder: u64,
        src: IpEndpoint,
        dst: IpAddress,
        port: u16,
    ) -> Option<u64> {
        let unicast = self
            .ifaces
            .get(idx)
            .is_some_and(|f| unicast_on(&f.iface, &dst));
        let v4 = dst.version() == IpVersion::Ipv4;
        let mut best: Option<(u8, u64)> = None;
        for b in self.ports.on_port(IPPROTO_UDP, port) {
            let Some(Entry {
                kind: Kind::Udp(u),
                family,
                ..
            }) = self.socks.get(&b.id)
            else {
                continue;
            };
            if !u.handles.iter().any(|h| h.0 == idx) {
                continue;
            }
            let Some((baddr, _)) = u.bind else { continue };
            let family_ok = if v4 {
                *family == AF_INET || !u.opts.v6only
            } else {
                *family != AF_INET
            };
            let exact = match udp_local_ip(u, baddr) {
                None => Some(false),
                Some(l) if l == dst => Some(true),
                Some(_) if !unicast => Some(false),
                Some(_) => None,
            };
            let peer_ok = u.peer.is_none_or(|(a, p)| a == src.addr && p == src.port);
            let (true, Some(exact), true) = (family_ok, exact, peer_ok) else {
                continue;
            };
            if !unicast {
                if b.id == holder {
                    return Some(holder);
                }
                best = best.or(Some((0, b.id)));
                continue;
            }
            let rank = u8::from(exact) << 2
                | u8::from(u.peer.is_some()) << 1
                | u8::from(v4 && *family == AF_INET);
            match best {
                Some((r, _)) if r > rank || (r == rank && b.id != holder) => {}
                _ => best = Some((rank, b.id)),
            }
        }
        best.map(|(_, id)| id)
    }

    pub fn udp_connect(&mut self, id: u64, family: u16, addr: &SockAddr) -> KResult<()> {
        if let SockAddr::Unspec = addr {
            let u = self.udp(id)?;
            u.peer = None;
            u.conn_local = None;
            // Linux drops an automatic (or port-0) binding to a wildcard address
            let unbind =
                !u.port_locked && matches!(u.bind, Some((BindAddr::Any4 | BindAddr::Any6, _)));
            if unbind {
                u.bind = None;
                let hs = core::mem::take(&mut u.handles);
                for h in hs {
                    self.remove_handle(h);
                }
                self.ports.unbind(id);
            }
            return Ok(());
        }
        let v6only = self.udp(id)?.opts.v6only;
        // ip6_datagram_connect: a sockaddr_in is an IPv4 connect (__ip4_datagram_connect),
        // refused on a V6ONLY socket
        let mapped;
        let addr = match addr {
            SockAddr::Inet { addr: a, port } if family != AF_INET => {
                if v6only {
                    return Err(Errno::EAFNOSUPPORT);
                }
                mapped = SockAddr::v4_mapped(*a, *port);
                &mapped
            }
            a => a,
        };
        let (ip, port) = parse_remote(family, v6only, addr)?;
        let idx = self.route(&ip)?;
        let src = self.source_for(idx, &ip);
        self.udp_autobind(id, family)?;
        let u = self.udp(id)?;
        u.peer = Some((ip, port));
        u.conn_local = src;
        u.error = None;
        self.udp_sync(id);
        Ok(())
    }

    pub fn udp_send(
        &mut self,
        id: u64,
        family: u16,
        data: &[u8],
        to: Option<&SockAddr>,
        cmsgs: &[Cmsg],
    ) -> KResult<usize> {
        let (tos_c, tclass_c) = send_cmsgs(cmsgs)?;
        let u = self.udp(id)?;
        if u.shut_wr {
            return Err(Errno::EPIPE);
        }
        // a pending ICMP error (ECONNREFUSED) is reported once, by the next call
        if let Some(e) = u.error.take() {
            return Err(e);
        }
        // AF_UNSPEC: v6 takes it as no address (udpv6_sendmsg); the syscall layer
        // gives a v4 socket's as AF_INET (`SockAddr::parse_dest`), a bare one here is
        // 0.0.0.0 port 0 (EINVAL)
        // a sockaddr_in on a v6 socket: udpv6_sendmsg hands the datagram to udp_sendmsg
        // (IPv4), or gives ENETUNREACH on a V6ONLY one (parse_remote, as for ::ffff:a.b.c.d)
        let mapped;
        let to = match to {
            Some(SockAddr::Unspec) if family == AF_INET => return Err(Errno::EINVAL),
            Some(SockAddr::Unspec) => None,
            Some(SockAddr::Inet { addr, port }) if family != AF_INET => {
                mapped = SockAddr::v4_mapped(*addr, *port);
                Some(&mapped)
            }
            t => t,
        };
        let v6only = u.opts.v6only;
        let broadcast_ok = u.opts.broadcast;
        let (tos, tclass) = (u.opts.tos, u.opts.tclass);
        let (ip, port) = match to {
            Some(a) => parse_remote(family, v6only, a)?,
            None => u.peer.ok_or(Errno::EDESTADDRREQ)?,
        };
        let max = if ip.version() == IpVersion::Ipv4 {
            MAX_V4
        } else {
            MAX_V6
        };
        if data.len() > max {
            return Err(Errno::EMSGSIZE);
        }
        if port == 0 {
            return Err(Errno::EINVAL);
        }
        if let IpAddress::Ipv4(a) = ip {
            if a.is_broadcast() && !broadcast_ok {
                return Err(Errno::EACCES);
            }
        }
        let idx = self.route(&ip)?;
        let src = self.source_for(idx, &ip);
        self.udp_autobind(id, family)?;
        self.udp_sync(id);
        let u = self.udp(id)?;
        let bound_ip = u.bind.and_then(|(a, _)| bind_ip(a));
        let h = *u
            .handles
            .iter()
            .find(|h| h.0 == idx)
            .ok_or(Errno::ENETUNREACH)?;
        let sport = u.bind.map_or(0, |b| b.1);
        // IP_TTL for IPv4 (also from a v6 socket), IPV6_UNICAST_HOPS for IPv6
        let hop = if ip.version() == IpVersion::Ipv4 {
            u.opts.ttl.clamp(1, 255)
        } else {
            u.opts.hops.clamp(0, 255)
        } as u8;
        let f = self.ifaces.get_mut(h.0).ok_or(Errno::ENETUNREACH)?;
        let s = f.set.get_mut::<udp::Socket>(h.1);
        if s.payload_send_capacity() < data.len() {
            return Err(Errno::EMSGSIZE);
        }
        // an IPv4 datagram (also from a v6 socket: udpv6_sendmsg hands it to
        // udp_sendmsg) takes IP_TOS, an IPv6 one IPV6_TCLASS; a control message
        // overrides the option
        let tos = if ip.version() == IpVersion::Ipv4 {
            tos_c.unwrap_or(tos)
        } else {
            tclass_c.unwrap_or(tclass)
        };
        // over lo to a socket alone on its port: straight into its queue
        let from = bound_ip.or(src).map(|a| IpEndpoint::new(a, sport));
        if let (0, Some(from)) = (idx, from) {
            if let Some(t) = self.udp_lo_receiver(from, ip, port) {
                self.udp_lo_deliver(id, t, data, from, ip, (tos & 0xff) as u8, hop);
                return Ok(data.len());
            }
        }
        let f = self.ifaces.get_mut(h.0).ok_or(Errno::ENETUNREACH)?;
        let s = f.set.get_mut::<udp::Socket>(h.1);
        let mut pm = smoltcp::phy::PacketMeta::default();
        if tos != 0 {
            pm.id = META_TX_TOS | (tos as u32 & 0xff) << 8;
        }
        let meta = UdpMetadata {
            endpoint: IpEndpoint::new(ip, port),
            local_address: bound_ip.or(src),
            meta: pm,
        };
        // the hop limit of this datagram's family (smoltcp's is the socket's, and
        // never 0)
        s.set_hop_limit(Some(hop.max(1)));
        match s.send_slice(data, meta) {
            Ok(()) => {
                // Over lo the ICMP port unreachable comes back at once: a connected
                // socket learns it now (Linux sets sk_err; unconnected ones aren't
                // told without IP_RECVERR).
                if idx == 0 && to.is_none() && !self.udp_port_held(&ip, port) {
                    if let Ok(u) = self.udp(id) {
                        u.error = Some(Errno::ECONNREFUSED);
                    }
                }
                Ok(data.len())
            }
            Err(udp::SendError::BufferFull) => Err(Errno::EAGAIN),
            Err(udp::SendError::Unaddressable) => Err(Errno::ENETUNREACH),
        }
    }

    /// The socket a datagram over lo from `from` to `dst`:`port` goes to straight,
    /// without smoltcp (see [`StackInner::udp_lo_deliver`]): the one socket bound to
    /// the port, if it takes the datagram as Linux's lookup would. `None` leaves the
    /// datagram to smoltcp's path: lo down, broadcast or multicast, source and
    /// destination of different families, nobody on the port (the ICMP port
    /// unreachable and ECONNREFUSED come from there), or several sockets on it
    /// (`udp_steer` and smoltcp's order pick among them, as they always have).
    fn udp_lo_receiver(&self, from: IpEndpoint, dst: IpAddress, port: u16) -> Option<u64> {
        let lo = self.ifaces.first()?;
        if lo.link.flags & crate::config::iff::UP == 0
            || !unicast_on(&lo.iface, &dst)
            || from.addr.version() != dst.version()
        {
            return None;
        }
        let mut on = self.ports.on_port(IPPROTO_UDP, port);
        let (Some(_), None) = (on.next(), on.next()) else {
            return None;
        };
        self.udp_best(0, u64::MAX, from, dst, port)
    }

    /// Delivers a datagram over lo from socket `id` straight into socket `to`'s
    /// queue, as Linux's loopback does in the sender's call: what smoltcp's path
    /// would do (an IP packet on lo's queue, the whole stack polled, the packet
    /// taken in, `udp_steer`, every socket looked at) made a loopback datagram cost
    /// two full polls and let the sender reach half of Linux's rate. The receiver
    /// sees the same address, TTL, TOS and interface as from that path, lo counts
    /// the packet both ways, a full queue drops it, and both sockets get the
    /// readiness edges a poll would give (`note_direct`: data in for `to`, space
    /// freed for `id`, as Linux's `sock_wfree` wakes a writer).
    #[allow(clippy::too_many_arguments)]
    fn udp_lo_deliver(
        &mut self,
        id: u64,
        to: u64,
        data: &[u8],
        from: IpEndpoint,
        dst: IpAddress,
        tos: u8,
        hop: u8,
    ) {
        let hdr = if dst.version() == IpVersion::Ipv4 {
            28
        } else {
            48
        };
        if let Some(lo) = self.ifaces.first_mut() {
            let st = &mut lo.dev.stats;
            st.tx_packets += 1;
            st.tx_bytes += (hdr + data.len()) as u64;
            st.rx_packets += 1;
            st.rx_bytes += (hdr + data.len()) as u64;
        }
        let ifindex = self.ifaces.first().map_or(1, |f| f.link.index);
        let mut pm = smoltcp::phy::PacketMeta::default();
        pm.id = META_RX | u32::from(tos) << 8 | u32::from(hop);
        let meta = UdpMetadata {
            endpoint: from,
            local_address: Some(dst),
            meta: pm,
        };
        if let Ok(u) = self.udp(to) {
            if steer_room(u) {
                let d = crate::bufpool::take_copy(data);
                u.steered_bytes += data.len();
                u.steered.push_back((d, meta, ifindex));
            }
        }
        self.note_direct(to, POLLIN | POLLRDNORM);
        self.note_direct(id, POLLOUT | POLLWRNORM);
    }

    /// Whether a UDP socket is bound where a datagram to `ip`:`port` is delivered.
    fn udp_port_held(&self, ip: &IpAddress, port: u16) -> bool {
        self.ports
            .on_port(IPPROTO_UDP, port)
            .any(|b| match (b.addr, ip) {
                (BindAddr::Any6, _) => true,
                (BindAddr::Any4, IpAddress::Ipv4(_)) => true,
                (BindAddr::V4(a), IpAddress::Ipv4(x)) => a == x.octets(),
                (BindAddr::V6(a), IpAddress::Ipv6(x)) => a == x.octets(),
                _ => false,
            })
    }

    pub fn udp_recv(
        &mut self,
        id: u64,
        family: u16,
        buf: &mut [u8],
        flags: i32,
    ) -> KResult<RecvInfo> {
        self.udp_sync(id);
        let u = self.udp(id)?;
        if let Some(e) = u.error.take() {
            return Err(e);
        }
        let shut_rd = u.shut_rd;
        let (pktinfo, pktinfo6) = (u.opts.pktinfo, u.opts.recvpktinfo6);
        let ip_flags = u.opts.extra.ip_flags;
        let (hoplimit6, tclass6) = (u.opts.extra.recvhoplimit6, u.opts.extra.recvtclass6);
        let ro = RecvOpts {
            family,
            pktinfo,
            pktinfo6,
            ip_flags,
            hoplimit6,
            tclass6,
        };
        if let Some((d, m, ifindex)) = u.steered.front() {
            let info = ro.info(buf, d, m, *ifindex);
            if flags & MSG_PEEK == 0 {
                u.steered_bytes -= d.len();
                if let Some((d, _, _)) = u.steered.pop_front() {
                    crate::bufpool::give(d);
                }
            }
            return Ok(info);
        }
        let hs = u.handles.clone();
        for h in hs {
            let Some(f) = self.ifaces.get_mut(h.0) else {
                continue;
            };
            let ifindex = f.link.index;
            let s = f.set.get_mut::<udp::Socket>(h.1);
            let got = if flags & MSG_PEEK != 0 {
                s.peek().map(|(d, m)| (d, *m))
            } else {
                s.recv()
            };
            let Ok((data, meta)) = got else { continue };
            return Ok(ro.info(buf, data, &meta, ifindex));
        }
        if shut_rd {
            return Ok(RecvInfo::default());
        }
        Err(Errno::EAGAIN)
    }

    pub fn udp_events(&mut self, id: u64) -> IoEvents {
        let Ok(u) = self.udp_ref(id) else { return 0 };
        let mut ev = POLLOUT | POLLWRNORM;
        if u.error.is_some() {
            ev |= POLLERR;
        }
        if u.shut_rd {
            ev |= POLLIN | POLLRDNORM | POLLRDHUP;
        }
        if u.shut_rd && u.shut_wr {
            ev |= POLLHUP;
        }
        if !u.steered.is_empty() {
            ev |= POLLIN | POLLRDNORM;
        }
        for h in &u.handles {
            if let Some(f) = self.ifaces.get(h.0) {
                if f.set.get::<udp::Socket>(h.1).can_recv() {
                    ev |= POLLIN | POLLRDNORM;
                }
            }
        }
        ev
    }

    pub fn udp_shutdown(&mut self, id: u64, how: i32) -> KResult<()> {
        if !matches!(how, SHUT_RD | SHUT_WR | SHUT_RDWR) {
            return Err(Errno::EINVAL);
        }
        let u = self.udp(id)?;
        if u.peer.is_none() {
            return Err(Errno::ENOTCONN);
        }
        if how != SHUT_WR {
            u.shut_rd = true;
        }
        if how != SHUT_RD {
            u.shut_wr = true;
        }
        Ok(())
    }

    pub fn udp_close(&mut self, id: u64) {
        if let Ok(u) = self.udp(id) {
            let hs = core::mem::take(&mut u.handles);
            for h in hs {
                self.remove_handle(h);
            }
        }
        self.ports.unbind(id);
        self.socks.remove(&id);
    }

    pub fn udp_local(&self, id: u64, family: u16) -> KResult<SockAddr> {
        let u = self.udp_ref(id)?;
        Ok(match u.bind {
            Some((a, p)) => sockaddr(family, bind_ip(a).or(u.conn_local), p),
            None => sockaddr(family, None, 0),
        })
    }

    pub fn udp_peer(&self, id: u64, family: u16) -> KResult<SockAddr> {
        let u = self.udp_ref(id)?;
        u.peer
            .map(|(a, p)| sockaddr(family, Some(a), p))
            .ok_or(Errno::ENOTCONN)
    }

    /// Bytes of the next datagram (FIONREAD/SIOCINQ on UDP), and bytes queued to send.
    pub fn udp_queues(&mut self, id: u64) -> KResult<(usize, usize)> {
        self.udp_sync(id);
        let u = self.udp_ref(id)?;
        let hs = u.handles.clone();
        let mut next = u.steered.front().map_or(0, |d| d.0.len());
        let mut out = 0;
        for h in hs {
            if let Some(f) = self.ifaces.get_mut(h.0) {
                let s = f.set.get_mut::<udp::Socket>(h.1);
                if next == 0 {
                    if let Ok((d, _)) = s.peek() {
                        next = d.len();
                    }
                }
                out += s.payload_send_capacity() - s.payload_send_capacity().min(160 * 1024);
            }
        }
        Ok((next, out))
    }

    pub fn udp_apply(&mut self, id: u64) {
        let Ok(u) = self.udp(id) else { return };
        let hop = u.opts.ttl.clamp(1, 255) as u8;
        let hs = u.handles.clone();
        for h in hs {
            if let Some(f) = self.ifaces.get_mut(h.0) {
                f.set.get_mut::<udp::Socket>(h.1).set_hop_limit(Some(hop));
            }
        }
    }

    pub fn udp_info(&mut self, id: u64) -> Option<InetSockInfo> {
        let family = self.socks.get(&id)?.family;
        let local = self.udp_local(id, family).ok()?;
        let remote = self
            .udp_peer(id, family)
            .unwrap_or(sockaddr(family, None, 0));
        let connected = matches!(self.socks.get(&id), Some(Entry { kind: Kind::Udp(u), .. }) if u.peer.is_some());
        let (rx, tx) = self.udp_queues(id).ok()?;
        Some(InetSockInfo {
            protocol: IPPROTO_UDP,
            family,
            local,
            remote,
            state: if connected { 1 } else { 7 },
            tx_queue: tx as u32,
            rx_queue: rx as u32,
            uid: 0,
            inode: 0,
        })
    }
}

impl StackInner {
    /// (receive level, send level) for the readiness report (see `StackInner::levels`):
    /// queued bytes over the socket's interfaces.
    pub(crate) fn udp_levels(&self, id: u64) -> (usize, usize) {
        let Ok(u) = self.udp_ref(id) else {
            return (0, 0);
        };
        let (mut rx, mut tx) = (u.steered_bytes, 0);
        for h in &u.handles {
            if let Some(f) = self.ifaces.get(h.0) {
                let s = f.set.get::<udp::Socket>(h.1);
                rx += s.recv_queue();
                tx += s.send_queue();
            }
        }
        (rx, tx)
    }
}

#[cfg(test)]
mod tests {
    use alloc::sync::Arc;
    use alloc::vec;
    use rill_abi::Errno;

    use super::super::stack::clamp_lo_mss;
    use super::super::{Stack, StackOptions};
    use super::{apply_tx_meta, rx_meta, META_RX, META_TX_TOS};
    use crate::socket::{Cred, Socket, AF_INET, AF_INET6};
    use crate::SockAddr;

    const C: Cred = Cred {
        pid: 1,
        uid: 0,
        gid: 0,
    };

    fn clock() -> i64 {
        use core::sync::atomic::{AtomicI64, Ordering};
        static T: AtomicI64 = AtomicI64::new(1000);
        T.fetch_add(1, Ordering::Relaxed)
    }

    fn udp(s: &Arc<Stack>, fam: u16) -> Arc<dyn Socket> {
        s.create(i32::from(fam), 2, 0).unwrap()
    }

    fn v6lo(port: u16) -> SockAddr {
        let mut addr = [0u8; 16];
        addr[15] = 1;
        SockAddr::Inet6 {
            addr,
            port,
            flowinfo: 0,
            scope_id: 0,
        }
    }

    fn port(a: &SockAddr) -> u16 {
        match a {
            SockAddr::Inet { port, .. } | SockAddr::Inet6 { port, .. } => *port,
            _ => 0,
        }
    }

    #[test]
    fn largest_datagrams_over_lo() {
        let s = Stack::new(clock, 7, StackOptions::default());
        // IPv6: 65527 bytes is the largest payload, and it arrives whole
        let r6 = udp(&s, AF_INET6);
        r6.bind(&v6lo(0)).unwrap();
        let to6 = v6lo(port(&r6.local_addr().unwrap()));
        let t6 = udp(&s, AF_INET6);
        let big = vec![b'm'; 65528];
        assert_eq!(
            t6.send(&big, Some(&to6), vec![], 0, C),
            Err(Errno::EMSGSIZE)
        );
        assert_eq!(t6.send(&big[..65527], Some(&to6), vec![], 0, C), Ok(65527));
        s.poll();
        let mut buf = vec![0u8; 70000];
        let got = r6.recv(&mut buf, 0).unwrap();
        assert_eq!((got.len, got.full_len), (65527, 65527));
        // IPv4: 65507
        let r4 = udp(&s, AF_INET);
        r4.bind(&SockAddr::Inet {
            addr: [127, 0, 0, 1],
            port: 0,
        })
        .unwrap();
        let to4 = SockAddr::Inet {
            addr: [127, 0, 0, 1],
            port: port(&r4.local_addr().unwrap()),
        };
        let t4 = udp(&s, AF_INET);
        assert_eq!(
            t4.send(&big[..65508], Some(&to4), vec![], 0, C),
            Err(Errno::EMSGSIZE)
        );
        assert_eq!(t4.send(&big[..65507], Some(&to4), vec![], 0, C), Ok(65507));
        s.poll();
        assert_eq!(r4.recv(&mut buf, 0).map(|g| g.len), Ok(65507));
    }

    fn others(c: &[crate::socket::Cmsg]) -> vec::Vec<(i32, i32, vec::Vec<u8>)> {
        c.iter()
            .filter_map(|m| match m {
                crate::socket::Cmsg::Other { level, ty, data } => Some((*level, *ty, data.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn recv_ttl_tos_hoplimit() {
        use crate::socket::opt;
        let one = 1i32.to_ne_bytes();
        let s = Stack::new(clock, 9, StackOptions::default());
        let r = udp(&s, AF_INET);
        r.bind(&SockAddr::Inet {
            addr: [127, 0, 0, 1],
            port: 0,
        })
        .unwrap();
        let to = SockAddr::Inet {
            addr: [127, 0, 0, 1],
            port: port(&r.local_addr().unwrap()),
        };
        r.setsockopt(opt::SOL_IP, super::sock::IP_RECVTTL, &one)
            .unwrap();
        r.setsockopt(opt::SOL_IP, opt::IP_RECVTOS, &one).unwrap();
        let t = udp(&s, AF_INET);
        t.setsockopt(opt::SOL_IP, opt::IP_TOS, &0x20i32.to_ne_bytes())
            .unwrap();
        t.setsockopt(opt::SOL_IP, opt::IP_TTL, &33i32.to_ne_bytes())
            .unwrap();
        t.send(b"x", Some(&to), vec![], 0, C).unwrap();
        s.poll();
        let mut buf = [0u8; 8];
        let got = r.recv(&mut buf, 0).unwrap();
        assert_eq!(
            others(&got.cmsgs),
            vec![
                (opt::SOL_IP, opt::IP_TTL, 33i32.to_ne_bytes().to_vec()),
                (opt::SOL_IP, opt::IP_TOS, vec![0x20]),
            ]
        );
        // IPv6: IPV6_RECVHOPLIMIT gives the sender's hop limit
        let r6 = udp(&s, AF_INET6);
        r6.bind(&v6lo(0)).unwrap();
        r6.setsockopt(opt::SOL_IPV6, 51, &one).unwrap();
        assert_eq!(r6.getsockopt(opt::SOL_IPV6, 51), Ok(one.to_vec()));
        let t6 = udp(&s, AF_INET6);
        t6.send(
            b"y",
            Some(&v6lo(port(&r6.local_addr().unwrap()))),
            vec![],
            0,
            C,
        )
        .unwrap();
        s.poll();
        let got = r6.recv(&mut buf, 0).unwrap();
        assert_eq!(
            others(&got.cmsgs),
            vec![(opt::SOL_IPV6, 52, 64i32.to_ne_bytes().to_vec())]
        );
        // an IPv4 datagram on a dual-stack socket: the IP ones, no IPV6_HOPLIMIT
        let d = udp(&s, AF_INET6);
        let mut any = v6lo(0);
        if let SockAddr::Inet6 { addr, .. } = &mut any {
            addr[15] = 0;
        }
        d.bind(&any).unwrap();
        d.setsockopt(opt::SOL_IPV6, 51, &one).unwrap();
        d.setsockopt(opt::SOL_IP, super::sock::IP_RECVTTL, &one)
            .unwrap();
        let dp = port(&d.local_addr().unwrap());
        let to4 = SockAddr::Inet {
            addr: [127, 0, 0, 1],
            port: dp,
        };
        t.send(b"z", Some(&to4), vec![], 0, C).unwrap();
        s.poll();
        let got = d.recv(&mut buf, 0).unwrap();
        assert_eq!(
            others(&got.cmsgs),
            vec![(opt::SOL_IP, opt::IP_TTL, 33i32.to_ne_bytes().to_vec())]
        );
    }

    #[test]
    fn tx_tos_and_rx_meta() {
        // an IPv4 header (20 bytes, TTL 64) with a valid checksum after the TOS is set
        let mut p = vec![
            0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
        ];
        apply_tx_meta(&mut p, META_TX_TOS | 0x20 << 8);
        assert_eq!(p[1], 0x20);
        let sum: u32 = p
            .chunks_exact(2)
            .map(|w| u32::from(u16::from_be_bytes([w[0], w[1]])))
            .sum();
        assert_eq!((sum & 0xffff) + (sum >> 16), 0xffff);
        assert_eq!(rx_meta(&p), META_RX | 0x20 << 8 | 64);
        // no TOS in the metadata: untouched; garbage is not an IP packet
        let mut q = p.clone();
        q[1] = 0;
        apply_tx_meta(&mut q, 0);
        assert_eq!(q[1], 0);
        assert_eq!(rx_meta(&[0x45]), 0);
        assert_eq!(rx_meta(&[0, 1, 8, 0]), 0);
        let mut short = vec![0x4f, 0];
        apply_tx_meta(&mut short, META_TX_TOS | 1 << 8);
        assert_eq!(short, vec![0x4f, 0]);
    }

    #[test]
    fn tx_tclass_v6() {
        // the traffic class straddles the first two bytes; the flow label stays
        let mut p = vec![0x60, 0x0a, 0xbc, 0xde, 0, 8, 17, 64];
        apply_tx_meta(&mut p, META_TX_TOS | 0xa5 << 8);
        assert_eq!(&p[..4], &[0x6a, 0x5a, 0xbc, 0xde]);
        assert_eq!(rx_meta(&p), META_RX | 0xa5 << 8 | 64);
        // (smoltcp 0.14 hands no packet metadata to the device for IPv6, so the
        // socket's IPV6_TCLASS does not reach this yet)
    }

    #[test]
    fn msg_oob_on_udp() {
        let oob = super::super::c::MSG_OOB;
        let s = Stack::new(clock, 11, StackOptions::default());
        let r = udp(&s, AF_INET6);
        r.bind(&v6lo(0)).unwrap();
        let to = v6lo(port(&r.local_addr().unwrap()));
        let t = udp(&s, AF_INET6);
        // recv ignores it (udp_recvmsg), send refuses it (udp_sendmsg)
        let mut buf = [0u8; 4];
        assert_eq!(r.recv(&mut buf, oob).err(), Some(Errno::EAGAIN));
        assert_eq!(
            t.send(b"x", Some(&to), vec![], oob, C),
            Err(Errno::EOPNOTSUPP)
        );
        assert_eq!(t.send(b"x", Some(&to), vec![], 0, C), Ok(1));
        s.poll();
        assert_eq!(r.recv(&mut buf, oob).map(|g| g.len), Ok(1));
    }

    #[test]
    fn multicast_membership_errnos() {
        use crate::socket::opt;
        let s = Stack::new(clock, 13, StackOptions::default());
        let u = udp(&s, AF_INET);
        let m = [239, 1, 2, 3, 127, 0, 0, 1];
        let add = |x: &[u8]| u.setsockopt(opt::SOL_IP, opt::IP_ADD_MEMBERSHIP, x);
        let drop = |x: &[u8]| u.setsockopt(opt::SOL_IP, opt::IP_DROP_MEMBERSHIP, x);
        assert_eq!(add(&m), Ok(()));
        assert_eq!(add(&m), Err(Errno::EADDRINUSE));
        // the same group by ip_mreqn index 1 (lo) is the same membership
        let mut mn = [0u8; 12];
        mn[..4].copy_from_slice(&m[..4]);
        mn[8..].copy_from_slice(&1i32.to_ne_bytes());
        assert_eq!(add(&mn), Err(Errno::EADDRINUSE));
        let mut other = mn;
        other[8..].copy_from_slice(&77i32.to_ne_bytes());
        assert_eq!(drop(&other), Err(Errno::EADDRNOTAVAIL));
        assert_eq!(drop(&mn), Ok(()));
        assert_eq!(drop(&m), Err(Errno::EADDRNOTAVAIL));
        assert_eq!(add(&[10, 1, 2, 3, 127, 0, 0, 1]), Err(Errno::EINVAL));
        assert_eq!(add(&m[..4]), Err(Errno::EINVAL));
        // an interface address no interface has
        assert_eq!(add(&[239, 1, 2, 3, 203, 0, 113, 9]), Err(Errno::ENODEV));
        mn[8..].copy_from_slice(&77i32.to_ne_bytes());
        assert_eq!(add(&mn), Err(Errno::ENODEV));
        // IP_MULTICAST_IF: a local address, 0.0.0.0, not a non-local one
        let mif = |x: &[u8]| u.setsockopt(opt::SOL_IP, opt::IP_MULTICAST_IF, x);
        assert_eq!(mif(&[127, 0, 0, 1]), Ok(()));
        assert_eq!(mif(&[203, 0, 113, 9]), Err(Errno::EADDRNOTAVAIL));
        assert_eq!(
            u.getsockopt(opt::SOL_IP, opt::IP_MULTICAST_IF),
            Ok(vec![127, 0, 0, 1])
        );
        assert_eq!(mif(&[0; 4]), Ok(()));
        // TCP: EPROTO
        let t = s.create(i32::from(AF_INET), 1, 0).unwrap();
        assert_eq!(
            t.setsockopt(opt::SOL_IP, opt::IP_ADD_MEMBERSHIP, &m),
            Err(Errno(71))
        );
        assert_eq!(
            t.setsockopt(opt::SOL_IP, opt::IP_MULTICAST_IF, &m[4..]),
            Err(Errno::EINVAL)
        );
        // IPv6
        let v = udp(&s, AF_INET6);
        let mut m6 = [0u8; 20];
        m6[0] = 0xff;
        m6[1] = 0x05;
        m6[13] = 1;
        m6[15] = 3;
        m6[16..].copy_from_slice(&1u32.to_ne_bytes());
        let join = |x: &[u8]| v.setsockopt(opt::SOL_IPV6, opt::IPV6_JOIN_GROUP, x);
        let leave = |x: &[u8]| v.setsockopt(opt::SOL_IPV6, opt::IPV6_LEAVE_GROUP, x);
        assert_eq!(join(&m6), Ok(()));
        assert_eq!(join(&m6), Err(Errno::EADDRINUSE));
        assert_eq!(leave(&m6), Ok(()));
        assert_eq!(leave(&m6), Err(Errno::EADDRNOTAVAIL));
        assert_eq!(join(&m6[..19]), Err(Errno::EINVAL));
        m6[16..].copy_from_slice(&77u32.to_ne_bytes());
        assert_eq!(join(&m6), Err(Errno::ENODEV));
        m6[0] = 0x20;
        assert_eq!(join(&m6), Err(Errno::EINVAL));
    }

    /// A unicast datagram goes to the most specific socket on its port, as Linux's
    /// lookup chooses, whichever smoltcp socket it first lands in.
    #[test]
    fn udp_delivery_most_specific() {
        use crate::socket::opt;
        let one = 1i32.to_ne_bytes();
        let s = Stack::new(clock, 17, StackOptions::default());
        let v4 = |a: [u8; 4], port| SockAddr::Inet { addr: a, port };
        let reuse = |fam| {
            let u = udp(&s, fam);
            u.setsockopt(opt::SOL_SOCKET, opt::SO_REUSEADDR, &one)
                .unwrap();
            u
        };
        let got = |u: &Arc<dyn Socket>| {
            let mut b = [0u8; 8];
            u.recv(&mut b, 0).map(|g| b[..g.len].to_vec())
        };
        // the wildcard socket first (smoltcp's first match), then the specific one
        let w = reuse(AF_INET);
        w.bind(&v4([0; 4], 0)).unwrap();
        let p = port(&w.local_addr().unwrap());
        let sp = reuse(AF_INET);
        sp.bind(&v4([127, 0, 0, 1], p)).unwrap();
        let tx = udp(&s, AF_INET);
        tx.send(b"to1", Some(&v4([127, 0, 0, 1], p)), vec![], 0, C)
            .unwrap();
        tx.send(b"to2", Some(&v4([127, 0, 0, 2], p)), vec![], 0, C)
            .unwrap();
        tx.send(b"to1b", Some(&v4([127, 0, 0, 1], p)), vec![], 0, C)
            .unwrap();
        s.poll();
        assert_eq!(got(&sp), Ok(b"to1".to_vec()));
        assert_eq!(got(&sp), Ok(b"to1b".to_vec()));
        assert_eq!(got(&sp), Err(Errno::EAGAIN));
        assert_eq!(got(&w), Ok(b"to2".to_vec()));
        assert_eq!(got(&w), Err(Errno::EAGAIN));
        // a wildcard socket connected over lo is bound to 127.0.0.1 from then on: it
        // gets its peer's datagrams there, before the socket bound there, and not
        // those to 127.0.0.3
        let c = reuse(AF_INET);
        c.bind(&v4([0; 4], p)).unwrap();
        let tx2 = udp(&s, AF_INET);
        tx2.bind(&v4([127, 0, 0, 1], 0)).unwrap();
        c.connect(&tx2.local_addr().unwrap(), C).unwrap();
        tx.send(b"other", Some(&v4([127, 0, 0, 1], p)), vec![], 0, C)
            .unwrap();
        tx2.send(b"peer", Some(&v4([127, 0, 0, 1], p)), vec![], 0, C)
            .unwrap();
        tx2.send(b"peer3", Some(&v4([127, 0, 0, 3], p)), vec![], 0, C)
            .unwrap();
        s.poll();
        assert_eq!(got(&c), Ok(b"peer".to_vec()));
        assert_eq!(got(&c), Err(Errno::EAGAIN));
        assert_eq!(got(&sp), Ok(b"other".to_vec()));
        assert_eq!(got(&w), Ok(b"peer3".to_vec()));
        assert_eq!(got(&w), Err(Errno::EAGAIN));
        // IPv6: ::1 beats ::
        let w6 = reuse(AF_INET6);
        let mut any6 = v6lo(0);
        if let SockAddr::Inet6 { addr, .. } = &mut any6 {
            addr[15] = 0;
        }
        w6.bind(&any6).unwrap();
        let p6 = port(&w6.local_addr().unwrap());
        let s6 = reuse(AF_INET6);
        s6.bind(&v6lo(p6)).unwrap();
        let t6 = udp(&s, AF_INET6);
        t6.send(b"six", Some(&v6lo(p6)), vec![], 0, C).unwrap();
        s.poll();
        assert_eq!(got(&s6), Ok(b"six".to_vec()));
        assert_eq!(got(&w6), Err(Errno::EAGAIN));
        // and an IPv4 datagram on that port goes to the dual-stack wildcard
        tx.send(b"four", Some(&v4([127, 0, 0, 1], p6)), vec![], 0, C)
            .unwrap();
        s.poll();
        assert_eq!(got(&w6), Ok(b"four".to_vec()));
        // alike sockets (an SO_REUSEPORT group) keep smoltcp's choice: one gets all
        let g1 = udp(&s, AF_INET);
        let g2 = udp(&s, AF_INET);
        for g in [&g1, &g2] {
            g.setsockopt(opt::SOL_SOCKET, opt::SO_REUSEPORT, &one)
                .unwrap();
        }
        g1.bind(&v4([127, 0, 0, 1], 0)).unwrap();
        let pg = port(&g1.local_addr().unwrap());
        g2.bind(&v4([127, 0, 0, 1], pg)).unwrap();
        for _ in 0..3 {
            tx.send(b"g", Some(&v4([127, 0, 0, 1], pg)), vec![], 0, C)
                .unwrap();
        }
        s.poll();
        let n1 = (0..4).filter(|_| got(&g1).is_ok()).count();
        let n2 = (0..4).filter(|_| got(&g2).is_ok()).count();
        assert_eq!(n1 + n2, 3);
        assert!(n1 == 0 || n2 == 0);
    }

    /// An IPv4 SYN with the options smoltcp sends: MSS first, then window scale.
    fn syn(mss: u16, flags: u8) -> vec::Vec<u8> {
        let mut p = vec![0u8; 20 + 28];
        p[0] = 0x45;
        p[9] = 6;
        let t = &mut p[20..];
        t[12] = 7 << 4;
        t[13] = flags;
        t[20..24].copy_from_slice(&[2, 4, (mss >> 8) as u8, mss as u8]);
        t[24..28].copy_from_slice(&[1, 3, 3, 7]);
        p
    }

    #[test]
    fn lo_mss_clamp() {
        let mut p = syn(65535, 0x02);
        clamp_lo_mss(&mut p);
        assert_eq!(&p[42..44], &65495u16.to_be_bytes());
        // a smaller MSS stays; so does a segment without SYN
        let mut p = syn(1460, 0x12);
        clamp_lo_mss(&mut p);
        assert_eq!(&p[42..44], &1460u16.to_be_bytes());
        let mut p = syn(65535, 0x10);
        clamp_lo_mss(&mut p);
        assert_eq!(&p[42..44], &65535u16.to_be_bytes());
        // truncated or garbled packets are left alone without panicking
        for n in 0..48 {
            let mut p = syn(65535, 0x02);
            p.truncate(n);
            clamp_lo_mss(&mut p);
        }
        let mut p = syn(65535, 0x02);
        p[41] = 0;
        clamp_lo_mss(&mut p);
    }
}
