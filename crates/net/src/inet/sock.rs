//! [`InetSocket`]: the [`Socket`] of `AF_INET`/`AF_INET6`, and its options.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicBool, Ordering};
use rill_abi::consts::{FIONREAD, TIOCOUTQ};
use rill_abi::{Errno, KResult};
use rill_vfs::pollee::Pollee;
use rill_vfs::{IoEvents, Poller, UserIo};

use smoltcp::wire::IpAddress;

use super::c::{MSG_OOB, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM};
use super::stack::{parse_local, Entry, Kind, Stack, StackInner};
use super::tcp::{Conn, SockOpts, TcpState};
use super::udp::UdpState;
use super::{IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_IP, IPPROTO_RAW, IPPROTO_TCP, IPPROTO_UDP};
use crate::socket::{int_val, opt, opt_int, Cmsg, Cred, RecvInfo, Socket, AF_INET, AF_INET6};
use crate::SockAddr;

/// `SIOCINQ`/`SIOCOUTQ` are `FIONREAD`/`TIOCOUTQ`.
const SIOCINQ: u32 = FIONREAD;
const SIOCOUTQ: u32 = TIOCOUTQ;
/// Linux's `wmem_max`/`rmem_max` and buffer minimums.
const MEM_MAX: i32 = 212992;
const MIN_SNDBUF: i32 = 4608;
const MIN_RCVBUF: i32 = 2304;
/// `SIOCATMARK`, `SIOCOUTQNSD`.
const SIOCATMARK: u32 = 0x8905;
const SIOCOUTQNSD: u32 = 0x894b;
/// `IP_RECVOPTS`, `IP_RETOPTS`, `IP_RECVTTL`, `IP_RECVORIGDSTADDR`: flags Rill
/// stores (and reads back) without acting on them.
const IP_RECVOPTS: i32 = 6;
const IP_RETOPTS: i32 = 7;
pub(crate) const IP_RECVTTL: i32 = 12;
const IP_RECVORIGDSTADDR: i32 = 20;
/// `IPV6_RECVHOPLIMIT`/`IPV6_HOPLIMIT`, `IPV6_RECVTCLASS`.
const IPV6_RECVHOPLIMIT: i32 = 51;
pub(crate) const IPV6_HOPLIMIT: i32 = 52;
const IPV6_RECVTCLASS: i32 = 66;

/// `EPROTO` (71; not in `rill_abi::Errno`'s named set): a multicast membership
/// option on a TCP socket.
const EPROTO: Errno = Errno(71);

/// Options Rill stores and reads back (Linux's values) but does not act on.
#[derive(Clone, Debug, Default)]
pub(crate) struct ExtraOpts {
    /// `SO_LINGER`'s `l_linger`: kept when lingering is switched off, as Linux.
    pub linger_secs: i32,
    pub oobinline: bool,
    pub dontroute: bool,
    /// `TCP_USER_TIMEOUT` in ms.
    pub user_timeout: i32,
    /// `TCP_DEFER_ACCEPT` as Linux stores it: a count of SYN-ACK retransmits.
    pub defer_accept: u8,
    pub freebind: bool,
    /// Bit `n` set: the `SOL_IP` flag option `n` (`IP_RECVTTL`...) is on.
    pub ip_flags: u32,
    /// `IPV6_RECVHOPLIMIT`, `IPV6_RECVTCLASS`.
    pub recvhoplimit6: bool,
    pub recvtclass6: bool,
    /// IPv6 multicast memberships: (group, interface index).
    pub mcast6: Vec<([u8; 16], u32)>,
}

/// Linux's `secs_to_retrans` for TCP_DEFER_ACCEPT (initial timeout 1 s, max 120 s).
fn secs_to_retrans(secs: i32) -> u8 {
    let (mut res, mut timeout, mut period) = (0u8, 1i32, 1i32);
    if secs > 0 {
        res = 1;
        while secs > period && res < 255 {
            res += 1;
            timeout = (timeout << 1).min(120);
            period = period.saturating_add(timeout);
        }
    }
    res
}

/// Linux's `retrans_to_secs`.
fn retrans_to_secs(retrans: u8) -> i32 {
    if retrans == 0 {
        return 0;
    }
    let (mut timeout, mut period) = (1i32, 1i32);
    for _ in 1..retrans {
        timeout = (timeout << 1).min(120);
        period = period.saturating_add(timeout);
    }
    period
}

/// The flag bit of a `SOL_IP` flag option Rill stores, if `name` is one.
fn ip_flag_bit(name: i32) -> Option<u32> {
    match name {
        IP_RECVOPTS | IP_RETOPTS | IP_RECVTTL | IP_RECVORIGDSTADDR => Some(1 << name),
        opt::IP_RECVERR | opt::IP_RECVTOS | opt::IP_FREEBIND => Some(1 << name),
        _ => None,
    }
}

/// The index of an interface with `ip` among its addresses (lo for 127/8).
fn dev_by_addr(g: &StackInner, ip: &[u8]) -> Option<u32> {
    if ip.len() == 4 && ip.first() == Some(&127) {
        return Some(1);
    }
    g.ifaces
        .iter()
        .flat_map(|f| f.addrs.iter())
        .find(|a| a.addr == ip)
        .map(|a| a.ifindex)
}

