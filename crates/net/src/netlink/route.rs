//! `NETLINK_ROUTE` requests (rtnetlink) answered from a [`NetConfig`]: the
//! `RTM_GET*` dumps and single gets with the attributes Linux 6.1 gives, in its
//! order, and the changes (`RTM_NEW*`/`RTM_DEL*`/`RTM_SETLINK`) with its errnos.

use alloc::vec;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};

use super::msg::*;
use crate::config::{iff, IfAddr, Link, NetConfig, Route, ARPHRD_LOOPBACK};
use crate::socket::{AF_INET, AF_INET6};

/// What a request gave back (besides the ack, which the socket adds).
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// Nothing (an ack follows if asked for).
    None,
    /// One reply message (a single `RTM_GETLINK`, a route lookup).
    Single(Vec<u8>),
    /// The messages of a dump (the socket packs them and adds `NLMSG_DONE`).
    Dump(Vec<Vec<u8>>),
}

/// Who asks, and how.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    /// The asking socket's port id (the `nlmsg_pid` of replies).
    pub portid: u32,
    /// `NETLINK_GET_STRICT_CHK`.
    pub strict: bool,
    /// Whether the caller may change the configuration (`CAP_NET_ADMIN`).
    pub admin: bool,
}

const AF4: u8 = AF_INET as u8;
const AF6: u8 = AF_INET6 as u8;
/// `RTNH_F_ONLINK`: the gateway is on the link, no check.
const RTNH_F_ONLINK: u32 = 4;
/// `RTM_F_CLONED`: a lookup result.
const RTM_F_CLONED: u32 = 0x200;

/// Answers one rtnetlink request (`rtnetlink_rcv_msg`): `Err` becomes the
/// `NLMSG_ERROR` the socket sends.
pub fn handle(cfg: Option<&dyn NetConfig>, m: &NlMsg<'_>, ctx: &Ctx) -> KResult<Answer> {
    let ty = m.hdr.ty;
    if ty > RTM_MAX {
        return Err(Errno::EOPNOTSUPP);
    }
    // every message must have at least the one byte of rtgenmsg
    if m.payload.is_empty() || ty < RTM_BASE {
        return Ok(Answer::None);
    }
    let kind = (ty - RTM_BASE) & 3;
    if kind != 2 && !ctx.admin {
        return Err(Errno::EPERM);
    }
    let links = cfg.map(sorted_links).unwrap_or_default();
    let addrs = cfg.map(|c| c.addrs()).unwrap_or_default();
    let seq = m.hdr.seq;
    let dump = kind == 2 && m.hdr.flags & NLM_F_DUMP != 0;
    let family = m.payload[0];
    if dump {
        let msgs = match ty {
            RTM_GETLINK => links
                .iter()
                .map(|l| link_msg(l, RTM_NEWLINK, NLM_F_MULTI, seq, ctx.portid))
                .collect(),
            RTM_GETADDR => {
                let want = if ctx.strict && m.payload.len() >= IFADDRMSG_LEN {
                    IfAddrMsg::parse(m.payload).index
                } else {
                    0
                };
                let mut v = Vec::new();
                for fam in families(family) {
                    for l in &links {
                        if want != 0 && l.index != want {
                            continue;
                        }
                        for a in addrs
                            .iter()
                            .filter(|a| a.ifindex == l.index && a.family == fam)
                        {
                            v.push(addr_msg(a, l, NLM_F_MULTI, seq, ctx.portid));
                        }
                    }
                }
                v
            }
            RTM_GETROUTE => {
                let routes = cfg.map(|c| c.routes()).unwrap_or_default();
                let table = if ctx.strict && m.payload.len() >= RTMSG_LEN {
                    RtMsg::parse(m.payload).table
                } else {
                    0
                };
                let mut v = Vec::new();
                for fam in families(family) {
                    for r in route_entries(fam, &routes, &links, &addrs) {
                        if table == 0 || table == r.table {
                            v.push(r.msg(RTM_NEWROUTE, NLM_F_MULTI, seq, ctx.portid));
                        }
                    }
                }
                v
            }
            // no neighbour table is visible: an empty dump
            RTM_GETNEIGH => Vec::new(),
            _ => return Err(Errno::EOPNOTSUPP),
        };
        return Ok(Answer::Dump(msgs));
    }
    let cfg_or = |e: Errno| cfg.ok_or(e);
    match ty {
        RTM_GETLINK => {
            let l = find_link(&links, m.payload)?;
            Ok(Answer::Single(link_msg(l, RTM_NEWLINK, 0, seq, ctx.portid)))
        }
        RTM_NEWLINK | RTM_SETLINK => {
            let info = IfInfo::parse(m.payload);
            let a = attrs(m.payload.get(IFINFOMSG_LEN..).unwrap_or(&[]));
            let l = match find_link(&links, m.payload) {
                Ok(l) => l,
                Err(e) => {
                    if ty == RTM_NEWLINK && e == Errno::ENODEV && m.hdr.flags & NLM_F_CREATE != 0 {
                        // Rill cannot create links (no dummy, veth, bridge, ...)
                        return Err(Errno::EOPNOTSUPP);
                    }
                    return Err(e);
                }
            };
            if ty == RTM_NEWLINK {
                if m.hdr.flags & NLM_F_EXCL != 0 {
                    return Err(Errno::EEXIST);
                }
                if m.hdr.flags & NLM_F_REPLACE != 0 {
                    return Err(Errno::EOPNOTSUPP);
                }
            }
            set_link(cfg_or(Errno::ENODEV)?, l, &info, &a)?;
            Ok(Answer::None)
        }
        RTM_DELLINK => {
            find_link(&links, m.payload)?;
            // lo and the drivers' devices cannot be deleted
            Err(Errno::EOPNOTSUPP)
        }
        RTM_NEWADDR | RTM_DELADDR => {
            let c = cfg_or(Errno::ENODEV)?;
            change_addr(c, &links, &addrs, m, ty == RTM_NEWADDR)?;
            Ok(Answer::None)
        }
        RTM_NEWROUTE | RTM_DELROUTE => {
            let c = cfg_or(Errno::ENETUNREACH)?;
            change_route(c, &links, &addrs, m, ty == RTM_NEWROUTE)?;
            Ok(Answer::None)
        }
        RTM_GETROUTE => {
            let routes = cfg.map(|c| c.routes()).unwrap_or_default();
            route_get(&routes, &links, &addrs, m, ctx).map(Answer::Single)
        }
        _ => Err(Errno::EOPNOTSUPP),
    }
}

