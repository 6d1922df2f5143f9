//! Path walking across symlinks and mount points.

use alloc::sync::Arc;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};

use crate::inode::{FileType, Inode};
use crate::mount::{Mount, MountTable};

pub const PATH_MAX: usize = 4096;
pub const NAME_MAX: usize = 255;
/// Symlinks followed in one resolution before ELOOP.
pub const MAX_SYMLINKS: usize = 40;

/// One component of a [`Location`]: its name, its inode (a mounted root where
/// something is mounted) and the mount it is in.
#[derive(Clone)]
struct Entry {
    name: Vec<u8>,
    inode: Arc<dyn Inode>,
    mnt: Arc<Mount>,
}

/// A resolved position: the stack of components from the root (whose name is "").
/// Each holds its mount, so a mount with a location inside is busy.
#[derive(Clone)]
pub struct Location {
    stack: Vec<Entry>,
}

impl Location {
    /// The root of `mnt` as a location of its own.
    pub fn mount_root(mnt: Arc<Mount>) -> Self {
        Location {
            stack: alloc::vec![Entry {
                name: Vec::new(),
                inode: mnt.root().clone(),
                mnt,
            }],
        }
    }

    fn last(&self) -> &Entry {
        // The stack is never empty: constructors push the root and `parent` keeps it.
        &self.stack[self.stack.len() - 1]
    }

    /// The inode at this location (a mounted root where something is mounted).
    pub fn inode(&self) -> &Arc<dyn Inode> {
        &self.last().inode
    }

    /// The mount this location is in.
    pub fn mount(&self) -> &Arc<Mount> {
        &self.last().mnt
    }

    /// Whether this is the root of its mount.
    pub fn is_mount_root(&self) -> bool {
        let e = self.last();
        e.inode.key() == e.mnt.root().key()
    }

    /// The path below the root of its mount ("/" at that root), as bytes.
    pub fn path_in_mount(&self) -> Vec<u8> {
        let id = self.mount().id;
        let first = self
            .stack
            .iter()
            .rposition(|e| e.mnt.id != id)
            .map_or(0, |i| i + 1);
        let mut s = Vec::new();
        for e in self.stack.iter().skip(first + 1) {
            s.push(b'/');
            s.extend_from_slice(&e.name);
        }
        if s.is_empty() {
            s.push(b'/');
        }
        s
    }

    /// The absolute path, e.g. "/a/b" ("/" for the root), as bytes (a name
    /// is any bytes but '/' and NUL).
    pub fn path(&self) -> Vec<u8> {
        if self.stack.len() <= 1 {
            return b"/".to_vec();
        }
        let mut s = Vec::new();
        for e in self.stack.iter().skip(1) {
            s.push(b'/');
            s.extend_from_slice(&e.name);
        }
        s
    }

    /// The last component's name ("" at the root).
    pub fn name(&self) -> &[u8] {
        &self.last().name
    }

    /// The containing directory (the root is its own parent).
    pub fn parent(&self) -> Location {
        let mut l = self.clone();
        if l.stack.len() > 1 {
            l.stack.pop();
        }
        l
    }

    /// Number of components below the root.
    pub fn depth(&self) -> usize {
        self.stack.len() - 1
    }

    /// A child location in the same mount (no lookup is done).
    pub fn child(&self, name: &[u8], inode: Arc<dyn Inode>) -> Location {
        let mut l = self.clone();
        let mnt = self.mount().clone();
        l.stack.push(Entry {
            name: name.to_vec(),
            inode,
            mnt,
        });
        l
    }

    fn push(&mut self, name: Vec<u8>, inode: Arc<dyn Inode>, mnt: Arc<Mount>) {
        self.stack.push(Entry { name, inode, mnt });
    }
}

/// Whether `path` ends with '/' (after a non-slash part).
pub fn has_trailing_slash(path: &[u8]) -> bool {
    path.len() > 1 && path.ends_with(b"/")
}

/// Resolves paths relative to a root (the process's chroot) through mounts.
pub struct Walker<'a> {
    pub mounts: &'a MountTable,
    pub root: &'a Location,
}

