//! Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise.
use super::SysResult;
use crate::mm::addrspace::{MapFile, PROT_EXEC, PROT_READ, PROT_WRITE, USER_TOP, VM_SHARED};
use crate::task::current;
use alloc::string::String;
use alloc::sync::Arc;
use rill_abi::Errno;
use rill_abi::KResult;
use rill_mm::{Backing, Vma};

const MAP_SHARED: u32 = 1;
const MAP_PRIVATE: u32 = 2;
const MAP_SHARED_VALIDATE: u32 = 3;
const MAP_FIXED: u32 = 0x10;
const MAP_ANONYMOUS: u32 = 0x20;
const MAP_32BIT: u32 = 0x40;
const MAP_GROWSDOWN: u32 = 0x100;
const MAP_LOCKED: u32 = 0x2000;
const MAP_NORESERVE: u32 = 0x4000;
const MAP_POPULATE: u32 = 0x8000;
const MAP_FIXED_NOREPLACE: u32 = 0x100000;
/// Linux's LEGACY_MAP_MASK plus MAP_FIXED_NOREPLACE, MAP_32BIT and the
/// hugetlb size bits: what MAP_SHARED_VALIDATE accepts (else EOPNOTSUPP).
const VALIDATE_MASK: u32 = 0x3
    | MAP_FIXED
    | MAP_ANONYMOUS
    | MAP_32BIT
    | MAP_GROWSDOWN
    | 0x800 // MAP_DENYWRITE
    | 0x1000 // MAP_EXECUTABLE
    | MAP_LOCKED
    | MAP_NORESERVE
    | MAP_POPULATE
    | 0x10000 // MAP_NONBLOCK
    | 0x20000 // MAP_STACK
    | 0x40000 // MAP_HUGETLB
    | MAP_FIXED_NOREPLACE
    | 0x400_0000 // MAP_UNINITIALIZED
    | 0xfc00_0000; // MAP_HUGE_SHIFT size bits

/// RLIMIT_AS of the calling process (u64::MAX: unlimited).
fn as_limit() -> u64 {
    const RLIMIT_AS: usize = 9;
    current().process().inner.lock().rlimits[RLIMIT_AS].0
}

/// Linux may_expand_vm: would `extra` more bytes of mappings stay within
/// RLIMIT_AS?
fn may_expand(g: &crate::mm::addrspace::MmInner, extra: u64, limit: u64) -> bool {
    if limit == u64::MAX || extra == 0 {
        return true;
    }
    let total: u64 = g.vmas.iter().map(|v| v.end - v.start).sum();
    total.saturating_add(extra) <= limit
}

/// Bytes of `[start, end)` that are mapped already.
fn mapped_bytes(g: &crate::mm::addrspace::MmInner, start: u64, end: u64) -> u64 {
    g.vmas
        .iter()
        .filter(|v| v.start < end && v.end > start)
        .map(|v| v.end.min(end) - v.start.max(start))
        .sum()
}

/// Fault in every page of `[start, end)` like MAP_POPULATE / mlock do
/// (writable private pages are faulted for write so they are not shared
/// with the zero page). Pages that cannot be accessed are skipped.
fn populate(g: &mut crate::mm::addrspace::MmInner, start: u64, end: u64) {
    let mut va = start;
    while va < end {
        let Some((prot, vend)) = g.vmas.find(va).map(|v| (v.prot, v.end)) else {
            va += 4096;
            continue;
        };
        let kind = if prot & PROT_WRITE != 0 {
            crate::mm::addrspace::FaultKind::Write
        } else {
            crate::mm::addrspace::FaultKind::Read
        };
        let stop = vend.min(end);
        if prot & (PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
            while va < stop {
                if g.pt.get(va) & crate::mm::paging::PTE_P == 0 {
                    let _ = g.fault(va, kind);
                }
                va += 4096;
            }
        }
        va = stop;
    }
}

