//! The kernel's file-system glue: the root tmpfs, the mount table, path
//! resolution relative to a process, and the special file systems.
pub mod console;
pub mod procfs;

use crate::task::{current, Process};
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_vfs::tmpfs::TmpFs;
use rill_vfs::{Inode, Location, MountTable, OpenFile, Walker};

pub const AT_FDCWD: i32 = -100;

static MOUNTS: spin::Once<MountTable> = spin::Once::new();
static ROOT: spin::Once<Arc<dyn Inode>> = spin::Once::new();

/// Mounted file systems, for /proc/mounts: (source, target, fstype).
pub static MOUNT_LIST: spin::Mutex<Vec<(String, String, String)>> = spin::Mutex::new(Vec::new());

pub fn mounts() -> &'static MountTable {
    MOUNTS.call_once(MountTable::default)
}

pub fn root_inode() -> Arc<dyn Inode> {
    ROOT.get().cloned().unwrap_or_else(|| {
        let t = TmpFs::new();
        t.root()
    })
}

pub fn init_root() -> Arc<dyn Inode> {
    let fs = TmpFs::new();
    let r = fs.root();
    ROOT.call_once(|| r.clone());
    MOUNT_LIST
        .lock()
        .push(("rootfs".into(), "/".into(), "rootfs".into()));
    rill_vfs::devices::register_builtin();
    console::register();
    r
}

/// A user-supplied path as text (Linux allows any bytes but NUL).
pub fn path_str(bytes: Vec<u8>) -> KResult<String> {
    String::from_utf8(bytes).map_err(|_| Errno::ENOENT)
}

/// The starting point for a path relative to `dirfd`.
pub fn start_location(p: &Process, dirfd: i32, path: &[u8]) -> KResult<Location> {
    let fs = p.fs.lock();
    if path.starts_with(b"/") {
        return Ok(fs.root.clone());
    }
    if dirfd == AT_FDCWD {
        return Ok(fs.cwd.clone());
    }
    drop(fs);
    let f = p.files().lock().get(dirfd)?;
    let loc = f.location().ok_or(Errno::ENOTDIR)?;
    if loc.inode().metadata().file_type() != rill_vfs::FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    Ok(loc)
}

pub fn resolve_at(dirfd: i32, path: &[u8], follow: bool) -> KResult<Location> {
    let p = current().process();
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let start = start_location(&p, dirfd, path)?;
    let root = p.fs.lock().root.clone();
    Walker {
        mounts: mounts(),
        root: &root,
    }
    .resolve(&start, path, follow)
}

pub fn resolve_parent_at(dirfd: i32, path: &[u8]) -> KResult<(Location, Vec<u8>)> {
    let p = current().process();
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let start = start_location(&p, dirfd, path)?;
    let root = p.fs.lock().root.clone();
    Walker {
        mounts: mounts(),
        root: &root,
    }
    .resolve_parent(&start, path)
}

/// Resolve for the kernel itself (boot, exec of init), from the root.
pub fn resolve_kernel(path: &[u8]) -> KResult<Location> {
    let root = Location::root(root_inode());
    Walker {
        mounts: mounts(),
        root: &root,
    }
    .resolve(&root, path, true)
}

/// Open the file at `loc` with the O_* flags.
pub fn open_location(loc: &Location, flags: u32) -> KResult<Arc<OpenFile>> {
    let inode = loc.inode().clone();
    let ops = if flags & rill_vfs::flags::O_PATH != 0 {
        None
    } else {
        inode.open(flags)?
    };
    let f = OpenFile::new(Some(inode), ops, loc.path(), flags);
    f.set_location(loc.clone());
    if loc.depth() > 0 {
        f.set_parent_ino(loc.parent().inode().metadata().ino);
    }
    Ok(f)
}

pub fn mount_fs(
    target: &Location,
    root: Arc<dyn Inode>,
    source: &str,
    fstype: &str,
) -> KResult<()> {
    mounts().mount(target, root)?;
    MOUNT_LIST.lock().push((
        source.to_string(),
        String::from_utf8_lossy(&target.path()).into_owned(),
        fstype.to_string(),
    ));
    Ok(())
}
