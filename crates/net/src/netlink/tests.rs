use super::fake::FakeConfig;
use super::msg::*;
use super::*;
use crate::config::iff;
use alloc::vec;

fn sock(pid: u32) -> (Arc<NetlinkSocket>, Arc<FakeConfig>) {
    let cfg = Arc::new(FakeConfig::new());
    let c2 = cfg.clone();
    let f: ConfigFn = Arc::new(move || Some(c2.clone() as Arc<dyn NetConfig>));
    (create(SOCK_RAW, NETLINK_ROUTE, pid, f).unwrap(), cfg)
}

fn req(ty: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    MsgBuilder::new(ty, flags, seq, 0).raw(payload).finish()
}

fn root() -> Cred {
    Cred {
        pid: 1,
        uid: 0,
        gid: 0,
    }
}

fn send(s: &NetlinkSocket, b: &[u8]) -> KResult<usize> {
    s.send(b, None, Vec::new(), 0, root())
}

/// Every queued datagram.
fn drain(s: &NetlinkSocket) -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    let mut buf = vec![0u8; 65536];
    while let Ok(r) = s.recv(&mut buf, 0) {
        v.push(buf[..r.len].to_vec());
    }
    v
}

/// The messages of some datagrams.
fn msgs(d: &[Vec<u8>]) -> Vec<(NlHdr, Vec<u8>)> {
    d.iter()
        .flat_map(|b| {
            split(b)
                .into_iter()
                .map(|m| (m.hdr, m.payload.to_vec()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn errno_of(payload: &[u8]) -> i32 {
    i32::from_ne_bytes(payload[..4].try_into().unwrap())
}

#[test]
fn create_errnos() {
    let f: ConfigFn = Arc::new(|| None);
    assert!(create(SOCK_DGRAM, 0, 1, f.clone()).is_ok());
    assert_eq!(
        create(1, 0, 1, f.clone()).err(),
        Some(Errno::ESOCKTNOSUPPORT)
    );
    for p in [
        NETLINK_GENERIC,
        NETLINK_KOBJECT_UEVENT,
        NETLINK_AUDIT,
        31,
        40,
        -1,
    ] {
        assert_eq!(
            create(SOCK_RAW, p, 1, f.clone()).err(),
            Some(Errno::EPROTONOSUPPORT)
        );
    }
}

#[test]
fn autobind_uses_pid_then_negative_ids() {
    let (a, _) = sock(51001);
    let (b, _) = sock(51001);
    assert_eq!(
        a.local_addr().unwrap(),
        SockAddr::Netlink { pid: 0, groups: 0 }
    );
    a.bind(&SockAddr::Netlink { pid: 0, groups: 0 }).unwrap();
    assert_eq!(
        a.local_addr().unwrap(),
        SockAddr::Netlink {
            pid: 51001,
            groups: 0
        }
    );
    // the second socket of the process: a negative id, assigned on send
    send(
        &b,
        &req(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, &[0; 16]),
    )
    .unwrap();
    let SockAddr::Netlink { pid, .. } = b.local_addr().unwrap() else {
        panic!()
    };
    assert!((pid as i32) < 0, "{pid:#x}");
    // an explicit id in use
    let (c, _) = sock(51002);
    assert_eq!(
        c.bind(&SockAddr::Netlink {
            pid: 51001,
            groups: 0
        }),
        Err(Errno::EADDRINUSE)
    );
    c.bind(&SockAddr::Netlink {
        pid: 51003,
        groups: 0x11,
    })
    .unwrap();
    assert_eq!(
        c.local_addr().unwrap(),
        SockAddr::Netlink {
            pid: 51003,
            groups: 0x11
        }
    );
    assert_eq!(
        c.bind(&SockAddr::Netlink {
            pid: 51004,
            groups: 0
        }),
        Err(Errno::EINVAL)
    );
    // closing frees the id
    a.close();
    let (d, _) = sock(51001);
    d.bind(&SockAddr::Netlink { pid: 0, groups: 0 }).unwrap();
    assert_eq!(
        d.local_addr().unwrap(),
        SockAddr::Netlink {
            pid: 51001,
            groups: 0
        }
    );
}

#[test]
fn getlink_dump_then_done() {
    let (s, _) = sock(52001);
    s.bind(&SockAddr::Netlink { pid: 0, groups: 0 }).unwrap();
    assert_eq!(s.poll(POLLIN, None) & POLLIN, 0);
    // busybox sends a bare rtgenmsg (4 bytes)
    send(
        &s,
        &req(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 77, &[0; 4]),
    )
    .unwrap();
    assert_ne!(s.poll(POLLIN, None) & POLLIN, 0);
    let d = drain(&s);
    assert_eq!(d.len(), 2, "links, then DONE alone");
    let m = msgs(&d);
    assert_eq!(m.len(), 3);
    for (h, _) in &m {
        assert_eq!((h.seq, h.pid, h.flags), (77, 52001, NLM_F_MULTI));
    }
    assert_eq!(m[2].0.ty, NLMSG_DONE);
    assert_eq!(m[2].1, vec![0; 4]);
    let (h, p) = &m[0];
    assert_eq!(h.ty, RTM_NEWLINK);
    let info = IfInfo::parse(p);
    assert_eq!(info.index, 1);
    assert_eq!(
        info.flags,
        iff::UP | iff::LOOPBACK | iff::RUNNING | iff::LOWER_UP
    );
    assert_eq!(u16::from_ne_bytes([p[2], p[3]]), 772);
    let a = attrs(&p[IFINFOMSG_LEN..]);
    assert_eq!(a[0], (IFLA_IFNAME, &b"lo\0"[..]));
    assert_eq!(attr_u32(find_attr(&a, IFLA_MTU).unwrap()), Some(65536));
    assert_eq!(find_attr(&a, IFLA_OPERSTATE), Some(&[IF_OPER_UNKNOWN][..]));
    assert_eq!(find_attr(&a, IFLA_STATS64).unwrap().len(), 200);
    assert_eq!(find_attr(&a, IFLA_STATS).unwrap().len(), 96);
    assert_eq!(
        &find_attr(&a, IFLA_STATS).unwrap()[8..12],
        &300u32.to_ne_bytes()
    );
    // eth0 is down: no RUNNING/LOWER_UP, operstate DOWN
    let info = IfInfo::parse(&m[1].1);
    assert_eq!(info.flags, iff::BROADCAST | iff::MULTICAST);
    let a = attrs(&m[1].1[IFINFOMSG_LEN..]);
    assert_eq!(find_attr(&a, IFLA_OPERSTATE), Some(&[IF_OPER_DOWN][..]));
    assert_eq!(
        find_attr(&a, IFLA_ADDRESS),
        Some(&[0x52, 0x54, 0, 0x12, 0x34, 0x56][..])
    );
    assert_eq!(s.poll(POLLIN, None) & POLLIN, 0);
    assert_eq!(s.recv(&mut [0; 16], 0).err(), Some(Errno::EAGAIN));
}

#[test]
fn peek_trunc_gives_the_full_length() {
    let (s, _) = sock(52002);
    send(
        &s,
        &req(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 3, &[0; 8]),
    )
    .unwrap();
    let mut small = [0u8; 16];
    let r = s.recv(&mut small, MSG_PEEK | MSG_TRUNC).unwrap();
    assert_eq!(r.len, 16);
    assert!(r.full_len > 16);
    assert_eq!(r.flags & MSG_TRUNC, MSG_TRUNC);
    assert_eq!(r.addr, Some(SockAddr::Netlink { pid: 0, groups: 0 }));
    let mut big = vec![0u8; r.full_len];
    let r2 = s.recv(&mut big, 0).unwrap();
    assert_eq!((r2.len, r2.flags), (r.full_len, 0));
    let m = msgs(&[big]);
    // 127.0.0.1 then ::1
    assert_eq!(m.len(), 2);
    let a4 = IfAddrMsg::parse(&m[0].1);
    assert_eq!(
        (a4.family, a4.prefixlen, a4.scope, a4.index),
        (2, 8, RT_SCOPE_HOST, 1)
    );
    let at = attrs(&m[0].1[IFADDRMSG_LEN..]);
    let types: Vec<u16> = at.iter().map(|x| x.0).collect();
    assert_eq!(
        types,
        vec![IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_FLAGS, IFA_CACHEINFO]
    );
    assert_eq!(find_attr(&at, IFA_LOCAL), Some(&[127, 0, 0, 1][..]));
    let a6 = IfAddrMsg::parse(&m[1].1);
    assert_eq!((a6.family, a6.prefixlen), (10, 128));
    // then the DONE
    let d = drain(&s);
    assert_eq!(msgs(&d)[0].0.ty, NLMSG_DONE);
    // a family filter
    send(
        &s,
        &req(
            RTM_GETADDR,
            NLM_F_REQUEST | NLM_F_DUMP,
            4,
            &[10, 0, 0, 0, 0, 0, 0, 0],
        ),
    )
    .unwrap();
    let m = msgs(&drain(&s));
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].1[0], 10);
}

fn addr_req(ty: u16, flags: u16, fam: u8, plen: u8, idx: u32, a: &[u8]) -> Vec<u8> {
    let h = IfAddrMsg {
        family: fam,
        prefixlen: plen,
        flags: 0,
        scope: 0,
        index: idx,
    };
    MsgBuilder::new(ty, flags, 9, 0)
        .raw(&h.bytes())
        .attr(IFA_LOCAL, a)
        .attr(IFA_ADDRESS, a)
        .finish()
}

const NEW: u16 = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;

#[test]
fn addr_add_del_acks_and_errnos() {
    let (s, cfg) = sock(52003);
    let add = addr_req(RTM_NEWADDR, NEW, 2, 24, 2, &[10, 0, 2, 15]);
    send(&s, &add).unwrap();
    let m = msgs(&drain(&s));
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].0.ty, m[0].0.flags, m[0].0.seq),
        (NLMSG_ERROR, NLM_F_CAPPED, 9)
    );
    assert_eq!(errno_of(&m[0].1), 0);
    assert_eq!(m[0].1.len(), 4 + 16);
    assert!(cfg
        .addrs()
        .iter()
        .any(|a| a.addr == [10, 0, 2, 15] && a.prefix_len == 24));
    // twice: EEXIST with the whole request echoed
    send(&s, &add).unwrap();
    let m = msgs(&drain(&s));
    assert_eq!(errno_of(&m[0].1), -17);
    assert_eq!(m[0].0.flags, 0);
    assert_eq!(&m[0].1[4..], &add[..]);
    // with NETLINK_CAP_ACK the error is capped
    s.setsockopt(opt::SOL_NETLINK, NETLINK_CAP_ACK, &1i32.to_ne_bytes())
        .unwrap();
    send(&s, &add).unwrap();
    let m = msgs(&drain(&s));
    assert_eq!((m[0].0.flags, m[0].1.len()), (NLM_F_CAPPED, 20));
    // no such device, no such address, bad prefix, no address at all
    for (b, e) in [
        (addr_req(RTM_NEWADDR, NEW, 2, 24, 9, &[10, 0, 3, 1]), -19),
        (addr_req(RTM_DELADDR, NEW, 2, 24, 2, &[10, 0, 3, 1]), -99),
        (addr_req(RTM_DELADDR, NEW, 2, 24, 9, &[10, 0, 3, 1]), -19),
        (addr_req(RTM_NEWADDR, NEW, 2, 33, 2, &[10, 0, 3, 1]), -22),
        (req(RTM_NEWADDR, NEW, 9, &[2, 24, 0, 0, 2, 0, 0, 0]), -22),
        (addr_req(RTM_NEWADDR, NEW, 7, 24, 2, &[10, 0, 3, 1]), -95),
    ] {
        send(&s, &b).unwrap();
        let m = msgs(&drain(&s));
        assert_eq!(errno_of(&m[0].1), e, "{b:?}");
    }
    // IPv6 add, then delete; delete again: EADDRNOTAVAIL
    let v6 = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x15];
    for (ty, e) in [
        (RTM_NEWADDR, 0),
        (RTM_NEWADDR, -17),
        (RTM_DELADDR, 0),
        (RTM_DELADDR, -99),
    ] {
        send(&s, &addr_req(ty, NEW, 10, 64, 2, &v6)).unwrap();
        assert_eq!(errno_of(&msgs(&drain(&s))[0].1), e);
    }
    send(&s, &addr_req(RTM_DELADDR, NEW, 2, 24, 2, &[10, 0, 2, 15])).unwrap();
    assert_eq!(errno_of(&msgs(&drain(&s))[0].1), 0);
    assert!(!cfg.addrs().iter().any(|a| a.addr == [10, 0, 2, 15]));
    // only an administrator changes things
    s.send(
        &add,
        None,
        Vec::new(),
        0,
        Cred {
            pid: 5,
            uid: 1000,
            gid: 1000,
        },
    )
    .unwrap();
    assert_eq!(errno_of(&msgs(&drain(&s))[0].1), -1);
}

