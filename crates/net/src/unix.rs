//! `AF_UNIX` sockets: `SOCK_STREAM`, `SOCK_DGRAM` and `SOCK_SEQPACKET`, with Linux's
//! semantics (`net/unix/af_unix.c`), host-tested.
//!
//! * [`Namespace`]: the names sockets are bound to. Abstract names (`"\0name"`) live in a
//!   table of their own, one per socket type as in Linux, and vanish when the socket
//!   closes. Path names live in the file system: [`UnixFs`] (implemented by the kernel)
//!   creates the `S_IFSOCK` node at `bind` and resolves a path at `connect`/`sendto`
//!   to the node's identity ([`NodeKey`]); the namespace maps that key to the bound
//!   socket. Unlinking the node removes the name (a later connect: `ENOENT`); a node
//!   nobody is bound to any more gives `ECONNREFUSED`.
//! * [`UnixSocket`]: one socket; it implements [`crate::Socket`].
//! * `socketpair(2)` is [`pair`].
//!
//! Data sent is queued on the receiver as messages (Linux's skbs): a stream message
//! carries up to 36544 bytes, and the sender is charged for what it has queued until
//! the receiver consumes it (`SO_SNDBUF` limits that, `SIOCOUTQ` reports it).
//! `SCM_RIGHTS` files ride on the message they were sent with.
//!
//! Known limits: `MSG_OOB` is not supported (`EOPNOTSUPP` on send); permissions of
//! the socket node and its directory are not checked; files in flight that refer back
//! to the socket they are queued on (a socket's own descriptor sent to itself) are
//! leaked when everything else is closed: there is no garbage collector.

mod sock;
#[cfg(test)]
mod tests;

use alloc::collections::BTreeMap;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};
use rill_abi::{Errno, KResult};
use spin::Mutex;

use crate::addr::UnixAddr;
use crate::procnet::UnixSockInfo;
use crate::socket::{Cred, Socket};

pub use sock::UnixSocket;

pub(crate) const STREAM: i32 = 1;
pub(crate) const DGRAM: i32 = 2;
pub(crate) const RAW: i32 = 3;
pub(crate) const SEQPACKET: i32 = 5;
/// `PF_UNIX`: the one protocol number besides 0 a unix socket accepts.
pub const PF_UNIX: i32 = 1;
/// `/proc/sys/net/unix/max_dgram_qlen` (Linux's default).
pub const MAX_DGRAM_QLEN: usize = 10;
/// `SOMAXCONN`: the largest listen backlog.
pub const SOMAXCONN: usize = 4096;

/// The identity of a file-system node (the kernel uses the inode's `(fs id, ino)`).
pub type NodeKey = (u64, u64);

/// The file-system half of path names, implemented by the kernel (paths are relative
/// to the calling process's cwd and root).
pub trait UnixFs: Send + Sync {
    /// Creates the socket node at `path` (mode `0777 & ~umask`); `EADDRINUSE` if the
    /// path exists, the path walk's errors otherwise.
    fn bind(&self, path: &[u8]) -> KResult<NodeKey>;
    /// Resolves `path`, following symlinks: `ENOENT` and the other walk errors, and
    /// `ECONNREFUSED` if it is not a socket node.
    fn lookup(&self, path: &[u8]) -> KResult<NodeKey>;
}

/// What a bound socket is registered under (removed when it closes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum BindKey {
    Path(NodeKey),
    Abstract(i32, Vec<u8>),
}

/// An abstract name: (socket type, name).
type AbstractKey = (i32, Vec<u8>);

/// The unix socket names of one kernel (or of one host test).
pub struct Namespace {
    fs: Arc<dyn UnixFs>,
    paths: Mutex<BTreeMap<NodeKey, Weak<UnixSocket>>>,
    abstracts: Mutex<BTreeMap<AbstractKey, Weak<UnixSocket>>>,
    all: Mutex<Vec<Weak<UnixSocket>>>,
    next_auto: AtomicU32,
}

impl Namespace {
    pub fn new(fs: Arc<dyn UnixFs>) -> Arc<Namespace> {
        Arc::new(Namespace {
            fs,
            paths: Mutex::new(BTreeMap::new()),
            abstracts: Mutex::new(BTreeMap::new()),
            all: Mutex::new(Vec::new()),
            next_auto: AtomicU32::new(0),
        })
    }

    /// `socket(AF_UNIX, ty, protocol)` (`ty` without flags).
    pub fn create(self: &Arc<Self>, ty: i32, protocol: i32) -> KResult<Arc<UnixSocket>> {
        if protocol != 0 && protocol != PF_UNIX {
            return Err(Errno::EPROTONOSUPPORT);
        }
        let ty = match ty {
            STREAM | DGRAM | SEQPACKET => ty,
            // BSD has AF_UNIX SOCK_RAW; Linux makes it a datagram socket
            RAW => DGRAM,
            _ => return Err(Errno::ESOCKTNOSUPPORT),
        };
        let s = UnixSocket::new(self.clone(), ty);
        let mut all = self.all.lock();
        all.retain(|w| w.strong_count() > 0);
        all.push(Arc::downgrade(&s));
        Ok(s)
    }

    /// Every live unix socket, for `/proc/net/unix`.
    pub fn sockets(&self) -> Vec<UnixSockInfo> {
        let socks: Vec<Arc<UnixSocket>> =
            self.all.lock().iter().filter_map(|w| w.upgrade()).collect();
        socks.iter().filter_map(|s| s.info()).collect()
    }

