//! TCP: the state behind a `SOCK_STREAM` inet socket, over smoltcp's TCP sockets.
//!
//! A listener is a pool of smoltcp listening sockets, at least one in `Listen` per
//! interface it is attached to; after every received packet the pool is checked:
//! sockets that completed the handshake move to the accept queue and a fresh
//! listening socket takes their place while the backlog allows.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_vfs::poll::*;
use rill_vfs::pollee::Pollee;
use rill_vfs::IoEvents;
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp::{self, State};
use smoltcp::time::Duration;
use smoltcp::wire::{IpAddress, IpEndpoint, IpListenEndpoint, IpVersion};

use super::c::{MSG_PEEK, MSG_TRUNC, SHUT_RD, SHUT_RDWR, SHUT_WR};
use super::ports::{BindAddr, Binding};
use super::stack::{bind_ip, parse_remote, sockaddr, Entry, Kind, StackInner};
use super::IPPROTO_TCP;
use crate::procnet::InetSockInfo;
use crate::socket::{AF_INET, AF_INET6};
use crate::SockAddr;

pub(crate) type H = (usize, SocketHandle);

/// Per-socket options (the ones smoltcp needs are applied to its socket).
#[derive(Clone, Debug)]
pub(crate) struct SockOpts {
    pub reuseaddr: bool,
    pub reuseport: bool,
    pub keepalive: bool,
    pub broadcast: bool,
    pub linger: Option<i32>,
    pub sndbuf: i32,
    pub rcvbuf: i32,
    pub sndbuf_set: bool,
    pub rcvbuf_set: bool,
    pub rcvlowat: i32,
    pub nodelay: bool,
    pub cork: bool,
    pub quickack: bool,
    pub keepidle: i32,
    pub keepintvl: i32,
    pub keepcnt: i32,
    pub maxseg: i32,
    pub congestion: [u8; 16],
    pub v6only: bool,
    pub ttl: i32,
    pub tos: i32,
    pub hops: i32,
    pub tclass: i32,
    pub pktinfo: bool,
    pub recvpktinfo6: bool,
    pub mcast_ttl: i32,
    pub mcast_loop: bool,
    pub mcast_if: [u8; 4],
    pub mcast_groups: Vec<[u8; 8]>,
    pub extra: super::sock::ExtraOpts,
}

impl SockOpts {
    pub fn new(tcp: bool) -> SockOpts {
        let mut cong = [0u8; 16];
        cong[..5].copy_from_slice(b"cubic");
        SockOpts {
            reuseaddr: false,
            reuseport: false,
            keepalive: false,
            broadcast: false,
            linger: None,
            sndbuf: if tcp { 16384 } else { 212992 },
            rcvbuf: if tcp { 131072 } else { 212992 },
            sndbuf_set: false,
            rcvbuf_set: false,
            rcvlowat: 1,
            nodelay: false,
            cork: false,
            quickack: true,
            keepidle: 7200,
            keepintvl: 75,
            keepcnt: 9,
            maxseg: 0,
            congestion: cong,
            extra: Default::default(),
            v6only: false,
            ttl: 64,
            tos: 0,
            hops: 64,
            tclass: 0,
            pktinfo: false,
            recvpktinfo6: false,
            mcast_ttl: 1,
            mcast_loop: true,
            mcast_if: [0; 4],
            mcast_groups: Vec::new(),
        }
    }
}

pub(crate) enum Conn {
    /// Never connected (maybe bound).
    Closed,
    Listening {
        backlog: usize,
        /// Listening or half-open sockets.
        pool: Vec<H>,
        /// Established, waiting for accept.
        queue: VecDeque<H>,
    },
    Connecting(H, i64),
    /// `confirmed`: user space learnt of the connection (Linux's SS_CONNECTED).
    Connected(H, bool),
    /// A connection attempt or a connection that ended by reset or timeout.
    Failed,
}

pub(crate) struct TcpState {
    pub conn: Conn,
    pub bind: Option<(BindAddr, u16)>,
    pub opts: SockOpts,
    pub error: Option<Errno>,
    pub shut_rd: bool,
    pub shut_wr: bool,
    pub reset: bool,
    /// The port was picked by connect (not bound by the user or a listener's).
    pub autobound: bool,
    pub last_state: State,
    /// Received bytes moved out of smoltcp's buffer ahead of the reader.
    pub staged: Staged,
}

/// Receiver-side silly window avoidance (RFC 1122 4.2.3.3, Linux's
/// `__tcp_select_window`), done above smoltcp, which advertises every byte a read
/// frees: with a full buffer and a reader taking one RTP packet at a time, each
/// read opened the window by ~1.5 KB, a window update went out, and the peer sent
/// one segment back (a packet each way per segment, and a full poll per read).
/// When the buffer is nearly full, a read moves a large chunk out of smoltcp at
/// once (`tcp_recv`): the window opens by that much in one update, the peer sends a
/// burst, and the reads that follow are served from here without touching smoltcp
/// (so without a poll). The bytes stay counted as unread everywhere (readiness,
/// FIONREAD, /proc/net, the reset on close).
#[derive(Default)]
pub(crate) struct Staged {
    buf: Vec<u8>,
    pos: usize,
}

