//! Virtual-memory-area bookkeeping for one user address space: which ranges
//! are mapped, with what protection and backing. No page tables: every
//! operation reports the ranges whose page-table entries the kernel must
//! clear or move. Linux x86_64 is the reference for every behaviour and errno.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};

pub const PAGE_SIZE: u64 = 4096;

pub const PROT_NONE: u32 = 0;
pub const PROT_READ: u32 = 1;
pub const PROT_WRITE: u32 = 2;
pub const PROT_EXEC: u32 = 4;
/// Accepted and ignored, as on x86.
pub const PROT_SEM: u32 = 8;

/// Shared mapping (`MAP_SHARED`): writes reach the backing object.
pub const VM_SHARED: u32 = 1 << 0;
/// Grows downwards (`MAP_GROWSDOWN`); the stack guard gap is kept below it.
pub const VM_GROWSDOWN: u32 = 1 << 1;
/// The main thread's stack.
pub const VM_STACK: u32 = 1 << 2;
/// `MAP_NORESERVE`.
pub const VM_NORESERVE: u32 = 1 << 3;
/// `MADV_DONTFORK`: not copied into a child by [`VmaMap::clone_for_fork`].
pub const VM_DONTFORK: u32 = 1 << 4;
/// `MADV_WIPEONFORK`: the child gets zero pages.
pub const VM_WIPEONFORK: u32 = 1 << 5;
/// `mlock`ed.
pub const VM_LOCKED: u32 = 1 << 6;
/// May not be grown by mremap (vdso, vvar): EFAULT.
pub const VM_DONTEXPAND: u32 = 1 << 7;
/// Raw physical frames (e.g. a framebuffer): may not be grown by mremap.
pub const VM_PFNMAP: u32 = 1 << 8;
/// `PROT_WRITE` may never be added (a shared mapping of a file opened
/// read-only): mprotect fails with EACCES (Linux: no `VM_MAYWRITE`).
pub const VM_NOMAYWRITE: u32 = 1 << 9;
/// `PROT_EXEC` may never be added (noexec mount): EACCES.
pub const VM_NOMAYEXEC: u32 = 1 << 10;

/// Linux's default `stack_guard_gap`: 256 pages kept free below a
/// `VM_GROWSDOWN` mapping.
pub const STACK_GUARD_GAP: u64 = 256 * PAGE_SIZE;

/// Round up to a page boundary; `None` on overflow.
pub fn page_align_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE_SIZE - 1).map(|v| v & !(PAGE_SIZE - 1))
}

/// Round down to a page boundary.
pub fn page_align_down(x: u64) -> u64 {
    x & !(PAGE_SIZE - 1)
}

fn is_aligned(x: u64) -> bool {
    x & (PAGE_SIZE - 1) == 0
}

/// What a mapping shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backing<B> {
    /// Anonymous zero-fill memory.
    Anon,
    /// A file; `offset` is the file offset of `vma.start` (splits adjust it).
    File { file: B, offset: u64 },
}

/// One virtual memory area `[start, end)`, both page-aligned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vma<B: Clone> {
    pub start: u64,
    pub end: u64,
    /// `PROT_*` bits.
    pub prot: u32,
    /// `VM_*` bits of this crate.
    pub flags: u32,
    pub backing: Backing<B>,
}

impl<B: Clone> Vma<B> {
    pub fn anon(start: u64, end: u64, prot: u32, flags: u32) -> Self {
        Vma {
            start,
            end,
            prot,
            flags,
            backing: Backing::Anon,
        }
    }

    pub fn file(start: u64, end: u64, prot: u32, flags: u32, file: B, offset: u64) -> Self {
        Vma {
            start,
            end,
            prot,
            flags,
            backing: Backing::File { file, offset },
        }
    }

    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    pub fn contains(&self, addr: u64) -> bool {
        self.start <= addr && addr < self.end
    }

    /// File offset that backs `addr`, for file mappings.
    pub fn file_offset(&self, addr: u64) -> Option<u64> {
        match &self.backing {
            Backing::File { offset, .. } if self.contains(addr) => {
                offset.checked_add(addr - self.start)
            }
            _ => None,
        }
    }

