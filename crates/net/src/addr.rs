//! Socket addresses in the layout user space uses (`struct sockaddr_in`, `sockaddr_in6`,
//! `sockaddr_un`, `sockaddr_nl`), parsed from and encoded to bytes.

use alloc::vec::Vec;
use rill_abi::consts::{AF_INET, AF_INET6, AF_NETLINK, AF_UNIX, AF_UNSPEC};
use rill_abi::{Errno, KResult};

/// `sizeof(struct sockaddr_un)`: 2 bytes of family and 108 of path.
pub const UNIX_PATH_MAX: usize = 108;

/// An `AF_UNIX` name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnixAddr {
    /// No name (an unbound socket, or one end of a socketpair): encodes as 2 bytes.
    Unnamed,
    /// A file-system path, without the trailing NUL.
    Path(Vec<u8>),
    /// An abstract name: the bytes after the leading NUL.
    Abstract(Vec<u8>),
}

/// A socket address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SockAddr {
    /// `AF_UNSPEC` (connect to it to dissolve a datagram association).
    Unspec,
    /// `sockaddr_in`: address in network order bytes, port in host order.
    Inet {
        addr: [u8; 4],
        port: u16,
    },
    /// `sockaddr_in6`.
    Inet6 {
        addr: [u8; 16],
        port: u16,
        flowinfo: u32,
        scope_id: u32,
    },
    Unix(UnixAddr),
    /// `sockaddr_nl`.
    Netlink {
        pid: u32,
        groups: u32,
    },
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_ne_bytes([b[i], b[i + 1]])
}
fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

impl SockAddr {
    /// The `sa_family` of this address.
    pub fn family(&self) -> u16 {
        match self {
            SockAddr::Unspec => AF_UNSPEC,
            SockAddr::Inet { .. } => AF_INET,
            SockAddr::Inet6 { .. } => AF_INET6,
            SockAddr::Unix(_) => AF_UNIX,
            SockAddr::Netlink { .. } => AF_NETLINK,
        }
    }

    /// Parses the `addrlen` bytes user space passed. Too short for its family gives
    /// EINVAL, an unknown family EAFNOSUPPORT (the caller may turn that into the errno
    /// its socket family gives, as Linux does).
    pub fn parse(b: &[u8]) -> KResult<SockAddr> {
        if b.len() < 2 {
            return Err(Errno::EINVAL);
        }
        match u16_at(b, 0) {
            AF_UNSPEC => Ok(SockAddr::Unspec),
            AF_INET => {
                if b.len() < 16 {
                    return Err(Errno::EINVAL);
                }
                Ok(SockAddr::Inet {
                    port: u16::from_be_bytes([b[2], b[3]]),
                    addr: [b[4], b[5], b[6], b[7]],
                })
            }
            AF_INET6 => {
                // Linux accepts the 24-byte RFC 2133 form without scope id
                if b.len() < 24 {
                    return Err(Errno::EINVAL);
                }
                let mut addr = [0u8; 16];
                addr.copy_from_slice(&b[8..24]);
                Ok(SockAddr::Inet6 {
                    port: u16::from_be_bytes([b[2], b[3]]),
                    flowinfo: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
                    addr,
                    scope_id: if b.len() >= 28 { u32_at(b, 24) } else { 0 },
                })
            }
            AF_UNIX => {
                let path = &b[2..b.len().min(2 + UNIX_PATH_MAX)];
                if b.len() > 2 + UNIX_PATH_MAX {
                    return Err(Errno::EINVAL);
                }
                if path.is_empty() {
                    return Ok(SockAddr::Unix(UnixAddr::Unnamed));
                }
                if path[0] == 0 {
                    return Ok(SockAddr::Unix(UnixAddr::Abstract(path[1..].to_vec())));
                }
                // a path ends at its first NUL (Linux also accepts one without)
                let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                Ok(SockAddr::Unix(UnixAddr::Path(path[..end].to_vec())))
            }
            AF_NETLINK => {
                if b.len() < 12 {
                    return Err(Errno::EINVAL);
                }
                Ok(SockAddr::Netlink {
                    pid: u32_at(b, 4),
                    groups: u32_at(b, 8),
                })
            }
            _ => Err(Errno::EAFNOSUPPORT),
        }
    }

