use super::elf::*;
use super::shebang::*;
use super::stack::*;
use alloc::vec;
use alloc::vec::Vec;
use rill_abi::Errno;

type Ph = (u32, u32, u64, u64, u64, u64, u64); // type, flags, offset, vaddr, filesz, memsz, align

/// A synthetic ELF64 x86_64 image: header, phdrs at 64, zero-filled to `len`.
fn build(e_type: u16, entry: u64, phdrs: &[Ph], len: usize) -> Vec<u8> {
    let mut b = vec![0u8; len.max(64 + phdrs.len() * 56)];
    b[..4].copy_from_slice(b"\x7fELF");
    b[4] = 2;
    b[5] = 1;
    b[6] = 1;
    b[16..18].copy_from_slice(&e_type.to_le_bytes());
    b[18..20].copy_from_slice(&EM_X86_64.to_le_bytes());
    b[24..32].copy_from_slice(&entry.to_le_bytes());
    b[32..40].copy_from_slice(&64u64.to_le_bytes());
    b[52..54].copy_from_slice(&64u16.to_le_bytes());
    b[54..56].copy_from_slice(&56u16.to_le_bytes());
    b[56..58].copy_from_slice(&(phdrs.len() as u16).to_le_bytes());
    for (i, p) in phdrs.iter().enumerate() {
        let o = 64 + i * 56;
        b[o..o + 4].copy_from_slice(&p.0.to_le_bytes());
        b[o + 4..o + 8].copy_from_slice(&p.1.to_le_bytes());
        b[o + 8..o + 16].copy_from_slice(&p.2.to_le_bytes());
        b[o + 16..o + 24].copy_from_slice(&p.3.to_le_bytes());
        b[o + 24..o + 32].copy_from_slice(&p.3.to_le_bytes());
        b[o + 32..o + 40].copy_from_slice(&p.4.to_le_bytes());
        b[o + 40..o + 48].copy_from_slice(&p.5.to_le_bytes());
        b[o + 48..o + 56].copy_from_slice(&p.6.to_le_bytes());
    }
    b
}

fn simple() -> Vec<u8> {
    build(
        ET_EXEC,
        0x401000,
        &[
            (PT_LOAD, PF_R, 0, 0x400000, 0x200, 0x200, 0x1000),
            (PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x100, 0x100, 0x1000),
            (
                PT_LOAD,
                PF_R | PF_W,
                0x1234,
                0x402234,
                0x100,
                0x3000,
                0x1000,
            ),
        ],
        0x2000,
    )
}

fn read_file(path: &str) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(b) => Some(b),
        Err(_) => {
            std::eprintln!("skipping: {path} not readable");
            None
        }
    }
}

#[test]
fn parses_synthetic_exec() {
    let info = parse_elf(&simple()).unwrap();
    assert_eq!(info.kind, ElfKind::Exec);
    assert_eq!(info.entry, 0x401000);
    assert_eq!(info.phnum, 3);
    assert_eq!(info.segments.len(), 3);
    assert_eq!(info.segments[1].prot, PROT_READ | PROT_EXEC);
    assert_eq!(info.segments[2].prot, PROT_READ | PROT_WRITE);
    assert_eq!(info.interp, None);
    // No PT_PHDR: computed from the first PT_LOAD (offset 0 covers phoff 64).
    assert_eq!(info.phdr_vaddr, Some(0x400040));
    assert!(!info.stack_exec);
    assert_eq!(image_span(&info), (0x400000, 0x406000));
    assert_eq!(brk_start(&info, 0).unwrap(), 0x406000);
    assert_eq!(load_bias_for(&info, false), 0);
}

