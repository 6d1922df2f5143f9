//! ELF64 (x86_64, little endian) header and program-header parsing, and the
//! load plan that `execve` derives from it. Every read from the input is
//! bounds-checked; malformed input yields an errno, never a panic.

use alloc::string::String;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};

/// Page size on x86_64.
pub const PAGE_SIZE: u64 = 4096;
/// Exclusive top of the x86_64 user address space (Linux `TASK_SIZE_MAX`).
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;
/// Where Linux places an `ET_DYN` program that has an interpreter when ASLR
/// is off: `ELF_ET_DYN_BASE` = `DEFAULT_MAP_WINDOW / 3 * 2`, page-aligned.
pub const ELF_ET_DYN_BASE: u64 = TASK_SIZE / 3 * 2;
/// Top of the mmap area without ASLR: `TASK_SIZE - 128 MiB` (Linux clamps
/// the stack gap to at least 128 MiB).
pub const MMAP_BASE: u64 = 0x7fff_f7ff_f000;
/// Size of the ELF64 file header.
pub const EHDR_SIZE: usize = 64;
/// Size of one ELF64 program header.
pub const PHDR_SIZE: usize = 56;
/// Linux refuses program-header tables larger than `ELF_MIN_ALIGN` (one page).
pub const MAX_PHDR_TABLE: usize = 4096;
/// Longest `PT_INTERP` Linux accepts (`PATH_MAX`, including the NUL).
pub const MAX_INTERP_LEN: u64 = 4096;

pub const ET_EXEC: u16 = 2;
pub const ET_DYN: u16 = 3;
pub const EM_X86_64: u16 = 62;

pub const PT_NULL: u32 = 0;
pub const PT_LOAD: u32 = 1;
pub const PT_DYNAMIC: u32 = 2;
pub const PT_INTERP: u32 = 3;
pub const PT_NOTE: u32 = 4;
pub const PT_PHDR: u32 = 6;
pub const PT_TLS: u32 = 7;
pub const PT_GNU_STACK: u32 = 0x6474_e551;

pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;
pub const PF_R: u32 = 4;

pub const PROT_READ: u32 = 1;
pub const PROT_WRITE: u32 = 2;
pub const PROT_EXEC: u32 = 4;

/// `e_type` of a loadable image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElfKind {
    /// `ET_EXEC`: fixed addresses, load bias 0.
    Exec,
    /// `ET_DYN`: position independent (PIE, static-pie or a shared object).
    Dyn,
}

/// One `PT_LOAD` segment (addresses before the load bias is applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub memsz: u64,
    pub filesz: u64,
    pub offset: u64,
    pub align: u64,
    /// `PROT_*` bits derived from `p_flags`.
    pub prot: u32,
}

/// The `PT_TLS` template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tls {
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

/// Everything `execve` needs from an ELF image's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfInfo {
    pub kind: ElfKind,
    pub entry: u64,
    pub phoff: u64,
    pub phentsize: u16,
    pub phnum: u16,
    /// `PT_LOAD` segments with a non-zero `p_memsz`, sorted by address and
    /// non-overlapping (checked).
    pub segments: Vec<Segment>,
    /// The `PT_INTERP` path (up to its first NUL). `None` either when there is
    /// no `PT_INTERP` or, with [`parse_elf_headers`], when the path lies outside
    /// the bytes given: then `interp_range` is `Some` and the caller reads
    /// those bytes and passes them to [`parse_interp`].
    pub interp: Option<String>,
    /// File range `(offset, len)` of the `PT_INTERP` string, if any.
    pub interp_range: Option<(u64, u64)>,
    /// Address of the program headers in memory (before bias): `PT_PHDR` if
    /// present, else computed from the `PT_LOAD` whose file range holds `e_phoff`.
    pub phdr_vaddr: Option<u64>,
    /// `PT_GNU_STACK` has `PF_X` (on x86_64 a missing `PT_GNU_STACK` means a
    /// non-executable stack for 64-bit programs).
    pub stack_exec: bool,
    pub tls: Option<Tls>,
}

