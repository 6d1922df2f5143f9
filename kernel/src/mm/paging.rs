//! 4-level page tables, accessed through the direct map.
//!
//! Invariant: a `PageTable` owns the user half (PML4 slots 0..256) of its
//! root, including all intermediate tables; the kernel half (256..512) is
//! shared by every root and never modified after boot.
use super::phys::*;
use rill_abi::KResult;

pub const PTE_P: u64 = 1;
pub const PTE_W: u64 = 2;
pub const PTE_U: u64 = 4;
pub const PTE_PWT: u64 = 8;
pub const PTE_PCD: u64 = 0x10;
pub const PTE_PS: u64 = 0x80;
pub const PTE_G: u64 = 0x100;
/// Software bit: page is shared copy-on-write.
pub const PTE_COW: u64 = 0x200;
/// Software bit: a `PROT_NONE` page. The present bit is clear (so every
/// access faults) but the frame is still owned by this entry.
pub const PTE_PROTNONE: u64 = 0x400;
/// The entry owns a frame (accessible or `PROT_NONE`).
pub const PTE_MAPPED: u64 = PTE_P | PTE_PROTNONE;
pub const PTE_NX: u64 = 1 << 63;
pub const ADDR_MASK: u64 = 0x000f_ffff_ffff_f000;

static KERNEL_ROOT: spin::Once<u64> = spin::Once::new();

/// Start of the kernel's device-memory window (PML4 slot 384, 512 GiB):
/// `mm::mmio` maps physical MMIO ranges here, uncached, 4 KiB at a time.
pub const MMIO_BASE: u64 = 0xffff_c000_0000_0000;
pub const MMIO_SIZE: u64 = 512 << 30;
const MMIO_SLOT: usize = 384;

/// The boot page-table pages, in the kernel image (reached through its
/// mapping): [0] = PML4, [1] = direct-map PDPT, [2] = the MMIO window's PDPT,
/// the rest = direct-map PDs (without 1 GiB pages).
#[repr(C, align(4096))]
struct Pools([[u64; 512]; 19]);
static mut PT_POOLS: Pools = Pools([[0; 512]; 19]);
static POOLS_TAKEN: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

fn entry(table_pa: u64, idx: usize) -> *mut u64 {
    (phys_to_virt(table_pa) + (idx as u64 & 511) * 8) as *mut u64
}
fn read(table_pa: u64, idx: usize) -> u64 {
    // SAFETY: table_pa is a page-table frame in the direct map.
    unsafe { entry(table_pa, idx).read_volatile() }
}
fn write(table_pa: u64, idx: usize, v: u64) {
    // SAFETY: as `read`; callers keep the table structure consistent.
    unsafe { entry(table_pa, idx).write_volatile(v) }
}