#[test]
fn plan_load_synthetic() {
    let info = parse_elf(&simple()).unwrap();
    let steps = plan_load(&info, 0).unwrap();
    assert_eq!(
        steps,
        vec![
            MapStep::File {
                vaddr: 0x400000,
                len: 0x1000,
                offset: 0,
                prot: PROT_READ
            },
            MapStep::File {
                vaddr: 0x401000,
                len: 0x1000,
                offset: 0x1000,
                prot: PROT_READ | PROT_EXEC
            },
            MapStep::File {
                vaddr: 0x402000,
                len: 0x1000,
                offset: 0x1000,
                prot: PROT_READ | PROT_WRITE
            },
            MapStep::Zero {
                vaddr: 0x402334,
                len: 0xccc
            },
            MapStep::Anon {
                vaddr: 0x403000,
                len: 0x3000,
                prot: PROT_READ | PROT_WRITE
            },
        ]
    );
    // With a bias everything moves; unaligned bias is refused.
    let steps = plan_load(&info, 0x10000).unwrap();
    assert_eq!(
        steps[3],
        MapStep::Zero {
            vaddr: 0x412334,
            len: 0xccc
        }
    );
    assert_eq!(plan_load(&info, 0x10), Err(Errno::EINVAL));
    assert_eq!(plan_load(&info, TASK_SIZE - 0x1000), Err(Errno::ENOMEM));
}

#[test]
fn bss_only_segment_is_anonymous_and_full_page_file_needs_no_zeroing() {
    let b = build(
        ET_EXEC,
        0x400000,
        &[
            (PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x2000, 0x2000, 0x1000),
            (PT_LOAD, PF_R | PF_W, 0x10, 0x500010, 0, 0x20, 0x1000),
        ],
        0x2000,
    );
    let info = parse_elf(&b).unwrap();
    let steps = plan_load(&info, 0).unwrap();
    assert_eq!(
        steps,
        vec![
            MapStep::File {
                vaddr: 0x400000,
                len: 0x2000,
                offset: 0,
                prot: 5
            },
            MapStep::Anon {
                vaddr: 0x500000,
                len: 0x1000,
                prot: 3
            },
        ]
    );
}

#[test]
fn interp_tls_phdr_and_stack_flags() {
    let mut b = build(
        ET_DYN,
        0x1100,
        &[
            (PT_PHDR, PF_R, 64, 0x40, 4 * 56, 4 * 56, 8),
            (PT_INTERP, PF_R, 0x200, 0x200, 12, 12, 1),
            (PT_LOAD, PF_R | PF_X, 0, 0, 0x1200, 0x1200, 0x1000),
            (PT_TLS, PF_R, 0x1100, 0x1100, 0x10, 0x40, 8),
            (PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 16),
        ],
        0x1200,
    );
    b[0x200..0x20c].copy_from_slice(b"/lib/ld.so\0\0");
    // phnum says 5, the PT_PHDR size is irrelevant to parsing.
    let info = parse_elf(&b).unwrap();
    assert_eq!(info.kind, ElfKind::Dyn);
    assert_eq!(info.interp.as_deref(), Some("/lib/ld.so"));
    assert_eq!(info.interp_range, Some((0x200, 12)));
    assert_eq!(info.phdr_vaddr, Some(0x40));
    assert!(info.stack_exec);
    assert_eq!(
        info.tls,
        Some(Tls {
            offset: 0x1100,
            vaddr: 0x1100,
            filesz: 0x10,
            memsz: 0x40,
            align: 8
        })
    );
    assert_eq!(load_bias_for(&info, false), 0x5555_5555_4000);
    assert_eq!(load_bias(ElfKind::Dyn, false, 0x2000), 0x5555_5555_4000);
    // As an interpreter it goes top-down just below the mmap base.
    assert_eq!(load_bias_for(&info, true), MMAP_BASE - 0x2000);
    assert_eq!(load_bias(ElfKind::Dyn, true, 0x1200), MMAP_BASE - 0x2000);
    assert_eq!(load_bias(ElfKind::Exec, true, 0x1200), 0);

    // Not NUL-terminated interpreter path.
    b[0x20b] = b'x';
    assert_eq!(parse_elf(&b), Err(Errno::ENOEXEC));
}

