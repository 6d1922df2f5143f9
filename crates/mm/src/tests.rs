use super::*;
use alloc::vec;

const BASE: u64 = 0x7fff_f7ff_f000;
const TOP: u64 = 0x7fff_ffff_f000;
const P: u64 = PAGE_SIZE;
const RW: u32 = PROT_READ | PROT_WRITE;
const RX: u32 = PROT_READ | PROT_EXEC;

fn new_map() -> VmaMap<u32> {
    VmaMap::new(BASE, 0x10000, TOP)
}

fn file_map() -> VmaMap<u32> {
    let mut m = new_map();
    m.set_file_eq(|a, b| a == b);
    m
}

/// (start, end, prot, file offset or None for anon)
fn layout(m: &VmaMap<u32>) -> Vec<(u64, u64, u32, Option<u64>)> {
    m.iter()
        .map(|v| {
            let off = match v.backing {
                Backing::File { offset, .. } => Some(offset),
                Backing::Anon => None,
            };
            (v.start, v.end, v.prot, off)
        })
        .collect()
}

#[test]
fn align_helpers() {
    assert_eq!(page_align_up(0), Some(0));
    assert_eq!(page_align_up(1), Some(P));
    assert_eq!(page_align_up(P), Some(P));
    assert_eq!(page_align_up(u64::MAX), None);
    assert_eq!(page_align_down(P + 5), P);
}

