//! `AF_NETLINK` sockets. Only `NETLINK_ROUTE` exists (rtnetlink: [`route`]), as
//! `SOCK_RAW` or `SOCK_DGRAM`; the wire format is in [`msg`].
//!
//! * Port ids: binding with `nl_pid` 0 (or sending, or connecting, unbound)
//!   assigns one as Linux's `netlink_autobind`: the process's pid for its first
//!   socket, then negative numbers (counting down from -4096). `getsockname`
//!   shows it; an explicit port id already in use is EADDRINUSE.
//! * Requests go to the kernel (`nl_pid` 0). Every message of a `sendmsg` is
//!   answered in order: a dump's messages are packed into datagrams of at most
//!   [`DUMP_CHUNK`] bytes, then `NLMSG_DONE` comes alone; `NLM_F_ACK` or an error
//!   gives an `NLMSG_ERROR` (`NETLINK_CAP_ACK` leaves the request out of errors).
//!   Datagram boundaries are fixed when queued, so `MSG_PEEK|MSG_TRUNC` gives the
//!   length the next read will have (glibc sizes its buffer so).
//! * Multicast groups (`nl_groups`, `NETLINK_ADD_MEMBERSHIP`) are accepted and
//!   reported back but **never deliver anything**: Rill sends no notifications.
//!   Unicast to another user socket (`nl_pid` != 0) is ECONNREFUSED (not
//!   supported), as Linux gives for a port nobody has.
//! * No extended-ack attributes are ever added (`NETLINK_EXT_ACK` is accepted).

pub mod msg;
pub mod route;

#[cfg(test)]
pub mod fake;

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicU32, Ordering};
use rill_abi::{Errno, KResult};
use rill_vfs::file::poll::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use rill_vfs::{IoEvents, Pollee, Poller};
use spin::Mutex;

use crate::addr::SockAddr;
use crate::config::NetConfig;
use crate::socket::{int_val, opt, opt_int, Cmsg, Cred, RecvInfo, Socket, AF_NETLINK};
use msg::NlMsg;

const SOCK_RAW: i32 = crate::socket::SOCK_RAW as i32;
const SOCK_DGRAM: i32 = crate::socket::SOCK_DGRAM as i32;
const MSG_PEEK: i32 = crate::socket::MSG_PEEK as i32;
const MSG_TRUNC: i32 = crate::socket::MSG_TRUNC as i32;

/// Netlink protocols (`<linux/netlink.h>`).
pub const NETLINK_ROUTE: i32 = 0;
pub const NETLINK_AUDIT: i32 = 9;
pub const NETLINK_KOBJECT_UEVENT: i32 = 15;
pub const NETLINK_GENERIC: i32 = 16;
/// `MAX_LINKS`: protocols are 0..32.
pub const MAX_LINKS: i32 = 32;

/// `SOL_NETLINK` options.
pub const NETLINK_ADD_MEMBERSHIP: i32 = 1;
pub const NETLINK_DROP_MEMBERSHIP: i32 = 2;
pub const NETLINK_PKTINFO: i32 = 3;
pub const NETLINK_BROADCAST_ERROR: i32 = 4;
pub const NETLINK_NO_ENOBUFS: i32 = 5;
pub const NETLINK_LISTEN_ALL_NSID: i32 = 8;
pub const NETLINK_LIST_MEMBERSHIPS: i32 = 9;
pub const NETLINK_CAP_ACK: i32 = 10;
pub const NETLINK_EXT_ACK: i32 = 11;
pub const NETLINK_GET_STRICT_CHK: i32 = 12;

/// `RTNLGRP_MAX` of Linux 6.1: the groups a route socket may join.
pub const RTNLGRP_MAX: u32 = 36;
/// `NLMSG_GOODSIZE` (a page less `skb_shared_info`): a dump datagram's size.
pub const DUMP_CHUNK: usize = 3776;
/// `sysctl_rmem_default`/`wmem_default`, `rmem_max`/`wmem_max`.
pub const RMEM_DEFAULT: i32 = 212992;
pub const RMEM_MAX: i32 = 212992;
/// `SOCK_MIN_RCVBUF`, `SOCK_MIN_SNDBUF` on x86_64.
const MIN_RCVBUF: i32 = 2304;
const MIN_SNDBUF: i32 = 4608;