fn route_req(
    ty: u16,
    flags: u16,
    dst: Option<([u8; 4], u8)>,
    gw: Option<[u8; 4]>,
    oif: Option<u32>,
) -> Vec<u8> {
    let h = RtMsg {
        family: 2,
        dst_len: dst.map_or(0, |d| d.1),
        table: RT_TABLE_MAIN,
        protocol: RTPROT_BOOT,
        ty: RTN_UNICAST,
        ..Default::default()
    };
    let mut m = MsgBuilder::new(ty, flags, 11, 0);
    m.raw(&h.bytes());
    if let Some((d, _)) = dst {
        m.attr(RTA_DST, &d);
    }
    if let Some(g) = gw {
        m.attr(RTA_GATEWAY, &g);
    }
    if let Some(o) = oif {
        m.u32(RTA_OIF, o);
    }
    m.finish()
}

#[test]
fn routes_add_dump_delete() {
    let (s, cfg) = sock(52004);
    let def = route_req(RTM_NEWROUTE, NEW, None, Some([10, 0, 2, 2]), None);
    send(&s, &def).unwrap();
    assert_eq!(
        errno_of(&msgs(&drain(&s))[0].1),
        -101,
        "no address on 10.0.2.0/24 yet"
    );
    send(&s, &addr_req(RTM_NEWADDR, NEW, 2, 24, 2, &[10, 0, 2, 15])).unwrap();
    drain(&s);
    send(&s, &def).unwrap();
    assert_eq!(errno_of(&msgs(&drain(&s))[0].1), 0);
    send(&s, &def).unwrap();
    assert_eq!(errno_of(&msgs(&drain(&s))[0].1), -17);
    let r = cfg.routes();
    assert!(r
        .iter()
        .any(|r| r.gateway == Some(vec![10, 0, 2, 2]) && r.ifindex == 2 && r.dst_len == 0));
    // host bits past the prefix, unknown device, a table Rill lacks
    for (b, e) in [
        (
            route_req(RTM_NEWROUTE, NEW, Some(([10, 1, 0, 1], 16)), None, Some(2)),
            -22,
        ),
        (
            route_req(RTM_NEWROUTE, NEW, Some(([10, 1, 0, 0], 16)), None, Some(9)),
            -19,
        ),
        (
            route_req(RTM_NEWROUTE, NEW, Some(([10, 1, 0, 0], 16)), None, None),
            -19,
        ),
        (
            route_req(RTM_DELROUTE, NEW, Some(([10, 9, 0, 0], 16)), None, None),
            -3,
        ),
    ] {
        send(&s, &b).unwrap();
        assert_eq!(errno_of(&msgs(&drain(&s))[0].1), e);
    }
    // the dump: main (default first, then the subnet), then the local table
    send(
        &s,
        &req(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 12, &[2, 0, 0, 0]),
    )
    .unwrap();
    let m = msgs(&drain(&s));
    let rt: Vec<RtMsg> = m
        .iter()
        .filter(|x| x.0.ty == RTM_NEWROUTE)
        .map(|x| RtMsg::parse(&x.1))
        .collect();
    assert_eq!(rt[0].dst_len, 0);
    assert_eq!(rt[0].table, RT_TABLE_MAIN);
    assert_eq!(
        (rt[1].dst_len, rt[1].scope, rt[1].protocol),
        (24, RT_SCOPE_LINK, RTPROT_KERNEL)
    );
    let a = attrs(&m[0].1[RTMSG_LEN..]);
    let types: Vec<u16> = a.iter().map(|x| x.0).collect();
    assert_eq!(types, vec![RTA_TABLE, RTA_GATEWAY, RTA_OIF]);
    let a = attrs(&m[1].1[RTMSG_LEN..]);
    let types: Vec<u16> = a.iter().map(|x| x.0).collect();
    assert_eq!(types, vec![RTA_TABLE, RTA_DST, RTA_PREFSRC, RTA_OIF]);
    assert!(rt
        .iter()
        .any(|r| r.table == RT_TABLE_LOCAL && r.ty == RTN_LOCAL && r.dst_len == 32));
    assert!(rt
        .iter()
        .any(|r| r.table == RT_TABLE_LOCAL && r.ty == RTN_BROADCAST));
    assert_eq!(m.last().unwrap().0.ty, NLMSG_DONE);
    // ip route get 8.8.8.8
    let mut g = MsgBuilder::new(RTM_GETROUTE, NLM_F_REQUEST, 13, 0);
    g.raw(
        &RtMsg {
            family: 2,
            dst_len: 32,
            ..Default::default()
        }
        .bytes(),
    )
    .attr(RTA_DST, &[8, 8, 8, 8]);
    send(&s, &g.finish()).unwrap();
    let m = msgs(&drain(&s));
    assert_eq!(m.len(), 1);
    let a = attrs(&m[0].1[RTMSG_LEN..]);
    assert_eq!(find_attr(&a, RTA_GATEWAY), Some(&[10, 0, 2, 2][..]));
    assert_eq!(find_attr(&a, RTA_PREFSRC), Some(&[10, 0, 2, 15][..]));
    // delete the default route; again: ESRCH
    for e in [0, -3] {
        send(
            &s,
            &route_req(RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, None, None, None),
        )
        .unwrap();
        assert_eq!(errno_of(&msgs(&drain(&s))[0].1), e);
    }
}