    /// The part `[s, e)` of this VMA (caller guarantees it lies inside).
    fn slice(&self, s: u64, e: u64) -> Self {
        let backing = match &self.backing {
            Backing::Anon => Backing::Anon,
            Backing::File { file, offset } => Backing::File {
                file: file.clone(),
                offset: offset.wrapping_add(s - self.start),
            },
        };
        Vma {
            start: s,
            end: e,
            prot: self.prot,
            flags: self.flags,
            backing,
        }
    }

    /// The start of the range that must stay free below this VMA.
    fn start_gap(&self) -> u64 {
        if self.flags & VM_GROWSDOWN != 0 {
            self.start.saturating_sub(STACK_GUARD_GAP)
        } else {
            self.start
        }
    }
}

/// A page-table move the kernel must perform for mremap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageMove {
    pub from: u64,
    pub to: u64,
    pub len: u64,
}

/// The outcome of [`VmaMap::remap`]. The kernel first clears the PTEs of
/// `unmapped` (disjoint from `moved.from`), then moves the PTEs of `moved`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemapResult {
    pub old_addr: u64,
    pub new_addr: u64,
    pub moved: Option<PageMove>,
    pub unmapped: Vec<(u64, u64)>,
}

/// The VMAs of one address space, keyed by start address.
#[derive(Clone)]
pub struct VmaMap<B: Clone> {
    vmas: BTreeMap<u64, Vma<B>>,
    mmap_base: u64,
    min_addr: u64,
    max_addr: u64,
    same_file: Option<fn(&B, &B) -> bool>,
}

impl<B: Clone> VmaMap<B> {
    /// `mmap_base`: top of the top-down mmap area (0x7ffff7fff000 without
    /// ASLR); `min_addr`: lowest mappable address (`mmap_min_addr`, 0x10000);
    /// `max_addr`: exclusive top of user space (0x7ffffffff000).
    pub fn new(mmap_base: u64, min_addr: u64, max_addr: u64) -> Self {
        let max_addr = page_align_down(max_addr);
        VmaMap {
            vmas: BTreeMap::new(),
            mmap_base: page_align_down(mmap_base.min(max_addr)),
            min_addr: page_align_up(min_addr.max(PAGE_SIZE)).unwrap_or(max_addr),
            max_addr,
            same_file: None,
        }
    }

    /// Teach the map how to tell that two backings are the same file, so
    /// adjacent file mappings with contiguous offsets merge. Without it only
    /// anonymous private mappings merge.
    pub fn set_file_eq(&mut self, f: fn(&B, &B) -> bool) {
        self.same_file = Some(f);
    }

    pub fn mmap_base(&self) -> u64 {
        self.mmap_base
    }

    pub fn min_addr(&self) -> u64 {
        self.min_addr
    }

    pub fn max_addr(&self) -> u64 {
        self.max_addr
    }

    pub fn len(&self) -> usize {
        self.vmas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vmas.is_empty()
    }

