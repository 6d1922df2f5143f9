//! Open file descriptions and the per-open object trait [`FileLike`].

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use rill_abi::{Errno, KResult};
use spin::Mutex;

use crate::inode::{FileType, Inode};
use crate::pollee::{IoEvents, Poller};

/// Linux x86_64 `O_*` flags and `SEEK_*` values.
pub mod flags {
    pub const O_ACCMODE: u32 = 3;
    pub const O_RDONLY: u32 = 0;
    pub const O_WRONLY: u32 = 1;
    pub const O_RDWR: u32 = 2;
    pub const O_CREAT: u32 = 0o100;
    pub const O_EXCL: u32 = 0o200;
    pub const O_NOCTTY: u32 = 0o400;
    pub const O_TRUNC: u32 = 0o1000;
    pub const O_APPEND: u32 = 0o2000;
    pub const O_NONBLOCK: u32 = 0o4000;
    pub const O_DSYNC: u32 = 0o10000;
    pub const O_ASYNC: u32 = 0o20000;
    pub const O_DIRECT: u32 = 0o40000;
    pub const O_LARGEFILE: u32 = 0o100000;
    pub const O_DIRECTORY: u32 = 0o200000;
    pub const O_NOFOLLOW: u32 = 0o400000;
    pub const O_NOATIME: u32 = 0o1000000;
    pub const O_CLOEXEC: u32 = 0o2000000;
    pub const O_SYNC: u32 = 0o4010000;
    pub const O_PATH: u32 = 0o10000000;
    pub const O_TMPFILE: u32 = 0o20200000;
    /// The flags `F_SETFL` may change.
    pub const SETFL_MASK: u32 = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
    /// Flags that only matter at open time and are not kept in the description.
    pub const OPEN_ONLY: u32 = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;

    pub const SEEK_SET: u32 = 0;
    pub const SEEK_CUR: u32 = 1;
    pub const SEEK_END: u32 = 2;
    pub const SEEK_DATA: u32 = 3;
    pub const SEEK_HOLE: u32 = 4;
}

/// `poll` event bits.
pub mod poll {
    pub const POLLIN: u32 = 0x1;
    pub const POLLPRI: u32 = 0x2;
    pub const POLLOUT: u32 = 0x4;
    pub const POLLERR: u32 = 0x8;
    pub const POLLHUP: u32 = 0x10;
    pub const POLLNVAL: u32 = 0x20;
    pub const POLLRDNORM: u32 = 0x40;
    pub const POLLWRNORM: u32 = 0x100;
    pub const POLLRDHUP: u32 = 0x2000;
}

use flags::*;

/// User memory as an ioctl sees it: the kernel implements this over the
/// calling process's address space (a bad address is EFAULT), host tests over
/// a plain buffer, so files can answer their own ioctls in host-tested crates.
pub trait UserIo {
    /// Copies `buf.len()` bytes from user address `addr`.
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> KResult<()>;
    /// Copies `data` to user address `addr`.
    fn write(&mut self, addr: u64, data: &[u8]) -> KResult<()>;
}

impl dyn UserIo + '_ {
    /// Reads an `int` argument.
    pub fn read_i32(&mut self, addr: u64) -> KResult<i32> {
        let mut b = [0u8; 4];
        self.read(addr, &mut b)?;
        Ok(i32::from_le_bytes(b))
    }
    /// Stores an `int` result.
    pub fn write_i32(&mut self, addr: u64, v: i32) -> KResult<()> {
        self.write(addr, &v.to_le_bytes())
    }
}

/// What kind of object a [`FileLike`] is (what `S_IFMT` and `isatty` say).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FileKind {
    /// A regular file with per-open state (a generated /proc file).
    Regular,
    Directory,
    /// A pipe or FIFO end.
    Fifo,
    /// A character device that is not a terminal (/dev/null, ...).
    CharDev,
    /// A terminal.
    Tty,
    Socket,
}

