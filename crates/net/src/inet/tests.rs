//! Host tests: loopback, and two stacks joined by a simulated Ethernet pair.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicI64, Ordering};
use rill_abi::Errno;
use rill_vfs::poll::*;
use spin::Mutex;

use super::*;
use crate::config::{IfAddr, NetConfig, Route};
use crate::socket::{opt, Cmsg, Cred, Socket, AF_INET, AF_INET6};
use crate::{NetDevice, SockAddr};

static CLOCK: AtomicI64 = AtomicI64::new(1000);
/// Every reading advances the clock by 1 ms, so timers run as tests poll.
fn clock() -> i64 {
    CLOCK.fetch_add(1, Ordering::Relaxed)
}

fn stack() -> Arc<Stack> {
    Stack::new(clock, 42, StackOptions::default())
}

type Q = Arc<Mutex<VecDeque<Vec<u8>>>>;
struct PairDev {
    mac: [u8; 6],
    tx: Q,
    rx: Q,
}
impl NetDevice for PairDev {
    fn mac(&self) -> [u8; 6] {
        self.mac
    }
    fn transmit(&self, f: &[u8]) -> bool {
        self.tx.lock().push_back(f.to_vec());
        true
    }
    fn can_transmit(&self) -> bool {
        true
    }
    fn receive(&self) -> Option<Vec<u8>> {
        self.rx.lock().pop_front()
    }
}

/// Two stacks on one Ethernet: 10.0.2.15 and 10.0.2.2.
fn pair() -> (Arc<Stack>, Arc<Stack>) {
    let a2b: Q = Default::default();
    let b2a: Q = Default::default();
    let a = stack();
    let b = stack();
    for (s, mac, tx, rx, ip) in [
        (
            &a,
            [2, 0, 0, 0, 0, 1],
            a2b.clone(),
            b2a.clone(),
            [10, 0, 2, 15],
        ),
        (
            &b,
            [2, 0, 0, 0, 0, 2],
            b2a.clone(),
            a2b.clone(),
            [10, 0, 2, 2],
        ),
    ] {
        let idx = s.add_device(Arc::new(PairDev { mac, tx, rx }));
        assert_eq!(idx, 2);
        s.set_link_up(2, true).unwrap();
        s.add_addr(&IfAddr {
            ifindex: 2,
            family: AF_INET,
            addr: ip.to_vec(),
            prefix_len: 24,
        })
        .unwrap();
    }
    (a, b)
}

fn pump(stacks: &[&Arc<Stack>]) {
    for _ in 0..50 {
        for s in stacks {
            s.poll();
        }
    }
}

fn v4(a: [u8; 4], port: u16) -> SockAddr {
    SockAddr::Inet { addr: a, port }
}
fn v6any(port: u16) -> SockAddr {
    SockAddr::Inet6 {
        addr: [0; 16],
        port,
        flowinfo: 0,
        scope_id: 0,
    }
}
fn v6lo(port: u16) -> SockAddr {
    let mut a = [0u8; 16];
    a[15] = 1;
    SockAddr::Inet6 {
        addr: a,
        port,
        flowinfo: 0,
        scope_id: 0,
    }
}
fn port_of(a: &SockAddr) -> u16 {
    match a {
        SockAddr::Inet { port, .. } | SockAddr::Inet6 { port, .. } => *port,
        _ => 0,
    }
}

const C: Cred = Cred {
    pid: 1,
    uid: 0,
    gid: 0,
};

fn tcp(s: &Arc<Stack>, fam: u16) -> Arc<dyn Socket> {
    s.create(fam as i32, 1, 0).unwrap()
}

/// A new IPv4 TCP socket on `s` whose nonblocking connect to `to` is under way.
fn connecting(s: &Arc<Stack>, to: &SockAddr) -> Arc<dyn Socket> {
    let c = tcp(s, AF_INET);
    assert_eq!(c.connect(to, C), Err(Errno::EINPROGRESS));
    c
}

fn send_all(sk: &Arc<dyn Socket>, data: &[u8]) {
    assert_eq!(sk.send(data, None, vec![], 0, C), Ok(data.len()));
}

fn recv_str(sk: &Arc<dyn Socket>) -> Vec<u8> {
    let mut b = [0u8; 256];
    let r = sk.recv(&mut b, 0).unwrap();
    b[..r.len].to_vec()
}

/// listen, connect, accept, exchange, close on one stack.
fn echo(
    s: &Arc<Stack>,
    lfam: u16,
    laddr: SockAddr,
    cfam: u16,
    caddr: impl Fn(u16) -> SockAddr,
) -> SockAddr {
    let l = tcp(s, lfam);
    l.bind(&laddr).unwrap();
    l.listen(8, C).unwrap();
    let port = port_of(&l.local_addr().unwrap());
    assert!(port >= 32768 || port == port_of(&laddr));
    assert_eq!(l.poll(!0, None) & POLLIN, 0);
    let c = tcp(s, cfam);
    assert_eq!(c.connect(&caddr(port), C), Err(Errno::EINPROGRESS));
    s.poll();
    assert_eq!(c.take_error(), None);
    assert_ne!(c.poll(!0, None) & POLLOUT, 0);
    assert_ne!(l.poll(!0, None) & POLLIN, 0);
    let (a, peer) = l.accept().unwrap();
    assert_eq!(l.accept().err(), Some(Errno::EAGAIN));
    assert_eq!(port_of(&peer), port_of(&c.local_addr().unwrap()));
    // the first connect after completion returns 0 (Linux), the next EISCONN
    assert_eq!(c.connect(&caddr(port), C), Ok(()));
    assert_eq!(c.connect(&caddr(port), C), Err(Errno::EISCONN));
    send_all(&c, b"hello");
    assert_ne!(a.poll(!0, None) & POLLIN, 0);
    assert_eq!(recv_str(&a), b"hello");
    assert_eq!(a.recv(&mut [0u8; 4], 0).err(), Some(Errno::EAGAIN));
    send_all(&a, b"world");
    assert_eq!(recv_str(&c), b"world");
    c.shutdown(1).unwrap();
    s.poll();
    assert_eq!(recv_str(&a), b"");
    assert_ne!(a.poll(!0, None) & POLLRDHUP, 0);
    assert_eq!(c.send(b"x", None, vec![], 0, C), Err(Errno::EPIPE));
    a.close();
    s.poll();
    assert_eq!(recv_str(&c), b"");
    assert_ne!(c.poll(!0, None) & POLLHUP, 0);
    c.close();
    l.close();
    peer
}

#[test]
fn tcp_loopback_v4() {
    let s = stack();
    let peer = echo(&s, AF_INET, v4([0; 4], 0), AF_INET, |p| {
        v4([127, 0, 0, 1], p)
    });
    assert!(matches!(
        peer,
        SockAddr::Inet {
            addr: [127, 0, 0, 1],
            ..
        }
    ));
}

#[test]
fn tcp_loopback_v6() {
    let s = stack();
    let peer = echo(&s, AF_INET6, v6any(0), AF_INET6, v6lo);
    assert_eq!(
        peer,
        SockAddr::Inet6 {
            addr: match v6lo(0) {
                SockAddr::Inet6 { addr, .. } => addr,
                _ => [0; 16],
            },
            port: port_of(&peer),
            flowinfo: 0,
            scope_id: 0
        }
    );
}