/// Build the kernel's own root: direct map of [0, max(ram_top, 4 GiB)), the
/// (empty) MMIO window and the kernel image mapping taken over from the boot
/// tables. Once, on the boot CPU, before anything else uses page tables.
pub fn init_kernel_tables(ram_top: u64) -> u64 {
    if POOLS_TAKEN.swap(true, core::sync::atomic::Ordering::AcqRel) {
        return kernel_root();
    }
    // SAFETY: PT_POOLS is borrowed here only, once (POOLS_TAKEN), and from
    // then on reached only through the page tables it becomes.
    let pools = unsafe { &mut (*core::ptr::addr_of_mut!(PT_POOLS)).0 };
    let kimg_to_phys = |p: *const [u64; 512]| p as u64 - 0xffff_ffff_8000_0000;
    let boot_root = super::super::arch::cpu::read_cr3() & ADDR_MASK;
    let top = ram_top.clamp(4 << 30, 512 << 30);
    let gb_pages = crate::arch::cpu::has_1g_pages();
    let (pml4s, rest) = pools.split_at_mut(1);
    let (pdpts, rest) = rest.split_at_mut(1);
    let (mmio_pdpts, pds) = rest.split_at_mut(1);
    let pml4 = &mut pml4s[0];
    let pdpt = &mut pdpts[0];
    pml4.fill(0);
    pdpt.fill(0);
    mmio_pdpts[0].fill(0);
    let mut gb = 0u64;
    let mut pd_i = 0;
    while gb * (1 << 30) < top {
        let base = gb << 30;
        let cache = if (3 << 30..4 << 30).contains(&base) {
            PTE_PCD | PTE_PWT
        } else {
            0
        };
        if gb_pages {
            pdpt[gb as usize] = base | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX | cache;
        } else if let Some(pd) = pds.get_mut(pd_i) {
            for (i, e) in pd.iter_mut().enumerate() {
                *e = (base + ((i as u64) << 21)) | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX | cache;
            }
            pdpt[gb as usize] = kimg_to_phys(pd) | PTE_P | PTE_W;
            pd_i += 1;
        } else {
            break;
        }
        gb += 1;
    }
    pml4[256] = kimg_to_phys(pdpt) | PTE_P | PTE_W;
    // present from the start, so every user root copies it and later
    // mappings below it are seen by all of them
    pml4[MMIO_SLOT] = kimg_to_phys(&mmio_pdpts[0]) | PTE_P | PTE_W;
    pml4[511] = read(boot_root, 511);
    let root = kimg_to_phys(pml4);
    crate::arch::cpu::write_cr3(root);
    KERNEL_ROOT.call_once(|| root);
    root
}

pub struct PageTable {
    pub root: u64,
}

impl PageTable {
    pub fn new_user() -> KResult<Self> {
        let root = frame_alloc()?;
        let k = *KERNEL_ROOT.get().unwrap_or(&0);
        if k != 0 {
            for i in 256..512 {
                write(root, i, read(k, i));
            }
        }
        Ok(PageTable { root })
    }

    /// The leaf entry for `va`, if the tables down to it exist.
    fn leaf(&self, va: u64, create: bool) -> KResult<Option<(u64, usize)>> {
        let mut table = self.root;
        for level in (1..4).rev() {
            let idx = ((va >> (12 + 9 * level)) & 511) as usize;
            let e = read(table, idx);
            if e & PTE_P == 0 {
                if !create {
                    return Ok(None);
                }
                let t = frame_alloc()?;
                write(table, idx, t | PTE_P | PTE_W | PTE_U);
                table = t;
            } else {
                table = e & ADDR_MASK;
            }
        }
        Ok(Some((table, ((va >> 12) & 511) as usize)))
    }

    pub fn get(&self, va: u64) -> u64 {
        match self.leaf(va, false) {
            Ok(Some((t, i))) => read(t, i),
            _ => 0,
        }
    }

    /// Install a PTE (overwriting; the caller handled the old frame).
    pub fn set(&mut self, va: u64, pte: u64) -> KResult<()> {
        if let Some((t, i)) = self.leaf(va, true)? {
            write(t, i, pte);
        }
        Ok(())
    }

    /// Clear the PTE for `va`, returning the old one (0 if none).
    pub fn clear(&mut self, va: u64) -> u64 {
        match self.leaf(va, false) {
            Ok(Some((t, i))) => {
                let old = read(t, i);
                write(t, i, 0);
                old
            }
            _ => 0,
        }
    }

    /// Visit every present (or `PROT_NONE`) user leaf in [start, end): f(va, pte) -> new pte.
    pub fn for_each_present(&mut self, start: u64, end: u64, mut f: impl FnMut(u64, u64) -> u64) {
        let mut va = start & !0xfff;
        while va < end {
            // skip absent upper-level tables quickly
            let mut table = self.root;
            let mut skip = 0u64;
            for level in (1..4).rev() {
                let idx = ((va >> (12 + 9 * level)) & 511) as usize;
                let e = read(table, idx);
                if e & PTE_P == 0 {
                    skip = 1u64 << (12 + 9 * level);
                    break;
                }
                table = e & ADDR_MASK;
            }
            if skip != 0 {
                va = (va & !(skip - 1)) + skip;
                continue;
            }
            let i = ((va >> 12) & 511) as usize;
            let e = read(table, i);
            if e & PTE_MAPPED != 0 {
                let n = f(va, e);
                if n != e {
                    write(table, i, n);
                }
            }
            va += 4096;
        }
    }

