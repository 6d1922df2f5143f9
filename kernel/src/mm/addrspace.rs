//! A process address space: VMAs (from `rill-mm`) plus page tables, demand
//! paging, copy-on-write and the user-memory accessors every syscall uses.
//!
//! The kernel never dereferences user pointers: `read`/`write` translate each
//! page through the page tables (faulting it in like the CPU would) and copy
//! through the direct map, so a bad pointer becomes EFAULT, not a fault in
//! ring 0.
use super::paging::*;
use super::phys::*;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_mm::{Backing, Vma, VmaMap};
use rill_vfs::Inode;
use spin::Mutex;

pub const USER_TOP: u64 = 0x0000_7fff_ffff_f000;
pub const MMAP_BASE: u64 = 0x0000_7fff_f7ff_f000;
pub const STACK_TOP: u64 = 0x0000_7fff_ffff_f000;
pub const STACK_MAX: u64 = 8 << 20;

pub const PROT_READ: u32 = 1;
pub const PROT_WRITE: u32 = 2;
pub const PROT_EXEC: u32 = 4;

/// VMA flag bits (ours, stored in `Vma::flags`).
pub use rill_mm::{VM_SHARED, VM_STACK};
/// Ours: the program break area.
pub const VM_HEAP: u32 = 1 << 16;

/// The file behind a file mapping.
pub struct MapFile {
    pub inode: Arc<dyn Inode>,
    pub path: String,
}

pub type FileRef = Arc<MapFile>;

pub struct MmInner {
    pub pt: PageTable,
    pub vmas: VmaMap<FileRef>,
    pub brk_start: u64,
    pub brk: u64,
    pub stack_lo: u64,
    /// Where exec mapped the vDSO (its vvar page is just below); 0: none.
    pub vdso_base: u64,
}

pub struct AddrSpace {
    pub inner: Mutex<MmInner>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FaultKind {
    Read,
    Write,
    Exec,
}

/// Why a fault could not be resolved: SEGV_MAPERR (1) or SEGV_ACCERR (2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FaultError {
    NotMapped,
    Access,
    NoMem,
    /// A file mapping's page lies wholly beyond the end of the file (SIGBUS).
    Bus,
}

fn pte_flags(prot: u32) -> u64 {
    let mut f = PTE_P | PTE_U;
    if prot & PROT_WRITE != 0 {
        f |= PTE_W;
    }
    if prot & PROT_EXEC == 0 {
        f |= PTE_NX;
    }
    f
}

impl AddrSpace {
    pub fn new() -> KResult<Arc<Self>> {
        Ok(Arc::new(AddrSpace {
            inner: Mutex::new(MmInner {
                pt: PageTable::new_user()?,
                vmas: VmaMap::new(MMAP_BASE, 0x10000, USER_TOP),
                brk_start: 0,
                brk: 0,
                stack_lo: STACK_TOP,
                vdso_base: 0,
            }),
        }))
    }

    pub fn root(&self) -> u64 {
        self.inner.lock().pt.root
    }

    /// Resolve a fault at `va` (the CPU's or a user-copy's).
    pub fn handle_fault(&self, va: u64, kind: FaultKind) -> Result<(), FaultError> {
        let mut g = self.inner.lock();
        g.fault(va, kind)
    }

    /// Copy-on-write duplicate for fork().
    pub fn fork(&self) -> KResult<Arc<AddrSpace>> {
        let mut g = self.inner.lock();
        let child = AddrSpace::new()?;
        {
            let mut c = child.inner.lock();
            c.brk_start = g.brk_start;
            c.brk = g.brk;
            c.stack_lo = g.stack_lo;
            c.vdso_base = g.vdso_base;
            // MADV_DONTFORK areas are left out; locks are not inherited
            let vmas: Vec<Vma<FileRef>> = g
                .vmas
                .iter()
                .filter(|v| v.flags & rill_mm::VM_DONTFORK == 0)
                .cloned()
                .collect();
            for mut v in vmas {
                let shared = v.flags & VM_SHARED != 0;
                let wipe = v.flags & rill_mm::VM_WIPEONFORK != 0;
                v.flags &= !rill_mm::VM_LOCKED;
                let (start, end) = (v.start, v.end);
                c.vmas.map(v)?;
                if wipe {
                    // MADV_WIPEONFORK: the child starts with zero pages
                    continue;
                }
                let mut err = Ok(());
                let cpt = &mut c.pt;
                g.pt.for_each_present(start, end, |va, pte| {
                    let pa = pte & ADDR_MASK;
                    // every private page becomes copy-on-write (also
                    // read-only and PROT_NONE ones: mprotect may later
                    // allow writing)
                    let new = if shared {
                        pte
                    } else {
                        (pte & !PTE_W) | PTE_COW
                    };
                    frame_ref(pa);
                    if let Err(e) = cpt.set(va, new) {
                        frame_unref(pa);
                        err = Err(e);
                    }
                    new
                });
                err?;
            }
        }
        // our own writable pages became read-only: flush
        crate::arch::cpu::write_cr3(crate::arch::cpu::read_cr3());
        Ok(child)
    }