/// Linux's `ioctl` numbers the files here answer.
pub mod ioctl {
    pub const FIONREAD: u32 = 0x541B;
    pub const FIGETBSZ: u32 = 2;
}

/// Everything an open file can be beyond plain inode I/O: device, pipe end,
/// generated file, tty, socket... (Linux's `file_operations`).
///
/// Readiness goes through the object's [`crate::pollee::Pollee`]: `poll`
/// registers the poller (if any) *before* it reads the state, so a blocking
/// caller that sleeps after a "not ready" answer is woken by any later change.
pub trait FileLike: Send + Sync + Any {
    /// EAGAIN when it would block (the kernel waits and retries for blocking fds).
    fn read(&self, offset: &mut u64, buf: &mut [u8], nonblock: bool) -> KResult<usize>;
    /// EPIPE for pipes without readers.
    fn write(&self, offset: &mut u64, buf: &[u8], nonblock: bool) -> KResult<usize>;
    /// The current readiness (all bits, see [`poll`]; the caller masks). With
    /// a `poller`, first registers it for `mask` (plus POLLERR|POLLHUP) so
    /// later changes wake it. The default is an always-ready object (Linux's
    /// DEFAULT_POLLMASK), which never needs to wake anyone.
    fn poll(&self, _mask: IoEvents, _poller: Option<&mut Poller>) -> IoEvents {
        poll::POLLIN | poll::POLLOUT | poll::POLLRDNORM | poll::POLLWRNORM
    }
    /// A device's own ioctl (Linux's `unlocked_ioctl`); `io` reaches the
    /// caller's memory. Unknown commands give ENOTTY, as in Linux.
    fn ioctl(&self, _cmd: u32, _arg: u64, _io: &mut dyn UserIo) -> KResult<u64> {
        Err(Errno::ENOTTY)
    }
    /// What this object is.
    fn kind(&self) -> FileKind;
    /// lseek/pread/pwrite are allowed (otherwise ESPIPE).
    fn seekable(&self) -> bool {
        false
    }
    /// A device's own lseek (like Linux's `f_op->llseek`); `None` uses the
    /// generic one. `pos` is the file offset.
    fn lseek(&self, _pos: &mut u64, _off: i64, _whence: u32) -> Option<KResult<u64>> {
        None
    }
    fn as_any(&self) -> &dyn Any;
}

/// Kinds of file owner (struct f_owner_ex `type`).
pub mod owner_kind {
    pub const TID: u32 = 0;
    pub const PID: u32 = 1;
    pub const PGRP: u32 = 2;
}
/// The old name of [`FileLike`].
pub use FileLike as FileOps;

/// An open file description (shared by dup'ed descriptors and across fork).
pub struct OpenFile {
    pub inode: Option<Arc<dyn Inode>>,
    pub ops: Option<Arc<dyn FileOps>>,
    /// The path it was opened by (bytes: names are any bytes but '/' and NUL).
    pub path: Vec<u8>,
    offset: Mutex<u64>,
    flags: AtomicU32,
    dir_cursor: Mutex<usize>,
    parent_ino: AtomicU64,
    /// Where the file was opened (for fchdir, *at() with this dirfd).
    location: Mutex<Option<crate::path::Location>>,
    /// F_SETOWN/F_SETOWN_EX: who is signalled for this file (lease
    /// breaks): `owner_kind::*` in the high half, the id in the low half.
    owner: AtomicU64,
    /// F_SETSIG: the signal sent instead of SIGIO (0: SIGIO).
    signum: AtomicU32,
}

const MAX_OFF: u64 = i64::MAX as u64;

