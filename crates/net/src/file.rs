//! [`SocketFile`]: the open-file object of every socket, and the options every
//! family shares.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicU64, Ordering};
use rill_abi::{Errno, KResult};
use rill_vfs::{FileKind, FileLike, IoEvents, Poller, UserIo};

use crate::socket::{opt, Socket};

/// A socket as an open file. `read`/`write` are `recv`/`send` without flags.
pub struct SocketFile {
    pub sock: Arc<dyn Socket>,
    /// The socket's inode number (`socket:[N]` in /proc/self/fd, the `inode` column of
    /// /proc/net/*).
    pub ino: u64,
    /// `SO_RCVTIMEO` / `SO_SNDTIMEO` in nanoseconds; 0 means wait for ever.
    rcvtimeo: AtomicU64,
    sndtimeo: AtomicU64,
}

impl SocketFile {
    pub fn new(sock: Arc<dyn Socket>) -> Arc<SocketFile> {
        static NEXT_INO: AtomicU64 = AtomicU64::new(10_000);
        Arc::new(SocketFile {
            sock,
            ino: NEXT_INO.fetch_add(1, Ordering::Relaxed),
            rcvtimeo: AtomicU64::new(0),
            sndtimeo: AtomicU64::new(0),
        })
    }

    /// The receive timeout in ns (`None`: none).
    pub fn rcv_timeout(&self) -> Option<u64> {
        match self.rcvtimeo.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }
    /// The send timeout in ns (`None`: none).
    pub fn snd_timeout(&self) -> Option<u64> {
        match self.sndtimeo.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    /// `setsockopt`: the shared options first, then the family's.
    pub fn setsockopt(&self, level: i32, name: i32, val: &[u8]) -> KResult<()> {
        if level == opt::SOL_SOCKET {
            match name {
                opt::SO_RCVTIMEO_OLD
                | opt::SO_SNDTIMEO_OLD
                | opt::SO_RCVTIMEO_NEW
                | opt::SO_SNDTIMEO_NEW => {
                    let ns = parse_timeval(val)?;
                    let slot = if name == opt::SO_RCVTIMEO_OLD || name == opt::SO_RCVTIMEO_NEW {
                        &self.rcvtimeo
                    } else {
                        &self.sndtimeo
                    };
                    slot.store(ns, Ordering::Relaxed);
                    return Ok(());
                }
                opt::SO_TYPE
                | opt::SO_DOMAIN
                | opt::SO_PROTOCOL
                | opt::SO_ACCEPTCONN
                | opt::SO_PEERCRED
                | opt::SO_ERROR => return Err(Errno::ENOPROTOOPT),
                _ => {}
            }
        }
        self.sock.setsockopt(level, name, val)
    }

    /// `getsockopt`: the full value (the caller truncates it to the user's length).
    pub fn getsockopt(&self, level: i32, name: i32) -> KResult<Vec<u8>> {
        if level == opt::SOL_SOCKET {
            let int = |v: i32| Ok(v.to_ne_bytes().to_vec());
            match name {
                opt::SO_TYPE => return int(self.sock.sock_type()),
                opt::SO_DOMAIN => return int(self.sock.domain()),
                opt::SO_PROTOCOL => return int(self.sock.protocol()),
                opt::SO_ERROR => return int(self.sock.take_error().map_or(0, |e| e.0)),
                opt::SO_RCVTIMEO_OLD | opt::SO_RCVTIMEO_NEW => {
                    return Ok(timeval_bytes(self.rcvtimeo.load(Ordering::Relaxed)))
                }
                opt::SO_SNDTIMEO_OLD | opt::SO_SNDTIMEO_NEW => {
                    return Ok(timeval_bytes(self.sndtimeo.load(Ordering::Relaxed)))
                }
                _ => {}
            }
        }
        self.sock.getsockopt(level, name)
    }
}

/// `struct timeval` (16 bytes) to ns, as Linux's `sock_set_timeout`: too short is
/// EINVAL, `tv_usec` outside 0..1000000 is EDOM, a negative time means no wait at
/// all... Linux stores 0 for negative seconds (it warns), and {0,0} means none.
pub fn parse_timeval(val: &[u8]) -> KResult<u64> {
    if val.len() < 16 {
        return Err(Errno::EINVAL);
    }
    let sec = i64::from_ne_bytes(val[0..8].try_into().map_err(|_| Errno::EINVAL)?);
    let usec = i64::from_ne_bytes(val[8..16].try_into().map_err(|_| Errno::EINVAL)?);
    if !(0..1_000_000).contains(&usec) {
        return Err(Errno::EDOM);
    }
    if sec < 0 {
        return Ok(0);
    }
    let ns = (sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(usec as u64 * 1000);
    Ok(ns)
}

/// ns to `struct timeval` bytes (Linux rounds down to microseconds).
pub fn timeval_bytes(ns: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(16);
    v.extend_from_slice(&((ns / 1_000_000_000) as i64).to_ne_bytes());
    v.extend_from_slice(&(((ns % 1_000_000_000) / 1000) as i64).to_ne_bytes());
    v
}

/// Who is calling, for `write(2)` on a socket (which has no other way to learn it);
/// set once by the kernel.
static CALLER_CRED: spin::Once<fn() -> crate::Cred> = spin::Once::new();

/// Installs the function that gives the calling process's credentials.
pub fn set_caller_cred(f: fn() -> crate::Cred) {
    CALLER_CRED.call_once(|| f);
}

fn caller_cred() -> crate::Cred {
    CALLER_CRED.get().map_or_else(Default::default, |f| f())
}

impl FileLike for SocketFile {
    fn read(&self, _offset: &mut u64, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        self.sock.recv(buf, 0).map(|r| r.len)
    }
    fn write(&self, _offset: &mut u64, buf: &[u8], _nonblock: bool) -> KResult<usize> {
        self.sock.send(buf, None, Vec::new(), 0, caller_cred())
    }
    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.sock.poll(mask, poller)
    }
    fn ioctl(&self, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
        self.sock.ioctl(cmd, arg, io)
    }
    fn kind(&self) -> FileKind {
        FileKind::Socket
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        self.sock.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeval_rules() {
        let tv = |s: i64, u: i64| {
            let mut v = s.to_ne_bytes().to_vec();
            v.extend_from_slice(&u.to_ne_bytes());
            v
        };
        assert_eq!(parse_timeval(&tv(1, 500_000)), Ok(1_500_000_000));
        assert_eq!(parse_timeval(&tv(0, 1_000_000)), Err(Errno::EDOM));
        assert_eq!(parse_timeval(&tv(-1, 0)), Ok(0));
        assert_eq!(parse_timeval(&[0; 8]), Err(Errno::EINVAL));
        assert_eq!(timeval_bytes(1_500_000_999), tv(1, 500_000));
    }
}
