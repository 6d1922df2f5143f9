//! Path walking across symlinks and mount points.

use alloc::string::{String, ToString};
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
    name: String,
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
                name: String::new(),
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

    /// The path below the root of its mount ("/" at that root).
    pub fn path_in_mount(&self) -> String {
        let id = self.mount().id;
        let first = self
            .stack
            .iter()
            .rposition(|e| e.mnt.id != id)
            .map_or(0, |i| i + 1);
        let mut s = String::new();
        for e in self.stack.iter().skip(first + 1) {
            s.push('/');
            s.push_str(&e.name);
        }
        if s.is_empty() {
            s.push('/');
        }
        s
    }

    /// The absolute path, e.g. "/a/b" ("/" for the root).
    pub fn path(&self) -> String {
        if self.stack.len() <= 1 {
            return "/".to_string();
        }
        let mut s = String::new();
        for e in self.stack.iter().skip(1) {
            s.push('/');
            s.push_str(&e.name);
        }
        s
    }

    /// The last component's name ("" at the root).
    pub fn name(&self) -> &str {
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
    pub fn child(&self, name: &str, inode: Arc<dyn Inode>) -> Location {
        let mut l = self.clone();
        let mnt = self.mount().clone();
        l.stack.push(Entry {
            name: name.to_string(),
            inode,
            mnt,
        });
        l
    }

    fn push(&mut self, name: String, inode: Arc<dyn Inode>, mnt: Arc<Mount>) {
        self.stack.push(Entry { name, inode, mnt });
    }
}

/// Whether `path` ends with '/' (after a non-slash part).
pub fn has_trailing_slash(path: &str) -> bool {
    path.len() > 1 && path.ends_with('/')
}

/// Resolves paths relative to a root (the process's chroot) through mounts.
pub struct Walker<'a> {
    pub mounts: &'a MountTable,
    pub root: &'a Location,
}

fn check_path(path: &str) -> KResult<()> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if path.len() >= PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(())
}