fn field<const N: usize>(b: &[u8], off: usize) -> KResult<[u8; N]> {
    let end = off.checked_add(N).ok_or(Errno::ENOEXEC)?;
    let s = b.get(off..end).ok_or(Errno::ENOEXEC)?;
    <[u8; N]>::try_from(s).map_err(|_| Errno::ENOEXEC)
}

fn u16_at(b: &[u8], off: usize) -> KResult<u16> {
    Ok(u16::from_le_bytes(field::<2>(b, off)?))
}

fn u32_at(b: &[u8], off: usize) -> KResult<u32> {
    Ok(u32::from_le_bytes(field::<4>(b, off)?))
}

fn u64_at(b: &[u8], off: usize) -> KResult<u64> {
    Ok(u64::from_le_bytes(field::<8>(b, off)?))
}

/// Round up to a page boundary; `None` on overflow.
pub fn page_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE_SIZE - 1).map(|v| v & !(PAGE_SIZE - 1))
}

/// Round down to a page boundary.
pub fn page_down(x: u64) -> u64 {
    x & !(PAGE_SIZE - 1)
}

fn flags_to_prot(flags: u32) -> u32 {
    let mut prot = 0;
    if flags & PF_R != 0 {
        prot |= PROT_READ;
    }
    if flags & PF_W != 0 {
        prot |= PROT_WRITE;
    }
    if flags & PF_X != 0 {
        prot |= PROT_EXEC;
    }
    prot
}

/// Validate the bytes of a `PT_INTERP` string (exactly `p_filesz` bytes):
/// they must end in NUL (Linux: ENOEXEC otherwise). The path is taken up to
/// the first NUL and must be non-empty UTF-8 (Rill's restriction) -> ENOEXEC.
pub fn parse_interp(raw: &[u8]) -> KResult<String> {
    if raw.len() < 2 || raw.len() as u64 > MAX_INTERP_LEN {
        return Err(Errno::ENOEXEC);
    }
    if raw.last() != Some(&0) {
        return Err(Errno::ENOEXEC);
    }
    let end = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
    let path = raw.get(..end).ok_or(Errno::ENOEXEC)?;
    if path.is_empty() {
        return Err(Errno::ENOEXEC);
    }
    core::str::from_utf8(path)
        .map(String::from)
        .map_err(|_| Errno::ENOEXEC)
}

/// Parse a whole ELF file held in memory. Every file range a header names
/// (segments, the interpreter path) must lie inside `bytes`.
pub fn parse_elf(bytes: &[u8]) -> KResult<ElfInfo> {
    parse(bytes, Some(bytes.len() as u64))
}

/// Parse from the first bytes of a file only (e.g. its first page, like
/// Linux's `BINPRM_BUF` plus the program-header read). The ELF header and the
/// program headers must lie within `first`; segment ranges are not checked
/// against the file size (use [`check_file_size`]), and the interpreter path
/// is only filled in when it lies within `first` (see [`ElfInfo::interp`]).
pub fn parse_elf_headers(first: &[u8]) -> KResult<ElfInfo> {
    parse(first, None)
}

/// Check that every segment's file range and the interpreter path lie within a
/// file of `file_size` bytes (ENOEXEC otherwise).
pub fn check_file_size(info: &ElfInfo, file_size: u64) -> KResult<()> {
    for s in &info.segments {
        let end = s.offset.checked_add(s.filesz).ok_or(Errno::ENOEXEC)?;
        if end > file_size {
            return Err(Errno::ENOEXEC);
        }
    }
    if let Some((off, len)) = info.interp_range {
        let end = off.checked_add(len).ok_or(Errno::ENOEXEC)?;
        if end > file_size {
            return Err(Errno::ENOEXEC);
        }
    }
    Ok(())
}

