//! The text of `/proc/net/*` in Linux's formats, and the socket lists it is made from.

use alloc::vec::Vec;

use crate::addr::SockAddr;

/// One inet socket as `/proc/net/{tcp,tcp6,udp,udp6}` list it.
#[derive(Clone, Debug)]
pub struct InetSockInfo {
    /// `IPPROTO_TCP` (6) or `IPPROTO_UDP` (17).
    pub protocol: i32,
    /// `AF_INET` or `AF_INET6` (the socket's family, which picks the file).
    pub family: u16,
    pub local: SockAddr,
    pub remote: SockAddr,
    /// Linux's TCP state numbers (1 ESTABLISHED .. 10 LISTEN, 11 CLOSING); UDP: 7 (CLOSE)
    /// or 1 when connected.
    pub state: u8,
    pub tx_queue: u32,
    pub rx_queue: u32,
    pub uid: u32,
    pub inode: u64,
}

/// One unix socket as `/proc/net/unix` lists it.
#[derive(Clone, Debug)]
pub struct UnixSockInfo {
    /// `SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_SEQPACKET`.
    pub sock_type: i32,
    /// 1 unconnected, 3 connected (Linux's SS_* values), and `__SO_ACCEPTCON` listening.
    pub state: u8,
    pub listening: bool,
    pub inode: u64,
    /// The bound name (`@name` for abstract ones), if any.
    pub path: Option<Vec<u8>>,
}

use alloc::format;
use alloc::string::String;
use core::fmt::Write;

use crate::addr::UnixAddr;
use crate::config::{IfAddr, Link, Route};
use crate::netlink::msg::{RTN_LOCAL, RT_TABLE_MAIN};
use crate::netlink::route::{addr_scope, prefix_mask4, route_entries};
use crate::netlink::NetlinkSockInfo;
use crate::socket::{AF_INET, AF_INET6};

/// `%pK` with `kptr_restrict`: no kernel addresses are shown.
const PTR: &str = "0000000000000000";

/// Pads `s` with spaces to `width` (`seq_pad`) and ends the line.
fn pad_line(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    for _ in s.len()..width {
        out.push(' ');
    }
    out.push('\n');
}

/// An address as Linux prints a `__be32`/`in6_addr` with `%08X`: each 32-bit
/// word in host (little-endian) order.
fn hex_words(b: &[u8]) -> String {
    let mut s = String::new();
    for w in b.chunks(4) {
        let mut x = [0u8; 4];
        x[..w.len()].copy_from_slice(w);
        let _ = write!(s, "{:08X}", u32::from_le_bytes(x));
    }
    s
}

/// The address bytes (4 for an IPv4 file, 16 for an IPv6 one) and port.
fn inet_parts(a: &SockAddr, v6: bool) -> (Vec<u8>, u16) {
    match a {
        SockAddr::Inet { addr, port } => {
            if v6 {
                if let SockAddr::Inet6 { addr, port, .. } = SockAddr::v4_mapped(*addr, *port) {
                    return (addr.to_vec(), port);
                }
            }
            (addr.to_vec(), *port)
        }
        SockAddr::Inet6 { addr, port, .. } => {
            if !v6 {
                if let Some(v4) = SockAddr::unmap_v4(addr) {
                    return (v4.to_vec(), *port);
                }
            }
            (addr.to_vec(), *port)
        }
        _ => (alloc::vec![0; if v6 { 16 } else { 4 }], 0),
    }
}

fn select(socks: &[InetSockInfo], protocol: i32, family: u16) -> Vec<&InetSockInfo> {
    let mut v: Vec<&InetSockInfo> = socks
        .iter()
        .filter(|s| s.protocol == protocol && s.family == family)
        .collect();
    // the listening hash is walked before the established one
    v.sort_by_key(|s| s.state != 10);
    v
}

/// `/proc/net/tcp` (`tcp4_seq_show`: lines padded to 149 columns).
pub fn tcp(socks: &[InetSockInfo]) -> String {
    let mut out = String::new();
    pad_line(
        &mut out,
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        149,
    );
    for (i, s) in select(socks, 6, AF_INET).iter().enumerate() {
        let (la, lp) = inet_parts(&s.local, false);
        let (ra, rp) = inet_parts(&s.remote, false);
        let tail = if s.state == 10 {
            "100 0 0 10 0"
        } else {
            "20 4 30 10 -1"
        };
        let line = format!(
            "{:4}: {}:{:04X} {}:{:04X} {:02X} {:08X}:{:08X} 00:00000000 00000000 {:5} {:8} {} 1 {} {}",
            i, hex_words(&la), lp, hex_words(&ra), rp, s.state, s.tx_queue, s.rx_queue, s.uid, 0, s.inode, PTR, tail
        );
        pad_line(&mut out, &line, 149);
    }
    out
}