#[test]
fn links_single_get_and_set() {
    let (s, cfg) = sock(52005);
    let by_name = |name: &[u8]| {
        MsgBuilder::new(RTM_GETLINK, NLM_F_REQUEST, 5, 0)
            .raw(&ifinfomsg(0, 0, 0, 0, 0))
            .str(IFLA_IFNAME, name)
            .finish()
    };
    send(&s, &by_name(b"eth0")).unwrap();
    let m = msgs(&drain(&s));
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].0.ty, m[0].0.flags), (RTM_NEWLINK, 0));
    assert_eq!(IfInfo::parse(&m[0].1).index, 2);
    send(&s, &by_name(b"nope0")).unwrap();
    assert_eq!(errno_of(&msgs(&drain(&s))[0].1), -19);
    send(
        &s,
        &req(RTM_GETLINK, NLM_F_REQUEST, 5, &ifinfomsg(0, 0, 0, 0, 0)),
    )
    .unwrap();
    assert_eq!(errno_of(&msgs(&drain(&s))[0].1), -22);
    // ip link set eth0 up mtu 9000 (iproute2's form)
    let up = MsgBuilder::new(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 6, 0)
        .raw(&ifinfomsg(0, 0, 2, iff::UP, iff::UP))
        .u32(IFLA_MTU, 9000)
        .finish();
    send(&s, &up).unwrap();
    assert_eq!(errno_of(&msgs(&drain(&s))[0].1), 0);
    let l = cfg.links().into_iter().find(|l| l.index == 2).unwrap();
    assert_eq!((l.flags & iff::UP, l.mtu), (iff::UP, 9000));
    // bad MTU, creating a link, deleting one, renaming
    let bad_mtu = MsgBuilder::new(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, 6, 0)
        .raw(&ifinfomsg(0, 0, 2, 0, 0))
        .u32(IFLA_MTU, 10)
        .finish();
    let create = MsgBuilder::new(RTM_NEWLINK, NEW, 6, 0)
        .raw(&ifinfomsg(0, 0, 0, 0, 0))
        .str(IFLA_IFNAME, b"dummy0")
        .finish();
    let rename = MsgBuilder::new(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, 6, 0)
        .raw(&ifinfomsg(0, 0, 2, 0, 0))
        .str(IFLA_IFNAME, b"wan0")
        .finish();
    for (b, e) in [
        (bad_mtu, -22),
        (create, -95),
        (
            req(
                RTM_DELLINK,
                NLM_F_REQUEST | NLM_F_ACK,
                6,
                &ifinfomsg(0, 0, 2, 0, 0),
            ),
            -95,
        ),
        (
            req(
                RTM_DELLINK,
                NLM_F_REQUEST | NLM_F_ACK,
                6,
                &ifinfomsg(0, 0, 7, 0, 0),
            ),
            -19,
        ),
        (rename, -95),
        (req(RTM_NEWLINK, NEW, 6, &ifinfomsg(0, 0, 2, 0, 0)), -17),
    ] {
        send(&s, &b).unwrap();
        assert_eq!(errno_of(&msgs(&drain(&s))[0].1), e);
    }
    // down again with ifi_change 0 and flags 0: nothing happens (no flags given)
    send(
        &s,
        &req(
            RTM_SETLINK,
            NLM_F_REQUEST | NLM_F_ACK,
            6,
            &ifinfomsg(0, 0, 2, 0, 0),
        ),
    )
    .unwrap();
    drain(&s);
    assert_ne!(cfg.links()[1].flags & iff::UP, 0);
    send(
        &s,
        &req(
            RTM_SETLINK,
            NLM_F_REQUEST | NLM_F_ACK,
            6,
            &ifinfomsg(0, 0, 2, 0, iff::UP),
        ),
    )
    .unwrap();
    drain(&s);
    assert_eq!(cfg.links()[1].flags & iff::UP, 0);
}

