//! From the PVH entry to the first user process.
use crate::arch;
use crate::mm::phys;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use crate::cmdline::{get as cmdline, opt as cmdline_opt};

fn rd32(pa: u64) -> u32 {
    let b = phys::boot_slice(pa, 4);
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}
fn rd64(pa: u64) -> u64 {
    rd32(pa) as u64 | (rd32(pa + 4) as u64) << 32
}

// the symbol boot.S jumps to (the only `unsafe` here)
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
extern "C" fn kernel_entry(start_info: u64) -> ! {
    arch::serial::init();
    crate::wiring::install();
    arch::cpu::init(0);
    // the boot CPU holds the big kernel lock until its idle loop
    arch::smp::bkl_acquire();

    // hvm_start_info (all low memory, identity/direct mapped by boot.S)
    if rd32(start_info) != 0x336e_c578 {
        crate::kpanic("not booted through PVH");
    }
    let nr_modules = rd32(start_info + 12);
    let modlist = rd64(start_info + 16);
    let cmdline_pa = rd64(start_info + 24);
    let memmap_pa = rd64(start_info + 40);
    let memmap_n = rd32(start_info + 48);
    if rd32(start_info + 4) >= 1 {
        arch::smp::set_rsdp(rd64(start_info + 32));
    }

    let mut ram: Vec<(u64, u64)> = Vec::new();
    let mut ram_fixed = [(0u64, 0u64); 32];
    let mut nram = 0;
    for i in 0..memmap_n.min(32) as u64 {
        let e = memmap_pa + i * 24;
        let (addr, size, ty) = (rd64(e), rd64(e + 8), rd32(e + 16));
        if ty == 1 && nram < 32 {
            ram_fixed[nram] = (addr, addr + size);
            nram += 1;
        }
    }
    let ram_top = ram_fixed[..nram]
        .iter()
        .map(|r| r.1)
        .max()
        .unwrap_or(1 << 30);

    // final kernel page tables with the full direct map
    crate::mm::paging::init_kernel_tables(ram_top);

    let (initrd_pa, initrd_len) = if nr_modules > 0 {
        (rd64(modlist), rd64(modlist + 8))
    } else {
        (0, 0)
    };
    let kernel_end_pa = arch::kernel_end_pa();
    let initrd_end = initrd_pa + initrd_len;
    for &(s, e) in &ram_fixed[..nram] {
        let s = s.max(kernel_end_pa.max(0x100000));
        if e <= s {
            continue;
        }
        // carve out the initrd
        if initrd_len > 0 && initrd_pa < e && initrd_end > s {
            phys::add_ram(s, initrd_pa.max(s));
            phys::add_ram(initrd_end.min(e), e);
        } else {
            phys::add_ram(s, e);
        }
    }
    phys::init_frame_refs(ram_top);
    for r in &ram_fixed[..nram] {
        ram.push(*r);
    }

    // command line
    let mut cl = String::new();
    if cmdline_pa != 0 {
        let mut i = 0;
        while i < 4096 {
            let b = phys::boot_slice(cmdline_pa + i, 1)[0];
            if b == 0 {
                break;
            }
            cl.push(b as char);
            i += 1;
        }
    }
    crate::cmdline::set(cl);
    if cmdline().split_whitespace().any(|w| w == "quiet") {
        crate::log::LEVEL.store(4, Ordering::Relaxed);
    }
    if let Some(l) = cmdline_opt("loglevel").and_then(|v| v.parse::<u8>().ok()) {
        crate::log::LEVEL.store(l, Ordering::Relaxed);
    }
    kinfo!(
        "Rill booting: {} MiB RAM, cmdline: {}",
        phys::TOTAL_RAM.load(Ordering::Relaxed) >> 20,
        cmdline()
    );
    // before any task exists: fixes the FPU save area format and size
    arch::fpu::set_force_fxsave(cmdline_opt("rill.fpu") == Some("fxsave"));
    arch::fpu::init_cpu();

    crate::time::init();
    // Linux's `nosmp` / `maxcpus=N`
    let maxcpus = if cmdline().split_whitespace().any(|w| w == "nosmp") {
        1
    } else {
        cmdline_opt("maxcpus")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(arch::cpu::MAX_CPUS)
    };
    arch::smp::init_bsp_and_start_aps(maxcpus);
    rill_vfs::set_clock(|| {
        let ns = crate::time::realtime_ns();
        rill_vfs::Timespec {
            sec: ns.div_euclid(1_000_000_000),
            nsec: ns.rem_euclid(1_000_000_000),
        }
    });
    rill_vfs::set_random(crate::random::fill);
    crate::mm::pagecache::init();

    let root = crate::fs::init_root();
    if initrd_len > 0 {
        let data = phys::boot_slice(initrd_pa, initrd_len as usize);
        if let Err(e) = rill_vfs::cpio::unpack_newc(data, &root) {
            kwarn!("initramfs unpack failed: {:?}", e);
        }
        // the archive is no longer needed: give its pages to the heap
        phys::add_ram(initrd_pa, initrd_end);
    }
    // the console must exist for init's stdio, as in Linux's initramfs
    for d in ["dev", "proc", "sys", "tmp"] {
        let _ = root.create(d.as_bytes(), rill_vfs::FileType::Directory, 0o755, 0, 0, 0);
    }
    if let Ok(dev) = root.lookup(b"dev") {
        rill_vfs::populate_dev(&dev);
        crate::fs::procfs::populate_dev_extra(&dev);
    }
    crate::syscall::trace::init();
    if let Err(e) = crate::task::kthread::init(crate::fs::root_location()) {
        kwarn!("cannot create kthreadd: {:?}", e);
    }

    // `rill.noapic` (Linux: `noapic`): the 8259 delivers the ISA interrupts
    arch::irq::init(cmdline().split_whitespace().any(|w| w == "rill.noapic"));
    crate::selftest::run_boot();
    crate::wiring::register_interrupts();
    crate::selftest::check_routing();
    crate::drivers::init();
    crate::selftest::run_drivers();
    crate::net::init();
    let init = rdinit_path();
    kinfo!("starting {}", init);
    match crate::exec::spawn_init(&init) {
        Ok(t) => crate::task::sched::start_first(crate::selftest::before_init(t)),
        Err(e) => {
            kwarn!("cannot run init {}: {:?}", init, e);
            crate::kpanic("No working init found")
        }
    }
}

fn rdinit_path() -> String {
    if let Some(p) = cmdline_opt("rdinit") {
        if crate::fs::resolve_kernel(p.as_bytes()).is_ok() {
            return p.to_string();
        }
    }
    if let Some(p) = cmdline_opt("init") {
        return p.to_string();
    }
    for p in ["/init", "/sbin/init", "/etc/init", "/bin/init", "/bin/sh"] {
        if crate::fs::resolve_kernel(p.as_bytes()).is_ok() {
            return p.to_string();
        }
    }
    "/init".to_string()
}