/// The families a dump of `family` covers: rtnl_dump_all (AF_INET, then AF_INET6)
/// for AF_UNSPEC and the families without handlers of their own.
fn families(family: u8) -> Vec<u16> {
    match family {
        AF4 => vec![AF_INET],
        AF6 => vec![AF_INET6],
        _ => vec![AF_INET, AF_INET6],
    }
}

fn sorted_links(c: &dyn NetConfig) -> Vec<Link> {
    let mut l = c.links();
    l.sort_by_key(|l| l.index);
    l
}

/// The link a request names: `ifi_index`, else `IFLA_IFNAME`/`IFLA_ALT_IFNAME`;
/// neither is EINVAL, no such link ENODEV.
fn find_link<'a>(links: &'a [Link], payload: &[u8]) -> KResult<&'a Link> {
    let info = IfInfo::parse(payload);
    if info.index > 0 {
        return links
            .iter()
            .find(|l| l.index == info.index as u32)
            .ok_or(Errno::ENODEV);
    }
    let a = attrs(payload.get(IFINFOMSG_LEN..).unwrap_or(&[]));
    let name = find_attr(&a, IFLA_IFNAME)
        .or_else(|| find_attr(&a, IFLA_ALT_IFNAME))
        .ok_or(Errno::EINVAL)?;
    let name = attr_str(name);
    links
        .iter()
        .find(|l| l.name.as_bytes() == name)
        .ok_or(Errno::ENODEV)
}

/// `ifi_flags` as `dev_get_flags` reports them: RUNNING and LOWER_UP only while up.
pub fn link_flags(l: &Link) -> u32 {
    let mut f = l.flags;
    if f & iff::UP == 0 {
        f &= !(iff::RUNNING | iff::LOWER_UP);
    } else if f & iff::RUNNING != 0 {
        f |= iff::LOWER_UP;
    }
    f
}