#[test]
fn tcp_dual_stack() {
    let s = stack();
    // an IPv4 client of a :: listener appears v4-mapped
    let peer = echo(&s, AF_INET6, v6any(0), AF_INET, |p| v4([127, 0, 0, 1], p));
    let SockAddr::Inet6 { addr, .. } = peer else {
        panic!("{peer:?}")
    };
    assert_eq!(SockAddr::unmap_v4(&addr), Some([127, 0, 0, 1]));
    // and an AF_INET6 client can connect to ::ffff:127.0.0.1
    echo(&s, AF_INET, v4([0; 4], 0), AF_INET6, |p| {
        SockAddr::v4_mapped([127, 0, 0, 1], p)
    });
}

#[test]
fn tcp_refused_and_errors() {
    let s = stack();
    let c = tcp(&s, AF_INET);
    assert_eq!(c.peer_addr(), Err(Errno::ENOTCONN));
    assert_eq!(c.shutdown(1), Err(Errno::ENOTCONN));
    assert_eq!(
        c.connect(&v4([127, 0, 0, 1], 9), C),
        Err(Errno::EINPROGRESS)
    );
    s.poll();
    let ev = c.poll(!0, None);
    assert_ne!(ev & POLLERR, 0, "{ev:#x}");
    assert_ne!(ev & POLLHUP, 0);
    assert_eq!(c.take_error(), Some(Errno::ECONNREFUSED));
    assert_eq!(c.take_error(), None);
    // AF_INET to an IPv6 address
    let d = tcp(&s, AF_INET);
    assert_eq!(d.connect(&v6lo(9), C), Err(Errno::EAFNOSUPPORT));
    // listen on an unconnected socket, accept on a non-listening one
    assert_eq!(d.accept().err(), Some(Errno::EINVAL));
    // an address that is not ours
    assert_eq!(d.bind(&v4([10, 9, 9, 9], 0)), Err(Errno::EADDRNOTAVAIL));
    d.bind(&v4([127, 0, 0, 1], 0)).unwrap();
    assert_eq!(d.bind(&v4([127, 0, 0, 1], 0)), Err(Errno::EINVAL));
}

#[test]
fn tcp_bind_rules() {
    let s = stack();
    let a = tcp(&s, AF_INET6);
    a.bind(&v6any(5000)).unwrap();
    let b = tcp(&s, AF_INET);
    assert_eq!(b.bind(&v4([0; 4], 5000)), Err(Errno::EADDRINUSE));
    let c = tcp(&s, AF_INET6);
    c.setsockopt(opt::SOL_IPV6, opt::IPV6_V6ONLY, &1i32.to_ne_bytes())
        .unwrap();
    c.bind(&v6lo(5001)).unwrap();
    assert_eq!(
        c.setsockopt(opt::SOL_IPV6, opt::IPV6_V6ONLY, &0i32.to_ne_bytes()),
        Err(Errno::EINVAL)
    );
    b.bind(&v4([0; 4], 5001)).unwrap();
    // SO_REUSEADDR: two bound, only one may listen
    let x = tcp(&s, AF_INET);
    let y = tcp(&s, AF_INET);
    for k in [&x, &y] {
        k.setsockopt(opt::SOL_SOCKET, opt::SO_REUSEADDR, &1i32.to_ne_bytes())
            .unwrap();
        k.bind(&v4([127, 0, 0, 1], 5002)).unwrap();
    }
    x.listen(1, C).unwrap();
    assert_eq!(y.listen(1, C), Err(Errno::EADDRINUSE));
    assert_eq!(
        x.getsockopt(opt::SOL_SOCKET, opt::SO_ACCEPTCONN),
        Ok(1i32.to_ne_bytes().to_vec())
    );
    // buffer sizes are doubled, clamped
    x.setsockopt(opt::SOL_SOCKET, opt::SO_SNDBUF, &1i32.to_ne_bytes())
        .unwrap();
    assert_eq!(
        x.getsockopt(opt::SOL_SOCKET, opt::SO_SNDBUF),
        Ok(4608i32.to_ne_bytes().to_vec())
    );
    x.setsockopt(opt::SOL_SOCKET, opt::SO_RCVBUF, &1_000_000i32.to_ne_bytes())
        .unwrap();
    assert_eq!(
        x.getsockopt(opt::SOL_SOCKET, opt::SO_RCVBUF),
        Ok(425984i32.to_ne_bytes().to_vec())
    );
    assert_eq!(x.getsockopt(opt::SOL_TCP, 99), Err(Errno::ENOPROTOOPT));
    assert_eq!(
        b.getsockopt(opt::SOL_IPV6, opt::IPV6_V6ONLY),
        Err(Errno::EOPNOTSUPP)
    );
}

#[test]
fn tcp_over_ethernet_and_linger_reset() {
    let (a, b) = pair();
    // the server on b listens on 0.0.0.0: reachable on eth0 and lo
    let l = tcp(&b, AF_INET);
    l.bind(&v4([0; 4], 554)).unwrap();
    l.listen(4, C).unwrap();
    let c = connecting(&a, &v4([10, 0, 2, 2], 554));
    pump(&[&a, &b]);
    assert_eq!(c.take_error(), None);
    let (srv, peer) = l.accept().unwrap();
    assert!(matches!(
        peer,
        SockAddr::Inet {
            addr: [10, 0, 2, 15],
            ..
        }
    ));
    assert!(matches!(
        c.local_addr().unwrap(),
        SockAddr::Inet {
            addr: [10, 0, 2, 15],
            ..
        }
    ));
    // a bulk transfer larger than one window
    let data: Vec<u8> = (0..600_000u32).map(|i| i as u8).collect();
    let mut sent = 0;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65536];
    for _ in 0..10_000 {
        if sent < data.len() {
            if let Ok(n) = c.send(&data[sent..], None, vec![], 0, C) {
                sent += n;
            }
        }
        pump(&[&a, &b]);
        while let Ok(r) = srv.recv(&mut buf, 0) {
            if r.len == 0 {
                break;
            }
            got.extend_from_slice(&buf[..r.len]);
        }
        if got.len() == data.len() {
            break;
        }
    }
    assert!(got == data, "got {} of {}", got.len(), data.len());
    // the same listener also accepts on lo (b's own address)
    let c2 = connecting(&b, &v4([10, 0, 2, 2], 554));
    b.poll();
    let (srv2, _) = l.accept().unwrap();
    // SO_LINGER {1, 0}: close resets
    srv2.setsockopt(opt::SOL_SOCKET, opt::SO_LINGER, &[1, 0, 0, 0, 0, 0, 0, 0])
        .unwrap();
    srv2.close();
    b.poll();
    assert_eq!(c2.recv(&mut buf, 0).err(), Some(Errno::ECONNRESET));
    assert_eq!(c2.send(b"x", None, vec![], 0, C), Err(Errno::EPIPE));
    // routing: no route off-link
    let d = tcp(&a, AF_INET);
    assert_eq!(d.connect(&v4([8, 8, 8, 8], 80), C), Err(Errno::ENETUNREACH));
    a.add_route(&Route {
        family: AF_INET,
        dst: vec![0; 4],
        dst_len: 0,
        gateway: Some(vec![10, 0, 2, 2]),
        ifindex: 2,
        protocol: 4,
        scope: 0,
        metric: 0,
    })
    .unwrap();
    assert_eq!(d.connect(&v4([8, 8, 8, 8], 80), C), Err(Errno::EINPROGRESS));
    assert_eq!(d.connect(&v4([8, 8, 8, 8], 80), C), Err(Errno::EALREADY));
    assert_eq!(a.routes().len(), 2);
}

fn udp(s: &Arc<Stack>, fam: u16) -> Arc<dyn Socket> {
    s.create(fam as i32, 2, 0).unwrap()
}

