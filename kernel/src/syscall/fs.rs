//! File and directory syscalls.
use super::SysResult;
use crate::fs::{self as kfs, open_location, resolve_at, resolve_parent_at};
use crate::task::current;
use crate::uaccess::*;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use rill_abi::types::{Stat, Statx, StatxTimestamp, Timespec as UTimespec, Timeval};
use rill_abi::{Errno, KResult};
use rill_vfs::file::owner_kind;
use rill_vfs::flags::*;
use rill_vfs::{FileType, Inode, Metadata, OpenFile, SetTime, Timespec};

pub const AT_FDCWD: i32 = -100;
pub const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
pub const AT_REMOVEDIR: u32 = 0x200;
pub const AT_SYMLINK_FOLLOW: u32 = 0x400;
pub const AT_EMPTY_PATH: u32 = 0x1000;
const AT_EACCESS: u32 = 0x200;

pub fn file(fd: i32) -> KResult<Arc<OpenFile>> {
    current().process().files().lock().get(fd)
}

fn nofile_limit() -> usize {
    current().process().inner.lock().rlimits[7].0.min(1 << 20) as usize
}

pub fn install_fd(f: Arc<OpenFile>, cloexec: bool) -> KResult<i32> {
    let lim = nofile_limit();
    current().process().files().lock().alloc(f, cloexec, 0, lim)
}

/// Readiness that lets a blocked read retry.
pub const WAIT_READ: u32 =
    rill_vfs::poll::POLLIN | rill_vfs::poll::POLLHUP | rill_vfs::poll::POLLERR;
/// Readiness that lets a blocked write retry.
pub const WAIT_WRITE: u32 =
    rill_vfs::poll::POLLOUT | rill_vfs::poll::POLLHUP | rill_vfs::poll::POLLERR;

/// Run a blocking-capable file operation: for blocking fds, EAGAIN sleeps on
/// the file's pollee until one of the `ready` poll bits is set, then
/// retries (a signal interrupts with ERESTARTSYS).
pub fn blocking<T>(
    f: &Arc<OpenFile>,
    ready: u32,
    mut op: impl FnMut() -> KResult<T>,
) -> KResult<T> {
    if let Some(sf) = super::net::socket_of(f) {
        // sockets wait with their SO_RCVTIMEO / SO_SNDTIMEO
        let timeout = if ready & rill_vfs::poll::POLLIN != 0 {
            sf.rcv_timeout()
        } else {
            sf.snd_timeout()
        };
        return super::net::wait_retry(sf, ready, f.nonblocking(), timeout, op);
    }
    loop {
        match op() {
            Err(Errno::EAGAIN) if !f.nonblocking() && f.ops.is_some() => {
                crate::task::wait::wait_poll(true, None, |p| {
                    (f.poll(ready, Some(p)) & ready != 0).then_some(())
                })?;
            }
            r => return r,
        }
    }
}

fn sigpipe_on(e: Errno) -> Errno {
    if e == Errno::EPIPE {
        let t = current();
        crate::signal::send_to_task(
            &t,
            crate::signal::SIGPIPE,
            rill_abi::types::SigInfo::kill(13, 0, t.process().pid as i32, 0),
        );
    }
    e
}

/// [`sigpipe_on`], except for the sockets whose EPIPE Linux gives without SIGPIPE
/// (unix datagram and seqpacket).
fn sigpipe_for(f: &OpenFile, e: Errno) -> Errno {
    match super::net::socket_of(f) {
        Some(sf) if !rill_net::unix::epipe_raises_sigpipe(&*sf.sock) => e,
        _ => sigpipe_on(e),
    }
}

const IO_CHUNK: usize = 1 << 20;
/// Linux's MAX_RW_COUNT: one read/write moves at most this much.
const MAX_RW: usize = 0x7fff_f000;
/// Linux's TASK_SIZE_MAX: the end of user space (for access_ok).
const USER_END: u64 = 0x7fff_ffff_f000;

fn access_ok(base: u64, len: u64) -> bool {
    len <= USER_END && base <= USER_END - len
}

/// Copies `data` to user memory page by page, stopping at the first fault;
/// returns how much was copied (Linux's short copy_to_user).
fn copy_out_partial(va: u64, data: &[u8]) -> usize {
    let mut done = 0;
    while done < data.len() {
        let addr = va.wrapping_add(done as u64);
        let in_page = (4096 - (addr & 4095)) as usize;
        let k = in_page.min(data.len() - done);
        if write_bytes(addr, &data[done..done + k]).is_err() {
            break;
        }
        done += k;
    }
    done
}

/// Copies user memory into `buf` page by page, stopping at the first fault.
fn copy_in_partial(va: u64, buf: &mut [u8]) -> usize {
    let mut done = 0;
    while done < buf.len() {
        let addr = va.wrapping_add(done as u64);
        let in_page = (4096 - (addr & 4095)) as usize;
        let k = in_page.min(buf.len() - done);
        if read_into(addr, &mut buf[done..done + k]).is_err() {
            break;
        }
        done += k;
    }
    done
}

/// Read into user memory. Regular files are read until `len` or EOF; other
/// objects once. A buffer that faults part-way gives a short count (EFAULT
/// if nothing could be stored).
pub fn do_read(f: &Arc<OpenFile>, buf: u64, len: usize, off: Option<u64>) -> SysResult {
    if !f.readable() {
        return Err(Errno::EBADF);
    }
    let len = len.min(MAX_RW);
    if len > 0 && !access_ok(buf, len as u64) {
        return Err(Errno::EFAULT);
    }
    if off.is_none() && super::net::socket_of(f).is_some() {
        return super::net::sock_readv(f, &[(buf, len)]);
    }
    let mut tmp = crate::uaccess::Scratch::new(len.min(IO_CHUNK))?;
    let mut total = 0usize;
    loop {
        let want = (len - total).min(tmp.len());
        let pos = off.map(|o| o + total as u64);
        let r = blocking(f, WAIT_READ, || match pos {
            Some(o) => f.pread(o, &mut tmp[..want]),
            None => f.read(&mut tmp[..want]),
        });
        let n = match r {
            Ok(n) => n,
            Err(e) if total == 0 => return Err(e),
            Err(_) => break,
        };
        let k = copy_out_partial(buf + total as u64, &tmp[..n]);
        if k < n {
            // Put back what could not be stored (seekable files).
            if pos.is_none() && f.ops.as_ref().is_none_or(|o| o.seekable()) {
                f.set_offset(f.offset().saturating_sub((n - k) as u64));
            }
            total += k;
            if total == 0 {
                return Err(Errno::EFAULT);
            }
            break;
        }
        total += n;
        if n == 0 || n < want || total >= len || f.ops.is_some() {
            break;
        }
    }
    Ok(total as u64)
}

fn write_once(f: &Arc<OpenFile>, off: Option<u64>, data: &[u8]) -> KResult<usize> {
    blocking(f, WAIT_WRITE, || match off {
        Some(o) => f.pwrite(o, data),
        None => f.write(data),
    })
}

/// Write `data` completely (for blocking files), returning what was written;
/// errors after a partial write are swallowed like Linux does.
/// RLIMIT_FSIZE for regular files: the bytes of `len` that may be written
/// at the file position, or EFBIG with SIGXFSZ (Linux's generic_write_check_limits).
fn fsize_limit(f: &Arc<OpenFile>, off: Option<u64>, len: usize) -> KResult<usize> {
    let limit = current().process().inner.lock().rlimits[1].0;
    if limit == u64::MAX || f.ops.is_some() || len == 0 {
        return Ok(len);
    }
    let Some(inode) = f.inode.as_ref() else {
        return Ok(len);
    };
    let md = inode.metadata();
    if md.file_type() != FileType::Regular {
        return Ok(len);
    }
    let pos = match off {
        Some(o) => o,
        None if f.flags() & O_APPEND != 0 => md.size,
        None => f.offset(),
    };
    if pos >= limit {
        let t = current();
        let pid = t.process().pid as i32;
        crate::signal::send_to_task(&t, 25, rill_abi::types::SigInfo::kill(25, 0x80, pid, 0));
        return Err(Errno::EFBIG);
    }
    Ok(len.min((limit - pos) as usize))
}

/// A file may not grow to `size` past RLIMIT_FSIZE: EFBIG and SIGXFSZ.
fn check_fsize(size: u64) -> KResult<()> {
    let limit = current().process().inner.lock().rlimits[1].0;
    if size > limit {
        let t = current();
        let pid = t.process().pid as i32;
        crate::signal::send_to_task(&t, 25, rill_abi::types::SigInfo::kill(25, 0x80, pid, 0));
        return Err(Errno::EFBIG);
    }
    Ok(())
}

pub(super) fn write_all(f: &Arc<OpenFile>, off: Option<u64>, data: &[u8]) -> KResult<usize> {
    let allowed = fsize_limit(f, off, data.len())?;
    let data = &data[..allowed];
    if data.is_empty() {
        return write_once(f, off, data).map_err(|e| sigpipe_for(f, e));
    }
    let mut part = 0;
    while part < data.len() {
        match write_once(f, off.map(|o| o + part as u64), &data[part..]) {
            Ok(0) => break,
            Ok(k) => part += k,
            Err(e) if part > 0 && e != Errno::EPIPE => break,
            Err(e) => return Err(sigpipe_for(f, e)),
        }
        if f.ops.is_none() {
            break;
        }
    }
    Ok(part)
}