impl OpenFile {
    /// `flags` are the open flags; open-time-only flags (O_CREAT, O_EXCL,
    /// O_NOCTTY, O_TRUNC, O_CLOEXEC) are dropped.
    pub fn new(
        inode: Option<Arc<dyn Inode>>,
        ops: Option<Arc<dyn FileOps>>,
        path: Vec<u8>,
        flags: u32,
    ) -> Arc<Self> {
        Arc::new(OpenFile {
            inode,
            ops,
            path,
            offset: Mutex::new(0),
            flags: AtomicU32::new(flags & !OPEN_ONLY),
            dir_cursor: Mutex::new(0),
            parent_ino: AtomicU64::new(0),
            location: Mutex::new(None),
            owner: AtomicU64::new(0),
            signum: AtomicU32::new(0),
        })
    }

    /// F_GETOWN_EX: (kind, id) with kind one of [`owner_kind`] (id 0: nobody).
    pub fn owner(&self) -> (u32, u32) {
        let v = self.owner.load(Ordering::Relaxed);
        ((v >> 32) as u32, v as u32)
    }
    pub fn set_owner(&self, kind: u32, id: u32) {
        self.owner
            .store((u64::from(kind) << 32) | u64::from(id), Ordering::Relaxed);
    }
    /// F_GETSIG: 0 means SIGIO.
    pub fn signum(&self) -> u32 {
        self.signum.load(Ordering::Relaxed)
    }
    pub fn set_signum(&self, sig: u32) {
        self.signum.store(sig, Ordering::Relaxed);
    }

    /// Status flags (access mode plus O_APPEND, O_NONBLOCK, ...).
    pub fn flags(&self) -> u32 {
        self.flags.load(Ordering::Relaxed)
    }

    /// F_SETFL: changes only O_APPEND|O_NONBLOCK|O_ASYNC|O_DIRECT|O_NOATIME.
    pub fn set_flags(&self, f: u32) {
        let old = self.flags();
        let new = (old & !SETFL_MASK) | (f & SETFL_MASK);
        self.flags.store(new, Ordering::Relaxed);
    }

    /// Opened for reading (and not O_PATH).
    pub fn readable(&self) -> bool {
        let f = self.flags();
        f & O_PATH == 0 && matches!(f & O_ACCMODE, O_RDONLY | O_RDWR)
    }

    /// Opened for writing (and not O_PATH).
    pub fn writable(&self) -> bool {
        let f = self.flags();
        f & O_PATH == 0 && matches!(f & O_ACCMODE, O_WRONLY | O_RDWR)
    }

    pub fn nonblocking(&self) -> bool {
        self.flags() & O_NONBLOCK != 0
    }

    /// The current file offset.
    pub fn offset(&self) -> u64 {
        *self.offset.lock()
    }

    pub fn set_offset(&self, off: u64) {
        *self.offset.lock() = off;
    }

    /// Remember where this file was opened.
    pub fn set_location(&self, loc: crate::path::Location) {
        *self.location.lock() = Some(loc);
    }

    /// Where this file was opened, if it came from a path.
    pub fn location(&self) -> Option<crate::path::Location> {
        self.location.lock().clone()
    }

    /// The inode number getdents64 reports for ".." (default: the directory's own).
    pub fn set_parent_ino(&self, ino: u64) {
        self.parent_ino.store(ino, Ordering::Relaxed);
    }

    fn is_dir(&self) -> bool {
        self.inode.as_ref().is_some_and(|i| i.is_dir())
    }

    fn size(&self) -> u64 {
        self.inode.as_ref().map(|i| i.metadata().size).unwrap_or(0)
    }

    fn seekable(&self) -> bool {
        match &self.ops {
            Some(o) => o.seekable(),
            None => self.inode.is_some(),
        }
    }

    pub fn read(&self, buf: &mut [u8]) -> KResult<usize> {
        if !self.readable() {
            return Err(Errno::EBADF);
        }
        if let Some(ops) = &self.ops {
            let nb = self.nonblocking();
            let mut off = self.offset.lock();
            return ops.read(&mut off, buf, nb);
        }
        let inode = self.inode.as_ref().ok_or(Errno::EBADF)?;
        if inode.is_dir() {
            return Err(Errno::EISDIR);
        }
        let mut off = self.offset.lock();
        let n = inode.read_at(*off, buf)?;
        *off = off.saturating_add(n as u64);
        Ok(n)
    }