    /// Copy user memory at `va` into `buf`.
    pub fn read(&self, va: u64, buf: &mut [u8]) -> KResult<()> {
        let mut g = self.inner.lock();
        let mut done = 0;
        while done < buf.len() {
            let a = va.checked_add(done as u64).ok_or(Errno::EFAULT)?;
            let pa = g.translate(a, FaultKind::Read)? & !0xfff;
            let off = (a & 0xfff) as usize;
            let n = (4096 - off).min(buf.len() - done);
            frame_read(pa, off, &mut buf[done..done + n]);
            done += n;
        }
        Ok(())
    }

    /// `len` bytes of user memory at `va`, appended to `out` (which should have the
    /// room reserved): like `read` without zero-filling a buffer first.
    pub fn read_append(&self, va: u64, len: usize, out: &mut Vec<u8>) -> KResult<()> {
        let mut g = self.inner.lock();
        let mut done = 0;
        while done < len {
            let a = va.checked_add(done as u64).ok_or(Errno::EFAULT)?;
            let pa = g.translate(a, FaultKind::Read)? & !0xfff;
            let off = (a & 0xfff) as usize;
            let n = (4096 - off).min(len - done);
            frame_append(pa, off, n, out);
            done += n;
        }
        Ok(())
    }

    /// Copy `data` to user memory at `va`.
    pub fn write(&self, va: u64, data: &[u8]) -> KResult<()> {
        let mut g = self.inner.lock();
        let mut done = 0;
        while done < data.len() {
            let a = va.checked_add(done as u64).ok_or(Errno::EFAULT)?;
            let pa = g.translate(a, FaultKind::Write)? & !0xfff;
            let off = (a & 0xfff) as usize;
            let n = (4096 - off).min(data.len() - done);
            frame_write(pa, off, &data[done..done + n]);
            done += n;
        }
        Ok(())
    }

    /// A NUL-terminated string of at most `max` bytes (ENAMETOOLONG past it).
    pub fn read_cstr(&self, va: u64, max: usize) -> KResult<Vec<u8>> {
        let mut g = self.inner.lock();
        let mut out = Vec::new();
        let mut a = va;
        loop {
            let pa = g.translate(a, FaultKind::Read)? & !0xfff;
            let off = (a & 0xfff) as usize;
            let mut page = [0u8; 4096];
            frame_read(pa, off, &mut page[..4096 - off]);
            if let Some(z) = page[..4096 - off].iter().position(|&b| b == 0) {
                out.extend_from_slice(&page[..z]);
                if out.len() >= max {
                    return Err(Errno::ENAMETOOLONG);
                }
                return Ok(out);
            }
            out.extend_from_slice(&page[..4096 - off]);
            if out.len() >= max {
                return Err(Errno::ENAMETOOLONG);
            }
            a = a.checked_add((4096 - off) as u64).ok_or(Errno::EFAULT)?;
        }
    }

    /// Zero-fill user memory.
    pub fn zero(&self, va: u64, len: usize) -> KResult<()> {
        let z = vec![0u8; len.min(65536)];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(z.len());
            self.write(va + done as u64, &z[..n])?;
            done += n;
        }
        Ok(())
    }
}

/// How to drop a stale translation of a page of the address space whose root is `root`: invlpg
/// when it is this CPU's (the other CPUs that have it loaded follow before the next return to
/// user mode), otherwise only the shootdown, on every CPU that has it loaded (truncate unmaps
/// a file's pages from every process, running elsewhere or not at all).
fn flusher(root: u64) -> impl Fn(u64) {
    move |va| {
        if crate::arch::cpu::read_cr3() == root {
            crate::arch::cpu::invlpg(va);
        } else {
            crate::arch::smp::note_tlb_flush_root(root);
        }
    }
}