/// `/proc/net/tcp6`.
pub fn tcp6(socks: &[InetSockInfo]) -> String {
    let mut out = String::from(
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n",
    );
    for (i, s) in select(socks, 6, AF_INET6).iter().enumerate() {
        let (la, lp) = inet_parts(&s.local, true);
        let (ra, rp) = inet_parts(&s.remote, true);
        let tail = if s.state == 10 {
            "100 0 0 10 0"
        } else {
            "20 4 30 10 -1"
        };
        let _ = writeln!(
            out,
            "{:4}: {}:{:04X} {}:{:04X} {:02X} {:08X}:{:08X} 00:00000000 00000000 {:5} {:8} {} 1 {} {}",
            i, hex_words(&la), lp, hex_words(&ra), rp, s.state, s.tx_queue, s.rx_queue, s.uid, 0, s.inode, PTR, tail
        );
    }
    out
}

/// `/proc/net/udp` (`udp4_seq_show`: lines padded to 127 columns).
pub fn udp(socks: &[InetSockInfo]) -> String {
    let mut out = String::new();
    pad_line(
        &mut out,
        "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
        127,
    );
    for (i, s) in select(socks, 17, AF_INET).iter().enumerate() {
        let (la, lp) = inet_parts(&s.local, false);
        let (ra, rp) = inet_parts(&s.remote, false);
        let line = format!(
            "{:5}: {}:{:04X} {}:{:04X} {:02X} {:08X}:{:08X} 00:00000000 00000000 {:5} {:8} {} 2 {} 0",
            i, hex_words(&la), lp, hex_words(&ra), rp, s.state, s.tx_queue, s.rx_queue, s.uid, 0, s.inode, PTR
        );
        pad_line(&mut out, &line, 127);
    }
    out
}

/// `/proc/net/udp6`.
pub fn udp6(socks: &[InetSockInfo]) -> String {
    let mut out = String::from(
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n",
    );
    for (i, s) in select(socks, 17, AF_INET6).iter().enumerate() {
        let (la, lp) = inet_parts(&s.local, true);
        let (ra, rp) = inet_parts(&s.remote, true);
        let _ = writeln!(
            out,
            "{:5}: {}:{:04X} {}:{:04X} {:02X} {:08X}:{:08X} 00:00000000 00000000 {:5} {:8} {} 2 {} 0",
            i, hex_words(&la), lp, hex_words(&ra), rp, s.state, s.tx_queue, s.rx_queue, s.uid, 0, s.inode, PTR
        );
    }
    out
}

/// `/proc/net/unix` (`unix_seq_show`). The path is bytes (not always UTF-8).
pub fn unix(socks: &[UnixSockInfo]) -> Vec<u8> {
    let mut out = b"Num       RefCount Protocol Flags    Type St Inode Path\n".to_vec();
    for s in socks {
        let flags = if s.listening { 0x10000 } else { 0 };
        out.extend_from_slice(
            format!(
                "{}: {:08X} {:08X} {:08X} {:04X} {:02X} {:5}",
                PTR, 2, 0, flags, s.sock_type, s.state, s.inode
            )
            .as_bytes(),
        );
        if let Some(p) = &s.path {
            out.push(b' ');
            out.extend(p.iter().map(|&c| if c == 0 { b'@' } else { c }));
        }
        out.push(b'\n');
    }
    out
}

/// The path bytes `/proc/net/unix` shows for a name (`@` first for abstract ones).
pub fn unix_path(a: &UnixAddr) -> Option<Vec<u8>> {
    match a {
        UnixAddr::Unnamed => None,
        UnixAddr::Path(p) => Some(p.clone()),
        UnixAddr::Abstract(n) => {
            let mut v = alloc::vec![b'@'];
            v.extend_from_slice(n);
            Some(v)
        }
    }
}

fn sorted(links: &[Link]) -> Vec<&Link> {
    let mut v: Vec<&Link> = links.iter().collect();
    v.sort_by_key(|l| l.index);
    v
}