    pub fn write(&self, buf: &[u8]) -> KResult<usize> {
        if !self.writable() {
            return Err(Errno::EBADF);
        }
        if let Some(ops) = &self.ops {
            let nb = self.nonblocking();
            let mut off = self.offset.lock();
            return ops.write(&mut off, buf, nb);
        }
        let inode = self.inode.as_ref().ok_or(Errno::EBADF)?;
        if inode.is_dir() {
            return Err(Errno::EISDIR);
        }
        let mut off = self.offset.lock();
        if self.flags() & O_APPEND != 0 {
            *off = inode.metadata().size;
        }
        let n = inode.write_at(*off, buf)?;
        *off = off.saturating_add(n as u64);
        Ok(n)
    }

    /// ESPIPE on pipes and other non-seekable objects.
    pub fn pread(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        if !self.readable() {
            return Err(Errno::EBADF);
        }
        if off > MAX_OFF {
            return Err(Errno::EINVAL);
        }
        if let Some(ops) = &self.ops {
            if !ops.seekable() {
                return Err(Errno::ESPIPE);
            }
            let mut o = off;
            return ops.read(&mut o, buf, self.nonblocking());
        }
        let inode = self.inode.as_ref().ok_or(Errno::EBADF)?;
        if inode.is_dir() {
            return Err(Errno::EISDIR);
        }
        inode.read_at(off, buf)
    }

    /// Like Linux, O_APPEND makes pwrite append regardless of `off`.
    pub fn pwrite(&self, off: u64, buf: &[u8]) -> KResult<usize> {
        if !self.writable() {
            return Err(Errno::EBADF);
        }
        if off > MAX_OFF {
            return Err(Errno::EINVAL);
        }
        if let Some(ops) = &self.ops {
            if !ops.seekable() {
                return Err(Errno::ESPIPE);
            }
            let mut o = off;
            return ops.write(&mut o, buf, self.nonblocking());
        }
        let inode = self.inode.as_ref().ok_or(Errno::EBADF)?;
        if inode.is_dir() {
            return Err(Errno::EISDIR);
        }
        let off = if self.flags() & O_APPEND != 0 {
            inode.metadata().size
        } else {
            off
        };
        inode.write_at(off, buf)
    }

    /// lseek. On directories the offset is the entry index used by getdents64.
    pub fn seek(&self, off: i64, whence: u32) -> KResult<u64> {
        if self.flags() & O_PATH != 0 {
            return Err(Errno::EBADF);
        }
        if let Some(ops) = &self.ops {
            let mut pos = self.offset.lock();
            if let Some(r) = ops.lseek(&mut pos, off, whence) {
                return r;
            }
        }
        if !self.seekable() {
            return Err(Errno::ESPIPE);
        }
        if self.is_dir() {
            let mut cur = self.dir_cursor.lock();
            let base: i64 = match whence {
                SEEK_SET => 0,
                SEEK_CUR => i64::try_from(*cur).map_err(|_| Errno::EINVAL)?,
                _ => return Err(Errno::EINVAL),
            };
            let new = base.checked_add(off).ok_or(Errno::EINVAL)?;
            let new = usize::try_from(new).map_err(|_| Errno::EINVAL)?;
            *cur = new;
            return Ok(new as u64);
        }
        let mut pos = self.offset.lock();
        let new: i128 = match whence {
            SEEK_SET => off as i128,
            SEEK_CUR => *pos as i128 + off as i128,
            SEEK_END => self.size() as i128 + off as i128,
            SEEK_DATA | SEEK_HOLE => {
                let size = self.size();
                if off < 0 || off as u64 >= size {
                    return Err(Errno::ENXIO);
                }
                if whence == SEEK_DATA {
                    off as i128
                } else {
                    size as i128
                }
            }
            _ => return Err(Errno::EINVAL),
        };
        if new < 0 {
            return Err(Errno::EINVAL);
        }
        if new > MAX_OFF as i128 {
            return Err(Errno::EOVERFLOW);
        }
        *pos = new as u64;
        Ok(new as u64)
    }

