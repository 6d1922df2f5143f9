//! splice and copy_file_range: moving data between files in the kernel.
//!
//! Rill has no page-reference pipes, so both copy through a kernel buffer (at most
//! 64 KiB, a pipe's capacity, per step). A consequence Linux does not have: when
//! the destination of a pipe→file splice accepts only part of what was taken from the
//! pipe (a full non-blocking socket, a signal), the rest is lost, so the count
//! returned is what was written.
use super::fs::{blocking, file, write_all, WAIT_READ};
use super::SysResult;
use crate::uaccess::*;
use alloc::sync::Arc;
use alloc::vec;
use rill_abi::{Errno, KResult};
use rill_vfs::{FileKind, FileType, OpenFile};

const SPLICE_F_MOVE: u32 = 1;
const SPLICE_F_NONBLOCK: u32 = 2;
const SPLICE_F_MORE: u32 = 4;
const SPLICE_F_GIFT: u32 = 8;
const CHUNK: usize = 65536;

fn is_pipe(f: &OpenFile) -> bool {
    f.kind() == Some(FileKind::Fifo)
}

/// Reads once from `f` (at `*off` if given), waiting unless `nonblock`.
fn read_once(
    f: &Arc<OpenFile>,
    off: Option<&mut u64>,
    buf: &mut [u8],
    nonblock: bool,
) -> KResult<usize> {
    match off {
        Some(o) => {
            let n = f.pread(*o, buf)?;
            *o += n as u64;
            Ok(n)
        }
        None if nonblock => f.read(buf),
        None => blocking(f, WAIT_READ, || f.read(buf)),
    }
}

fn read_off(ptr: u64) -> KResult<Option<u64>> {
    if ptr == 0 {
        return Ok(None);
    }
    let v = read_u64(ptr)? as i64;
    if v < 0 {
        return Err(Errno::EINVAL);
    }
    Ok(Some(v as u64))
}

pub fn splice(
    fd_in: i32,
    off_in: u64,
    fd_out: i32,
    off_out: u64,
    len: u64,
    flags: u32,
) -> SysResult {
    if flags & !(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT) != 0 {
        return Err(Errno::EINVAL);
    }
    let fin = file(fd_in)?;
    let fout = file(fd_out)?;
    if !fin.readable() || !fout.writable() {
        return Err(Errno::EBADF);
    }
    let (pin, pout) = (is_pipe(&fin), is_pipe(&fout));
    if !pin && !pout {
        return Err(Errno::EINVAL);
    }
    if (pin && off_in != 0) || (pout && off_out != 0) {
        return Err(Errno::ESPIPE);
    }
    let same_pipe = match (&fin.inode, &fout.inode) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => Arc::ptr_eq(&fin, &fout),
    };
    if pin && pout && same_pipe {
        return Err(Errno::EINVAL);
    }
    if fout.flags() & rill_vfs::flags::O_APPEND != 0 {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let mut oin = read_off(off_in)?;
    let mut oout = read_off(off_out)?;
    // the pipe side is non-blocking with SPLICE_F_NONBLOCK or O_NONBLOCK on the pipe
    let nb_in = (pin && fin.nonblocking()) || flags & SPLICE_F_NONBLOCK != 0;
    let mut buf = vec![0u8; (len as usize).min(CHUNK)];
    let n = read_once(&fin, oin.as_mut(), &mut buf, nb_in)?;
    if n == 0 {
        return Ok(0);
    }
    let w = write_all(&fout, oout, &buf[..n])?;
    if let Some(o) = oout.as_mut() {
        *o += w as u64;
    }
    if let Some(o) = oin {
        write_u64(off_in, o)?;
    }
    if let Some(o) = oout {
        write_u64(off_out, o)?;
    }
    Ok(w as u64)
}

fn regular(f: &OpenFile) -> KResult<()> {
    match f.inode.as_ref().map(|i| i.metadata().file_type()) {
        Some(FileType::Regular) if f.ops.is_none() => Ok(()),
        Some(FileType::Directory) => Err(Errno::EISDIR),
        _ => Err(Errno::EINVAL),
    }
}

pub fn copy_file_range(
    fd_in: i32,
    off_in: u64,
    fd_out: i32,
    off_out: u64,
    len: u64,
    flags: u32,
) -> SysResult {
    let fin = file(fd_in)?;
    let fout = file(fd_out)?;
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    if !fin.readable() || !fout.writable() {
        return Err(Errno::EBADF);
    }
    if fout.flags() & rill_vfs::flags::O_APPEND != 0 {
        return Err(Errno::EBADF);
    }
    regular(&fin)?;
    regular(&fout)?;
    let mut oin = match read_off(off_in)? {
        Some(o) => o,
        None => fin.offset(),
    };
    let mut oout = match read_off(off_out)? {
        Some(o) => o,
        None => fout.offset(),
    };
    let same = match (&fin.inode, &fout.inode) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    };
    if same && oin < oout.saturating_add(len) && oout < oin.saturating_add(len) {
        return Err(Errno::EINVAL);
    }
    let len = len.min(0x7fff_f000);
    let mut buf = vec![0u8; (len as usize).min(CHUNK)];
    let mut total = 0u64;
    while total < len {
        let want = ((len - total) as usize).min(buf.len());
        let n = match fin.pread(oin, &mut buf[..want]) {
            Ok(n) => n,
            Err(_) if total > 0 => break,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        let w = match write_all(&fout, Some(oout), &buf[..n]) {
            Ok(w) => w,
            Err(_) if total > 0 => break,
            Err(e) => return Err(e),
        };
        oin += w as u64;
        oout += w as u64;
        total += w as u64;
        if w < n || crate::task::wait::signal_pending(&crate::task::current()) {
            break;
        }
    }
    if off_in != 0 {
        write_u64(off_in, oin)?;
    } else {
        fin.set_offset(oin);
    }
    if off_out != 0 {
        write_u64(off_out, oout)?;
    } else {
        fout.set_offset(oout);
    }
    Ok(total)
}