#[test]
fn headers_only_parse_defers_out_of_buffer_data() {
    let mut b = build(
        ET_DYN,
        0x1000,
        &[
            (PT_INTERP, PF_R, 0x1800, 0x1800, 8, 8, 1),
            (PT_LOAD, PF_R | PF_X, 0, 0, 0x2000, 0x2000, 0x1000),
        ],
        0x2000,
    );
    b[0x1800..0x1808].copy_from_slice(b"/ld.so\0\0");
    let full = parse_elf(&b).unwrap();
    assert_eq!(full.interp.as_deref(), Some("/ld.so"));
    let head = parse_elf_headers(&b[..0x1000]).unwrap();
    assert_eq!(head.interp, None);
    assert_eq!(head.interp_range, Some((0x1800, 8)));
    assert_eq!(parse_interp(&b[0x1800..0x1808]).unwrap(), "/ld.so");
    assert_eq!(check_file_size(&head, 0x2000), Ok(()));
    assert_eq!(check_file_size(&head, 0x1fff), Err(Errno::ENOEXEC));
    // The whole-file parse refuses a truncated file.
    assert_eq!(parse_elf(&b[..0x1800]), Err(Errno::ENOEXEC));
    // Program headers outside the given bytes.
    assert_eq!(parse_elf_headers(&b[..100]), Err(Errno::ENOEXEC));
}

#[test]
fn garbage_and_bad_headers() {
    assert_eq!(parse_elf(b""), Err(Errno::ENOEXEC));
    assert_eq!(parse_elf(b"#!/bin/sh\n"), Err(Errno::ENOEXEC));
    assert_eq!(parse_elf(&[0u8; 4096]), Err(Errno::ENOEXEC));
    let good = simple();
    assert!(parse_elf(&good).is_ok());
    for cut in [0, 4, 63, 64, 100, 64 + 3 * 56 - 1] {
        assert_eq!(parse_elf(&good[..cut]), Err(Errno::ENOEXEC), "cut at {cut}");
    }
    let patched = |off: usize, bytes: &[u8]| {
        let mut b = good.clone();
        b[off..off + bytes.len()].copy_from_slice(bytes);
        parse_elf(&b)
    };
    assert_eq!(patched(4, &[1]), Err(Errno::ENOEXEC)); // ELFCLASS32
    assert_eq!(patched(5, &[2]), Err(Errno::ENOEXEC)); // big endian
    assert_eq!(patched(16, &1u16.to_le_bytes()), Err(Errno::ENOEXEC)); // ET_REL
    assert_eq!(patched(16, &4u16.to_le_bytes()), Err(Errno::ENOEXEC)); // ET_CORE
    assert_eq!(patched(18, &3u16.to_le_bytes()), Err(Errno::ENOEXEC)); // EM_386
    assert_eq!(patched(54, &32u16.to_le_bytes()), Err(Errno::ENOEXEC)); // phentsize
    assert_eq!(patched(56, &0u16.to_le_bytes()), Err(Errno::ENOEXEC)); // no phdrs
    assert_eq!(patched(56, &74u16.to_le_bytes()), Err(Errno::ENOEXEC)); // > one page
    assert_eq!(patched(56, &0xffffu16.to_le_bytes()), Err(Errno::ENOEXEC));
    assert_eq!(patched(32, &u64::MAX.to_le_bytes()), Err(Errno::ENOEXEC)); // phoff
    assert_eq!(patched(32, &0x1ff0u64.to_le_bytes()), Err(Errno::ENOEXEC));
    assert_eq!(patched(24, &TASK_SIZE.to_le_bytes()), Err(Errno::EINVAL)); // entry
}