/// Where sockets find the configuration (`None` until the stack installs it).
pub type ConfigFn = Arc<dyn Fn() -> Option<Arc<dyn NetConfig>> + Send + Sync>;

/// Port ids in use, and the next one autobind tries after the pid.
static PORTS: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());
static ROVER: AtomicU32 = AtomicU32::new(-4096i32 as u32);
/// Every netlink socket, for `/proc/net/netlink`.
static SOCKETS: Mutex<Vec<Weak<NetlinkSocket>>> = Mutex::new(Vec::new());

/// One netlink socket as `/proc/net/netlink` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetlinkSockInfo {
    pub protocol: i32,
    pub portid: u32,
    pub groups: u32,
    pub rmem: usize,
}

/// The live netlink sockets.
pub fn sockets() -> Vec<NetlinkSockInfo> {
    let mut list = SOCKETS.lock();
    list.retain(|w| w.strong_count() > 0);
    let socks: Vec<Arc<NetlinkSocket>> = list.iter().filter_map(|w| w.upgrade()).collect();
    drop(list);
    socks
        .iter()
        .map(|s| {
            let st = s.st.lock();
            NetlinkSockInfo {
                protocol: s.protocol,
                portid: st.portid,
                groups: st.groups as u32,
                rmem: st.queued,
            }
        })
        .collect()
}

#[derive(Default)]
struct State {
    portid: u32,
    /// Joined groups: bit `g - 1` for group `g` (1..=RTNLGRP_MAX).
    groups: u64,
    dst_pid: u32,
    dst_groups: u32,
    queue: VecDeque<Vec<u8>>,
    queued: usize,
    /// A pending error (ENOBUFS after a reply was dropped), given by the next recv.
    err: Option<Errno>,
    rcvbuf: i32,
    sndbuf: i32,
    /// SOL_NETLINK boolean options, by option number.
    nl_flags: u32,
    /// Other SOL_SOCKET options set (SO_PASSCRED, SO_REUSEADDR, ...).
    sol: BTreeMap<i32, i32>,
}

impl State {
    fn nl(&self, o: i32) -> bool {
        self.nl_flags & (1 << o) != 0
    }
}

/// A `NETLINK_ROUTE` socket.
pub struct NetlinkSocket {
    ty: i32,
    protocol: i32,
    /// The creating process's pid: the port id its first autobind tries.
    owner_pid: u32,
    config: ConfigFn,
    st: Mutex<State>,
    pollee: Pollee,
}

/// `socket(AF_NETLINK, ty, protocol)` as Linux's `netlink_create`: a type other
/// than raw/datagram is ESOCKTNOSUPPORT, a protocol Rill has no family for
/// (everything but `NETLINK_ROUTE`: generic, uevent, audit, ...) EPROTONOSUPPORT
/// as on a Linux without that module.
pub fn create(ty: i32, protocol: i32, pid: u32, config: ConfigFn) -> KResult<Arc<NetlinkSocket>> {
    if ty != SOCK_RAW && ty != SOCK_DGRAM {
        return Err(Errno::ESOCKTNOSUPPORT);
    }
    if protocol != NETLINK_ROUTE {
        return Err(Errno::EPROTONOSUPPORT);
    }
    let s = Arc::new(NetlinkSocket {
        ty,
        protocol,
        owner_pid: pid,
        config,
        st: Mutex::new(State {
            rcvbuf: RMEM_DEFAULT,
            sndbuf: RMEM_DEFAULT,
            ..Default::default()
        }),
        pollee: Pollee::new(POLLOUT | POLLWRNORM),
    });
    let mut list = SOCKETS.lock();
    list.retain(|w| w.strong_count() > 0);
    list.push(Arc::downgrade(&s));
    Ok(s)
}

impl NetlinkSocket {
    fn autobind(&self, st: &mut State) {
        if st.portid != 0 {
            return;
        }
        let mut ports = PORTS.lock();
        let mut cand = self.owner_pid;
        while cand == 0 || ports.contains(&cand) {
            cand = ROVER.fetch_sub(1, Ordering::Relaxed);
        }
        ports.insert(cand);
        st.portid = cand;
    }