    /// The VMA containing `addr`.
    pub fn find(&self, addr: u64) -> Option<&Vma<B>> {
        self.vmas
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| v.end > addr)
    }

    /// The first VMA that ends above `addr` (Linux `find_vma`).
    pub fn find_next(&self, addr: u64) -> Option<&Vma<B>> {
        if let Some(v) = self.find(addr) {
            return Some(v);
        }
        self.vmas.range(addr..).next().map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Vma<B>> {
        self.vmas.values()
    }

    pub fn clear(&mut self) {
        self.vmas.clear();
    }

    /// Every byte of `[start, start + len)` is mapped (true for `len == 0`).
    pub fn is_range_mapped(&self, start: u64, len: u64) -> bool {
        let Some(end) = start.checked_add(len) else {
            return false;
        };
        let mut cur = start;
        while cur < end {
            match self.find(cur) {
                Some(v) => cur = v.end,
                None => return false,
            }
        }
        true
    }

    /// No VMA intersects `[start, end)`.
    fn is_free(&self, start: u64, end: u64) -> bool {
        match self.find_next(start) {
            Some(v) => v.start >= end,
            None => true,
        }
    }

    /// The copy a child gets at fork: everything but `VM_DONTFORK` areas.
    pub fn clone_for_fork(&self) -> Self {
        let mut c = self.clone();
        c.vmas.retain(|_, v| v.flags & VM_DONTFORK == 0);
        c
    }

    /// Choose an address for a new mapping of `len` bytes (rounded up to
    /// pages), as Linux's top-down allocator: the hint (page-aligned up) if
    /// `[hint, hint + len)` is free and inside `[min_addr, max_addr)`, else
    /// the highest free gap below `mmap_base`, else the lowest free gap above
    /// `max_addr / 3` (Linux's bottom-up fallback), else ENOMEM. A gap below
    /// a `VM_GROWSDOWN` mapping keeps [`STACK_GUARD_GAP`] free.
    pub fn find_free(&self, len: u64, hint: Option<u64>) -> KResult<u64> {
        let len = page_align_up(len).ok_or(Errno::ENOMEM)?;
        if len == 0 {
            return Err(Errno::EINVAL);
        }
        if len > self.max_addr.saturating_sub(self.min_addr) {
            return Err(Errno::ENOMEM);
        }
        if let Some(h) = hint.filter(|&h| h != 0).and_then(page_align_up) {
            if h >= self.min_addr && h <= self.max_addr - len {
                let end = h + len;
                let ok = match self.find_next(h) {
                    Some(next) => next.start >= end && next.start_gap() >= end,
                    None => true,
                };
                if ok {
                    return Ok(h);
                }
            }
        }
        // Top-down below mmap_base.
        let low = self.min_addr;
        let mut upper = self.mmap_base;
        for v in self.vmas.values().rev() {
            if upper <= low {
                break;
            }
            let gap_lo = v.end.max(low);
            if upper > gap_lo && upper - gap_lo >= len {
                return Ok(upper - len);
            }
            upper = upper.min(v.start_gap());
        }
        if upper > low && upper - low >= len {
            return Ok(upper - len);
        }
        // Bottom-up fallback from TASK_UNMAPPED_BASE.
        let mut cursor = page_align_up(self.max_addr / 3)
            .unwrap_or(self.max_addr)
            .max(self.min_addr);
        for v in self.vmas.values() {
            if v.end <= cursor {
                continue;
            }
            let gap_hi = v.start_gap();
            if gap_hi > cursor && gap_hi - cursor >= len {
                return Ok(cursor);
            }
            cursor = cursor.max(v.end);
        }
        if self.max_addr > cursor && self.max_addr - cursor >= len {
            return Ok(cursor);
        }
        Err(Errno::ENOMEM)
    }

    /// Remove `[start, end)` from the map, splitting VMAs that straddle its
    /// edges; returns the removed pieces in address order.
    fn carve(&mut self, start: u64, end: u64) -> Vec<Vma<B>> {
        let keys: Vec<u64> = self
            .vmas
            .range(..end)
            .rev()
            .take_while(|(_, v)| v.end > start)
            .map(|(&k, _)| k)
            .collect();
        let mut removed = Vec::with_capacity(keys.len());
        for k in keys.into_iter().rev() {
            let Some(v) = self.vmas.remove(&k) else {
                continue;
            };
            if v.start < start {
                self.vmas.insert(v.start, v.slice(v.start, start));
            }
            if v.end > end {
                self.vmas.insert(end, v.slice(end, v.end));
            }
            removed.push(v.slice(v.start.max(start), v.end.min(end)));
        }
        removed
    }

    /// Split the VMA containing `addr` so that a VMA starts at `addr`.
    fn split_at(&mut self, addr: u64) {
        let Some(v) = self.find(addr) else { return };
        if v.start == addr {
            return;
        }
        let (s, e) = (v.start, v.end);
        let v = v.clone();
        self.vmas.insert(s, v.slice(s, addr));
        self.vmas.insert(addr, v.slice(addr, e));
    }

    fn mergeable(&self, a: &Vma<B>, b: &Vma<B>) -> bool {
        if a.end != b.start || a.prot != b.prot || a.flags != b.flags {
            return false;
        }
        match (&a.backing, &b.backing) {
            // Distinct shared anonymous mappings are distinct objects.
            (Backing::Anon, Backing::Anon) => a.flags & VM_SHARED == 0,
            (
                Backing::File {
                    file: fa,
                    offset: oa,
                },
                Backing::File {
                    file: fb,
                    offset: ob,
                },
            ) => match self.same_file {
                Some(eq) => eq(fa, fb) && oa.checked_add(a.len()) == Some(*ob),
                None => false,
            },
            _ => false,
        }
    }

    /// Merge compatible neighbours among the VMAs touching `[lo, hi]`.
    fn merge_around(&mut self, lo: u64, hi: u64) {
        let first = self
            .vmas
            .range(..lo)
            .next_back()
            .map(|(&k, _)| k)
            .unwrap_or(lo);
        let keys: Vec<u64> = self.vmas.range(first..=hi).map(|(&k, _)| k).collect();
        let mut cur: Option<u64> = None;
        for k in keys {
            let merged = matches!(
                (cur.and_then(|c| self.vmas.get(&c)), self.vmas.get(&k)),
                (Some(a), Some(b)) if self.mergeable(a, b)
            );
            if merged {
                if let (Some(c), Some(b)) = (cur, self.vmas.remove(&k)) {
                    if let Some(a) = self.vmas.get_mut(&c) {
                        a.end = b.end;
                    }
                }
            } else {
                cur = Some(k);
            }
        }
    }

    /// Map `vma` with `MAP_FIXED` semantics: whatever overlapped is removed or
    /// split. Returns the ranges that were unmapped (the kernel clears their
    /// PTEs). Adjacent compatible VMAs are merged.
    ///
    /// EINVAL for an empty or unaligned range or an unaligned file offset,
    /// ENOMEM past `max_addr`, EPERM below `min_addr` (`mmap_min_addr`).
    pub fn map(&mut self, vma: Vma<B>) -> KResult<Vec<(u64, u64)>> {
        if vma.start >= vma.end || !is_aligned(vma.start) || !is_aligned(vma.end) {
            return Err(Errno::EINVAL);
        }
        if let Backing::File { offset, .. } = &vma.backing {
            if !is_aligned(*offset) {
                return Err(Errno::EINVAL);
            }
        }
        if vma.end > self.max_addr {
            return Err(Errno::ENOMEM);
        }
        if vma.start < self.min_addr {
            return Err(Errno::EPERM);
        }
        let (s, e) = (vma.start, vma.end);
        let removed = self.carve(s, e);
        self.vmas.insert(s, vma);
        self.merge_around(s, e);
        Ok(removed.iter().map(|v| (v.start, v.end)).collect())
    }

    /// munmap: remove `[start, start + len)` (len rounded up to pages; holes
    /// are fine). EINVAL for an unaligned start, a zero length or a range
    /// outside user space. Returns the ranges that were actually unmapped.
    pub fn unmap(&mut self, start: u64, len: u64) -> KResult<Vec<(u64, u64)>> {
        if !is_aligned(start) || start > self.max_addr {
            return Err(Errno::EINVAL);
        }
        let len = page_align_up(len).ok_or(Errno::EINVAL)?;
        if len == 0 || len > self.max_addr - start {
            return Err(Errno::EINVAL);
        }
        let removed = self.carve(start, start + len);
        Ok(removed.iter().map(|v| (v.start, v.end)).collect())
    }

    /// mprotect. EINVAL for an unaligned start or unknown prot bits; a zero
    /// length succeeds; ENOMEM if the start is unmapped or the range wraps.
    /// Like Linux, VMAs are changed one after the other: a hole later in the
    /// range (ENOMEM) or a forbidden protection (EACCES, see
    /// [`VM_NOMAYWRITE`]) stops the walk with the earlier part already
    /// changed. Neighbours with equal attributes are merged afterwards.
    pub fn protect(&mut self, start: u64, len: u64, prot: u32) -> KResult<()> {
        if !is_aligned(start) || prot & !(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM) != 0 {
            return Err(Errno::EINVAL);
        }
        let prot = prot & !PROT_SEM;
        let len = page_align_up(len).ok_or(Errno::ENOMEM)?;
        if len == 0 {
            return Ok(());
        }
        let end = start.checked_add(len).ok_or(Errno::ENOMEM)?;
        if self.find(start).is_none() {
            return Err(Errno::ENOMEM);
        }
        let mut cur = start;
        let mut result = Ok(());
        while cur < end {
            let Some(v) = self.find(cur) else {
                result = Err(Errno::ENOMEM);
                break;
            };
            let denied = (prot & PROT_WRITE != 0 && v.flags & VM_NOMAYWRITE != 0)
                || (prot & PROT_EXEC != 0 && v.flags & VM_NOMAYEXEC != 0);
            if denied {
                result = Err(Errno::EACCES);
                break;
            }
            let piece_end = v.end.min(end);
            if v.prot != prot {
                self.split_at(cur);
                self.split_at(piece_end);
                if let Some(p) = self.vmas.get_mut(&cur) {
                    p.prot = prot;
                }
            }
            cur = piece_end;
        }
        self.merge_around(start, cur);
        result
    }

    /// Set and clear `VM_*` flag bits on every VMA piece inside
    /// `[start, start + len)` (madvise DONTFORK/WIPEONFORK, mlock), splitting
    /// at the range edges and merging equal neighbours afterwards. ENOMEM if
    /// any part of the range is unmapped (nothing is changed then); a zero
    /// length succeeds.
    pub fn update_flags(&mut self, start: u64, len: u64, set: u32, clear: u32) -> KResult<()> {
        if !is_aligned(start) {
            return Err(Errno::EINVAL);
        }
        let len = page_align_up(len).ok_or(Errno::ENOMEM)?;
        if len == 0 {
            return Ok(());
        }
        let end = start.checked_add(len).ok_or(Errno::ENOMEM)?;
        if !self.is_range_mapped(start, len) {
            return Err(Errno::ENOMEM);
        }
        let mut cur = start;
        while cur < end {
            let Some(v) = self.find(cur) else { break };
            let piece_end = v.end.min(end);
            let nf = (v.flags | set) & !clear;
            if nf != v.flags {
                self.split_at(cur);
                self.split_at(piece_end);
                if let Some(p) = self.vmas.get_mut(&cur) {
                    p.flags = nf;
                }
            }
            cur = piece_end;
        }
        self.merge_around(start, end);
        Ok(())
    }

    /// Set and clear flag bits on every VMA (mlockall/munlockall).
    pub fn update_all_flags(&mut self, set: u32, clear: u32) {
        for v in self.vmas.values_mut() {
            v.flags = (v.flags | set) & !clear;
        }
        let (lo, hi) = (self.min_addr, self.max_addr);
        self.merge_around(lo, hi);
    }

    /// A copy of the part `[start, end)` of the one VMA that contains it
    /// (None if the range is not inside a single VMA).
    pub fn piece(&self, start: u64, end: u64) -> Option<Vma<B>> {
        let v = self.find(start)?;
        if end > v.end || end <= start {
            return None;
        }
        Some(v.slice(start, end))
    }

    /// Like [`Self::find_free`] without a hint, but only inside `[lo, hi)`
    /// (MAP_32BIT: Linux searches 1 GiB..2 GiB), lowest address first.
    pub fn find_free_in(&self, len: u64, lo: u64, hi: u64) -> KResult<u64> {
        let len = page_align_up(len).ok_or(Errno::ENOMEM)?;
        if len == 0 {
            return Err(Errno::EINVAL);
        }
        let mut cursor = page_align_up(lo.max(self.min_addr)).ok_or(Errno::ENOMEM)?;
        let hi = hi.min(self.max_addr);
        for v in self.vmas.values() {
            if v.end <= cursor {
                continue;
            }
            let gap_hi = v.start_gap().min(hi);
            if gap_hi > cursor && gap_hi - cursor >= len {
                return Ok(cursor);
            }
            cursor = cursor.max(v.end);
            if cursor >= hi {
                break;
            }
        }
        if hi > cursor && hi - cursor >= len {
            return Ok(cursor);
        }
        Err(Errno::ENOMEM)
    }

    /// mremap. `old_len`/`new_len` are rounded up to pages.
    /// - shrink (`new_len <= old_len`, not fixed): the tail is unmapped;
    /// - grow: in place when `[old, old + old_len)` ends its VMA and the
    ///   following range is free, else moved to [`Self::find_free`] when
    ///   `may_move`, else ENOMEM;
    /// - `fixed`: moved to exactly that address (requires `may_move`),
    ///   replacing what was there.
    ///
    /// EINVAL: unaligned addresses, `new_len == 0`, `fixed` without
    /// `may_move`, overlapping fixed ranges, `old_len == 0` (Rill does not
    /// duplicate shared mappings). EFAULT: `old` unmapped, or a growing or
    /// moving range not inside one VMA, or growing a `VM_DONTEXPAND` /
    /// `VM_PFNMAP` area. Unlike Linux, every check happens before any change.
    pub fn remap(
        &mut self,
        old: u64,
        old_len: u64,
        new_len: u64,
        may_move: bool,
        fixed: Option<u64>,
    ) -> KResult<RemapResult> {
        if !is_aligned(old) || (fixed.is_some() && !may_move) {
            return Err(Errno::EINVAL);
        }
        let old_len = page_align_up(old_len).ok_or(Errno::EINVAL)?;
        let new_len = page_align_up(new_len).ok_or(Errno::EINVAL)?;
        if new_len == 0 || old_len == 0 {
            return Err(Errno::EINVAL);
        }
        // Linux looks the VMA up first: an unmapped (or kernel) address is
        // EFAULT whatever the lengths
        let vma = self.find(old).ok_or(Errno::EFAULT)?.clone();
        let old_end = old.checked_add(old_len).ok_or(Errno::EINVAL)?;
        if old_end > self.max_addr {
            return Err(Errno::EINVAL);
        }

        if let Some(new) = fixed {
            if !is_aligned(new) || new_len > self.max_addr || new > self.max_addr - new_len {
                return Err(Errno::EINVAL);
            }
            let new_end = new + new_len;
            if new < old_end && old < new_end {
                return Err(Errno::EINVAL);
            }
            if new < self.min_addr {
                return Err(Errno::EPERM);
            }
            let keep = old_len.min(new_len);
            if old + keep > vma.end {
                return Err(Errno::EFAULT);
            }
            if new_len > keep && vma.flags & (VM_DONTEXPAND | VM_PFNMAP) != 0 {
                return Err(Errno::EFAULT);
            }
            let mut unmapped: Vec<(u64, u64)> = self
                .carve(new, new_end)
                .iter()
                .map(|v| (v.start, v.end))
                .collect();
            if old_len > keep {
                unmapped.extend(
                    self.carve(old + keep, old_end)
                        .iter()
                        .map(|v| (v.start, v.end)),
                );
            }
            self.move_range(&vma, old, keep, new, new_len);
            return Ok(RemapResult {
                old_addr: old,
                new_addr: new,
                moved: Some(PageMove {
                    from: old,
                    to: new,
                    len: keep,
                }),
                unmapped,
            });
        }

        if new_len <= old_len {
            let unmapped = if new_len < old_len {
                self.carve(old + new_len, old_end)
                    .iter()
                    .map(|v| (v.start, v.end))
                    .collect()
            } else {
                Vec::new()
            };
            return Ok(RemapResult {
                old_addr: old,
                new_addr: old,
                moved: None,
                unmapped,
            });
        }

        // Growing.
        if old_end > vma.end {
            return Err(Errno::EFAULT);
        }
        if vma.flags & (VM_DONTEXPAND | VM_PFNMAP) != 0 {
            return Err(Errno::EFAULT);
        }
        let delta = new_len - old_len;
        if old_end == vma.end {
            if let Some(grown_end) = old_end.checked_add(delta) {
                if grown_end <= self.max_addr && self.is_free(old_end, grown_end) {
                    if let Some(v) = self.vmas.get_mut(&vma.start) {
                        v.end = grown_end;
                    }
                    self.merge_around(vma.start, grown_end);
                    return Ok(RemapResult {
                        old_addr: old,
                        new_addr: old,
                        moved: None,
                        unmapped: Vec::new(),
                    });
                }
            }
        }
        if !may_move {
            return Err(Errno::ENOMEM);
        }
        let new = self.find_free(new_len, None)?;
        self.move_range(&vma, old, old_len, new, new_len);
        Ok(RemapResult {
            old_addr: old,
            new_addr: new,
            moved: Some(PageMove {
                from: old,
                to: new,
                len: old_len,
            }),
            unmapped: Vec::new(),
        })
    }

    /// Move `[old, old + old_len)` of `vma` to a free `[new, new + new_len)`.
    fn move_range(&mut self, vma: &Vma<B>, old: u64, old_len: u64, new: u64, new_len: u64) {
        let piece = vma.slice(old, old + old_len);
        self.carve(old, old + old_len);
        let moved = Vma {
            start: new,
            end: new + new_len,
            prot: piece.prot,
            flags: piece.flags,
            backing: piece.backing,
        };
        self.vmas.insert(new, moved);
        self.merge_around(new, new + new_len);
    }
}