pub fn brk(addr: u64) -> SysResult {
    let limit = as_limit();
    let p = current().process();
    let mm = p.mm();
    let mut g = mm.inner.lock();
    let start = g.brk_start;
    let cur = g.brk;
    if addr < start || addr >= USER_TOP {
        return Ok(cur);
    }
    let old_end = (cur + 0xfff) & !0xfff;
    let new_end = (addr + 0xfff) & !0xfff;
    if new_end > old_end {
        // must not run into another mapping
        if g.vmas.is_range_mapped(old_end, new_end - old_end)
            || g.vmas.iter().any(|v| v.start < new_end && v.end > old_end)
            || !may_expand(&g, new_end - old_end, limit)
        {
            return Ok(cur);
        }
        if g.vmas
            .map(Vma::anon(
                old_end,
                new_end,
                PROT_READ | PROT_WRITE,
                crate::mm::addrspace::VM_HEAP,
            ))
            .is_err()
        {
            return Ok(cur);
        }
    } else if new_end < old_end {
        if let Ok(r) = g.vmas.unmap(new_end, old_end - new_end) {
            for (s, e) in r {
                g.unmap_pages(s, e);
            }
        }
    }
    g.brk = addr;
    Ok(addr)
}

pub fn mmap(addr: u64, len: u64, prot: u32, flags: u32, fd: i32, off: u64) -> SysResult {
    if len == 0 || off & 0xfff != 0 {
        return Err(Errno::EINVAL);
    }
    let len = len.checked_add(0xfff).ok_or(Errno::ENOMEM)? & !0xfff;
    if len > USER_TOP {
        return Err(Errno::ENOMEM);
    }
    let typ = flags & 3;
    if typ != MAP_SHARED && typ != MAP_PRIVATE && typ != MAP_SHARED_VALIDATE {
        return Err(Errno::EINVAL);
    }
    let shared = typ != MAP_PRIVATE;
    let anon = flags & MAP_ANONYMOUS != 0;
    if anon && typ == MAP_SHARED_VALIDATE {
        return Err(Errno::EINVAL);
    }
    if typ == MAP_SHARED_VALIDATE && flags & !VALIDATE_MASK != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    // Linux: shared anonymous memory cannot grow down
    if anon && shared && flags & MAP_GROWSDOWN != 0 {
        return Err(Errno::EINVAL);
    }
    // file mappings: the end must fit in a (signed) file offset
    if !anon && (off > i64::MAX as u64 || len > i64::MAX as u64 - off) {
        let _ = super::fs::file(fd)?;
        return Err(Errno::EOVERFLOW);
    }
    let mut extra = 0;
    let shmem = |len: u64| -> KResult<Backing<crate::mm::addrspace::FileRef>> {
        let inode = crate::mm::pagecache::shmem_file(len)?;
        Ok(Backing::File {
            file: Arc::new(MapFile {
                inode,
                path: String::from(crate::mm::pagecache::SHMEM_PATH),
            }),
            offset: 0,
        })
    };
    let backing = if anon {
        if shared {
            shmem(len)?
        } else {
            Backing::Anon
        }
    } else {
        let f = super::fs::file(fd)?;
        if !f.readable() {
            return Err(Errno::EACCES);
        }
        let inode = f.inode.clone().ok_or(Errno::ENODEV)?;
        let md = inode.metadata();
        let ft = md.file_type();
        if ft != rill_vfs::FileType::Regular && ft != rill_vfs::FileType::CharDev {
            return Err(Errno::ENODEV);
        }
        if shared && !f.writable() {
            if prot & PROT_WRITE != 0 {
                return Err(Errno::EACCES);
            }
            extra |= rill_mm::VM_NOMAYWRITE;
        }
        if ft == rill_vfs::FileType::Regular && !inode.has_pages() {
            // generated files (/proc, /sys) have no mmap, as on Linux
            return Err(Errno::ENODEV);
        }
        if ft == rill_vfs::FileType::CharDev && md.rdev != rill_vfs::dev::makedev(1, 5) {
            // only /dev/zero among the character devices can be mapped
            return Err(Errno::ENODEV);
        }
        if ft == rill_vfs::FileType::CharDev {
            // /dev/zero: anonymous memory
            if shared {
                shmem(len)?
            } else {
                Backing::Anon
            }
        } else {
            Backing::File {
                file: Arc::new(MapFile {
                    inode,
                    path: alloc::string::String::from_utf8_lossy(&f.path).into_owned(),
                }),
                offset: off,
            }
        }
    };
    let limit = as_limit();
    let p = current().process();
    let mm = p.mm();
    let mut g = mm.inner.lock();
    let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
    let start = if fixed {
        if addr & 0xfff != 0 {
            return Err(Errno::EINVAL);
        }
        if addr.checked_add(len).is_none_or(|e| e > USER_TOP) {
            return Err(Errno::ENOMEM);
        }
        if flags & MAP_FIXED_NOREPLACE != 0
            && flags & MAP_FIXED == 0
            && g.vmas.iter().any(|v| v.start < addr + len && v.end > addr)
        {
            return Err(Errno::EEXIST);
        }
        addr
    } else if flags & MAP_32BIT != 0 && addr == 0 {
        // Linux x86-64: between 1 GiB and 2 GiB
        g.vmas.find_free_in(len, 0x4000_0000, 0x8000_0000)?
    } else {
        let hint = if addr != 0 { Some(addr & !0xfff) } else { None };
        g.vmas.find_free(len, hint)?
    };
    // RLIMIT_AS: what MAP_FIXED replaces does not count twice
    if !may_expand(&g, len - mapped_bytes(&g, start, start + len), limit) {
        return Err(Errno::ENOMEM);
    }
    let mut vflags = if shared { VM_SHARED } else { 0 } | extra;
    if flags & MAP_GROWSDOWN != 0 {
        vflags |= rill_mm::VM_GROWSDOWN;
    }
    if flags & MAP_NORESERVE != 0 {
        vflags |= rill_mm::VM_NORESERVE;
    }
    if flags & MAP_LOCKED != 0 {
        vflags |= rill_mm::VM_LOCKED;
    }
    let prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
    let removed = g.vmas.map(Vma {
        start,
        end: start + len,
        prot,
        flags: vflags,
        backing,
    })?;
    for (s, e) in removed {
        g.unmap_pages(s, e);
    }
    if flags & (MAP_POPULATE | MAP_LOCKED) != 0 {
        populate(&mut g, start, start + len);
    }
    Ok(start)
}