    /// Free all user-half tables, dropping one reference of every mapped frame.
    pub fn destroy_user(&mut self) {
        fn walk(table: u64, level: u32) {
            for i in 0..512 {
                let e = read(table, i);
                if e & PTE_P == 0 && !(level == 0 && e & PTE_PROTNONE != 0) {
                    continue;
                }
                let pa = e & ADDR_MASK;
                if level == 0 {
                    frame_unref(pa);
                } else {
                    walk(pa, level - 1);
                    frame_unref(pa);
                }
                write(table, i, 0);
            }
        }
        for i in 0..256 {
            let e = read(self.root, i);
            if e & PTE_P != 0 {
                walk(e & ADDR_MASK, 2);
                frame_unref(e & ADDR_MASK);
                write(self.root, i, 0);
            }
        }
    }
}

impl Drop for PageTable {
    fn drop(&mut self) {
        self.destroy_user();
        frame_unref(self.root);
    }
}

/// Map the 4 KiB page at `va` (in the MMIO window) to the device memory at
/// physical `pa`: uncached (PCD|PWT = UC with the default PAT), no execute,
/// kernel only. The window's PDPT is shared by every root, so the mapping
/// is visible in every address space at once. An already mapped page is
/// left alone (`EEXIST`): mappings are never changed, so no CPU can hold a
/// stale translation for the window.
pub fn map_device_page(va: u64, pa: u64) -> KResult<()> {
    if !(MMIO_BASE..MMIO_BASE + MMIO_SIZE).contains(&va) || va & 0xfff != 0 || pa & !ADDR_MASK != 0
    {
        return Err(rill_abi::Errno::EINVAL);
    }
    let mut table = read(kernel_root(), MMIO_SLOT) & ADDR_MASK;
    if table == 0 {
        return Err(rill_abi::Errno::ENODEV);
    }
    for level in (1..3).rev() {
        let idx = ((va >> (12 + 9 * level)) & 511) as usize;
        let e = read(table, idx);
        table = if e & PTE_P == 0 {
            let t = frame_alloc()?;
            write(table, idx, t | PTE_P | PTE_W);
            t
        } else {
            e & ADDR_MASK
        };
    }
    let idx = ((va >> 12) & 511) as usize;
    if read(table, idx) & PTE_P != 0 {
        return Err(rill_abi::Errno::EEXIST);
    }
    write(
        table,
        idx,
        pa | PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_G | PTE_NX,
    );
    Ok(())
}

/// The leaf entry that maps kernel address `va` in the kernel root and the
/// size of the page it maps (1 GiB, 2 MiB or 4 KiB); (0, 0) if unmapped.
pub fn kernel_pte(va: u64) -> (u64, u64) {
    let mut table = kernel_root();
    for level in (1..4).rev() {
        let e = read(table, ((va >> (12 + 9 * level)) & 511) as usize);
        if e & PTE_P == 0 {
            return (0, 0);
        }
        if level < 3 && e & PTE_PS != 0 {
            return (e, 1 << (12 + 9 * level));
        }
        table = e & ADDR_MASK;
    }
    match read(table, ((va >> 12) & 511) as usize) {
        e if e & PTE_P != 0 => (e, 4096),
        _ => (0, 0),
    }
}

/// The kernel-only root (for processes that released their address space).
pub fn kernel_root() -> u64 {
    *KERNEL_ROOT.get().unwrap_or(&0)
}