#[test]
fn map_find_and_validation() {
    let mut m = new_map();
    assert_eq!(m.map(Vma::anon(0x400000, 0x402000, RW, 0)), Ok(vec![]));
    assert_eq!(m.find(0x400000).map(|v| v.start), Some(0x400000));
    assert_eq!(m.find(0x401fff).map(|v| v.end), Some(0x402000));
    assert!(m.find(0x402000).is_none());
    assert!(m.find(0x3fffff).is_none());
    assert_eq!(
        m.map(Vma::anon(0x400000, 0x400000, RW, 0)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        m.map(Vma::anon(0x400010, 0x402000, RW, 0)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        m.map(Vma::file(0x500000, 0x501000, RW, 0, 1, 12)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        m.map(Vma::anon(TOP - P, TOP + P, RW, 0)),
        Err(Errno::ENOMEM)
    );
    assert_eq!(m.map(Vma::anon(0x1000, 0x2000, RW, 0)), Err(Errno::EPERM));
    assert!(m.is_range_mapped(0x400000, 0x2000));
    assert!(!m.is_range_mapped(0x400000, 0x2001));
    assert!(m.is_range_mapped(0x500000, 0));
    assert!(!m.is_range_mapped(u64::MAX, 2));
}

#[test]
fn fixed_overlay_across_several_vmas() {
    let mut m = new_map();
    m.map(Vma::file(0x10_0000, 0x10_4000, RX, 0, 7, 0)).unwrap();
    m.map(Vma::anon(0x10_5000, 0x10_6000, PROT_READ, 0))
        .unwrap();
    m.map(Vma::file(0x10_6000, 0x10_9000, RW, 0, 8, 0x3000))
        .unwrap();
    // Overlay [0x102000, 0x107000): tail of the first, all of the second,
    // head of the third.
    let un = m
        .map(Vma::anon(0x10_2000, 0x10_7000, PROT_NONE, 0))
        .unwrap();
    assert_eq!(
        un,
        vec![
            (0x10_2000, 0x10_4000),
            (0x10_5000, 0x10_6000),
            (0x10_6000, 0x10_7000)
        ]
    );
    assert_eq!(
        layout(&m),
        vec![
            (0x10_0000, 0x10_2000, RX, Some(0)),
            (0x10_2000, 0x10_7000, PROT_NONE, None),
            (0x10_7000, 0x10_9000, RW, Some(0x4000)),
        ]
    );
    // Overlaying the middle of one VMA splits it in three.
    let un = m
        .map(Vma::file(0x10_0000 + P, 0x10_0000 + 2 * P, RW, 0, 9, 0))
        .unwrap();
    assert_eq!(un, vec![(0x10_1000, 0x10_2000)]);
    assert_eq!(m.find(0x10_0000).unwrap().end, 0x10_1000);
}

#[test]
fn partial_unmap_in_the_middle_keeps_offsets() {
    let mut m = new_map();
    m.map(Vma::file(0x20_0000, 0x20_8000, RW, 0, 3, 0x1_0000))
        .unwrap();
    assert_eq!(m.unmap(0x20_2000, 0x2000), Ok(vec![(0x20_2000, 0x20_4000)]));
    assert_eq!(
        layout(&m),
        vec![
            (0x20_0000, 0x20_2000, RW, Some(0x1_0000)),
            (0x20_4000, 0x20_8000, RW, Some(0x1_4000)),
        ]
    );
    assert_eq!(
        m.find(0x20_5000).unwrap().file_offset(0x20_5123),
        Some(0x1_5123)
    );
    // Unmapping a range with holes only reports what was there; len rounds up.
    assert_eq!(
        m.unmap(0x20_1000, 0x4001),
        Ok(vec![(0x20_1000, 0x20_2000), (0x20_4000, 0x20_6000)])
    );
    assert_eq!(m.unmap(0x30_0000, P), Ok(vec![]));
    assert_eq!(m.unmap(0x20_0001, P), Err(Errno::EINVAL));
    assert_eq!(m.unmap(0x20_0000, 0), Err(Errno::EINVAL));
    assert_eq!(m.unmap(0x20_0000, u64::MAX), Err(Errno::EINVAL));
    assert_eq!(m.unmap(TOP - P, 2 * P), Err(Errno::EINVAL));
    assert_eq!(layout(&m).len(), 2);
}

#[test]
fn protect_splits_and_merges_back() {
    let mut m = new_map();
    m.map(Vma::anon(0x40_0000, 0x40_8000, RW, 0)).unwrap();
    m.protect(0x40_2000, 0x2000, PROT_READ).unwrap();
    assert_eq!(
        layout(&m),
        vec![
            (0x40_0000, 0x40_2000, RW, None),
            (0x40_2000, 0x40_4000, PROT_READ, None),
            (0x40_4000, 0x40_8000, RW, None),
        ]
    );
    m.protect(0x40_2000, 0x1fff, RW).unwrap(); // len rounds up
    assert_eq!(layout(&m), vec![(0x40_0000, 0x40_8000, RW, None)]);
    // Adjacent anonymous mappings with equal attributes merge on map too.
    m.map(Vma::anon(0x40_8000, 0x40_9000, RW, 0)).unwrap();
    assert_eq!(layout(&m), vec![(0x40_0000, 0x40_9000, RW, None)]);
    // ...but not when flags differ, nor shared anonymous ones.
    m.map(Vma::anon(0x40_9000, 0x40_a000, RW, VM_STACK))
        .unwrap();
    m.map(Vma::anon(0x50_0000, 0x50_1000, RW, VM_SHARED))
        .unwrap();
    m.map(Vma::anon(0x50_1000, 0x50_2000, RW, VM_SHARED))
        .unwrap();
    assert_eq!(layout(&m).len(), 4);
    // Zero length succeeds, unaligned start and bad prot are EINVAL.
    assert_eq!(m.protect(0x40_0000, 0, PROT_NONE), Ok(()));
    assert_eq!(m.protect(0x40_0001, P, PROT_NONE), Err(Errno::EINVAL));
    assert_eq!(m.protect(0x40_0000, P, 0x10), Err(Errno::EINVAL));
    assert_eq!(m.protect(0x40_0000, P, PROT_READ | PROT_SEM), Ok(()));
    assert_eq!(m.find(0x40_0000).unwrap().prot, PROT_READ);
}

#[test]
fn protect_on_holes_is_enomem() {
    let mut m = new_map();
    m.map(Vma::anon(0x40_0000, 0x40_2000, RW, 0)).unwrap();
    m.map(Vma::anon(0x40_3000, 0x40_5000, RW, 0)).unwrap();
    // Start in a hole: nothing changes.
    assert_eq!(m.protect(0x3f_f000, 0x2000, PROT_READ), Err(Errno::ENOMEM));
    assert_eq!(m.find(0x40_0000).unwrap().prot, RW);
    // A hole in the middle: ENOMEM; as on Linux the part before it changed.
    assert_eq!(m.protect(0x40_1000, 0x3000, PROT_READ), Err(Errno::ENOMEM));
    assert_eq!(
        layout(&m),
        vec![
            (0x40_0000, 0x40_1000, RW, None),
            (0x40_1000, 0x40_2000, PROT_READ, None),
            (0x40_3000, 0x40_5000, RW, None),
        ]
    );
    // Wrapping range.
    assert_eq!(
        m.protect(0x40_0000, u64::MAX - 0x10_0000, PROT_READ),
        Err(Errno::ENOMEM)
    );
    // Entirely unmapped.
    assert_eq!(m.protect(0x60_0000, P, PROT_READ), Err(Errno::ENOMEM));
}

#[test]
fn protect_respects_may_bits() {
    let mut m = file_map();
    m.map(Vma::file(
        0x40_0000,
        0x40_2000,
        PROT_READ,
        VM_SHARED | VM_NOMAYWRITE,
        1,
        0,
    ))
    .unwrap();
    assert_eq!(m.protect(0x40_0000, P, RW), Err(Errno::EACCES));
    assert_eq!(m.protect(0x40_0000, P, RX), Ok(()));
    assert_eq!(m.protect(0x40_0000, P, PROT_READ), Ok(()));
    // Same file, contiguous offsets: merged back.
    assert_eq!(layout(&m), vec![(0x40_0000, 0x40_2000, PROT_READ, Some(0))]);
}

#[test]
fn file_mappings_merge_only_when_contiguous_in_the_same_file() {
    let mut m = file_map();
    m.map(Vma::file(0x40_0000, 0x40_1000, PROT_READ, 0, 1, 0))
        .unwrap();
    m.map(Vma::file(0x40_1000, 0x40_2000, PROT_READ, 0, 1, 0x1000))
        .unwrap();
    m.map(Vma::file(0x40_2000, 0x40_3000, PROT_READ, 0, 1, 0x5000))
        .unwrap();
    m.map(Vma::file(0x40_3000, 0x40_4000, PROT_READ, 0, 2, 0x6000))
        .unwrap();
    assert_eq!(
        layout(&m),
        vec![
            (0x40_0000, 0x40_2000, PROT_READ, Some(0)),
            (0x40_2000, 0x40_3000, PROT_READ, Some(0x5000)),
            (0x40_3000, 0x40_4000, PROT_READ, Some(0x6000)),
        ]
    );
    // Without a file comparison nothing file-backed merges.
    let mut n = new_map();
    n.map(Vma::file(0x40_0000, 0x40_1000, PROT_READ, 0, 1, 0))
        .unwrap();
    n.map(Vma::file(0x40_1000, 0x40_2000, PROT_READ, 0, 1, 0x1000))
        .unwrap();
    assert_eq!(n.len(), 2);
}

#[test]
fn find_free_top_down() {
    let mut m = new_map();
    assert_eq!(m.find_free(0x3000, None), Ok(BASE - 0x3000));
    assert_eq!(m.find_free(1, None), Ok(BASE - P));
    assert_eq!(m.find_free(0, None), Err(Errno::EINVAL));
    assert_eq!(m.find_free(u64::MAX, None), Err(Errno::ENOMEM));
    m.map(Vma::anon(BASE - 0x3000, BASE, RW, 0)).unwrap();
    m.map(Vma::anon(BASE - 0x8000, BASE - 0x5000, RW, 0))
        .unwrap();
    // A 2-page gap at [BASE-0x5000, BASE-0x3000).
    assert_eq!(m.find_free(0x2000, None), Ok(BASE - 0x5000));
    assert_eq!(m.find_free(0x3000, None), Ok(BASE - 0xb000));
    // Hints: free and valid -> used (rounded up to a page).
    assert_eq!(m.find_free(0x2000, Some(0x1234_5000)), Ok(0x1234_5000));
    assert_eq!(m.find_free(0x2000, Some(0x1234_4001)), Ok(0x1234_5000));
    // Occupied, below min_addr or too high -> top-down.
    assert_eq!(m.find_free(0x2000, Some(BASE - 0x4000)), Ok(BASE - 0x5000));
    assert_eq!(m.find_free(0x2000, Some(0x1000)), Ok(BASE - 0x5000));
    assert_eq!(m.find_free(0x2000, Some(TOP - P)), Ok(BASE - 0x5000));
    // A hint above mmap_base is fine if free.
    assert_eq!(
        m.find_free(0x2000, Some(TOP - 0x10_0000)),
        Ok(TOP - 0x10_0000)
    );
}

#[test]
fn find_free_keeps_stack_guard_gap() {
    let mut m = new_map();
    // A growsdown stack right above mmap_base would eat the guard gap.
    m.map(Vma::anon(BASE + P, BASE + 3 * P, RW, VM_GROWSDOWN))
        .unwrap();
    assert_eq!(m.find_free(P, None), Ok(BASE + P - STACK_GUARD_GAP - P));
    // A hint ending inside the guard gap is refused.
    assert_eq!(
        m.find_free(P, Some(BASE)),
        Ok(BASE + P - STACK_GUARD_GAP - P)
    );
    assert_eq!(
        m.find_free(P, Some(BASE + P - STACK_GUARD_GAP - 3 * P)),
        Ok(BASE + P - STACK_GUARD_GAP - 3 * P)
    );
}

#[test]
fn find_free_falls_back_and_runs_out() {
    // A tiny address space: [0x10000, 0x100000), mmap_base 0x80000.
    let mut m: VmaMap<u32> = VmaMap::new(0x80000, 0x10000, 0x100000);
    m.map(Vma::anon(0x10000, 0x80000, RW, 0)).unwrap();
    // Nothing below mmap_base: bottom-up from max/3 (0x55555 -> 0x56000),
    // which is mapped up to 0x80000.
    assert_eq!(m.find_free(0x1000, None), Ok(0x80000));
    m.map(Vma::anon(0x80000, 0xff000, RW, 0)).unwrap();
    assert_eq!(m.find_free(0x1000, None), Ok(0xff000));
    assert_eq!(m.find_free(0x2000, None), Err(Errno::ENOMEM));
}

#[test]
fn remap_shrink_grow_move() {
    let mut m = file_map();
    m.map(Vma::file(0x40_0000, 0x40_4000, RW, 0, 5, 0x2000))
        .unwrap();
    // Shrink in place.
    let r = m.remap(0x40_0000, 0x4000, 0x3000, false, None).unwrap();
    assert_eq!(
        r,
        RemapResult {
            old_addr: 0x40_0000,
            new_addr: 0x40_0000,
            moved: None,
            unmapped: vec![(0x40_3000, 0x40_4000)]
        }
    );
    // Grow in place (following range free).
    let r = m.remap(0x40_0000, 0x3000, 0x6000, false, None).unwrap();
    assert_eq!(r.new_addr, 0x40_0000);
    assert_eq!(r.moved, None);
    assert_eq!(layout(&m), vec![(0x40_0000, 0x40_6000, RW, Some(0x2000))]);
    // Block growth with a neighbour.
    m.map(Vma::anon(0x40_6000, 0x40_7000, PROT_READ, 0))
        .unwrap();
    assert_eq!(
        m.remap(0x40_0000, 0x6000, 0x8000, false, None),
        Err(Errno::ENOMEM)
    );
    // Move: goes top-down, keeps backing and offsets.
    let r = m.remap(0x40_0000, 0x6000, 0x8000, true, None).unwrap();
    assert_eq!(r.new_addr, BASE - 0x8000);
    assert_eq!(
        r.moved,
        Some(PageMove {
            from: 0x40_0000,
            to: BASE - 0x8000,
            len: 0x6000
        })
    );
    assert!(r.unmapped.is_empty());
    assert!(m.find(0x40_0000).is_none());
    assert_eq!(
        layout(&m),
        vec![
            (0x40_6000, 0x40_7000, PROT_READ, None),
            (BASE - 0x8000, BASE, RW, Some(0x2000)),
        ]
    );
}

#[test]
fn remap_part_of_a_vma_and_errors() {
    let mut m = new_map();
    m.map(Vma::file(0x40_0000, 0x40_8000, RW, 0, 5, 0)).unwrap();
    m.map(Vma::anon(0x40_8000, 0x40_9000, PROT_READ, 0))
        .unwrap();
    // Moving the middle of a VMA splits it and carries the file offset.
    let r = m.remap(0x40_2000, 0x2000, 0x3000, true, None).unwrap();
    assert_eq!(r.new_addr, BASE - 0x3000);
    assert_eq!(
        layout(&m),
        vec![
            (0x40_0000, 0x40_2000, RW, Some(0)),
            (0x40_4000, 0x40_8000, RW, Some(0x4000)),
            (0x40_8000, 0x40_9000, PROT_READ, None),
            (BASE - 0x3000, BASE, RW, Some(0x2000)),
        ]
    );
    // Growing a prefix of a VMA cannot happen in place.
    assert_eq!(
        m.remap(0x40_4000, 0x1000, 0x2000, false, None),
        Err(Errno::ENOMEM)
    );
    // Errors.
    assert_eq!(m.remap(0x50_0000, P, 2 * P, true, None), Err(Errno::EFAULT));
    assert_eq!(
        m.remap(0x40_7000, 0x2000, 0x3000, true, None),
        Err(Errno::EFAULT)
    );
    assert_eq!(m.remap(0x40_0001, P, 2 * P, true, None), Err(Errno::EINVAL));
    assert_eq!(m.remap(0x40_0000, P, 0, true, None), Err(Errno::EINVAL));
    assert_eq!(m.remap(0x40_0000, 0, P, true, None), Err(Errno::EINVAL));
    assert_eq!(
        m.remap(0x40_0000, P, P, false, Some(0x60_0000)),
        Err(Errno::EINVAL)
    );
    // Shrinking across a hole is allowed (Linux munmaps the tail).
    let r = m.remap(0x40_0000, 0x5000, 0x1000, false, None).unwrap();
    assert_eq!(
        r.unmapped,
        vec![(0x40_1000, 0x40_2000), (0x40_4000, 0x40_5000)]
    );
}

#[test]
fn remap_fixed_and_dontexpand() {
    let mut m = new_map();
    m.map(Vma::anon(0x40_0000, 0x40_4000, RW, 0)).unwrap();
    m.map(Vma::anon(0x60_0000, 0x60_2000, PROT_READ, 0))
        .unwrap();
    // Overlapping source and destination.
    assert_eq!(
        m.remap(0x40_0000, 0x4000, 0x4000, true, Some(0x40_2000)),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        m.remap(0x40_0000, 0x4000, 0x4000, true, Some(0x60_0001)),
        Err(Errno::EINVAL)
    );
    // Fixed move onto an existing mapping, shrinking at the same time.
    let r = m
        .remap(0x40_0000, 0x4000, 0x3000, true, Some(0x60_1000))
        .unwrap();
    assert_eq!(r.new_addr, 0x60_1000);
    assert_eq!(
        r.moved,
        Some(PageMove {
            from: 0x40_0000,
            to: 0x60_1000,
            len: 0x3000
        })
    );
    assert_eq!(
        r.unmapped,
        vec![(0x60_1000, 0x60_2000), (0x40_3000, 0x40_4000)]
    );
    assert_eq!(
        layout(&m),
        vec![
            (0x60_0000, 0x60_1000, PROT_READ, None),
            (0x60_1000, 0x60_4000, RW, None)
        ]
    );
    // vdso-like areas cannot grow.
    m.map(Vma::anon(0x70_0000, 0x70_2000, RX, VM_DONTEXPAND))
        .unwrap();
    assert_eq!(
        m.remap(0x70_0000, 0x2000, 0x3000, true, None),
        Err(Errno::EFAULT)
    );
    assert_eq!(
        m.remap(0x70_0000, 0x2000, 0x1000, true, None)
            .map(|r| r.new_addr),
        Ok(0x70_0000)
    );
}

#[test]
fn brk_semantics() {
    let mut m = new_map();
    m.map(Vma::anon(0x40_0000, 0x40_5000, RW, 0)).unwrap();
    let mut b = Brk::new(0x40_5000);
    assert_eq!(b.set(0, &mut m).brk, 0x40_5000);
    assert_eq!(b.set(0x40_4fff, &mut m).brk, 0x40_5000);
    // Grow within the same page: no mapping needed.
    assert_eq!(b.set(0x40_5000, &mut m).brk, 0x40_5000);
    // Grow: anonymous RW pages (merged with the bss before it here).
    let r = b.set(0x40_7123, &mut m);
    assert_eq!(r.brk, 0x40_7123);
    assert_eq!(b.current(), 0x40_7123);
    assert!(m.is_range_mapped(0x40_5000, 0x3000));
    assert!(!m.is_range_mapped(0x40_8000, 1));
    assert_eq!(m.find(0x40_7000).unwrap().prot, RW);
    // Shrink: frees whole pages above the new break.
    let r = b.set(0x40_5800, &mut m);
    assert_eq!(r.brk, 0x40_5800);
    assert_eq!(r.unmapped, vec![(0x40_6000, 0x40_8000)]);
    assert!(m.is_range_mapped(0x40_5000, 0x1000));
    assert!(!m.is_range_mapped(0x40_6000, 1));
    // Growth must leave a page before the next mapping.
    m.map(Vma::anon(0x41_0000, 0x41_1000, PROT_READ, 0))
        .unwrap();
    assert_eq!(b.set(0x41_0000, &mut m).brk, 0x40_5800);
    assert_eq!(b.set(0x40_f001, &mut m).brk, 0x40_5800);
    assert_eq!(b.set(0x40_f000, &mut m).brk, 0x40_f000);
    assert_eq!(b.set(u64::MAX, &mut m).brk, 0x40_f000);
    assert_eq!(b.start(), 0x40_5000);
}

#[test]
fn maps_lines() {
    let v: Vma<u32> = Vma::file(0x5555_5555_4000, 0x5555_5555_6000, RX, 0, 1, 0x2000);
    let line = format_maps_line(&v, 8, 1, 1234, "/bin/x");
    assert_eq!(
        line,
        "555555554000-555555556000 r-xp 00002000 08:01 1234                       /bin/x"
    );
    assert_eq!(line.find("/bin/x"), Some(73));
    let a: Vma<u32> = Vma::anon(0x7fff_fffd_e000, 0x7fff_ffff_f000, RW, VM_GROWSDOWN);
    assert_eq!(
        format_maps_line(&a, 0, 0, 0, ""),
        "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 "
    );
    let s: Vma<u32> = Vma::anon(0x1000, 0x2000, PROT_NONE, VM_SHARED);
    assert_eq!(
        format_maps_line(&s, 0, 0, 0, "[heap]"),
        format!(
            "00001000-00002000 ---s 00000000 00:00 0{}[heap]",
            " ".repeat(34)
        )
    );
}

#[test]
fn fork_copy_and_clear() {
    let mut m = new_map();
    m.map(Vma::anon(0x40_0000, 0x40_1000, RW, 0)).unwrap();
    m.map(Vma::anon(0x50_0000, 0x50_1000, RW, VM_DONTFORK))
        .unwrap();
    let c = m.clone_for_fork();
    assert_eq!(c.len(), 1);
    assert_eq!(m.len(), 2);
    m.clear();
    assert!(m.is_empty());
    assert!(c.find(0x40_0000).is_some());
}
