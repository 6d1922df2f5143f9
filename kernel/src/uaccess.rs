//! Copying to and from the current process's memory. Every user pointer a
//! syscall receives goes through here; bad pointers give EFAULT.
use crate::task::current;
use alloc::vec;
use alloc::vec::Vec;
use bytemuck::{Pod, Zeroable};
use rill_abi::{Errno, KResult};

pub const PATH_MAX: usize = 4096;

/// A zeroed buffer of `len` bytes; ENOMEM instead of an allocation
/// failure (which would stop the kernel) for huge user-supplied lengths.
pub fn try_buf(len: usize) -> KResult<Vec<u8>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Errno::ENOMEM)?;
    v.resize(len, 0);
    Ok(v)
}

/// A kernel bounce buffer for one read- or write-style call, taken from a small
/// pool: the hot paths (read/write, recv) neither allocate nor zero-fill per
/// call (zero-filling a 128 KiB read buffer cost more than the copy it serves).
/// Its bytes are stale ones of an earlier call, kernel memory only: a caller
/// copies out only the prefix its callee reported as written, as with a user
/// buffer. Returned to the pool when dropped.
pub struct Scratch {
    buf: Vec<u8>,
    len: usize,
}

/// Buffers kept, and the largest kept (read/write's chunk).
const SCRATCH_KEEP: usize = 8;
const SCRATCH_MAX: usize = 1 << 20;
static SCRATCH: spin::Mutex<Vec<Vec<u8>>> = spin::Mutex::new(Vec::new());

impl Scratch {
    pub fn new(len: usize) -> KResult<Scratch> {
        let pooled = {
            let mut p = SCRATCH.lock();
            // the smallest that is large enough
            let best = p
                .iter()
                .enumerate()
                .filter(|(_, b)| b.capacity() >= len)
                .min_by_key(|(_, b)| b.capacity())
                .map(|(i, _)| i);
            best.map(|i| p.swap_remove(i))
        };
        let mut buf = match pooled {
            Some(b) => b,
            None => {
                let mut v = Vec::new();
                v.try_reserve_exact(len.max(4096))
                    .map_err(|_| Errno::ENOMEM)?;
                v
            }
        };
        // only bytes never initialized before are zeroed: the length only grows
        if buf.len() < len {
            buf.resize(len, 0);
        }
        Ok(Scratch { buf, len })
    }

    /// Keeps only the first `n` bytes.
    pub fn truncate(&mut self, n: usize) {
        self.len = self.len.min(n);
    }
}

impl core::ops::Deref for Scratch {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl core::ops::DerefMut for Scratch {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.buf.capacity() > SCRATCH_MAX {
            return;
        }
        let mut p = SCRATCH.lock();
        if p.len() < SCRATCH_KEEP {
            p.push(core::mem::take(&mut self.buf));
        }
    }
}

pub fn read_bytes(va: u64, len: usize) -> KResult<Vec<u8>> {
    if len > (1 << 20)
        && !current()
            .process()
            .mm()
            .inner
            .lock()
            .vmas
            .is_range_mapped(va, len as u64)
    {
        return Err(Errno::EFAULT);
    }
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Errno::ENOMEM)?;
    if len > 0 {
        current().process().mm().read_append(va, len, &mut v)?;
    }
    Ok(v)
}

pub fn read_into(va: u64, buf: &mut [u8]) -> KResult<()> {
    if buf.is_empty() {
        return Ok(());
    }
    current().process().mm().read(va, buf)
}

pub fn write_bytes(va: u64, data: &[u8]) -> KResult<()> {
    if data.is_empty() {
        return Ok(());
    }
    current().process().mm().write(va, data)
}

/// Like Linux's copy_to_user for read(2)-style calls: copy as much of
/// `data` as is writable from `va` on. Ok(n) with n < len when a fault stops
/// the copy after n bytes; EFAULT only when not even the first byte could be
/// written.
pub fn write_bytes_partial(va: u64, data: &[u8]) -> KResult<usize> {
    if data.is_empty() {
        return Ok(0);
    }
    let mm = current().process().mm();
    let mut done = 0usize;
    while done < data.len() {
        let a = va.checked_add(done as u64).ok_or(Errno::EFAULT)?;
        let n = (4096 - (a & 0xfff) as usize).min(data.len() - done);
        if mm.write(a, &data[done..done + n]).is_err() {
            break;
        }
        done += n;
    }
    if done == 0 {
        return Err(Errno::EFAULT);
    }
    Ok(done)
}

/// For write(2)-style calls: the readable prefix of `[va, va + len)`
/// (EFAULT when empty).
pub fn read_bytes_partial(va: u64, len: usize) -> KResult<Vec<u8>> {
    let mm = current().process().mm();
    let mut out = Vec::new();
    let mut done = 0usize;
    while done < len {
        let a = va.checked_add(done as u64).ok_or(Errno::EFAULT)?;
        let n = (4096 - (a & 0xfff) as usize).min(len - done);
        let mut chunk = vec![0u8; n];
        if mm.read(a, &mut chunk).is_err() {
            break;
        }
        out.extend_from_slice(&chunk);
        done += n;
    }
    if len > 0 && out.is_empty() {
        return Err(Errno::EFAULT);
    }
    Ok(out)
}

pub fn read_val<T: Pod>(va: u64) -> KResult<T> {
    let mut v = T::zeroed();
    read_into(va, bytemuck::bytes_of_mut(&mut v))?;
    Ok(v)
}

pub fn write_val<T: Pod>(va: u64, v: &T) -> KResult<()> {
    write_bytes(va, bytemuck::bytes_of(v))
}

pub fn read_u64(va: u64) -> KResult<u64> {
    read_val::<u64>(va)
}
pub fn write_u64(va: u64, v: u64) -> KResult<()> {
    write_val(va, &v)
}
pub fn read_i32(va: u64) -> KResult<i32> {
    read_val::<i32>(va)
}
pub fn write_i32(va: u64, v: i32) -> KResult<()> {
    write_val(va, &v)
}

/// A path argument, as bytes (a name is any bytes but '/' and NUL):
/// EFAULT for bad pointers, ENAMETOOLONG past PATH_MAX (4096 with the NUL).
pub fn read_path(va: u64) -> KResult<Vec<u8>> {
    current().process().mm().read_cstr(va, PATH_MAX)
}

pub fn read_cstr(va: u64, max: usize) -> KResult<Vec<u8>> {
    current().process().mm().read_cstr(va, max)
}

/// A NULL-terminated array of string pointers (argv/envp).
pub fn read_str_array(va: u64, max_total: usize) -> KResult<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    if va == 0 {
        return Ok(out);
    }
    let mut total = 0usize;
    for i in 0.. {
        let p = read_u64(va + i * 8)?;
        if p == 0 {
            break;
        }
        let s = read_cstr(p, 128 * 1024 + 1).map_err(|e| {
            if e == Errno::ENAMETOOLONG {
                Errno::E2BIG
            } else {
                e
            }
        })?;
        total += s.len() + 1 + 8;
        if total > max_total {
            return Err(Errno::E2BIG);
        }
        out.push(s);
    }
    Ok(out)
}

/// A zeroed value of T, for structs about to be filled.
pub fn zeroed<T: Zeroable>() -> T {
    T::zeroed()
}
