//! The interface ioctls every socket answers (`SIOCGIF*`/`SIOCSIF*` with `struct
//! ifreq`, `SIOCGIFCONF`, `SIOCADDRT`/`SIOCDELRT`), as Linux's `dev_ioctl`,
//! `devinet_ioctl` and `ip_rt_ioctl`, over a [`NetConfig`].
//!
//! Linux answers the IPv4 address ones (`SIOCGIFADDR`, netmask, broadcast,
//! destination, and their setters) only on `AF_INET` sockets; here they are
//! answered on every socket (the caller may filter by family). The setters do
//! not check `CAP_NET_ADMIN`: the caller must (Linux gives EPERM).

use alloc::vec;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_vfs::UserIo;

use crate::config::{iff, IfAddr, Link, NetConfig, ARPHRD_LOOPBACK};
use crate::netlink::msg::{self, MsgBuilder, RtMsg};
use crate::netlink::route::{self, prefix_mask4, v4_broadcast};
use crate::socket::AF_INET;

pub const SIOCADDRT: u32 = 0x890b;
pub const SIOCDELRT: u32 = 0x890c;
pub const SIOCGIFNAME: u32 = 0x8910;
pub const SIOCGIFCONF: u32 = 0x8912;
pub const SIOCGIFFLAGS: u32 = 0x8913;
pub const SIOCSIFFLAGS: u32 = 0x8914;
pub const SIOCGIFADDR: u32 = 0x8915;
pub const SIOCSIFADDR: u32 = 0x8916;
pub const SIOCGIFDSTADDR: u32 = 0x8917;
pub const SIOCSIFDSTADDR: u32 = 0x8918;
pub const SIOCGIFBRDADDR: u32 = 0x8919;
pub const SIOCSIFBRDADDR: u32 = 0x891a;
pub const SIOCGIFNETMASK: u32 = 0x891b;
pub const SIOCSIFNETMASK: u32 = 0x891c;
pub const SIOCGIFMETRIC: u32 = 0x891d;
pub const SIOCSIFMETRIC: u32 = 0x891e;
pub const SIOCGIFMTU: u32 = 0x8921;
pub const SIOCSIFMTU: u32 = 0x8922;
pub const SIOCSIFNAME: u32 = 0x8923;
pub const SIOCSIFHWADDR: u32 = 0x8924;
pub const SIOCGIFHWADDR: u32 = 0x8927;
pub const SIOCGIFINDEX: u32 = 0x8933;
pub const SIOCGIFTXQLEN: u32 = 0x8942;
pub const SIOCSIFTXQLEN: u32 = 0x8943;
pub const SIOCETHTOOL: u32 = 0x8946;
pub const SIOCGIFMAP: u32 = 0x8970;
pub const SIOCSIFMAP: u32 = 0x8971;

/// `sizeof(struct ifreq)`, `struct ifconf`, `struct rtentry`.
pub const IFREQ_LEN: usize = 40;
const IFCONF_LEN: usize = 16;
const RTENTRY_LEN: usize = 120;
const RTF_GATEWAY: u16 = 0x2;
const RTF_HOST: u16 = 0x4;

/// Answers `cmd` if it is an interface ioctl (`None`: it is not; the socket's
/// own ioctl comes next).
pub fn ioctl(cfg: &dyn NetConfig, cmd: u32, arg: u64, io: &mut dyn UserIo) -> Option<KResult<u64>> {
    let r = match cmd {
        SIOCGIFCONF => ifconf(cfg, arg, io),
        SIOCADDRT | SIOCDELRT => rt_ioctl(cfg, cmd, arg, io),
        SIOCGIFNAME | SIOCGIFFLAGS | SIOCSIFFLAGS | SIOCGIFADDR | SIOCSIFADDR | SIOCGIFDSTADDR
        | SIOCGIFBRDADDR | SIOCSIFBRDADDR | SIOCGIFNETMASK | SIOCSIFNETMASK | SIOCGIFMETRIC
        | SIOCGIFMTU | SIOCSIFMTU | SIOCGIFHWADDR | SIOCGIFINDEX | SIOCGIFTXQLEN | SIOCGIFMAP => {
            ifreq(cfg, cmd, arg, io)
        }
        // known, but Rill cannot change these
        SIOCSIFDSTADDR | SIOCSIFMETRIC | SIOCSIFNAME | SIOCSIFHWADDR | SIOCSIFTXQLEN
        | SIOCSIFMAP | SIOCETHTOOL => Err(Errno::EOPNOTSUPP),
        _ => return None,
    };
    Some(r)
}