pub fn do_write(f: &Arc<OpenFile>, buf: u64, len: usize, off: Option<u64>) -> SysResult {
    if !f.writable() {
        return Err(Errno::EBADF);
    }
    let len = len.min(MAX_RW);
    if len == 0 {
        // still reaches the file: /dev/full says ENOSPC
        return write_all(f, off, &[]).map(|n| n as u64);
    }
    if !access_ok(buf, len as u64) {
        return Err(Errno::EFAULT);
    }
    let mut done = 0usize;
    while done < len {
        let n = (len - done).min(IO_CHUNK);
        let mut data = crate::uaccess::Scratch::new(n)?;
        let got = copy_in_partial(buf + done as u64, &mut data);
        if got == 0 {
            if done == 0 {
                return Err(Errno::EFAULT);
            }
            break;
        }
        let part = match write_all(f, off.map(|o| o + done as u64), &data[..got]) {
            Ok(p) => p,
            Err(_) if done > 0 => break,
            Err(e) => return Err(e),
        };
        done += part;
        if part < n {
            break;
        }
        // a long write stops early for a signal (SIGKILL must not wait for
        // gigabytes to reach the console)
        if crate::task::wait::signal_pending(&crate::task::current()) {
            break;
        }
    }
    Ok(done as u64)
}

pub fn read(fd: i32, buf: u64, len: u64) -> SysResult {
    let f = file(fd)?;
    if f.inode
        .as_ref()
        .is_some_and(|i| i.metadata().file_type() == FileType::Directory)
        && f.ops.is_none()
    {
        return Err(Errno::EISDIR);
    }
    do_read(&f, buf, len as usize, None)
}

pub fn write(fd: i32, buf: u64, len: u64) -> SysResult {
    let f = file(fd)?;
    do_write(&f, buf, len as usize, None)
}

pub fn pread(fd: i32, buf: u64, len: u64, off: i64) -> SysResult {
    let f = file(fd)?;
    if off < 0 {
        return Err(Errno::EINVAL);
    }
    do_read(&f, buf, len as usize, Some(off as u64))
}

pub fn pwrite(fd: i32, buf: u64, len: u64, off: i64) -> SysResult {
    let f = file(fd)?;
    if off < 0 {
        return Err(Errno::EINVAL);
    }
    do_write(&f, buf, len as usize, Some(off as u64))
}

/// The iovec array like Linux's import_iovec: EINVAL for more than 1024
/// entries or a negative length, EFAULT for a segment outside user space;
/// the total is clamped to MAX_RW_COUNT.
fn read_iov(iov: u64, cnt: u64) -> KResult<Vec<(u64, u64)>> {
    if cnt > 1024 {
        return Err(Errno::EINVAL);
    }
    if cnt == 0 {
        return Ok(Vec::new());
    }
    let raw = read_bytes(iov, cnt as usize * 16)?;
    let mut v = Vec::new();
    let mut total: u64 = 0;
    for c in raw.chunks_exact(16) {
        let base = u64::from_le_bytes(c[..8].try_into().map_err(|_| Errno::EFAULT)?);
        let len = u64::from_le_bytes(c[8..].try_into().map_err(|_| Errno::EFAULT)?);
        if (len as i64) < 0 {
            return Err(Errno::EINVAL);
        }
        if !access_ok(base, len) {
            return Err(Errno::EFAULT);
        }
        let len = len.min(MAX_RW as u64 - total);
        total += len;
        v.push((base, len));
    }
    Ok(v)
}

/// RWF_* flags preadv2/pwritev2 know.
const RWF_SUPPORTED: u32 = 0x1f;

pub fn preadv2(fd: i32, iov: u64, cnt: u64, off: i64, flags: u32) -> SysResult {
    if flags & !RWF_SUPPORTED != 0 {
        file(fd)?;
        return Err(Errno::EOPNOTSUPP);
    }
    readv(fd, iov, cnt, if off == -1 { None } else { Some(off) })
}

pub fn pwritev2(fd: i32, iov: u64, cnt: u64, off: i64, flags: u32) -> SysResult {
    if flags & !RWF_SUPPORTED != 0 {
        file(fd)?;
        return Err(Errno::EOPNOTSUPP);
    }
    writev(fd, iov, cnt, if off == -1 { None } else { Some(off) })
}