impl MmInner {
    fn flush_page(&self, va: u64) {
        flusher(self.pt.root)(va)
    }

    /// Physical address for user `va`, faulting the page in as needed.
    pub fn translate(&mut self, va: u64, kind: FaultKind) -> KResult<u64> {
        if va >= USER_TOP {
            return Err(Errno::EFAULT);
        }
        for _ in 0..2 {
            let pte = self.pt.get(va);
            if pte & PTE_P != 0 && (kind != FaultKind::Write || pte & PTE_W != 0) {
                return Ok((pte & ADDR_MASK) + (va & 0xfff));
            }
            self.fault(va, kind).map_err(|_| Errno::EFAULT)?;
        }
        Err(Errno::EFAULT)
    }

    fn vma_for(&mut self, va: u64) -> Option<Vma<FileRef>> {
        if let Some(v) = self.vmas.find(va) {
            return Some(v.clone());
        }
        // grow the stack downwards, as Linux's VM_GROWSDOWN stack does
        let page = va & !0xfff;
        if page < self.stack_lo
            && page >= STACK_TOP - STACK_MAX
            && va + 65536 + 32 * 8 >= self.stack_lo.saturating_sub(65536 * 16)
        {
            let lo = page;
            if self.vmas.is_range_mapped(lo, self.stack_lo - lo) {
                return None;
            }
            let free = self
                .vmas
                .iter()
                .all(|v| v.end <= lo || v.start >= self.stack_lo);
            if !free {
                return None;
            }
            let _ = self.vmas.map(Vma {
                start: lo,
                end: self.stack_lo,
                prot: PROT_READ | PROT_WRITE,
                flags: VM_STACK,
                backing: Backing::Anon,
            });
            self.stack_lo = lo;
            return self.vmas.find(va).cloned();
        }
        self.grow_down(page)
    }

    /// A MAP_GROWSDOWN mapping above `page` grows down to it, as Linux's
    /// expand_downwards: unless an accessible mapping (not itself growing
    /// down) lies within the stack guard gap below.
    fn grow_down(&mut self, page: u64) -> Option<Vma<FileRef>> {
        let next = self.vmas.find_next(page)?;
        if next.flags & rill_mm::VM_GROWSDOWN == 0 || next.start <= page {
            return None;
        }
        let (prot, flags, top) = (next.prot, next.flags, next.start);
        let blocked = self
            .vmas
            .iter()
            .filter(|v| v.end <= page)
            .last()
            .is_some_and(|prev| {
                prev.flags & rill_mm::VM_GROWSDOWN == 0
                    && prev.prot & (PROT_READ | PROT_WRITE | PROT_EXEC) != 0
                    && page - prev.end < rill_mm::STACK_GUARD_GAP
            });
        if blocked || page < self.vmas.min_addr() {
            return None;
        }
        self.vmas
            .map(Vma {
                start: page,
                end: top,
                prot,
                flags,
                backing: Backing::Anon,
            })
            .ok()?;
        self.vmas.find(page).cloned()
    }

