//! One `AF_UNIX` socket.
//!
//! Each socket's state is behind its own lock, and no code path holds two of them at
//! once (a datagram socket may send to itself): state is read from one socket, its
//! lock dropped, then the other is locked. Queued messages hold files (`SCM_RIGHTS`)
//! and their sender; they are always dropped with no lock held, since dropping a file
//! may close another socket.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use rill_abi::{Errno, KResult};
use rill_vfs::file::poll::*;
use rill_vfs::{IoEvents, Pollee, Poller, UserIo};
use spin::{Mutex, MutexGuard};

use super::{BindKey, Namespace, DGRAM, MAX_DGRAM_QLEN, SEQPACKET, SOMAXCONN, STREAM};
use crate::addr::{SockAddr, UnixAddr};
use crate::procnet::UnixSockInfo;
use crate::socket::{int_val, opt, opt_int, Cmsg, Cred, FileRef, RecvInfo, Socket};

const POLLWRBAND: IoEvents = 0x200;
const IN: IoEvents = POLLIN | POLLRDNORM;
const OUT: IoEvents = POLLOUT | POLLWRNORM | POLLWRBAND;
const ALL: IoEvents = IN | OUT | POLLHUP | POLLRDHUP | POLLERR;

const RCV_SHUTDOWN: u8 = 1;
const SEND_SHUTDOWN: u8 = 2;
const SHUTDOWN_MASK: u8 = 3;

const MSG_OOB: i32 = 0x1;
const MSG_PEEK: i32 = 0x2;
const MSG_TRUNC: i32 = 0x20;
const MSG_DONTWAIT: i32 = 0x40;
const SCM_MAX_FD: usize = 253;
const FIONREAD: u32 = 0x541B;
const TIOCOUTQ: u32 = 0x5411;

/// `net.core.wmem_default`/`rmem_default` and `_max` (Linux's defaults).
pub const WMEM_DEFAULT: i32 = 212_992;
pub const WMEM_MAX: u32 = 212_992;
pub const RMEM_MAX: u32 = 212_992;
const SOCK_MIN_SNDBUF: i32 = 4608;
const SOCK_MIN_RCVBUF: i32 = 2304;
/// The largest stream message (Linux: `SKB_MAX_HEAD(0) + 32 KiB`).
const STREAM_CHUNK: usize = 36_544;
/// The credentials a message sent without them reports (`pid` 0, the overflow ids).
const NOBODY: Cred = Cred {
    pid: 0,
    uid: 65534,
    gid: 65534,
};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Close,
    Listen,
    Established,
}

/// A queued message (an skb).
struct Msg {
    data: Vec<u8>,
    consumed: usize,
    rights: Option<Vec<FileRef>>,
    cred: Option<Cred>,
    sender: Arc<UnixSocket>,
}

impl Drop for Msg {
    fn drop(&mut self) {
        self.sender.uncharge(self.data.len());
    }
}

struct St {
    phase: Phase,
    shutdown: u8,
    dead: bool,
    err: Option<Errno>,
    /// The socket's name (an accepted socket shares its listener's).
    addr: UnixAddr,
    /// Where the name is registered (only the socket that bound it).
    bind_key: Option<BindKey>,
    peer: Option<Arc<UnixSocket>>,
    rx: VecDeque<Msg>,
    /// Listen backlog, or the datagram queue limit.
    backlog: usize,
    accept_q: VecDeque<Arc<UnixSocket>>,
    /// Made by `connect`, not accepted yet.
    embryo: bool,
    passcred: bool,
    peercred: Option<Cred>,
    sndbuf: i32,
    rcvbuf: i32,
    /// Sockets waiting for room in this one's queue (woken with POLLOUT).
    waiters: Vec<Weak<UnixSocket>>,
    /// The socket whose full queue made our last connect/send fail with EAGAIN:
    /// we are not writable until it has room.
    wait_target: Option<Weak<UnixSocket>>,
    /// Generic `SOL_SOCKET` options that only need to be remembered.
    opts: BTreeMap<i32, Vec<u8>>,
}

/// An `AF_UNIX` socket.
pub struct UnixSocket {
    ty: i32,
    ns: Arc<Namespace>,
    me: Weak<UnixSocket>,
    pollee: Pollee,
    /// Bytes this socket has queued on receivers and they have not consumed.
    wmem: AtomicUsize,
    ino: AtomicU64,
    st: Mutex<St>,
}

fn same(a: &Arc<UnixSocket>, b: &UnixSocket) -> bool {
    core::ptr::eq(Arc::as_ptr(a), b)
}

fn notify_all(ws: Vec<Weak<UnixSocket>>) {
    for w in ws {
        if let Some(s) = w.upgrade() {
            s.pollee.notify(OUT);
        }
    }
}