fn is_loopback(l: &Link) -> bool {
    l.flags & iff::LOOPBACK != 0 || l.link_type == ARPHRD_LOOPBACK
}

/// `IFLA_OPERSTATE`: down, unknown for lo (it has no carrier), up when running.
fn operstate(l: &Link) -> u8 {
    let f = link_flags(l);
    if f & iff::UP == 0 {
        IF_OPER_DOWN
    } else if is_loopback(l) {
        IF_OPER_UNKNOWN
    } else if f & iff::RUNNING != 0 {
        IF_OPER_UP
    } else {
        IF_OPER_DOWN
    }
}

/// An `RTM_NEWLINK` for `l` (`rtnl_fill_ifinfo`'s attribute order).
pub fn link_msg(l: &Link, ty: u16, flags: u16, seq: u32, pid: u32) -> Vec<u8> {
    let lo = is_loopback(l);
    let mut m = MsgBuilder::new(ty, flags, seq, pid);
    m.raw(&ifinfomsg(0, l.link_type, l.index as i32, link_flags(l), 0));
    let carrier = (l.flags & (iff::RUNNING | iff::LOWER_UP) != 0 || lo) as u8;
    m.str(IFLA_IFNAME, l.name.as_bytes())
        .u32(IFLA_TXQLEN, 1000)
        .u8(IFLA_OPERSTATE, operstate(l))
        .u8(IFLA_LINKMODE, 0)
        .u32(IFLA_MTU, l.mtu)
        .u32(IFLA_MIN_MTU, if lo { 0 } else { 68 })
        .u32(IFLA_MAX_MTU, if lo { 0 } else { 65535 })
        .u32(IFLA_GROUP, 0)
        .u32(IFLA_PROMISCUITY, 0)
        .u32(IFLA_NUM_TX_QUEUES, 1)
        .u32(IFLA_GSO_MAX_SEGS, 65535)
        .u32(IFLA_GSO_MAX_SIZE, 65536)
        .u32(IFLA_GRO_MAX_SIZE, 65536)
        .u32(IFLA_TSO_MAX_SIZE, if lo { 524280 } else { 65536 })
        .u32(IFLA_TSO_MAX_SEGS, 65535)
        .u32(IFLA_NUM_RX_QUEUES, 1)
        .u8(IFLA_CARRIER, carrier)
        .u32(IFLA_CARRIER_CHANGES, 0)
        .u32(IFLA_CARRIER_UP_COUNT, 0)
        .u32(IFLA_CARRIER_DOWN_COUNT, 0)
        .u8(IFLA_PROTO_DOWN, 0)
        .attr(IFLA_ADDRESS, &l.mac)
        .attr(IFLA_BROADCAST, if lo { &[0; 6] } else { &[0xff; 6] });
    let s = &l.stats;
    let c64 = [
        s.rx_packets,
        s.tx_packets,
        s.rx_bytes,
        s.tx_bytes,
        s.rx_errors,
        s.tx_errors,
        s.rx_dropped,
        s.tx_dropped,
    ];
    // rtnl_link_stats64: 25 counters; rtnl_link_stats: 24 (32-bit)
    let mut st64 = Vec::with_capacity(200);
    let mut st32 = Vec::with_capacity(96);
    for i in 0..25 {
        let v = c64.get(i).copied().unwrap_or(0);
        st64.extend_from_slice(&v.to_ne_bytes());
        if i < 24 {
            st32.extend_from_slice(&(v as u32).to_ne_bytes());
        }
    }
    m.attr(IFLA_STATS64, &st64).attr(IFLA_STATS, &st32);
    if !lo {
        m.attr(IFLA_PERM_ADDRESS, &l.mac);
    }
    m.str(IFLA_QDISC, if lo { b"noqueue" } else { b"pfifo_fast" })
        .attr(IFLA_MAP, &[0; 32]);
    m.finish()
}

/// RT_SCOPE of an address: host for 127/8 and ::1, link for fe80::/10.
pub fn addr_scope(a: &IfAddr) -> u8 {
    match a.addr.as_slice() {
        [127, ..] => RT_SCOPE_HOST,
        b if b.len() == 16 && b[..15].iter().all(|&x| x == 0) && b[15] == 1 => RT_SCOPE_HOST,
        [0xfe, b, ..] if b & 0xc0 == 0x80 => RT_SCOPE_LINK,
        _ => RT_SCOPE_UNIVERSE,
    }
}