fn push_components(stack: &mut Vec<String>, path: &str) -> KResult<()> {
    for c in path.split('/').rev() {
        if c.is_empty() {
            continue;
        }
        if c.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        stack.push(c.to_string());
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
    pub fn resolve(&self, start: &Location, path: &str, follow_last: bool) -> KResult<Location> {
        check_path(path)?;
        let trailing = has_trailing_slash(path);
        let mut cur = if path.starts_with('/') {
            self.root.clone()
        } else {
            start.clone()
        };
        let mut comps: Vec<String> = Vec::new();
        push_components(&mut comps, path)?;
        let mut links = 0;
        while let Some(name) = comps.pop() {
            let is_last = comps.is_empty();
            if cur.inode().metadata().file_type() != FileType::Directory {
                return Err(Errno::ENOTDIR);
            }
            if name == "." {
                continue;
            }
            if name == ".." {
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
                if target.starts_with('/') {
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
    pub fn resolve_parent(&self, start: &Location, path: &str) -> KResult<(Location, String)> {
        check_path(path)?;
        let trimmed = path.trim_end_matches('/');
        if trimmed.is_empty() {
            // "/" or "///"
            return Ok((self.root.clone(), ".".to_string()));
        }
        let (dir, last) = match trimmed.rfind('/') {
            Some(i) => (
                trimmed.get(..i + 1).unwrap_or("/"),
                trimmed.get(i + 1..).unwrap_or(""),
            ),
            None => ("", trimmed),
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
        Ok((loc, last.to_string()))
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
        MountTable::new(sb_of(fs), "rootfs")
    }

    fn mkdir(d: &Arc<dyn Inode>, n: &str) -> Arc<dyn Inode> {
        d.create(n, FileType::Directory, 0o755, 0, 0, 0).unwrap()
    }

    #[test]
    fn walk() {
        let fs = TmpFs::new();
        let r = fs.root();
        let a = mkdir(&r, "a");
        let b = mkdir(&a, "b");
        b.create("f", FileType::Regular, 0o644, 0, 0, 0).unwrap();
        a.symlink("lb", "b").unwrap();
        a.symlink("abs", "/a/b/f").unwrap();
        r.symlink("loop", "loop").unwrap();
        r.symlink("dangling", "nowhere").unwrap();
        let mounts = table_for(&fs);
        let root = mounts.root_location();
        let w = Walker {
            mounts: &mounts,
            root: &root,
        };
        let l = w.resolve(&root, "/a/b/f", true).unwrap();
        assert_eq!(l.path(), "/a/b/f");
        assert_eq!(l.parent().path(), "/a/b");
        assert_eq!(root.path(), "/");
        let la = w.resolve(&root, "a", true).unwrap();
        // relative, "." and ".."
        assert_eq!(
            w.resolve(&la, "./b/../b/./f", true).unwrap().path(),
            "/a/b/f"
        );
        assert_eq!(w.resolve(&la, "../../../..", true).unwrap().path(), "/");
        // symlinks in the middle are followed, the last only on request
        assert_eq!(w.resolve(&root, "/a/lb/f", false).unwrap().path(), "/a/b/f");
        let nl = w.resolve(&root, "/a/abs", false).unwrap();
        assert_eq!(nl.inode().metadata().file_type(), FileType::Symlink);
        assert_eq!(nl.path(), "/a/abs");
        assert_eq!(w.resolve(&la, "abs", true).unwrap().path(), "/a/b/f");
        // ".." after a symlink works on the resolved path
        assert_eq!(w.resolve(&root, "/a/lb/..", true).unwrap().path(), "/a");
        // errors
        assert_eq!(w.resolve(&root, "", true).err(), Some(Errno::ENOENT));
        assert_eq!(w.resolve(&root, "/nope/x", true).err(), Some(Errno::ENOENT));
        assert_eq!(
            w.resolve(&root, "/a/b/f/x", true).err(),
            Some(Errno::ENOTDIR)
        );
        assert_eq!(
            w.resolve(&root, "/a/b/f/.", true).err(),
            Some(Errno::ENOTDIR)
        );
        assert_eq!(w.resolve(&root, "/loop", true).err(), Some(Errno::ELOOP));
        assert!(w.resolve(&root, "/loop", false).is_ok());
        assert_eq!(w.resolve(&root, "/loop/x", false).err(), Some(Errno::ELOOP));
        assert_eq!(
            w.resolve(&root, "/dangling", true).err(),
            Some(Errno::ENOENT)
        );
        let long = alloc::format!("/{}", "x".repeat(256));
        assert_eq!(
            w.resolve(&root, &long, true).err(),
            Some(Errno::ENAMETOOLONG)
        );
        let huge = "/a".repeat(2048);
        assert_eq!(
            w.resolve(&root, &huge, true).err(),
            Some(Errno::ENAMETOOLONG)
        );
        // trailing slash: needs a directory, follows the last symlink
        assert_eq!(
            w.resolve(&root, "/a/b/f/", false).err(),
            Some(Errno::ENOTDIR)
        );
        assert_eq!(w.resolve(&root, "/a/lb/", false).unwrap().path(), "/a/b");
        assert_eq!(
            w.resolve(&root, "/a/abs/", false).err(),
            Some(Errno::ENOTDIR)
        );
        // 40 links are fine, 41 are not
        let chain = mkdir(&r, "chain");
        chain.symlink("l0", "/a").unwrap();
        for i in 1..=40 {
            chain
                .symlink(&alloc::format!("l{i}"), &alloc::format!("l{}", i - 1))
                .unwrap();
        }
        assert_eq!(w.resolve(&root, "/chain/l39", true).unwrap().path(), "/a");
        assert_eq!(
            w.resolve(&root, "/chain/l40", true).err(),
            Some(Errno::ELOOP)
        );
    }

    #[test]
    fn chroot_root_and_parent() {
        let fs = TmpFs::new();
        let r = fs.root();
        let jail = mkdir(&r, "jail");
        mkdir(&jail, "etc");
        jail.symlink("esc", "/../..").unwrap();
        let mounts = table_for(&fs);
        let top = mounts.root_location();
        let w0 = Walker {
            mounts: &mounts,
            root: &top,
        };
        let jroot = w0.resolve(&top, "/jail", true).unwrap();
        let w = Walker {
            mounts: &mounts,
            root: &jroot,
        };
        let e = w.resolve(&jroot, "../../etc", true).unwrap();
        assert_eq!(e.path(), "/jail/etc");
        let esc = w.resolve(&jroot, "esc", true).unwrap();
        assert_eq!(esc.path(), "/jail");

        let (p, n) = w0.resolve_parent(&top, "/jail/etc/new").unwrap();
        assert_eq!((p.path().as_str(), n.as_str()), ("/jail/etc", "new"));
        let (p, n) = w0.resolve_parent(&top, "/jail/etc/").unwrap();
        assert_eq!((p.path().as_str(), n.as_str()), ("/jail", "etc"));
        assert!(has_trailing_slash("/jail/etc/"));
        assert!(!has_trailing_slash("/"));
        let (p, n) = w0.resolve_parent(&p, "x").unwrap();
        assert_eq!((p.path().as_str(), n.as_str()), ("/jail", "x"));
        let (p, n) = w0.resolve_parent(&top, "/").unwrap();
        assert_eq!((p.path().as_str(), n.as_str()), ("/", "."));
        let (_, n) = w0.resolve_parent(&top, "/jail/..").unwrap();
        assert_eq!(n, "..");
        assert_eq!(w0.resolve_parent(&top, "").err(), Some(Errno::ENOENT));
        assert_eq!(w0.resolve_parent(&top, "/no/x").err(), Some(Errno::ENOENT));
        let f = r.create("f", FileType::Regular, 0o644, 0, 0, 0).unwrap();
        drop(f);
        assert_eq!(w0.resolve_parent(&top, "/f/x").err(), Some(Errno::ENOTDIR));
    }

    #[test]
    fn mounts() {
        let fs = TmpFs::new();
        let r = fs.root();
        let mnt = mkdir(&r, "mnt");
        mnt.create("hidden", FileType::Regular, 0o644, 0, 0, 0)
            .unwrap();
        let other = TmpFs::new();
        let or = other.root();
        mkdir(&or, "inner");
        let mounts = table_for(&fs);
        let root = mounts.root_location();
        let w = Walker {
            mounts: &mounts,
            root: &root,
        };
        let at = w.resolve(&root, "/mnt", true).unwrap();
        mounts.mount_new(&at, sb_of(&other), "o", 0).unwrap();
        let inner = w.resolve(&root, "/mnt/inner", true).unwrap();
        assert_eq!(inner.path(), "/mnt/inner");
        assert_eq!(inner.path_in_mount(), "/inner");
        assert_eq!(inner.inode().fs_id(), other.fs_id());
        assert_eq!(
            w.resolve(&root, "/mnt/hidden", true).err(),
            Some(Errno::ENOENT)
        );
        // ".." from the mounted root goes back to the outer fs
        let up = w.resolve(&inner, "../..", true).unwrap();
        assert_eq!(up.path(), "/");
        assert_eq!(up.inode().fs_id(), fs.fs_id());
        assert_eq!(up.mount().id, mounts.root_mount().id);
        // symlink into the mount
        r.symlink("l", "/mnt/inner").unwrap();
        assert_eq!(
            w.resolve(&root, "/l", true).unwrap().inode().fs_id(),
            other.fs_id()
        );
        // a second mount on the same point stacks on top, as on Linux
        let third = TmpFs::new();
        let mroot = w.resolve(&root, "/mnt", true).unwrap();
        mounts.mount_new(&mroot, sb_of(&third), "t", 0).unwrap();
        assert_eq!(
            w.resolve(&root, "/mnt", true).unwrap().inode().fs_id(),
            third.fs_id()
        );
        assert_eq!(mounts.umount(&inner, 0, 1).err(), Some(Errno::EINVAL));
        drop(inner);
        // the lower mount is busy while the upper one exists
        assert_eq!(mounts.umount(&mroot, 0, 1).err(), Some(Errno::EBUSY));
        drop(mroot);
        let top = w.resolve(&root, "/mnt", true).unwrap();
        mounts.umount(&top, 0, 1).unwrap();
        let m2 = w.resolve(&root, "/mnt", true).unwrap();
        assert_eq!(m2.inode().fs_id(), other.fs_id());
        mounts.umount(&m2, 0, 1).unwrap();
        assert!(w.resolve(&root, "/mnt/hidden", true).is_ok());
        assert_eq!(mounts.entries().len(), 1);
    }
}