    /// Parses a `bind(2)` address for a socket of `domain`. As [`SockAddr::parse`],
    /// except that an `AF_INET` socket takes an `AF_UNSPEC` `sockaddr_in` for
    /// compatibility (Linux's `inet_bind`): shorter than a `sockaddr_in` is EINVAL,
    /// `INADDR_ANY` binds as `AF_INET` (with its port), any other address is
    /// EAFNOSUPPORT.
    pub fn parse_bind(b: &[u8], domain: i32) -> KResult<SockAddr> {
        if domain == i32::from(AF_INET) && b.len() >= 2 && u16_at(b, 0) == AF_UNSPEC {
            if b.len() < 16 {
                return Err(Errno::EINVAL);
            }
            if b[4..8] != [0; 4] {
                return Err(Errno::EAFNOSUPPORT);
            }
            return Ok(SockAddr::Inet {
                addr: [0; 4],
                port: u16::from_be_bytes([b[2], b[3]]),
            });
        }
        SockAddr::parse(b)
    }

    /// Parses a sendto/sendmsg destination for a socket of `domain`, `ty` and
    /// `protocol`. As [`SockAddr::parse`], except that an `AF_INET` UDP or raw
    /// socket reads an `AF_UNSPEC` address as a `sockaddr_in` (Linux's
    /// `udp_sendmsg`, `raw_sendmsg`): shorter than one is EINVAL. An `AF_INET6`
    /// socket keeps `AF_UNSPEC` (`udpv6_sendmsg`: no address given); an unknown
    /// family is EINVAL on an `AF_INET6` UDP socket.
    pub fn parse_dest(b: &[u8], domain: i32, ty: i32, protocol: i32) -> KResult<SockAddr> {
        let dgram = ty == 2 && protocol != 1; // SOCK_DGRAM, not IPPROTO_ICMP (ping)
        let unspec_as_inet = domain == i32::from(AF_INET) && (dgram || ty == 3); // SOCK_RAW
        if unspec_as_inet && b.len() >= 2 && u16_at(b, 0) == AF_UNSPEC {
            if b.len() < 16 {
                return Err(Errno::EINVAL);
            }
            return Ok(SockAddr::Inet {
                port: u16::from_be_bytes([b[2], b[3]]),
                addr: [b[4], b[5], b[6], b[7]],
            });
        }
        match SockAddr::parse(b) {
            // udpv6_sendmsg: an unknown family is EINVAL
            Err(Errno::EAFNOSUPPORT)
                if domain == i32::from(AF_INET6) && ty == 2 && protocol != 58 =>
            {
                Err(Errno::EINVAL)
            }
            r => r,
        }
    }

    /// A connect address for a socket of `domain`/`ty`: as [`SockAddr::parse`], but
    /// tcp_v6_connect wants a whole sockaddr_in6 (EINVAL when shorter, AF_UNSPEC
    /// aside: that disconnects); a v6 datagram socket takes a sockaddr_in
    /// (ip6_datagram_connect: an IPv4 connect).
    pub fn parse_connect(b: &[u8], domain: i32, ty: i32) -> KResult<SockAddr> {
        let stream = ty == 1; // SOCK_STREAM
        if domain == i32::from(AF_INET6)
            && stream
            && b.len() >= 2
            && u16_at(b, 0) != AF_UNSPEC
            && b.len() < 24
        {
            return Err(Errno::EINVAL);
        }
        SockAddr::parse(b)
    }