pub fn munmap(addr: u64, len: u64) -> SysResult {
    if addr & 0xfff != 0 || len == 0 || addr >= USER_TOP {
        return Err(Errno::EINVAL);
    }
    let len = len.checked_add(0xfff).ok_or(Errno::EINVAL)? & !0xfff;
    if addr.checked_add(len).is_none_or(|e| e > USER_TOP) {
        return Err(Errno::EINVAL);
    }
    let mm = current().process().mm();
    let mut g = mm.inner.lock();
    let removed = g.vmas.unmap(addr, len)?;
    for (s, e) in removed {
        g.unmap_pages(s, e);
    }
    Ok(0)
}

pub fn mprotect(addr: u64, len: u64, prot: u32) -> SysResult {
    const PROT_SEM: u32 = 8;
    const PROT_GROWSDOWN: u32 = 0x0100_0000;
    const PROT_GROWSUP: u32 = 0x0200_0000;
    let grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    if addr & 0xfff != 0
        || grows == PROT_GROWSDOWN | PROT_GROWSUP
        || prot & !(7 | PROT_SEM | grows) != 0
    {
        return Err(Errno::EINVAL);
    }
    let len = len.checked_add(0xfff).ok_or(Errno::ENOMEM)? & !0xfff;
    if len == 0 {
        return Ok(0);
    }
    addr.checked_add(len)
        .filter(|&e| e <= USER_TOP)
        .ok_or(Errno::ENOMEM)?;
    let prot = prot & 7;
    let mm = current().process().mm();
    let mut g = mm.inner.lock();
    let (addr, len) = if grows != 0 {
        let v = g.vmas.find(addr).ok_or(Errno::ENOMEM)?;
        // x86 has no VM_GROWSUP; PROT_GROWSDOWN extends down to the VMA start
        if grows == PROT_GROWSUP || v.flags & rill_mm::VM_GROWSDOWN == 0 {
            return Err(Errno::EINVAL);
        }
        (v.start, addr + len - v.start)
    } else {
        (addr, len)
    };
    let r = g.vmas.protect(addr, len, prot);
    // re-derive PTEs for whatever part changed
    let ranges: alloc::vec::Vec<(u64, u64, u32, bool)> = g
        .vmas
        .iter()
        .filter(|v| v.start < addr + len && v.end > addr)
        .map(|v| {
            (
                v.start.max(addr),
                v.end.min(addr + len),
                v.prot,
                v.flags & VM_SHARED != 0,
            )
        })
        .collect();
    for (s, e, pr, sh) in ranges {
        g.reprotect_pages(s, e, pr, sh);
    }
    r?;
    Ok(0)
}