#[test]
fn inconsistent_segments() {
    let one = |p: Ph| parse_elf(&build(ET_EXEC, 0x400000, &[p], 0x3000));
    // filesz > memsz: EINVAL like Linux.
    assert_eq!(
        one((PT_LOAD, PF_R, 0, 0x400000, 0x200, 0x100, 0x1000)),
        Err(Errno::EINVAL)
    );
    // Offset not congruent to vaddr modulo the page size.
    assert_eq!(
        one((PT_LOAD, PF_R, 0x10, 0x400000, 0x100, 0x100, 0x1000)),
        Err(Errno::EINVAL)
    );
    // Past the end of the file.
    assert_eq!(
        one((PT_LOAD, PF_R, 0x2000, 0x402000, 0x1001, 0x2000, 0x1000)),
        Err(Errno::ENOEXEC)
    );
    assert_eq!(
        one((PT_LOAD, PF_R, !0xfff, 0x400000, 0x100, 0x100, 0x1000)),
        Err(Errno::ENOEXEC)
    );
    // Above the user address space / overflowing.
    assert_eq!(
        one((PT_LOAD, PF_R, 0, TASK_SIZE, 0, 0x1000, 0x1000)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        one((PT_LOAD, PF_R, 0, TASK_SIZE - 0x1000, 0, 0x2000, 0x1000)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        one((PT_LOAD, PF_R, 0, 0x1000, 0, u64::MAX, 0x1000)),
        Err(Errno::EINVAL)
    );
    // No PT_LOAD at all.
    assert_eq!(one((PT_NOTE, PF_R, 0, 0, 0, 0, 4)), Err(Errno::ENOEXEC));
    let two = |a: Ph, b: Ph| parse_elf(&build(ET_EXEC, 0x400000, &[a, b], 0x3000));
    // Unsorted.
    assert_eq!(
        two(
            (PT_LOAD, PF_R, 0x1000, 0x401000, 0x100, 0x100, 0x1000),
            (PT_LOAD, PF_R, 0, 0x400000, 0x100, 0x100, 0x1000)
        ),
        Err(Errno::ENOEXEC)
    );
    // Overlapping.
    assert_eq!(
        two(
            (PT_LOAD, PF_R, 0, 0x400000, 0x100, 0x1800, 0x1000),
            (PT_LOAD, PF_R, 0x1000, 0x401000, 0x100, 0x100, 0x1000)
        ),
        Err(Errno::ENOEXEC)
    );
    // Sharing a page without overlapping bytes is fine.
    assert!(two(
        (PT_LOAD, PF_R, 0, 0x400000, 0x100, 0x800, 0x1000),
        (PT_LOAD, PF_R | PF_W, 0x900, 0x400900, 0x100, 0x100, 0x1000)
    )
    .is_ok());
    // Interpreter path too short / too long.
    assert_eq!(
        two(
            (PT_INTERP, PF_R, 0x100, 0, 1, 1, 1),
            (PT_LOAD, PF_R, 0, 0x400000, 0x100, 0x100, 0x1000)
        ),
        Err(Errno::ENOEXEC)
    );
    assert_eq!(
        two(
            (PT_INTERP, PF_R, 0x100, 0, 4097, 4097, 1),
            (PT_LOAD, PF_R, 0, 0x400000, 0x100, 0x100, 0x1000)
        ),
        Err(Errno::ENOEXEC)
    );
    assert_eq!(parse_interp(b"\0\0"), Err(Errno::ENOEXEC));
    assert_eq!(parse_interp(b"/a\xff\0"), Err(Errno::ENOEXEC));
    assert_eq!(parse_interp(b"/a\0junk\0").unwrap(), "/a");
}

#[test]
fn host_busybox() {
    let Some(bytes) = read_file("/bin/busybox") else {
        return;
    };
    let info = parse_elf(&bytes).unwrap();
    // Debian's busybox-static is a static ET_EXEC without interpreter.
    assert_eq!(info.kind, ElfKind::Exec);
    assert_eq!(info.interp, None);
    assert!(info.segments.len() >= 2);
    assert!(info
        .segments
        .iter()
        .any(|s| s.prot & PROT_EXEC != 0 && (s.vaddr..s.vaddr + s.memsz).contains(&info.entry)));
    assert!(info.tls.is_some());
    assert!(!info.stack_exec);
    let first = info.segments[0];
    assert_eq!(
        info.phdr_vaddr,
        Some(first.vaddr - first.offset + info.phoff)
    );
    assert_eq!(load_bias_for(&info, false), 0);
    let steps = plan_load(&info, 0).unwrap();
    let files = steps
        .iter()
        .filter(|s| matches!(s, MapStep::File { .. }))
        .count();
    assert_eq!(files, info.segments.iter().filter(|s| s.filesz > 0).count());
    // The data segment has a bss: zero tail + anonymous pages, ending at brk.
    let last = info.segments.last().unwrap();
    assert!(last.memsz > last.filesz);
    let brk = brk_start(&info, 0).unwrap();
    assert_eq!(brk, page_up(last.vaddr + last.memsz).unwrap());
    match steps.last().unwrap() {
        MapStep::Anon { vaddr, len, prot } => {
            assert_eq!(vaddr + len, brk);
            assert_eq!(*prot, last.prot);
        }
        MapStep::Zero { vaddr, len } => assert_eq!(vaddr + len, brk),
        other => panic!("unexpected last step {other:?}"),
    }
    // The first page alone is enough for the headers.
    let head = parse_elf_headers(&bytes[..4096]).unwrap();
    assert_eq!(head.segments, info.segments);
    assert_eq!(check_file_size(&head, bytes.len() as u64), Ok(()));
    // Truncations never panic and never succeed once segments are cut.
    for cut in (0..bytes.len()).step_by(bytes.len() / 37 + 1) {
        let r = parse_elf(&bytes[..cut]);
        assert!(r.is_err(), "cut {cut}");
    }
}

#[test]
fn host_ls_is_pie_with_interp() {
    let Some(bytes) = read_file("/bin/ls") else {
        return;
    };
    let info = parse_elf(&bytes).unwrap();
    assert_eq!(info.kind, ElfKind::Dyn);
    assert_eq!(info.interp.as_deref(), Some("/lib64/ld-linux-x86-64.so.2"));
    assert_eq!(info.phdr_vaddr, Some(info.phoff)); // PT_PHDR at 0x40
    assert_eq!(info.segments[0].vaddr, 0);
    assert_eq!(load_bias_for(&info, false), 0x5555_5555_4000);
    let steps = plan_load(&info, 0x5555_5555_4000).unwrap();
    assert_eq!(
        steps[0],
        MapStep::File {
            vaddr: 0x5555_5555_4000,
            len: page_up(info.segments[0].filesz).unwrap(),
            offset: 0,
            prot: PROT_READ
        }
    );
    let head = parse_elf_headers(&bytes[..4096]).unwrap();
    assert_eq!(head, info);
}

#[test]
fn host_ld_so_goes_below_mmap_base() {
    let Some(bytes) = read_file("/lib64/ld-linux-x86-64.so.2") else {
        return;
    };
    let info = parse_elf(&bytes).unwrap();
    assert_eq!(info.kind, ElfKind::Dyn);
    assert_eq!(info.interp, None);
    let (lo, hi) = image_span(&info);
    assert_eq!(lo, 0);
    let bias = load_bias_for(&info, true);
    assert_eq!(bias + hi, MMAP_BASE);
    assert_eq!(bias, load_bias(ElfKind::Dyn, true, hi - lo));
    assert_eq!(bias % PAGE_SIZE, 0);
}

// ---------------------------------------------------------------- stack

fn rd(bytes: &[u8], base: u64, addr: u64) -> u64 {
    let o = (addr - base) as usize;
    u64::from_le_bytes(bytes[o..o + 8].try_into().unwrap())
}

fn cstr(bytes: &[u8], base: u64, addr: u64) -> Vec<u8> {
    let o = (addr - base) as usize;
    let n = bytes[o..].iter().position(|&c| c == 0).unwrap();
    bytes[o..o + n].to_vec()
}

#[test]
fn stack_exact_layout_minimal() {
    let top = 0x1000_0000;
    let (bytes, rsp, a) = build_stack(top, &[b"a"], &[], &[], b"/x", [7; 16], b"").unwrap();
    assert_eq!(rsp, top - 0x50);
    assert_eq!(bytes.len() as u64, top - rsp);
    assert_eq!(a.execfn_addr, top - 11);
    assert_eq!(a.arg_start, top - 13);
    assert_eq!(a.random_addr, top - 0x20);
    assert_eq!(a.platform_addr, 0);
    assert_eq!(a.argv_ptr, rsp + 8);
    assert_eq!(a.envp_ptr, rsp + 24);
    assert_eq!(a.auxv_ptr, rsp + 32);
    assert_eq!(rd(&bytes, rsp, rsp), 1);
    assert_eq!(rd(&bytes, rsp, rsp + 8), top - 13);
    assert_eq!(&bytes[bytes.len() - 8..], &[0; 8]);
    assert_eq!(&bytes[0x30..0x40], &[7; 16]);
    assert_eq!(cstr(&bytes, rsp, top - 11), b"/x");
}

#[test]
fn stack_round_trip() {
    let top = 0x7fff_ffff_f000;
    let argv: [&[u8]; 4] = [b"busybox", b"sh", b"-c", b"echo hi"];
    let envp: [&[u8]; 2] = [b"HOME=/", b"PATH=/bin:/usr/bin"];
    let auxv = [
        (AT_PHDR, 0x400040),
        (AT_PAGESZ, 4096),
        (AT_RANDOM, 0),
        (AT_EXECFN, 0),
        (AT_PLATFORM, 0),
        (AT_ENTRY, 0x401000),
    ];
    let random = *b"0123456789abcdef";
    let (bytes, rsp, a) =
        build_stack(top, &argv, &envp, &auxv, b"/bin/busybox", random, b"x86_64").unwrap();
    assert_eq!(rsp % 16, 0);
    assert_eq!(bytes.len() as u64, top - rsp);
    let argc = rd(&bytes, rsp, rsp);
    assert_eq!(argc, 4);
    assert_eq!(a.argc, 4);
    for (i, s) in argv.iter().enumerate() {
        let p = rd(&bytes, rsp, a.argv_ptr + 8 * i as u64);
        assert_eq!(&cstr(&bytes, rsp, p)[..], *s);
    }
    assert_eq!(rd(&bytes, rsp, a.argv_ptr + 32), 0);
    assert_eq!(a.envp_ptr, a.argv_ptr + 40);
    for (i, s) in envp.iter().enumerate() {
        let p = rd(&bytes, rsp, a.envp_ptr + 8 * i as u64);
        assert_eq!(&cstr(&bytes, rsp, p)[..], *s);
    }
    assert_eq!(rd(&bytes, rsp, a.envp_ptr + 16), 0);
    assert_eq!(a.auxv_ptr, a.envp_ptr + 24);
    let mut aux = Vec::new();
    let mut p = a.auxv_ptr;
    loop {
        let (k, v) = (rd(&bytes, rsp, p), rd(&bytes, rsp, p + 8));
        p += 16;
        if k == AT_NULL {
            assert_eq!(v, 0);
            break;
        }
        aux.push((k, v));
    }
    assert_eq!(aux.len(), auxv.len());
    let get = |key| aux.iter().find(|e| e.0 == key).unwrap().1;
    assert_eq!(get(AT_PAGESZ), 4096);
    assert_eq!(get(AT_ENTRY), 0x401000);
    assert_eq!(get(AT_RANDOM), a.random_addr);
    let r = (a.random_addr - rsp) as usize;
    assert_eq!(&bytes[r..r + 16], &random);
    assert_eq!(cstr(&bytes, rsp, get(AT_EXECFN)), b"/bin/busybox");
    assert_eq!(cstr(&bytes, rsp, get(AT_PLATFORM)), b"x86_64");
    // Linux's ordering of the string area.
    assert_eq!(a.execfn_addr + 13 + 8, top);
    assert_eq!(a.env_end, a.execfn_addr);
    assert_eq!(a.arg_end, a.env_start);
    assert_eq!(rd(&bytes, rsp, a.argv_ptr), a.arg_start);
    assert_eq!(rd(&bytes, rsp, a.envp_ptr), a.env_start);
    assert!(a.platform_addr < a.arg_start && a.random_addr + 16 == a.platform_addr);
    // The auxv ends below the random bytes.
    assert!(p <= a.random_addr);
    assert_eq!(&bytes[bytes.len() - 8..], &[0; 8]);
}

#[test]
fn stack_empty_argv_and_errors() {
    let top = 0x10_0000;
    let (bytes, rsp, a) = build_stack(top, &[], &[], &[], b"/p", [0; 16], b"x86_64").unwrap();
    assert_eq!(rd(&bytes, rsp, rsp), 1);
    let p0 = rd(&bytes, rsp, a.argv_ptr);
    assert_eq!(cstr(&bytes, rsp, p0), b"");
    assert_eq!(
        build_stack(top + 8, &[b"a"], &[], &[], b"/p", [0; 16], b""),
        Err(Errno::EINVAL)
    );

    let long = vec![b'x'; MAX_ARG_STRLEN - 1];
    let longer = vec![b'x'; MAX_ARG_STRLEN];
    let top = 0x7fff_ffff_f000;
    assert!(build_stack(top, &[&long], &[], &[], b"/p", [0; 16], b"").is_ok());
    assert_eq!(
        build_stack(top, &[&longer], &[], &[], b"/p", [0; 16], b""),
        Err(Errno::E2BIG)
    );
    assert_eq!(
        build_stack(top, &[b"a"], &[&longer], &[], b"/p", [0; 16], b""),
        Err(Errno::E2BIG)
    );
    assert_eq!(
        build_stack(top, &[b"a"], &[], &[], &longer, [0; 16], b""),
        Err(Errno::E2BIG)
    );
    let many: Vec<&[u8]> = (0..17).map(|_| &long[..]).collect();
    assert_eq!(
        build_stack(top, &many, &[], &[], b"/p", [0; 16], b""),
        Err(Errno::E2BIG)
    );
    let fifteen: Vec<&[u8]> = (0..15).map(|_| &long[..]).collect();
    assert!(build_stack(top, &fifteen, &[], &[], b"/p", [0; 16], b"").is_ok());
    // Too many pointers alone.
    let tiny: Vec<&[u8]> = (0..300_000).map(|_| &b""[..]).collect();
    assert_eq!(
        build_stack(top, &tiny, &[], &[], b"/p", [0; 16], b""),
        Err(Errno::E2BIG)
    );
    // Not enough address space below the top.
    assert_eq!(
        build_stack(0x20, &[b"abc"], &[], &[], b"/p", [0; 16], b""),
        Err(Errno::E2BIG)
    );
}

#[test]
fn stack_auxv_stops_at_at_null() {
    let (bytes, rsp, a) = build_stack(
        0x10_0000,
        &[b"a"],
        &[],
        &[(AT_PAGESZ, 4096), (AT_NULL, 0), (AT_ENTRY, 5)],
        b"/p",
        [0; 16],
        b"",
    )
    .unwrap();
    assert_eq!(rd(&bytes, rsp, a.auxv_ptr), AT_PAGESZ);
    assert_eq!(rd(&bytes, rsp, a.auxv_ptr + 16), AT_NULL);
}

// ---------------------------------------------------------------- shebang

fn sb(s: &[u8]) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    parse_shebang(s).unwrap()
}

fn pair(i: &[u8], a: Option<&[u8]>) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    Some((i.to_vec(), a.map(|a| a.to_vec())))
}