#[test]
fn unknown_and_control_messages() {
    let (s, _) = sock(52006);
    // two messages in one send: an unknown type and one beyond RTM_MAX
    let mut b = req(RTM_BASE + 60, NLM_F_REQUEST, 1, &[0; 4]);
    b.extend(req(200, NLM_F_REQUEST, 2, &[0; 4]));
    // not a request: ignored, acked only when asked
    b.extend(req(RTM_GETLINK, NLM_F_ACK, 3, &[0; 4]));
    b.extend(req(NLMSG_NOOP, NLM_F_REQUEST, 4, &[]));
    assert_eq!(send(&s, &b), Ok(b.len()));
    let m = msgs(&drain(&s));
    assert_eq!(m.len(), 3);
    assert_eq!((m[0].0.seq, errno_of(&m[0].1)), (1, -95));
    assert_eq!((m[1].0.seq, errno_of(&m[1].1)), (2, -95));
    assert_eq!((m[2].0.seq, errno_of(&m[2].1)), (3, 0));
    // a dump with NLM_F_ACK is not acked separately
    send(
        &s,
        &req(
            RTM_GETLINK,
            NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK,
            5,
            &[0; 16],
        ),
    )
    .unwrap();
    let m = msgs(&drain(&s));
    assert_eq!(m.iter().filter(|x| x.0.ty == NLMSG_ERROR).count(), 0);
    // to another user port: refused; another family's address: EINVAL
    let to = SockAddr::Netlink {
        pid: 4242,
        groups: 0,
    };
    assert_eq!(
        s.send(&b, Some(&to), Vec::new(), 0, root()),
        Err(Errno::ECONNREFUSED)
    );
    let inet = SockAddr::Inet {
        addr: [0; 4],
        port: 0,
    };
    assert_eq!(
        s.send(&b, Some(&inet), Vec::new(), 0, root()),
        Err(Errno::EINVAL)
    );
    assert_eq!(s.shutdown(0), Err(Errno::EOPNOTSUPP));
}