pub fn readv(fd: i32, iov: u64, cnt: u64, off: Option<i64>) -> SysResult {
    let f = file(fd)?;
    if !f.readable() {
        return Err(Errno::EBADF);
    }
    let v = read_iov(iov, cnt)?;
    if off.is_some_and(|o| o < 0) {
        return Err(Errno::EINVAL);
    }
    if off.is_none() && super::net::socket_of(&f).is_some() {
        // one recvmsg over all the iovecs (a datagram is not one per iovec)
        let v: Vec<(u64, usize)> = v.iter().map(|&(b, l)| (b, l as usize)).collect();
        return super::net::sock_readv(&f, &v);
    }
    let mut pos = off.map(|o| o as u64);
    let mut total = 0u64;
    for (base, len) in v {
        if len == 0 {
            continue;
        }
        let r = do_read(&f, base, len as usize, pos);
        match r {
            Ok(n) => {
                total += n;
                if let Some(p) = pos.as_mut() {
                    *p += n;
                }
                if n < len {
                    break;
                }
            }
            Err(e) if total == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(total)
}

pub fn writev(fd: i32, iov: u64, cnt: u64, off: Option<i64>) -> SysResult {
    let f = file(fd)?;
    if !f.writable() {
        return Err(Errno::EBADF);
    }
    let v = read_iov(iov, cnt)?;
    if off.is_some_and(|o| o < 0) {
        return Err(Errno::EINVAL);
    }
    // gather into one buffer so a pipe sees one write (atomicity); stop at
    // the first unreadable byte
    // (at most WRITEV_MAX bytes per call: a short count, not a huge allocation)
    const WRITEV_MAX: usize = 16 << 20;
    let mut data = Vec::new();
    let mut faulted = false;
    for (base, len) in &v {
        let start = data.len();
        let len = &((*len as usize).min(WRITEV_MAX - start) as u64);
        if *len == 0 {
            continue;
        }
        data.resize(start + *len as usize, 0);
        let got = copy_in_partial(*base, &mut data[start..]);
        if got < *len as usize {
            data.truncate(start + got);
            faulted = true;
            break;
        }
    }
    if data.is_empty() {
        return if faulted { Err(Errno::EFAULT) } else { Ok(0) };
    }
    write_all(&f, off.map(|o| o as u64), &data).map(|n| n as u64)
}

pub fn sendfile(out_fd: i32, in_fd: i32, offp: u64, count: u64) -> SysResult {
    let fin = file(in_fd)?;
    let fout = file(out_fd)?;
    if !fin.readable() || !fout.writable() {
        return Err(Errno::EBADF);
    }
    let mut off = if offp != 0 {
        Some(read_u64(offp)?)
    } else {
        None
    };
    let mut buf = vec![0u8; (count as usize).min(65536)];
    let mut total = 0u64;
    while total < count {
        let want = ((count - total) as usize).min(buf.len());
        let r = match off {
            Some(o) => fin.pread(o, &mut buf[..want]),
            None => blocking(&fin, WAIT_READ, || fin.read(&mut buf[..want])),
        };
        let n = match r {
            Ok(n) => n,
            Err(_) if total > 0 => break,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        let mut w = 0;
        while w < n {
            let k = blocking(&fout, WAIT_WRITE, || fout.write(&buf[w..n])).map_err(sigpipe_on)?;
            if k == 0 {
                break;
            }
            w += k;
        }
        total += n as u64;
        if let Some(o) = off.as_mut() {
            *o += n as u64;
        }
        // A short read ends the transfer: another read could consume an EOF
        // mark (a tty's ^D) or block although data was already moved.
        if n < want || fin.ops.is_some() || crate::task::wait::signal_pending(&current()) {
            break;
        }
    }
    if let (Some(o), true) = (off, offp != 0) {
        write_u64(offp, o)?;
    }
    Ok(total)
}

fn umask_value() -> u32 {
    current().process().fs.lock().umask
}

fn creds() -> crate::task::process::Creds {
    current().process().creds()
}

/// Permission check (root bypasses all but exec without any x bit).
pub fn may_access(md: &Metadata, want: u32, real: bool) -> bool {
    let c = creds();
    let uid = if real { c.uid } else { c.euid };
    let gid = if real { c.gid } else { c.egid };
    if uid == 0 {
        return want & 1 == 0 || md.mode & 0o111 != 0 || md.file_type() == FileType::Directory;
    }
    let bits = if md.uid == uid {
        (md.mode >> 6) & 7
    } else if md.gid == gid {
        (md.mode >> 3) & 7
    } else {
        md.mode & 7
    };
    bits & want == want
}

pub fn openat(dirfd: i32, path: u64, flags: u32, mode: u32) -> SysResult {
    let path = read_path(path)?;
    let f = open_path(dirfd, &path, flags, mode)?;
    install_fd(f, flags & O_CLOEXEC != 0).map(|fd| fd as u64)
}

pub fn open_path(dirfd: i32, path: &[u8], flags: u32, mode: u32) -> KResult<Arc<OpenFile>> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let follow = flags & O_NOFOLLOW == 0;
    let acc = flags & O_ACCMODE;
    if flags & O_TMPFILE == O_TMPFILE {
        return Err(Errno::EOPNOTSUPP);
    }
    let loc = if flags & O_CREAT != 0 {
        let (parent, name) = resolve_parent_at(dirfd, path)?;
        if rill_vfs::has_trailing_slash(path) {
            return Err(Errno::EISDIR);
        }
        match parent.inode().lookup(&name) {
            Ok(_) if flags & O_EXCL != 0 => return Err(Errno::EEXIST),
            Ok(_) => resolve_at(dirfd, path, follow)?,
            Err(Errno::ENOENT) => {
                if name == b"." || name == b".." {
                    return Err(Errno::EISDIR);
                }
                // a dangling symlink is followed to create its target
                kfs::want_write(&parent)?;
                if !may_access(&parent.inode().metadata(), 3, false) {
                    return Err(Errno::EACCES);
                }
                let (uid, gid, perm) = new_owner(
                    parent.inode(),
                    FileType::Regular,
                    mode & 0o7777 & !umask_value(),
                );
                let node = parent
                    .inode()
                    .create(&name, FileType::Regular, perm, 0, uid, gid)?;
                parent.child(&name, node)
            }
            Err(e) => return Err(e),
        }
    } else {
        resolve_at(dirfd, path, follow)?
    };
    let md = loc.inode().metadata();
    let ft = md.file_type();
    if ft == FileType::Symlink && flags & O_PATH == 0 {
        return Err(Errno::ELOOP);
    }
    if flags & O_DIRECTORY != 0 && ft != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    if ft == FileType::Directory && (acc != O_RDONLY || flags & O_CREAT != 0) && flags & O_PATH == 0
    {
        return Err(Errno::EISDIR);
    }
    if flags & O_PATH == 0 {
        if ft == FileType::Regular && (acc != O_RDONLY || flags & O_TRUNC != 0) {
            kfs::want_write(&loc)?;
        }
        if matches!(ft, FileType::CharDev | FileType::BlockDev) && loc.mount().nodev() {
            return Err(Errno::EACCES);
        }
        let want = match acc {
            O_RDONLY => 4,
            O_WRONLY => 2,
            _ => 6,
        };
        if !may_access(&md, want, false) {
            return Err(Errno::EACCES);
        }
    }
    if ft == FileType::Regular && flags & O_PATH == 0 {
        locks::break_lease(loc.inode(), flags)?;
    }
    if flags & O_TRUNC != 0 && ft == FileType::Regular && acc != O_RDONLY && flags & O_PATH == 0 {
        loc.inode().truncate(0)?;
    }
    let f = open_location(&loc, flags)?;
    if flags & O_NOCTTY == 0 && f.kind() == Some(rill_vfs::FileKind::Tty) {
        crate::syscall::io::maybe_acquire_ctty();
    }
    Ok(f)
}

pub fn close(fd: i32) -> SysResult {
    let f = current().process().files().lock().close(fd)?;
    locks::release_posix(&f);
    // no lock is held here: the last close of an inet socket may let go of the big
    // kernel lock while the stack polls, as its other calls do
    super::net::drop_file(f);
    Ok(0)
}

pub fn close_range(first: u32, last: u32, flags: u32) -> SysResult {
    if first > last || flags & !6 != 0 {
        return Err(Errno::EINVAL);
    }
    let ft = current().process().files();
    let mut t = ft.lock();
    let fds: Vec<i32> = t
        .iter()
        .map(|(fd, _)| fd)
        .filter(|&fd| fd as u32 >= first && fd as u32 <= last)
        .collect();
    let mut closed = Vec::new();
    for fd in fds {
        if flags & 4 != 0 {
            t.set_cloexec(fd, true)?;
        } else if let Ok(f) = t.close(fd) {
            closed.push(f);
        }
    }
    drop(t);
    // as close(): the process's POSIX locks on those files go
    for f in closed {
        locks::release_posix(&f);
    }
    Ok(0)
}

pub fn to_stat(md: &Metadata) -> Stat {
    let mut s: Stat = zeroed();
    s.st_dev = md.dev;
    s.st_ino = md.ino;
    s.st_nlink = md.nlink as u64;
    s.st_mode = md.mode;
    s.st_uid = md.uid;
    s.st_gid = md.gid;
    s.st_rdev = md.rdev;
    s.st_size = md.size as i64;
    s.st_blksize = md.blksize as i64;
    s.st_blocks = md.blocks as i64;
    s.st_atime = md.atime.sec;
    s.st_atime_nsec = md.atime.nsec;
    s.st_mtime = md.mtime.sec;
    s.st_mtime_nsec = md.mtime.nsec;
    s.st_ctime = md.ctime.sec;
    s.st_ctime_nsec = md.ctime.nsec;
    s
}

/// The inode named by (dirfd, path, flags) for the *at() family, with
/// AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW.
fn at_inode(dirfd: i32, path: u64, flags: u32) -> KResult<Arc<dyn Inode>> {
    at_node(dirfd, path, flags).map(|(i, _)| i)
}

/// A node and the mount it was found in (None for an fd without a location).
type NodeInMount = (Arc<dyn Inode>, Option<Arc<rill_vfs::Mount>>);

/// [`at_inode`] with the mount the node was found in.
fn at_node(dirfd: i32, path: u64, flags: u32) -> KResult<NodeInMount> {
    let p = read_path(path);
    let p = match p {
        Err(Errno::ENOENT) | Ok(_) => p,
        Err(e) => return Err(e),
    };
    match p {
        Ok(s) if s.is_empty() && flags & AT_EMPTY_PATH != 0 => {
            if dirfd == AT_FDCWD {
                let cwd = current().process().fs.lock().cwd.clone();
                return Ok((cwd.inode().clone(), Some(cwd.mount().clone())));
            }
            let f = file(dirfd)?;
            let m = f.location().map(|l| l.mount().clone());
            Ok((f.inode.clone().ok_or(Errno::EBADF)?, m))
        }
        Ok(s) => {
            let l = resolve_at(dirfd, &s, flags & AT_SYMLINK_NOFOLLOW == 0)?;
            Ok((l.inode().clone(), Some(l.mount().clone())))
        }
        Err(e) => Err(e),
    }
}

/// EROFS when `m` is a read-only mount (`mnt_want_write`).
fn want_write_mnt(m: Option<Arc<rill_vfs::Mount>>) -> KResult<()> {
    m.map_or(Ok(()), |m| m.want_write())
}

fn file_mount(f: &OpenFile) -> Option<Arc<rill_vfs::Mount>> {
    f.location().map(|l| l.mount().clone())
}

fn file_inode(f: &OpenFile) -> KResult<Arc<dyn Inode>> {
    f.inode.clone().ok_or(Errno::EBADF)
}

pub fn fstat(fd: i32, buf: u64) -> SysResult {
    let f = file(fd)?;
    let md = match &f.inode {
        Some(i) => i.metadata(),
        None => anon_metadata(&f),
    };
    write_val(buf, &to_stat(&md))?;
    Ok(0)
}

fn pipe_metadata() -> Metadata {
    Metadata::synthetic(0xc, 1, FileType::Fifo, 0o600, 1)
}

/// The metadata of a file without an inode: a socket (sockfs: S_IFSOCK, mode 0777,
/// its own inode number) or else a pipe-like object.
fn anon_metadata(f: &OpenFile) -> Metadata {
    match super::net::socket_of(f) {
        Some(sf) => {
            let c = current().process().creds();
            let mut md = Metadata::synthetic(0x8, sf.ino, FileType::Socket, 0o777, 1);
            md.uid = c.euid;
            md.gid = c.egid;
            md
        }
        None => pipe_metadata(),
    }
}

pub fn fstatat(dirfd: i32, path: u64, buf: u64, flags: u32) -> SysResult {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800) != 0 {
        return Err(Errno::EINVAL);
    }
    // an fd without an inode (a socket, an eventfd): what fstat gives
    if flags & AT_EMPTY_PATH != 0
        && dirfd != AT_FDCWD
        && read_path(path).map(|s| s.is_empty()).unwrap_or(false)
    {
        let f = file(dirfd)?;
        if f.inode.is_none() {
            write_val(buf, &to_stat(&anon_metadata(&f)))?;
            return Ok(0);
        }
    }
    let i = at_inode(dirfd, path, flags)?;
    write_val(buf, &to_stat(&i.metadata()))?;
    Ok(0)
}

pub fn statx(dirfd: i32, path: u64, flags: u32, mask: u32, buf: u64) -> SysResult {
    const STATX_RESERVED: u32 = 0x8000_0000;
    const AT_STATX_SYNC_TYPE: u32 = 0x6000;
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 | AT_STATX_SYNC_TYPE) != 0
        || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE
        || mask & STATX_RESERVED != 0
    {
        return Err(Errno::EINVAL);
    }
    let md = if flags & AT_EMPTY_PATH != 0
        && dirfd != AT_FDCWD
        && read_path(path).map(|s| s.is_empty()).unwrap_or(false)
    {
        let f = file(dirfd)?;
        match &f.inode {
            Some(i) => i.metadata(),
            None => anon_metadata(&f),
        }
    } else {
        at_inode(dirfd, path, flags)?.metadata()
    };
    let ts = |t: Timespec| StatxTimestamp {
        tv_sec: t.sec,
        tv_nsec: t.nsec as u32,
        ..zeroed()
    };
    let mut s: Statx = zeroed();
    s.stx_mask = 0x7ff;
    s.stx_blksize = md.blksize;
    s.stx_nlink = md.nlink;
    s.stx_uid = md.uid;
    s.stx_gid = md.gid;
    s.stx_mode = md.mode as u16;
    s.stx_ino = md.ino;
    s.stx_size = md.size;
    s.stx_blocks = md.blocks;
    s.stx_atime = ts(md.atime);
    s.stx_btime = ts(md.ctime);
    s.stx_ctime = ts(md.ctime);
    s.stx_mtime = ts(md.mtime);
    s.stx_rdev_major = rill_vfs::major(md.rdev);
    s.stx_rdev_minor = rill_vfs::minor(md.rdev);
    s.stx_dev_major = rill_vfs::major(md.dev);
    s.stx_dev_minor = rill_vfs::minor(md.dev);
    write_val(buf, &s)?;
    Ok(0)
}

fn fill_statfs(buf: u64, st: rill_vfs::mount::StatFs) -> SysResult {
    let mut s: rill_abi::types::Statfs = zeroed();
    s.f_type = st.f_type;
    s.f_bsize = st.bsize as i64;
    s.f_blocks = st.blocks;
    s.f_bfree = st.bfree;
    s.f_bavail = st.bavail;
    s.f_files = st.files;
    s.f_ffree = st.ffree;
    s.f_namelen = st.namelen as i64;
    s.f_frsize = st.frsize as i64;
    s.f_flags = st.flags as i64;
    write_val(buf, &s)?;
    Ok(0)
}