/// The interface index a multicast option's argument names, as Linux's
/// `ip_mc_find_dev` (IP_ADD/DROP_MEMBERSHIP: the ip_mreqn index, else the device of
/// the local address, else the group's route), `IP_MULTICAST_IF` (0 for 0.0.0.0:
/// reset) and `ipv6_sock_mc_join` (the index, else the route); `None`: no device,
/// or not such an option.
fn mc_option_dev(g: &StackInner, level: i32, name: i32, val: &[u8]) -> Option<u32> {
    let exists = |i: u32| g.ifaces.iter().any(|f| f.link.index == i);
    let route = |ip: IpAddress| {
        g.route(&ip)
            .ok()
            .and_then(|i| g.ifaces.get(i))
            .map(|f| f.link.index)
    };
    let int_at = |i: usize| {
        val.get(i..i + 4)
            .map_or(0, |b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    };
    match (level, name) {
        (opt::SOL_IP, opt::IP_ADD_MEMBERSHIP | opt::IP_DROP_MEMBERSHIP | opt::IP_MULTICAST_IF) => {
            let addr = if name == opt::IP_MULTICAST_IF && val.len() < 8 {
                val.get(..4)?
            } else {
                val.get(4..8)?
            };
            let index = int_at(8);
            if index != 0 {
                return exists(index).then_some(index);
            }
            if addr != [0; 4] {
                return dev_by_addr(g, addr);
            }
            if name == opt::IP_MULTICAST_IF {
                return Some(0);
            }
            let gr = val.get(..4)?;
            route(IpAddress::v4(gr[0], gr[1], gr[2], gr[3]))
        }
        (opt::SOL_IPV6, opt::IPV6_JOIN_GROUP | opt::IPV6_LEAVE_GROUP) => {
            let index = int_at(16);
            if index != 0 {
                return exists(index).then_some(index);
            }
            let mut a = [0u8; 16];
            a.copy_from_slice(val.get(..16)?);
            route(IpAddress::Ipv6(smoltcp::wire::Ipv6Address::from(a)))
        }
        _ => None,
    }
}

/// An inet socket: an id in its stack's table.
pub struct InetSocket {
    stack: Arc<Stack>,
    id: u64,
    family: u16,
    ty: i32,
    proto: i32,
    pollee: Arc<Pollee>,
    /// `close` ran: the drop has nothing left to do (and takes no lock).
    closed: AtomicBool,
}

impl Stack {
    /// `socket(domain, ty, protocol)` for `AF_INET`/`AF_INET6` (`ty` without flags),
    /// with Linux's errnos for what Rill lacks: raw sockets other than IPv4 ICMP
    /// (what busybox ping opens) are `EPERM` (so busybox
    /// ping then opens an ICMP datagram "ping" socket, which every group may).
    pub fn create(
        self: &Arc<Self>,
        domain: i32,
        ty: i32,
        protocol: i32,
    ) -> KResult<Arc<dyn Socket>> {
        let family = match domain as u16 {
            AF_INET => AF_INET,
            AF_INET6 => AF_INET6,
            _ => return Err(Errno::EAFNOSUPPORT),
        };
        if !(0..11).contains(&ty) {
            return Err(Errno::EINVAL);
        }
        if !(0..256).contains(&protocol) {
            return Err(Errno::EINVAL);
        }
        let icmp = if family == AF_INET {
            IPPROTO_ICMP
        } else {
            IPPROTO_ICMPV6
        };
        let (proto, kind) = match ty {
            SOCK_STREAM => match protocol {
                IPPROTO_IP | IPPROTO_TCP => (IPPROTO_TCP, Kind::Tcp(TcpState::new())),
                _ => return Err(Errno::EPROTONOSUPPORT),
            },
            SOCK_DGRAM => match protocol {
                IPPROTO_IP | IPPROTO_UDP => (IPPROTO_UDP, Kind::Udp(UdpState::new())),
                // Rill's ping_group_range is "0 2147483647" (what systemd sets;
                // Linux's built-in default "1 0" refuses even root)
                p if p == icmp => (icmp, Kind::Icmp(super::icmp::IcmpState::new(icmp))),
                _ => return Err(Errno::EPROTONOSUPPORT),
            },
            SOCK_RAW => {
                if protocol == IPPROTO_IP {
                    return Err(Errno::EPROTONOSUPPORT);
                }
                let _ = IPPROTO_RAW;
                if family != AF_INET || protocol != IPPROTO_ICMP {
                    return Err(Errno::EPERM);
                }
                let mut st = super::icmp::IcmpState::new(IPPROTO_ICMP);
                st.raw = true;
                (IPPROTO_ICMP, Kind::Icmp(st))
            }
            _ => return Err(Errno::ESOCKTNOSUPPORT),
        };
        let pollee = Arc::new(Pollee::new(0));
        let id = {
            let mut g = self.inner.lock();
            let id = g.new_id();
            g.socks.insert(
                id,
                Entry {
                    family,
                    pollee: pollee.clone(),
                    last: 0,
                    kind,
                },
            );
            let ev = g.events(id);
            if let Some(e) = g.socks.get_mut(&id) {
                e.last = ev;
            }
            id
        };
        Ok(Arc::new(InetSocket {
            stack: self.clone(),
            id,
            family,
            ty,
            proto,
            pollee,
            closed: AtomicBool::new(false),
        }))
    }
}

fn bool_opt(v: &[u8]) -> KResult<bool> {
    Ok(opt_int(v)? != 0)
}

/// SO_SNDBUF/SO_RCVBUF as Linux stores them: `min(val as u32, [rw]mem_max)`
/// (the *FORCE variants `min(val, INT_MAX / 2)`), doubled, at least `min`.
fn buf_val(v: i32, force: bool, min: i32) -> i32 {
    let v = if force {
        v.min(i32::MAX / 2)
    } else {
        (v as u32).min(MEM_MAX as u32) as i32
    };
    v.saturating_mul(2).max(min)
}

impl InetSocket {
    fn is_tcp(&self) -> bool {
        self.proto == IPPROTO_TCP
    }
    fn is_icmp(&self) -> bool {
        self.proto == IPPROTO_ICMP || self.proto == IPPROTO_ICMPV6
    }

    /// Runs `f` under the stack's lock, then polls the stack (see `Stack::call`).
    fn with<R>(&self, f: impl FnOnce(&mut StackInner) -> R) -> R {
        self.stack.call(f)
    }

    fn opts_mut(g: &mut StackInner, id: u64) -> KResult<&mut SockOpts> {
        match g.socks.get_mut(&id).map(|e| &mut e.kind) {
            Some(Kind::Tcp(t)) => Ok(&mut t.opts),
            Some(Kind::Udp(u)) => Ok(&mut u.opts),
            Some(Kind::Icmp(u)) => Ok(&mut u.opts),
            None => Err(Errno::EBADF),
        }
    }

    fn is_bound(g: &StackInner, id: u64) -> bool {
        match g.socks.get(&id).map(|e| &e.kind) {
            Some(Kind::Tcp(t)) => t.bind.is_some(),
            Some(Kind::Udp(u)) => u.bind.is_some(),
            Some(Kind::Icmp(u)) => u.ident.is_some(),
            None => false,
        }
    }

    fn set_opt(&self, g: &mut StackInner, level: i32, name: i32, val: &[u8]) -> KResult<()> {
        let tcp = self.is_tcp();
        let bound = Self::is_bound(g, self.id);
        // the interface a multicast option names (looked up before the options are
        // borrowed)
        let mc_dev = mc_option_dev(g, level, name, val);
        let o = Self::opts_mut(g, self.id)?;
        match (level, name) {
            (opt::SOL_SOCKET, opt::SO_REUSEADDR) => o.reuseaddr = bool_opt(val)?,
            (opt::SOL_SOCKET, opt::SO_REUSEPORT) => o.reuseport = bool_opt(val)?,
            (opt::SOL_SOCKET, opt::SO_KEEPALIVE) => o.keepalive = bool_opt(val)?,
            (opt::SOL_SOCKET, opt::SO_BROADCAST) => o.broadcast = bool_opt(val)?,
            (opt::SOL_SOCKET, opt::SO_LINGER) => {
                if val.len() < 8 {
                    return Err(Errno::EINVAL);
                }
                let on = opt_int(&val[..4])?;
                let secs = opt_int(&val[4..8])?;
                if on != 0 {
                    o.extra.linger_secs = secs.max(0);
                    o.linger = Some(secs.max(0));
                } else {
                    o.linger = None;
                }
            }
            (opt::SOL_SOCKET, opt::SO_SNDBUF | opt::SO_SNDBUFFORCE) => {
                o.sndbuf = buf_val(opt_int(val)?, name == opt::SO_SNDBUFFORCE, MIN_SNDBUF);
                o.sndbuf_set = true;
            }
            (opt::SOL_SOCKET, opt::SO_RCVBUF | opt::SO_RCVBUFFORCE) => {
                o.rcvbuf = buf_val(opt_int(val)?, name == opt::SO_RCVBUFFORCE, MIN_RCVBUF);
                o.rcvbuf_set = true;
            }
            (opt::SOL_SOCKET, opt::SO_DONTROUTE) => o.extra.dontroute = bool_opt(val)?,
            (opt::SOL_SOCKET, opt::SO_OOBINLINE) => o.extra.oobinline = bool_opt(val)?,
            (opt::SOL_SOCKET, opt::SO_RCVLOWAT) => {
                let v = opt_int(val)?;
                o.rcvlowat = if v < 0 { i32::MAX } else { v.max(1) };
            }
            (
                opt::SOL_SOCKET,
                opt::SO_PRIORITY
                | opt::SO_MARK
                | opt::SO_TIMESTAMP_OLD
                | opt::SO_BINDTODEVICE
                | opt::SO_NO_CHECK,
            ) => {}
            (opt::SOL_TCP, _) if !tcp => return Err(Errno::ENOPROTOOPT),
            (opt::SOL_TCP, opt::TCP_NODELAY) => o.nodelay = bool_opt(val)?,
            (opt::SOL_TCP, opt::TCP_CORK) => o.cork = bool_opt(val)?,
            (opt::SOL_TCP, opt::TCP_QUICKACK) => o.quickack = bool_opt(val)?,
            (opt::SOL_TCP, opt::TCP_KEEPIDLE | opt::TCP_KEEPINTVL) => {
                let v = opt_int(val)?;
                if !(1..=32767).contains(&v) {
                    return Err(Errno::EINVAL);
                }
                if name == opt::TCP_KEEPIDLE {
                    o.keepidle = v
                } else {
                    o.keepintvl = v
                }
            }
            (opt::SOL_TCP, opt::TCP_KEEPCNT) => {
                let v = opt_int(val)?;
                if !(1..=127).contains(&v) {
                    return Err(Errno::EINVAL);
                }
                o.keepcnt = v;
            }
            (opt::SOL_TCP, opt::TCP_MAXSEG) => {
                let v = opt_int(val)?;
                if v != 0 && !(88..=32767).contains(&v) {
                    return Err(Errno::EINVAL);
                }
                o.maxseg = v;
            }
            (opt::SOL_TCP, opt::TCP_USER_TIMEOUT) => {
                let v = opt_int(val)?;
                if v < 0 {
                    return Err(Errno::EINVAL);
                }
                o.extra.user_timeout = v;
            }
            (opt::SOL_TCP, opt::TCP_DEFER_ACCEPT) => {
                o.extra.defer_accept = secs_to_retrans(opt_int(val)?);
            }
            (opt::SOL_TCP, opt::TCP_CONGESTION) => {
                let end = val.iter().position(|&c| c == 0).unwrap_or(val.len());
                let name = &val[..end.min(15)];
                if name != b"reno" && name != b"cubic" {
                    return Err(Errno::ENOENT);
                }
                o.congestion = [0; 16];
                o.congestion[..name.len()].copy_from_slice(name);
            }
            (
                opt::SOL_TCP,
                opt::TCP_SYNCNT
                | opt::TCP_LINGER2
                | opt::TCP_WINDOW_CLAMP
                | opt::TCP_FASTOPEN
                | opt::TCP_NOTSENT_LOWAT,
            ) => {
                opt_int(val)?;
            }
            (opt::SOL_IP, opt::IP_TOS) => {
                let v = opt_int(val)?;
                o.tos = if tcp { v & !3 & 0xff } else { v & 0xff };
            }
            (opt::SOL_IP, opt::IP_TTL) => {
                let v = opt_int(val)?;
                if v == -1 {
                    o.ttl = 64;
                } else if (1..=255).contains(&v) {
                    o.ttl = v;
                } else {
                    return Err(Errno::EINVAL);
                }
            }
            (opt::SOL_IP, opt::IP_PKTINFO) => o.pktinfo = bool_opt(val)?,
            (opt::SOL_IP, opt::IP_MULTICAST_TTL) => {
                let v = opt_int(val)
                    .or_else(|_| val.first().map(|&b| b as i32).ok_or(Errno::EINVAL))?;
                if v == -1 {
                    o.mcast_ttl = 1;
                } else if (0..=255).contains(&v) {
                    o.mcast_ttl = v;
                } else {
                    return Err(Errno::EINVAL);
                }
            }
            (opt::SOL_IP, opt::IP_MULTICAST_LOOP) => {
                let v = opt_int(val)
                    .or_else(|_| val.first().map(|&b| b as i32).ok_or(Errno::EINVAL))?;
                o.mcast_loop = v != 0;
            }
            (opt::SOL_IP, opt::IP_MULTICAST_IF) => {
                if tcp || val.len() < 4 {
                    return Err(Errno::EINVAL);
                }
                // struct in_addr, or ip_mreq/ip_mreqn whose imr_address is at offset
                // 4; the address must be local (or the index exist), 0.0.0.0 resets
                let a = val.get(4..8).or(val.get(..4)).unwrap_or(&[0; 4]);
                mc_dev.ok_or(Errno::EADDRNOTAVAIL)?;
                o.mcast_if.copy_from_slice(a);
            }
            (opt::SOL_IP, opt::IP_ADD_MEMBERSHIP | opt::IP_DROP_MEMBERSHIP) => {
                // Linux: EPROTO on a connection socket, before the length
                if tcp {
                    return Err(EPROTO);
                }
                let (Some(group), Some(addr)) = (val.get(..4), val.get(4..8)) else {
                    return Err(Errno::EINVAL);
                };
                // kept as the group and the interface's index
                let mut m = [0u8; 8];
                m[..4].copy_from_slice(group);
                let index = val
                    .get(8..12)
                    .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                if name == opt::IP_ADD_MEMBERSHIP {
                    if m[0] & 0xf0 != 0xe0 {
                        return Err(Errno::EINVAL);
                    }
                    let dev = mc_dev.ok_or(Errno::ENODEV)?;
                    m[4..].copy_from_slice(&dev.to_ne_bytes());
                    if o.mcast_groups.contains(&m) {
                        return Err(Errno::EADDRINUSE);
                    }
                    // net.ipv4.igmp_max_memberships
                    if o.mcast_groups.len() >= 20 {
                        return Err(Errno::ENOBUFS);
                    }
                    o.mcast_groups.push(m);
                } else {
                    if mc_dev.is_none() && index == 0 && addr == [0; 4] {
                        return Err(Errno::ENODEV);
                    }
                    // an index no interface has matches nothing (Linux keeps it)
                    let dev = mc_dev.unwrap_or(index as u32);
                    let pos = o.mcast_groups.iter().position(|g| {
                        g[..4] == m[..4] && (dev == 0 || g[4..] == dev.to_ne_bytes())
                    });
                    o.mcast_groups.remove(pos.ok_or(Errno::EADDRNOTAVAIL)?);
                }
            }
            (opt::SOL_IP, opt::IP_MTU_DISCOVER) => {
                opt_int(val)?;
            }
            (opt::SOL_IP, n) if ip_flag_bit(n).is_some() => {
                let bit = ip_flag_bit(n).unwrap_or(0);
                if bool_opt(val)? {
                    o.extra.ip_flags |= bit;
                } else {
                    o.extra.ip_flags &= !bit;
                }
                if n == opt::IP_FREEBIND {
                    o.extra.freebind = o.extra.ip_flags & bit != 0;
                }
            }
            (opt::SOL_IPV6, _) if self.family != AF_INET6 => return Err(Errno::ENOPROTOOPT),
            (opt::SOL_IPV6, opt::IPV6_V6ONLY) => {
                let v = bool_opt(val)?;
                if bound {
                    return Err(Errno::EINVAL);
                }
                o.v6only = v;
            }
            (opt::SOL_IPV6, opt::IPV6_UNICAST_HOPS) => {
                let v = opt_int(val)?;
                if v == -1 {
                    o.hops = 64;
                } else if (0..=255).contains(&v) {
                    o.hops = v;
                } else {
                    return Err(Errno::EINVAL);
                }
            }
            (opt::SOL_IPV6, opt::IPV6_TCLASS) => {
                let v = opt_int(val)?;
                if v == -1 {
                    o.tclass = 0;
                } else if (0..=255).contains(&v) {
                    o.tclass = v;
                } else {
                    return Err(Errno::EINVAL);
                }
            }
            (opt::SOL_IPV6, opt::IPV6_RECVPKTINFO) => o.recvpktinfo6 = bool_opt(val)?,
            (opt::SOL_IPV6, IPV6_RECVHOPLIMIT) => o.extra.recvhoplimit6 = bool_opt(val)?,
            (opt::SOL_IPV6, IPV6_RECVTCLASS) => o.extra.recvtclass6 = bool_opt(val)?,
            (opt::SOL_IPV6, opt::IPV6_JOIN_GROUP | opt::IPV6_LEAVE_GROUP) => {
                // Linux: the length first, then EPROTO on a connection socket
                let (Some(a), Some(ix)) = (val.get(..16), val.get(16..20)) else {
                    return Err(Errno::EINVAL);
                };
                if tcp {
                    return Err(EPROTO);
                }
                let mut group = [0u8; 16];
                group.copy_from_slice(a);
                let index = u32::from_ne_bytes([ix[0], ix[1], ix[2], ix[3]]);
                if group[0] != 0xff {
                    return Err(Errno::EINVAL);
                }
                let l = &mut o.extra.mcast6;
                let pos = l
                    .iter()
                    .position(|&(g, i)| g == group && (index == 0 || i == index));
                if name == opt::IPV6_JOIN_GROUP {
                    if pos.is_some() {
                        return Err(Errno::EADDRINUSE);
                    }
                    l.push((group, mc_dev.ok_or(Errno::ENODEV)?));
                } else {
                    l.remove(pos.ok_or(Errno::EADDRNOTAVAIL)?);
                }
            }
            (
                opt::SOL_IPV6,
                opt::IPV6_MULTICAST_HOPS | opt::IPV6_MULTICAST_LOOP | opt::IPV6_MULTICAST_IF,
            ) if !tcp => {
                opt_int(val)?;
            }
            _ => return Err(Errno::ENOPROTOOPT),
        }
        if tcp {
            g.tcp_apply(self.id);
        } else {
            g.udp_apply(self.id);
        }
        Ok(())
    }

    fn get_opt(&self, g: &mut StackInner, level: i32, name: i32) -> KResult<Vec<u8>> {
        let tcp = self.is_tcp();
        let listening = matches!(
            g.socks.get(&self.id).map(|e| &e.kind),
            Some(Kind::Tcp(TcpState {
                conn: Conn::Listening { .. },
                ..
            }))
        );
        let info = if tcp && level == opt::SOL_TCP && name == opt::TCP_INFO {
            Some(g.tcp_info(self.id))
        } else {
            None
        };
        let o = Self::opts_mut(g, self.id)?.clone();
        let b = |x: bool| int_val(x as i32);
        Ok(match (level, name) {
            (opt::SOL_SOCKET, opt::SO_REUSEADDR) => b(o.reuseaddr),
            (opt::SOL_SOCKET, opt::SO_REUSEPORT) => b(o.reuseport),
            (opt::SOL_SOCKET, opt::SO_KEEPALIVE) => b(o.keepalive),
            (opt::SOL_SOCKET, opt::SO_BROADCAST) => b(o.broadcast),
            (opt::SOL_SOCKET, opt::SO_ACCEPTCONN) => b(listening),
            (opt::SOL_SOCKET, opt::SO_LINGER) => {
                let mut v = int_val(o.linger.is_some() as i32);
                v.extend_from_slice(&o.extra.linger_secs.to_ne_bytes());
                v
            }
            (opt::SOL_SOCKET, opt::SO_SNDBUF) => int_val(o.sndbuf),
            (opt::SOL_SOCKET, opt::SO_RCVBUF) => int_val(o.rcvbuf),
            (opt::SOL_SOCKET, opt::SO_RCVLOWAT) => int_val(o.rcvlowat),
            (opt::SOL_SOCKET, opt::SO_SNDLOWAT) => int_val(1),
            (opt::SOL_SOCKET, opt::SO_PRIORITY | opt::SO_MARK) => int_val(0),
            (opt::SOL_SOCKET, opt::SO_DONTROUTE) => b(o.extra.dontroute),
            (opt::SOL_SOCKET, opt::SO_OOBINLINE) => b(o.extra.oobinline),
            (opt::SOL_SOCKET, opt::SO_TIMESTAMP_OLD | opt::SO_NO_CHECK) => int_val(0),
            // a UDP/ICMP socket passes SOL_TCP to ip_getsockopt (IPv4: EOPNOTSUPP
            // for a level other than SOL_IP) or ipv6_getsockopt (ENOPROTOOPT)
            (opt::SOL_TCP, _) if !tcp => return Err(self.other_level_err()),
            (opt::SOL_TCP, opt::TCP_NODELAY) => b(o.nodelay),
            (opt::SOL_TCP, opt::TCP_CORK) => b(o.cork),
            (opt::SOL_TCP, opt::TCP_QUICKACK) => b(o.quickack),
            (opt::SOL_TCP, opt::TCP_KEEPIDLE) => int_val(o.keepidle),
            (opt::SOL_TCP, opt::TCP_KEEPINTVL) => int_val(o.keepintvl),
            (opt::SOL_TCP, opt::TCP_KEEPCNT) => int_val(o.keepcnt),
            (opt::SOL_TCP, opt::TCP_MAXSEG) => int_val(if o.maxseg != 0 { o.maxseg } else { 536 }),
            (opt::SOL_TCP, opt::TCP_CONGESTION) => o.congestion.to_vec(),
            (opt::SOL_TCP, opt::TCP_INFO) => info.unwrap_or_default(),
            (opt::SOL_TCP, opt::TCP_SYNCNT) => int_val(6),
            (opt::SOL_TCP, opt::TCP_LINGER2) => int_val(60),
            (opt::SOL_TCP, opt::TCP_DEFER_ACCEPT) => int_val(retrans_to_secs(o.extra.defer_accept)),
            (opt::SOL_TCP, opt::TCP_USER_TIMEOUT) => int_val(o.extra.user_timeout),
            (opt::SOL_TCP, opt::TCP_FASTOPEN) => int_val(0),
            (opt::SOL_TCP, opt::TCP_WINDOW_CLAMP) => int_val(0),
            (opt::SOL_TCP, opt::TCP_NOTSENT_LOWAT) => int_val(0),
            (opt::SOL_IP, opt::IP_TOS) => int_val(o.tos),
            (opt::SOL_IP, opt::IP_TTL) => int_val(o.ttl),
            (opt::SOL_IP, opt::IP_PKTINFO) => b(o.pktinfo),
            (opt::SOL_IP, opt::IP_MULTICAST_TTL) => int_val(o.mcast_ttl),
            (opt::SOL_IP, opt::IP_MULTICAST_LOOP) => b(o.mcast_loop),
            (opt::SOL_IP, opt::IP_MULTICAST_IF) => o.mcast_if.to_vec(),
            (opt::SOL_IP, n) if ip_flag_bit(n).is_some() => {
                b(o.extra.ip_flags & ip_flag_bit(n).unwrap_or(0) != 0)
            }
            (opt::SOL_IP, opt::IP_MTU_DISCOVER) => int_val(1),
            // an IPv4 socket's ip_getsockopt answers other levels so
            (opt::SOL_IPV6, _) if self.family != AF_INET6 => return Err(Errno::EOPNOTSUPP),
            (opt::SOL_IPV6, opt::IPV6_V6ONLY) => b(o.v6only),
            (opt::SOL_IPV6, opt::IPV6_UNICAST_HOPS) => int_val(o.hops),
            (opt::SOL_IPV6, opt::IPV6_TCLASS) => int_val(o.tclass),
            (opt::SOL_IPV6, opt::IPV6_RECVPKTINFO) => b(o.recvpktinfo6),
            (opt::SOL_IPV6, IPV6_RECVHOPLIMIT) => b(o.extra.recvhoplimit6),
            (opt::SOL_IPV6, IPV6_RECVTCLASS) => b(o.extra.recvtclass6),
            (opt::SOL_IPV6, opt::IPV6_MULTICAST_HOPS) if !tcp => int_val(1),
            (opt::SOL_IPV6, opt::IPV6_MULTICAST_LOOP) if !tcp => int_val(1),
            (opt::SOL_IPV6, opt::IPV6_MULTICAST_IF) if !tcp => int_val(0),
            (opt::SOL_SOCKET | opt::SOL_IP | opt::SOL_IPV6, _) => return Err(Errno::ENOPROTOOPT),
            (opt::SOL_TCP, _) => return Err(Errno::ENOPROTOOPT),
            _ => return Err(self.other_level_err()),
        })
    }

    /// getsockopt at a level no layer knows: IPv4's ip_getsockopt answers
    /// `EOPNOTSUPP`, IPv6's ipv6_getsockopt `ENOPROTOOPT`.
    fn other_level_err(&self) -> Errno {
        if self.family == AF_INET {
            Errno::EOPNOTSUPP
        } else {
            Errno::ENOPROTOOPT
        }
    }
}

impl Socket for InetSocket {
    fn domain(&self) -> i32 {
        self.family as i32
    }
    fn sock_type(&self) -> i32 {
        self.ty
    }
    fn protocol(&self) -> i32 {
        self.proto
    }

    fn bind(&self, addr: &SockAddr) -> KResult<()> {
        let (a, port) = parse_local(self.family, addr)?;
        let id = self.id;
        let (tcp, icmp, fam) = (self.is_tcp(), self.is_icmp(), self.family);
        let mapped =
            matches!(addr, SockAddr::Inet6 { addr, .. } if SockAddr::unmap_v4(addr).is_some());
        self.with(|g| {
            // inet6_bind: a v4-mapped address on a V6ONLY socket
            if mapped && Self::opts_mut(g, id)?.v6only {
                return Err(Errno::EINVAL);
            }
            if tcp {
                g.tcp_bind(id, a, port)
            } else if icmp {
                g.icmp_bind(id, fam, a, port)
            } else {
                g.udp_bind(id, a, port)
            }
        })
    }

    fn connect(&self, addr: &SockAddr, _cred: Cred) -> KResult<()> {
        let (id, fam, tcp, icmp) = (self.id, self.family, self.is_tcp(), self.is_icmp());
        // tcp_v6_connect's length check (EINVAL below SIN6_LEN_RFC2133) is made on
        // the bytes, by SockAddr::parse_connect; a whole-length sockaddr_in is
        // EAFNOSUPPORT (parse_remote)
        self.with(|g| {
            if tcp {
                g.tcp_connect(id, fam, addr)
            } else if icmp {
                g.icmp_connect(id, fam, addr)
            } else {
                g.udp_connect(id, fam, addr)
            }
        })
    }

    fn listen(&self, backlog: i32, _cred: Cred) -> KResult<()> {
        if !self.is_tcp() {
            return Err(Errno::EOPNOTSUPP);
        }
        let (id, fam) = (self.id, self.family);
        self.with(|g| g.tcp_listen(id, fam, backlog))
    }

    fn accept(&self) -> KResult<(Arc<dyn Socket>, SockAddr)> {
        if !self.is_tcp() {
            return Err(Errno::EOPNOTSUPP);
        }
        let (id, fam) = (self.id, self.family);
        let (nid, peer, pollee) = self.with(|g| {
            let (nid, peer) = g.tcp_accept(id, fam)?;
            let pollee = g
                .socks
                .get(&nid)
                .map(|e| e.pollee.clone())
                .ok_or(Errno::EAGAIN)?;
            Ok::<_, Errno>((nid, peer, pollee))
        })?;
        Ok((
            Arc::new(InetSocket {
                stack: self.stack.clone(),
                id: nid,
                family: self.family,
                ty: self.ty,
                proto: self.proto,
                pollee,
                closed: AtomicBool::new(false),
            }),
            peer,
        ))
    }

    fn send(
        &self,
        data: &[u8],
        to: Option<&SockAddr>,
        cmsgs: Vec<Cmsg>,
        flags: i32,
        _cred: Cred,
    ) -> KResult<usize> {
        let (id, fam, tcp, icmp) = (self.id, self.family, self.is_tcp(), self.is_icmp());
        // udp_sendmsg, ping_v4_sendmsg and raw_sendmsg refuse MSG_OOB
        if !tcp && flags & MSG_OOB != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        self.with(|g| {
            if tcp {
                g.tcp_send(id, data)
            } else if icmp {
                g.icmp_send(id, fam, data, to)
            } else {
                g.udp_send(id, fam, data, to, &cmsgs)
            }
        })
    }

    fn recv(&self, buf: &mut [u8], flags: i32) -> KResult<RecvInfo> {
        let (id, fam, tcp, icmp) = (self.id, self.family, self.is_tcp(), self.is_icmp());
        // TCP without urgent data: EINVAL; udp_recvmsg ignores MSG_OOB; ping and raw
        // sockets refuse it
        if flags & MSG_OOB != 0 {
            if tcp {
                return Err(Errno::EINVAL);
            }
            if icmp {
                return Err(Errno::EOPNOTSUPP);
            }
        }
        if !tcp {
            // taking a datagram changes nothing the stack has to send (TCP's
            // receive window has no counterpart), so no poll after it: that
            // full poll was most of a UDP receiver's cost
            let mut g = self.stack.inner.lock();
            g.now = smoltcp::time::Instant::from_millis(self.stack.now_ms());
            return if icmp {
                g.icmp_recv(id, fam, buf, flags)
            } else {
                g.udp_recv(id, fam, buf, flags)
            };
        }
        self.with(|g| {
            g.tcp_recv(id, buf, flags).map(|n| RecvInfo {
                len: n,
                full_len: n,
                ..Default::default()
            })
        })
    }

    fn shutdown(&self, how: i32) -> KResult<()> {
        if self.is_icmp() {
            return Err(Errno::ENOTCONN);
        }
        let (id, tcp) = (self.id, self.is_tcp());
        self.with(|g| {
            if tcp {
                g.tcp_shutdown(id, how)
            } else {
                g.udp_shutdown(id, how)
            }
        })
    }

    fn local_addr(&self) -> KResult<SockAddr> {
        let mut g = self.stack.inner.lock();
        if self.is_icmp() {
            g.icmp_local(self.id, self.family)
        } else if self.is_tcp() {
            g.tcp_local(self.id, self.family)
        } else {
            g.udp_local(self.id, self.family)
        }
    }

    fn peer_addr(&self) -> KResult<SockAddr> {
        let mut g = self.stack.inner.lock();
        if self.is_icmp() {
            let fam = self.family;
            g.icmp(self.id)?
                .peer
                .map(|a| super::stack::sockaddr(fam, Some(a), 0))
                .ok_or(Errno::ENOTCONN)
        } else if self.is_tcp() {
            g.tcp_peer(self.id, self.family)
        } else {
            g.udp_peer(self.id, self.family)
        }
    }

    fn setsockopt(&self, level: i32, name: i32, val: &[u8]) -> KResult<()> {
        let level = if level == IPPROTO_UDP && !self.is_tcp() {
            opt::SOL_UDP
        } else {
            level
        };
        if level == opt::SOL_UDP {
            return Err(Errno::ENOPROTOOPT);
        }
        self.with(|g| self.set_opt(g, level, name, val))
    }

    fn getsockopt(&self, level: i32, name: i32) -> KResult<Vec<u8>> {
        if level == opt::SOL_UDP {
            return match (self.is_tcp(), self.family, name) {
                (true, AF_INET, _) => Err(Errno::EOPNOTSUPP),
                (false, _, 1) => Ok(int_val(0)), // UDP_CORK
                _ => Err(Errno::ENOPROTOOPT),
            };
        }
        let mut g = self.stack.inner.lock();
        self.get_opt(&mut g, level, name)
    }

    fn take_error(&self) -> Option<Errno> {
        let mut g = self.stack.inner.lock();
        match g.socks.get_mut(&self.id).map(|e| &mut e.kind) {
            // SO_ERROR does not complete a non-blocking connect: the next connect
            // does (the syscall layer's blocking connect calls connect again)
            Some(Kind::Tcp(t)) => t.error.take(),
            Some(Kind::Udp(u)) => u.error.take(),
            Some(Kind::Icmp(_)) | None => None,
        }
    }

    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.pollee.register_poller(poller, mask);
        let mut g = self.stack.inner.lock();
        g.events(self.id) & (mask | rill_vfs::pollee::ALWAYS)
    }

    fn ioctl(&self, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
        let v = {
            let mut g = self.stack.inner.lock();
            match cmd {
                SIOCINQ | SIOCOUTQ if self.is_icmp() => 0,
                SIOCINQ | SIOCOUTQ => {
                    let (inq, outq) = if self.is_tcp() {
                        g.tcp_queues(self.id)?.ok_or(Errno::EINVAL)?
                    } else {
                        g.udp_queues(self.id)?
                    };
                    if cmd == SIOCINQ {
                        inq
                    } else {
                        outq
                    }
                }
                // no urgent data is ever marked; unsent bytes leave at once
                SIOCATMARK if self.is_tcp() => 0,
                SIOCOUTQNSD if self.is_tcp() => {
                    g.tcp_queues(self.id)?.ok_or(Errno::EINVAL)?;
                    0
                }
                _ => return Err(Errno::ENOTTY),
            }
        };
        io.write(arg, &(v.min(i32::MAX as usize) as i32).to_ne_bytes())?;
        Ok(0)
    }

    fn close(&self) {
        let (id, tcp, icmp) = (self.id, self.is_tcp(), self.is_icmp());
        self.closed.store(true, Ordering::Relaxed);
        self.with(|g| {
            if tcp {
                g.tcp_close(id)
            } else if icmp {
                g.icmp_close(id)
            } else {
                g.udp_close(id)
            }
        })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for InetSocket {
    fn drop(&mut self) {
        // an accepted socket dropped without a file, or close() never called
        if *self.closed.get_mut() {
            return;
        }
        let mut g = self.stack.inner.lock();
        if g.socks.contains_key(&self.id) {
            if self.proto == IPPROTO_TCP {
                g.tcp_close(self.id);
            } else if self.is_icmp() {
                g.icmp_close(self.id);
            } else {
                g.udp_close(self.id);
            }
        }
    }
}

impl InetSocket {
    /// Records the inode number of this socket's file (the `inode` column of
    /// /proc/net/{tcp,udp}*).
    pub fn set_inode(&self, ino: u64) {
        self.stack.set_ino(self.id, ino);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_sizes_as_linux() {
        // -5 is a huge u32: capped at the max, then doubled
        assert_eq!(buf_val(-5, false, MIN_RCVBUF), 2 * MEM_MAX);
        assert_eq!(buf_val(1 << 30, false, MIN_SNDBUF), 2 * MEM_MAX);
        assert_eq!(buf_val(1, false, MIN_SNDBUF), MIN_SNDBUF);
        assert_eq!(buf_val(-5, true, MIN_RCVBUF), MIN_RCVBUF);
        assert_eq!(buf_val(300_000, true, MIN_RCVBUF), 600_000);
    }

    #[test]
    fn defer_accept_round_trip() {
        assert_eq!(secs_to_retrans(0), 0);
        assert_eq!(secs_to_retrans(-3), 0);
        assert_eq!(secs_to_retrans(5), 3);
        assert_eq!(retrans_to_secs(3), 7);
        assert_eq!(retrans_to_secs(secs_to_retrans(1)), 1);
        assert!(retrans_to_secs(secs_to_retrans(1000)) >= 1000);
    }
}