#[test]
fn options_as_linux() {
    let (s, _) = sock(52007);
    let int = |v: i32| v.to_ne_bytes();
    assert_eq!(
        s.getsockopt(opt::SOL_SOCKET, opt::SO_RCVBUF).unwrap(),
        int(212992).to_vec()
    );
    s.setsockopt(opt::SOL_SOCKET, opt::SO_RCVBUF, &int(32768))
        .unwrap();
    assert_eq!(
        s.getsockopt(opt::SOL_SOCKET, opt::SO_RCVBUF).unwrap(),
        int(65536).to_vec()
    );
    s.setsockopt(opt::SOL_SOCKET, opt::SO_SNDBUF, &int(1 << 30))
        .unwrap();
    assert_eq!(
        s.getsockopt(opt::SOL_SOCKET, opt::SO_SNDBUF).unwrap(),
        int(425984).to_vec()
    );
    s.setsockopt(opt::SOL_SOCKET, opt::SO_RCVBUF, &int(1))
        .unwrap();
    assert_eq!(
        s.getsockopt(opt::SOL_SOCKET, opt::SO_RCVBUF).unwrap(),
        int(2304).to_vec()
    );
    for o in [
        NETLINK_EXT_ACK,
        NETLINK_GET_STRICT_CHK,
        NETLINK_CAP_ACK,
        NETLINK_PKTINFO,
    ] {
        assert_eq!(s.getsockopt(opt::SOL_NETLINK, o).unwrap(), int(0).to_vec());
        s.setsockopt(opt::SOL_NETLINK, o, &int(1)).unwrap();
        assert_eq!(s.getsockopt(opt::SOL_NETLINK, o).unwrap(), int(1).to_vec());
    }
    assert_eq!(
        s.setsockopt(opt::SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &int(0)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        s.setsockopt(opt::SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &int(99)),
        Err(Errno::EINVAL)
    );
    // RTNLGRP_IPV4_IFADDR (5): joined, shown in getsockname, never delivers
    s.setsockopt(opt::SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &int(5))
        .unwrap();
    let SockAddr::Netlink { groups, .. } = s.local_addr().unwrap() else {
        panic!()
    };
    assert_eq!(groups, 0x10);
    assert_eq!(
        &s.getsockopt(opt::SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS)
            .unwrap()[..4],
        &0x10u32.to_ne_bytes()
    );
    assert_eq!(
        s.setsockopt(opt::SOL_NETLINK, 99, &int(1)),
        Err(Errno::ENOPROTOOPT)
    );
    assert_eq!(
        s.setsockopt(opt::SOL_IP, 1, &int(1)),
        Err(Errno::ENOPROTOOPT)
    );
    // NETLINK_PKTINFO: a cmsg with group 0 on every datagram
    send(
        &s,
        &req(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, &[0; 4]),
    )
    .unwrap();
    let r = s.recv(&mut [0u8; 8192], 0).unwrap();
    assert!(matches!(
        &r.cmsgs[..],
        [Cmsg::Other {
            level: 270,
            ty: 3,
            ..
        }]
    ));
    // strict checking: the address dump filters by ifa_index
    let (t, _) = sock(52008);
    t.setsockopt(opt::SOL_NETLINK, NETLINK_GET_STRICT_CHK, &int(1))
        .unwrap();
    send(
        &t,
        &req(
            RTM_GETADDR,
            NLM_F_REQUEST | NLM_F_DUMP,
            1,
            &[0, 0, 0, 0, 2, 0, 0, 0],
        ),
    )
    .unwrap();
    let m = msgs(&drain(&t));
    assert_eq!(m.len(), 1, "only DONE: eth0 has no address");
}

#[test]
fn no_config_yet() {
    let f: ConfigFn = Arc::new(|| None);
    let s = create(SOCK_RAW, 0, 52009, f).unwrap();
    send(
        &s,
        &req(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, &[0; 4]),
    )
    .unwrap();
    let m = msgs(&drain(&s));
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].0.ty, NLMSG_DONE);
    send(&s, &addr_req(RTM_NEWADDR, NEW, 2, 24, 2, &[10, 0, 2, 15])).unwrap();
    assert_eq!(errno_of(&msgs(&drain(&s))[0].1), -19);
}