/// statfs(2): what the file system of the path's mount reports, with the
/// mount's flags.
pub fn statfs(path: u64, buf: u64) -> SysResult {
    let p = read_path(path)?;
    let loc = resolve_at(AT_FDCWD, &p, true)?;
    fill_statfs(buf, loc.mount().statfs())
}

pub fn fstatfs(fd: i32, buf: u64) -> SysResult {
    use rill_vfs::mount::{magic, st, StatFs};
    let f = file(fd)?;
    if let Some(loc) = f.location() {
        return fill_statfs(buf, loc.mount().statfs());
    }
    // Files outside the mount tree: pipes (pipefs) and unlinked tmpfs files.
    let f_type = match &f.inode {
        Some(i) if i.fs_id() == rill_vfs::proc::procfs_id() => magic::PROC,
        Some(i) if i.fs_id() != rill_vfs::pipe::pipefs_id() => magic::TMPFS,
        _ => magic::PIPEFS,
    };
    let s = StatFs {
        f_type,
        bsize: 4096,
        namelen: 255,
        frsize: 4096,
        flags: st::VALID,
        ..StatFs::default()
    };
    fill_statfs(buf, s)
}

pub fn lseek(fd: i32, off: i64, whence: u32) -> SysResult {
    let f = file(fd)?;
    f.seek(off, whence)
}

pub fn faccessat(dirfd: i32, path: u64, mode: u32, flags: u32) -> SysResult {
    if mode & !7 != 0 || flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let (i, m) = at_node(dirfd, path, flags & !AT_EACCESS)?;
    if mode != 0 && !may_access(&i.metadata(), mode, flags & AT_EACCESS == 0) {
        return Err(Errno::EACCES);
    }
    let ft = i.metadata().file_type();
    if mode & 2 != 0
        && matches!(
            ft,
            FileType::Regular | FileType::Directory | FileType::Symlink
        )
    {
        want_write_mnt(m)?;
    }
    Ok(0)
}

/// ENOENT for a directory that was removed (Linux's IS_DEADDIR).
fn check_live_dir(f: &OpenFile) -> KResult<()> {
    if let Some(i) = &f.inode {
        let md = i.metadata();
        if md.file_type() == FileType::Directory && md.nlink == 0 {
            return Err(Errno::ENOENT);
        }
    }
    Ok(())
}

pub fn getdents64(fd: i32, buf: u64, len: u64) -> SysResult {
    let f = file(fd)?;
    check_live_dir(&f)?;
    let data = f.getdents64(len.min(1 << 20) as usize)?;
    write_bytes(buf, &data)?;
    Ok(data.len() as u64)
}

/// Old getdents: convert linux_dirent64 records to linux_dirent.
pub fn getdents(fd: i32, buf: u64, len: u64) -> SysResult {
    let f = file(fd)?;
    check_live_dir(&f)?;
    let save = f.offset();
    let data = f.getdents64(
        (len.min(1 << 20) as usize)
            .saturating_sub(len as usize / 8)
            .max(32),
    )?;
    let mut out = Vec::new();
    let mut i = 0;
    while i + 19 <= data.len() {
        let ino = u64::from_le_bytes(data[i..i + 8].try_into().unwrap_or([0; 8]));
        let off = u64::from_le_bytes(data[i + 8..i + 16].try_into().unwrap_or([0; 8]));
        let reclen = u16::from_le_bytes([data[i + 16], data[i + 17]]) as usize;
        let ty = data[i + 18];
        if reclen == 0 || i + reclen > data.len() {
            break;
        }
        let name_end = data[i + 19..i + reclen]
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(reclen - 19);
        let name = &data[i + 19..i + 19 + name_end];
        let rl = (8 + 8 + 2 + name.len() + 2 + 7) & !7;
        if out.len() + rl > len as usize {
            break;
        }
        let start = out.len();
        out.extend_from_slice(&ino.to_le_bytes());
        out.extend_from_slice(&off.to_le_bytes());
        out.extend_from_slice(&(rl as u16).to_le_bytes());
        out.extend_from_slice(name);
        out.resize(start + rl - 1, 0);
        out.push(ty);
        i += reclen;
    }
    if out.is_empty() && !data.is_empty() {
        f.set_offset(save);
        return Err(Errno::EINVAL);
    }
    write_bytes(buf, &out)?;
    Ok(out.len() as u64)
}

pub fn getcwd(buf: u64, size: u64) -> SysResult {
    let p = current().process();
    let path = {
        let fs = p.fs.lock();
        if fs.cwd.inode().metadata().nlink == 0 {
            return Err(Errno::ENOENT);
        }
        let cwd = fs.cwd.path();
        let root = fs.root.path();
        if root == b"/" {
            cwd
        } else {
            cwd.strip_prefix(root.as_slice())
                .map(|s| {
                    if s.is_empty() {
                        b"/".to_vec()
                    } else {
                        s.to_vec()
                    }
                })
                .unwrap_or(cwd)
        }
    };
    let mut b = path;
    b.push(0);
    if (size as usize) < b.len() {
        return Err(Errno::ERANGE);
    }
    write_bytes(buf, &b)?;
    Ok(b.len() as u64)
}

pub fn chdir(path: u64) -> SysResult {
    let p = read_path(path)?;
    let loc = resolve_at(AT_FDCWD, &p, true)?;
    let md = loc.inode().metadata();
    if md.file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    if !may_access(&md, 1, false) {
        return Err(Errno::EACCES);
    }
    current().process().fs.lock().cwd = loc;
    Ok(0)
}

pub fn fchdir(fd: i32) -> SysResult {
    let f = file(fd)?;
    let loc = f.location().ok_or(Errno::ENOTDIR)?;
    if loc.inode().metadata().file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    current().process().fs.lock().cwd = loc;
    Ok(0)
}

pub fn chroot(path: u64) -> SysResult {
    let p = read_path(path)?;
    let loc = resolve_at(AT_FDCWD, &p, true)?;
    if loc.inode().metadata().file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    if creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    current().process().fs.lock().root = loc;
    Ok(0)
}

fn create_node(dirfd: i32, path: u64, ft: FileType, mode: u32, rdev: u64) -> SysResult {
    let path = read_path(path)?;
    let (parent, name) = resolve_parent_at(dirfd, &path)?;
    if name == b"." || name == b".." {
        return Err(Errno::EEXIST);
    }
    if ft != FileType::Directory && rill_vfs::has_trailing_slash(&path) {
        return Err(if parent.inode().lookup(&name).is_ok() {
            Errno::EEXIST
        } else {
            Errno::ENOENT
        });
    }
    if parent.mount().readonly() {
        // Linux: an existing name is EEXIST before EROFS
        return Err(if parent.inode().lookup(&name).is_ok() {
            Errno::EEXIST
        } else {
            Errno::EROFS
        });
    }
    if !may_access(&parent.inode().metadata(), 3, false) {
        return Err(Errno::EACCES);
    }
    let (uid, gid, perm) = new_owner(parent.inode(), ft, mode & 0o7777 & !umask_value());
    parent.inode().create(&name, ft, perm, rdev, uid, gid)?;
    Ok(0)
}

/// Owner and mode of a new node in `dir`: a setgid directory passes on its
/// group, and to subdirectories its setgid bit (Linux's inode_init_owner).
fn new_owner(dir: &Arc<dyn Inode>, ft: FileType, perm: u32) -> (u32, u32, u32) {
    let c = creds();
    let md = dir.metadata();
    if md.mode & rill_vfs::mode::S_ISGID != 0 {
        let perm = if ft == FileType::Directory {
            perm | rill_vfs::mode::S_ISGID
        } else {
            perm
        };
        (c.euid, md.gid, perm)
    } else {
        (c.euid, c.egid, perm)
    }
}

pub fn mkdirat(dirfd: i32, path: u64, mode: u32) -> SysResult {
    // mkdir ignores setuid/setgid in the mode (only the sticky bit is kept)
    create_node(dirfd, path, FileType::Directory, mode & 0o1777, 0)
}

pub fn mknodat(dirfd: i32, path: u64, mode: u32, dev: u64) -> SysResult {
    let ft = match mode & 0o170000 {
        0 | 0o100000 => FileType::Regular,
        0o020000 => FileType::CharDev,
        0o060000 => FileType::BlockDev,
        0o010000 => FileType::Fifo,
        0o140000 => FileType::Socket,
        0o040000 => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    };
    if matches!(ft, FileType::CharDev | FileType::BlockDev) && creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    let rdev = rill_vfs::makedev(
        ((dev >> 8) & 0xfff) as u32,
        ((dev & 0xff) | ((dev >> 12) & 0xfff00)) as u32,
    );
    create_node(dirfd, path, ft, mode, rdev)
}