/// The IPv4 broadcast address Linux computes (`SIOCSIFADDR`, `brd +`) on a
/// broadcast-capable link: none on lo or for /31 and /32.
pub fn v4_broadcast(a: &IfAddr, l: &Link) -> Option<[u8; 4]> {
    let b: [u8; 4] = a.addr.as_slice().try_into().ok()?;
    if l.flags & iff::BROADCAST == 0 || is_loopback(l) || a.prefix_len >= 31 {
        return None;
    }
    let mask = prefix_mask4(a.prefix_len);
    Some((u32::from_be_bytes(b) | !mask).to_be_bytes())
}

/// The netmask of a prefix length (host order).
pub fn prefix_mask4(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len.min(32) as u32)
    }
}

/// An `RTM_NEWADDR` for `a` (`inet_fill_ifaddr` / `inet6_fill_ifaddr`).
pub fn addr_msg(a: &IfAddr, l: &Link, flags: u16, seq: u32, pid: u32) -> Vec<u8> {
    let mut m = MsgBuilder::new(RTM_NEWADDR, flags, seq, pid);
    let hdr = IfAddrMsg {
        family: a.family as u8,
        prefixlen: a.prefix_len,
        flags: IFA_F_PERMANENT as u8,
        scope: addr_scope(a),
        index: a.ifindex,
    };
    m.raw(&hdr.bytes());
    let mut cache = Vec::with_capacity(16);
    for v in [u32::MAX, u32::MAX, 0, 0] {
        cache.extend_from_slice(&v.to_ne_bytes());
    }
    if a.family == AF_INET {
        m.attr(IFA_ADDRESS, &a.addr).attr(IFA_LOCAL, &a.addr);
        if let Some(b) = v4_broadcast(a, l) {
            m.attr(IFA_BROADCAST, &b);
        }
        m.str(IFA_LABEL, l.name.as_bytes())
            .u32(IFA_FLAGS, IFA_F_PERMANENT)
            .attr(IFA_CACHEINFO, &cache);
    } else {
        m.attr(IFA_ADDRESS, &a.addr)
            .attr(IFA_CACHEINFO, &cache)
            .u32(IFA_FLAGS, IFA_F_PERMANENT);
    }
    m.finish()
}

/// One route as a dump shows it.
#[derive(Clone, Debug)]
pub struct RouteEntry {
    pub family: u16,
    pub table: u8,
    pub ty: u8,
    pub dst: Vec<u8>,
    pub dst_len: u8,
    pub gateway: Option<Vec<u8>>,
    pub ifindex: u32,
    pub protocol: u8,
    pub scope: u8,
    pub metric: u32,
    pub prefsrc: Option<Vec<u8>>,
}

impl RouteEntry {
    /// An `RTM_NEWROUTE` (`fib_dump_info` / `rt6_fill_node` attribute order).
    pub fn msg(&self, ty: u16, flags: u16, seq: u32, pid: u32) -> Vec<u8> {
        let mut m = MsgBuilder::new(ty, flags, seq, pid);
        let h = RtMsg {
            family: self.family as u8,
            dst_len: self.dst_len,
            table: self.table,
            protocol: self.protocol,
            scope: self.scope,
            ty: self.ty,
            ..Default::default()
        };
        m.raw(&h.bytes()).u32(RTA_TABLE, self.table as u32);
        if self.dst_len > 0 {
            m.attr(RTA_DST, &self.dst);
        }
        if self.family == AF_INET {
            if self.metric != 0 {
                m.u32(RTA_PRIORITY, self.metric);
            }
            if let Some(p) = &self.prefsrc {
                m.attr(RTA_PREFSRC, p);
            }
            if let Some(g) = &self.gateway {
                m.attr(RTA_GATEWAY, g);
            }
            m.u32(RTA_OIF, self.ifindex);
        } else {
            m.u32(RTA_PRIORITY, self.metric);
            if let Some(g) = &self.gateway {
                m.attr(RTA_GATEWAY, g);
            }
            m.u32(RTA_OIF, self.ifindex)
                .attr(RTA_CACHEINFO, &[0; 32])
                .u8(RTA_PREF, 0);
        }
        m.finish()
    }
}