/// The control data of a send.
struct Scm {
    rights: Option<Vec<FileRef>>,
    cred: Option<Cred>,
}

fn parse_cmsgs(cmsgs: Vec<Cmsg>, caller: Cred) -> KResult<Scm> {
    let mut rights: Vec<FileRef> = Vec::new();
    let mut cred = None;
    for c in cmsgs {
        match c {
            Cmsg::Rights(v) => {
                if rights.len() + v.len() > SCM_MAX_FD {
                    return Err(Errno::EINVAL);
                }
                rights.extend(v);
            }
            Cmsg::Credentials(c) => {
                // Linux's scm_check_creds: one's own pid and ids unless privileged
                if caller.uid != 0 && c != caller {
                    return Err(Errno::EPERM);
                }
                cred = Some(c);
            }
            Cmsg::Other { level, .. } => {
                if level == opt::SOL_SOCKET {
                    return Err(Errno::EINVAL);
                }
            }
        }
    }
    Ok(Scm {
        rights: (!rights.is_empty()).then_some(rights),
        cred,
    })
}

impl UnixSocket {
    pub(crate) fn new(ns: Arc<Namespace>, ty: i32) -> Arc<UnixSocket> {
        Arc::new_cyclic(|me| UnixSocket {
            ty,
            ns,
            me: me.clone(),
            pollee: Pollee::new(0),
            wmem: AtomicUsize::new(0),
            ino: AtomicU64::new(0),
            st: Mutex::new(St {
                phase: Phase::Close,
                shutdown: 0,
                dead: false,
                err: None,
                addr: UnixAddr::Unnamed,
                bind_key: None,
                peer: None,
                rx: VecDeque::new(),
                backlog: MAX_DGRAM_QLEN,
                accept_q: VecDeque::new(),
                embryo: false,
                passcred: false,
                peercred: None,
                sndbuf: WMEM_DEFAULT,
                rcvbuf: WMEM_DEFAULT,
                waiters: Vec::new(),
                wait_target: None,
                opts: BTreeMap::new(),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, St> {
        self.st.lock()
    }

    fn arc(&self) -> Option<Arc<UnixSocket>> {
        self.me.upgrade()
    }

    pub fn ty(&self) -> i32 {
        self.ty
    }

    pub(crate) fn is_dead(&self) -> bool {
        self.lock().dead
    }

    pub(crate) fn set_ino(&self, ino: u64) {
        self.ino.store(ino, Ordering::Relaxed);
    }

    /// The socket's name (`Unnamed` if none).
    pub fn name(&self) -> UnixAddr {
        self.lock().addr.clone()
    }

    fn named(&self) -> Option<SockAddr> {
        match self.name() {
            UnixAddr::Unnamed => None,
            a => Some(SockAddr::Unix(a)),
        }
    }

    /// Connects two fresh sockets back to back (socketpair).
    pub(crate) fn join(&self, other: &Arc<UnixSocket>, cred: Cred) {
        let mut s = self.lock();
        s.peer = Some(other.clone());
        s.phase = Phase::Established;
        s.peercred = Some(cred);
    }

    fn uncharge(&self, n: usize) {
        self.wmem.fetch_sub(n, Ordering::AcqRel);
        self.pollee.notify(OUT);
    }

    fn connection(&self) -> bool {
        self.ty == STREAM || self.ty == SEQPACKET
    }

    /// Whether a socket's queue is full for a new connection or datagram.
    fn queue_full(&self) -> bool {
        let s = self.lock();
        let len = if s.phase == Phase::Listen {
            s.accept_q.len()
        } else {
            s.rx.len()
        };
        !s.dead && s.shutdown & RCV_SHUTDOWN == 0 && len > s.backlog
    }

    /// Asks `target` to wake us when its queue has room.
    fn wait_for(&self, target: &Arc<UnixSocket>) {
        {
            let mut t = target.lock();
            if !t.waiters.iter().any(|w| core::ptr::eq(w.as_ptr(), self)) {
                t.waiters.retain(|w| w.strong_count() > 0);
                t.waiters.push(self.me.clone());
            }
        }
        self.lock().wait_target = Some(Arc::downgrade(target));
    }

    fn autobind(&self) -> KResult<()> {
        if self.lock().addr != UnixAddr::Unnamed {
            return Ok(());
        }
        let (name, key) = self.ns.autobind(self.ty, self.me.clone())?;
        let mut s = self.lock();
        s.addr = UnixAddr::Abstract(name);
        s.bind_key = Some(key);
        Ok(())
    }

    fn wants_autobind(&self) -> bool {
        let s = self.lock();
        s.passcred && s.addr == UnixAddr::Unnamed
    }

    /// Linux's `unix_release_sock`.
    fn release(&self, embryo: bool) {
        let (key, peer, rx, accept_q, waiters) = {
            let mut s = self.lock();
            if s.dead {
                return;
            }
            s.dead = true;
            s.shutdown = SHUTDOWN_MASK;
            s.phase = Phase::Close;
            s.wait_target = None;
            (
                s.bind_key.take(),
                s.peer.take(),
                core::mem::take(&mut s.rx),
                core::mem::take(&mut s.accept_q),
                core::mem::take(&mut s.waiters),
            )
        };
        if let Some(k) = key {
            self.ns.unbind(&k, self);
        }
        notify_all(waiters);
        if let Some(p) = &peer {
            if self.connection() {
                {
                    let mut ps = p.lock();
                    ps.shutdown = SHUTDOWN_MASK;
                    if !rx.is_empty() || embryo {
                        ps.err = Some(Errno::ECONNRESET);
                    }
                }
                p.pollee.notify(ALL);
            }
        }
        for e in accept_q {
            e.release(true);
        }
        drop(rx);
        drop(peer);
        self.pollee.notify(ALL);
    }

    /// A datagram socket leaves its peer `old` (reconnect, or the peer died): its
    /// queue is purged, and a live peer connected back to it is told ECONNRESET.
    fn dgram_disconnected(&self, old: &Arc<UnixSocket>) {
        let purged = core::mem::take(&mut self.lock().rx);
        if !purged.is_empty() {
            let hit = {
                let mut o = old.lock();
                let back = o.peer.as_ref().is_some_and(|p| same(p, self));
                if !o.dead && back {
                    o.err = Some(Errno::ECONNRESET);
                }
                !o.dead && back
            };
            if hit {
                old.pollee.notify(POLLERR);
            }
        }
        drop(purged);
        self.pollee.notify(OUT);
    }

    fn connect_stream(&self, addr: &SockAddr, cred: Cred) -> KResult<()> {
        let a = match addr {
            SockAddr::Unix(UnixAddr::Unnamed) | SockAddr::Unspec => return Err(Errno::EINVAL),
            SockAddr::Unix(a) => a,
            _ => return Err(Errno::EINVAL),
        };
        if self.wants_autobind() {
            self.autobind()?;
        }
        let other = self.ns.find(a, self.ty)?;
        let me = self.arc().ok_or(Errno::EINVAL)?;
        let my_phase = self.lock().phase;
        let embryo = UnixSocket::new(self.ns.clone(), self.ty);
        let listener_cred = {
            let mut o = other.lock();
            if o.dead || o.phase != Phase::Listen || o.shutdown & RCV_SHUTDOWN != 0 {
                return Err(Errno::ECONNREFUSED);
            }
            if o.accept_q.len() > o.backlog {
                drop(o);
                self.wait_for(&other);
                return Err(Errno::EAGAIN);
            }
            match my_phase {
                Phase::Close => {}
                Phase::Established => return Err(Errno::EISCONN),
                Phase::Listen => return Err(Errno::EINVAL),
            }
            {
                let mut e = embryo.lock();
                e.phase = Phase::Established;
                e.peer = Some(me);
                e.peercred = Some(cred);
                e.addr = o.addr.clone();
                e.embryo = true;
            }
            o.accept_q.push_back(embryo.clone());
            o.peercred
        };
        {
            let mut all = self.ns.all.lock();
            all.push(Arc::downgrade(&embryo));
        }
        other.pollee.notify(IN);
        {
            let mut s = self.lock();
            s.peer = Some(embryo);
            s.phase = Phase::Established;
            s.peercred = listener_cred;
            s.wait_target = None;
        }
        self.pollee.notify(OUT);
        Ok(())
    }

    fn connect_dgram(&self, addr: &SockAddr) -> KResult<()> {
        let other = match addr {
            SockAddr::Unspec => None,
            SockAddr::Unix(UnixAddr::Unnamed) => return Err(Errno::EINVAL),
            SockAddr::Unix(a) => {
                if self.wants_autobind() {
                    self.autobind()?;
                }
                let other = self.ns.find(a, self.ty)?;
                {
                    let o = other.lock();
                    if o.dead {
                        return Err(Errno::ECONNREFUSED);
                    }
                    if o.peer.as_ref().is_some_and(|p| !same(p, self)) {
                        return Err(Errno::EPERM);
                    }
                }
                Some(other)
            }
            _ => return Err(Errno::EINVAL),
        };
        let old = {
            let mut s = self.lock();
            s.phase = if other.is_some() {
                Phase::Established
            } else {
                Phase::Close
            };
            s.wait_target = None;
            core::mem::replace(&mut s.peer, other.clone())
        };
        if let Some(old) = old {
            let changed = other.as_ref().is_none_or(|o| !Arc::ptr_eq(o, &old));
            if changed {
                self.dgram_disconnected(&old);
            }
        }
        self.pollee.notify(OUT);
        Ok(())
    }

    fn send_stream(
        &self,
        data: &[u8],
        to: Option<&SockAddr>,
        scm: Scm,
        flags: i32,
        cred: Cred,
    ) -> KResult<usize> {
        if flags & MSG_OOB != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        let (peer, phase, shutdown, passcred, sndbuf) = {
            let s = self.lock();
            (s.peer.clone(), s.phase, s.shutdown, s.passcred, s.sndbuf)
        };
        if to.is_some() {
            return Err(if phase == Phase::Established {
                Errno::EISCONN
            } else {
                Errno::EOPNOTSUPP
            });
        }
        let peer = peer.ok_or(Errno::ENOTCONN)?;
        if shutdown & SEND_SHUTDOWN != 0 {
            return Err(Errno::EPIPE);
        }
        let me = self.arc().ok_or(Errno::EPIPE)?;
        let chunk = ((sndbuf / 2 - 64).max(1) as usize).min(STREAM_CHUNK);
        let mut rights = scm.rights;
        let mut sent = 0;
        while sent < data.len() {
            if self.wmem.load(Ordering::Acquire) >= sndbuf as usize {
                break;
            }
            let n = (data.len() - sent).min(chunk);
            self.wmem.fetch_add(n, Ordering::AcqRel);
            let mut msg = Msg {
                data: data[sent..sent + n].to_vec(),
                consumed: 0,
                rights: rights.take(),
                cred: scm.cred,
                sender: me.clone(),
            };
            let refused = {
                let mut p = peer.lock();
                if p.dead || p.shutdown & RCV_SHUTDOWN != 0 {
                    Some(msg)
                } else {
                    if msg.cred.is_none() && (passcred || p.passcred || p.embryo) {
                        msg.cred = Some(cred);
                    }
                    p.rx.push_back(msg);
                    None
                }
            };
            if let Some(m) = refused {
                // not queued: dropped here, with no lock held
                drop(m);
                return if sent > 0 {
                    Ok(sent)
                } else {
                    Err(Errno::EPIPE)
                };
            }
            peer.pollee.notify(IN);
            sent += n;
        }
        if sent == 0 && !data.is_empty() {
            return Err(Errno::EAGAIN);
        }
        Ok(sent)
    }

    fn send_dgram(
        &self,
        data: &[u8],
        to: Option<&SockAddr>,
        scm: Scm,
        flags: i32,
        cred: Cred,
    ) -> KResult<usize> {
        if self.ty == SEQPACKET {
            let mut s = self.lock();
            if let Some(e) = s.err.take() {
                return Err(e);
            }
            if s.phase != Phase::Established {
                return Err(Errno::ENOTCONN);
            }
        }
        if flags & MSG_OOB != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        let to = if self.ty == SEQPACKET { None } else { to };
        let peer = self.lock().peer.clone();
        let target = match to {
            Some(SockAddr::Unix(UnixAddr::Unnamed)) | Some(SockAddr::Unspec) => {
                return Err(Errno::EINVAL)
            }
            Some(SockAddr::Unix(a)) => Some(a),
            Some(_) => return Err(Errno::EINVAL),
            None => {
                if peer.is_none() {
                    return Err(Errno::ENOTCONN);
                }
                None
            }
        };
        if self.wants_autobind() {
            self.autobind()?;
        }
        let (passcred, sndbuf) = {
            let mut s = self.lock();
            if data.len() + 32 > s.sndbuf.max(0) as usize {
                return Err(Errno::EMSGSIZE);
            }
            if let Some(e) = s.err.take() {
                return Err(e);
            }
            if s.shutdown & SEND_SHUTDOWN != 0 {
                return Err(Errno::EPIPE);
            }
            (s.passcred, s.sndbuf)
        };
        if self.wmem.load(Ordering::Acquire) >= sndbuf as usize {
            return Err(Errno::EAGAIN);
        }
        let other = match (target, peer) {
            (Some(a), _) => self.ns.find(a, self.ty)?,
            (None, Some(p)) => p,
            (None, None) => return Err(Errno::ENOTCONN),
        };
        let me = self.arc().ok_or(Errno::EPIPE)?;
        let mut msg = Msg {
            data: data.to_vec(),
            consumed: 0,
            rights: scm.rights,
            cred: scm.cred,
            sender: me,
        };
        self.wmem.fetch_add(data.len(), Ordering::AcqRel);
        let to_self = same(&other, self);
        let mut o = other.lock();
        if o.dead {
            drop(o);
            drop(msg);
            if self.ty == SEQPACKET {
                return Err(Errno::EPIPE);
            }
            let was_peer = {
                let mut s = self.lock();
                let p = s.peer.as_ref().is_some_and(|p| Arc::ptr_eq(p, &other));
                if p {
                    s.peer = None;
                    s.phase = Phase::Close;
                }
                p
            };
            if was_peer {
                self.dgram_disconnected(&other);
            }
            return Err(Errno::ECONNREFUSED);
        }
        let back = o.peer.as_ref().is_some_and(|p| same(p, self));
        if o.peer.is_some() && !back {
            drop(o);
            drop(msg);
            return Err(Errno::EPERM);
        }
        if o.shutdown & RCV_SHUTDOWN != 0 {
            drop(o);
            drop(msg);
            return Err(Errno::EPIPE);
        }
        let len = if o.phase == Phase::Listen {
            o.accept_q.len()
        } else {
            o.rx.len()
        };
        if !to_self && !back && len > o.backlog {
            drop(o);
            drop(msg);
            self.wait_for(&other);
            return Err(Errno::EAGAIN);
        }
        if msg.cred.is_none() && (passcred || o.passcred) {
            msg.cred = Some(cred);
        }
        o.rx.push_back(msg);
        drop(o);
        self.lock().wait_target = None;
        other.pollee.notify(IN);
        Ok(data.len())
    }

    fn recv_stream(&self, buf: &mut [u8], flags: i32) -> KResult<RecvInfo> {
        let peek = flags & MSG_PEEK != 0;
        let mut done: Vec<Msg> = Vec::new();
        let mut copied = 0;
        let mut rights: Option<Vec<FileRef>> = None;
        let mut cred: Option<Option<Cred>> = None;
        let mut sender: Option<Arc<UnixSocket>> = None;
        let passcred;
        {
            let mut s = self.lock();
            if s.phase != Phase::Established {
                return Err(Errno::EINVAL);
            }
            if flags & MSG_OOB != 0 {
                return Err(Errno::EINVAL);
            }
            passcred = s.passcred;
            if s.rx.is_empty() {
                if let Some(e) = s.err.take() {
                    return Err(e);
                }
                if s.shutdown & RCV_SHUTDOWN != 0 {
                    return Ok(RecvInfo::default());
                }
                return Err(Errno::EAGAIN);
            }
            let mut idx = 0;
            while let Some(m) = s.rx.get_mut(idx) {
                if passcred {
                    match cred {
                        None => cred = Some(m.cred),
                        // never glue messages from different writers
                        Some(c) if c != m.cred => break,
                        _ => {}
                    }
                }
                if sender.is_none() {
                    sender = Some(m.sender.clone());
                }
                let start = m.consumed.min(m.data.len());
                let n = (m.data.len() - start).min(buf.len() - copied);
                buf[copied..copied + n].copy_from_slice(&m.data[start..start + n]);
                copied += n;
                if peek {
                    if let Some(r) = &m.rights {
                        rights = Some(r.clone());
                        break;
                    }
                    idx += 1;
                } else {
                    m.consumed = start + n;
                    if let Some(r) = m.rights.take() {
                        rights = Some(r);
                    }
                    if m.consumed < m.data.len() {
                        break;
                    }
                    if let Some(m) = s.rx.pop_front() {
                        done.push(m);
                    }
                    if rights.is_some() {
                        break;
                    }
                }
                if copied == buf.len() {
                    break;
                }
            }
        }
        let addr = sender.and_then(|p| p.named());
        drop(done);
        let mut cmsgs = Vec::new();
        if let Some(c) = cred {
            cmsgs.push(Cmsg::Credentials(c.unwrap_or(NOBODY)));
        }
        if let Some(r) = rights {
            cmsgs.push(Cmsg::Rights(r));
        }
        Ok(RecvInfo {
            len: copied,
            full_len: copied,
            addr,
            cmsgs,
            flags: 0,
        })
    }

    fn recv_dgram(&self, buf: &mut [u8], flags: i32) -> KResult<RecvInfo> {
        let peek = flags & MSG_PEEK != 0;
        if flags & MSG_OOB != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        let (n, full, cred, rights, sender, msg, waiters, passcred) = {
            let mut s = self.lock();
            if self.ty == SEQPACKET && s.phase != Phase::Established {
                return Err(Errno::ENOTCONN);
            }
            if let Some(e) = s.err.take() {
                return Err(e);
            }
            let passcred = s.passcred;
            let Some(front) = s.rx.front_mut() else {
                if s.shutdown & RCV_SHUTDOWN != 0
                    && (self.ty == SEQPACKET || flags & MSG_DONTWAIT == 0)
                {
                    return Ok(RecvInfo::default());
                }
                return Err(Errno::EAGAIN);
            };
            let full = front.data.len();
            let n = full.min(buf.len());
            buf[..n].copy_from_slice(&front.data[..n]);
            let cred = front.cred;
            let sender = front.sender.clone();
            if peek {
                let rights = front.rights.clone();
                (n, full, cred, rights, sender, None, Vec::new(), passcred)
            } else {
                let rights = front.rights.take();
                let msg = s.rx.pop_front();
                let waiters = core::mem::take(&mut s.waiters);
                (n, full, cred, rights, sender, msg, waiters, passcred)
            }
        };
        notify_all(waiters);
        let addr = sender.named();
        drop(msg);
        let mut cmsgs = Vec::new();
        if passcred {
            cmsgs.push(Cmsg::Credentials(cred.unwrap_or(NOBODY)));
        }
        if let Some(r) = rights {
            cmsgs.push(Cmsg::Rights(r));
        }
        Ok(RecvInfo {
            len: n,
            full_len: full,
            addr,
            cmsgs,
            flags: if n < full { MSG_TRUNC } else { 0 },
        })
    }

    /// `accept` with the concrete type.
    pub fn accept_unix(&self) -> KResult<(Arc<UnixSocket>, SockAddr)> {
        if self.ty == DGRAM {
            return Err(Errno::EOPNOTSUPP);
        }
        let (e, passcred, waiters) = {
            let mut s = self.lock();
            if s.phase != Phase::Listen {
                return Err(Errno::EINVAL);
            }
            let Some(e) = s.accept_q.pop_front() else {
                if s.shutdown & RCV_SHUTDOWN != 0 {
                    return Err(Errno::EINVAL);
                }
                return Err(Errno::EAGAIN);
            };
            (e, s.passcred, core::mem::take(&mut s.waiters))
        };
        notify_all(waiters);
        let peer = {
            let mut es = e.lock();
            es.embryo = false;
            if passcred {
                es.passcred = true;
            }
            es.peer.clone()
        };
        let addr = peer.map_or(UnixAddr::Unnamed, |p| p.name());
        Ok((e, SockAddr::Unix(addr)))
    }

    pub(crate) fn info(&self) -> Option<UnixSockInfo> {
        let s = self.lock();
        if s.dead {
            return None;
        }
        let state = match (s.phase, s.embryo) {
            (Phase::Established, false) => 3,
            (Phase::Established, true) => 2,
            _ => 1,
        };
        let path = match &s.addr {
            UnixAddr::Unnamed => None,
            UnixAddr::Path(p) => Some(p.clone()),
            UnixAddr::Abstract(n) => {
                let mut v = Vec::with_capacity(n.len() + 1);
                v.push(b'@');
                v.extend(n.iter().map(|&c| if c == 0 { b'@' } else { c }));
                Some(v)
            }
        };
        Some(UnixSockInfo {
            sock_type: self.ty,
            state,
            listening: s.phase == Phase::Listen,
            inode: self.ino.load(Ordering::Relaxed),
            path,
        })
    }
}

fn bool_opt(v: i32) -> Vec<u8> {
    int_val((v != 0) as i32)
}

impl Socket for UnixSocket {
    fn domain(&self) -> i32 {
        rill_abi::consts::AF_UNIX as i32
    }
    fn sock_type(&self) -> i32 {
        self.ty
    }
    fn protocol(&self) -> i32 {
        0
    }

    fn bind(&self, addr: &SockAddr) -> KResult<()> {
        let a = match addr {
            SockAddr::Unix(a) => a,
            _ => return Err(Errno::EINVAL),
        };
        if *a == UnixAddr::Unnamed {
            return self.autobind();
        }
        if self.lock().addr != UnixAddr::Unnamed {
            return Err(Errno::EINVAL);
        }
        let key = match a {
            UnixAddr::Path(p) => self.ns.bind_path(p, self.me.clone())?,
            UnixAddr::Abstract(n) => self.ns.bind_abstract(self.ty, n, self.me.clone())?,
            UnixAddr::Unnamed => return Err(Errno::EINVAL),
        };
        let mut s = self.lock();
        s.addr = a.clone();
        s.bind_key = Some(key);
        Ok(())
    }

    fn connect(&self, addr: &SockAddr, cred: Cred) -> KResult<()> {
        if self.ty == DGRAM {
            self.connect_dgram(addr)
        } else {
            self.connect_stream(addr, cred)
        }
    }

    fn listen(&self, backlog: i32, cred: Cred) -> KResult<()> {
        if self.ty == DGRAM {
            return Err(Errno::EOPNOTSUPP);
        }
        let waiters = {
            let mut s = self.lock();
            if s.addr == UnixAddr::Unnamed {
                return Err(Errno::EINVAL);
            }
            if s.phase != Phase::Close && s.phase != Phase::Listen {
                return Err(Errno::EINVAL);
            }
            let backlog = if backlog < 0 || backlog as usize > SOMAXCONN {
                SOMAXCONN
            } else {
                backlog as usize
            };
            let grew = s.phase == Phase::Listen && backlog > s.backlog;
            s.backlog = backlog;
            s.phase = Phase::Listen;
            s.peercred = Some(cred);
            if grew {
                core::mem::take(&mut s.waiters)
            } else {
                Vec::new()
            }
        };
        notify_all(waiters);
        self.pollee.notify(ALL);
        Ok(())
    }

    fn accept(&self) -> KResult<(Arc<dyn Socket>, SockAddr)> {
        let (s, a) = self.accept_unix()?;
        Ok((s, a))
    }

    fn send(
        &self,
        data: &[u8],
        to: Option<&SockAddr>,
        cmsgs: Vec<Cmsg>,
        flags: i32,
        cred: Cred,
    ) -> KResult<usize> {
        let scm = parse_cmsgs(cmsgs, cred)?;
        if self.ty == STREAM {
            self.send_stream(data, to, scm, flags, cred)
        } else {
            self.send_dgram(data, to, scm, flags, cred)
        }
    }

    fn recv(&self, buf: &mut [u8], flags: i32) -> KResult<RecvInfo> {
        if self.ty == STREAM {
            self.recv_stream(buf, flags)
        } else {
            self.recv_dgram(buf, flags)
        }
    }

    fn shutdown(&self, how: i32) -> KResult<()> {
        if !(0..=2).contains(&how) {
            return Err(Errno::EINVAL);
        }
        let mode = (how + 1) as u8;
        let (peer, waiters) = {
            let mut s = self.lock();
            s.shutdown |= mode;
            let w = if mode & RCV_SHUTDOWN != 0 {
                core::mem::take(&mut s.waiters)
            } else {
                Vec::new()
            };
            (s.peer.clone(), w)
        };
        notify_all(waiters);
        self.pollee.notify(ALL);
        if let Some(p) = peer.filter(|_| self.connection()) {
            let mut peer_mode = 0;
            if mode & RCV_SHUTDOWN != 0 {
                peer_mode |= SEND_SHUTDOWN;
            }
            if mode & SEND_SHUTDOWN != 0 {
                peer_mode |= RCV_SHUTDOWN;
            }
            p.lock().shutdown |= peer_mode;
            p.pollee.notify(ALL);
        }
        Ok(())
    }

    fn local_addr(&self) -> KResult<SockAddr> {
        Ok(SockAddr::Unix(self.name()))
    }

    fn peer_addr(&self) -> KResult<SockAddr> {
        let p = self.lock().peer.clone().ok_or(Errno::ENOTCONN)?;
        Ok(SockAddr::Unix(p.name()))
    }

    fn setsockopt(&self, level: i32, name: i32, val: &[u8]) -> KResult<()> {
        if level != opt::SOL_SOCKET {
            return Err(Errno::EOPNOTSUPP);
        }
        let store = |v: Vec<u8>| {
            self.lock().opts.insert(name, v);
            Ok(())
        };
        match name {
            opt::SO_SNDBUF | opt::SO_SNDBUFFORCE => {
                let v = opt_int(val)?;
                let v = if name == opt::SO_SNDBUF {
                    (v as u32).min(WMEM_MAX) as i32
                } else {
                    v.clamp(0, i32::MAX / 2)
                };
                self.lock().sndbuf = v.saturating_mul(2).max(SOCK_MIN_SNDBUF);
                self.pollee.notify(OUT);
                Ok(())
            }
            opt::SO_RCVBUF | opt::SO_RCVBUFFORCE => {
                let v = opt_int(val)?;
                let v = if name == opt::SO_RCVBUF {
                    (v as u32).min(RMEM_MAX) as i32
                } else {
                    v.clamp(0, i32::MAX / 2)
                };
                self.lock().rcvbuf = v.saturating_mul(2).max(SOCK_MIN_RCVBUF);
                Ok(())
            }
            opt::SO_PASSCRED => {
                let v = opt_int(val)?;
                self.lock().passcred = v != 0;
                Ok(())
            }
            opt::SO_REUSEADDR
            | opt::SO_KEEPALIVE
            | opt::SO_BROADCAST
            | opt::SO_DONTROUTE
            | opt::SO_OOBINLINE
            | opt::SO_PASSSEC
            | opt::SO_DEBUG => store(bool_opt(opt_int(val)?)),
            opt::SO_PRIORITY | opt::SO_MARK => store(int_val(opt_int(val)?)),
            opt::SO_RCVLOWAT => {
                let v = opt_int(val)?;
                let v = if v < 0 { i32::MAX } else { v.max(1) };
                store(int_val(v))
            }
            opt::SO_LINGER => {
                if val.len() < 8 {
                    return Err(Errno::EINVAL);
                }
                let on = opt_int(&val[..4])?;
                let secs = opt_int(&val[4..8])?;
                let mut v = bool_opt(on);
                v.extend_from_slice(&secs.to_ne_bytes());
                store(v)
            }
            _ => Err(Errno::ENOPROTOOPT),
        }
    }

    fn getsockopt(&self, level: i32, name: i32) -> KResult<Vec<u8>> {
        if level != opt::SOL_SOCKET {
            return Err(Errno::EOPNOTSUPP);
        }
        let s = self.lock();
        let stored = |d: Vec<u8>| Ok(s.opts.get(&name).cloned().unwrap_or(d));
        match name {
            opt::SO_SNDBUF => Ok(int_val(s.sndbuf)),
            opt::SO_RCVBUF => Ok(int_val(s.rcvbuf)),
            opt::SO_PASSCRED => Ok(int_val(s.passcred as i32)),
            opt::SO_ACCEPTCONN => Ok(int_val((s.phase == Phase::Listen) as i32)),
            opt::SO_PEERCRED => {
                let c = s.peercred.unwrap_or(Cred {
                    pid: 0,
                    uid: u32::MAX,
                    gid: u32::MAX,
                });
                let mut v = Vec::with_capacity(12);
                v.extend_from_slice(&c.pid.to_ne_bytes());
                v.extend_from_slice(&c.uid.to_ne_bytes());
                v.extend_from_slice(&c.gid.to_ne_bytes());
                Ok(v)
            }
            opt::SO_REUSEADDR
            | opt::SO_KEEPALIVE
            | opt::SO_BROADCAST
            | opt::SO_DONTROUTE
            | opt::SO_OOBINLINE
            | opt::SO_PASSSEC
            | opt::SO_DEBUG
            | opt::SO_PRIORITY
            | opt::SO_MARK => stored(int_val(0)),
            opt::SO_RCVLOWAT => stored(int_val(1)),
            opt::SO_SNDLOWAT => Ok(int_val(1)),
            opt::SO_LINGER => stored(alloc::vec![0; 8]),
            _ => Err(Errno::ENOPROTOOPT),
        }
    }

    fn take_error(&self) -> Option<Errno> {
        self.lock().err.take()
    }

    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.pollee.register_poller(poller, mask);
        let (mut ev, writable, peer, target) = {
            let s = self.lock();
            let mut ev = 0;
            if s.err.is_some() {
                ev |= POLLERR;
            }
            if s.shutdown == SHUTDOWN_MASK {
                ev |= POLLHUP;
            }
            if s.shutdown & RCV_SHUTDOWN != 0 {
                ev |= POLLRDHUP | IN;
            }
            if !s.rx.is_empty() || !s.accept_q.is_empty() {
                ev |= IN;
            }
            if self.connection() && s.phase == Phase::Close {
                ev |= POLLHUP;
            }
            let writable = s.phase != Phase::Listen
                && self.wmem.load(Ordering::Acquire).saturating_mul(4) <= s.sndbuf.max(0) as usize;
            (ev, writable, s.peer.clone(), s.wait_target.clone())
        };
        if self.ty != STREAM && mask & OUT == 0 {
            return ev;
        }
        let mut writable = writable;
        if writable {
            if let Some(t) = target {
                match t.upgrade() {
                    Some(t) if t.queue_full() => {
                        self.wait_for(&t);
                        writable = false;
                    }
                    _ => self.lock().wait_target = None,
                }
            }
        }
        if writable && self.ty != STREAM {
            if let Some(p) = peer.filter(|p| !same(p, self)) {
                let back = p.lock().peer.as_ref().is_some_and(|q| same(q, self));
                if !back && p.queue_full() {
                    self.wait_for(&p);
                    writable = false;
                }
            }
        }
        if writable {
            ev |= OUT;
        }
        ev
    }

    fn ioctl(&self, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
        let v = match cmd {
            FIONREAD => {
                let s = self.lock();
                if s.phase == Phase::Listen {
                    return Err(Errno::EINVAL);
                }
                let n = if self.ty == DGRAM {
                    s.rx.front().map_or(0, |m| m.data.len())
                } else {
                    s.rx.iter()
                        .map(|m| m.data.len().saturating_sub(m.consumed))
                        .sum()
                };
                n.min(i32::MAX as usize) as i32
            }
            TIOCOUTQ => self.wmem.load(Ordering::Acquire).min(i32::MAX as usize) as i32,
            _ => return Err(Errno::ENOTTY),
        };
        io.write_i32(arg, v)?;
        Ok(0)
    }

    fn close(&self) {
        self.release(false);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
