//! `AF_UNIX`: the kernel's side of `rill_net::unix`: the one namespace of unix socket
//! names, and path names as `S_IFSOCK` nodes in the file system (created by `bind`,
//! resolved by `connect`/`sendto` from the calling process's cwd and root, following
//! symlinks). A node is identified by its inode's `(fs id, ino)`.

use alloc::sync::Arc;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_net::unix::{Namespace, NodeKey, UnixFs};
use rill_net::{Cred, Socket};
use rill_vfs::FileType;

use crate::fs as kfs;
use crate::task::current;

/// Path names through the kernel's path walk.
struct KernelFs;

/// Whether the caller may do `want` (a `rwx` bit mask) to a node with `md`: the
/// owner, group or other bits by the effective ids (root may do anything). The
/// supplementary groups are not consulted.
fn may(md: &rill_vfs::Metadata, want: u32) -> bool {
    let c = current().process().creds();
    if c.euid == 0 {
        return true;
    }
    let bits = if md.uid == c.euid {
        md.mode >> 6
    } else if md.gid == c.egid {
        md.mode >> 3
    } else {
        md.mode
    };
    bits & want == want
}

impl UnixFs for KernelFs {
    fn bind(&self, path: &[u8]) -> KResult<NodeKey> {
        let (parent, name) = kfs::resolve_parent_at(kfs::AT_FDCWD, path)?;
        if name.is_empty() || name == b"." || name == b".." || rill_vfs::has_trailing_slash(path) {
            // Linux: kern_path_create fails with EEXIST (or ENOENT for "a/")
            return Err(if parent.inode().lookup(&name).is_ok() || name.is_empty() {
                Errno::EADDRINUSE
            } else {
                Errno::ENOENT
            });
        }
        if parent.mount().readonly() {
            return Err(if parent.inode().lookup(&name).is_ok() {
                Errno::EADDRINUSE
            } else {
                Errno::EROFS
            });
        }
        // Linux's vfs_mknod: write and search permission on the directory
        if !may(&parent.inode().metadata(), 0o3) {
            return Err(Errno::EACCES);
        }
        let p = current().process();
        let umask = p.fs.lock().umask;
        let c = p.creds();
        let node = parent
            .inode()
            .create(&name, FileType::Socket, 0o777 & !umask, 0, c.euid, c.egid)
            .map_err(|e| {
                if e == Errno::EEXIST {
                    Errno::EADDRINUSE
                } else {
                    e
                }
            })?;
        Ok(node.key())
    }

    fn lookup(&self, path: &[u8]) -> KResult<NodeKey> {
        let loc = kfs::resolve_at(kfs::AT_FDCWD, path, true)?;
        let inode = loc.inode();
        let md = inode.metadata();
        // Linux's unix_find_bsd: write permission on the node, before its type
        if !may(&md, 0o2) {
            return Err(Errno::EACCES);
        }
        if md.file_type() != FileType::Socket {
            return Err(Errno::ECONNREFUSED);
        }
        Ok(inode.key())
    }
}

static NS: spin::Once<Arc<Namespace>> = spin::Once::new();

/// The kernel's unix socket names.
pub fn namespace() -> &'static Arc<Namespace> {
    NS.call_once(|| {
        // write(2) on a socket learns the caller from here (SCM_CREDENTIALS)
        rill_net::file::set_caller_cred(current_cred);
        Namespace::new(Arc::new(KernelFs))
    })
}

/// The calling process's credentials as `SO_PEERCRED` reports them (pid, euid, egid).
pub fn current_cred() -> Cred {
    let p = current().process();
    let c = p.creds();
    Cred {
        pid: p.pid as i32,
        uid: c.euid,
        gid: c.egid,
    }
}

/// `socket(AF_UNIX, ty, protocol)` (`ty` without `SOCK_NONBLOCK`/`SOCK_CLOEXEC`).
pub fn create(ty: i32, protocol: i32) -> Result<Arc<dyn Socket>, Errno> {
    let s = namespace().create(ty, protocol)?;
    Ok(s)
}

/// Two connected sockets.
pub type SocketPair = (Arc<dyn Socket>, Arc<dyn Socket>);

/// `socketpair(AF_UNIX, ty, protocol)`: two connected sockets whose `SO_PEERCRED` is
/// the caller's.
pub fn pair(ty: i32, protocol: i32) -> Result<SocketPair, Errno> {
    rill_net::unix::pair(namespace(), ty, protocol, current_cred())
}

/// Every unix socket (for /proc/net/unix).
pub fn sockets() -> Vec<rill_net::procnet::UnixSockInfo> {
    namespace().sockets()
}