/// Whether `addr` is inside `net`/`len` (same family lengths).
pub fn in_prefix(addr: &[u8], net: &[u8], len: u8) -> bool {
    if addr.len() != net.len() {
        return false;
    }
    let mut bits = len as usize;
    for (a, n) in addr.iter().zip(net) {
        if bits == 0 {
            return true;
        }
        let m: u8 = if bits >= 8 { 0xff } else { 0xff << (8 - bits) };
        if a & m != n & m {
            return false;
        }
        bits = bits.saturating_sub(8);
    }
    true
}

/// `addr` with the bits past `len` cleared.
pub fn mask_prefix(addr: &[u8], len: u8) -> Vec<u8> {
    let mut bits = len as usize;
    addr.iter()
        .map(|&b| {
            let m: u8 = if bits >= 8 {
                0xff
            } else if bits == 0 {
                0
            } else {
                0xff << (8 - bits)
            };
            bits = bits.saturating_sub(8);
            b & m
        })
        .collect()
}

/// The routes of `family` a dump lists: the main table (the configuration's
/// routes, sorted as Linux's tries walk them) and then the local table Linux
/// derives from the addresses (local and broadcast routes).
pub fn route_entries(
    family: u16,
    routes: &[Route],
    links: &[Link],
    addrs: &[IfAddr],
) -> Vec<RouteEntry> {
    let mut main: Vec<RouteEntry> = routes
        .iter()
        .filter(|r| r.family == family)
        .map(|r| RouteEntry {
            family,
            table: RT_TABLE_MAIN,
            ty: RTN_UNICAST,
            dst: r.dst.clone(),
            dst_len: r.dst_len,
            gateway: r.gateway.clone(),
            ifindex: r.ifindex,
            protocol: r.protocol,
            scope: r.scope,
            metric: r.metric,
            prefsrc: if family == AF_INET && r.gateway.is_none() && r.protocol == RTPROT_KERNEL {
                addrs
                    .iter()
                    .find(|a| {
                        a.family == AF_INET
                            && a.ifindex == r.ifindex
                            && in_prefix(&a.addr, &r.dst, r.dst_len)
                    })
                    .map(|a| a.addr.clone())
            } else {
                None
            },
        })
        .collect();
    let mut local = Vec::new();
    let link_of = |i: u32| links.iter().find(|l| l.index == i);
    for a in addrs.iter().filter(|a| a.family == family) {
        let Some(l) = link_of(a.ifindex) else {
            continue;
        };
        let mk = |ty: u8, dst: Vec<u8>, dst_len: u8, scope: u8| RouteEntry {
            family,
            table: RT_TABLE_LOCAL,
            ty,
            dst,
            dst_len,
            gateway: None,
            ifindex: a.ifindex,
            protocol: RTPROT_KERNEL,
            scope,
            metric: 0,
            prefsrc: if family == AF_INET {
                Some(a.addr.clone())
            } else {
                None
            },
        };
        if family == AF_INET {
            let net = mask_prefix(&a.addr, a.prefix_len);
            if is_loopback(l) && a.prefix_len < 32 {
                local.push(mk(RTN_LOCAL, net.clone(), a.prefix_len, RT_SCOPE_HOST));
            }
            local.push(mk(RTN_LOCAL, a.addr.clone(), 32, RT_SCOPE_HOST));
            if a.prefix_len < 31 {
                let b = (u32::from_be_bytes(net.as_slice().try_into().unwrap_or([0; 4]))
                    | !prefix_mask4(a.prefix_len))
                .to_be_bytes();
                local.push(mk(RTN_BROADCAST, b.to_vec(), 32, RT_SCOPE_LINK));
            }
        } else {
            local.push(mk(RTN_LOCAL, a.addr.clone(), 128, RT_SCOPE_UNIVERSE));
        }
    }
    if family == AF_INET {
        // the trie's order: by key, and the longer prefix first for one key
        let key = |e: &RouteEntry| (e.dst.clone(), core::cmp::Reverse(e.dst_len), e.metric);
        main.sort_by_key(key);
        local.sort_by_key(key);
        local.dedup_by(|a, b| a.dst == b.dst && a.dst_len == b.dst_len && a.ty == b.ty);
    } else {
        // fib6's walk: the more specific prefixes before the default route
        main.sort_by_key(|e| (core::cmp::Reverse(e.dst_len), e.dst.clone(), e.metric));
    }
    main.extend(local);
    main
}

