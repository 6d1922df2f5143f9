//! The inode trait, metadata types and global hooks (clock, randomness, ids).

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicU64, Ordering};
use rill_abi::{Errno, KResult};
use spin::Mutex;

use crate::file::FileOps;

/// A point in time (like Linux `struct timespec`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Timespec {
    pub sec: i64,
    pub nsec: i64,
}

fn zero_clock() -> Timespec {
    Timespec::default()
}

static CLOCK: Mutex<fn() -> Timespec> = Mutex::new(zero_clock);

/// Installs the clock used for file timestamps (default: always 0).
pub fn set_clock(f: fn() -> Timespec) {
    *CLOCK.lock() = f;
}

/// The current time according to the hook installed with [`set_clock`].
pub fn now() -> Timespec {
    let f = *CLOCK.lock();
    f()
}

static XORSHIFT: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);

fn xorshift_fill(buf: &mut [u8]) {
    for chunk in buf.chunks_mut(8) {
        let mut x = XORSHIFT.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        XORSHIFT.store(x, Ordering::Relaxed);
        let bytes = x.to_le_bytes();
        for (d, s) in chunk.iter_mut().zip(bytes.iter()) {
            *d = *s;
        }
    }
}

static RANDOM: Mutex<fn(&mut [u8])> = Mutex::new(xorshift_fill);

/// Installs the source of /dev/random and /dev/urandom (default: xorshift).
pub fn set_random(f: fn(&mut [u8])) {
    *RANDOM.lock() = f;
}

/// Fills `buf` from the hook installed with [`set_random`].
pub fn fill_random(buf: &mut [u8]) {
    let f = *RANDOM.lock();
    f(buf)
}

static NEXT_FS_ID: AtomicU64 = AtomicU64::new(1);
static NEXT_INO: AtomicU64 = AtomicU64::new(1);

/// A fresh file-system id (used as `st_dev` and to key mounts).
pub fn alloc_fs_id() -> u64 {
    NEXT_FS_ID.fetch_add(1, Ordering::Relaxed)
}

/// A fresh inode number from a global counter (for synthetic file systems).
pub fn alloc_ino() -> u64 {
    NEXT_INO.fetch_add(1, Ordering::Relaxed)
}

/// `st_mode` bits (Linux values).
pub mod mode {
    pub const S_IFMT: u32 = 0o170000;
    pub const S_IFSOCK: u32 = 0o140000;
    pub const S_IFLNK: u32 = 0o120000;
    pub const S_IFREG: u32 = 0o100000;
    pub const S_IFBLK: u32 = 0o060000;
    pub const S_IFDIR: u32 = 0o040000;
    pub const S_IFCHR: u32 = 0o020000;
    pub const S_IFIFO: u32 = 0o010000;
    pub const S_ISUID: u32 = 0o4000;
    pub const S_ISGID: u32 = 0o2000;
    pub const S_ISVTX: u32 = 0o1000;
    pub const S_IXGRP: u32 = 0o010;
    /// Permission bits including setuid/setgid/sticky.
    pub const PERM_MASK: u32 = 0o7777;
}

/// The type of a file system node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Regular,
    Directory,
    Symlink,
    CharDev,
    BlockDev,
    Fifo,
    Socket,
}

impl FileType {
    /// The `S_IFMT` bits of this type.
    pub fn mode_bits(self) -> u32 {
        match self {
            FileType::Regular => mode::S_IFREG,
            FileType::Directory => mode::S_IFDIR,
            FileType::Symlink => mode::S_IFLNK,
            FileType::CharDev => mode::S_IFCHR,
            FileType::BlockDev => mode::S_IFBLK,
            FileType::Fifo => mode::S_IFIFO,
            FileType::Socket => mode::S_IFSOCK,
        }
    }

    /// The type encoded in the `S_IFMT` bits of `mode`, if valid.
    pub fn from_mode(m: u32) -> Option<FileType> {
        Some(match m & mode::S_IFMT {
            mode::S_IFREG => FileType::Regular,
            mode::S_IFDIR => FileType::Directory,
            mode::S_IFLNK => FileType::Symlink,
            mode::S_IFCHR => FileType::CharDev,
            mode::S_IFBLK => FileType::BlockDev,
            mode::S_IFIFO => FileType::Fifo,
            mode::S_IFSOCK => FileType::Socket,
            _ => return None,
        })
    }