pub fn mremap(old: u64, old_len: u64, new_len: u64, flags: u32, new_addr: u64) -> SysResult {
    const MREMAP_MAYMOVE: u32 = 1;
    const MREMAP_FIXED: u32 = 2;
    const MREMAP_DONTUNMAP: u32 = 4;
    if old & 0xfff != 0 || flags & !(7) != 0 || new_len == 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0 {
        return Err(Errno::EINVAL);
    }
    let dontunmap = flags & MREMAP_DONTUNMAP != 0;
    if dontunmap && (flags & MREMAP_MAYMOVE == 0 || old_len != new_len) {
        return Err(Errno::EINVAL);
    }
    let old_len = old_len.checked_add(0xfff).ok_or(Errno::EINVAL)? & !0xfff;
    let new_len = new_len.checked_add(0xfff).ok_or(Errno::EINVAL)? & !0xfff;
    let limit = as_limit();
    let mm = current().process().mm();
    let mut g = mm.inner.lock();
    if new_len > old_len && !may_expand(&g, new_len - old_len, limit) {
        return Err(Errno::ENOMEM);
    }
    let mut fixed = if flags & MREMAP_FIXED != 0 {
        Some(new_addr)
    } else {
        None
    };
    // MREMAP_DONTUNMAP: the pages move, the old range stays mapped (empty,
    // like a fresh mapping of the same kind)
    let keep_old = if dontunmap {
        let piece = g
            .vmas
            .piece(old, old.checked_add(old_len).ok_or(Errno::EINVAL)?)
            .ok_or(Errno::EFAULT)?;
        if fixed.is_none() {
            fixed = Some(g.vmas.find_free(new_len, None)?);
        }
        Some(piece)
    } else {
        None
    };
    let r = g
        .vmas
        .remap(old, old_len, new_len, flags & MREMAP_MAYMOVE != 0, fixed)?;
    for (s, e) in r.unmapped.clone() {
        g.unmap_pages(s, e);
    }
    if let Some(mv) = r.moved {
        // move the PTEs page by page
        let mut off = 0;
        while off < mv.len {
            let pte = g.pt.clear(mv.from + off);
            if pte & crate::mm::paging::PTE_MAPPED != 0 {
                g.pt.set(mv.to + off, pte)?;
            }
            crate::arch::cpu::invlpg(mv.from + off);
            off += 4096;
        }
    }
    if let Some(piece) = keep_old {
        let removed = g.vmas.map(piece)?;
        for (s, e) in removed {
            g.unmap_pages(s, e);
        }
    }
    Ok(r.new_addr)
}