    pub fn fault(&mut self, va: u64, kind: FaultKind) -> Result<(), FaultError> {
        if va >= USER_TOP {
            return Err(FaultError::NotMapped);
        }
        let vma = self.vma_for(va).ok_or(FaultError::NotMapped)?;
        let ok = match kind {
            FaultKind::Read => vma.prot & (PROT_READ | PROT_WRITE | PROT_EXEC) != 0,
            FaultKind::Write => vma.prot & PROT_WRITE != 0,
            FaultKind::Exec => vma.prot & PROT_EXEC != 0,
        };
        if !ok {
            return Err(FaultError::Access);
        }
        let page = va & !0xfff;
        let pte = self.pt.get(page);
        let flags = pte_flags(vma.prot);
        let shared = vma.flags & VM_SHARED != 0;
        if pte & PTE_MAPPED != 0 {
            // present: a write to a COW page (or a protection upgrade)
            let pa = pte & ADDR_MASK;
            if kind == FaultKind::Write && pte & PTE_COW != 0 {
                if frame_refcount(pa) == 1 {
                    self.pt
                        .set(page, pa | flags)
                        .map_err(|_| FaultError::NoMem)?;
                } else {
                    let n = frame_alloc().map_err(|_| FaultError::NoMem)?;
                    frame_copy(n, pa);
                    if self.pt.set(page, n | flags).is_err() {
                        frame_unref(n);
                        return Err(FaultError::NoMem);
                    }
                    frame_unref(pa);
                }
            } else {
                // a COW page stays COW (read-only) whatever the protection
                let f = if pte & PTE_COW != 0 && !shared {
                    (flags & !PTE_W) | PTE_COW
                } else {
                    flags
                };
                self.pt.set(page, pa | f).map_err(|_| FaultError::NoMem)?;
            }
            self.flush_page(page);
            return Ok(());
        }
        let (pa, f) = match &vma.backing {
            Backing::File { file, offset } => {
                let foff = offset + (page - vma.start);
                let idx = foff / 4096;
                if foff >= file.inode.metadata().size.div_ceil(4096) * 4096 {
                    return Err(FaultError::Bus);
                }
                // the file's own page frame (see pagecache.rs)
                let file_page = |idx| {
                    super::pagecache::page(&file.inode, idx).map_err(|e| match e {
                        Errno::ENXIO => FaultError::Bus,
                        _ => FaultError::NoMem,
                    })
                };
                if shared {
                    // the file's data itself
                    (file_page(idx)?, flags)
                } else if kind == FaultKind::Write {
                    // private write: a copy of the file page
                    let c = file_page(idx)?;
                    let n = match frame_alloc() {
                        Ok(n) => n,
                        Err(_) => {
                            frame_unref(c);
                            return Err(FaultError::NoMem);
                        }
                    };
                    frame_copy(n, c);
                    frame_unref(c);
                    (n, flags)
                } else {
                    // private read: the file page itself, copy-on-write
                    (file_page(idx)?, (flags & !PTE_W) | PTE_COW)
                }
            }
            Backing::Anon => match super::vdso::special_page(self.vdso_base, &vma, page) {
                // the vvar/vDSO frames after MADV_DONTNEED: shared, COW
                Some(pa) => (pa, (flags & !PTE_W) | PTE_COW),
                None => (frame_alloc().map_err(|_| FaultError::NoMem)?, flags),
            },
        };
        if let Err(_e) = self.pt.set(page, pa | f) {
            frame_unref(pa);
            return Err(FaultError::NoMem);
        }
        self.flush_page(page);
        Ok(())
    }

    /// Make the page at `va` a private, writable-by-the-kernel copy, whatever
    /// the VMA's protection (exec zeroes the bss tail of a read-only page).
    /// Returns its frame.
    pub fn private_page(&mut self, va: u64) -> KResult<u64> {
        let page = va & !0xfff;
        let pa = self.translate(page, FaultKind::Read)? & !0xfff;
        let pte = self.pt.get(page);
        if pte & PTE_COW == 0 {
            return Ok(pa);
        }
        let n = frame_alloc()?;
        frame_copy(n, pa);
        self.pt.set(page, n | (pte & !(ADDR_MASK | PTE_COW)))?;
        frame_unref(pa);
        self.flush_page(page);
        Ok(n)
    }

    /// Drop the pages of [start, end) from the page tables.
    pub fn unmap_pages(&mut self, start: u64, end: u64) {
        let flush = flusher(self.pt.root);
        self.pt.for_each_present(start, end, |va, pte| {
            frame_unref(pte & ADDR_MASK);
            flush(va);
            0
        });
    }

    /// Re-derive the PTE permissions of [start, end) after mprotect.
    pub fn reprotect_pages(&mut self, start: u64, end: u64, prot: u32, shared: bool) {
        let flags = pte_flags(prot);
        let flush = flusher(self.pt.root);
        self.pt.for_each_present(start, end, |va, pte| {
            let pa = pte & ADDR_MASK;
            if prot & (PROT_READ | PROT_WRITE | PROT_EXEC) == 0 {
                flush(va);
                return pa | PTE_PROTNONE | (pte & PTE_COW);
            }
            let cow = pte & PTE_COW != 0 && !shared;
            let f = if cow && flags & PTE_W != 0 {
                (flags & !PTE_W) | PTE_COW
            } else if cow {
                flags | PTE_COW
            } else {
                flags
            };
            flush(va);
            pa | f
        });
    }

    /// Unmap everything (execve).
    pub fn clear(&mut self) {
        self.unmap_pages(0, USER_TOP);
        self.vmas.clear();
        self.brk = 0;
        self.brk_start = 0;
        self.stack_lo = STACK_TOP;
        self.vdso_base = 0;
    }
}