#[test]
fn udp_loopback() {
    let s = stack();
    let r = udp(&s, AF_INET);
    r.bind(&v4([127, 0, 0, 1], 0)).unwrap();
    let rp = port_of(&r.local_addr().unwrap());
    r.setsockopt(opt::SOL_IP, opt::IP_PKTINFO, &1i32.to_ne_bytes())
        .unwrap();
    let t = udp(&s, AF_INET);
    assert_eq!(t.peer_addr(), Err(Errno::ENOTCONN));
    assert_eq!(t.send(b"x", None, vec![], 0, C), Err(Errno::EDESTADDRREQ));
    let to = v4([127, 0, 0, 1], rp);
    assert_eq!(t.send(b"one", Some(&to), vec![], 0, C), Ok(3));
    assert_eq!(t.send(b"second", Some(&to), vec![], 0, C), Ok(6));
    assert_eq!(
        t.send(&vec![0; 65508], Some(&to), vec![], 0, C),
        Err(Errno::EMSGSIZE)
    );
    let mut b = [0u8; 4];
    let x = r.recv(&mut b, 0).unwrap();
    assert_eq!((x.len, x.full_len, &b[..3]), (3, 3, &b"one"[..]));
    assert_eq!(x.cmsgs.len(), 1);
    assert_eq!(
        x.addr,
        Some(
            t.local_addr()
                .map(|a| match a {
                    SockAddr::Inet { port, .. } => v4([127, 0, 0, 1], port),
                    o => o,
                })
                .unwrap()
        )
    );
    let y = r.recv(&mut b, 0).unwrap();
    assert_eq!((y.len, y.full_len, y.flags), (4, 6, super::c::MSG_TRUNC));
    assert_eq!(r.recv(&mut b, 0).err(), Some(Errno::EAGAIN));
    // connect filters: datagrams from others are dropped
    let other = udp(&s, AF_INET);
    r.connect(&t.local_addr().unwrap(), C).unwrap();
    other.send(b"no", Some(&to), vec![], 0, C).unwrap();
    t.send(b"yes", Some(&to), vec![], 0, C).unwrap();
    assert_eq!(r.recv(&mut b, 0).unwrap().len, 3);
    assert_eq!(&b[..3], b"yes");
    assert_eq!(r.poll(!0, None) & POLLIN, 0);
    r.connect(&SockAddr::Unspec, C).unwrap();
    assert_eq!(r.peer_addr(), Err(Errno::ENOTCONN));
}

#[test]
fn udp_dual_stack_and_reuse() {
    let s = stack();
    let r = udp(&s, AF_INET6);
    r.bind(&v6any(6000)).unwrap();
    let t = udp(&s, AF_INET);
    t.send(b"hi", Some(&v4([127, 0, 0, 1], 6000)), vec![], 0, C)
        .unwrap();
    let mut b = [0u8; 8];
    let got = r.recv(&mut b, 0).unwrap();
    let Some(SockAddr::Inet6 { addr, .. }) = got.addr else {
        panic!()
    };
    assert_eq!(SockAddr::unmap_v4(&addr), Some([127, 0, 0, 1]));
    let u1 = udp(&s, AF_INET);
    let u2 = udp(&s, AF_INET);
    for u in [&u1, &u2] {
        u.setsockopt(opt::SOL_SOCKET, opt::SO_REUSEADDR, &1i32.to_ne_bytes())
            .unwrap();
        u.bind(&v4([0; 4], 6001)).unwrap();
    }
    let u3 = udp(&s, AF_INET);
    assert_eq!(u3.bind(&v4([0; 4], 6001)), Err(Errno::EADDRINUSE));
    assert_eq!(
        t.send(b"b", Some(&v4([255, 255, 255, 255], 9)), vec![], 0, C),
        Err(Errno::EACCES)
    );
}

#[test]
fn socket_types() {
    let s = stack();
    assert_eq!(s.create(2, 3, 6).err(), Some(Errno::EPERM));
    // raw ICMP: our request and the reply, each with its IP header
    let r = s.create(2, 3, 1).unwrap();
    let req = [8u8, 0, 0xf7, 0xfe, 0, 1, 0, 0];
    assert_eq!(
        r.send(&req, Some(&v4([127, 0, 0, 1], 0)), vec![], 0, C),
        Ok(8)
    );
    s.poll();
    let mut b = [0u8; 64];
    let x = r.recv(&mut b, 0).unwrap();
    assert_eq!((x.len, b[0] >> 4, b[9], b[20]), (28, 4, 1, 8));
    let y = r.recv(&mut b, 0).unwrap();
    assert_eq!((y.len, b[20]), (28, 0));
    assert_eq!(s.create(2, 3, 0).err(), Some(Errno::EPROTONOSUPPORT));
    assert_eq!(s.create(2, 1, 17).err(), Some(Errno::EPROTONOSUPPORT));
    assert_eq!(s.create(2, 5, 0).err(), Some(Errno::ESOCKTNOSUPPORT));
    assert_eq!(s.create(2, 1, 300).err(), Some(Errno::EINVAL));
    assert!(s.create(10, 2, 17).is_ok());
    // ping: echo request to 127.0.0.1, the reply comes back with our identifier
    let p = s.create(2, 2, 1).unwrap();
    let req = [8u8, 0, 0, 0, 0x12, 0x34, 0, 1, b'p', b'i', b'n', b'g'];
    assert_eq!(
        p.send(&req, Some(&v4([127, 0, 0, 1], 0)), vec![], 0, C),
        Ok(12)
    );
    s.poll();
    assert_ne!(p.poll(!0, None) & POLLIN, 0);
    let mut b = [0u8; 64];
    let r = p.recv(&mut b, 0).unwrap();
    assert_eq!((r.len, b[0]), (12, 0));
    let ident = port_of(&p.local_addr().unwrap());
    assert_eq!(u16::from_be_bytes([b[4], b[5]]), ident);
    assert_eq!(&b[6..12], &req[6..12]);
    assert_eq!(p.recv(&mut b, 0).err(), Some(Errno::EAGAIN));
    assert_eq!(
        p.send(&[0u8; 8], Some(&v4([127, 0, 0, 1], 0)), vec![], 0, C),
        Err(Errno::EINVAL)
    );
}

#[test]
fn config_and_proc() {
    let (a, _b) = pair();
    let _probe = connecting(&a, &v4([10, 0, 2, 2], 1));
    let links = a.links();
    assert_eq!(links.len(), 2);
    assert_eq!(links[1].name, "eth0");
    assert!(links[1].stats.tx_packets > 0, "{:?}", links[1].stats);
    assert_eq!(
        a.add_addr(&IfAddr {
            ifindex: 2,
            family: AF_INET,
            addr: vec![10, 0, 2, 15],
            prefix_len: 24
        }),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        a.add_addr(&IfAddr {
            ifindex: 9,
            family: AF_INET,
            addr: vec![10, 0, 3, 15],
            prefix_len: 24
        }),
        Err(Errno::ENODEV)
    );
    let l = tcp(&a, AF_INET);
    l.bind(&v4([0; 4], 80)).unwrap();
    l.listen(1, C).unwrap();
    let info = a.sockets();
    assert_eq!(info.len(), 2);
    assert_eq!(info[0].state, 2); // the probe, SYN_SENT
    assert_eq!(info[1].state, 10);
    let p = ipconfig::parse("10.0.2.15::10.0.2.2:255.255.255.0::eth0:off").unwrap();
    let ipconfig::IpParam::Static(st) = p else {
        panic!()
    };
    let c = stack();
    c.add_device(Arc::new(PairDev {
        mac: [2, 0, 0, 0, 0, 9],
        tx: Default::default(),
        rx: Default::default(),
    }));
    c.apply_ip_param(&st).unwrap();
    assert_eq!(c.addrs().len(), 3);
    assert_eq!(c.routes().len(), 2);
}