pub fn madvise(addr: u64, len: u64, advice: u32) -> SysResult {
    const MADV_DONTNEED: u32 = 4;
    const MADV_FREE: u32 = 8;
    const MADV_REMOVE: u32 = 9;
    const MADV_DONTFORK: u32 = 10;
    const MADV_DOFORK: u32 = 11;
    const MADV_WIPEONFORK: u32 = 18;
    const MADV_KEEPONFORK: u32 = 19;
    const MADV_WILLNEED: u32 = 3;
    let valid = matches!(advice, 0..=4 | 8..=25 | 100 | 101);
    if !valid || addr & 0xfff != 0 {
        return Err(Errno::EINVAL);
    }
    let len = len.checked_add(0xfff).ok_or(Errno::EINVAL)? & !0xfff;
    let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
    if len == 0 {
        return Ok(0);
    }
    let mm = current().process().mm();
    let mut g = mm.inner.lock();
    if !g.vmas.is_range_mapped(addr, len) {
        return Err(Errno::ENOMEM);
    }
    match advice {
        MADV_DONTNEED | MADV_FREE | MADV_REMOVE => {
            let private: alloc::vec::Vec<(u64, u64)> = g
                .vmas
                .iter()
                .filter(|v| v.start < end && v.end > addr && v.flags & VM_SHARED == 0)
                .map(|v| (v.start.max(addr), v.end.min(end)))
                .collect();
            for (s, e) in private {
                g.unmap_pages(s, e);
            }
        }
        MADV_DONTFORK => g.vmas.update_flags(addr, len, rill_mm::VM_DONTFORK, 0)?,
        MADV_DOFORK => g.vmas.update_flags(addr, len, 0, rill_mm::VM_DONTFORK)?,
        MADV_WIPEONFORK => {
            // Linux: private anonymous memory only
            let bad = g.vmas.iter().any(|v| {
                v.start < end
                    && v.end > addr
                    && (v.flags & VM_SHARED != 0 || !matches!(v.backing, Backing::Anon))
            });
            if bad {
                return Err(Errno::EINVAL);
            }
            g.vmas.update_flags(addr, len, rill_mm::VM_WIPEONFORK, 0)?
        }
        MADV_KEEPONFORK => g.vmas.update_flags(addr, len, 0, rill_mm::VM_WIPEONFORK)?,
        MADV_WILLNEED => populate(&mut g, addr, end),
        _ => {}
    }
    Ok(0)
}

pub fn msync(addr: u64, len: u64, flags: u32) -> SysResult {
    const MS_ASYNC: u32 = 1;
    const MS_INVALIDATE: u32 = 2;
    const MS_SYNC: u32 = 4;
    if addr & 0xfff != 0
        || flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0
        || flags & (MS_ASYNC | MS_SYNC) == (MS_ASYNC | MS_SYNC)
    {
        return Err(Errno::EINVAL);
    }
    let len = len.checked_add(0xfff).ok_or(Errno::ENOMEM)? & !0xfff;
    {
        let mm = current().process().mm();
        let g = mm.inner.lock();
        if !g.vmas.is_range_mapped(addr, len) {
            return Err(Errno::ENOMEM);
        }
        let end = addr + len;
        // Linux: pages locked by mlock cannot be invalidated
        if flags & MS_INVALIDATE != 0
            && g.vmas
                .iter()
                .any(|v| v.start < end && v.end > addr && v.flags & rill_mm::VM_LOCKED != 0)
        {
            return Err(Errno::EBUSY);
        }
    }
    // file mappings map the files' own pages: nothing to write back
    Ok(0)
}

/// Linux `can_do_mlock`: a non-zero RLIMIT_MEMLOCK or CAP_IPC_LOCK (root).
fn can_do_mlock() -> bool {
    const RLIMIT_MEMLOCK: usize = 8;
    let p = current().process();
    if p.creds().euid == 0 {
        return true;
    }
    let lim = p.inner.lock().rlimits[RLIMIT_MEMLOCK].0;
    lim != 0
}