    /// Serialises `linux_dirent64` records from the directory cursor on, at
    /// most `buf_len` bytes. Empty at the end; EINVAL if not even one record fits.
    /// `d_off` of a record is the cursor value after it (usable with lseek).
    pub fn getdents64(&self, buf_len: usize) -> KResult<Vec<u8>> {
        let inode = self.inode.as_ref().ok_or(Errno::EBADF)?;
        if self.flags() & O_PATH != 0 {
            return Err(Errno::EBADF);
        }
        if !inode.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        let meta = inode.metadata();
        let parent = match self.parent_ino.load(Ordering::Relaxed) {
            0 => meta.ino,
            p => p,
        };
        let mut cursor = self.dir_cursor.lock();
        let mut out = Vec::new();
        let mut idx = *cursor;
        // "." and ".." first, then the real entries (one readdir snapshot per call).
        let entries = inode.readdir()?;
        loop {
            let (name, ino, dtype): (&[u8], u64, u8) = match idx {
                0 => (b".", meta.ino, FileType::Directory.dirent_type()),
                1 => (b"..", parent, FileType::Directory.dirent_type()),
                i => match entries.get(i - 2) {
                    Some(e) => (&e.name, e.ino, e.ftype.dirent_type()),
                    None => break,
                },
            };
            let reclen = (19 + name.len() + 1 + 7) & !7;
            if out.len() + reclen > buf_len {
                if out.is_empty() {
                    return Err(Errno::EINVAL);
                }
                break;
            }
            let start = out.len();
            out.extend_from_slice(&ino.to_le_bytes());
            out.extend_from_slice(&((idx + 1) as i64).to_le_bytes());
            out.extend_from_slice(&(reclen as u16).to_le_bytes());
            out.push(dtype);
            out.extend_from_slice(name);
            out.resize(start + reclen, 0);
            idx += 1;
        }
        *cursor = idx;
        Ok(out)
    }