#[test]
fn shebang_basic() {
    assert_eq!(sb(b"\x7fELF"), None);
    assert_eq!(sb(b"#"), None);
    assert_eq!(sb(b""), None);
    assert_eq!(sb(b"#!/bin/sh\necho hi\n"), pair(b"/bin/sh", None));
    assert_eq!(sb(b"#! /bin/sh -e  \nrest"), pair(b"/bin/sh", Some(b"-e")));
    assert_eq!(
        sb(b"#!/usr/bin/env python3 -u\n"),
        pair(b"/usr/bin/env", Some(b"python3 -u"))
    );
    assert_eq!(sb(b"#!/bin/sh\t-x\t\n"), pair(b"/bin/sh", Some(b"-x")));
    assert_eq!(sb(b"#!/bin/sh \t \n"), pair(b"/bin/sh", None));
    assert_eq!(sb(b"#!/bin/sh"), pair(b"/bin/sh", None));
    assert_eq!(sb(b"#!/bin/sh -x"), pair(b"/bin/sh", Some(b"-x")));
    // CR is part of the name, as on Linux.
    assert_eq!(sb(b"#!/bin/sh\r\n"), pair(b"/bin/sh\r", None));
    // A NUL ends the interpreter and suppresses the argument.
    assert_eq!(sb(b"#!/bin\0sh -x\n"), pair(b"/bin", None));
    // Empty name: Linux goes on to fail the lookup of "".
    assert_eq!(sb(b"#!"), pair(b"", None));
    assert_eq!(parse_shebang(b"#!\n"), Err(Errno::ENOEXEC));
    assert_eq!(parse_shebang(b"#!   \t\n"), Err(Errno::ENOEXEC));
}