/// The result of [`Brk::set`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrkResult {
    /// What brk(2) returns.
    pub brk: u64,
    /// Ranges removed from the map (the kernel clears their PTEs).
    pub unmapped: Vec<(u64, u64)>,
}

/// The program break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Brk {
    start: u64,
    cur: u64,
}

impl Brk {
    /// `start` is `mm->start_brk`: the page after the loaded image.
    pub fn new(start: u64) -> Self {
        Brk { start, cur: start }
    }

    pub fn start(&self) -> u64 {
        self.start
    }

    pub fn current(&self) -> u64 {
        self.cur
    }

    /// brk(2) with Linux semantics: a value below the start (including 0)
    /// changes nothing and returns the current break; shrinking unmaps the
    /// freed pages; growing maps anonymous read-write pages
    /// `[page_up(cur), page_up(new))` unless that range is not free, would
    /// come within a page of the next mapping (or its stack guard gap) or
    /// leave user space, in which case the current break is returned.
    pub fn set<B: Clone>(&mut self, new: u64, vmas: &mut VmaMap<B>) -> BrkResult {
        let unchanged = |cur| BrkResult {
            brk: cur,
            unmapped: Vec::new(),
        };
        if new < self.start {
            return unchanged(self.cur);
        }
        let (Some(new_pg), Some(old_pg)) = (page_align_up(new), page_align_up(self.cur)) else {
            return unchanged(self.cur);
        };
        if new_pg == old_pg {
            self.cur = new;
            return unchanged(new);
        }
        if new < self.cur {
            let unmapped = vmas.unmap(new_pg, old_pg - new_pg).unwrap_or_default();
            self.cur = new;
            return BrkResult { brk: new, unmapped };
        }
        if new_pg > vmas.max_addr() {
            return unchanged(self.cur);
        }
        let blocked = match vmas.find_next(old_pg) {
            Some(next) => {
                next.start < new_pg
                    || new_pg
                        .checked_add(PAGE_SIZE)
                        .is_none_or(|g| g > next.start_gap())
            }
            None => false,
        };
        if blocked {
            return unchanged(self.cur);
        }
        let heap = Vma::anon(old_pg, new_pg, PROT_READ | PROT_WRITE, 0);
        match vmas.map(heap) {
            Ok(_) => {
                self.cur = new;
                unchanged(new)
            }
            Err(_) => unchanged(self.cur),
        }
    }
}

/// One line of /proc/<pid>/maps, without the newline, formatted as Linux's
/// `show_map_vma`: `start-end perms offset major:minor inode`, then, if
/// `path` is not empty, padding to column 73 and the path. Anonymous lines
/// keep Linux's trailing space after the inode.
pub fn format_maps_line<B: Clone>(
    vma: &Vma<B>,
    dev_major: u32,
    dev_minor: u32,
    ino: u64,
    path: &str,
) -> String {
    let flag = |bit: u32, c: char| if vma.prot & bit != 0 { c } else { '-' };
    let shared = if vma.flags & VM_SHARED != 0 { 's' } else { 'p' };
    let offset = match &vma.backing {
        Backing::File { offset, .. } => *offset,
        Backing::Anon => 0,
    };
    let mut s = format!(
        "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {} ",
        vma.start,
        vma.end,
        flag(PROT_READ, 'r'),
        flag(PROT_WRITE, 'w'),
        flag(PROT_EXEC, 'x'),
        shared,
        offset,
        dev_major,
        dev_minor,
        ino
    );
    if !path.is_empty() {
        while s.len() < 72 {
            s.push(' ');
        }
        s.push(' ');
        s.push_str(path);
    }
    s
}

#[cfg(test)]
mod tests;