    /// Readiness (all bits; see [`FileLike::poll`]). Regular files and
    /// directories are always ready.
    pub fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        match &self.ops {
            Some(o) => o.poll(mask, poller),
            None => poll::POLLIN | poll::POLLOUT | poll::POLLRDNORM | poll::POLLWRNORM,
        }
    }

    /// What the file is: the object's own answer, else the inode's type.
    pub fn kind(&self) -> Option<FileKind> {
        if let Some(o) = &self.ops {
            return Some(o.kind());
        }
        Some(match self.inode.as_ref()?.metadata().file_type() {
            FileType::Regular | FileType::Symlink => FileKind::Regular,
            FileType::Directory => FileKind::Directory,
            FileType::Fifo => FileKind::Fifo,
            FileType::CharDev | FileType::BlockDev => FileKind::CharDev,
            FileType::Socket => FileKind::Socket,
        })
    }

    /// ioctl after the descriptor-level commands (FIONBIO, FIOCLEX, ...),
    /// like Linux's `do_vfs_ioctl`: FIONREAD on a regular file is the size
    /// minus the offset (stored as an `int`, negative past the end);
    /// FIGETBSZ is the file system's block size (4096 on every one Rill
    /// has); everything else goes to the object, ENOTTY without one.
    pub fn ioctl(&self, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
        let md = self.inode.as_ref().map(|i| i.metadata());
        match cmd {
            ioctl::FIONREAD if md.as_ref().map(|m| m.file_type()) == Some(FileType::Regular) => {
                let size = md.map(|m| m.size).unwrap_or(0);
                let left = (size as i64).wrapping_sub(self.offset() as i64);
                io.write_i32(arg, left as i32)?;
                return Ok(0);
            }
            ioctl::FIGETBSZ if md.is_some() => {
                io.write_i32(arg, 4096)?;
                return Ok(0);
            }
            _ => {}
        }
        match &self.ops {
            Some(o) => o.ioctl(cmd, arg, io),
            None => Err(Errno::ENOTTY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmpfs::TmpFs;

    fn parse(buf: &[u8]) -> Vec<(u64, i64, u8, Vec<u8>)> {
        let mut v = Vec::new();
        let mut p = 0;
        while p < buf.len() {
            let ino = u64::from_le_bytes(buf[p..p + 8].try_into().unwrap());
            let off = i64::from_le_bytes(buf[p + 8..p + 16].try_into().unwrap());
            let reclen = u16::from_le_bytes(buf[p + 16..p + 18].try_into().unwrap()) as usize;
            assert_eq!(reclen % 8, 0);
            let ty = buf[p + 18];
            let name = &buf[p + 19..p + reclen];
            let end = name.iter().position(|&b| b == 0).unwrap();
            v.push((ino, off, ty, name[..end].to_vec()));
            p += reclen;
        }
        v
    }

    #[test]
    fn read_write_seek_append() {
        let fs = TmpFs::new();
        let f = fs
            .root()
            .create(b"f", FileType::Regular, 0o644, 0, 0, 0)
            .unwrap();
        let of = OpenFile::new(Some(f.clone()), None, b"/f".to_vec(), O_RDWR | O_CREAT);
        assert_eq!(of.flags(), O_RDWR);
        assert_eq!(of.write(b"hello world").unwrap(), 11);
        assert_eq!(of.offset(), 11);
        assert_eq!(of.seek(-5, SEEK_END).unwrap(), 6);
        let mut b = [0u8; 16];
        assert_eq!(of.read(&mut b).unwrap(), 5);
        assert_eq!(&b[..5], b"world");
        assert_eq!(of.read(&mut b).unwrap(), 0);
        assert_eq!(of.seek(-100, SEEK_CUR).err(), Some(Errno::EINVAL));
        assert_eq!(of.seek(0, 9).err(), Some(Errno::EINVAL));
        assert_eq!(of.seek(3, SEEK_DATA).unwrap(), 3);
        assert_eq!(of.seek(3, SEEK_HOLE).unwrap(), 11);
        assert_eq!(of.seek(11, SEEK_DATA).err(), Some(Errno::ENXIO));
        assert_eq!(of.pread(6, &mut b).unwrap(), 5);
        assert_eq!(of.pwrite(0, b"J").unwrap(), 1);
        assert_eq!(of.pread(0, &mut b[..5]).unwrap(), 5);
        assert_eq!(&b[..5], b"Jello");
        // O_APPEND
        of.set_flags(O_APPEND | O_RDONLY | O_CREAT);
        assert_eq!(
            of.flags(),
            O_RDWR | O_APPEND,
            "F_SETFL keeps the access mode"
        );
        of.seek(0, SEEK_SET).unwrap();
        of.write(b"!").unwrap();
        assert_eq!(of.offset(), 12);
        assert_eq!(f.metadata().size, 12);
        // access modes
        let ro = OpenFile::new(Some(f.clone()), None, b"/f".to_vec(), O_RDONLY);
        assert_eq!(ro.write(b"x").err(), Some(Errno::EBADF));
        assert_eq!(ro.pwrite(0, b"x").err(), Some(Errno::EBADF));
        let wo = OpenFile::new(Some(f.clone()), None, b"/f".to_vec(), O_WRONLY);
        assert_eq!(wo.read(&mut b).err(), Some(Errno::EBADF));
        let path = OpenFile::new(Some(f), None, b"/f".to_vec(), O_PATH);
        assert_eq!(path.read(&mut b).err(), Some(Errno::EBADF));
        assert_eq!(
            of.poll(!0, None),
            poll::POLLIN | poll::POLLOUT | poll::POLLRDNORM | poll::POLLWRNORM
        );
    }

    #[test]
    fn pipes_through_open_file() {
        let (r, w) = crate::pipe::new_pipe();
        let rf = OpenFile::new(None, Some(r), b"pipe:".to_vec(), O_RDONLY | O_NONBLOCK);
        let wf = OpenFile::new(None, Some(w), b"pipe:".to_vec(), O_WRONLY);
        let mut b = [0u8; 4];
        assert_eq!(rf.read(&mut b).err(), Some(Errno::EAGAIN));
        assert_eq!(wf.write(b"ab").unwrap(), 2);
        assert_eq!(rf.seek(0, SEEK_SET).err(), Some(Errno::ESPIPE));
        assert_eq!(rf.pread(0, &mut b).err(), Some(Errno::ESPIPE));
        assert_eq!(wf.pwrite(0, b"x").err(), Some(Errno::ESPIPE));
        assert_eq!(rf.poll(!0, None), poll::POLLIN | poll::POLLRDNORM);
        assert_eq!(rf.read(&mut b).unwrap(), 2);
    }

    #[test]
    fn getdents_serialisation_and_resume() {
        let fs = TmpFs::new();
        let root = fs.root();
        let d = root
            .create(b"d", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        let long = b"n".repeat(30);
        d.create(b"a", FileType::Regular, 0o644, 0, 0, 0).unwrap();
        d.create(&long, FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        d.symlink(b"z", b"a").unwrap();
        let of = OpenFile::new(
            Some(d.clone()),
            None,
            b"/d".to_vec(),
            O_RDONLY | O_DIRECTORY,
        );
        of.set_parent_ino(root.metadata().ino);
        // too small for even one record
        assert_eq!(of.getdents64(10).err(), Some(Errno::EINVAL));
        let all = of.getdents64(4096).unwrap();
        let ents = parse(&all);
        let names: Vec<&[u8]> = ents.iter().map(|e| e.3.as_slice()).collect();
        assert_eq!(names, [&b"."[..], b"..", b"a", &long, b"z"]);
        assert_eq!(ents[0].0, d.metadata().ino);
        assert_eq!(ents[1].0, root.metadata().ino);
        assert_eq!(ents[2].2, 8);
        assert_eq!(ents[3].2, 4);
        assert_eq!(ents[4].2, 10);
        assert_eq!(
            ents.iter().map(|e| e.1).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        // reclen: b"." -> 24, long name 19+31=50 -> 56
        assert_eq!(all.len(), 24 + 24 + 24 + 56 + 24);
        assert!(of.getdents64(4096).unwrap().is_empty());
        // resume with a small buffer: 48 bytes hold exactly b"." and b".."
        of.seek(0, SEEK_SET).unwrap();
        let p1 = parse(&of.getdents64(48).unwrap());
        assert_eq!(p1.len(), 2);
        let p2 = parse(&of.getdents64(60).unwrap());
        assert_eq!(p2.len(), 1);
        assert_eq!(p2[0].3, b"a");
        // seek to a d_off
        of.seek(p1[1].1, SEEK_SET).unwrap();
        let p3 = parse(&of.getdents64(4096).unwrap());
        assert_eq!(p3.len(), 3);
        assert_eq!(p3[0].3, b"a");
        // non-directories and reading a directory
        let f = d.lookup(b"a").unwrap();
        let ff = OpenFile::new(Some(f), None, b"/d/a".to_vec(), O_RDONLY);
        assert_eq!(ff.getdents64(4096).err(), Some(Errno::ENOTDIR));
        let mut b = [0u8; 4];
        assert_eq!(of.read(&mut b).err(), Some(Errno::EISDIR));
    }
}