    fn release(&self) {
        let mut st = self.st.lock();
        if st.portid != 0 {
            PORTS.lock().remove(&st.portid);
            st.portid = 0;
        }
    }

    /// Answers every message of a request; returns the datagrams to queue and
    /// whether they are replies that may be dropped when the queue is full.
    fn process(&self, data: &[u8], st: &State, cred: Cred) -> Vec<(Vec<u8>, bool)> {
        let cfg = (self.config)();
        let ctx = route::Ctx {
            portid: st.portid,
            strict: st.nl(NETLINK_GET_STRICT_CHK),
            admin: cred.uid == 0,
        };
        let cap = st.nl(NETLINK_CAP_ACK);
        let mut out = Vec::new();
        for m in msg::split(data) {
            let mut err = 0;
            if m.hdr.flags & msg::NLM_F_REQUEST != 0 && m.hdr.ty >= msg::NLMSG_MIN_TYPE {
                match route::handle(cfg.as_deref(), &m, &ctx) {
                    Ok(route::Answer::Dump(msgs)) => {
                        pack_dump(&mut out, msgs);
                        out.push((msg::done_msg(m.hdr.seq, st.portid), false));
                        // a started dump is never acked (its DONE is the answer)
                        continue;
                    }
                    Ok(route::Answer::Single(b)) => out.push((b, true)),
                    Ok(route::Answer::None) => {}
                    Err(e) => err = -e.0,
                }
            }
            if m.hdr.flags & msg::NLM_F_ACK != 0 || err != 0 {
                out.push((ack(&m, err, cap, st.portid), true));
            }
        }
        out
    }
}

fn ack(m: &NlMsg<'_>, err: i32, cap: bool, portid: u32) -> Vec<u8> {
    msg::error_msg(m, err, cap, portid)
}

/// Packs a dump's messages into datagrams of at most [`DUMP_CHUNK`] bytes (a
/// bigger message goes alone).
fn pack_dump(out: &mut Vec<(Vec<u8>, bool)>, msgs: Vec<Vec<u8>>) {
    let mut cur: Vec<u8> = Vec::new();
    for m in msgs {
        if !cur.is_empty() && cur.len() + m.len() > DUMP_CHUNK {
            out.push((core::mem::take(&mut cur), false));
        }
        cur.extend_from_slice(&m);
        while !cur.len().is_multiple_of(4) {
            cur.push(0);
        }
    }
    if !cur.is_empty() {
        out.push((cur, false));
    }
}

impl Socket for NetlinkSocket {
    fn domain(&self) -> i32 {
        AF_NETLINK as i32
    }
    fn sock_type(&self) -> i32 {
        self.ty
    }
    fn protocol(&self) -> i32 {
        self.protocol
    }

    fn bind(&self, addr: &SockAddr) -> KResult<()> {
        let SockAddr::Netlink { pid, groups } = *addr else {
            return Err(Errno::EINVAL);
        };
        let mut st = self.st.lock();
        if st.portid != 0 {
            if pid != st.portid {
                return Err(Errno::EINVAL);
            }
        } else if pid == 0 {
            self.autobind(&mut st);
        } else {
            let mut ports = PORTS.lock();
            if ports.contains(&pid) {
                return Err(Errno::EADDRINUSE);
            }
            ports.insert(pid);
            st.portid = pid;
        }
        st.groups = (st.groups & !0xffff_ffff) | groups as u64;
        Ok(())
    }