    /// The `d_type` value of `struct linux_dirent64` (DT_*).
    pub fn dirent_type(self) -> u8 {
        match self {
            FileType::Fifo => 1,
            FileType::CharDev => 2,
            FileType::Directory => 4,
            FileType::BlockDev => 6,
            FileType::Regular => 8,
            FileType::Symlink => 10,
            FileType::Socket => 12,
        }
    }
}

/// What `stat` reports. `mode` includes the `S_IFMT` bits.
#[derive(Clone, Debug)]
pub struct Metadata {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub nlink: u32,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: u64,
    pub blksize: u32,
    pub blocks: u64,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
}

impl Metadata {
    /// The file type from the mode bits (unknown bits read as `Regular`).
    pub fn file_type(&self) -> FileType {
        FileType::from_mode(self.mode).unwrap_or(FileType::Regular)
    }

    /// Metadata of a synthetic node: all times `now()`, blksize 4096.
    pub fn synthetic(dev: u64, ino: u64, ftype: FileType, perm: u32, nlink: u32) -> Metadata {
        let t = now();
        Metadata {
            dev,
            ino,
            mode: ftype.mode_bits() | (perm & mode::PERM_MASK),
            nlink,
            uid: 0,
            gid: 0,
            rdev: 0,
            size: 0,
            blksize: 4096,
            blocks: 0,
            atime: t,
            mtime: t,
            ctime: t,
        }
    }
}

/// One directory entry as returned by [`Inode::readdir`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: Vec<u8>,
    pub ino: u64,
    pub ftype: FileType,
}

/// How `utimensat` changes one timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    Omit,
    Now,
    Set(Timespec),
}

impl SetTime {
    /// Applies this change to `t` (with `now` as the current time).
    pub fn apply(self, t: &mut Timespec, now: Timespec) {
        match self {
            SetTime::Omit => {}
            SetTime::Now => *t = now,
            SetTime::Set(v) => *t = v,
        }
    }
}

/// A node of some file system. Default bodies return the errno Linux returns
/// for an operation the node does not support, so small node types only
/// implement what they need.
pub trait Inode: Send + Sync + Any {
    fn metadata(&self) -> Metadata;