fn set_link(c: &dyn NetConfig, l: &Link, info: &IfInfo, a: &[(u16, &[u8])]) -> KResult<()> {
    if info.index > 0 {
        if let Some(n) = find_attr(a, IFLA_IFNAME) {
            if attr_str(n) != l.name.as_bytes() {
                // renaming: Rill's links keep their names
                return Err(Errno::EOPNOTSUPP);
            }
        }
    }
    if let Some(mac) = find_attr(a, IFLA_ADDRESS) {
        if mac != l.mac {
            return Err(Errno::EOPNOTSUPP);
        }
    }
    if let Some(v) = find_attr(a, IFLA_MTU) {
        let mtu = attr_u32(v).ok_or(Errno::EINVAL)?;
        if !is_loopback(l) && !(68..=65535).contains(&mtu) || mtu > i32::MAX as u32 {
            return Err(Errno::EINVAL);
        }
        if mtu != l.mtu {
            c.set_mtu(l.index, mtu)?;
        }
    }
    if info.flags != 0 || info.change != 0 {
        // ifi_change 0 means "all bits" (rtnl_dev_combine_flags)
        let cur = link_flags(l);
        let new = if info.change != 0 {
            (info.flags & info.change) | (cur & !info.change)
        } else {
            info.flags
        };
        let up = new & iff::UP != 0;
        if up != (cur & iff::UP != 0) {
            c.set_link_up(l.index, up)?;
        }
    }
    Ok(())
}

/// An address attribute of the right length for `family`.
fn ip_attr(v: &[u8], family: u16) -> KResult<Vec<u8>> {
    let want = if family == AF_INET { 4 } else { 16 };
    if v.len() < want {
        return Err(Errno::EINVAL);
    }
    Ok(v[..want].to_vec())
}

fn change_addr(
    c: &dyn NetConfig,
    links: &[Link],
    addrs: &[IfAddr],
    m: &NlMsg<'_>,
    add: bool,
) -> KResult<()> {
    let h = IfAddrMsg::parse(m.payload);
    let family = h.family as u16;
    if family != AF_INET && family != AF_INET6 {
        return Err(Errno::EOPNOTSUPP);
    }
    let max = if family == AF_INET { 32 } else { 128 };
    let a = attrs(m.payload.get(IFADDRMSG_LEN..).unwrap_or(&[]));
    let local = find_attr(&a, IFA_LOCAL);
    let address = find_attr(&a, IFA_ADDRESS);
    let link = links.iter().find(|l| l.index == h.index);
    if family == AF_INET && !add {
        // inet_rtm_deladdr: the device first, then the first matching address
        let l = link.ok_or(Errno::ENODEV)?;
        let local = local.map(|v| ip_attr(v, family)).transpose()?;
        let address = address.map(|v| ip_attr(v, family)).transpose()?;
        let label = find_attr(&a, IFA_LABEL).map(attr_str);
        let found = addrs.iter().find(|x| {
            x.family == AF_INET
                && x.ifindex == l.index
                && local.as_ref().is_none_or(|v| *v == x.addr)
                && label.is_none_or(|n| n == l.name.as_bytes())
                && address.as_ref().is_none_or(|v| {
                    h.prefixlen == x.prefix_len && in_prefix(v, &x.addr, x.prefix_len)
                })
        });
        return c.del_addr(found.ok_or(Errno::EADDRNOTAVAIL)?);
    }
    let pfx = ip_attr(local.or(address).ok_or(Errno::EINVAL)?, family)?;
    if h.prefixlen > max {
        return Err(Errno::EINVAL);
    }
    let l = link.ok_or(Errno::ENODEV)?;
    let new = IfAddr {
        ifindex: l.index,
        family,
        addr: pfx,
        prefix_len: h.prefixlen,
    };
    let existing = addrs.iter().find(|x| {
        x.family == family
            && x.ifindex == l.index
            && x.addr == new.addr
            && (family == AF_INET6 || x.prefix_len == new.prefix_len)
    });
    if !add {
        let x = existing
            .filter(|x| x.prefix_len == new.prefix_len)
            .ok_or(Errno::EADDRNOTAVAIL)?;
        return c.del_addr(x);
    }
    if let Some(x) = existing {
        let replace = m.hdr.flags & NLM_F_REPLACE != 0;
        let excl = family == AF_INET && m.hdr.flags & NLM_F_EXCL != 0;
        if !replace || excl {
            return Err(Errno::EEXIST);
        }
        if x.prefix_len != new.prefix_len {
            c.del_addr(x)?;
            c.add_addr(&new)?;
        }
        return Ok(());
    }
    c.add_addr(&new)
}