    /// Registers `sock` under a path name; returns the key.
    pub(crate) fn bind_path(&self, path: &[u8], sock: Weak<UnixSocket>) -> KResult<BindKey> {
        let key = self.fs.bind(path).map_err(|e| {
            if e == Errno::EEXIST {
                Errno::EADDRINUSE
            } else {
                e
            }
        })?;
        self.paths.lock().insert(key, sock);
        Ok(BindKey::Path(key))
    }

    pub(crate) fn bind_abstract(
        &self,
        ty: i32,
        name: &[u8],
        sock: Weak<UnixSocket>,
    ) -> KResult<BindKey> {
        let mut t = self.abstracts.lock();
        let k = (ty, name.to_vec());
        if t.get(&k).is_some_and(|w| w.strong_count() > 0) {
            return Err(Errno::EADDRINUSE);
        }
        t.insert(k, sock);
        Ok(BindKey::Abstract(ty, name.to_vec()))
    }

    /// A free five-hex-digit abstract name, registered for `sock` (Linux's autobind).
    pub(crate) fn autobind(&self, ty: i32, sock: Weak<UnixSocket>) -> KResult<(Vec<u8>, BindKey)> {
        let mut t = self.abstracts.lock();
        for _ in 0..=0xfffff {
            let n = self.next_auto.fetch_add(1, Ordering::Relaxed) & 0xfffff;
            let name = hex5(n);
            let k = (ty, name.clone());
            if t.get(&k).is_some_and(|w| w.strong_count() > 0) {
                continue;
            }
            t.insert(k, sock);
            return Ok((name.clone(), BindKey::Abstract(ty, name)));
        }
        Err(Errno::ENOSPC)
    }

    /// Removes a registration if it is still `sock`'s.
    pub(crate) fn unbind(&self, key: &BindKey, sock: *const UnixSocket) {
        match key {
            BindKey::Path(k) => {
                let mut t = self.paths.lock();
                if t.get(k).is_some_and(|w| w.as_ptr() == sock) {
                    t.remove(k);
                }
            }
            BindKey::Abstract(ty, n) => {
                let mut t = self.abstracts.lock();
                let k = (*ty, n.clone());
                if t.get(&k).is_some_and(|w| w.as_ptr() == sock) {
                    t.remove(&k);
                }
            }
        }
    }

    /// The socket bound to `addr` for a connect or send by a socket of type `ty`.
    pub(crate) fn find(&self, addr: &UnixAddr, ty: i32) -> KResult<Arc<UnixSocket>> {
        let s = match addr {
            UnixAddr::Unnamed => return Err(Errno::EINVAL),
            UnixAddr::Path(p) => {
                let key = self.fs.lookup(p)?;
                let s = self
                    .paths
                    .lock()
                    .get(&key)
                    .and_then(|w| w.upgrade())
                    .ok_or(Errno::ECONNREFUSED)?;
                if s.ty() != ty {
                    return Err(Errno::EPROTOTYPE);
                }
                s
            }
            UnixAddr::Abstract(n) => self
                .abstracts
                .lock()
                .get(&(ty, n.clone()))
                .and_then(|w| w.upgrade())
                .ok_or(Errno::ECONNREFUSED)?,
        };
        if s.is_dead() {
            return Err(Errno::ECONNREFUSED);
        }
        Ok(s)
    }
}

fn hex5(n: u32) -> Vec<u8> {
    const D: &[u8; 16] = b"0123456789abcdef";
    (0..5)
        .rev()
        .map(|i| D[((n >> (4 * i)) & 0xf) as usize])
        .collect()
}

/// `socketpair(AF_UNIX, ty, protocol)`: two connected sockets whose `SO_PEERCRED` is
/// `cred` (the creator's).
pub fn pair(
    ns: &Arc<Namespace>,
    ty: i32,
    protocol: i32,
    cred: Cred,
) -> KResult<(Arc<dyn Socket>, Arc<dyn Socket>)> {
    let (a, b) = pair_unix(ns, ty, protocol, cred)?;
    Ok((a, b))
}

/// [`pair`] with the concrete type.
pub fn pair_unix(
    ns: &Arc<Namespace>,
    ty: i32,
    protocol: i32,
    cred: Cred,
) -> KResult<(Arc<UnixSocket>, Arc<UnixSocket>)> {
    let a = ns.create(ty, protocol)?;
    let b = ns.create(ty, protocol)?;
    a.join(&b, cred);
    b.join(&a, cred);
    Ok((a, b))
}

/// Records the socket's inode number (the `SocketFile`'s), for `/proc/net/unix`.
pub fn set_inode(sock: &dyn Socket, ino: u64) {
    if let Some(u) = sock.as_any().downcast_ref::<UnixSocket>() {
        u.set_ino(ino);
    }
}

/// Whether `EPIPE` from this socket's send comes with `SIGPIPE`: Linux raises it for
/// unix stream sockets only (datagram and seqpacket sends give a bare `EPIPE`).
pub fn epipe_raises_sigpipe(sock: &dyn Socket) -> bool {
    sock.as_any()
        .downcast_ref::<UnixSocket>()
        .is_none_or(|u| u.ty() == STREAM)
}