/// Several MiB over lo with large writes and small reads: the sender and the
/// receiver act only on the readiness they see (as blocked callers do), and an
/// idle round is one netd poll. Stalls (no readiness, nothing moving) fail.
#[test]
fn tcp_bulk_small_reads_no_stall() {
    let s = stack();
    let l = tcp(&s, AF_INET);
    l.bind(&v4([127, 0, 0, 1], 0)).unwrap();
    l.listen(8, C).unwrap();
    let port = port_of(&l.local_addr().unwrap());
    let c = connecting(&s, &v4([127, 0, 0, 1], port));
    s.poll();
    let (a, _) = l.accept().unwrap();
    const TOTAL: usize = 6 << 20;
    let chunk: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let (mut sent, mut got, mut idle) = (0usize, 0usize, 0);
    let mut buf = [0u8; 1000];
    while got < TOTAL {
        let mut moved = false;
        if sent < TOTAL && c.poll(!0, None) & POLLOUT != 0 {
            let n = (TOTAL - sent).min(chunk.len() - 251);
            let off = sent % 251;
            match c.send(&chunk[off..off + n], None, vec![], 0, C) {
                Ok(k) => {
                    sent += k;
                    moved = k > 0;
                }
                Err(Errno::EAGAIN) => {}
                Err(e) => panic!("send: {:?}", e),
            }
        }
        if a.poll(!0, None) & POLLIN != 0 {
            let r = a.recv(&mut buf, 0).unwrap();
            for (i, b) in buf[..r.len].iter().enumerate() {
                assert_eq!(*b as usize, (got + i) % 251);
            }
            got += r.len;
            moved = moved || r.len > 0;
        }
        if moved {
            idle = 0;
        } else {
            idle += 1;
            assert!(idle < 1000, "stalled: sent {} got {}", sent, got);
            s.poll();
        }
    }
    assert_eq!(got, TOTAL);
}

/// nginx's pair of listeners, `0.0.0.0:P` and `[::]:P` V6ONLY, in both creation
/// orders: every IPv4 connection reaches the IPv4 one and every IPv6 connection the
/// IPv6 one, none is reset (smoltcp's wildcard listening sockets take both families).
#[test]
fn tcp_v4_and_v6only_listeners_share_a_port() {
    for v6_first in [false, true] {
        let s = stack();
        let mk4 = || {
            let l = tcp(&s, AF_INET);
            l.bind(&v4([0; 4], 8080)).unwrap();
            l.listen(16, C).unwrap();
            l
        };
        let mk6 = || {
            let l = tcp(&s, AF_INET6);
            l.setsockopt(opt::SOL_IPV6, opt::IPV6_V6ONLY, &1i32.to_ne_bytes())
                .unwrap();
            l.bind(&v6any(8080)).unwrap();
            l.listen(16, C).unwrap();
            l
        };
        let (l4, l6) = if v6_first {
            let b = mk6();
            (mk4(), b)
        } else {
            let a = mk4();
            (a, mk6())
        };
        for round in 0..12 {
            let six = round % 3 == 2;
            let c = tcp(&s, if six { AF_INET6 } else { AF_INET });
            let to = if six {
                v6lo(8080)
            } else {
                v4([127, 0, 0, 1], 8080)
            };
            assert_eq!(c.connect(&to, C), Err(Errno::EINPROGRESS));
            s.poll();
            assert_eq!(c.take_error(), None, "round {round} v6_first {v6_first}");
            let (right, wrong) = if six { (&l6, &l4) } else { (&l4, &l6) };
            assert_eq!(wrong.accept().err(), Some(Errno::EAGAIN), "round {round}");
            let (a, _) = right.accept().unwrap();
            send_all(&c, b"ping");
            s.poll();
            assert_eq!(recv_str(&a), b"ping", "round {round}");
            a.close();
            c.close();
            s.poll();
        }
    }
}

/// A connected loopback pair on one stack: (client, accepted).
fn lo_pair(s: &Arc<Stack>) -> (Arc<dyn Socket>, Arc<dyn Socket>) {
    let l = tcp(s, AF_INET);
    l.bind(&v4([127, 0, 0, 1], 0)).unwrap();
    l.listen(8, C).unwrap();
    let port = port_of(&l.local_addr().unwrap());
    let c = connecting(s, &v4([127, 0, 0, 1], port));
    pump(&[s]);
    let (a, _) = l.accept().unwrap();
    (c, a)
}

#[test]
fn tcp_write_after_peer_close_is_reset_then_epipe() {
    let s = stack();
    let (c, a) = lo_pair(&s);
    a.close();
    pump(&[&s]);
    assert_eq!(recv_str(&c), b"");
    // the first write reaches a closed socket, which answers with RST
    assert_eq!(c.send(b"x", None, vec![], 0, C), Ok(1));
    pump(&[&s]);
    let ev = c.poll(!0, None);
    assert_ne!(ev & POLLERR, 0, "{ev:#x}");
    assert_ne!(ev & POLLHUP, 0, "{ev:#x}");
    // a reset in CLOSE_WAIT leaves EPIPE (Linux's tcp_reset), then EPIPE for ever
    assert_eq!(c.take_error(), Some(Errno::EPIPE));
    assert_eq!(c.send(b"x", None, vec![], 0, C), Err(Errno::EPIPE));
    assert_eq!(c.send(b"x", None, vec![], 0, C), Err(Errno::EPIPE));
}

#[test]
fn tcp_data_before_reset_is_read_first() {
    let s = stack();
    let (c, a) = lo_pair(&s);
    c.setsockopt(opt::SOL_SOCKET, opt::SO_LINGER, &[1, 0, 0, 0, 0, 0, 0, 0])
        .unwrap();
    send_all(&c, b"lost");
    pump(&[&s]);
    c.close();
    pump(&[&s]);
    assert_ne!(a.poll(!0, None) & POLLERR, 0);
    assert_eq!(recv_str(&a), b"lost");
    assert_eq!(a.recv(&mut [0u8; 8], 0).err(), Some(Errno::ECONNRESET));
    assert_eq!(recv_str(&a), b"");
}

#[test]
fn tcp_no_peer_after_both_sides_closed() {
    let s = stack();
    let (c, a) = lo_pair(&s);
    assert!(c.peer_addr().is_ok());
    c.shutdown(2).unwrap();
    a.close();
    pump(&[&s]);
    assert_eq!(recv_str(&c), b"");
    assert_eq!(c.peer_addr(), Err(Errno::ENOTCONN));
}

#[test]
fn tcp_both_shut_down_is_not_an_error() {
    let s = stack();
    let (c, a) = lo_pair(&s);
    c.shutdown(1).unwrap();
    pump(&[&s]);
    a.shutdown(1).unwrap();
    pump(&[&s]);
    for (name, k) in [("client", &c), ("server", &a)] {
        let ev = k.poll(!0, None);
        assert_eq!(ev & POLLERR, 0, "{name}: {ev:#x}");
        assert_ne!(ev & POLLHUP, 0, "{name}: {ev:#x}");
        assert_eq!(k.take_error(), None, "{name}");
    }
}