pub fn unlinkat(dirfd: i32, path: u64, flags: u32) -> SysResult {
    if flags & !AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path(path)?;
    let (parent, name) = resolve_parent_at(dirfd, &path)?;
    if flags & AT_REMOVEDIR != 0 {
        match name.as_slice() {
            b"." => return Err(Errno::EINVAL),
            b".." => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        kfs::want_write(&parent)?;
        let node = parent.inode().lookup(&name)?;
        if kfs::mounts().is_mountpoint(&parent.child(&name, node)) {
            return Err(Errno::EBUSY);
        }
        parent.inode().rmdir(&name)?;
    } else {
        if name == b"." || name == b".." {
            return Err(Errno::EISDIR);
        }
        kfs::want_write(&parent)?;
        if rill_vfs::has_trailing_slash(&path) {
            let node = parent.inode().lookup(&name)?;
            return Err(if node.metadata().file_type() == FileType::Directory {
                Errno::EISDIR
            } else {
                Errno::ENOTDIR
            });
        }
        parent.inode().unlink(&name)?;
    }
    Ok(0)
}

pub fn renameat2(olddir: i32, oldpath: u64, newdir: i32, newpath: u64, flags: u32) -> SysResult {
    const NOREPLACE: u32 = 1;
    const EXCHANGE: u32 = 2;
    if flags & !(NOREPLACE | EXCHANGE | 4) != 0
        || flags & (NOREPLACE | EXCHANGE) == (NOREPLACE | EXCHANGE)
    {
        return Err(Errno::EINVAL);
    }
    let op = read_path(oldpath)?;
    let np = read_path(newpath)?;
    let (od, on) = resolve_parent_at(olddir, &op)?;
    let (nd, nn) = resolve_parent_at(newdir, &np)?;
    if od.mount().id != nd.mount().id {
        return Err(Errno::EXDEV);
    }
    if on == b"." || on == b".." || nn == b"." || nn == b".." {
        return Err(Errno::EBUSY);
    }
    kfs::want_write(&od)?;
    let src = od.inode().lookup(&on)?;
    let src_dir = src.metadata().file_type() == FileType::Directory;
    if flags & EXCHANGE == 0
        && !src_dir
        && (rill_vfs::has_trailing_slash(&op) || rill_vfs::has_trailing_slash(&np))
    {
        return Err(Errno::ENOTDIR);
    }
    if flags & NOREPLACE != 0 && nd.inode().lookup(&nn).is_ok() {
        return Err(Errno::EEXIST);
    }
    if flags & EXCHANGE != 0 {
        let dst = nd.inode().lookup(&nn)?;
        let dst_dir = dst.metadata().file_type() == FileType::Directory;
        if (!src_dir && rill_vfs::has_trailing_slash(&np))
            || (!dst_dir && rill_vfs::has_trailing_slash(&op))
        {
            return Err(Errno::ENOTDIR);
        }
        if od.inode().fs_id() != nd.inode().fs_id() {
            return Err(Errno::EXDEV);
        }
        od.inode().exchange(&on, nd.inode(), &nn)?;
        return Ok(0);
    }
    // moving a directory below itself
    if src_dir {
        let mut l = nd.clone();
        let key = src.key();
        loop {
            if l.inode().key() == key {
                return Err(Errno::EINVAL);
            }
            if l.depth() == 0 {
                break;
            }
            l = l.parent();
        }
    }
    od.inode().rename(&on, nd.inode(), &nn)?;
    Ok(0)
}

pub fn linkat(olddir: i32, oldpath: u64, newdir: i32, newpath: u64, flags: u32) -> SysResult {
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let (target, tmnt) = at_node(
        olddir,
        oldpath,
        if flags & AT_SYMLINK_FOLLOW != 0 {
            flags & AT_EMPTY_PATH
        } else {
            AT_SYMLINK_NOFOLLOW | (flags & AT_EMPTY_PATH)
        },
    )?;
    if target.metadata().file_type() == FileType::Directory {
        return Err(Errno::EPERM);
    }
    let np = read_path(newpath)?;
    let (nd, nn) = resolve_parent_at(newdir, &np)?;
    if nn == b"." || nn == b".." || nd.inode().lookup(&nn).is_ok() {
        return Err(Errno::EEXIST);
    }
    if rill_vfs::has_trailing_slash(&np) {
        return Err(Errno::ENOENT);
    }
    kfs::want_write(&nd)?;
    if target.fs_id() != nd.inode().fs_id() || tmnt.is_some_and(|m| m.id != nd.mount().id) {
        return Err(Errno::EXDEV);
    }
    nd.inode().link(&nn, &target)?;
    Ok(0)
}

pub fn symlinkat(target: u64, newdir: i32, linkpath: u64) -> SysResult {
    let t = read_path(target)?;
    if t.is_empty() {
        return Err(Errno::ENOENT);
    }
    let lp = read_path(linkpath)?;
    let (nd, nn) = resolve_parent_at(newdir, &lp)?;
    if nn == b"." || nn == b".." || nd.inode().lookup(&nn).is_ok() {
        return Err(Errno::EEXIST);
    }
    if rill_vfs::has_trailing_slash(&lp) {
        return Err(Errno::ENOENT);
    }
    kfs::want_write(&nd)?;
    let node = nd.inode().symlink(&nn, &t)?;
    let (uid, gid, _) = new_owner(nd.inode(), FileType::Symlink, 0o777);
    let _ = node.chown(Some(uid), Some(gid));
    Ok(0)
}

pub fn readlinkat(dirfd: i32, path: u64, buf: u64, size: u64) -> SysResult {
    // bufsiz is an int
    if (size as i32) <= 0 {
        return Err(Errno::EINVAL);
    }
    let size = size as i32 as u64;
    let p = read_path(path);
    let i = match p {
        Ok(s) if s.is_empty() => {
            let f = file(dirfd)?;
            f.inode.clone().ok_or(Errno::ENOENT)?
        }
        Ok(s) => resolve_at(dirfd, &s, false)?.inode().clone(),
        Err(e) => return Err(e),
    };
    let target = i.readlink()?;
    let b = target.as_slice();
    let n = b.len().min(size as usize);
    write_bytes(buf, &b[..n])?;
    Ok(n as u64)
}

fn check_owner(i: &Arc<dyn Inode>) -> KResult<()> {
    let c = creds();
    if c.euid != 0 && i.metadata().uid != c.euid {
        return Err(Errno::EPERM);
    }
    Ok(())
}

pub fn fchmod(fd: i32, mode: u32) -> SysResult {
    let f = file(fd)?;
    if f.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    let i = file_inode(&f)?;
    want_write_mnt(file_mount(&f))?;
    check_owner(&i)?;
    i.chmod(mode & 0o7777)?;
    Ok(0)
}

pub fn fchmodat(dirfd: i32, path: u64, mode: u32) -> SysResult {
    let (i, m) = at_node(dirfd, path, 0)?;
    want_write_mnt(m)?;
    check_owner(&i)?;
    i.chmod(mode & 0o7777)?;
    Ok(0)
}

fn do_chown(i: &Arc<dyn Inode>, uid: u32, gid: u32) -> SysResult {
    let c = creds();
    let u = if uid == u32::MAX { None } else { Some(uid) };
    let g = if gid == u32::MAX { None } else { Some(gid) };
    if c.euid != 0 {
        let md = i.metadata();
        if u.is_some_and(|u| u != md.uid) || md.uid != c.euid {
            return Err(Errno::EPERM);
        }
    }
    i.chown(u, g)?;
    Ok(0)
}

pub fn fchown(fd: i32, uid: u32, gid: u32) -> SysResult {
    let f = file(fd)?;
    let i = file_inode(&f)?;
    want_write_mnt(file_mount(&f))?;
    do_chown(&i, uid, gid)
}

pub fn fchownat(dirfd: i32, path: u64, uid: u32, gid: u32, flags: u32) -> SysResult {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let (i, m) = at_node(dirfd, path, flags)?;
    want_write_mnt(m)?;
    do_chown(&i, uid, gid)
}

pub fn umask(mask: u32) -> SysResult {
    let p = current().process();
    let mut fs = p.fs.lock();
    let old = fs.umask;
    fs.umask = mask & 0o777;
    Ok(old as u64)
}

fn ts_to_settime(t: &UTimespec) -> KResult<SetTime> {
    const UTIME_NOW: i64 = (1 << 30) - 1;
    const UTIME_OMIT: i64 = (1 << 30) - 2;
    match t.tv_nsec {
        UTIME_NOW => Ok(SetTime::Now),
        UTIME_OMIT => Ok(SetTime::Omit),
        n if (0..1_000_000_000).contains(&n) => Ok(SetTime::Set(Timespec {
            sec: t.tv_sec,
            nsec: n,
        })),
        _ => Err(Errno::EINVAL),
    }
}

fn set_times(i: &Arc<dyn Inode>, a: SetTime, m: SetTime, explicit: bool) -> SysResult {
    let c = creds();
    if c.euid != 0
        && i.metadata().uid != c.euid
        && (explicit || !may_access(&i.metadata(), 2, false))
    {
        return Err(if explicit {
            Errno::EPERM
        } else {
            Errno::EACCES
        });
    }
    i.set_times(a, m)?;
    Ok(0)
}

pub fn utimensat(dirfd: i32, path: u64, times: u64, flags: u32) -> SysResult {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let (a, m, explicit) = if times == 0 {
        (SetTime::Now, SetTime::Now, false)
    } else {
        let t: [UTimespec; 2] = [read_val(times)?, read_val(times + 16)?];
        let a = ts_to_settime(&t[0])?;
        let m = ts_to_settime(&t[1])?;
        let explicit = matches!(a, SetTime::Set(_)) || matches!(m, SetTime::Set(_));
        (a, m, explicit)
    };
    let (i, mnt) = if path == 0 {
        let f = file(dirfd)?;
        (file_inode(&f)?, file_mount(&f))
    } else {
        at_node(dirfd, path, flags)?
    };
    want_write_mnt(mnt)?;
    set_times(&i, a, m, explicit)
}

pub fn utimes(dirfd: i32, path: u64, times: u64) -> SysResult {
    let (i, mnt) = at_node(dirfd, path, 0)?;
    want_write_mnt(mnt)?;
    if times == 0 {
        return set_times(&i, SetTime::Now, SetTime::Now, false);
    }
    let a: Timeval = read_val(times)?;
    let m: Timeval = read_val(times + 16)?;
    if !(0..1_000_000).contains(&a.tv_usec) || !(0..1_000_000).contains(&m.tv_usec) {
        return Err(Errno::EINVAL);
    }
    set_times(
        &i,
        SetTime::Set(Timespec {
            sec: a.tv_sec,
            nsec: a.tv_usec * 1000,
        }),
        SetTime::Set(Timespec {
            sec: m.tv_sec,
            nsec: m.tv_usec * 1000,
        }),
        true,
    )
}

pub fn utime(path: u64, times: u64) -> SysResult {
    let (i, mnt) = at_node(AT_FDCWD, path, 0)?;
    want_write_mnt(mnt)?;
    if times == 0 {
        return set_times(&i, SetTime::Now, SetTime::Now, false);
    }
    let a = read_val::<i64>(times)?;
    let m = read_val::<i64>(times + 8)?;
    set_times(
        &i,
        SetTime::Set(Timespec { sec: a, nsec: 0 }),
        SetTime::Set(Timespec { sec: m, nsec: 0 }),
        true,
    )
}

pub fn truncate(path: u64, len: i64) -> SysResult {
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let p = read_path(path)?;
    let loc = resolve_at(AT_FDCWD, &p, true)?;
    let md = loc.inode().metadata();
    match md.file_type() {
        FileType::Directory => return Err(Errno::EISDIR),
        FileType::Regular => {}
        _ => return Err(Errno::EINVAL),
    }
    kfs::want_write(&loc)?;
    if !may_access(&md, 2, false) {
        return Err(Errno::EACCES);
    }
    check_fsize(len as u64)?;
    loc.inode().truncate(len as u64)?;
    Ok(0)
}

pub fn ftruncate(fd: i32, len: i64) -> SysResult {
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let f = file(fd)?;
    if !f.writable() {
        return Err(Errno::EINVAL);
    }
    let i = f.inode.clone().ok_or(Errno::EINVAL)?;
    if i.metadata().file_type() != FileType::Regular || f.ops.is_some() {
        return Err(Errno::EINVAL);
    }
    check_fsize(len as u64)?;
    i.truncate(len as u64)?;
    Ok(0)
}

pub fn fallocate(fd: i32, mode: u32, off: i64, len: i64) -> SysResult {
    if off < 0 || len <= 0 {
        return Err(Errno::EINVAL);
    }
    let f = file(fd)?;
    if !f.writable() {
        return Err(Errno::EBADF);
    }
    if mode != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let i = file_inode(&f)?;
    // Linux's vfs_fallocate: an end past the largest offset is EFBIG (no overflow)
    let end = off.checked_add(len).ok_or(Errno::EFBIG)? as u64;
    if i.metadata().size < end {
        check_fsize(end)?;
        i.truncate(end)?;
    }
    Ok(0)
}

/// An fd usable for I/O-ish calls (O_PATH descriptors are EBADF).
fn io_file(fd: i32) -> KResult<Arc<OpenFile>> {
    let f = file(fd)?;
    if f.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    Ok(f)
}

fn file_type_of(f: &OpenFile) -> Option<FileType> {
    f.inode.as_ref().map(|i| i.metadata().file_type())
}

/// fsync/fdatasync: only files and directories have an fsync (pipes,
/// devices and generated files give EINVAL like Linux).
pub fn fsync(fd: i32) -> SysResult {
    let f = io_file(fd)?;
    if f.ops.is_some() {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

pub fn syncfs(fd: i32) -> SysResult {
    io_file(fd)?;
    Ok(0)
}

pub fn fadvise64(fd: i32, _off: i64, len: i64, advice: u32) -> SysResult {
    let f = io_file(fd)?;
    if file_type_of(&f) == Some(FileType::Fifo) {
        return Err(Errno::ESPIPE);
    }
    if len < 0 || advice > 5 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

pub fn sync_file_range(fd: i32, off: i64, nbytes: i64, flags: u32) -> SysResult {
    let f = io_file(fd)?;
    if flags & !7 != 0 || off < 0 || nbytes < 0 || off.checked_add(nbytes).is_none() {
        return Err(Errno::EINVAL);
    }
    match file_type_of(&f) {
        Some(FileType::Regular | FileType::BlockDev | FileType::Directory | FileType::Symlink) => {
            Ok(0)
        }
        _ => Err(Errno::ESPIPE),
    }
}

pub fn flock(fd: i32, op: u32) -> SysResult {
    locks::flock(fd, op)
}

pub fn dup(fd: i32) -> SysResult {
    let f = file(fd)?;
    install_fd(f, false).map(|v| v as u64)
}

pub fn dup2(old: i32, new: i32) -> SysResult {
    let f = file(old)?;
    if old == new {
        return Ok(new as u64);
    }
    dup_to(f, new, false)
}

fn dup_to(f: Arc<OpenFile>, new: i32, cloexec: bool) -> SysResult {
    if new < 0 || new as usize >= nofile_limit() {
        return Err(Errno::EBADF);
    }
    let old = current()
        .process()
        .files()
        .lock()
        .install(new as usize, f, cloexec);
    if let Some(e) = &old {
        locks::release_posix(&e.file);
    }
    drop(old);
    Ok(new as u64)
}

pub fn dup3(old: i32, new: i32, flags: u32) -> SysResult {
    if flags & !O_CLOEXEC != 0 || old == new {
        return Err(Errno::EINVAL);
    }
    let f = file(old)?;
    dup_to(f, new, flags & O_CLOEXEC != 0)
}

/// F_SETOWN(_EX): ESRCH unless the thread, process or group exists (0 is
/// nobody, as Linux's find_vpid check).
fn set_file_owner(f: &OpenFile, kind: u32, id: u32) -> SysResult {
    use crate::task::process::{all_processes, find_task};
    let exists = id == 0
        || match kind {
            owner_kind::PGRP => all_processes().iter().any(|p| p.pgid() == id),
            _ => find_task(id).is_some(),
        };
    if !exists {
        return Err(Errno::ESRCH);
    }
    f.set_owner(kind, id);
    Ok(0)
}

pub fn fcntl(fd: i32, cmd: u32, arg: u64) -> SysResult {
    const F_DUPFD: u32 = 0;
    const F_GETFD: u32 = 1;
    const F_SETFD: u32 = 2;
    const F_GETFL: u32 = 3;
    const F_SETFL: u32 = 4;
    const F_GETLK: u32 = 5;
    const F_SETLK: u32 = 6;
    const F_SETLKW: u32 = 7;
    const F_SETOWN: u32 = 8;
    const F_GETOWN: u32 = 9;
    const F_SETSIG: u32 = 10;
    const F_GETSIG: u32 = 11;
    const F_SETOWN_EX: u32 = 15;
    const F_GETOWN_EX: u32 = 16;
    const F_DUPFD_CLOEXEC: u32 = 1030;
    const F_GETPIPE_SZ: u32 = 1032;
    const F_SETPIPE_SZ: u32 = 1031;
    const F_ADD_SEALS: u32 = 1033;
    const F_GET_SEALS: u32 = 1034;
    const F_OFD_GETLK: u32 = 36;
    const F_OFD_SETLK: u32 = 37;
    const F_OFD_SETLKW: u32 = 38;
    const F_SETLEASE: u32 = 1024;
    const F_GETLEASE: u32 = 1025;
    let p = current().process();
    let ft = p.files();
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let f = ft.lock().get(fd)?;
            let lim = nofile_limit();
            if arg as usize >= lim {
                return Err(Errno::EINVAL);
            }
            let r = ft
                .lock()
                .alloc(f, cmd == F_DUPFD_CLOEXEC, arg as usize, lim)?;
            Ok(r as u64)
        }
        F_GETFD => Ok(ft.lock().entry(fd)?.cloexec as u64),
        F_SETFD => {
            ft.lock().set_cloexec(fd, arg & 1 != 0)?;
            Ok(0)
        }
        F_GETFL => {
            let f = ft.lock().get(fd)?;
            Ok((f.flags() | O_LARGEFILE) as u64)
        }
        F_SETFL => {
            let f = ft.lock().get(fd)?;
            f.set_flags(arg as u32);
            Ok(0)
        }
        F_GETLK | F_OFD_GETLK => {
            let f = ft.lock().get(fd)?;
            drop(ft);
            locks::getlk(&f, arg, cmd == F_OFD_GETLK)
        }
        F_SETLK | F_SETLKW | F_OFD_SETLK | F_OFD_SETLKW => {
            let f = ft.lock().get(fd)?;
            drop(ft);
            locks::setlk(
                &f,
                arg,
                matches!(cmd, F_OFD_SETLK | F_OFD_SETLKW),
                matches!(cmd, F_SETLKW | F_OFD_SETLKW),
            )
        }
        F_SETLEASE => {
            let f = ft.lock().get(fd)?;
            drop(ft);
            locks::setlease(&f, arg)
        }
        F_GETLEASE => {
            let f = ft.lock().get(fd)?;
            drop(ft);
            locks::getlease(&f)
        }
        F_SETOWN => {
            let f = ft.lock().get(fd)?;
            drop(ft);
            // f_setown: > 0 a process, < 0 a process group, 0 nobody
            let who = arg as i32;
            if who == i32::MIN {
                return Err(Errno::EINVAL);
            }
            let kind = if who < 0 {
                owner_kind::PGRP
            } else {
                owner_kind::PID
            };
            set_file_owner(&f, kind, who.unsigned_abs())
        }
        F_GETOWN => {
            let (kind, id) = ft.lock().get(fd)?.owner();
            let id = id as i32;
            Ok(if kind == owner_kind::PGRP { -id } else { id } as i64 as u64)
        }
        F_SETOWN_EX => {
            let f = ft.lock().get(fd)?;
            drop(ft);
            let o: [i32; 2] = read_val(arg)?;
            let kind = o[0] as u32;
            if kind > owner_kind::PGRP {
                return Err(Errno::EINVAL);
            }
            // find_vpid: a negative id is never found
            if o[1] < 0 {
                return Err(Errno::ESRCH);
            }
            set_file_owner(&f, kind, o[1] as u32)
        }
        F_GETOWN_EX => {
            let (kind, id) = ft.lock().get(fd)?.owner();
            write_val(arg, &[kind as i32, id as i32])?;
            Ok(0)
        }
        F_SETSIG => {
            let f = ft.lock().get(fd)?;
            if arg > 64 {
                return Err(Errno::EINVAL);
            }
            f.set_signum(arg as u32);
            Ok(0)
        }
        F_GETSIG => Ok(ft.lock().get(fd)?.signum() as u64),
        F_GETPIPE_SZ | F_SETPIPE_SZ => {
            let f = ft.lock().get(fd)?;
            let pipe = f
                .ops
                .as_deref()
                .and_then(rill_vfs::pipe::pipe_of)
                .ok_or(Errno::EBADF)?;
            if cmd == F_GETPIPE_SZ {
                return Ok(pipe.capacity() as u64);
            }
            drop(ft);
            let privileged = creds().euid == 0;
            pipe.set_capacity(arg, privileged).map(|n| n as u64)
        }
        F_ADD_SEALS | F_GET_SEALS => {
            ft.lock().get(fd)?;
            Err(Errno::EINVAL)
        }
        _ => {
            ft.lock().get(fd)?;
            Err(Errno::EINVAL)
        }
    }
}

/// The data argument of mount(2): up to a page, as much as is readable (Linux's
/// `copy_mount_options`), EFAULT if none is; cut at the first NUL.
fn read_mount_data(va: u64) -> KResult<alloc::string::String> {
    let mut buf = vec![0u8; 4096];
    let n = copy_in_partial(va, &mut buf);
    if n == 0 {
        return Err(Errno::EFAULT);
    }
    buf.truncate(n.min(4095));
    if let Some(z) = buf.iter().position(|&b| b == 0) {
        buf.truncate(z);
    }
    Ok(alloc::string::String::from_utf8_lossy(&buf).into_owned())
}

/// Whether a descriptor of any process has a regular file open for writing
/// through a mount `pred` accepts (Linux refuses a remount read-only then:
/// EBUSY). Files held only by mappings are not seen.
fn open_for_write(pred: impl Fn(&rill_vfs::Mount) -> bool) -> bool {
    crate::task::process::all_processes().iter().any(|p| {
        p.files().lock().iter().any(|(_, e)| {
            let f = &e.file;
            f.writable()
                && f.inode
                    .as_ref()
                    .is_some_and(|i| i.metadata().file_type() == FileType::Regular)
                && f.location().is_some_and(|l| pred(l.mount()))
        })
    })
}

/// mount(2) as Linux's `path_mount` does it: the strings are copied, the target
/// resolved, the caller checked, then by flags: a bind remount (mount flags
/// only), a remount (file-system options and flags), a bind, a propagation
/// change, a move, or a new mount of a registered type.
pub fn mount(source: u64, target: u64, fstype: u64, flags: u64, data: u64) -> SysResult {
    use rill_vfs::mount::{mnt_flags_of, ms, parse_data, sb, MountRequest};
    let mut flags = flags;
    if flags & ms::MGC_MSK == ms::MGC_VAL {
        flags &= !ms::MGC_MSK;
    }
    let text = |b: Vec<u8>| alloc::string::String::from_utf8_lossy(&b).into_owned();
    let fst = match fstype {
        0 => None,
        p => Some(text(read_cstr(p, 4096)?)),
    };
    // The source is a path or a device name: bytes, kept as the user gave them.
    let src = match source {
        0 => None,
        p => Some(read_cstr(p, 4096)?),
    };
    let data = match data {
        0 => alloc::string::String::new(),
        p => read_mount_data(p)?,
    };
    let tp = read_path(target)?;
    let loc = resolve_at(AT_FDCWD, &tp, true)?;
    if flags & ms::NOUSER != 0 {
        return Err(Errno::EINVAL);
    }
    if creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    let table = kfs::mounts();
    let old = loc.mount().flags();
    let mnt_flags = mnt_flags_of(flags, Some(old));
    let sb_flags = flags as u32 & sb::FROM_MS;
    let going_ro = mnt_flags & rill_vfs::mount::mnt::READONLY != 0 && !loc.mount().readonly();
    if flags & (ms::REMOUNT | ms::BIND) == ms::REMOUNT | ms::BIND {
        let id = loc.mount().id;
        if going_ro && loc.is_mount_root() && open_for_write(|m| m.id == id) {
            return Err(Errno::EBUSY);
        }
        table.reconfigure_mount(&loc, mnt_flags)?;
        return Ok(0);
    }
    if flags & ms::REMOUNT != 0 {
        let (opts, set, clear) = parse_data(&data);
        let sbf = (sb_flags | set) & !clear;
        let sbk = loc.mount().sb.clone();
        if sbf & sb::RDONLY != 0
            && !sbk.rdonly()
            && loc.is_mount_root()
            && open_for_write(|m| Arc::ptr_eq(&m.sb, &sbk))
        {
            return Err(Errno::EBUSY);
        }
        table.remount(&loc, sbf, mnt_flags, &opts)?;
        return Ok(0);
    }
    if flags & ms::BIND != 0 {
        let from = match src.as_deref() {
            None | Some(b"") => return Err(Errno::EINVAL),
            Some(p) => resolve_at(AT_FDCWD, p, true)?,
        };
        table.bind(&from, &loc, flags & ms::REC != 0)?;
        return Ok(0);
    }
    if flags & (ms::SHARED | ms::PRIVATE | ms::SLAVE | ms::UNBINDABLE) != 0 {
        table.change_type(&loc, flags)?;
        return Ok(0);
    }
    if flags & ms::MOVE != 0 {
        let from = match src.as_deref() {
            None | Some(b"") => return Err(Errno::EINVAL),
            Some(p) => resolve_at(AT_FDCWD, p, true)?,
        };
        table.move_mount(&from, &loc)?;
        return Ok(0);
    }
    let fst = fst.ok_or(Errno::EINVAL)?;
    let ty = kfs::REGISTRY.get(&fst).ok_or(Errno::ENODEV)?;
    let (opts, set, clear) = parse_data(&data);
    let source = src.unwrap_or_else(|| b"none".to_vec());
    let sbk = (ty.mount)(&MountRequest {
        source: &source,
        sb_flags: (sb_flags | set) & !clear,
        options: &opts,
    })?;
    table.mount_new(&loc, sbk, &source, mnt_flags)?;
    Ok(0)
}

/// umount2(2): EINVAL for unknown flags, then the path (following a last
/// symlink unless UMOUNT_NOFOLLOW), EPERM, and the table's checks.
pub fn umount(target: u64, flags: u32) -> SysResult {
    use rill_vfs::mount::umount as um;
    if flags & !(um::FORCE | um::DETACH | um::EXPIRE | um::NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    let tp = read_path(target)?;
    let loc = resolve_at(AT_FDCWD, &tp, flags & um::NOFOLLOW == 0)?;
    if creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    // `loc` holds the one reference to the mount besides the table's.
    kfs::mounts().umount(&loc, flags, 1)?;
    Ok(0)
}

/// Advisory locks: POSIX (fcntl) record locks, open-file-description locks,
/// flock(2) locks and leases. The rules are `rill_vfs::locks` (host-tested);
/// here are the owners, the tables and the sleeping. POSIX locks belong to a
/// process and are dropped when it closes any descriptor of the file or is
/// gone; OFD locks, flock locks and leases belong to an open file
/// description and die with it.
mod locks {
    use super::*;
    use alloc::sync::Weak;
    use rill_abi::types::{Flock, SigInfo};
    use rill_vfs::locks::{
        flock_range, FlockTable, LeaseTable, LockKind, LockOwner, LockTable, OpenCounts, F_RDLCK,
        F_UNLCK, F_WRLCK, LOCK_EX, LOCK_MAND, LOCK_NB, LOCK_SH, LOCK_UN,
    };
    use rill_vfs::WaitQueue;

    /// A process (POSIX locks) or an open file description (the rest).
    #[derive(Clone)]
    pub enum Owner {
        Pid(u32),
        Ofd(Weak<OpenFile>),
    }

    impl LockOwner for Owner {
        fn same(&self, o: &Owner) -> bool {
            match (self, o) {
                (Owner::Pid(a), Owner::Pid(b)) => a == b,
                (Owner::Ofd(a), Owner::Ofd(b)) => Weak::ptr_eq(a, b),
                _ => false,
            }
        }
        fn is_ofd(&self) -> bool {
            matches!(self, Owner::Ofd(_))
        }
        fn pid(&self) -> i32 {
            match self {
                Owner::Pid(p) => *p as i32,
                Owner::Ofd(_) => -1,
            }
        }
    }

    fn alive(o: &Owner) -> bool {
        match o {
            Owner::Pid(pid) => {
                crate::task::process::find_process(*pid).is_some_and(|p| !p.exiting())
            }
            Owner::Ofd(w) => w.strong_count() > 0,
        }
    }

    static RECORDS: spin::Mutex<LockTable<Owner>> = spin::Mutex::new(LockTable::new());
    static FLOCKS: spin::Mutex<FlockTable<Owner>> = spin::Mutex::new(FlockTable::new());
    static LEASES: spin::Mutex<LeaseTable<Owner>> = spin::Mutex::new(LeaseTable::new());
    /// Woken on every unlock, release and lease change.
    static WAKE: WaitQueue = WaitQueue::new();

    /// Sleeps until `cond` gives a result; woken through WAKE, and rechecked
    /// every 20 ms besides, for owners that vanish without an unlock (exit).
    fn wait_for<T>(mut cond: impl FnMut() -> Option<T>) -> KResult<T> {
        loop {
            let dl = crate::time::now_ns() + 20_000_000;
            match crate::task::wait::wait_event(true, Some(dl), |w| {
                WAKE.register(w);
                cond()
            }) {
                Err(Errno::ETIMEDOUT) => continue,
                other => return other,
            }
        }
    }

    fn key_of(f: &OpenFile) -> KResult<(u64, u64)> {
        f.inode.as_ref().map(|i| i.key()).ok_or(Errno::EBADF)
    }

    /// (start, end inclusive) of a struct flock, or EINVAL/EOVERFLOW.
    fn range(f: &OpenFile, fl: &Flock) -> KResult<(u64, u64)> {
        let base: i64 = match fl.l_whence {
            0 => 0,
            1 => f.offset() as i64,
            2 => f.inode.as_ref().map(|i| i.metadata().size).unwrap_or(0) as i64,
            _ => return Err(Errno::EINVAL),
        };
        flock_range(base, fl.l_start, fl.l_len)
    }

    fn owner_for(f: &Arc<OpenFile>, ofd: bool) -> Owner {
        let pid = current().process().pid;
        if ofd {
            Owner::Ofd(Arc::downgrade(f))
        } else {
            Owner::Pid(pid)
        }
    }

    fn read_flock(arg: u64, ofd: bool) -> KResult<Flock> {
        let fl: Flock = read_val(arg)?;
        if ofd && fl.l_pid != 0 {
            return Err(Errno::EINVAL);
        }
        Ok(fl)
    }

    pub fn getlk(f: &Arc<OpenFile>, arg: u64, ofd: bool) -> SysResult {
        let mut fl = read_flock(arg, ofd)?;
        if !matches!(fl.l_type, F_RDLCK | F_WRLCK) {
            return Err(Errno::EINVAL);
        }
        let (start, end) = range(f, &fl)?;
        let key = key_of(f)?;
        let me = owner_for(f, ofd);
        let found = {
            let mut tab = RECORDS.lock();
            tab.retain_owners(alive);
            tab.test(key, &me, start, end, fl.l_type == F_WRLCK)
        };
        match found {
            Some(l) => {
                // the holder's lock, as Linux's posix_lock_to_flock
                let (ty, s, len, pid) = l.report();
                fl.l_type = ty;
                fl.l_whence = 0;
                fl.l_start = s;
                fl.l_len = len;
                fl.l_pid = pid;
            }
            None => fl.l_type = F_UNLCK,
        }
        write_val(arg, &fl)?;
        Ok(0)
    }

    pub fn setlk(f: &Arc<OpenFile>, arg: u64, ofd: bool, wait: bool) -> SysResult {
        let fl = read_flock(arg, ofd)?;
        let kind = LockKind::from_type(fl.l_type).ok_or(Errno::EINVAL)?;
        if kind == LockKind::Read && !f.readable() || kind == LockKind::Write && !f.writable() {
            return Err(Errno::EBADF);
        }
        let (start, end) = range(f, &fl)?;
        let key = key_of(f)?;
        let me = owner_for(f, ofd);
        let attempt = || -> Option<KResult<u64>> {
            let mut tab = RECORDS.lock();
            tab.retain_owners(alive);
            match tab.set(key, &me, start, end, kind) {
                Ok(()) => {
                    tab.remove_waiter(&me);
                    drop(tab);
                    WAKE.wake_all();
                    Some(Ok(0))
                }
                Err(_) if !wait => Some(Err(Errno::EAGAIN)),
                Err(c) if tab.would_deadlock(&me, &c) => {
                    tab.remove_waiter(&me);
                    Some(Err(Errno::EDEADLK))
                }
                Err(c) => {
                    tab.add_waiter(&me, c);
                    None
                }
            }
        };
        let r = if wait {
            wait_for(attempt).and_then(|r| r)
        } else {
            attempt().unwrap_or(Err(Errno::EAGAIN))
        };
        if r.is_err() {
            RECORDS.lock().remove_waiter(&me);
        }
        r
    }

    /// close(): a process loses all its POSIX locks on the file; a
    /// description's own locks go with its last reference (pruned lazily),
    /// so sleepers are woken either way.
    pub fn release_posix(f: &OpenFile) {
        let Ok(key) = key_of(f) else { return };
        let pid = current().process().pid;
        let mut tab = RECORDS.lock();
        let any = !tab.is_empty();
        tab.release(key, &Owner::Pid(pid));
        drop(tab);
        if any || !FLOCKS.lock().is_empty() || !LEASES.lock().is_empty() {
            WAKE.wake_all();
        }
    }

    /// flock(2).
    pub fn flock(fd: i32, op: u32) -> SysResult {
        // Linux ignores LOCK_MAND (it never worked) and succeeds
        if op & LOCK_MAND != 0 {
            return Ok(0);
        }
        let kind = match op & !LOCK_NB {
            LOCK_SH => LockKind::Read,
            LOCK_EX => LockKind::Write,
            LOCK_UN => LockKind::Unlock,
            _ => return Err(Errno::EINVAL),
        };
        let f = file(fd)?;
        if f.flags() & O_PATH != 0 {
            return Err(Errno::EBADF);
        }
        let key = key_of(&f)?;
        let me = Owner::Ofd(Arc::downgrade(&f));
        let attempt = || -> Option<KResult<u64>> {
            let mut tab = FLOCKS.lock();
            tab.retain_owners(alive);
            match tab.lock(key, &me, kind) {
                Ok(()) => {
                    drop(tab);
                    WAKE.wake_all();
                    Some(Ok(0))
                }
                Err(_) if op & LOCK_NB != 0 => Some(Err(Errno::EWOULDBLOCK)),
                Err(_) => None,
            }
        };
        if op & LOCK_NB != 0 {
            attempt().unwrap_or(Err(Errno::EWOULDBLOCK))
        } else {
            wait_for(attempt).and_then(|r| r)
        }
    }

    /// How the file `key` is open now (Linux's i_readcount/i_writecount):
    /// every open description in any process, each counted once.
    fn open_counts(key: (u64, u64)) -> OpenCounts {
        let mut seen: Vec<*const OpenFile> = Vec::new();
        let mut c = OpenCounts::default();
        for p in crate::task::process::all_processes() {
            let ft = p.files();
            let t = ft.lock();
            for (_, e) in t.iter() {
                let f = &e.file;
                if f.flags() & O_PATH != 0 || f.inode.as_ref().map(|i| i.key()) != Some(key) {
                    continue;
                }
                let ptr = Arc::as_ptr(f);
                if seen.contains(&ptr) {
                    continue;
                }
                seen.push(ptr);
                if f.writable() {
                    c.writers += 1;
                } else if f.readable() {
                    c.read_only += 1;
                }
            }
        }
        c
    }

    /// F_SETLEASE, as Linux's generic_setlease on a local file system.
    pub fn setlease(f: &Arc<OpenFile>, arg: u64) -> SysResult {
        let inode = f.inode.as_ref().ok_or(Errno::EINVAL)?;
        let md = inode.metadata();
        if creds().euid != md.uid && creds().euid != 0 {
            return Err(Errno::EACCES);
        }
        if md.file_type() != FileType::Regular {
            return Err(Errno::EINVAL);
        }
        let ty = match arg {
            0 => F_RDLCK,
            1 => F_WRLCK,
            2 => F_UNLCK,
            _ => return Err(Errno::EINVAL),
        };
        let key = inode.key();
        let me = Owner::Ofd(Arc::downgrade(f));
        let counts = if ty == F_UNLCK {
            OpenCounts::default()
        } else {
            open_counts(key)
        };
        let mut tab = LEASES.lock();
        tab.retain_owners(alive);
        tab.set(key, &me, ty, counts, f.writable(), crate::time::now_ns())?;
        drop(tab);
        if ty != F_UNLCK {
            // as Linux's lease_setup: breaks are signalled to the setter
            f.set_owner(rill_vfs::file::owner_kind::PID, current().process().pid);
        }
        WAKE.wake_all();
        Ok(0)
    }

    /// F_GETLEASE: the lease this description holds (or is being broken to).
    pub fn getlease(f: &Arc<OpenFile>) -> SysResult {
        let Ok(key) = key_of(f) else {
            return Ok(F_UNLCK as u64);
        };
        let me = Owner::Ofd(Arc::downgrade(f));
        let mut tab = LEASES.lock();
        tab.retain_owners(alive);
        Ok(tab.get(key, &me, crate::time::now_ns()) as u64)
    }

    /// Linux's send_sigio for a lease break: the file's owner (F_SETOWN) gets
    /// SIGIO, or the F_SETSIG signal with si_code POLL_MSG.
    fn signal_owner(f: &OpenFile) {
        let (sig, info) = match f.signum() {
            0 => {
                let s = rill_abi::consts::SIGIO;
                (s, SigInfo::kill(s, 0x80, 0, 0))
            }
            s => (s, SigInfo::new(s, 3)),
        };
        use rill_vfs::file::owner_kind;
        match f.owner() {
            (_, 0) => {}
            (owner_kind::PGRP, g) => {
                crate::signal::send_to_pgrp(g, sig);
            }
            (owner_kind::TID, t) => {
                if let Some(t) = crate::task::process::find_task(t) {
                    crate::signal::send_to_task(&t, sig, info);
                }
            }
            (_, p) => {
                if let Some(t) = crate::task::process::find_task(p) {
                    crate::signal::send_to_process(&t.process(), sig, info);
                }
            }
        }
    }

    /// An open of a regular file meets its leases (Linux's break_lease):
    /// conflicting holders get SIGIO; the opener fails with EWOULDBLOCK
    /// under O_NONBLOCK, else sleeps until the holders give way or the
    /// lease-break time (45 s) forces them.
    pub fn break_lease(inode: &Arc<dyn Inode>, flags: u32) -> KResult<()> {
        if LEASES.lock().is_empty() {
            return Ok(());
        }
        let key = inode.key();
        let want_write = flags & O_ACCMODE != O_RDONLY;
        let b = {
            let mut tab = LEASES.lock();
            tab.retain_owners(alive);
            tab.break_for_open(key, want_write, crate::time::now_ns())
        };
        let Some(b) = b else { return Ok(()) };
        for o in b.notify {
            if let Owner::Ofd(w) = o {
                if let Some(f) = w.upgrade() {
                    signal_owner(&f);
                }
            }
        }
        if flags & O_NONBLOCK != 0 {
            return Err(Errno::EWOULDBLOCK);
        }
        wait_for(|| {
            let mut tab = LEASES.lock();
            tab.retain_owners(alive);
            (!tab.open_blocked(key, want_write, crate::time::now_ns())).then_some(())
        })
    }
}