    /// The bytes `getsockname`/`accept`/`recvfrom` give back; their length is the
    /// `addrlen` Linux reports (16, 28, 2 + name length (+1 for a path's NUL), 12).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&self.family().to_ne_bytes());
        match self {
            SockAddr::Unspec => {}
            SockAddr::Inet { addr, port } => {
                v.extend_from_slice(&port.to_be_bytes());
                v.extend_from_slice(addr);
                v.extend_from_slice(&[0; 8]);
            }
            SockAddr::Inet6 {
                addr,
                port,
                flowinfo,
                scope_id,
            } => {
                v.extend_from_slice(&port.to_be_bytes());
                v.extend_from_slice(&flowinfo.to_be_bytes());
                v.extend_from_slice(addr);
                v.extend_from_slice(&scope_id.to_ne_bytes());
            }
            SockAddr::Unix(UnixAddr::Unnamed) => {}
            SockAddr::Unix(UnixAddr::Path(p)) => {
                v.extend_from_slice(p);
                v.push(0);
            }
            SockAddr::Unix(UnixAddr::Abstract(n)) => {
                v.push(0);
                v.extend_from_slice(n);
            }
            SockAddr::Netlink { pid, groups } => {
                v.extend_from_slice(&[0, 0]);
                v.extend_from_slice(&pid.to_ne_bytes());
                v.extend_from_slice(&groups.to_ne_bytes());
            }
        }
        v
    }

    /// `::ffff:a.b.c.d` for an IPv4 address, as a dual-stack socket reports IPv4 peers.
    pub fn v4_mapped(addr: [u8; 4], port: u16) -> SockAddr {
        let mut a = [0u8; 16];
        a[10] = 0xff;
        a[11] = 0xff;
        a[12..].copy_from_slice(&addr);
        SockAddr::Inet6 {
            addr: a,
            port,
            flowinfo: 0,
            scope_id: 0,
        }
    }

    /// The IPv4 address inside a v4-mapped IPv6 address.
    pub fn unmap_v4(addr: &[u8; 16]) -> Option<[u8; 4]> {
        if addr[..10].iter().all(|&b| b == 0) && addr[10] == 0xff && addr[11] == 0xff {
            Some([addr[12], addr[13], addr[14], addr[15]])
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_round_trip() {
        let a = SockAddr::Inet {
            addr: [127, 0, 0, 1],
            port: 8080,
        };
        let b = a.to_bytes();
        assert_eq!(b.len(), 16);
        assert_eq!(&b[2..4], &[0x1f, 0x90]);
        assert_eq!(SockAddr::parse(&b).unwrap(), a);
        assert_eq!(SockAddr::parse(&b[..15]), Err(Errno::EINVAL));
    }

    #[test]
    fn inet6_and_mapped() {
        let m = SockAddr::v4_mapped([10, 0, 2, 2], 554);
        let b = m.to_bytes();
        assert_eq!(b.len(), 28);
        assert_eq!(SockAddr::parse(&b).unwrap(), m);
        if let SockAddr::Inet6 { addr, .. } = m {
            assert_eq!(SockAddr::unmap_v4(&addr), Some([10, 0, 2, 2]));
        }
        assert_eq!(SockAddr::unmap_v4(&[0; 16]), None);
    }

    #[test]
    fn unspec_bind_on_inet() {
        let mut b = SockAddr::Inet {
            addr: [0; 4],
            port: 5000,
        }
        .to_bytes();
        b[..2].copy_from_slice(&AF_UNSPEC.to_ne_bytes());
        let inet = i32::from(AF_INET);
        assert_eq!(
            SockAddr::parse_bind(&b, inet),
            Ok(SockAddr::Inet {
                addr: [0; 4],
                port: 5000
            })
        );
        assert_eq!(SockAddr::parse_bind(&b[..15], inet), Err(Errno::EINVAL));
        // other families keep plain parsing (connect's dissolve form)
        assert_eq!(
            SockAddr::parse_bind(&b, i32::from(AF_INET6)),
            Ok(SockAddr::Unspec)
        );
        b[4] = 127;
        b[7] = 1;
        assert_eq!(SockAddr::parse_bind(&b, inet), Err(Errno::EAFNOSUPPORT));
        assert_eq!(SockAddr::parse(&b), Ok(SockAddr::Unspec));
    }

    #[test]
    fn unspec_dest_on_inet_dgram() {
        let mut b = SockAddr::Inet {
            addr: [127, 0, 0, 1],
            port: 5000,
        }
        .to_bytes();
        b[..2].copy_from_slice(&AF_UNSPEC.to_ne_bytes());
        let (inet, inet6) = (i32::from(AF_INET), i32::from(AF_INET6));
        let to = SockAddr::Inet {
            addr: [127, 0, 0, 1],
            port: 5000,
        };
        assert_eq!(SockAddr::parse_dest(&b, inet, 2, 17), Ok(to.clone()));
        assert_eq!(SockAddr::parse_dest(&b, inet, 2, 0), Ok(to.clone()));
        assert_eq!(SockAddr::parse_dest(&b, inet, 3, 1), Ok(to));
        assert_eq!(
            SockAddr::parse_dest(&b[..15], inet, 2, 17),
            Err(Errno::EINVAL)
        );
        // AF_INET6, TCP and ping sockets: plain parsing
        assert_eq!(SockAddr::parse_dest(&b, inet6, 2, 17), Ok(SockAddr::Unspec));
        assert_eq!(SockAddr::parse_dest(&b, inet, 1, 6), Ok(SockAddr::Unspec));
        assert_eq!(SockAddr::parse_dest(&b, inet, 2, 1), Ok(SockAddr::Unspec));
        b[..2].copy_from_slice(&12345u16.to_ne_bytes());
        assert_eq!(SockAddr::parse_dest(&b, inet6, 2, 17), Err(Errno::EINVAL));
        assert_eq!(
            SockAddr::parse_dest(&b, inet, 2, 17),
            Err(Errno::EAFNOSUPPORT)
        );
    }

    #[test]
    fn connect_address_lengths() {
        let b = SockAddr::Inet {
            addr: [127, 0, 0, 1],
            port: 80,
        }
        .to_bytes();
        let (inet, inet6) = (i32::from(AF_INET), i32::from(AF_INET6));
        // tcp_v6_connect: shorter than a sockaddr_in6 is EINVAL
        assert_eq!(SockAddr::parse_connect(&b, inet6, 1), Err(Errno::EINVAL));
        let mut long = b.clone();
        long.resize(28, 0);
        assert!(matches!(
            SockAddr::parse_connect(&long, inet6, 1),
            Ok(SockAddr::Inet { .. })
        ));
        // datagram sockets and AF_INET streams take it as it is
        assert!(SockAddr::parse_connect(&b, inet6, 2).is_ok());
        assert!(SockAddr::parse_connect(&b, inet, 1).is_ok());
        // AF_UNSPEC disconnects, whatever its length
        let u = AF_UNSPEC.to_ne_bytes();
        assert_eq!(SockAddr::parse_connect(&u, inet6, 1), Ok(SockAddr::Unspec));
    }

    #[test]
    fn unix_names() {
        let mut b = vec![1, 0];
        b.extend_from_slice(b"/tmp/s\0junk");
        assert_eq!(
            SockAddr::parse(&b).unwrap(),
            SockAddr::Unix(UnixAddr::Path(b"/tmp/s".to_vec()))
        );
        let ab = [1u8, 0, 0, b'x', b'y'];
        let a = SockAddr::parse(&ab).unwrap();
        assert_eq!(a, SockAddr::Unix(UnixAddr::Abstract(b"xy".to_vec())));
        assert_eq!(a.to_bytes(), ab.to_vec());
        assert_eq!(
            SockAddr::parse(&[1, 0]).unwrap(),
            SockAddr::Unix(UnixAddr::Unnamed)
        );
        assert_eq!(SockAddr::parse(&[99, 0, 1, 2]), Err(Errno::EAFNOSUPPORT));
    }
}