fn parse(b: &[u8], file_len: Option<u64>) -> KResult<ElfInfo> {
    if b.len() < EHDR_SIZE || b.get(0..4) != Some(&b"\x7fELF"[..]) {
        return Err(Errno::ENOEXEC);
    }
    // EI_CLASS = ELFCLASS64, EI_DATA = ELFDATA2LSB.
    if b.get(4) != Some(&2) || b.get(5) != Some(&1) {
        return Err(Errno::ENOEXEC);
    }
    let e_type = u16_at(b, 16)?;
    let kind = match e_type {
        ET_EXEC => ElfKind::Exec,
        ET_DYN => ElfKind::Dyn,
        _ => return Err(Errno::ENOEXEC),
    };
    if u16_at(b, 18)? != EM_X86_64 {
        return Err(Errno::ENOEXEC);
    }
    let entry = u64_at(b, 24)?;
    let phoff = u64_at(b, 32)?;
    let phentsize = u16_at(b, 54)?;
    let phnum = u16_at(b, 56)?;
    if phentsize as usize != PHDR_SIZE {
        return Err(Errno::ENOEXEC);
    }
    let table = phnum as usize * PHDR_SIZE;
    if table == 0 || table > MAX_PHDR_TABLE {
        return Err(Errno::ENOEXEC);
    }
    let ph_start = usize::try_from(phoff).map_err(|_| Errno::ENOEXEC)?;
    let ph_end = ph_start.checked_add(table).ok_or(Errno::ENOEXEC)?;
    let phdrs = b.get(ph_start..ph_end).ok_or(Errno::ENOEXEC)?;
    if entry >= TASK_SIZE {
        return Err(Errno::EINVAL);
    }

    let mut segments: Vec<Segment> = Vec::new();
    let mut interp = None;
    let mut interp_range = None;
    let mut pt_phdr = None;
    let mut stack_exec = false;
    let mut tls = None;

    for i in 0..phnum as usize {
        let o = i * PHDR_SIZE;
        let p_type = u32_at(phdrs, o)?;
        let p_flags = u32_at(phdrs, o + 4)?;
        let p_offset = u64_at(phdrs, o + 8)?;
        let p_vaddr = u64_at(phdrs, o + 16)?;
        let p_filesz = u64_at(phdrs, o + 32)?;
        let p_memsz = u64_at(phdrs, o + 40)?;
        let p_align = u64_at(phdrs, o + 48)?;
        match p_type {
            PT_LOAD => {
                // Same checks (and errno) as Linux's load_elf_binary.
                if p_vaddr >= TASK_SIZE
                    || p_filesz > p_memsz
                    || p_memsz > TASK_SIZE
                    || TASK_SIZE - p_memsz < p_vaddr
                {
                    return Err(Errno::EINVAL);
                }
                // mmap needs offset and address congruent modulo the page size.
                if (p_vaddr ^ p_offset) & (PAGE_SIZE - 1) != 0 {
                    return Err(Errno::EINVAL);
                }
                let file_end = p_offset.checked_add(p_filesz).ok_or(Errno::EINVAL)?;
                if let Some(len) = file_len {
                    if file_end > len {
                        return Err(Errno::ENOEXEC);
                    }
                }
                if p_memsz == 0 {
                    continue;
                }
                if let Some(prev) = segments.last() {
                    // Sorted and non-overlapping (sharing a page is allowed).
                    if p_vaddr < prev.vaddr + prev.memsz {
                        return Err(Errno::ENOEXEC);
                    }
                }
                segments.push(Segment {
                    vaddr: p_vaddr,
                    memsz: p_memsz,
                    filesz: p_filesz,
                    offset: p_offset,
                    align: p_align,
                    prot: flags_to_prot(p_flags),
                });
            }
            PT_INTERP if interp_range.is_none() => {
                if !(2..=MAX_INTERP_LEN).contains(&p_filesz) {
                    return Err(Errno::ENOEXEC);
                }
                interp_range = Some((p_offset, p_filesz));
                let start = usize::try_from(p_offset).ok();
                let raw = start.and_then(|s| b.get(s..s.checked_add(p_filesz as usize)?));
                match raw {
                    Some(raw) => interp = Some(parse_interp(raw)?),
                    None if file_len.is_some() => return Err(Errno::ENOEXEC),
                    None => {}
                }
            }
            PT_PHDR if pt_phdr.is_none() => pt_phdr = Some(p_vaddr),
            PT_GNU_STACK => stack_exec = p_flags & PF_X != 0,
            PT_TLS if tls.is_none() => {
                if p_filesz > p_memsz {
                    return Err(Errno::ENOEXEC);
                }
                tls = Some(Tls {
                    offset: p_offset,
                    vaddr: p_vaddr,
                    filesz: p_filesz,
                    memsz: p_memsz,
                    align: p_align,
                });
            }
            _ => {}
        }
    }
    if segments.is_empty() {
        return Err(Errno::ENOEXEC);
    }
    let phdr_vaddr = pt_phdr.or_else(|| {
        segments
            .iter()
            .find(|s| s.offset <= phoff && phoff - s.offset < s.filesz)
            .map(|s| s.vaddr + (phoff - s.offset))
    });
    Ok(ElfInfo {
        kind,
        entry,
        phoff,
        phentsize,
        phnum,
        segments,
        interp,
        interp_range,
        phdr_vaddr,
        stack_exec,
        tls,
    })
}