/// `/proc/net/dev` (`dev_seq_printf_stats`).
pub fn dev(links: &[Link]) -> String {
    let mut out = String::from(
        "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n",
    );
    for l in sorted(links) {
        let s = &l.stats;
        let _ = writeln!(
            out,
            "{:>6}: {:7} {:7} {:4} {:4} {:4} {:5} {:10} {:9} {:8} {:7} {:4} {:4} {:4} {:5} {:7} {:10}",
            l.name, s.rx_bytes, s.rx_packets, s.rx_errors, s.rx_dropped, 0, 0, 0, 0,
            s.tx_bytes, s.tx_packets, s.tx_errors, s.tx_dropped, 0, 0, 0, 0
        );
    }
    out
}

fn link_name(links: &[Link], i: u32) -> &str {
    links
        .iter()
        .find(|l| l.index == i)
        .map_or("*", |l| l.name.as_str())
}

/// `/proc/net/route` (`fib_route_seq_show`: the main table's IPv4 routes).
pub fn route(routes: &[Route], links: &[Link], addrs: &[IfAddr]) -> String {
    let mut out = String::new();
    pad_line(
        &mut out,
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
        127,
    );
    for r in route_entries(AF_INET, routes, links, addrs) {
        if r.table != RT_TABLE_MAIN {
            continue;
        }
        let mask = prefix_mask4(r.dst_len).to_be_bytes();
        let mut flags = 0x1;
        if r.gateway.is_some() {
            flags |= 0x2;
        }
        if r.dst_len == 32 {
            flags |= 0x4;
        }
        let gw = r.gateway.clone().unwrap_or_else(|| alloc::vec![0; 4]);
        let line = format!(
            "{}\t{}\t{}\t{:04X}\t0\t0\t{}\t{}\t0\t0\t0",
            link_name(links, r.ifindex),
            hex_words(&r.dst),
            hex_words(&gw),
            flags,
            r.metric as i32,
            hex_words(&mask)
        );
        pad_line(&mut out, &line, 127);
    }
    out
}

fn hex6(b: &[u8]) -> String {
    let mut s = String::new();
    for x in b {
        let _ = write!(s, "{:02x}", x);
    }
    s
}

/// `/proc/net/if_inet6` (`if6_seq_show`).
pub fn if_inet6(addrs: &[IfAddr], links: &[Link]) -> String {
    let mut out = String::new();
    for a in addrs.iter().filter(|a| a.family == AF_INET6) {
        // IPV6_ADDR_SCOPE_* bits: loopback 0x10, link-local 0x20, global 0
        let scope = match addr_scope(a) {
            254 => 0x10,
            253 => 0x20,
            _ => 0,
        };
        let _ = writeln!(
            out,
            "{} {:02x} {:02x} {:02x} {:02x} {:>8}",
            hex6(&a.addr),
            a.ifindex,
            a.prefix_len,
            scope,
            0x80,
            link_name(links, a.ifindex)
        );
    }
    out
}

/// `/proc/net/ipv6_route` (`ipv6_route_native_seq_show`: every table).
pub fn ipv6_route(routes: &[Route], links: &[Link], addrs: &[IfAddr]) -> String {
    let mut out = String::new();
    let zero = [0u8; 16];
    for r in route_entries(AF_INET6, routes, links, addrs) {
        let mut flags: u32 = 0x1;
        if r.gateway.is_some() {
            flags |= 0x2;
        }
        if r.ty == RTN_LOCAL {
            flags |= 0x8020_0000;
        }
        let _ = writeln!(
            out,
            "{} {:02x} {} {:02x} {} {:08x} {:08x} {:08x} {:08x} {:>8}",
            hex6(&r.dst),
            r.dst_len,
            hex6(&zero),
            0,
            hex6(r.gateway.as_deref().unwrap_or(&zero)),
            r.metric,
            1,
            0,
            flags,
            link_name(links, r.ifindex)
        );
    }
    out
}

/// `/proc/net/netlink` (`netlink_seq_show`), the kernel's rtnetlink socket first.
pub fn netlink(socks: &[NetlinkSockInfo]) -> String {
    let mut out = String::from(
        "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n",
    );
    let kernel = NetlinkSockInfo {
        protocol: 0,
        portid: 0,
        groups: 0,
        rmem: 0,
    };
    for s in core::iter::once(&kernel).chain(socks.iter()) {
        let _ = writeln!(
            out,
            "{} {:<3} {:<10} {:08x} {:<8} {:<8} {:<5} {:<8} {:<8} {:<8}",
            PTR, s.protocol, s.portid, s.groups, s.rmem, 0, 0, 2, 0, 0
        );
    }
    out
}

