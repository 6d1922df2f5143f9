//! The [`Socket`] trait every family implements, and the messages that cross it.
//!
//! Calls never block: where Linux would sleep they return `EAGAIN` (and for a
//! connection being set up, `connect` returns `EINPROGRESS`); the kernel's syscall
//! layer (`kernel/src/syscall/net.rs`) then waits on [`Socket::poll`] with the
//! socket's timeout and calls again. So a socket only has to keep its state and its
//! [`rill_vfs::Pollee`] right: every change that can make a waiter's call succeed
//! must `notify` the pollee.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use rill_abi::{Errno, KResult};
use rill_vfs::{IoEvents, Poller, UserIo};

use crate::addr::SockAddr;

pub use rill_abi::consts::{
    AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, AF_UNSPEC, MSG_CMSG_CLOEXEC, MSG_CTRUNC,
    MSG_DONTWAIT, MSG_EOR, MSG_NOSIGNAL, MSG_OOB, MSG_PEEK, MSG_TRUNC, MSG_WAITALL,
    SCM_CREDENTIALS, SCM_RIGHTS, SHUT_RD, SHUT_RDWR, SHUT_WR, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET,
    SOCK_STREAM, SOL_SOCKET,
};

/// Levels and options beyond `rill_abi::consts`.
pub mod opt {
    pub const SOL_IP: i32 = 0;
    pub const SOL_TCP: i32 = 6;
    pub const SOL_UDP: i32 = 17;
    pub const SOL_IPV6: i32 = 41;
    pub const SOL_ICMPV6: i32 = 58;
    pub const SOL_NETLINK: i32 = 270;
    pub const SOL_SOCKET: i32 = 1;

    pub const SO_DEBUG: i32 = 1;
    pub const SO_REUSEADDR: i32 = 2;
    pub const SO_TYPE: i32 = 3;
    pub const SO_ERROR: i32 = 4;
    pub const SO_DONTROUTE: i32 = 5;
    pub const SO_BROADCAST: i32 = 6;
    pub const SO_SNDBUF: i32 = 7;
    pub const SO_RCVBUF: i32 = 8;
    pub const SO_KEEPALIVE: i32 = 9;
    pub const SO_OOBINLINE: i32 = 10;
    pub const SO_NO_CHECK: i32 = 11;
    pub const SO_PRIORITY: i32 = 12;
    pub const SO_LINGER: i32 = 13;
    pub const SO_REUSEPORT: i32 = 15;
    pub const SO_PASSCRED: i32 = 16;
    pub const SO_PEERCRED: i32 = 17;
    pub const SO_RCVLOWAT: i32 = 18;
    pub const SO_SNDLOWAT: i32 = 19;
    pub const SO_RCVTIMEO_OLD: i32 = 20;
    pub const SO_SNDTIMEO_OLD: i32 = 21;
    pub const SO_BINDTODEVICE: i32 = 25;
    pub const SO_TIMESTAMP_OLD: i32 = 29;
    pub const SO_ACCEPTCONN: i32 = 30;
    pub const SO_SNDBUFFORCE: i32 = 32;
    pub const SO_RCVBUFFORCE: i32 = 33;
    pub const SO_PASSSEC: i32 = 34;
    pub const SO_MARK: i32 = 36;
    pub const SO_PROTOCOL: i32 = 38;
    pub const SO_DOMAIN: i32 = 39;
    pub const SO_RXQ_OVFL: i32 = 40;
    pub const SO_PEEK_OFF: i32 = 42;
    pub const SO_BUSY_POLL: i32 = 46;
    pub const SO_INCOMING_CPU: i32 = 49;
    pub const SO_COOKIE: i32 = 57;
    pub const SO_PEERGROUPS: i32 = 59;
    pub const SO_RCVTIMEO_NEW: i32 = 66;
    pub const SO_SNDTIMEO_NEW: i32 = 67;