fn sockaddr_in(a: [u8; 4]) -> [u8; 16] {
    let mut o = [0u8; 16];
    o[0..2].copy_from_slice(&AF_INET.to_ne_bytes());
    o[4..8].copy_from_slice(&a);
    o
}

fn links(cfg: &dyn NetConfig) -> Vec<Link> {
    let mut l = cfg.links();
    l.sort_by_key(|l| l.index);
    l
}

/// The first (primary) IPv4 address of a link.
fn primary_v4(cfg: &dyn NetConfig, ifindex: u32) -> Option<IfAddr> {
    cfg.addrs()
        .into_iter()
        .find(|a| a.ifindex == ifindex && a.family == AF_INET && a.addr.len() == 4)
}

fn v4(a: &IfAddr) -> [u8; 4] {
    a.addr.as_slice().try_into().unwrap_or([0; 4])
}

fn ifconf(cfg: &dyn NetConfig, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
    let mut h = [0u8; IFCONF_LEN];
    io.read(arg, &mut h)?;
    let len = i32::from_ne_bytes([h[0], h[1], h[2], h[3]]);
    let buf = u64::from_ne_bytes(h[8..16].try_into().map_err(|_| Errno::EFAULT)?);
    let mut entries = Vec::new();
    let addrs = cfg.addrs();
    for l in links(cfg) {
        for a in addrs
            .iter()
            .filter(|a| a.ifindex == l.index && a.family == AF_INET)
        {
            let mut e = [0u8; IFREQ_LEN];
            let n = l.name.len().min(15);
            e[..n].copy_from_slice(&l.name.as_bytes()[..n]);
            e[16..32].copy_from_slice(&sockaddr_in(v4(a)));
            entries.push(e);
        }
    }
    let total = if buf == 0 {
        // the length query
        entries.len() * IFREQ_LEN
    } else {
        let fit = (len.max(0) as usize / IFREQ_LEN).min(entries.len());
        let out: Vec<u8> = entries[..fit].concat();
        io.write(buf, &out)?;
        out.len()
    };
    io.write(arg, &(total as i32).to_ne_bytes())?;
    Ok(0)
}