/// mlock/munlock/mlock2: mark `VM_LOCKED` (Rill never swaps: locking is
/// bookkeeping plus faulting the pages in, as Linux's mlock populates).
pub fn mlock(addr: u64, len: u64, flags: u32, lock: bool) -> SysResult {
    const MLOCK_ONFAULT: u32 = 1;
    if flags & !MLOCK_ONFAULT != 0 {
        return Err(Errno::EINVAL);
    }
    let start = addr & !0xfff;
    let len = (len.checked_add(addr & 0xfff))
        .and_then(|l| l.checked_add(0xfff))
        .map(|l| l & !0xfff)
        .ok_or(Errno::EINVAL)?;
    let end = start.checked_add(len).ok_or(Errno::EINVAL)?;
    if lock && !can_do_mlock() {
        return Err(Errno::EPERM);
    }
    if len == 0 {
        return Ok(0);
    }
    let mm = current().process().mm();
    let mut g = mm.inner.lock();
    if end > USER_TOP {
        return Err(Errno::ENOMEM);
    }
    if lock {
        g.vmas.update_flags(start, len, rill_mm::VM_LOCKED, 0)?;
        if flags & MLOCK_ONFAULT == 0 {
            // Linux: populating a PROT_NONE area fails with ENOMEM
            let none = g.vmas.iter().any(|v| {
                v.start < end && v.end > start && v.prot & (PROT_READ | PROT_WRITE | PROT_EXEC) == 0
            });
            if none {
                return Err(Errno::ENOMEM);
            }
            populate(&mut g, start, end);
        }
    } else {
        g.vmas.update_flags(start, len, 0, rill_mm::VM_LOCKED)?;
    }
    Ok(0)
}

pub fn mlockall(flags: u32) -> SysResult {
    const MCL_CURRENT: u32 = 1;
    const MCL_FUTURE: u32 = 2;
    const MCL_ONFAULT: u32 = 4;
    if flags == 0 || flags & !(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0 || flags == MCL_ONFAULT
    {
        return Err(Errno::EINVAL);
    }
    if !can_do_mlock() {
        return Err(Errno::EPERM);
    }
    if flags & MCL_CURRENT != 0 {
        let mm = current().process().mm();
        let mut g = mm.inner.lock();
        g.vmas.update_all_flags(rill_mm::VM_LOCKED, 0);
    }
    Ok(0)
}

pub fn munlockall() -> SysResult {
    let mm = current().process().mm();
    let mut g = mm.inner.lock();
    g.vmas.update_all_flags(0, rill_mm::VM_LOCKED);
    Ok(0)
}

pub fn mincore(addr: u64, len: u64, vec: u64) -> SysResult {
    if addr & 0xfff != 0 {
        return Err(Errno::EINVAL);
    }
    let bytes = len.checked_add(0xfff).ok_or(Errno::ENOMEM)? & !0xfff;
    if addr.checked_add(bytes).is_none_or(|e| e > USER_TOP) {
        return Err(Errno::ENOMEM);
    }
    let pages = bytes / 4096;
    let mm = current().process().mm();
    {
        let g = mm.inner.lock();
        if !g.vmas.is_range_mapped(addr, bytes) {
            return Err(Errno::ENOMEM);
        }
    }
    // in chunks: the vector may be large
    let mut i = 0;
    while i < pages {
        let n = (pages - i).min(4096);
        let mut out = alloc::vec::Vec::with_capacity(n as usize);
        {
            let g = mm.inner.lock();
            for k in 0..n {
                let va = addr + (i + k) * 4096;
                let mut r = g.pt.get(va) & crate::mm::paging::PTE_MAPPED != 0;
                // shared mappings: a page another process faulted in is
                // resident too (Linux looks at the page cache)
                if !r {
                    if let Some(v) = g.vmas.find(va) {
                        if let (true, Backing::File { file, offset }) =
                            (v.flags & VM_SHARED != 0, &v.backing)
                        {
                            let idx = (offset + (va - v.start)) / 4096;
                            r = crate::mm::pagecache::is_cached(&file.inode, idx);
                        }
                    }
                }
                out.push(r as u8);
            }
        }
        crate::uaccess::write_bytes(vec + i, &out)?;
        i += n;
    }
    Ok(0)
}