#[test]
fn tcp_connect_again_after_refusal_and_after_so_error() {
    let s = stack();
    let l = tcp(&s, AF_INET);
    l.bind(&v4([127, 0, 0, 1], 0)).unwrap();
    l.listen(8, C).unwrap();
    let open = v4([127, 0, 0, 1], port_of(&l.local_addr().unwrap()));
    // refused: connect again gives the error once and leaves the socket unconnected,
    // so a third connect is a new attempt
    let c = tcp(&s, AF_INET);
    let closed = v4([127, 0, 0, 1], 9);
    assert_eq!(c.connect(&closed, C), Err(Errno::EINPROGRESS));
    pump(&[&s]);
    assert_eq!(c.connect(&closed, C), Err(Errno::ECONNREFUSED));
    assert_eq!(c.take_error(), None);
    assert_eq!(c.connect(&open, C), Err(Errno::EINPROGRESS));
    pump(&[&s]);
    assert_eq!(c.connect(&open, C), Ok(()));
    // SO_ERROR read after a non-blocking connect completed does not complete it
    let d = tcp(&s, AF_INET);
    assert_eq!(d.connect(&open, C), Err(Errno::EINPROGRESS));
    pump(&[&s]);
    assert_eq!(d.take_error(), None);
    assert_eq!(d.connect(&open, C), Ok(()));
    assert_eq!(d.connect(&open, C), Err(Errno::EISCONN));
}

#[test]
fn tcp_loopback_is_anyip_for_127_8() {
    let s = stack();
    let l = tcp(&s, AF_INET);
    l.bind(&v4([127, 0, 0, 2], 0)).unwrap();
    l.listen(8, C).unwrap();
    let port = port_of(&l.local_addr().unwrap());
    // 127.0.0.1 is another address: refused
    let r = connecting(&s, &v4([127, 0, 0, 1], port));
    pump(&[&s]);
    assert_eq!(r.take_error(), Some(Errno::ECONNREFUSED));
    // 127.0.0.2 reaches the listener, from lo's address
    let c = connecting(&s, &v4([127, 0, 0, 2], port));
    pump(&[&s]);
    assert_eq!(c.connect(&v4([127, 0, 0, 2], port), C), Ok(()));
    assert!(matches!(
        c.local_addr().unwrap(),
        SockAddr::Inet {
            addr: [127, 0, 0, 1],
            ..
        }
    ));
    let (a, peer) = l.accept().unwrap();
    assert!(matches!(
        peer,
        SockAddr::Inet {
            addr: [127, 0, 0, 1],
            ..
        }
    ));
    assert!(matches!(
        a.local_addr().unwrap(),
        SockAddr::Inet {
            addr: [127, 0, 0, 2],
            ..
        }
    ));
}

#[test]
fn tcp_rcvlowat_gates_pollin() {
    let s = stack();
    let (c, a) = lo_pair(&s);
    a.setsockopt(opt::SOL_SOCKET, opt::SO_RCVLOWAT, &10i32.to_ne_bytes())
        .unwrap();
    send_all(&c, b"abcde");
    pump(&[&s]);
    assert_eq!(a.poll(!0, None) & POLLIN, 0);
    send_all(&c, b"fghij");
    pump(&[&s]);
    assert_ne!(a.poll(!0, None) & POLLIN, 0);
    // EOF makes a short queue readable
    let mut b = [0u8; 16];
    assert_eq!(a.recv(&mut b, 0).map(|r| r.len), Ok(10));
    send_all(&c, b"xy");
    c.shutdown(1).unwrap();
    pump(&[&s]);
    assert_ne!(a.poll(!0, None) & POLLIN, 0);
}

#[test]
fn tcp_full_accept_queue_drops_the_syn() {
    let s = stack();
    let l = tcp(&s, AF_INET);
    l.bind(&v4([127, 0, 0, 1], 0)).unwrap();
    // backlog 0 holds one connection
    l.listen(0, C).unwrap();
    let to = v4([127, 0, 0, 1], port_of(&l.local_addr().unwrap()));
    let first = tcp(&s, AF_INET);
    assert_eq!(first.connect(&to, C), Err(Errno::EINPROGRESS));
    pump(&[&s]);
    assert_eq!(first.connect(&to, C), Ok(()));
    let c = tcp(&s, AF_INET);
    assert_eq!(c.connect(&to, C), Err(Errno::EINPROGRESS));
    pump(&[&s]);
    // not refused: still in progress, nothing to report
    assert_eq!(c.connect(&to, C), Err(Errno::EALREADY));
    assert_eq!(c.poll(!0, None), 0);
    assert_eq!(c.take_error(), None);
    let _a = l.accept().unwrap();
    assert_eq!(c.connect(&to, C), Err(Errno::EALREADY));
    // the retransmitted SYN finds room
    for _ in 0..200 {
        pump(&[&s]);
        if c.poll(!0, None) & POLLOUT != 0 {
            break;
        }
    }
    assert_eq!(c.connect(&to, C), Ok(()));
    assert!(l.accept().is_ok());
}

#[test]
fn tcp_time_wait_holds_the_port() {
    let s = stack();
    let l = tcp(&s, AF_INET);
    l.setsockopt(opt::SOL_SOCKET, opt::SO_REUSEADDR, &1i32.to_ne_bytes())
        .unwrap();
    l.bind(&v4([127, 0, 0, 1], 0)).unwrap();
    l.listen(4, C).unwrap();
    let at = v4([127, 0, 0, 1], port_of(&l.local_addr().unwrap()));
    let c = tcp(&s, AF_INET);
    assert_eq!(c.connect(&at, C), Err(Errno::EINPROGRESS));
    pump(&[&s]);
    let (a, _) = l.accept().unwrap();
    // the server closes first: its side (the listener's port) goes to TIME_WAIT
    a.close();
    pump(&[&s]);
    assert_eq!(recv_str(&c), b"");
    let cport = port_of(&c.local_addr().unwrap());
    c.close();
    l.close();
    pump(&[&s]);
    let n = tcp(&s, AF_INET);
    assert_eq!(n.bind(&at), Err(Errno::EADDRINUSE));
    n.setsockopt(opt::SOL_SOCKET, opt::SO_REUSEADDR, &1i32.to_ne_bytes())
        .unwrap();
    assert_eq!(n.bind(&at), Ok(()));
    assert_eq!(n.listen(4, C), Ok(()));
    // the passive closer (the client, LAST_ACK then CLOSED) kept nothing
    let m = tcp(&s, AF_INET);
    assert_eq!(m.bind(&v4([127, 0, 0, 1], cport)), Ok(()));
}

#[test]
fn tcp_listen_again_despite_closed_children() {
    let s = stack();
    let l = tcp(&s, AF_INET);
    l.bind(&v4([127, 0, 0, 1], 0)).unwrap();
    l.listen(4, C).unwrap();
    let at = v4([127, 0, 0, 1], port_of(&l.local_addr().unwrap()));
    let c = tcp(&s, AF_INET);
    assert_eq!(c.connect(&at, C), Err(Errno::EINPROGRESS));
    pump(&[&s]);
    let (a, _) = l.accept().unwrap();
    // the accepted side closes first and stays in FIN_WAIT2 (the client never closes)
    a.close();
    pump(&[&s]);
    assert_eq!(tcp(&s, AF_INET).bind(&at), Err(Errno::EADDRINUSE));
    l.shutdown(0).unwrap();
    assert_eq!(l.listen(4, C), Ok(()));
}