#[test]
fn shebang_long_lines() {
    // Interpreter path not terminated within 256 bytes: truncated -> ENOEXEC.
    let mut s = b"#!/".to_vec();
    s.extend(core::iter::repeat_n(b'a', 300));
    assert_eq!(parse_shebang(&s), Err(Errno::ENOEXEC));
    // All blanks.
    let mut s = b"#!".to_vec();
    s.extend(core::iter::repeat_n(b' ', 300));
    assert_eq!(parse_shebang(&s), Err(Errno::ENOEXEC));
    // Interpreter fits, the argument is truncated to the first 255 bytes.
    let mut s = b"#!/bin/sh ".to_vec();
    s.extend(core::iter::repeat_n(b'x', 300));
    s.push(b'\n');
    let (i, a) = sb(&s).unwrap();
    assert_eq!(i, b"/bin/sh");
    assert_eq!(a.unwrap(), vec![b'x'; 255 - 10]);
    // A newline exactly at byte 255 still counts.
    let mut s = b"#!/bin/sh ".to_vec();
    s.extend(core::iter::repeat_n(b'y', 245));
    s.push(b'\n');
    assert_eq!(s.len(), 256);
    let (_, a) = sb(&s).unwrap();
    assert_eq!(a.unwrap(), vec![b'y'; 245]);
}

#[test]
fn shebang_argv_splices() {
    let v = shebang_argv(b"/bin/sh", Some(b"-e"), b"/tmp/s", &[b"s", b"1", b"2"]);
    assert_eq!(
        v,
        vec![
            b"/bin/sh".to_vec(),
            b"-e".to_vec(),
            b"/tmp/s".to_vec(),
            b"1".to_vec(),
            b"2".to_vec()
        ]
    );
    let v = shebang_argv(b"/bin/sh", None, b"/tmp/s", &[]);
    assert_eq!(v, vec![b"/bin/sh".to_vec(), b"/tmp/s".to_vec()]);
}