/// The link through which `gw` is directly reachable: an address's subnet or a
/// link route (no gateway) containing it, on `oif` if given.
fn resolve_gateway(gw: &[u8], oif: Option<u32>, addrs: &[IfAddr], routes: &[Route]) -> Option<u32> {
    let ok = |i: u32| oif.is_none_or(|o| o == i);
    addrs
        .iter()
        .filter(|a| ok(a.ifindex) && a.prefix_len > 0)
        .find(|a| in_prefix(gw, &a.addr, a.prefix_len))
        .map(|a| a.ifindex)
        .or_else(|| {
            routes
                .iter()
                .filter(|r| r.gateway.is_none() && ok(r.ifindex))
                .find(|r| in_prefix(gw, &r.dst, r.dst_len))
                .map(|r| r.ifindex)
        })
}

fn change_route(
    c: &dyn NetConfig,
    links: &[Link],
    addrs: &[IfAddr],
    m: &NlMsg<'_>,
    add: bool,
) -> KResult<()> {
    let h = RtMsg::parse(m.payload);
    let family = h.family as u16;
    if family != AF_INET && family != AF_INET6 {
        return Err(Errno::EOPNOTSUPP);
    }
    let max = if family == AF_INET { 32 } else { 128 };
    if h.dst_len > max {
        return Err(Errno::EINVAL);
    }
    let a = attrs(m.payload.get(RTMSG_LEN..).unwrap_or(&[]));
    let table = find_attr(&a, RTA_TABLE)
        .and_then(attr_u32)
        .unwrap_or(h.table as u32);
    let main = table == RT_TABLE_MAIN as u32 || table == RT_TABLE_UNSPEC as u32;
    let dst = match find_attr(&a, RTA_DST) {
        Some(v) => ip_attr(v, family)?,
        None => vec![0; max as usize / 8],
    };
    if family == AF_INET && mask_prefix(&dst, h.dst_len) != dst {
        // "Invalid prefix for given prefix length"
        return Err(Errno::EINVAL);
    }
    let dst = mask_prefix(&dst, h.dst_len);
    let gateway = find_attr(&a, RTA_GATEWAY)
        .map(|v| ip_attr(v, family))
        .transpose()?;
    let oif = find_attr(&a, RTA_OIF).and_then(attr_u32);
    let prio = find_attr(&a, RTA_PRIORITY).and_then(attr_u32);
    let routes = c.routes();
    if !add {
        if !main {
            return Err(Errno::ESRCH);
        }
        let found = routes.iter().find(|r| {
            r.family == family
                && r.dst_len == h.dst_len
                && r.dst == dst
                && gateway
                    .as_ref()
                    .is_none_or(|g| r.gateway.as_ref() == Some(g))
                && oif.is_none_or(|o| o == r.ifindex)
                && prio.is_none_or(|p| p == r.metric)
                && (h.protocol == 0 || h.protocol == r.protocol)
        });
        return c.del_route(found.ok_or(Errno::ESRCH)?);
    }
    if !main || !(h.ty == RTN_UNICAST || h.ty == 0) {
        // other tables, blackhole/unreachable/prohibit routes: not in Rill
        return Err(Errno::EOPNOTSUPP);
    }
    if let Some(o) = oif {
        if !links.iter().any(|l| l.index == o) {
            return Err(Errno::ENODEV);
        }
    }
    let ifindex = match &gateway {
        Some(g) if h.flags & RTNH_F_ONLINK == 0 => {
            resolve_gateway(g, oif, addrs, &routes).ok_or(Errno::ENETUNREACH)?
        }
        _ => oif.ok_or(Errno::ENODEV)?,
    };
    let metric = prio.unwrap_or(if family == AF_INET6 { 1024 } else { 0 });
    let r = Route {
        family,
        dst,
        dst_len: h.dst_len,
        gateway,
        ifindex,
        protocol: h.protocol,
        scope: if family == AF_INET {
            h.scope
        } else {
            RT_SCOPE_UNIVERSE
        },
        metric,
    };
    let same_key = routes.iter().find(|x| {
        x.family == family && x.dst == r.dst && x.dst_len == r.dst_len && x.metric == r.metric
    });
    match same_key {
        Some(_) if m.hdr.flags & NLM_F_EXCL != 0 => Err(Errno::EEXIST),
        Some(x) if m.hdr.flags & NLM_F_REPLACE != 0 => {
            c.del_route(x)?;
            c.add_route(&r)
        }
        Some(x) if x.gateway == r.gateway && x.ifindex == r.ifindex => Err(Errno::EEXIST),
        None if family == AF_INET && m.hdr.flags & NLM_F_CREATE == 0 => Err(Errno::ENOENT),
        _ => c.add_route(&r),
    }
}