impl Staged {
    pub fn len(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Copies the front into `out`; `consume`: also takes it away.
    fn read(&mut self, out: &mut [u8], consume: bool) -> usize {
        let src = self.buf.get(self.pos..).unwrap_or(&[]);
        let n = src.len().min(out.len());
        out[..n].copy_from_slice(&src[..n]);
        if consume {
            self.discard(n);
        }
        n
    }

    fn discard(&mut self, n: usize) -> usize {
        let n = n.min(self.len());
        self.pos += n;
        if self.pos == self.buf.len() {
            // the allocation is kept for the next chunk
            self.buf.clear();
            self.pos = 0;
        }
        n
    }

    /// Moves up to `n` bytes from the front of `s`'s receive buffer to the back.
    fn fill(&mut self, s: &mut tcp::Socket<'static>, n: usize) {
        let start = self.buf.len();
        self.buf.resize(start + n, 0);
        // recv_slice wraps around smoltcp's ring
        let got = s.recv_slice(&mut self.buf[start..]).unwrap_or(0);
        self.buf.truncate(start + got);
    }
}

/// When a read finds fewer than this many bytes free in smoltcp's receive buffer,
/// it stages (see `Staged`); capped by the largest window an unscaled peer sees.
fn sws_threshold(cap: usize) -> usize {
    (cap / 2).min(64 * 1024)
}

/// How much a staging read moves at once.
fn sws_chunk(cap: usize) -> usize {
    (cap / 4).min(64 * 1024)
}

/// The local port of a connection closed by its owner, kept bound (with the socket's
/// SO_REUSEADDR) while the connection finishes and for `TIME_WAIT_MS` after it entered
/// TIME_WAIT, as Linux's timewait socket does: a bind without SO_REUSEADDR then gets
/// EADDRINUSE.
pub(crate) struct TwHold {
    pub h: H,
    /// The id of its entry in the port table.
    pub bind_id: u64,
}

/// Linux's TCP_TIMEWAIT_LEN.
const TIME_WAIT_MS: i64 = 60_000;

/// How long a connection attempt may take (Linux: about 127 s with 6 SYN retries).
const CONNECT_TIMEOUT_MS: i64 = 127_000;

/// Whether a listener of `family` bound to `b` takes a connection to `local`.
fn listener_takes(family: u16, b: BindAddr, v6only: bool, local: IpAddress) -> bool {
    match local {
        IpAddress::Ipv4(a) => match b {
            BindAddr::Any4 => true,
            BindAddr::V4(x) => x == a.octets(),
            BindAddr::Any6 => family == AF_INET6 && !v6only,
            BindAddr::V6(x) => {
                !v6only
                    && x[..12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
                    && x[12..] == a.octets()
            }
        },
        IpAddress::Ipv6(a) => match b {
            BindAddr::Any6 => family == AF_INET6,
            BindAddr::V6(x) => family == AF_INET6 && x == a.octets(),
            _ => false,
        },
    }
}

fn linux_state(s: State) -> u8 {
    match s {
        State::Established => 1,
        State::SynSent => 2,
        State::SynReceived => 3,
        State::FinWait1 => 4,
        State::FinWait2 => 5,
        State::TimeWait => 6,
        State::Closed => 7,
        State::CloseWait => 8,
        State::LastAck => 9,
        State::Listen => 10,
        State::Closing => 11,
    }
}

/// A listener whose accept queue is full (its SYNs are dropped).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SynDrop {
    pub family: u16,
    pub addr: BindAddr,
    pub v6only: bool,
    pub port: u16,
}

/// Whether a TCP SYN (no ACK) to `(dst, port)` (from [`syn_dst`]) goes to one of
/// the listeners in `full`, whose accept queues are full. Linux drops such a SYN
/// (`tcp_conn_request`), and the client's retransmission finds room later, where a
/// refusal would end its connect.
pub(crate) fn syn_is_for(full: &[SynDrop], (dst, port): (IpAddress, u16)) -> bool {
    full.iter()
        .any(|d| d.port == port && listener_takes(d.family, d.addr, d.v6only, dst))
}

/// The destination address and port of `frame` if it is a TCP SYN without ACK
/// (a connection request), else `None`.
pub(crate) fn syn_dst(frame: &[u8], eth: bool) -> Option<(IpAddress, u16)> {
    let ip = if eth {
        match frame.get(12..14) {
            Some([0x08, 0x00]) | Some([0x86, 0xdd]) => frame.get(14..).unwrap_or(&[]),
            _ => return None,
        }
    } else {
        frame
    };
    let &v = ip.first()?;
    let (dst, tcp) = match v >> 4 {
        4 => {
            let ihl = (v & 0x0f) as usize * 4;
            let d = ip.get(16..20)?;
            if ip.get(9) != Some(&6) || ihl < 20 {
                return None;
            }
            let d = IpAddress::v4(d[0], d[1], d[2], d[3]);
            (d, ip.get(ihl..).unwrap_or(&[]))
        }
        6 => {
            let d = ip.get(24..40).and_then(|d| <[u8; 16]>::try_from(d).ok())?;
            if ip.get(6) != Some(&6) {
                return None;
            }
            let d = IpAddress::Ipv6(smoltcp::wire::Ipv6Address::from(d));
            (d, ip.get(40..).unwrap_or(&[]))
        }
        _ => return None,
    };
    let (p, &fl) = (tcp.get(2..4)?, tcp.get(13)?);
    let port = u16::from_be_bytes([p[0], p[1]]);
    // SYN set; ACK, RST clear
    (fl & 0x16 == 0x02).then_some((dst, port))
}

/// The error a reset leaves on a connection that was in state `s` (Linux's `tcp_reset`:
/// EPIPE in CLOSE_WAIT, where only writing was left, else ECONNRESET).
pub(crate) fn reset_errno(s: State) -> Errno {
    match s {
        State::SynSent => Errno::ECONNREFUSED,
        State::CloseWait => Errno::EPIPE,
        _ => Errno::ECONNRESET,
    }
}

fn peer_closed(s: State) -> bool {
    matches!(
        s,
        State::CloseWait | State::LastAck | State::Closing | State::TimeWait
    )
}

impl TcpState {
    pub fn new() -> TcpState {
        TcpState {
            conn: Conn::Closed,
            bind: None,
            opts: SockOpts::new(true),
            error: None,
            shut_rd: false,
            shut_wr: false,
            reset: false,
            autobound: false,
            last_state: State::Closed,
            staged: Staged::default(),
        }
    }
}

/// Buffer size for a smoltcp socket: the default, or what SO_*BUF asked for.
fn buf_size(set: bool, val: i32, default: usize) -> usize {
    if set {
        (val.max(0) as usize).clamp(16 * 1024, 4 * 1024 * 1024)
    } else {
        default
    }
}

impl StackInner {
    pub(crate) fn tcp(&mut self, id: u64) -> KResult<&mut TcpState> {
        match self.socks.get_mut(&id).map(|e| &mut e.kind) {
            Some(Kind::Tcp(t)) => Ok(t),
            _ => Err(Errno::EBADF),
        }
    }