#[test]
fn syn_filter_matches_family_address_and_flags() {
    use super::ports::BindAddr;
    use super::tcp::{syn_dst, syn_is_for, SynDrop};
    // the device's check (`Dev::receive`): a SYN whose listener is full
    let syn_to_full = |frame: &[u8], eth: bool, full: &[SynDrop]| {
        syn_dst(frame, eth).is_some_and(|syn| syn_is_for(full, syn))
    };
    // IPv4 + TCP to 127.0.0.1:80 with `flags`
    let pkt = |flags: u8| {
        let mut p = vec![0u8; 40];
        p[0] = 0x45;
        p[9] = 6;
        p[16..20].copy_from_slice(&[127, 0, 0, 1]);
        p[22..24].copy_from_slice(&80u16.to_be_bytes());
        p[33] = flags;
        p
    };
    let v4 = SynDrop {
        family: AF_INET,
        addr: BindAddr::Any4,
        v6only: false,
        port: 80,
    };
    assert!(syn_to_full(&pkt(0x02), false, &[v4]));
    // SYN|ACK, a plain ACK, another port, no listener: not dropped
    assert!(!syn_to_full(&pkt(0x12), false, &[v4]));
    assert!(!syn_to_full(&pkt(0x10), false, &[v4]));
    assert!(!syn_to_full(
        &pkt(0x02),
        false,
        &[SynDrop { port: 81, ..v4 }]
    ));
    assert!(!syn_to_full(&pkt(0x02), false, &[]));
    // a full [::]:80 V6ONLY listener does not take IPv4 SYNs, a dual-stack one does
    let v6 = SynDrop {
        family: AF_INET6,
        addr: BindAddr::Any6,
        v6only: true,
        port: 80,
    };
    assert!(!syn_to_full(&pkt(0x02), false, &[v6]));
    assert!(syn_to_full(
        &pkt(0x02),
        false,
        &[SynDrop {
            v6only: false,
            ..v6
        }]
    ));
    // behind an Ethernet header; frames cut before the flags are never dropped (nor panic)
    let mut eth = vec![0u8; 12];
    eth.extend_from_slice(&[0x08, 0x00]);
    eth.extend_from_slice(&pkt(0x02));
    assert!(syn_to_full(&eth, true, &[v4]));
    for n in 0..14 + 20 + 14 {
        assert!(!syn_to_full(&eth[..n], true, &[v4]));
    }
}

#[test]
fn tcp_time_wait_keeps_no_port_picked_by_connect() {
    let s = stack();
    let (c, a) = lo_pair(&s);
    let cport = port_of(&c.local_addr().unwrap());
    // the client closes first: TIME_WAIT on its side, but its port was picked by
    // connect, so it is free for others at once
    c.close();
    pump(&[&s]);
    assert_eq!(recv_str(&a), b"");
    a.close();
    pump(&[&s]);
    assert_eq!(tcp(&s, AF_INET).bind(&v4([127, 0, 0, 1], cport)), Ok(()));
}

/// Connection churn on lo: closed connections leave nothing in lo's socket set
/// (TIME_WAIT sockets there are dropped; smoltcp walks the whole set per packet), and
/// reused pooled sockets carry no byte or state of their last connection.
#[test]
fn tcp_churn_leaves_no_sockets_and_reuses_clean() {
    let s = stack();
    let l = tcp(&s, AF_INET);
    l.bind(&v4([127, 0, 0, 1], 0)).unwrap();
    l.listen(16, C).unwrap();
    let port = port_of(&l.local_addr().unwrap());
    for i in 0..40u32 {
        let c = connecting(&s, &v4([127, 0, 0, 1], port));
        s.poll();
        let (a, _) = l.accept().unwrap();
        let msg = alloc::format!("message {i}");
        send_all(&c, msg.as_bytes());
        s.poll();
        assert_eq!(recv_str(&a), msg.as_bytes(), "round {i}");
        // the client closes first, so the client side goes through TIME_WAIT
        c.close();
        s.poll();
        a.close();
        pump(&[&s]);
    }
    let g = s.inner.lock();
    let in_set = g.ifaces[0].set.iter().count();
    assert!(in_set <= 2, "{in_set} sockets left in lo's set");
    assert!(g.tcp_pool.len() <= 16);
    assert!(!g.tcp_pool.is_empty(), "closed sockets are kept for reuse");
}

/// A device that, like virtio-net, hands queued frames to the wire only when
/// flushed (its doorbell), with a ring of [`BatchDev::RING`] slots.
struct BatchDev {
    mac: [u8; 6],
    held: Arc<Mutex<Vec<Vec<u8>>>>,
    tx: Q,
    rx: Q,
}
impl BatchDev {
    const RING: usize = 4;
}
impl NetDevice for BatchDev {
    fn mac(&self) -> [u8; 6] {
        self.mac
    }
    fn transmit(&self, f: &[u8]) -> bool {
        let mut h = self.held.lock();
        if h.len() >= Self::RING {
            return false;
        }
        h.push(f.to_vec());
        true
    }
    fn can_transmit(&self) -> bool {
        self.held.lock().len() < Self::RING
    }
    fn receive(&self) -> Option<Vec<u8>> {
        self.rx.lock().pop_front()
    }
    fn flush(&self) {
        self.tx.lock().extend(self.held.lock().drain(..));
    }
}

#[test]
fn tcp_over_batching_device_flushes_every_poll() {
    let a2b: Q = Default::default();
    let b2a: Q = Default::default();
    let (a, b) = (stack(), stack());
    let mut helds = vec![];
    for (s, mac, tx, rx, ip) in [
        (&a, 1u8, a2b.clone(), b2a.clone(), 15u8),
        (&b, 2, b2a.clone(), a2b.clone(), 2),
    ] {
        let held: Arc<Mutex<Vec<Vec<u8>>>> = Default::default();
        helds.push(held.clone());
        let dev = BatchDev {
            mac: [2, 0, 0, 0, 0, mac],
            held,
            tx,
            rx,
        };
        let idx = s.add_device(Arc::new(dev));
        s.set_link_up(idx, true).unwrap();
        s.add_addr(&IfAddr {
            ifindex: idx,
            family: AF_INET,
            addr: vec![10, 0, 2, ip],
            prefix_len: 24,
        })
        .unwrap();
    }
    let l = tcp(&b, AF_INET);
    l.bind(&v4([0; 4], 5201)).unwrap();
    l.listen(4, C).unwrap();
    let c = connecting(&a, &v4([10, 0, 2, 2], 5201));
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let (mut sent, mut got) = (0, Vec::new());
    let mut srv = None;
    for _ in 0..5000 {
        if sent < data.len() {
            if let Ok(n) = c.send(&data[sent..], None, vec![], 0, C) {
                sent += n;
            }
        }
        a.poll();
        b.poll();
        // nothing a poll transmitted is left behind the doorbell
        for h in &helds {
            assert!(h.lock().is_empty(), "frames left unflushed after a poll");
        }
        if srv.is_none() {
            srv = l.accept().ok().map(|x| x.0);
        }
        if let Some(s) = &srv {
            let mut buf = [0u8; 65536];
            while let Ok(r) = s.recv(&mut buf, 0) {
                if r.len == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..r.len]);
            }
        }
        if got.len() == data.len() {
            break;
        }
    }
    assert_eq!(got.len(), data.len());
    assert!(got == data, "payload corrupted");
}