    fn connect(&self, addr: &SockAddr, cred: Cred) -> KResult<()> {
        let mut st = self.st.lock();
        match *addr {
            SockAddr::Unspec => {
                st.dst_pid = 0;
                st.dst_groups = 0;
                Ok(())
            }
            SockAddr::Netlink { pid, groups } => {
                if (pid != 0 || groups != 0) && cred.uid != 0 {
                    return Err(Errno::EPERM);
                }
                self.autobind(&mut st);
                st.dst_pid = pid;
                // one group: the lowest set
                st.dst_groups = if groups == 0 {
                    0
                } else {
                    1 << groups.trailing_zeros()
                };
                Ok(())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    fn send(
        &self,
        data: &[u8],
        to: Option<&SockAddr>,
        _cmsgs: Vec<Cmsg>,
        _flags: i32,
        cred: Cred,
    ) -> KResult<usize> {
        let mut st = self.st.lock();
        let (pid, groups) = match to {
            Some(SockAddr::Netlink { pid, groups }) => (*pid, *groups),
            Some(_) => return Err(Errno::EINVAL),
            None => (st.dst_pid, st.dst_groups),
        };
        if (pid != 0 || groups != 0) && cred.uid != 0 {
            return Err(Errno::EPERM);
        }
        if data.len() as i64 > st.sndbuf as i64 - 32 {
            return Err(Errno::EMSGSIZE);
        }
        self.autobind(&mut st);
        if pid != 0 {
            return Err(Errno::ECONNREFUSED);
        }
        let out = self.process(data, &st, cred);
        let mut queued = false;
        for (d, droppable) in out {
            if droppable && st.queued + d.len() > st.rcvbuf as usize {
                if !st.nl(NETLINK_NO_ENOBUFS) {
                    st.err = Some(Errno::ENOBUFS);
                }
                continue;
            }
            st.queued += d.len();
            st.queue.push_back(d);
            queued = true;
        }
        let err = st.err.is_some();
        drop(st);
        if queued || err {
            self.pollee.add_events(POLLIN | POLLRDNORM);
        }
        Ok(data.len())
    }

    fn recv(&self, buf: &mut [u8], flags: i32) -> KResult<RecvInfo> {
        let mut st = self.st.lock();
        if let Some(e) = st.err.take() {
            if st.queue.is_empty() {
                self.pollee.del_events(POLLIN | POLLRDNORM);
            }
            return Err(e);
        }
        let Some(d) = st.queue.front() else {
            return Err(Errno::EAGAIN);
        };
        let n = buf.len().min(d.len());
        buf[..n].copy_from_slice(&d[..n]);
        let full = d.len();
        let mut cmsgs = Vec::new();
        if st.nl(NETLINK_PKTINFO) {
            cmsgs.push(Cmsg::Other {
                level: opt::SOL_NETLINK,
                ty: NETLINK_PKTINFO,
                data: 0u32.to_ne_bytes().to_vec(),
            });
        }
        if st.sol.get(&opt::SO_PASSCRED).copied().unwrap_or(0) != 0 {
            cmsgs.push(Cmsg::Credentials(Cred::default()));
        }
        if flags & MSG_PEEK == 0 {
            st.queue.pop_front();
            st.queued = st.queued.saturating_sub(full);
            if st.queue.is_empty() {
                self.pollee.del_events(POLLIN | POLLRDNORM);
            }
        }
        Ok(RecvInfo {
            len: n,
            full_len: full,
            addr: Some(SockAddr::Netlink { pid: 0, groups: 0 }),
            cmsgs,
            flags: if full > buf.len() { MSG_TRUNC } else { 0 },
        })
    }

    fn shutdown(&self, _how: i32) -> KResult<()> {
        // sock_no_shutdown
        Err(Errno::EOPNOTSUPP)
    }

    fn local_addr(&self) -> KResult<SockAddr> {
        let st = self.st.lock();
        Ok(SockAddr::Netlink {
            pid: st.portid,
            groups: st.groups as u32,
        })
    }

    fn peer_addr(&self) -> KResult<SockAddr> {
        let st = self.st.lock();
        Ok(SockAddr::Netlink {
            pid: st.dst_pid,
            groups: st.dst_groups,
        })
    }

    fn setsockopt(&self, level: i32, name: i32, val: &[u8]) -> KResult<()> {
        let mut st = self.st.lock();
        if level == opt::SOL_SOCKET {
            let v = opt_int(val)?;
            match name {
                opt::SO_RCVBUF | opt::SO_RCVBUFFORCE => {
                    let v = if name == opt::SO_RCVBUF {
                        v.min(RMEM_MAX)
                    } else {
                        v.max(0)
                    };
                    st.rcvbuf = v.saturating_mul(2).max(MIN_RCVBUF);
                }
                opt::SO_SNDBUF | opt::SO_SNDBUFFORCE => {
                    let v = if name == opt::SO_SNDBUF {
                        v.min(RMEM_MAX)
                    } else {
                        v.max(0)
                    };
                    st.sndbuf = v.saturating_mul(2).max(MIN_SNDBUF);
                }
                opt::SO_PASSCRED
                | opt::SO_REUSEADDR
                | opt::SO_KEEPALIVE
                | opt::SO_BROADCAST
                | opt::SO_DONTROUTE
                | opt::SO_OOBINLINE
                | opt::SO_TIMESTAMP_OLD
                | opt::SO_RXQ_OVFL
                | opt::SO_PASSSEC => {
                    st.sol.insert(name, (v != 0) as i32);
                }
                opt::SO_PRIORITY | opt::SO_MARK | opt::SO_RCVLOWAT => {
                    st.sol.insert(name, v);
                }
                _ => return Err(Errno::ENOPROTOOPT),
            }
            return Ok(());
        }
        if level != opt::SOL_NETLINK {
            return Err(Errno::ENOPROTOOPT);
        }
        // netlink_setsockopt reads an int when there are 4 bytes, else uses 0
        let v = opt_int(val).unwrap_or(0) as u32;
        match name {
            NETLINK_ADD_MEMBERSHIP | NETLINK_DROP_MEMBERSHIP => {
                if v == 0 || v > RTNLGRP_MAX {
                    return Err(Errno::EINVAL);
                }
                if name == NETLINK_ADD_MEMBERSHIP {
                    self.autobind(&mut st);
                    st.groups |= 1 << (v - 1);
                } else {
                    st.groups &= !(1 << (v - 1));
                }
            }
            NETLINK_PKTINFO
            | NETLINK_BROADCAST_ERROR
            | NETLINK_NO_ENOBUFS
            | NETLINK_CAP_ACK
            | NETLINK_EXT_ACK
            | NETLINK_GET_STRICT_CHK
            | NETLINK_LISTEN_ALL_NSID => {
                if v != 0 {
                    st.nl_flags |= 1 << name;
                } else {
                    st.nl_flags &= !(1 << name);
                }
            }
            _ => return Err(Errno::ENOPROTOOPT),
        }
        Ok(())
    }

    fn getsockopt(&self, level: i32, name: i32) -> KResult<Vec<u8>> {
        let st = self.st.lock();
        if level == opt::SOL_SOCKET {
            return match name {
                opt::SO_RCVBUF => Ok(int_val(st.rcvbuf)),
                opt::SO_SNDBUF => Ok(int_val(st.sndbuf)),
                opt::SO_ACCEPTCONN => Ok(int_val(0)),
                opt::SO_PASSCRED
                | opt::SO_REUSEADDR
                | opt::SO_KEEPALIVE
                | opt::SO_BROADCAST
                | opt::SO_DONTROUTE
                | opt::SO_OOBINLINE
                | opt::SO_TIMESTAMP_OLD
                | opt::SO_RXQ_OVFL
                | opt::SO_PASSSEC
                | opt::SO_PRIORITY
                | opt::SO_MARK => Ok(int_val(st.sol.get(&name).copied().unwrap_or(0))),
                opt::SO_RCVLOWAT => Ok(int_val(st.sol.get(&name).copied().unwrap_or(1))),
                _ => Err(Errno::ENOPROTOOPT),
            };
        }
        if level != opt::SOL_NETLINK {
            return Err(Errno::ENOPROTOOPT);
        }
        match name {
            NETLINK_PKTINFO
            | NETLINK_BROADCAST_ERROR
            | NETLINK_NO_ENOBUFS
            | NETLINK_CAP_ACK
            | NETLINK_EXT_ACK
            | NETLINK_GET_STRICT_CHK
            | NETLINK_LISTEN_ALL_NSID => Ok(int_val(st.nl(name) as i32)),
            NETLINK_LIST_MEMBERSHIPS => {
                // ALIGN(BITS_TO_BYTES(ngroups), 4) bytes of group bits
                let mut v = Vec::new();
                v.extend_from_slice(&(st.groups as u32).to_ne_bytes());
                v.extend_from_slice(&((st.groups >> 32) as u32).to_ne_bytes());
                Ok(v)
            }
            _ => Err(Errno::ENOPROTOOPT),
        }
    }

    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.pollee.poll(mask, poller)
    }

    fn close(&self) {
        self.release();
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for NetlinkSocket {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(test)]
mod tests;