    pub const TCP_NODELAY: i32 = 1;
    pub const TCP_MAXSEG: i32 = 2;
    pub const TCP_CORK: i32 = 3;
    pub const TCP_KEEPIDLE: i32 = 4;
    pub const TCP_KEEPINTVL: i32 = 5;
    pub const TCP_KEEPCNT: i32 = 6;
    pub const TCP_SYNCNT: i32 = 7;
    pub const TCP_LINGER2: i32 = 8;
    pub const TCP_DEFER_ACCEPT: i32 = 9;
    pub const TCP_WINDOW_CLAMP: i32 = 10;
    pub const TCP_INFO: i32 = 11;
    pub const TCP_QUICKACK: i32 = 12;
    pub const TCP_CONGESTION: i32 = 13;
    pub const TCP_USER_TIMEOUT: i32 = 18;
    pub const TCP_FASTOPEN: i32 = 23;
    pub const TCP_NOTSENT_LOWAT: i32 = 25;

    pub const IP_TOS: i32 = 1;
    pub const IP_TTL: i32 = 2;
    pub const IP_HDRINCL: i32 = 3;
    pub const IP_OPTIONS: i32 = 4;
    pub const IP_RECVERR: i32 = 11;
    pub const IP_PKTINFO: i32 = 8;
    pub const IP_MTU_DISCOVER: i32 = 10;
    pub const IP_RECVTOS: i32 = 13;
    pub const IP_MTU: i32 = 14;
    pub const IP_FREEBIND: i32 = 15;
    pub const IP_MULTICAST_IF: i32 = 32;
    pub const IP_MULTICAST_TTL: i32 = 33;
    pub const IP_MULTICAST_LOOP: i32 = 34;
    pub const IP_ADD_MEMBERSHIP: i32 = 35;
    pub const IP_DROP_MEMBERSHIP: i32 = 36;

    pub const IPV6_UNICAST_HOPS: i32 = 16;
    pub const IPV6_MULTICAST_IF: i32 = 17;
    pub const IPV6_MULTICAST_HOPS: i32 = 18;
    pub const IPV6_MULTICAST_LOOP: i32 = 19;
    pub const IPV6_JOIN_GROUP: i32 = 20;
    pub const IPV6_LEAVE_GROUP: i32 = 21;
    pub const IPV6_V6ONLY: i32 = 26;
    pub const IPV6_RECVPKTINFO: i32 = 49;
    pub const IPV6_PKTINFO: i32 = 50;
    pub const IPV6_TCLASS: i32 = 67;
}

/// Who is calling: the credentials `SO_PEERCRED` and `SCM_CREDENTIALS` report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cred {
    pub pid: i32,
    pub uid: u32,
    pub gid: u32,
}

/// An open file passed with `SCM_RIGHTS`: the kernel's open file description, opaque
/// here (the kernel puts in and takes out its own type).
pub type FileRef = Arc<dyn Any + Send + Sync>;

/// One control message (`struct cmsghdr` and its data).
#[derive(Clone)]
pub enum Cmsg {
    /// `SOL_SOCKET`/`SCM_RIGHTS`: files to install in the receiver's table.
    Rights(Vec<FileRef>),
    /// `SOL_SOCKET`/`SCM_CREDENTIALS`.
    Credentials(Cred),
    /// Any other message, kept as bytes (`IP_PKTINFO`, `IP_TOS`, ...).
    Other { level: i32, ty: i32, data: Vec<u8> },
}

impl core::fmt::Debug for Cmsg {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Cmsg::Rights(v) => write!(f, "Rights({} files)", v.len()),
            Cmsg::Credentials(c) => write!(f, "Credentials({:?})", c),
            Cmsg::Other { level, ty, data } => write!(f, "Other({level}, {ty}, {data:?})"),
        }
    }
}

/// What a `recv` gave.
#[derive(Debug, Default)]
pub struct RecvInfo {
    /// Bytes copied into the buffer.
    pub len: usize,
    /// For datagrams, the datagram's full length (what `MSG_TRUNC` in the flags
    /// returns); equal to `len` otherwise.
    pub full_len: usize,
    /// The sender (datagram sockets; `None` for connected streams).
    pub addr: Option<SockAddr>,
    /// Control messages to deliver.
    pub cmsgs: Vec<Cmsg>,
    /// `msg_flags` to report (`MSG_TRUNC`, `MSG_EOR`, ...; the syscall layer adds
    /// `MSG_CTRUNC` when the control buffer was too small).
    pub flags: i32,
}