/// `/proc/net/arp`: Rill shows no neighbour entries, only the header.
pub fn arp() -> String {
    String::from("IP address       HW type     Flags       HW address            Mask     Device\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::NetConfig;
    use crate::netlink::fake::FakeConfig;

    #[test]
    fn tcp_listen_line() {
        let s = InetSockInfo {
            protocol: 6,
            family: AF_INET,
            local: SockAddr::Inet {
                addr: [127, 0, 0, 1],
                port: 0x1f90,
            },
            remote: SockAddr::Inet {
                addr: [0; 4],
                port: 0,
            },
            state: 10,
            tx_queue: 0,
            rx_queue: 0,
            uid: 0,
            inode: 12345,
        };
        let t = tcp(core::slice::from_ref(&s));
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 149);
        assert!(lines[0].starts_with("  sl  local_address rem_address   st tx_queue"));
        assert_eq!(lines[1].len(), 149);
        assert!(
            lines[1].starts_with("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 "),
            "{}",
            lines[1]
        );
        // the same socket is not an IPv6 or UDP one
        assert_eq!(tcp6(core::slice::from_ref(&s)).lines().count(), 1);
        assert_eq!(udp(&[s]).lines().count(), 1);
        let s6 = InetSockInfo {
            family: AF_INET6,
            protocol: 17,
            local: SockAddr::v4_mapped([127, 0, 0, 1], 53),
            remote: SockAddr::Inet6 {
                addr: [0; 16],
                port: 0,
                flowinfo: 0,
                scope_id: 0,
            },
            state: 7,
            tx_queue: 0,
            rx_queue: 0,
            uid: 0,
            inode: 7,
        };
        let u = udp6(&[s6]);
        assert!(u.lines().nth(1).unwrap().starts_with(
            "    0: 0000000000000000FFFF00000100007F:0035 00000000000000000000000000000000:0000 07 "
        ));
    }

    #[test]
    fn dev_route_inet6() {
        let c = FakeConfig::new();
        let d = dev(&c.links());
        let lo = d.lines().nth(2).unwrap();
        assert_eq!(
            lo,
            "    lo:     300       3    0    0    0     0          0         0      300       3    0    0    0     0       0          0"
        );
        c.add_addr(&IfAddr {
            ifindex: 2,
            family: AF_INET,
            addr: alloc::vec![10, 0, 2, 15],
            prefix_len: 24,
        })
        .unwrap();
        c.add_route(&Route {
            family: AF_INET,
            dst: alloc::vec![0; 4],
            dst_len: 0,
            gateway: Some(alloc::vec![10, 0, 2, 2]),
            ifindex: 2,
            protocol: 3,
            scope: 0,
            metric: 0,
        })
        .unwrap();
        let r = route(&c.routes(), &c.links(), &c.addrs());
        let l: Vec<&str> = r.lines().map(|l| l.trim_end()).collect();
        assert_eq!(l.len(), 3);
        assert_eq!(
            l[1],
            "eth0\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\t0\t0\t0"
        );
        assert_eq!(
            l[2],
            "eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0"
        );
        assert_eq!(r.lines().next().unwrap().len(), 127);
        let i6 = if_inet6(&c.addrs(), &c.links());
        assert_eq!(
            i6,
            "00000000000000000000000000000001 01 80 10 80       lo\n"
        );
        let v6r = ipv6_route(&c.routes(), &c.links(), &c.addrs());
        assert_eq!(
            v6r,
            "00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000001 00000000 80200001       lo\n"
        );
    }

    #[test]
    fn unix_and_netlink() {
        let u = unix(&[
            UnixSockInfo {
                sock_type: 1,
                state: 1,
                listening: true,
                inode: 99,
                path: Some(b"/tmp/s".to_vec()),
            },
            UnixSockInfo {
                sock_type: 2,
                state: 3,
                listening: false,
                inode: 100,
                path: unix_path(&UnixAddr::Abstract(b"a\0b".to_vec())),
            },
        ]);
        let s = String::from_utf8(u).unwrap();
        let l: Vec<&str> = s.lines().collect();
        assert_eq!(
            l[1],
            "0000000000000000: 00000002 00000000 00010000 0001 01    99 /tmp/s"
        );
        assert_eq!(
            l[2],
            "0000000000000000: 00000002 00000000 00000000 0002 03   100 @a@b"
        );
        let n = netlink(&[NetlinkSockInfo {
            protocol: 0,
            portid: 42,
            groups: 0x10,
            rmem: 0,
        }]);
        assert_eq!(n.lines().nth(2).unwrap(), "0000000000000000 0   42         00000010 0        0        0     2        0        0       ");
    }
}