/// Lowest and highest (exclusive) page-aligned addresses the image covers,
/// before the load bias.
pub fn image_span(info: &ElfInfo) -> (u64, u64) {
    let lo = info
        .segments
        .first()
        .map(|s| page_down(s.vaddr))
        .unwrap_or(0);
    let hi = info
        .segments
        .iter()
        .map(|s| s.vaddr.saturating_add(s.memsz))
        .max()
        .and_then(page_up)
        .unwrap_or(lo);
    (lo, hi)
}

/// Linux's (x86_64, no ASLR) load bias for an image whose lowest segment is
/// at virtual address 0 and which spans `total_span` bytes:
/// - `ET_EXEC`: 0;
/// - `ET_DYN` main program: `ELF_ET_DYN_BASE` = 0x555555554000;
/// - `ET_DYN` interpreter: placed top-down at the top of the mmap area, i.e.
///   `MMAP_BASE - page_up(total_span)` (0x7ffff7fff000 minus the span; this is
///   what `VmaMap::find_free` returns in a fresh address space and how ld.so
///   ends up at 0x7ffff7fc3000 on Linux).
///
/// See [`load_bias_for`] for the exact rule that also honours `p_align` and a
/// non-zero first address.
pub fn load_bias(kind: ElfKind, is_interp: bool, total_span: u64) -> u64 {
    match kind {
        ElfKind::Exec => 0,
        ElfKind::Dyn if is_interp => {
            MMAP_BASE.saturating_sub(page_up(total_span).unwrap_or(MMAP_BASE))
        }
        ElfKind::Dyn => page_down(ELF_ET_DYN_BASE),
    }
}

/// Linux's exact choice (x86_64, no ASLR) for a parsed image:
/// - `ET_EXEC`: 0;
/// - `ET_DYN` main program that has an interpreter, or whose maximum
///   `p_align` exceeds a page: `ELF_ET_DYN_BASE` rounded down to that
///   alignment, minus the first segment's page-aligned address;
/// - otherwise (an interpreter, or a static-pie with page alignment): the
///   kernel lets mmap choose, which is top-down just below `MMAP_BASE`.
pub fn load_bias_for(info: &ElfInfo, is_interp: bool) -> u64 {
    if info.kind == ElfKind::Exec {
        return 0;
    }
    let (lo, hi) = image_span(info);
    let align = info
        .segments
        .iter()
        .map(|s| s.align)
        .filter(|a| a.is_power_of_two())
        .max()
        .unwrap_or(PAGE_SIZE)
        .max(PAGE_SIZE);
    if !is_interp && (info.interp.is_some() || info.interp_range.is_some() || align > PAGE_SIZE) {
        let base = ELF_ET_DYN_BASE & !(align - 1);
        return page_down(base.wrapping_sub(lo));
    }
    MMAP_BASE.wrapping_sub(hi - lo).wrapping_sub(lo) & !(PAGE_SIZE - 1)
}