fn check_path(path: &[u8]) -> KResult<()> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if path.len() >= PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(())
}

fn push_components(stack: &mut Vec<Vec<u8>>, path: &[u8]) -> KResult<()> {
    for c in path.split(|&b| b == b'/').rev() {
        if c.is_empty() {
            continue;
        }
        if c.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        stack.push(c.to_vec());
    }
    Ok(())
}

impl Walker<'_> {
    fn dotdot(&self, cur: &mut Location) {
        if cur.inode().key() == self.root.inode().key() {
            return;
        }
        if cur.stack.len() > 1 {
            cur.stack.pop();
        }
    }

    /// Resolves `path` from `start` (or the root for absolute paths).
    /// `follow_last`: follow a symlink in the last component. A trailing slash
    /// forces following and requires a directory.
    pub fn resolve(&self, start: &Location, path: &[u8], follow_last: bool) -> KResult<Location> {
        check_path(path)?;
        let trailing = has_trailing_slash(path);
        let mut cur = if path.starts_with(b"/") {
            self.root.clone()
        } else {
            start.clone()
        };
        let mut comps: Vec<Vec<u8>> = Vec::new();
        push_components(&mut comps, path)?;
        let mut links = 0;
        while let Some(name) = comps.pop() {
            let is_last = comps.is_empty();
            if cur.inode().metadata().file_type() != FileType::Directory {
                return Err(Errno::ENOTDIR);
            }
            if name == b"." {
                continue;
            }
            if name == b".." {
                self.dotdot(&mut cur);
                continue;
            }
            let looked = cur.inode().lookup(&name)?;
            let (mnt, child) = self.mounts.cross(cur.mount(), looked);
            let is_link = child.metadata().file_type() == FileType::Symlink;
            if is_link && (!is_last || follow_last || trailing) {
                links += 1;
                if links > MAX_SYMLINKS {
                    return Err(Errno::ELOOP);
                }
                // MS_NOSYMFOLLOW: no symlink on that mount is followed
                if mnt.flags() & crate::mount::mnt::NOSYMFOLLOW != 0 {
                    return Err(Errno::ELOOP);
                }
                if let Some(target) = child.magic_link() {
                    let m = self.mounts.mount_of_inode(&target, cur.mount());
                    cur.push(name, target, m);
                    continue;
                }
                let target = child.readlink()?;
                if target.is_empty() {
                    return Err(Errno::ENOENT);
                }
                if target.len() >= PATH_MAX {
                    return Err(Errno::ENAMETOOLONG);
                }
                if target.starts_with(b"/") {
                    cur = self.root.clone();
                }
                push_components(&mut comps, &target)?;
                continue;
            }
            cur.push(name, child, mnt);
        }
        if trailing && cur.inode().metadata().file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok(cur)
    }

    /// Resolves all but the last component. Returns the containing directory
    /// and the last name with trailing slashes stripped (use
    /// [`has_trailing_slash`] on the original path to learn whether there were
    /// any). The name may be "." or ".." (and is "." for "/"); callers map these
    /// to EEXIST/EINVAL/EBUSY like Linux.
    pub fn resolve_parent(&self, start: &Location, path: &[u8]) -> KResult<(Location, Vec<u8>)> {
        check_path(path)?;
        let end = path.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
        let trimmed = &path[..end];
        if trimmed.is_empty() {
            // "/" or "///"
            return Ok((self.root.clone(), b".".to_vec()));
        }
        let (dir, last): (&[u8], &[u8]) = match trimmed.iter().rposition(|&b| b == b'/') {
            Some(i) => trimmed.split_at(i + 1),
            None => (b"", trimmed),
        };
        if last.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let loc = if dir.is_empty() {
            start.clone()
        } else {
            self.resolve(start, dir, true)?
        };
        if loc.inode().metadata().file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok((loc, last.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mount::{SuperBlock, TmpfsSb};
    use crate::tmpfs::TmpFs;

    fn sb_of(fs: &Arc<TmpFs>) -> Arc<SuperBlock> {
        SuperBlock::new("tmpfs", Arc::new(TmpfsSb::new(fs.clone(), false)), 0)
    }

    fn table_for(fs: &Arc<TmpFs>) -> MountTable {
        MountTable::new(sb_of(fs), b"rootfs")
    }

    fn mkdir(d: &Arc<dyn Inode>, n: &[u8]) -> Arc<dyn Inode> {
        d.create(n, FileType::Directory, 0o755, 0, 0, 0).unwrap()
    }

    #[test]
    fn walk() {
        let fs = TmpFs::new();
        let r = fs.root();
        let a = mkdir(&r, b"a");
        let b = mkdir(&a, b"b");
        b.create(b"f", FileType::Regular, 0o644, 0, 0, 0).unwrap();
        a.symlink(b"lb", b"b").unwrap();
        a.symlink(b"abs", b"/a/b/f").unwrap();
        r.symlink(b"loop", b"loop").unwrap();
        r.symlink(b"dangling", b"nowhere").unwrap();
        let mounts = table_for(&fs);
        let root = mounts.root_location();
        let w = Walker {
            mounts: &mounts,
            root: &root,
        };
        let l = w.resolve(&root, b"/a/b/f", true).unwrap();
        assert_eq!(l.path(), b"/a/b/f");
        assert_eq!(l.parent().path(), b"/a/b");
        assert_eq!(root.path(), b"/");
        let la = w.resolve(&root, b"a", true).unwrap();
        // relative, b"." and b".."
        assert_eq!(
            w.resolve(&la, b"./b/../b/./f", true).unwrap().path(),
            b"/a/b/f"
        );
        assert_eq!(w.resolve(&la, b"../../../..", true).unwrap().path(), b"/");
        // symlinks in the middle are followed, the last only on request
        assert_eq!(
            w.resolve(&root, b"/a/lb/f", false).unwrap().path(),
            b"/a/b/f"
        );
        let nl = w.resolve(&root, b"/a/abs", false).unwrap();
        assert_eq!(nl.inode().metadata().file_type(), FileType::Symlink);
        assert_eq!(nl.path(), b"/a/abs");
        assert_eq!(w.resolve(&la, b"abs", true).unwrap().path(), b"/a/b/f");
        // b".." after a symlink works on the resolved path
        assert_eq!(w.resolve(&root, b"/a/lb/..", true).unwrap().path(), b"/a");
        // errors
        assert_eq!(w.resolve(&root, b"", true).err(), Some(Errno::ENOENT));
        assert_eq!(
            w.resolve(&root, b"/nope/x", true).err(),
            Some(Errno::ENOENT)
        );
        assert_eq!(
            w.resolve(&root, b"/a/b/f/x", true).err(),
            Some(Errno::ENOTDIR)
        );
        assert_eq!(
            w.resolve(&root, b"/a/b/f/.", true).err(),
            Some(Errno::ENOTDIR)
        );
        assert_eq!(w.resolve(&root, b"/loop", true).err(), Some(Errno::ELOOP));
        assert!(w.resolve(&root, b"/loop", false).is_ok());
        assert_eq!(
            w.resolve(&root, b"/loop/x", false).err(),
            Some(Errno::ELOOP)
        );
        assert_eq!(
            w.resolve(&root, b"/dangling", true).err(),
            Some(Errno::ENOENT)
        );
        let long = alloc::format!("/{}", "x".repeat(256)).into_bytes();
        assert_eq!(
            w.resolve(&root, &long, true).err(),
            Some(Errno::ENAMETOOLONG)
        );
        let huge = b"/a".repeat(2048);
        assert_eq!(
            w.resolve(&root, &huge, true).err(),
            Some(Errno::ENAMETOOLONG)
        );
        // trailing slash: needs a directory, follows the last symlink
        assert_eq!(
            w.resolve(&root, b"/a/b/f/", false).err(),
            Some(Errno::ENOTDIR)
        );
        assert_eq!(w.resolve(&root, b"/a/lb/", false).unwrap().path(), b"/a/b");
        assert_eq!(
            w.resolve(&root, b"/a/abs/", false).err(),
            Some(Errno::ENOTDIR)
        );
        // 40 links are fine, 41 are not
        let chain = mkdir(&r, b"chain");
        chain.symlink(b"l0", b"/a").unwrap();
        for i in 1..=40 {
            chain
                .symlink(
                    alloc::format!("l{i}").as_bytes(),
                    alloc::format!("l{}", i - 1).as_bytes(),
                )
                .unwrap();
        }
        assert_eq!(w.resolve(&root, b"/chain/l39", true).unwrap().path(), b"/a");
        assert_eq!(
            w.resolve(&root, b"/chain/l40", true).err(),
            Some(Errno::ELOOP)
        );
    }

    #[test]
    fn chroot_root_and_parent() {
        let fs = TmpFs::new();
        let r = fs.root();
        let jail = mkdir(&r, b"jail");
        mkdir(&jail, b"etc");
        jail.symlink(b"esc", b"/../..").unwrap();
        let mounts = table_for(&fs);
        let top = mounts.root_location();
        let w0 = Walker {
            mounts: &mounts,
            root: &top,
        };
        let jroot = w0.resolve(&top, b"/jail", true).unwrap();
        let w = Walker {
            mounts: &mounts,
            root: &jroot,
        };
        let e = w.resolve(&jroot, b"../../etc", true).unwrap();
        assert_eq!(e.path(), b"/jail/etc");
        let esc = w.resolve(&jroot, b"esc", true).unwrap();
        assert_eq!(esc.path(), b"/jail");

        let (p, n) = w0.resolve_parent(&top, b"/jail/etc/new").unwrap();
        assert_eq!((p.path(), n), (b"/jail/etc".to_vec(), b"new".to_vec()));
        let (p, n) = w0.resolve_parent(&top, b"/jail/etc/").unwrap();
        assert_eq!((p.path(), n), (b"/jail".to_vec(), b"etc".to_vec()));
        assert!(has_trailing_slash(b"/jail/etc/"));
        assert!(!has_trailing_slash(b"/"));
        let (p, n) = w0.resolve_parent(&p, b"x").unwrap();
        assert_eq!((p.path(), n), (b"/jail".to_vec(), b"x".to_vec()));
        let (p, n) = w0.resolve_parent(&top, b"/").unwrap();
        assert_eq!((p.path(), n), (b"/".to_vec(), b".".to_vec()));
        let (_, n) = w0.resolve_parent(&top, b"/jail/..").unwrap();
        assert_eq!(n, b"..");
        assert_eq!(w0.resolve_parent(&top, b"").err(), Some(Errno::ENOENT));
        assert_eq!(w0.resolve_parent(&top, b"/no/x").err(), Some(Errno::ENOENT));
        let f = r.create(b"f", FileType::Regular, 0o644, 0, 0, 0).unwrap();
        drop(f);
        assert_eq!(w0.resolve_parent(&top, b"/f/x").err(), Some(Errno::ENOTDIR));
    }

    #[test]
    fn mounts() {
        let fs = TmpFs::new();
        let r = fs.root();
        let mnt = mkdir(&r, b"mnt");
        mnt.create(b"hidden", FileType::Regular, 0o644, 0, 0, 0)
            .unwrap();
        let other = TmpFs::new();
        let or = other.root();
        mkdir(&or, b"inner");
        let mounts = table_for(&fs);
        let root = mounts.root_location();
        let w = Walker {
            mounts: &mounts,
            root: &root,
        };
        let at = w.resolve(&root, b"/mnt", true).unwrap();
        mounts.mount_new(&at, sb_of(&other), b"o", 0).unwrap();
        let inner = w.resolve(&root, b"/mnt/inner", true).unwrap();
        assert_eq!(inner.path(), b"/mnt/inner");
        assert_eq!(inner.path_in_mount(), b"/inner");
        assert_eq!(inner.inode().fs_id(), other.fs_id());
        assert_eq!(
            w.resolve(&root, b"/mnt/hidden", true).err(),
            Some(Errno::ENOENT)
        );
        // b".." from the mounted root goes back to the outer fs
        let up = w.resolve(&inner, b"../..", true).unwrap();
        assert_eq!(up.path(), b"/");
        assert_eq!(up.inode().fs_id(), fs.fs_id());
        assert_eq!(up.mount().id, mounts.root_mount().id);
        // symlink into the mount
        r.symlink(b"l", b"/mnt/inner").unwrap();
        assert_eq!(
            w.resolve(&root, b"/l", true).unwrap().inode().fs_id(),
            other.fs_id()
        );
        // a second mount on the same point stacks on top, as on Linux
        let third = TmpFs::new();
        let mroot = w.resolve(&root, b"/mnt", true).unwrap();
        mounts.mount_new(&mroot, sb_of(&third), b"t", 0).unwrap();
        assert_eq!(
            w.resolve(&root, b"/mnt", true).unwrap().inode().fs_id(),
            third.fs_id()
        );
        assert_eq!(mounts.umount(&inner, 0, 1).err(), Some(Errno::EINVAL));
        drop(inner);
        // the lower mount is busy while the upper one exists
        assert_eq!(mounts.umount(&mroot, 0, 1).err(), Some(Errno::EBUSY));
        drop(mroot);
        let top = w.resolve(&root, b"/mnt", true).unwrap();
        mounts.umount(&top, 0, 1).unwrap();
        let m2 = w.resolve(&root, b"/mnt", true).unwrap();
        assert_eq!(m2.inode().fs_id(), other.fs_id());
        mounts.umount(&m2, 0, 1).unwrap();
        assert!(w.resolve(&root, b"/mnt/hidden", true).is_ok());
        assert_eq!(mounts.entries().len(), 1);
    }

    #[test]
    fn byte_paths() {
        let fs = TmpFs::new();
        let r = fs.root();
        let d = mkdir(&r, b"\xff\xfe");
        let e = mkdir(&d, b"\xc3\x28 x");
        e.create(b"\x80", FileType::Regular, 0o644, 0, 0, 0)
            .unwrap();
        // a symlink whose target has high bytes, relative and absolute
        r.symlink(b"\x01l", b"\xff\xfe/\xc3\x28 x").unwrap();
        d.symlink(b"abs", b"/\xff\xfe/\xc3\x28 x/\x80").unwrap();
        let mounts = table_for(&fs);
        let root = mounts.root_location();
        let w = Walker {
            mounts: &mounts,
            root: &root,
        };
        let l = w.resolve(&root, b"/\x01l/\x80", true).unwrap();
        assert_eq!(l.path(), b"/\xff\xfe/\xc3\x28 x/\x80");
        assert_eq!(l.name(), b"\x80");
        let l = w.resolve(&root, b"\xff\xfe/abs", true).unwrap();
        assert_eq!(l.path(), b"/\xff\xfe/\xc3\x28 x/\x80");
        let (p, n) = w
            .resolve_parent(&root, b"\xff\xfe//\xc3\x28 x/\xe9\xe9//")
            .unwrap();
        assert_eq!(
            (p.path(), n),
            (b"/\xff\xfe/\xc3\x28 x".to_vec(), b"\xe9\xe9".to_vec())
        );
        assert!(has_trailing_slash(b"\xff/"));
        // NAME_MAX and PATH_MAX count bytes
        let mut long = b"/".to_vec();
        long.extend_from_slice(&[0x80; 256]);
        assert_eq!(
            w.resolve(&root, &long, true).err(),
            Some(Errno::ENAMETOOLONG)
        );
        assert_eq!(
            w.resolve_parent(&root, &long).err(),
            Some(Errno::ENAMETOOLONG)
        );
        let mut p4095 = b"/\xff\xfe".to_vec();
        while p4095.len() < 4095 {
            p4095.push(b'/');
        }
        assert_eq!(w.resolve(&root, &p4095, true).unwrap().path(), b"/\xff\xfe");
        p4095.push(b'/');
        assert_eq!(
            w.resolve(&root, &p4095, true).err(),
            Some(Errno::ENAMETOOLONG)
        );
    }
}