/// A socket of any family. Methods take `&self`: sockets are shared between
/// descriptors and threads and lock inside.
pub trait Socket: Send + Sync + Any {
    /// `SO_DOMAIN`, `SO_TYPE` (without flags), `SO_PROTOCOL`.
    fn domain(&self) -> i32;
    fn sock_type(&self) -> i32;
    fn protocol(&self) -> i32;

    fn bind(&self, addr: &SockAddr) -> KResult<()>;
    /// `EINPROGRESS` when a connection is being set up (then `poll` reports
    /// `POLLOUT` when it is done and [`Socket::take_error`] gives its result);
    /// `SockAddr::Unspec` dissolves a datagram association.
    fn connect(&self, addr: &SockAddr, cred: Cred) -> KResult<()>;
    fn listen(&self, backlog: i32, cred: Cred) -> KResult<()> {
        let _ = (backlog, cred);
        Err(Errno::EOPNOTSUPP)
    }
    /// A new connection and its peer's address; `EAGAIN` when none is queued.
    fn accept(&self) -> KResult<(Arc<dyn Socket>, SockAddr)> {
        Err(Errno::EOPNOTSUPP)
    }
    /// Sends one message (`data` is the gathered iovecs). `EAGAIN` when nothing fits;
    /// a partial count when part fits (streams). `EPIPE`: the syscall layer raises
    /// `SIGPIPE` unless `MSG_NOSIGNAL`.
    fn send(
        &self,
        data: &[u8],
        to: Option<&SockAddr>,
        cmsgs: Vec<Cmsg>,
        flags: i32,
        cred: Cred,
    ) -> KResult<usize>;
    /// Receives into `buf` (`MSG_PEEK`, `MSG_TRUNC`, `MSG_OOB` handled here,
    /// `MSG_WAITALL` by the syscall layer). `EAGAIN` when nothing is there; `Ok` with
    /// `len` 0 at end of stream.
    fn recv(&self, buf: &mut [u8], flags: i32) -> KResult<RecvInfo>;
    fn shutdown(&self, how: i32) -> KResult<()>;
    /// `getsockname`.
    fn local_addr(&self) -> KResult<SockAddr>;
    /// `getpeername`: `ENOTCONN` where Linux gives it.
    fn peer_addr(&self) -> KResult<SockAddr>;
    /// Options of this family (the shared `SOL_SOCKET` ones [`crate::SocketFile`]
    /// answers first are `SO_TYPE`, `SO_DOMAIN`, `SO_PROTOCOL`, `SO_RCVTIMEO`,
    /// `SO_SNDTIMEO`). Unknown ones: `ENOPROTOOPT`.
    fn setsockopt(&self, level: i32, name: i32, val: &[u8]) -> KResult<()>;
    /// The option's value (the caller truncates it to the user's length).
    fn getsockopt(&self, level: i32, name: i32) -> KResult<Vec<u8>>;
    /// The pending error (`SO_ERROR`), cleared by reading.
    fn take_error(&self) -> Option<Errno> {
        None
    }
    /// Readiness, registering `poller` first (see `rill_vfs::pollee`).
    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents;
    /// Family ioctls (`FIONREAD`, `SIOCOUTQ`, ...); `ENOTTY` for unknown ones
    /// (interface ioctls `SIOCGIF*` are answered before this by the kernel).
    fn ioctl(&self, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
        let _ = (cmd, arg, io);
        Err(Errno::ENOTTY)
    }
    /// The last descriptor was closed (`SO_LINGER`, unbinding, waking peers).
    fn close(&self) {}
    fn as_any(&self) -> &dyn Any;
}

/// Reads an `int` option value as Linux does (shorter than 4 bytes: EINVAL).
pub fn opt_int(val: &[u8]) -> KResult<i32> {
    if val.len() < 4 {
        return Err(Errno::EINVAL);
    }
    Ok(i32::from_ne_bytes([val[0], val[1], val[2], val[3]]))
}

/// An `int` option value.
pub fn int_val(v: i32) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}
