//! The kernel's file-system glue: the root tmpfs, the file-system registry and
//! the one mount table (`rill_vfs::mount`), path resolution relative to a
//! process, and the special file systems.
pub mod console;
pub mod procfs;
pub mod signalfd;
pub mod timerfd;

use crate::task::{current, Process};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_vfs::mount::TmpfsSb;
use rill_vfs::tmpfs::TmpFs;
use rill_vfs::{Inode, Location, MountTable, OpenFile, Registry, SuperBlock, Walker};

pub const AT_FDCWD: i32 = -100;

/// The file-system types `mount(2)` knows (/proc/filesystems).
pub static REGISTRY: Registry = Registry::new();
static MOUNTS: spin::Once<MountTable> = spin::Once::new();

/// The mount table; its root mount is the root tmpfs ("rootfs", unlimited).
pub fn mounts() -> &'static MountTable {
    MOUNTS.call_once(|| {
        let fs = TmpFs::new();
        let sb = SuperBlock::new("rootfs", Arc::new(TmpfsSb::new(fs, false)), 0);
        MountTable::new(sb, b"rootfs")
    })
}

/// The root of the root mount.
pub fn root_location() -> Location {
    mounts().root_location()
}

pub fn root_inode() -> Arc<dyn Inode> {
    mounts().root_mount().root().clone()
}

/// Physical memory in pages: (total, free), for tmpfs's default size and statfs.
fn mem_pages() -> (u64, u64) {
    use core::sync::atomic::Ordering::Relaxed;
    let total = crate::mm::phys::TOTAL_RAM.load(Relaxed) / 4096;
    let used = crate::mm::phys::FRAMES_IN_USE.load(Relaxed);
    (total, total.saturating_sub(used))
}

pub fn init_root() -> Arc<dyn Inode> {
    rill_vfs::mount::set_mem_info(mem_pages);
    procfs::register_fs(&REGISTRY);
    let r = root_inode();
    rill_vfs::devices::register_builtin();
    console::register();
    r
}

/// EROFS when `loc` is on a read-only mount or file system.
pub fn want_write(loc: &Location) -> KResult<()> {
    loc.mount().want_write()
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
    let root = root_location();
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