fn read_u32(b: &[u8], i: usize) -> u32 {
    b.get(i..i + 4)
        .map_or(0, |s| u32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
}

/// The IPv4 address of a `struct sockaddr` in an ifreq (EINVAL if not AF_INET).
fn sin_addr(r: &[u8; IFREQ_LEN]) -> KResult<[u8; 4]> {
    if u16::from_ne_bytes([r[16], r[17]]) != AF_INET {
        return Err(Errno::EINVAL);
    }
    Ok([r[20], r[21], r[22], r[23]])
}

/// `inet_abc_len`: the classful prefix `SIOCSIFADDR` gives.
fn abc_len(a: [u8; 4]) -> KResult<u8> {
    let h = u32::from_be_bytes(a);
    if h == 0 || h == u32::MAX {
        Ok(0)
    } else if a[0] < 128 {
        Ok(8)
    } else if a[0] < 192 {
        Ok(16)
    } else if a[0] < 224 {
        Ok(24)
    } else if a[0] >= 240 {
        Ok(32)
    } else {
        Err(Errno::EINVAL)
    }
}

fn ifreq(cfg: &dyn NetConfig, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
    let mut r = [0u8; IFREQ_LEN];
    io.read(arg, &mut r)?;
    r[15] = 0;
    let links = links(cfg);
    let l = if cmd == SIOCGIFNAME {
        let idx = read_u32(&r, 16);
        let l = links.iter().find(|l| l.index == idx).ok_or(Errno::ENODEV)?;
        r[..16].fill(0);
        let n = l.name.len().min(15);
        r[..n].copy_from_slice(&l.name.as_bytes()[..n]);
        io.write(arg, &r)?;
        return Ok(0);
    } else {
        let end = r[..16].iter().position(|&c| c == 0).unwrap_or(15);
        let name = &r[..end];
        links
            .iter()
            .find(|l| l.name.as_bytes() == name)
            .ok_or(Errno::ENODEV)?
            .clone()
    };
    let put_i32 = |r: &mut [u8; IFREQ_LEN], v: i32| r[16..20].copy_from_slice(&v.to_ne_bytes());
    match cmd {
        SIOCGIFINDEX => put_i32(&mut r, l.index as i32),
        SIOCGIFFLAGS => {
            let f = route::link_flags(&l) & 0xffff;
            r[16..18].copy_from_slice(&(f as u16).to_ne_bytes());
        }
        SIOCSIFFLAGS => {
            let f = u16::from_ne_bytes([r[16], r[17]]) as u32;
            let up = f & iff::UP != 0;
            if up != (l.flags & iff::UP != 0) {
                cfg.set_link_up(l.index, up)?;
            }
            return Ok(0);
        }
        SIOCGIFMTU => put_i32(&mut r, l.mtu as i32),
        SIOCSIFMTU => {
            let mtu = read_u32(&r, 16) as i32;
            let lo = l.link_type == ARPHRD_LOOPBACK;
            if mtu < 0 || (!lo && !(68..=65535).contains(&mtu)) {
                return Err(Errno::EINVAL);
            }
            if mtu as u32 != l.mtu {
                cfg.set_mtu(l.index, mtu as u32)?;
            }
            return Ok(0);
        }
        SIOCGIFTXQLEN => put_i32(&mut r, 1000),
        SIOCGIFMETRIC => put_i32(&mut r, 0),
        SIOCGIFMAP => r[16..40].fill(0),
        SIOCGIFHWADDR => {
            r[16..32].fill(0);
            r[16..18].copy_from_slice(&l.link_type.to_ne_bytes());
            r[18..24].copy_from_slice(&l.mac);
        }
        SIOCGIFADDR | SIOCGIFDSTADDR | SIOCGIFNETMASK | SIOCGIFBRDADDR => {
            let a = primary_v4(cfg, l.index).ok_or(Errno::EADDRNOTAVAIL)?;
            let v = match cmd {
                SIOCGIFNETMASK => prefix_mask4(a.prefix_len).to_be_bytes(),
                SIOCGIFBRDADDR => v4_broadcast(&a, &l).unwrap_or([0; 4]),
                _ => v4(&a),
            };
            r[16..32].copy_from_slice(&sockaddr_in(v));
        }
        SIOCSIFADDR => {
            let new = sin_addr(&r)?;
            let plen = abc_len(new)?;
            let old = primary_v4(cfg, l.index);
            if let Some(o) = &old {
                if v4(o) == new {
                    return Ok(0);
                }
                cfg.del_addr(o)?;
            }
            // 0.0.0.0 only removes the address
            if new != [0; 4] {
                cfg.add_addr(&IfAddr {
                    ifindex: l.index,
                    family: AF_INET,
                    addr: new.to_vec(),
                    prefix_len: plen,
                })?;
            }
            return Ok(0);
        }
        SIOCSIFNETMASK => {
            let old = primary_v4(cfg, l.index).ok_or(Errno::EADDRNOTAVAIL)?;
            let m = u32::from_be_bytes(sin_addr(&r)?);
            // a contiguous mask only
            if m != 0 && (!m).wrapping_add(1) & !m != 0 {
                return Err(Errno::EINVAL);
            }
            let plen = m.leading_ones() as u8;
            if plen != old.prefix_len {
                cfg.del_addr(&old)?;
                cfg.add_addr(&IfAddr {
                    prefix_len: plen,
                    ..old
                })?;
            }
            return Ok(0);
        }
        SIOCSIFBRDADDR => {
            // the broadcast address is the one the prefix gives
            let old = primary_v4(cfg, l.index).ok_or(Errno::EADDRNOTAVAIL)?;
            let b = sin_addr(&r)?;
            return if Some(b) == v4_broadcast(&old, &l) {
                Ok(0)
            } else {
                Err(Errno::EOPNOTSUPP)
            };
        }
        _ => return Err(Errno::ENOTTY),
    }
    io.write(arg, &r)?;
    Ok(0)
}

/// `SIOCADDRT`/`SIOCDELRT` (`struct rtentry`, busybox `route add`), answered as
/// the equivalent `RTM_NEWROUTE`/`RTM_DELROUTE` (`rtentry_to_fib_config`).
fn rt_ioctl(cfg: &dyn NetConfig, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
    let mut e = [0u8; RTENTRY_LEN];
    io.read(arg, &mut e)?;
    let fam = |o: usize| u16::from_ne_bytes([e[o], e[o + 1]]);
    if fam(8) != AF_INET {
        return Err(Errno::EAFNOSUPPORT);
    }
    let dst = [e[12], e[13], e[14], e[15]];
    let gw = [e[28], e[29], e[30], e[31]];
    let flags = u16::from_ne_bytes([e[56], e[57]]);
    let mask = if flags & RTF_HOST != 0 {
        u32::MAX
    } else {
        u32::from_be_bytes([e[44], e[45], e[46], e[47]])
    };
    if mask != 0 && (!mask).wrapping_add(1) & !mask != 0 {
        return Err(Errno::EINVAL);
    }
    let plen = mask.leading_ones() as u8;
    let metric = i16::from_ne_bytes([e[80], e[81]]);
    let devp = u64::from_ne_bytes(e[88..96].try_into().map_err(|_| Errno::EFAULT)?);
    let mut oif = None;
    if devp != 0 {
        let mut name = Vec::new();
        for i in 0..16u64 {
            let mut c = [0u8];
            io.read(devp + i, &mut c)?;
            if c[0] == 0 {
                break;
            }
            name.push(c[0]);
        }
        let l = links(cfg)
            .into_iter()
            .find(|l| l.name.as_bytes() == name.as_slice())
            .ok_or(Errno::ENODEV)?;
        oif = Some(l.index);
    }
    let gateway = flags & RTF_GATEWAY != 0;
    let h = RtMsg {
        family: AF_INET as u8,
        dst_len: plen,
        table: msg::RT_TABLE_MAIN,
        protocol: msg::RTPROT_BOOT,
        scope: if gateway {
            msg::RT_SCOPE_UNIVERSE
        } else {
            msg::RT_SCOPE_LINK
        },
        ty: msg::RTN_UNICAST,
        ..Default::default()
    };
    let add = cmd == SIOCADDRT;
    let mut b = MsgBuilder::new(
        if add {
            msg::RTM_NEWROUTE
        } else {
            msg::RTM_DELROUTE
        },
        msg::NLM_F_REQUEST | if add { msg::NLM_F_CREATE } else { 0 },
        0,
        0,
    );
    b.raw(&h.bytes());
    if plen > 0 {
        // the destination masked as Linux does for the ioctl
        b.attr(
            msg::RTA_DST,
            &(u32::from_be_bytes(dst) & mask).to_be_bytes(),
        );
    }
    if gateway {
        b.attr(msg::RTA_GATEWAY, &gw);
    }
    if let Some(o) = oif {
        b.u32(msg::RTA_OIF, o);
    }
    if metric > 0 {
        b.u32(msg::RTA_PRIORITY, (metric - 1) as u32);
    }
    if !add {
        // SIOCDELRT's scope is "any" and its protocol unset
        let raw = b.finish();
        let mut raw = raw;
        if let Some(p) = raw.get_mut(msg::NLMSG_HDRLEN + 5) {
            *p = 0;
        }
        return run(cfg, &raw);
    }
    let raw = b.finish();
    run(cfg, &raw)
}

fn run(cfg: &dyn NetConfig, raw: &[u8]) -> KResult<u64> {
    let m = msg::split(raw);
    let m = m.first().ok_or(Errno::EINVAL)?;
    let ctx = route::Ctx {
        portid: 0,
        strict: false,
        admin: true,
    };
    route::handle(Some(cfg), m, &ctx).map(|_| 0)
}

/// The ifreq a test or caller builds for `name` (16 bytes of name, 24 of data).
pub fn make_ifreq(name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut r = vec![0u8; IFREQ_LEN];
    let n = name.len().min(15);
    r[..n].copy_from_slice(&name[..n]);
    let d = data.len().min(24);
    r[16..16 + d].copy_from_slice(&data[..d]);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::fake::FakeConfig;
    use alloc::collections::BTreeMap;

    /// User memory: a few buffers at fixed addresses.
    #[derive(Default)]
    struct Mem(BTreeMap<u64, Vec<u8>>);
    impl UserIo for Mem {
        fn read(&mut self, addr: u64, buf: &mut [u8]) -> KResult<()> {
            for (base, v) in &self.0 {
                if addr >= *base && addr + buf.len() as u64 <= base + v.len() as u64 {
                    let o = (addr - base) as usize;
                    buf.copy_from_slice(&v[o..o + buf.len()]);
                    return Ok(());
                }
            }
            Err(Errno::EFAULT)
        }
        fn write(&mut self, addr: u64, data: &[u8]) -> KResult<()> {
            for (base, v) in self.0.iter_mut() {
                if addr >= *base && addr + data.len() as u64 <= *base + v.len() as u64 {
                    let o = (addr - base) as usize;
                    v[o..o + data.len()].copy_from_slice(data);
                    return Ok(());
                }
            }
            Err(Errno::EFAULT)
        }
    }

    fn call(cfg: &FakeConfig, cmd: u32, req: Vec<u8>) -> (KResult<u64>, Vec<u8>) {
        let mut m = Mem::default();
        m.0.insert(0x1000, req);
        let r = ioctl(cfg, cmd, 0x1000, &mut m).expect("an interface ioctl");
        (r, m.0.remove(&0x1000).unwrap())
    }

    #[test]
    fn gets_on_lo() {
        let c = FakeConfig::new();
        let (r, b) = call(&c, SIOCGIFFLAGS, make_ifreq(b"lo", &[]));
        assert_eq!(r, Ok(0));
        assert_eq!(u16::from_ne_bytes([b[16], b[17]]), 0x49);
        let (_, b) = call(&c, SIOCGIFINDEX, make_ifreq(b"lo", &[]));
        assert_eq!(read_u32(&b, 16), 1);
        let (_, b) = call(&c, SIOCGIFNAME, make_ifreq(b"", &2u32.to_ne_bytes()));
        assert_eq!(&b[..5], b"eth0\0");
        let (_, b) = call(&c, SIOCGIFADDR, make_ifreq(b"lo", &[]));
        assert_eq!(&b[16..24], &[2, 0, 0, 0, 127, 0, 0, 1]);
        let (_, b) = call(&c, SIOCGIFNETMASK, make_ifreq(b"lo", &[]));
        assert_eq!(&b[20..24], &[255, 0, 0, 0]);
        let (_, b) = call(&c, SIOCGIFMTU, make_ifreq(b"lo", &[]));
        assert_eq!(read_u32(&b, 16), 65536);
        let (_, b) = call(&c, SIOCGIFHWADDR, make_ifreq(b"eth0", &[]));
        assert_eq!(&b[16..24], &[1, 0, 0x52, 0x54, 0, 0x12, 0x34, 0x56]);
        let (_, b) = call(&c, SIOCGIFTXQLEN, make_ifreq(b"eth0", &[]));
        assert_eq!(read_u32(&b, 16), 1000);
        // errnos
        assert_eq!(
            call(&c, SIOCGIFFLAGS, make_ifreq(b"nope", &[])).0,
            Err(Errno::ENODEV)
        );
        assert_eq!(
            call(&c, SIOCGIFNAME, make_ifreq(b"", &[9])).0,
            Err(Errno::ENODEV)
        );
        assert_eq!(
            call(&c, SIOCGIFADDR, make_ifreq(b"eth0", &[])).0,
            Err(Errno::EADDRNOTAVAIL)
        );
        let mut m = Mem::default();
        assert_eq!(ioctl(&c, 0x541b, 0, &mut m), None);
        assert_eq!(
            ioctl(&c, SIOCGIFFLAGS, 0x9999, &mut m),
            Some(Err(Errno::EFAULT))
        );
    }

    #[test]
    fn ifconfig_sets() {
        let c = FakeConfig::new();
        let sin = |a: [u8; 4]| sockaddr_in(a).to_vec();
        // ifconfig eth0 10.0.2.15 netmask 255.255.255.0 broadcast 10.0.2.255 up
        assert_eq!(
            call(&c, SIOCSIFADDR, make_ifreq(b"eth0", &sin([10, 0, 2, 15]))).0,
            Ok(0)
        );
        let a = primary_v4(&c, 2).unwrap();
        assert_eq!(a.prefix_len, 8);
        assert_eq!(
            call(
                &c,
                SIOCSIFNETMASK,
                make_ifreq(b"eth0", &sin([255, 255, 255, 0]))
            )
            .0,
            Ok(0)
        );
        assert_eq!(primary_v4(&c, 2).unwrap().prefix_len, 24);
        assert_eq!(
            call(
                &c,
                SIOCSIFBRDADDR,
                make_ifreq(b"eth0", &sin([10, 0, 2, 255]))
            )
            .0,
            Ok(0)
        );
        let (_, b) = call(&c, SIOCGIFBRDADDR, make_ifreq(b"eth0", &[]));
        assert_eq!(&b[20..24], &[10, 0, 2, 255]);
        assert_eq!(
            call(
                &c,
                SIOCSIFFLAGS,
                make_ifreq(b"eth0", &0x1043u16.to_ne_bytes())
            )
            .0,
            Ok(0)
        );
        assert_ne!(c.links()[1].flags & iff::UP, 0);
        assert_eq!(
            call(&c, SIOCSIFMTU, make_ifreq(b"eth0", &9000i32.to_ne_bytes())).0,
            Ok(0)
        );
        assert_eq!(c.links()[1].mtu, 9000);
        assert_eq!(
            call(&c, SIOCSIFMTU, make_ifreq(b"eth0", &20i32.to_ne_bytes())).0,
            Err(Errno::EINVAL)
        );
        assert_eq!(
            call(
                &c,
                SIOCSIFNETMASK,
                make_ifreq(b"eth0", &sin([255, 0, 255, 0]))
            )
            .0,
            Err(Errno::EINVAL)
        );
        assert_eq!(
            call(&c, SIOCSIFADDR, make_ifreq(b"eth0", &[10, 0])).0,
            Err(Errno::EINVAL)
        );
        // 0.0.0.0 removes it
        assert_eq!(
            call(&c, SIOCSIFADDR, make_ifreq(b"eth0", &sin([0; 4]))).0,
            Ok(0)
        );
        assert!(primary_v4(&c, 2).is_none());
    }

    #[test]
    fn ifconf_query_and_fill() {
        let c = FakeConfig::new();
        c.add_addr(&IfAddr {
            ifindex: 2,
            family: AF_INET,
            addr: vec![10, 0, 2, 15],
            prefix_len: 24,
        })
        .unwrap();
        let mut m = Mem::default();
        let mut h = vec![0u8; 16];
        m.0.insert(0x1000, h.clone());
        assert_eq!(ioctl(&c, SIOCGIFCONF, 0x1000, &mut m), Some(Ok(0)));
        assert_eq!(read_u32(&m.0[&0x1000], 0), 80);
        // room for one entry and a half: one is written
        h[0..4].copy_from_slice(&60i32.to_ne_bytes());
        h[8..16].copy_from_slice(&0x2000u64.to_ne_bytes());
        m.0.insert(0x1000, h);
        m.0.insert(0x2000, vec![0u8; 60]);
        assert_eq!(ioctl(&c, SIOCGIFCONF, 0x1000, &mut m), Some(Ok(0)));
        assert_eq!(read_u32(&m.0[&0x1000], 0), 40);
        let b = &m.0[&0x2000];
        assert_eq!(&b[..3], b"lo\0");
        assert_eq!(&b[16..24], &[2, 0, 0, 0, 127, 0, 0, 1]);
    }

    #[test]
    fn route_add_ioctl() {
        let c = FakeConfig::new();
        c.add_addr(&IfAddr {
            ifindex: 2,
            family: AF_INET,
            addr: vec![10, 0, 2, 15],
            prefix_len: 24,
        })
        .unwrap();
        // route add default gw 10.0.2.2
        let mut e = vec![0u8; RTENTRY_LEN];
        e[8..10].copy_from_slice(&AF_INET.to_ne_bytes());
        e[24..26].copy_from_slice(&AF_INET.to_ne_bytes());
        e[28..32].copy_from_slice(&[10, 0, 2, 2]);
        e[40..42].copy_from_slice(&AF_INET.to_ne_bytes());
        e[56..58].copy_from_slice(&(RTF_GATEWAY | 1).to_ne_bytes());
        let (r, _) = call(&c, SIOCADDRT, e.clone());
        assert_eq!(r, Ok(0));
        assert!(c
            .routes()
            .iter()
            .any(|r| r.dst_len == 0 && r.gateway == Some(vec![10, 0, 2, 2])));
        assert_eq!(call(&c, SIOCADDRT, e.clone()).0, Err(Errno::EEXIST));
        assert_eq!(call(&c, SIOCDELRT, e.clone()).0, Ok(0));
        assert_eq!(call(&c, SIOCDELRT, e).0, Err(Errno::ESRCH));
    }
}