    /// A closed TCP socket with the buffer sizes `o` asks for: a pooled one (its
    /// buffers are cleared by smoltcp's reset on listen/connect, so no old byte can
    /// be read), else a new one.
    fn new_tcp_socket(&mut self, o: &SockOpts) -> tcp::Socket<'static> {
        let rx = buf_size(o.rcvbuf_set, o.rcvbuf, self.opts.tcp_rx);
        let tx = buf_size(o.sndbuf_set, o.sndbuf, self.opts.tcp_tx);
        let pooled = self
            .tcp_pool
            .iter()
            .position(|s| s.recv_capacity() == rx && s.send_capacity() == tx);
        let mut s = match pooled {
            Some(i) => {
                let mut s = self.tcp_pool.swap_remove(i);
                // what reset() keeps: the idle timeout (set at close), the congestion
                // state (a new controller of the same kind) and the options (below)
                s.set_timeout(None);
                s.set_congestion_control(s.congestion_control());
                s
            }
            None => tcp::Socket::new(
                tcp::SocketBuffer::new(vec![0u8; rx]),
                tcp::SocketBuffer::new(vec![0u8; tx]),
            ),
        };
        apply_opts(&mut s, o);
        s
    }

    // Invariant: a handle held in a TcpState, a listener's pool or queue, or
    // `orphans` names a live TCP socket of that interface's set, and each handle has
    // one holder; it is removed from the set (`remove_handle`) only when its holder
    // drops it. smoltcp's `get`/`get_mut` panic on a freed or foreign handle, so a
    // breach of this invariant is a kernel bug, not something user space can cause.
    pub(crate) fn sock_of(&mut self, h: H) -> Option<&mut tcp::Socket<'static>> {
        self.ifaces
            .get_mut(h.0)
            .map(|f| f.set.get_mut::<tcp::Socket>(h.1))
    }

    pub(crate) fn sock_ref(&self, h: H) -> Option<&tcp::Socket<'static>> {
        self.ifaces.get(h.0).map(|f| f.set.get::<tcp::Socket>(h.1))
    }

    pub fn bind_common(
        &mut self,
        id: u64,
        proto: i32,
        addr: BindAddr,
        port: u16,
        o: &SockOpts,
    ) -> KResult<u16> {
        if let Some(ip) = bind_ip(addr) {
            let multicast = match ip {
                smoltcp::wire::IpAddress::Ipv4(a) => a.is_multicast() || a.is_broadcast(),
                smoltcp::wire::IpAddress::Ipv6(a) => a.is_multicast(),
            };
            if !(self.is_local(&ip) || o.extra.freebind || (proto != IPPROTO_TCP && multicast)) {
                return Err(Errno::EADDRNOTAVAIL);
            }
        }
        let seed = self.rand16();
        self.ports.bind(
            Binding {
                id,
                proto,
                addr,
                port,
                v6only: o.v6only,
                reuseaddr: o.reuseaddr,
                reuseport: o.reuseport,
                listening: false,
            },
            seed,
        )
    }

    pub fn tcp_bind(&mut self, id: u64, addr: BindAddr, port: u16) -> KResult<()> {
        let t = self.tcp(id)?;
        if t.bind.is_some() || !matches!(t.conn, Conn::Closed) {
            return Err(Errno::EINVAL);
        }
        let o = t.opts.clone();
        let port = self.bind_common(id, IPPROTO_TCP, addr, port, &o)?;
        self.tcp(id)?.bind = Some((addr, port));
        Ok(())
    }

    fn autobind(&mut self, id: u64, family: u16) -> KResult<(BindAddr, u16)> {
        let t = self.tcp(id)?;
        if let Some(b) = t.bind {
            return Ok(b);
        }
        let o = t.opts.clone();
        let any = if family == AF_INET {
            BindAddr::Any4
        } else {
            BindAddr::Any6
        };
        let port = self.bind_common(id, IPPROTO_TCP, any, 0, &o)?;
        let t = self.tcp(id)?;
        t.bind = Some((any, port));
        t.autobound = true;
        Ok((any, port))
    }

    pub fn tcp_listen(&mut self, id: u64, family: u16, backlog: i32) -> KResult<()> {
        let backlog = backlog.clamp(0, 4096) as usize;
        match &mut self.tcp(id)?.conn {
            Conn::Listening { backlog: b, .. } => {
                *b = backlog;
                return Ok(());
            }
            Conn::Closed => {}
            _ => return Err(Errno::EINVAL),
        }
        self.autobind(id, family)?;
        // the ports kept by closed connections (TIME_WAIT) stop a bind, not a listen
        // (see Ports::can_listen)
        if !self.ports.can_listen(id) {
            return Err(Errno::EADDRINUSE);
        }
        self.ports.set_listening(id, true);
        self.tcp(id)?.conn = Conn::Listening {
            backlog,
            pool: Vec::new(),
            queue: VecDeque::new(),
        };
        for idx in 0..self.ifaces.len() {
            self.refill_listeners(idx);
        }
        Ok(())
    }

    /// Moves handshaken connections of interface `idx` to their listener's queue
    /// and puts a listening socket back where the backlog allows.
    pub fn refill_listeners(&mut self, idx: usize) {
        let ids = self
            .ids(|e| matches!(&e.kind, Kind::Tcp(t) if matches!(t.conn, Conn::Listening { .. })));
        if let Some(f) = self.ifaces.get_mut(idx) {
            f.dev.syn_drop.clear();
        }
        for &id in &ids {
            self.refill_one(id, idx);
        }
        self.put_ids(ids);
    }

    fn refill_one(&mut self, id: u64, idx: usize) {
        let Some(e) = self.socks.get(&id) else { return };
        let family = e.family;
        let Kind::Tcp(t) = &e.kind else { return };
        let Some((baddr, port)) = t.bind else { return };
        let v6only = t.opts.v6only;
        let Conn::Listening { pool, .. } = &t.conn else {
            return;
        };
        // the family a connection came in on, against this listener's: smoltcp's
        // wildcard listening sockets take both, so `0.0.0.0:P` and `[::]:P` V6ONLY
        // (nginx's pair) catch each other's SYNs, and a V6ONLY listener alone one
        // from IPv4. Seen in SYN_RECV, so a refused one is reset before the
        // SYN-ACK, as Linux answers a SYN that no listener takes.
        let wrong = |s: &tcp::Socket<'static>| match s.remote_endpoint().map(|r| r.addr.version()) {
            Some(IpVersion::Ipv6) => family == AF_INET,
            Some(IpVersion::Ipv4) => family == AF_INET6 && v6only,
            None => true,
        };
        // the common case: all of the pool still listening or in a handshake of
        // the right family, one listening here; nothing to move, so nothing to
        // allocate
        let settled = pool.iter().all(|&h| {
            self.sock_ref(h).is_some_and(|s| match s.state() {
                State::Listen => true,
                State::SynReceived => !wrong(s),
                _ => false,
            })
        }) && pool
            .iter()
            .any(|&h| h.0 == idx && self.sock_ref(h).is_some_and(|s| s.state() == State::Listen));
        if settled {
            return;
        }
        let pool = pool.clone();
        let mut keep = Vec::new();
        let mut done = Vec::new();
        let mut listening_here = 0;
        let mut orphans = Vec::new();
        // connections of the other family (see `wrong`) go to the listener that
        // takes them, in its handshake to its pool, else to its accept queue
        let mut misrouted = Vec::new();
        for h in pool {
            let Some(s) = self.sock_ref(h) else { continue };
            match s.state() {
                State::Listen => {
                    if h.0 == idx {
                        listening_here += 1;
                    }
                    keep.push(h);
                }
                State::Closed | State::TimeWait => orphans.push(h),
                st if wrong(s) => misrouted.push((h, st == State::SynReceived)),
                State::SynReceived => keep.push(h),
                _ => done.push(h),
            }
        }
        for (h, handshake) in misrouted {
            let local = self.sock_ref(h).and_then(|s| s.local_endpoint());
            match local.and_then(|ep| self.listener_for(id, ep.addr, port)) {
                Some(other) => {
                    if let Ok(t) = self.tcp(other) {
                        if let Conn::Listening { queue, pool, .. } = &mut t.conn {
                            if handshake {
                                pool.push(h);
                            } else {
                                queue.push_back(h);
                            }
                        }
                    }
                }
                None => orphans.push(h),
            }
        }
        for h in &orphans {
            if let Some(s) = self.sock_of(*h) {
                s.abort();
            }
            self.orphans.push(*h);
        }
        let attached = self.attached(baddr, idx);
        let want_new = {
            let Ok(t) = self.tcp(id) else { return };
            let Conn::Listening {
                backlog,
                pool,
                queue,
            } = &mut t.conn
            else {
                return;
            };
            queue.extend(done);
            *pool = keep;
            let busy = queue.len() + pool.iter().filter(|h| h.0 != usize::MAX).count();
            let room = busy < *backlog + 1 + listening_here;
            if attached && listening_here == 0 && !room {
                // no listening socket would make smoltcp answer RST: drop the SYNs
                if let Some(f) = self.ifaces.get_mut(idx) {
                    f.dev.syn_drop.push(SynDrop {
                        family,
                        addr: baddr,
                        v6only,
                        port,
                    });
                }
            }
            attached && listening_here == 0 && room
        };
        if !want_new {
            return;
        }
        let o = match self.tcp(id) {
            Ok(t) => t.opts.clone(),
            Err(_) => return,
        };
        let mut s = self.new_tcp_socket(&o);
        let ep = IpListenEndpoint {
            addr: bind_ip(baddr),
            port,
        };
        if s.listen(ep).is_err() {
            return;
        }
        let Some(f) = self.ifaces.get_mut(idx) else {
            return;
        };
        let h = (idx, f.set.add(s));
        if let Ok(t) = self.tcp(id) {
            if let Conn::Listening { pool, .. } = &mut t.conn {
                pool.push(h);
            }
        }
    }

    /// Another listener on `port` (not `not`) that takes a connection to `local`,
    /// with room in its accept queue.
    fn listener_for(&self, not: u64, local: IpAddress, port: u16) -> Option<u64> {
        self.socks.iter().find_map(|(id, e)| {
            let Kind::Tcp(t) = &e.kind else { return None };
            let Conn::Listening { queue, backlog, .. } = &t.conn else {
                return None;
            };
            let (baddr, p) = t.bind?;
            let takes = *id != not
                && p == port
                && queue.len() <= *backlog
                && listener_takes(e.family, baddr, t.opts.v6only, local);
            takes.then_some(*id)
        })
    }

    pub fn tcp_accept(&mut self, id: u64, family: u16) -> KResult<(u64, SockAddr)> {
        let t = self.tcp(id)?;
        let Conn::Listening { queue, .. } = &mut t.conn else {
            return Err(Errno::EINVAL);
        };
        let Some(h) = queue.pop_front() else {
            // nothing changed: no poll after it (the peer's poll or netd's moves the
            // next connection here and wakes the waiter)
            self.no_poll = true;
            return Err(Errno::EAGAIN);
        };
        let mut opts = t.opts.clone();
        opts.linger = t.opts.linger;
        let peer = self
            .sock_ref(h)
            .and_then(|s| s.remote_endpoint())
            .map(|r| sockaddr(family, Some(r.addr), r.port))
            .unwrap_or(sockaddr(family, None, 0));
        let state = self.sock_ref(h).map_or(State::Closed, |s| s.state());
        let nid = self.new_id();
        let mut st = TcpState::new();
        st.opts = opts;
        st.conn = Conn::Connected(h, true);
        // a connection reset before accept is still judged (and reported) once
        st.last_state = if state == State::Closed {
            State::Established
        } else {
            state
        };
        self.socks.insert(
            nid,
            Entry {
                family,
                pollee: Arc::new(Pollee::new(0)),
                last: 0,
                kind: Kind::Tcp(st),
            },
        );
        self.refill_listeners(h.0);
        self.tcp_update(nid);
        // taking a connection sends nothing (Linux's accept neither): no poll after
        // it, only the listener's readiness as a poll would report it
        self.note_direct(id, 0);
        self.note_direct(nid, 0);
        Ok((nid, peer))
    }

    pub fn tcp_connect(&mut self, id: u64, family: u16, addr: &SockAddr) -> KResult<()> {
        let v6only = self.tcp(id)?.opts.v6only;
        {
            let t = self.tcp(id)?;
            // a connect that only reports what the last poll found sends nothing:
            // no poll after it (the second connect of a blocking connect(2))
            let r = match &mut t.conn {
                Conn::Connecting(..) => Err(Errno::EALREADY),
                Conn::Connected(_, confirmed) => {
                    if *confirmed {
                        Err(Errno::EISCONN)
                    } else {
                        *confirmed = true;
                        Ok(())
                    }
                }
                Conn::Listening { .. } => Err(Errno::EISCONN),
                Conn::Failed => {
                    let e = t.error.take().unwrap_or(Errno::ECONNABORTED);
                    t.conn = Conn::Closed;
                    Err(e)
                }
                Conn::Closed => Ok(()),
            };
            if !matches!(t.conn, Conn::Closed) || r.is_err() {
                self.note_direct(id, 0);
                return r;
            }
        }
        if let SockAddr::Unspec = addr {
            // AF_UNSPEC on an unconnected stream socket: nothing to dissolve
            return Ok(());
        }
        let (rip, rport) = parse_remote(family, v6only, addr)?;
        if rport == 0 {
            return Err(Errno::ECONNREFUSED);
        }
        let idx = self.route(&rip)?;
        let bound = self.tcp(id)?.bind;
        let lip = match bound.and_then(|(a, _)| bind_ip(a)) {
            Some(a) => {
                if a.version() != rip.version() {
                    return Err(Errno::EINVAL);
                }
                a
            }
            None => {
                if let Some((BindAddr::Any4, _)) = bound {
                    if rip.version() != IpVersion::Ipv4 {
                        return Err(Errno::EAFNOSUPPORT);
                    }
                }
                self.source_for(idx, &rip).ok_or(Errno::ENETUNREACH)?
            }
        };
        let (_, lport) = self.autobind(id, family)?;
        let o = self.tcp(id)?.opts.clone();
        let mut s = self.new_tcp_socket(&o);
        let f = self.ifaces.get_mut(idx).ok_or(Errno::ENETUNREACH)?;
        s.connect(
            f.iface.context(),
            IpEndpoint::new(rip, rport),
            IpListenEndpoint {
                addr: Some(lip),
                port: lport,
            },
        )
        .map_err(|_| Errno::EADDRNOTAVAIL)?;
        let h = (idx, f.set.add(s));
        let now = self.now.total_millis();
        let t = self.tcp(id)?;
        t.conn = Conn::Connecting(h, now);
        t.last_state = State::SynSent;
        Err(Errno::EINPROGRESS)
    }

    /// Follows smoltcp's state: connection established, refused, reset, closed.
    pub fn tcp_update(&mut self, id: u64) {
        let now = self.now.total_millis();
        let Ok(t) = self.tcp(id) else { return };
        let h = match t.conn {
            Conn::Connecting(h, _) | Conn::Connected(h, _) => h,
            _ => return,
        };
        let Some(s) = self.sock_ref(h) else { return };
        let st = s.state();
        let Ok(t) = self.tcp(id) else { return };
        let last = t.last_state;
        t.last_state = st;
        match t.conn {
            Conn::Connecting(_, started) => match st {
                State::SynSent | State::SynReceived => {
                    if now - started > CONNECT_TIMEOUT_MS {
                        t.error = Some(Errno::ETIMEDOUT);
                        t.conn = Conn::Failed;
                        if let Some(s) = self.sock_of(h) {
                            s.abort();
                        }
                        self.orphans.push(h);
                    }
                }
                State::Closed => {
                    t.error = Some(if now - started > CONNECT_TIMEOUT_MS {
                        Errno::ETIMEDOUT
                    } else {
                        Errno::ECONNREFUSED
                    });
                    t.conn = Conn::Failed;
                    self.remove_handle(h);
                }
                _ => t.conn = Conn::Connected(h, false),
            },
            // (once: a connection seen closed before is not judged again)
            Conn::Connected(..) if st == State::Closed && last != State::Closed => {
                let graceful = matches!(last, State::LastAck | State::TimeWait | State::Closing)
                    || (t.shut_wr && peer_closed(last));
                if !graceful && !t.reset {
                    t.reset = true;
                    t.error = Some(reset_errno(last));
                }
            }
            _ => {}
        }
    }

    pub fn tcp_events(&mut self, id: u64) -> IoEvents {
        let Ok(t) = self.tcp(id) else { return 0 };
        let (h, connecting) = match &t.conn {
            Conn::Listening { queue, .. } => {
                return if queue.is_empty() {
                    0
                } else {
                    POLLIN | POLLRDNORM
                };
            }
            Conn::Closed => return POLLOUT | POLLWRNORM | POLLHUP,
            Conn::Failed => {
                let err = if t.error.is_some() { POLLERR } else { 0 };
                return POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLHUP | err;
            }
            Conn::Connecting(h, _) => (*h, true),
            Conn::Connected(h, _) => (*h, false),
        };
        if connecting {
            return 0;
        }
        let (shut_rd, shut_wr, reset, err, lowat) = (
            t.shut_rd,
            t.shut_wr,
            t.reset,
            t.error.is_some(),
            t.opts.rcvlowat.max(1) as usize,
        );
        let staged = t.staged.len();
        let Some(s) = self.sock_ref(h) else { return 0 };
        let st = s.state();
        let closed = st == State::Closed;
        let rcv_shut = shut_rd || reset || peer_closed(st) || closed;
        let snd_shut = shut_wr
            || reset
            || matches!(
                st,
                State::FinWait1
                    | State::FinWait2
                    | State::Closing
                    | State::TimeWait
                    | State::LastAck
            )
            || closed;
        let mut ev = 0;
        if rcv_shut && snd_shut {
            ev |= POLLHUP;
        }
        if rcv_shut {
            ev |= POLLIN | POLLRDNORM | POLLRDHUP;
        }
        let unread = s.recv_queue() + staged;
        if unread >= lowat || (unread > 0 && !s.may_recv()) {
            ev |= POLLIN | POLLRDNORM;
        }
        if snd_shut || s.can_send() {
            ev |= POLLOUT | POLLWRNORM;
        }
        if err {
            ev |= POLLERR;
        }
        ev
    }

    pub fn tcp_send(&mut self, id: u64, data: &[u8]) -> KResult<usize> {
        let t = self.tcp(id)?;
        let h = match t.conn {
            Conn::Connected(h, _) => h,
            Conn::Connecting(..) => return Err(Errno::EAGAIN),
            Conn::Failed => return Err(t.error.take().unwrap_or(Errno::EPIPE)),
            _ => return Err(Errno::EPIPE),
        };
        if t.reset {
            return Err(t.error.take().unwrap_or(Errno::EPIPE));
        }
        if t.shut_wr {
            return Err(Errno::EPIPE);
        }
        let s = self.sock_of(h).ok_or(Errno::EPIPE)?;
        if !s.may_send() {
            return Err(Errno::EPIPE);
        }
        if data.is_empty() {
            return Ok(0);
        }
        match s.send_slice(data) {
            Ok(0) | Err(_) => Err(Errno::EAGAIN),
            Ok(n) => Ok(n),
        }
    }

    pub fn tcp_recv(&mut self, id: u64, buf: &mut [u8], flags: i32) -> KResult<usize> {
        let t = self.tcp(id)?;
        let h = match t.conn {
            Conn::Connected(h, _) => h,
            Conn::Connecting(..) => return Err(Errno::EAGAIN),
            Conn::Failed => {
                return match t.error.take() {
                    Some(e) => Err(e),
                    None => Ok(0),
                }
            }
            _ => return Err(Errno::ENOTCONN),
        };
        let (reset, shut_rd, staged) = (t.reset, t.shut_rd, t.staged.len());
        // data that arrived before a reset is read first (Linux keeps the receive queue)
        let queued = self.sock_ref(h).map_or(0, |s| s.recv_queue()) + staged;
        if reset && (queued == 0 || buf.is_empty()) {
            let t = self.tcp(id)?;
            return match t.error.take() {
                Some(e) => Err(e),
                None => Ok(0),
            };
        }
        // Linux: a zero-length read on a connected stream returns 0 at once
        if buf.is_empty() {
            return Ok(0);
        }
        let s = self.sock_of(h).ok_or(Errno::ENOTCONN)?;
        if queued == 0 {
            if shut_rd || !s.may_recv() {
                return Ok(0);
            }
            return Err(Errno::EAGAIN);
        }
        let (peek, trunc) = (flags & MSG_PEEK != 0, flags & MSG_TRUNC != 0);
        // staged bytes come first: they were received before smoltcp's
        let t = self.tcp(id)?;
        let n = if peek {
            t.staged.read(buf, false)
        } else if trunc {
            t.staged.discard(buf.len())
        } else {
            t.staged.read(buf, true)
        };
        let mut st = core::mem::take(&mut t.staged);
        let s = self.sock_of(h).ok_or(Errno::ENOTCONN)?;
        let q = s.recv_queue();
        let rest = &mut buf[n..];
        let m = if rest.is_empty() || q == 0 {
            Ok(0)
        } else if peek {
            s.peek_slice(rest)
        } else if trunc {
            // discard without copying (Linux: MSG_TRUNC on TCP drops the data)
            let k = rest.len().min(q);
            s.recv(|b| {
                let k = b.len().min(k);
                (k, k)
            })
        } else {
            let cap = s.recv_capacity();
            if rest.len() < q && cap - q < sws_threshold(cap) {
                // see `Staged`: free a large chunk at once, read from it
                st.fill(s, sws_chunk(cap).max(rest.len()).min(q));
                Ok(st.read(rest, true))
            } else {
                s.recv_slice(rest)
            }
        };
        let m = m.unwrap_or(0);
        if let Ok(t) = self.tcp(id) {
            t.staged = st;
        }
        if m == 0 || peek {
            // smoltcp's buffer is as it was: nothing for a poll to send
            self.no_poll = true;
        }
        Ok(n + m)
    }

    pub fn tcp_shutdown(&mut self, id: u64, how: i32) -> KResult<()> {
        if !matches!(how, SHUT_RD | SHUT_WR | SHUT_RDWR) {
            return Err(Errno::EINVAL);
        }
        let t = self.tcp(id)?;
        let h = match t.conn {
            Conn::Connected(h, _) => h,
            Conn::Connecting(h, _) => h,
            Conn::Listening { .. } => {
                if how != SHUT_WR {
                    self.tcp_stop_listening(id);
                }
                return Ok(());
            }
            _ => return Err(Errno::ENOTCONN),
        };
        if how != SHUT_WR {
            t.shut_rd = true;
        }
        if how != SHUT_RD {
            t.shut_wr = true;
            if let Some(s) = self.sock_of(h) {
                s.close();
            }
        }
        Ok(())
    }

    fn tcp_stop_listening(&mut self, id: u64) {
        let Ok(t) = self.tcp(id) else { return };
        let Conn::Listening { pool, queue, .. } = core::mem::replace(&mut t.conn, Conn::Closed)
        else {
            return;
        };
        for h in pool.into_iter().chain(queue) {
            if let Some(s) = self.sock_of(h) {
                s.abort();
            }
            self.orphans.push(h);
        }
        self.ports.set_listening(id, false);
    }

    /// The last close.
    pub fn tcp_close(&mut self, id: u64) {
        let Ok(t) = self.tcp(id) else { return };
        let linger0 = t.opts.linger == Some(0);
        let staged = t.staged.len();
        match core::mem::replace(&mut t.conn, Conn::Closed) {
            Conn::Listening {
                pool,
                queue,
                backlog,
            } => {
                t.conn = Conn::Listening {
                    pool,
                    queue,
                    backlog,
                };
                self.tcp_stop_listening(id);
            }
            Conn::Connecting(h, _) => {
                if let Some(s) = self.sock_of(h) {
                    s.abort();
                }
                self.orphans.push(h);
            }
            Conn::Connected(h, _) => {
                if let Some(s) = self.sock_of(h) {
                    // unread data makes Linux reset the connection
                    if linger0 || s.recv_queue() + staged > 0 {
                        s.abort();
                    } else {
                        s.close();
                        s.set_timeout(Some(Duration::from_secs(60)));
                        self.hold_port(id, h);
                    }
                }
                self.orphans.push(h);
            }
            _ => {}
        }
        self.ports.unbind(id);
        self.socks.remove(&id);
    }

    /// Keeps the local port of `h`, being closed by socket `id`, bound (see `TwHold`).
    fn hold_port(&mut self, id: u64, h: H) {
        let Some(s) = self.sock_ref(h) else { return };
        let Some(ep) = s.local_endpoint() else { return };
        let in_tw = s.state() == State::TimeWait;
        let Ok(t) = self.tcp(id) else { return };
        // a port connect picked is not kept: Linux's connect reuses ports in TIME_WAIT
        // for other destinations, and holding them would exhaust the ephemeral range
        // under many short connections
        if t.autobound {
            return;
        }
        let (reuseaddr, reuseport, v6only) = (t.opts.reuseaddr, t.opts.reuseport, t.opts.v6only);
        let addr = match ep.addr {
            IpAddress::Ipv4(a) => BindAddr::V4(a.octets()),
            IpAddress::Ipv6(a) => BindAddr::V6(a.octets()),
        };
        let bind_id = self.new_id();
        self.ports.hold(Binding {
            id: bind_id,
            proto: IPPROTO_TCP,
            addr,
            port: ep.port,
            v6only,
            reuseaddr,
            reuseport,
            listening: false,
        });
        let now = self.now.total_millis();
        if in_tw {
            self.tw_timed.push_back((now + TIME_WAIT_MS, bind_id));
        } else {
            self.tw_holds.push(TwHold { h, bind_id });
        }
    }

    /// Starts the clock of the hold of orphan `h` when it is in TIME_WAIT, or ends it
    /// now when `h` closed without TIME_WAIT (the peer closed first). Called only while
    /// `h` is still in its socket set (a freed handle may be reused). `tw_holds` has
    /// only the holds of connections still closing, so this stays short.
    fn hold_follows(&mut self, h: H, st: State) {
        if !matches!(st, State::TimeWait | State::Closed) || self.tw_holds.is_empty() {
            return;
        }
        let now = self.now.total_millis();
        let (mine, rest): (Vec<TwHold>, Vec<TwHold>) = core::mem::take(&mut self.tw_holds)
            .into_iter()
            .partition(|x| x.h == h);
        self.tw_holds = rest;
        for hold in mine {
            if st == State::TimeWait {
                self.tw_timed.push_back((now + TIME_WAIT_MS, hold.bind_id));
            } else {
                self.ports.unbind(hold.bind_id);
            }
        }
    }

    /// Ends the port holds whose time is up (the front of `tw_timed`).
    fn expire_holds(&mut self) {
        let now = self.now.total_millis();
        while let Some(&(until, id)) = self.tw_timed.front() {
            if until > now {
                break;
            }
            self.tw_timed.pop_front();
            self.ports.unbind(id);
        }
    }

    pub fn reap_orphans(&mut self) {
        let list = core::mem::take(&mut self.orphans);
        for h in list {
            let st = self.sock_ref(h).map(|s| (s.state(), s.recv_queue()));
            // a closed or vanished socket ends its hold now (a hold still waiting for
            // its state must not outlive the handle), one in TIME_WAIT starts its clock
            self.hold_follows(h, st.map_or(State::Closed, |s| s.0));
            match st {
                Some((State::Closed, _)) | None => self.remove_handle(h),
                // lo loses nothing, so no segment of the old connection can come back
                // late: a closed connection's TIME_WAIT socket is dropped at once
                // (smoltcp walks every socket of a set per packet, so thousands of
                // TIME_WAIT sockets after a connect burst slowed all of lo down); its
                // port hold (above) goes on
                Some((State::TimeWait, _)) if h.0 == 0 => self.remove_handle(h),
                // Linux (tcp_rcv_state_process): new data for a socket whose owner
                // closed it is answered with RST; the RST goes out at the next poll
                Some((State::FinWait1 | State::FinWait2 | State::Closing, n)) if n > 0 => {
                    if let Some(s) = self.sock_of(h) {
                        s.abort();
                    }
                    self.orphans.push(h);
                }
                Some(_) => self.orphans.push(h),
            }
        }
        self.expire_holds();
    }

    pub fn tcp_local(&self, id: u64, family: u16) -> KResult<SockAddr> {
        let Some(Entry {
            kind: Kind::Tcp(t), ..
        }) = self.socks.get(&id)
        else {
            return Err(Errno::EBADF);
        };
        if let Conn::Connecting(h, _) | Conn::Connected(h, _) = t.conn {
            if let Some(ep) = self.sock_ref(h).and_then(|s| s.local_endpoint()) {
                return Ok(sockaddr(family, Some(ep.addr), ep.port));
            }
        }
        Ok(match t.bind {
            Some((a, p)) => sockaddr(family, bind_ip(a), p),
            None => sockaddr(family, None, 0),
        })
    }

    pub fn tcp_peer(&self, id: u64, family: u16) -> KResult<SockAddr> {
        let Some(Entry {
            kind: Kind::Tcp(t), ..
        }) = self.socks.get(&id)
        else {
            return Err(Errno::EBADF);
        };
        if let Conn::Connected(h, _) = t.conn {
            let Some(s) = self.sock_ref(h) else {
                return Err(Errno::ENOTCONN);
            };
            // Linux: a socket whose connection ended (TIME_WAIT lives on in a separate
            // mini-socket, the user's is CLOSE) has no peer any more
            if matches!(s.state(), State::Closed | State::TimeWait) {
                return Err(Errno::ENOTCONN);
            }
            if let Some(ep) = s.remote_endpoint() {
                return Ok(sockaddr(family, Some(ep.addr), ep.port));
            }
        }
        Err(Errno::ENOTCONN)
    }

    /// `(recv queue, send queue)` bytes; `None` when listening.
    pub fn tcp_queues(&self, id: u64) -> KResult<Option<(usize, usize)>> {
        let Some(Entry {
            kind: Kind::Tcp(t), ..
        }) = self.socks.get(&id)
        else {
            return Err(Errno::EBADF);
        };
        match t.conn {
            Conn::Listening { .. } => Ok(None),
            Conn::Connected(h, _) | Conn::Connecting(h, _) => {
                Ok(Some(self.sock_ref(h).map_or((0, 0), |s| {
                    (s.recv_queue() + t.staged.len(), s.send_queue())
                })))
            }
            _ => Ok(Some((0, 0))),
        }
    }

    /// Applies changed options to the live smoltcp sockets.
    pub fn tcp_apply(&mut self, id: u64) {
        let Ok(t) = self.tcp(id) else { return };
        let o = t.opts.clone();
        let hs: Vec<H> = match &t.conn {
            Conn::Connected(h, _) | Conn::Connecting(h, _) => vec![*h],
            Conn::Listening { pool, .. } => pool.clone(),
            _ => Vec::new(),
        };
        for h in hs {
            if let Some(s) = self.sock_of(h) {
                apply_opts(s, &o);
            }
        }
    }

    pub fn tcp_state_num(&self, id: u64) -> u8 {
        let Some(Entry {
            kind: Kind::Tcp(t), ..
        }) = self.socks.get(&id)
        else {
            return 7;
        };
        match t.conn {
            Conn::Listening { .. } => 10,
            Conn::Connected(h, _) | Conn::Connecting(h, _) => {
                self.sock_ref(h).map_or(7, |s| linux_state(s.state()))
            }
            _ => 7,
        }
    }

    /// `struct tcp_info` as glibc declares it (104 bytes, up to tcpi_total_retrans).
    pub fn tcp_info(&self, id: u64) -> Vec<u8> {
        let mut v = vec![0u8; 104];
        v[0] = self.tcp_state_num(id);
        let mss: u32 = 65483;
        let put = |v: &mut Vec<u8>, off: usize, x: u32| {
            if let Some(d) = v.get_mut(off..off + 4) {
                d.copy_from_slice(&x.to_ne_bytes());
            }
        };
        // rto (us), ato, snd_mss, rcv_mss
        put(&mut v, 8, 200_000);
        put(&mut v, 12, 40_000);
        put(&mut v, 16, mss);
        put(&mut v, 20, 536);
        // pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering
        put(&mut v, 60, 65535);
        put(&mut v, 68, 1000);
        put(&mut v, 72, 500);
        put(&mut v, 76, 0x7fff_ffff);
        put(&mut v, 80, 10);
        put(&mut v, 84, mss);
        put(&mut v, 88, 3);
        v
    }

    pub fn sock_info(&mut self, id: u64) -> Option<InetSockInfo> {
        let e = self.socks.get(&id)?;
        let family = e.family;
        match &e.kind {
            Kind::Tcp(_) => {
                let local = self.tcp_local(id, family).ok()?;
                let remote = self
                    .tcp_peer(id, family)
                    .unwrap_or(sockaddr(family, None, 0));
                let (rx, tx) = self.tcp_queues(id).ok()?.unwrap_or((0, 0));
                Some(InetSockInfo {
                    protocol: IPPROTO_TCP,
                    family,
                    local,
                    remote,
                    state: self.tcp_state_num(id),
                    tx_queue: tx as u32,
                    rx_queue: rx as u32,
                    uid: 0,
                    inode: 0,
                })
            }
            Kind::Udp(_) => self.udp_info(id),
            Kind::Icmp(_) => None,
        }
    }
}

pub(crate) fn apply_opts(s: &mut tcp::Socket<'static>, o: &SockOpts) {
    s.set_ack_delay(if o.quickack {
        None
    } else {
        Some(Duration::from_millis(10))
    });
    // TCP_CORK holds small segments back like Nagle does (smoltcp has no cork)
    s.set_nagle_enabled(!o.nodelay || o.cork);
    s.set_keep_alive(if o.keepalive {
        Some(Duration::from_secs(o.keepintvl.max(1) as u64))
    } else {
        None
    });
    s.set_hop_limit(Some(o.ttl.clamp(1, 255) as u8));
}

impl StackInner {
    /// (receive level, send level) for the readiness report (see `StackInner::levels`).
    pub(crate) fn tcp_levels(&self, id: u64) -> (usize, usize) {
        let Some(Kind::Tcp(t)) = self.socks.get(&id).map(|e| &e.kind) else {
            return (0, 0);
        };
        match &t.conn {
            Conn::Listening { queue, .. } => (queue.len(), 0),
            Conn::Connected(h, _) => self
                .sock_ref(*h)
                .map(|s| (s.recv_queue() + t.staged.len(), s.send_queue()))
                .unwrap_or((0, 0)),
            _ => (0, 0),
        }
    }
}