/// Where the program break starts after loading: the page after the end of
/// the highest segment (Linux `ELF_PAGEALIGN(elf_brk)`).
pub fn brk_start(info: &ElfInfo, bias: u64) -> KResult<u64> {
    let (_, hi) = image_span(info);
    hi.checked_add(bias)
        .filter(|&v| v <= TASK_SIZE)
        .ok_or(Errno::ENOMEM)
}

/// One step of loading an image. Steps are applied in order with `MAP_FIXED`
/// semantics (a later step replaces what an earlier one mapped on the same page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapStep {
    /// Map file bytes `[offset, offset + len)` privately at `vaddr`
    /// (all three page-aligned) with `prot`.
    File {
        vaddr: u64,
        len: u64,
        offset: u64,
        prot: u32,
    },
    /// Zero `[vaddr, vaddr + len)`: the tail of the last file-backed page past
    /// `p_filesz`. The mapping is private, so the kernel writes zeros into the
    /// process's own copy of the page even when the segment is read-only.
    Zero { vaddr: u64, len: u64 },
    /// Map anonymous zero pages `[vaddr, vaddr + len)` (page-aligned) with `prot`.
    Anon { vaddr: u64, len: u64, prot: u32 },
}

/// Plan the mappings for `info` loaded at `bias` (page-aligned), following
/// Linux's `elf_load`. EINVAL for an unaligned bias, ENOMEM if a segment would
/// end above `TASK_SIZE`.
pub fn plan_load(info: &ElfInfo, bias: u64) -> KResult<Vec<MapStep>> {
    if bias & (PAGE_SIZE - 1) != 0 {
        return Err(Errno::EINVAL);
    }
    let mut steps = Vec::new();
    for s in &info.segments {
        let va = s.vaddr.checked_add(bias).ok_or(Errno::ENOMEM)?;
        let mem_end = va.checked_add(s.memsz).ok_or(Errno::ENOMEM)?;
        if mem_end > TASK_SIZE {
            return Err(Errno::ENOMEM);
        }
        let page_off = va & (PAGE_SIZE - 1);
        let start = va - page_off;
        let mem_end_pg = page_up(mem_end).ok_or(Errno::ENOMEM)?;
        if s.filesz == 0 {
            steps.push(MapStep::Anon {
                vaddr: start,
                len: mem_end_pg - start,
                prot: s.prot,
            });
            continue;
        }
        // Congruence was checked while parsing, so offset >= page_off.
        let offset = s.offset.checked_sub(page_off).ok_or(Errno::EINVAL)?;
        if s.filesz > s.memsz {
            return Err(Errno::EINVAL);
        }
        let file_end = va + s.filesz;
        let file_end_pg = page_up(file_end).ok_or(Errno::ENOMEM)?;
        steps.push(MapStep::File {
            vaddr: start,
            len: file_end_pg - start,
            offset,
            prot: s.prot,
        });
        if s.memsz > s.filesz {
            if file_end != file_end_pg {
                steps.push(MapStep::Zero {
                    vaddr: file_end,
                    len: file_end_pg - file_end,
                });
            }
            if mem_end_pg > file_end_pg {
                steps.push(MapStep::Anon {
                    vaddr: file_end_pg,
                    len: mem_end_pg - file_end_pg,
                    prot: s.prot,
                });
            }
        }
    }
    Ok(steps)
}
