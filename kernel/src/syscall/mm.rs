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
const MAP_GROWSDOWN: u32 = 0x100;
const MAP_FIXED_NOREPLACE: u32 = 0x100000;

pub fn brk(addr: u64) -> SysResult {
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
        if ft == rill_vfs::FileType::CharDev {
            // /dev/zero and friends: anonymous memory
            if shared {
                shmem(len)?
            } else {
                Backing::Anon
            }
        } else {
            Backing::File {
                file: Arc::new(MapFile {
                    inode,
                    path: f.path.clone(),
                }),
                offset: off,
            }
        }
    };
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
    } else {
        let hint = if addr != 0 { Some(addr & !0xfff) } else { None };
        g.vmas.find_free(len, hint)?
    };
    let mut vflags = if shared { VM_SHARED } else { 0 } | extra;
    if flags & MAP_GROWSDOWN != 0 {
        vflags |= rill_mm::VM_GROWSDOWN;
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
    if addr & 0xfff != 0 || prot & !(7 | 0x0100_0000 | 0x0200_0000) != 0 {
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
    if old & 0xfff != 0 || flags & !(7) != 0 || new_len == 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0 {
        return Err(Errno::EINVAL);
    }
    let old_len = old_len.checked_add(0xfff).ok_or(Errno::EINVAL)? & !0xfff;
    let new_len = new_len.checked_add(0xfff).ok_or(Errno::EINVAL)? & !0xfff;
    let mm = current().process().mm();
    let mut g = mm.inner.lock();
    let fixed = if flags & MREMAP_FIXED != 0 {
        Some(new_addr)
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
    Ok(r.new_addr)
}

pub fn madvise(addr: u64, len: u64, advice: u32) -> SysResult {
    const MADV_DONTNEED: u32 = 4;
    const MADV_FREE: u32 = 8;
    const MADV_REMOVE: u32 = 9;
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
    if advice == MADV_DONTNEED || advice == MADV_FREE || advice == MADV_REMOVE {
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
    }
    // file mappings map the files' own pages: nothing to write back
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
                out.push(
                    (g.pt.get(addr + (i + k) * 4096) & crate::mm::paging::PTE_MAPPED != 0) as u8,
                );
            }
        }
        crate::uaccess::write_bytes(vec + i, &out)?;
        i += n;
    }
    Ok(0)
}