/// `ip route get ADDR`: the route a packet to `RTA_DST` takes.
fn route_get(
    routes: &[Route],
    links: &[Link],
    addrs: &[IfAddr],
    m: &NlMsg<'_>,
    ctx: &Ctx,
) -> KResult<Vec<u8>> {
    let h = RtMsg::parse(m.payload);
    let family = match h.family {
        AF4 => AF_INET,
        AF6 => AF_INET6,
        _ => return Err(Errno::EOPNOTSUPP),
    };
    let a = attrs(m.payload.get(RTMSG_LEN..).unwrap_or(&[]));
    let dst = match find_attr(&a, RTA_DST) {
        Some(v) => ip_attr(v, family)?,
        None => vec![0; if family == AF_INET { 4 } else { 16 }],
    };
    let len = (dst.len() * 8) as u8;
    let mut e = if let Some(own) = addrs.iter().find(|x| x.family == family && x.addr == dst) {
        let lo = links.iter().find(|l| is_loopback(l)).map_or(1, |l| l.index);
        RouteEntry {
            family,
            table: RT_TABLE_LOCAL,
            ty: RTN_LOCAL,
            dst: dst.clone(),
            dst_len: len,
            gateway: None,
            ifindex: lo,
            protocol: 0,
            scope: RT_SCOPE_UNIVERSE,
            metric: 0,
            prefsrc: Some(own.addr.clone()),
        }
    } else {
        let r = routes
            .iter()
            .filter(|r| r.family == family && in_prefix(&dst, &r.dst, r.dst_len))
            .max_by_key(|r| (r.dst_len, core::cmp::Reverse(r.metric)))
            .ok_or(Errno::ENETUNREACH)?;
        let hop = r.gateway.clone().unwrap_or_else(|| dst.clone());
        let src = addrs
            .iter()
            .filter(|x| x.family == family && x.ifindex == r.ifindex)
            .find(|x| in_prefix(&hop, &x.addr, x.prefix_len))
            .or_else(|| {
                addrs
                    .iter()
                    .find(|x| x.family == family && x.ifindex == r.ifindex)
            })
            .map(|x| x.addr.clone());
        RouteEntry {
            family,
            table: RT_TABLE_MAIN,
            ty: RTN_UNICAST,
            dst: dst.clone(),
            dst_len: len,
            gateway: r.gateway.clone(),
            ifindex: r.ifindex,
            protocol: 0,
            scope: RT_SCOPE_UNIVERSE,
            metric: if family == AF_INET6 { r.metric } else { 0 },
            prefsrc: src,
        }
    };
    if family == AF_INET6 {
        e.prefsrc = None;
    }
    let mut b = e.msg(RTM_NEWROUTE, 0, m.hdr.seq, ctx.portid);
    // the rtmsg flags of a lookup result
    if let Some(f) = b.get_mut(NLMSG_HDRLEN + 8..NLMSG_HDRLEN + 12) {
        f.copy_from_slice(&RTM_F_CLONED.to_ne_bytes());
    }
    Ok(b)
}