    /// Changes the permission bits (the type bits are kept).
    fn chmod(&self, _mode: u32) -> KResult<()> {
        Err(Errno::EPERM)
    }
    fn chown(&self, _uid: Option<u32>, _gid: Option<u32>) -> KResult<()> {
        Err(Errno::EPERM)
    }
    fn set_times(&self, _atime: SetTime, _mtime: SetTime) -> KResult<()> {
        Err(Errno::EPERM)
    }
    /// EISDIR on directories, EINVAL where reading makes no sense.
    fn read_at(&self, _off: u64, _buf: &mut [u8]) -> KResult<usize> {
        if self.is_dir() {
            Err(Errno::EISDIR)
        } else {
            Err(Errno::EINVAL)
        }
    }
    fn write_at(&self, _off: u64, _buf: &[u8]) -> KResult<usize> {
        if self.is_dir() {
            Err(Errno::EISDIR)
        } else {
            Err(Errno::EINVAL)
        }
    }
    /// The page of file data at index `idx` (bytes `idx * 4096..`), for a
    /// file mapping: made (zeroed) if it is a hole. ENXIO past the end of
    /// the file; ENODEV for files whose data is not kept in pages.
    fn page(&self, _idx: u64) -> KResult<crate::page::PageRef> {
        Err(Errno::ENODEV)
    }
    /// Whether the page at `idx` exists already (no allocation; mincore).
    fn has_page(&self, _idx: u64) -> bool {
        false
    }
    /// Whether [`Inode::page`] serves this file's data, i.e. it can be
    /// mmapped (generated /proc and /sys files cannot: ENODEV, as on Linux).
    fn has_pages(&self) -> bool {
        false
    }
    fn truncate(&self, _len: u64) -> KResult<()> {
        if self.is_dir() {
            Err(Errno::EISDIR)
        } else {
            Err(Errno::EINVAL)
        }
    }
    /// ENOTDIR on non-directories. "." and ".." are handled by the path walker.
    fn lookup(&self, _name: &[u8]) -> KResult<Arc<dyn Inode>> {
        if self.is_dir() {
            Err(Errno::ENOENT)
        } else {
            Err(Errno::ENOTDIR)
        }
    }
    /// EEXIST if `name` exists.
    fn create(
        &self,
        _name: &[u8],
        _ftype: FileType,
        _mode: u32,
        _rdev: u64,
        _uid: u32,
        _gid: u32,
    ) -> KResult<Arc<dyn Inode>> {
        Err(self.dir_op_errno())
    }
    fn link(&self, _name: &[u8], _target: &Arc<dyn Inode>) -> KResult<()> {
        Err(self.dir_op_errno())
    }
    /// EISDIR if `name` is a directory, ENOENT if missing.
    fn unlink(&self, _name: &[u8]) -> KResult<()> {
        Err(self.dir_op_errno())
    }
    /// ENOTEMPTY, ENOTDIR.
    fn rmdir(&self, _name: &[u8]) -> KResult<()> {
        Err(self.dir_op_errno())
    }
    /// Linux rename rules; EXDEV across file systems.
    fn rename(&self, _old: &[u8], _new_dir: &Arc<dyn Inode>, _new: &[u8]) -> KResult<()> {
        Err(self.dir_op_errno())
    }
    /// RENAME_EXCHANGE: atomically swaps two existing names (EINVAL where
    /// unsupported, ENOENT if either is missing).
    fn exchange(&self, _old: &[u8], _new_dir: &Arc<dyn Inode>, _new: &[u8]) -> KResult<()> {
        Err(Errno::EINVAL)
    }
    fn symlink(&self, _name: &[u8], _target: &[u8]) -> KResult<Arc<dyn Inode>> {
        Err(self.dir_op_errno())
    }
    /// EINVAL if not a symlink.
    fn readlink(&self) -> KResult<Vec<u8>> {
        Err(Errno::EINVAL)
    }
    /// The entries without "." and "..".
    fn readdir(&self) -> KResult<Vec<DirEntry>> {
        if self.is_dir() {
            Ok(Vec::new())
        } else {
            Err(Errno::ENOTDIR)
        }
    }
    /// `Some` for nodes with per-open state (devices, fifos, generated files);
    /// `None` means plain I/O through `read_at`/`write_at`.
    /// For /proc "magic" links (`/proc/<pid>/fd/N`, `exe`): the inode the
    /// link stands for. Path walks jump straight to it instead of resolving
    /// the link's text, so even pipes and deleted files can be reopened.
    fn magic_link(&self) -> Option<Arc<dyn Inode>> {
        None
    }
    fn open(&self, _flags: u32) -> KResult<Option<Arc<dyn FileOps>>> {
        Ok(None)
    }
    fn as_any(&self) -> &dyn Any;
    /// Unique per file-system instance.
    fn fs_id(&self) -> u64;

    /// Whether this node is a directory (from its metadata).
    fn is_dir(&self) -> bool {
        self.metadata().file_type() == FileType::Directory
    }
    /// (fs_id, ino): identifies a node across file systems.
    fn key(&self) -> (u64, u64) {
        (self.fs_id(), self.metadata().ino)
    }
    #[doc(hidden)]
    fn dir_op_errno(&self) -> Errno {
        if self.is_dir() {
            // A directory that does not support modification.
            Errno::EPERM
        } else {
            Errno::ENOTDIR
        }
    }
}

/// Checks a name for create/link/rename: ENOENT if empty, EEXIST for "." and
/// "..", ENAMETOOLONG above 255 bytes, EINVAL if it contains '/' or NUL.
pub fn check_new_name(name: &[u8]) -> KResult<()> {
    if name.is_empty() {
        return Err(Errno::ENOENT);
    }
    if name == b"." || name == b".." {
        return Err(Errno::EEXIST);
    }
    if name.len() > 255 {
        return Err(Errno::ENAMETOOLONG);
    }
    if name.iter().any(|&b| b == b'/' || b == 0) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}