/// Counts the notifications a socket's pollee gives (an edge-triggered epoll
/// item sees one edge per notification).
struct Edges(core::sync::atomic::AtomicUsize);
impl rill_vfs::Observer for Edges {
    fn on_events(&self, ev: rill_vfs::IoEvents) {
        if ev & POLLIN != 0 {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}
fn edges(sk: &Arc<dyn Socket>) -> (Arc<Edges>, rill_vfs::Poller) {
    let e = Arc::new(Edges(Default::default()));
    let obs: Arc<dyn rill_vfs::Observer> = e.clone();
    let mut p = rill_vfs::Poller::new(obs);
    sk.poll(POLLIN, Some(&mut p));
    (e, p)
}
fn count(e: &Edges) -> usize {
    e.0.load(Ordering::Relaxed)
}

#[test]
fn tcp_arrival_after_a_read_in_its_own_poll_is_an_edge() {
    let (a, b) = pair();
    let l = tcp(&b, AF_INET);
    l.bind(&v4([0; 4], 1935)).unwrap();
    l.listen(4, C).unwrap();
    let c = tcp(&a, AF_INET);
    c.setsockopt(opt::SOL_TCP, opt::TCP_NODELAY, &1i32.to_ne_bytes())
        .unwrap();
    let _ = c.connect(&v4([10, 0, 2, 2], 1935), C);
    pump(&[&a, &b]);
    let (srv, _) = l.accept().unwrap();
    let (e, _p) = edges(&srv);
    send_all(&c, &[1; 1000]);
    pump(&[&a, &b]);
    let first = count(&e);
    assert!(first >= 1);
    // the next segment is on the wire (a transmitted it) but b has not taken
    // it in: the read's own poll does, after the read lowered the queue
    send_all(&c, &[2; 500]);
    a.poll();
    let mut buf = [0u8; 1000];
    assert_eq!(srv.recv(&mut buf, 0).map(|r| r.len), Ok(1000));
    assert_eq!(srv.poll(POLLIN, None) & POLLIN, POLLIN);
    assert!(
        count(&e) > first,
        "500 bytes arrived after the read but no edge was given"
    );
}

#[test]
fn udp_arrival_after_a_recv_without_a_poll_is_an_edge() {
    let (a, b) = pair();
    let r = udp(&b, AF_INET);
    r.bind(&v4([0; 4], 5004)).unwrap();
    let t = udp(&a, AF_INET);
    let to = v4([10, 0, 2, 2], 5004);
    let (e, _p) = edges(&r);
    t.send(&[1; 1316], Some(&to), vec![], 0, C).unwrap();
    pump(&[&a, &b]);
    let first = count(&e);
    assert!(first >= 1);
    // a datagram recv runs no poll: the next one is taken in by the stack's
    // own poll, with the queue back at the level it had at the last report
    t.send(&[2; 1316], Some(&to), vec![], 0, C).unwrap();
    a.poll();
    let mut buf = [0u8; 2000];
    assert_eq!(r.recv(&mut buf, 0).map(|x| x.len), Ok(1316));
    b.poll();
    assert_eq!(r.poll(POLLIN, None) & POLLIN, POLLIN);
    assert!(
        count(&e) > first,
        "a datagram arrived but no edge was given"
    );
}

type Datagram = (Vec<u8>, Option<SockAddr>, Vec<(i32, i32, Vec<u8>)>);

/// A datagram as the receiver sees it: payload, source, control messages.
fn lo_datagram(r: &Arc<dyn Socket>) -> Datagram {
    let mut b = [0u8; 2000];
    let x = r.recv(&mut b, 0).unwrap();
    let cmsgs = x
        .cmsgs
        .iter()
        .map(|c| match c {
            Cmsg::Other { level, ty, data } => (*level, *ty, data.clone()),
            _ => (0, 0, vec![]),
        })
        .collect();
    (b[..x.len].to_vec(), x.addr, cmsgs)
}

fn lo_stats(s: &Arc<Stack>) -> (u64, u64, u64, u64) {
    let l = s.links().into_iter().find(|l| l.index == 1).unwrap();
    (
        l.stats.tx_packets,
        l.stats.tx_bytes,
        l.stats.rx_packets,
        l.stats.rx_bytes,
    )
}

#[test]
fn udp_loopback_direct_delivery_matches_the_stack_path() {
    let s = stack();
    let on = 1i32.to_ne_bytes();
    let r = udp(&s, AF_INET);
    r.setsockopt(opt::SOL_SOCKET, opt::SO_REUSEADDR, &on)
        .unwrap();
    r.bind(&v4([127, 0, 0, 1], 7000)).unwrap();
    for o in [opt::IP_PKTINFO, super::sock::IP_RECVTTL, opt::IP_RECVTOS] {
        r.setsockopt(opt::SOL_IP, o, &on).unwrap();
    }
    let t = udp(&s, AF_INET);
    t.setsockopt(opt::SOL_IP, opt::IP_TTL, &7i32.to_ne_bytes())
        .unwrap();
    t.setsockopt(opt::SOL_IP, opt::IP_TOS, &0x20i32.to_ne_bytes())
        .unwrap();
    let to = v4([127, 0, 0, 1], 7000);
    let (er, _pr) = edges(&r);
    let before = lo_stats(&s);
    // alone on its port, r gets each datagram in the sender's call: an edge per
    // datagram, no poll
    for i in 1..=3u8 {
        assert_eq!(t.send(&[i; 100], Some(&to), vec![], 0, C), Ok(100));
        assert_eq!(count(&er), i as usize, "datagram {i}: no edge");
    }
    let after = lo_stats(&s);
    assert_eq!(
        (
            after.0 - before.0,
            after.1 - before.1,
            after.2 - before.2,
            after.3 - before.3
        ),
        (3, 3 * 128, 3, 3 * 128)
    );
    let direct: Vec<_> = (0..3).map(|_| lo_datagram(&r)).collect();
    assert_eq!(direct[2].0, vec![3u8; 100]);
    // a second socket on the port (SO_REUSEADDR, bound to the wildcard) sends the
    // datagrams through smoltcp and udp_steer; r, bound to the address, still gets
    // them, and sees them alike
    let w = udp(&s, AF_INET);
    w.setsockopt(opt::SOL_SOCKET, opt::SO_REUSEADDR, &on)
        .unwrap();
    w.bind(&v4([0; 4], 7000)).unwrap();
    for i in 1..=3u8 {
        t.send(&[i; 100], Some(&to), vec![], 0, C).unwrap();
    }
    pump(&[&s]);
    let stacked: Vec<_> = (0..3).map(|_| lo_datagram(&r)).collect();
    assert_eq!(direct, stacked);
    assert_eq!(
        lo_stats(&s).0 - after.0,
        3,
        "the stack's path counts the packet once each way"
    );
    assert_eq!(lo_stats(&s).1 - after.1, 3 * 128);
    let mut b = [0u8; 8];
    assert_eq!(w.recv(&mut b, 0).err(), Some(Errno::EAGAIN));
    // TTL 7 and TOS 0x20 as IP_TTL/IP_TOS messages, after IP_PKTINFO
    let ints = &direct[0].2;
    assert_eq!(ints.len(), 3);
    assert_eq!((ints[0].0, ints[0].1), (opt::SOL_IP, opt::IP_PKTINFO));
    assert_eq!(
        (ints[1].1, ints[1].2.clone()),
        (opt::IP_TTL, 7i32.to_ne_bytes().to_vec())
    );
    assert_eq!((ints[2].1, ints[2].2.clone()), (opt::IP_TOS, vec![0x20]));
}

#[test]
fn udp_loopback_direct_delivery_without_a_receiver_is_refused_as_before() {
    let s = stack();
    let t = udp(&s, AF_INET);
    t.connect(&v4([127, 0, 0, 1], 7001), C).unwrap();
    assert_eq!(t.send(b"x", None, vec![], 0, C), Ok(1));
    assert_eq!(t.send(b"x", None, vec![], 0, C), Err(Errno::ECONNREFUSED));
}

/// Unread bytes across every TCP socket, as /proc/net and FIONREAD count them.
fn tcp_unread(s: &Arc<Stack>) -> usize {
    s.sockets()
        .iter()
        .filter(|i| i.protocol == 6)
        .map(|i| i.rx_queue as usize)
        .sum()
}

/// A full receive buffer read 100 bytes at a time: the first read moves a large
/// chunk out of smoltcp (`Staged`), and those bytes still count as unread, come
/// first and in order, and make the socket readable until taken.
#[test]
fn tcp_full_buffer_small_reads_keep_staged_bytes_in_place() {
    let s = stack();
    let (c, _a) = lo_pair(&s);
    let data: Vec<u8> = (0..4u32 << 20).map(|i| (i % 251) as u8).collect();
    // fill the receiver until nothing more moves (the sender's buffer full too)
    let mut sent = 0;
    for _ in 0..1000 {
        match c.send(&data[sent..], None, vec![], 0, C) {
            Ok(k) => sent += k,
            Err(Errno::EAGAIN) => {}
            Err(e) => panic!("send: {e:?}"),
        }
        pump(&[&s]);
        if c.poll(!0, None) & POLLOUT == 0 {
            break;
        }
    }
    let full = tcp_unread(&s);
    assert!(full >= 128 * 1024, "receiver holds only {full}");
    // a second pair gets just what fits, so no byte can come in while it is read
    // and the unread count must fall by exactly what each read takes
    let s2 = stack();
    let (c, a) = lo_pair(&s2);
    let s = s2;
    let mut sent = 0;
    while sent < full {
        if let Ok(k) = c.send(&data[sent..full], None, vec![], 0, C) {
            sent += k;
        }
        pump(&[&s]);
    }
    pump(&[&s]);
    assert_eq!(tcp_unread(&s), full);
    let mut got = 0;
    let mut buf = [0u8; 100];
    for k in 0..50 {
        let before = tcp_unread(&s);
        let r = a.recv(&mut buf, 0).unwrap();
        assert_eq!(r.len, 100);
        assert_eq!(&buf[..], &data[got..got + 100], "read {k}");
        got += 100;
        assert_eq!(tcp_unread(&s), before - 100, "read {k}");
        assert_ne!(a.poll(!0, None) & POLLIN, 0);
    }
    // a peek across what is staged and what smoltcp holds, then the rest in order
    let mut big = vec![0u8; 200 * 1024];
    let p = a.recv(&mut big, super::c::MSG_PEEK).unwrap().len;
    assert!(p > 64 * 1024, "peek {p}");
    assert_eq!(&big[..p], &data[got..got + p]);
    while got < sent {
        pump(&[&s]);
        match a.recv(&mut big, 0) {
            Ok(r) => {
                assert_eq!(&big[..r.len], &data[got..got + r.len]);
                got += r.len;
            }
            Err(Errno::EAGAIN) => {}
            Err(e) => panic!("recv: {e:?}"),
        }
    }
    assert_eq!(tcp_unread(&s), 0);
}

static LEAVES: AtomicI64 = AtomicI64::new(0);
static ENTERS: AtomicI64 = AtomicI64::new(0);
fn count_leave() -> bool {
    LEAVES.fetch_add(1, Ordering::SeqCst);
    true
}
fn count_enter(left: bool) {
    assert!(left);
    ENTERS.fetch_add(1, Ordering::SeqCst);
}

/// A call that finds the stack's lock held lets go of the kernel's lock while it
/// waits, then runs and polls in one hold: the connect's handshake is done when it
/// returns, and the kernel's lock is taken back once.
#[test]
fn contended_call_leaves_the_kernel_lock_and_still_polls() {
    extern crate std;
    let s = stack();
    s.set_outside(Outside {
        leave: count_leave,
        enter: count_enter,
    });
    let l = tcp(&s, AF_INET);
    l.bind(&v4([127, 0, 0, 1], 0)).unwrap();
    l.listen(8, C).unwrap();
    let port = port_of(&l.local_addr().unwrap());
    let c = tcp(&s, AF_INET);
    let (l0, e0) = (LEAVES.load(Ordering::SeqCst), ENTERS.load(Ordering::SeqCst));
    let held = Arc::new(core::sync::atomic::AtomicBool::new(false));
    let holder = {
        let (s, held) = (s.clone(), held.clone());
        std::thread::spawn(move || {
            let g = s.inner.lock();
            held.store(true, Ordering::SeqCst);
            // until the caller has let go of the kernel's lock (bounded)
            let t0 = std::time::Instant::now();
            while LEAVES.load(Ordering::SeqCst) == l0 && t0.elapsed().as_secs() < 10 {
                std::thread::yield_now();
            }
            drop(g);
        })
    };
    while !held.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    assert_eq!(
        c.connect(&v4([127, 0, 0, 1], port), C),
        Err(Errno::EINPROGRESS)
    );
    holder.join().unwrap();
    assert_eq!(LEAVES.load(Ordering::SeqCst), l0 + 1, "left once");
    assert_eq!(ENTERS.load(Ordering::SeqCst), e0 + 1, "came back once");
    // the handshake ran in the connect's own poll: no poll needed here
    let (a, _) = l.accept().unwrap();
    assert_eq!(c.connect(&v4([127, 0, 0, 1], port), C), Ok(()));
    // uncontended calls do not let go around the call (only around their poll)
    send_all(&c, b"hi");
    assert_eq!(recv_str(&a), b"hi");
}

/// SYNs that reach a listener in one poll each find a listening socket: the poll
/// puts a new one in after every SYN (`Dev::saw_syn`), not only at its end.
#[test]
fn tcp_syns_in_one_poll_each_find_a_listening_socket() {
    let (a, b) = pair();
    let l = tcp(&b, AF_INET);
    l.bind(&v4([0; 4], 8554)).unwrap();
    l.listen(8, C).unwrap();
    // a first connection fills a's neighbour cache, so the SYNs below leave at once
    let _c0 = connecting(&a, &v4([10, 0, 2, 2], 8554));
    pump(&[&a, &b]);
    assert!(l.accept().is_ok());
    // each connect's own poll sends its SYN; b has not polled since
    let cs: Vec<_> = (0..3)
        .map(|_| connecting(&a, &v4([10, 0, 2, 2], 8554)))
        .collect();
    b.poll();
    pump(&[&a, &b]);
    for (i, c) in cs.iter().enumerate() {
        assert_eq!(c.take_error(), None, "connection {i}");
    }
    for i in 0..3 {
        assert!(l.accept().is_ok(), "accept {i}");
    }
}

/// A UDP socket alone on its port takes datagrams over lo while what it holds is at
/// most its SO_RCVBUF (the doubled value), as Linux's queue does, not a fixed size.
#[test]
fn udp_lo_queue_follows_so_rcvbuf() {
    let s = stack();
    let fill = |rcvbuf: Option<i32>, n: usize| {
        let r = udp(&s, AF_INET);
        if let Some(v) = rcvbuf {
            r.setsockopt(opt::SOL_SOCKET, opt::SO_RCVBUFFORCE, &v.to_ne_bytes())
                .unwrap();
        }
        r.bind(&v4([127, 0, 0, 1], 0)).unwrap();
        let to = v4([127, 0, 0, 1], port_of(&r.local_addr().unwrap()));
        let t = udp(&s, AF_INET);
        for _ in 0..n {
            assert_eq!(t.send(&[7; 1316], Some(&to), vec![], 0, C), Ok(1316));
        }
        let mut b = [0u8; 2048];
        let mut got = 0;
        while r.recv(&mut b, 0).is_ok() {
            got += 1;
        }
        got
    };
    // 1 MiB asked (2 MiB held): all 1000 (1.3 MB) are kept
    assert_eq!(fill(Some(1 << 20), 1000), 1000);
    // 8192 held: 7 fill 9212 bytes, the 8th finds more than 8192 queued
    assert_eq!(fill(Some(4096), 20), 7);
    // the default, 212992: 162 datagrams (213192 bytes)
    assert_eq!(fill(None, 300), 162);
}
