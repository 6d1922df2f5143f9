//! /proc, /sys and the devtmpfs view of /dev, built from rill-vfs's
//! generated-node building blocks.
use crate::task::process::{self, ChildEvent, Process};
use crate::task::{current, uts, State};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::Ordering;
use rill_abi::Errno;
use rill_abi::KResult;
use rill_vfs::mount::{magic, FsType, MountOpt, MountRequest, SimpleFs, StatFs};
use rill_vfs::proc::{ProcDir, ProcFile, ProcSymlink, StaticDir};
use rill_vfs::{DirEntry, FileType, Inode};
use rill_vfs::{Registry, SuperBlock};

static PROC: spin::Once<Arc<dyn Inode>> = spin::Once::new();
static SYS: spin::Once<Arc<SuperBlock>> = spin::Once::new();
static DEV: spin::Once<Arc<SuperBlock>> = spin::Once::new();

/// A proc instance: as on Linux, each mount of proc is a super block of its own
/// (with its own flags), all showing the one pid namespace's tree.
fn proc_sb(flags: u32) -> Arc<SuperBlock> {
    let root = PROC.call_once(build_proc).clone();
    SuperBlock::new("proc", Arc::new(SimpleFs::new(root, magic::PROC)), flags)
}
/// The one sysfs instance.
fn sys_sb() -> Arc<SuperBlock> {
    SYS.call_once(|| {
        let fs = SimpleFs::new(build_sys(), magic::SYSFS);
        SuperBlock::new("sysfs", Arc::new(fs), 0)
    })
    .clone()
}
/// devtmpfs: one tmpfs of device nodes, mounted wherever devtmpfs is mounted
/// (Linux's is a tmpfs too: it reports TMPFS_MAGIC and tmpfs options).
fn dev_sb() -> Arc<SuperBlock> {
    DEV.call_once(|| {
        let t = rill_vfs::tmpfs::TmpFs::new();
        let r = t.root();
        rill_vfs::populate_dev(&r);
        populate_dev_extra(&r);
        let opts = rill_vfs::mount::TmpfsOptions {
            mode: Some(0o755),
            ..Default::default()
        };
        let fs = rill_vfs::mount::TmpfsSb::with_options(t, opts);
        SuperBlock::new("devtmpfs", Arc::new(fs), 0)
    })
    .clone()
}

fn proc_mount(r: &MountRequest) -> KResult<Arc<SuperBlock>> {
    // hidepid=, gid= and subset= are not implemented: refused rather than
    // accepted and ignored.
    if !r.options.is_empty() {
        return Err(Errno::EINVAL);
    }
    Ok(proc_sb(r.sb_flags))
}
fn sysfs_mount(r: &MountRequest) -> KResult<Arc<SuperBlock>> {
    if !r.options.is_empty() {
        return Err(Errno::EINVAL);
    }
    Ok(sys_sb())
}
fn devtmpfs_mount(r: &MountRequest) -> KResult<Arc<SuperBlock>> {
    let sb = dev_sb();
    if !r.options.is_empty() {
        sb.fs.reconfigure(r.options)?;
    }
    Ok(sb)
}

/// devpts without pseudo-terminals (Rill has none yet): an empty directory with
/// devpts's magic that takes and shows devpts's options.
struct Devpts {
    root: Arc<dyn Inode>,
    opts: String,
}

impl rill_vfs::mount::FileSystem for Devpts {
    fn root(&self) -> Arc<dyn Inode> {
        self.root.clone()
    }
    fn statfs(&self) -> StatFs {
        StatFs {
            f_type: 0x1cd1,
            bsize: 4096,
            namelen: 255,
            ..StatFs::default()
        }
    }
    fn show_options(&self) -> String {
        self.opts.clone()
    }
}

fn devpts_options(opts: &[MountOpt]) -> KResult<String> {
    let (mut uid, mut gid, mut mode, mut ptmx, mut max) = (None, None, 0o600, 0, None);
    let num = |o: &MountOpt, radix: u32| -> KResult<u32> {
        let v = o.value.as_deref().ok_or(Errno::EINVAL)?;
        u32::from_str_radix(v, radix).map_err(|_| Errno::EINVAL)
    };
    for o in opts {
        match o.key.as_str() {
            "uid" => uid = Some(num(o, 10)?),
            "gid" => gid = Some(num(o, 10)?),
            "mode" => mode = num(o, 8)? & 0o777,
            "ptmxmode" => ptmx = num(o, 8)? & 0o777,
            "max" => max = Some(num(o, 10)?),
            "newinstance" => {}
            _ => return Err(Errno::EINVAL),
        }
    }
    let mut s = String::new();
    if let Some(u) = uid {
        let _ = write!(s, ",uid={u}");
    }
    if let Some(g) = gid {
        let _ = write!(s, ",gid={g}");
    }
    let _ = write!(s, ",mode={mode:03o},ptmxmode={ptmx:03o}");
    if let Some(m) = max {
        let _ = write!(s, ",max={m}");
    }
    Ok(s)
}

fn devpts_mount(r: &MountRequest) -> KResult<Arc<SuperBlock>> {
    let opts = devpts_options(r.options)?;
    let fs = Devpts {
        root: StaticDir::new(),
        opts,
    };
    Ok(SuperBlock::new("devpts", Arc::new(fs), r.sb_flags))
}

/// Registers the file-system types, in Linux's order of /proc/filesystems.
pub fn register_fs(reg: &Registry) {
    let t = |name, mount| FsType {
        name,
        nodev: true,
        mount,
    };
    let _ = reg.register(t("sysfs", sysfs_mount));
    rill_vfs::mount::register_builtin(reg);
    let _ = reg.register(t("proc", proc_mount));
    let _ = reg.register(t("devtmpfs", devtmpfs_mount));
    let _ = reg.register(t("devpts", devpts_mount));
}

/// Devices Rill adds beside rill-vfs's memory devices.
pub fn populate_dev_extra(dev: &Arc<dyn Inode>) {
    let mk = |name: &str, maj: u32, min: u32, mode: u32| {
        let _ = dev.create(
            name.as_bytes(),
            FileType::CharDev,
            mode,
            rill_vfs::makedev(maj, min),
            0,
            0,
        );
    };
    mk("console", 5, 1, 0o600);
    mk("tty", 5, 0, 0o666);
    mk("ttyS0", 4, 64, 0o660);
    let _ = dev.create(b"pts", FileType::Directory, 0o755, 0, 0, 0);
    let _ = dev.create(b"shm", FileType::Directory, 0o1777, 0, 0, 0);
    let _ = dev.symlink(b"fd", b"/proc/self/fd");
    let _ = dev.symlink(b"stdin", b"/proc/self/fd/0");
    let _ = dev.symlink(b"stdout", b"/proc/self/fd/1");
    let _ = dev.symlink(b"stderr", b"/proc/self/fd/2");
}

fn file(f: impl Fn() -> String + Send + Sync + 'static) -> Arc<dyn Inode> {
    ProcFile::new(move || Ok(f().into_bytes()))
}

/// A generated directory entry. d_ino must be non-zero: glibc's readdir
/// skips entries whose inode number is 0.
fn dirent(name: &str, ft: FileType) -> DirEntry {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    DirEntry {
        name: name.as_bytes().to_vec(),
        ino: (h >> 16) | 1,
        ftype: ft,
    }
}

fn meminfo() -> String {
    let total = crate::mm::phys::TOTAL_RAM.load(Ordering::Relaxed) / 1024;
    let (_, used) = crate::mm::phys::heap_stats();
    let free = total.saturating_sub(used as u64 / 1024);
    let cached = crate::mm::pagecache::cached_pages() as u64 * 4;
    format!(
        "MemTotal:       {:8} kB\nMemFree:        {:8} kB\nMemAvailable:   {:8} kB\nBuffers:               0 kB\nCached:         {:8} kB\nSwapCached:            0 kB\nActive:                0 kB\nInactive:              0 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\nDirty:                 0 kB\nShmem:                 0 kB\nCommitLimit:    {:8} kB\nCommitted_AS:          0 kB\nHugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n",
        total, free, free, cached, total
    )
}

fn cpuinfo() -> String {
    let (_, ebx, ecx, edx) = crate::arch::cpu::cpuid(0, 0);
    let mut vendor = [0u8; 12];
    vendor[0..4].copy_from_slice(&ebx.to_le_bytes());
    vendor[4..8].copy_from_slice(&edx.to_le_bytes());
    vendor[8..12].copy_from_slice(&ecx.to_le_bytes());
    let (eax1, _, ecx1, edx1) = crate::arch::cpu::cpuid(1, 0);
    let mut flags = String::new();
    let names: [(u32, u32, &str); 14] = [
        (3, 0, "fpu"),
        (3, 4, "tsc"),
        (3, 15, "cmov"),
        (3, 23, "mmx"),
        (3, 24, "fxsr"),
        (3, 25, "sse"),
        (3, 26, "sse2"),
        (2, 0, "pni"),
        (2, 9, "ssse3"),
        (2, 19, "sse4_1"),
        (2, 20, "sse4_2"),
        (2, 23, "popcnt"),
        (2, 25, "aes"),
        (2, 13, "cx16"),
    ];
    for (reg, b, n) in names {
        let v = if reg == 3 { edx1 } else { ecx1 };
        if v & (1 << b) != 0 {
            flags.push_str(n);
            flags.push(' ');
        }
    }
    let n = crate::arch::smp::online_cpus();
    let mut out = String::new();
    for cpu in 0..n {
        out.push_str(&format!(
        "processor\t: {cpu}\nvendor_id\t: {}\ncpu family\t: {}\nmodel\t\t: {}\nmodel name\t: QEMU Virtual CPU\nstepping\t: {}\ncpu MHz\t\t: 1000.000\ncache size\t: 512 KB\nphysical id\t: 0\nsiblings\t: {n}\ncore id\t\t: {cpu}\ncpu cores\t: {n}\napicid\t\t: {}\nfpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 13\nwp\t\t: yes\nflags\t\t: {}\nbogomips\t: 2000.00\nclflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 40 bits physical, 48 bits virtual\npower management:\n\n",
        core::str::from_utf8(&vendor).unwrap_or("?"),
        (eax1 >> 8) & 0xf,
        (eax1 >> 4) & 0xf,
        eax1 & 0xf,
        crate::arch::smp::apic_id(cpu),
        flags.trim_end()
    ));
    }
    out
}

fn build_proc() -> Arc<dyn Inode> {
    let root = StaticDir::new();
    root.add_child(
        "self",
        ProcSymlink::new(|| Ok(current().process().pid.to_string())),
    );
    root.add_child(
        "thread-self",
        ProcSymlink::new(|| {
            let t = current();
            Ok(format!("{}/task/{}", t.process().pid, t.tid()))
        }),
    );
    root.add_child("meminfo", file(meminfo));
    root.add_child("cpuinfo", file(cpuinfo));
    root.add_child(
        "uptime",
        file(|| {
            let ns = crate::time::now_ns();
            format!(
                "{}.{:02} {}.{:02}\n",
                ns / 1_000_000_000,
                (ns / 10_000_000) % 100,
                ns / 1_000_000_000,
                (ns / 10_000_000) % 100
            )
        }),
    );
    root.add_child(
        "loadavg",
        file(|| {
            format!(
                "0.00 0.00 0.00 1/{} {}\n",
                process::all_processes().len(),
                1
            )
        }),
    );
    root.add_child(
        "version",
        file(|| {
            "Linux version 6.1.0-rill (rill@rill) (rustc) #1 SMP PREEMPT_DYNAMIC Rill\n".into()
        }),
    );
    root.add_child("cmdline", file(|| format!("{}\n", crate::cmdline::get())));
    root.add_child(
        "filesystems",
        file(|| crate::fs::REGISTRY.proc_filesystems()),
    );
    // As on Linux, /proc/mounts is a link to the reader's own view.
    root.add_child("mounts", ProcSymlink::new(|| Ok(b"self/mounts".to_vec())));
    root.add_child("stat", file(|| {
        let t = crate::time::ticks() / 10;
        format!(
            "cpu  {t} 0 0 0 0 0 0 0 0 0\n{}intr 0\nctxt 0\nbtime {}\nprocesses {}\nprocs_running 1\nprocs_blocked 0\n",
            (0..crate::arch::smp::online_cpus())
                .map(|c| format!("cpu{c} {t} 0 0 0 0 0 0 0 0 0\n"))
                .collect::<String>(),
            crate::time::realtime_ns() / 1_000_000_000 - (crate::time::now_ns() / 1_000_000_000) as i64,
            process::all_processes().len()
        )
    }));
    // /proc/sys
    let sys = StaticDir::new();
    let kernel = StaticDir::new();
    // the UTS names (task/uts.rs)
    for (name, get, set) in [
        (
            "hostname",
            uts::hostname as fn() -> String,
            uts::set_hostname as fn(&[u8]),
        ),
        ("domainname", uts::domainname, uts::set_domainname),
    ] {
        kernel.add_child(
            name,
            ProcFile::new_rw(
                move || Ok(format!("{}\n", get()).into_bytes()),
                move |b| {
                    set(b.trim_ascii_end());
                    Ok(())
                },
            ),
        );
    }
    kernel.add_child("ostype", file(|| "Linux\n".into()));
    kernel.add_child("osrelease", file(|| "6.1.0-rill\n".into()));
    kernel.add_child("pid_max", file(|| "4194304\n".into()));
    kernel.add_child("ngroups_max", file(|| "65536\n".into()));
    kernel.add_child("cap_last_cap", file(|| "40\n".into()));
    // nothing taints Rill (no modules, no forced loads, no oopses survived)
    kernel.add_child("tainted", file(|| "0\n".into()));
    let random = StaticDir::new();
    random.add_child(
        "boot_id",
        file(|| "5b4f0a3e-7d0c-4e4a-9d0e-1e2f3a4b5c6d\n".into()),
    );
    random.add_child(
        "uuid",
        file(|| {
            let mut b = [0u8; 16];
            crate::random::fill(&mut b);
            let h: String = b.iter().map(|x| format!("{:02x}", x)).collect();
            format!(
                "{}-{}-{}-{}-{}\n",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..32]
            )
        }),
    );
    kernel.add_child("random", random);
    sys.add_child("kernel", kernel);
    let vm = StaticDir::new();
    vm.add_child("overcommit_memory", file(|| "0\n".into()));
    vm.add_child("max_map_count", file(|| "65530\n".into()));
    sys.add_child("vm", vm);
    let fsd = StaticDir::new();
    fsd.add_child("file-max", file(|| "9223372036854775807\n".into()));
    fsd.add_child("nr_open", file(|| "1048576\n".into()));
    sys.add_child("fs", fsd);
    root.add_child("sys", sys);

    // numbered process directories, listed and looked up on the fly
    let statics = root.clone();
    ProcDir::new(
        move || {
            let mut v: Vec<DirEntry> = statics.readdir().unwrap_or_default();
            for p in process::all_processes() {
                v.push(dirent(&p.pid.to_string(), FileType::Directory));
            }
            v
        },
        {
            let root = root.clone();
            move |name| {
                if let Some(pid) = rill_vfs::proc::parse_num(name) {
                    // a thread id resolves too, as on Linux
                    if let Some(p) = process::find_process(pid) {
                        return Ok(pid_dir(p, None));
                    }
                    if let Some(t) = process::find_task(pid) {
                        return Ok(pid_dir(t.process(), Some(pid)));
                    }
                    return Err(Errno::ENOENT);
                }
                root.lookup(name)
            }
        },
    )
}

fn state_char(p: &Process) -> (char, &'static str) {
    let i = p.inner.lock();
    if matches!(i.event, Some(ChildEvent::Exited(_))) && i.threads.is_empty() {
        return ('Z', "zombie");
    }
    match i.threads.first().map(|t| t.state()) {
        Some(State::Runnable) => ('R', "running"),
        Some(State::Stopped) => ('T', "stopped"),
        _ => ('S', "sleeping"),
    }
}

fn stat_line(p: &Process, tid: Option<u32>) -> Vec<u8> {
    let (mut st, _) = state_char(p);
    // /proc/PID/task/TID/stat: that thread's own state
    if let Some(t) = tid.and_then(|tid| p.threads().into_iter().find(|t| t.tid() == tid)) {
        st = match t.state() {
            State::Runnable => 'R',
            State::Stopped => 'T',
            _ => 'S',
        };
    }
    let i = p.inner.lock();
    // the name's bytes as they are, as Linux prints them
    let comm = {
        let n = i.comm.iter().position(|&b| b == 0).unwrap_or(16);
        i.comm[..n].to_vec()
    };
    let ppid = i.parent.upgrade().map(|x| x.pid).unwrap_or(0);
    let nthreads = i.threads.len().max(1);
    let start = i.start_ticks / 10;
    let (pgid, sid) = (i.pgid, i.sid);
    // clock ticks (100 Hz) from Rill's 1 kHz ticks
    let times = (
        i.utime_ticks / 10,
        i.stime_ticks / 10,
        i.cutime_ticks / 10,
        i.cstime_ticks / 10,
    );
    drop(i);
    let vsize = vm_bytes(p);
    let tty = if crate::fs::console::tty().session.load(Ordering::Relaxed) == sid {
        (4 << 8) | 64
    } else {
        0
    };
    let tpgid = crate::fs::console::tty().fg_pgrp.load(Ordering::Relaxed) as i32;
    let mut out = format!("{} (", tid.unwrap_or(p.pid)).into_bytes();
    out.extend_from_slice(&comm);
    out.extend_from_slice(format!(
        ") {} {} {} {} {} {} 4194304 0 0 0 0 {} {} {} {} 20 0 {} 0 {} {} {} 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
        st, ppid, pgid, sid, tty, if tty != 0 { tpgid } else { -1 }, times.0, times.1, times.2, times.3, nthreads, start, vsize, vsize / 4096 / 4
    ).as_bytes());
    out
}

fn status(p: &Process) -> Vec<u8> {
    let (c, name) = state_char(p);
    let i = p.inner.lock();
    let ppid = i.parent.upgrade().map(|x| x.pid).unwrap_or(0);
    let cr = i.creds;
    let nthreads = i.threads.len();
    let n = i.comm.iter().position(|&b| b == 0).unwrap_or(16);
    // Name: bytes as they are but "\n" and "\\" escaped, as Linux's proc_task_name
    let mut out = b"Name:\t".to_vec();
    for &b in &i.comm[..n] {
        match b {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b => out.push(b),
        }
    }
    let nnp = i.no_new_privs as u32;
    let (sigpnd, blk) = i
        .threads
        .first()
        .map(|t| {
            (
                t.sig_pending.load(Ordering::Relaxed),
                t.sig_mask.load(Ordering::Relaxed),
            )
        })
        .unwrap_or((0, 0));
    drop(i);
    let vm = vm_bytes(p) / 1024;
    let acts = p.sigactions();
    let (mut ign, mut cgt) = (0u64, 0u64);
    for (k, a) in acts.lock().iter().enumerate() {
        if a.handler == 1 {
            ign |= 1 << k;
        } else if a.handler > 1 {
            cgt |= 1 << k;
        }
    }
    // like capget: root (euid 0) has every capability, others none
    let caps: u64 = if cr.euid == 0 { 0x1ff_ffff_ffff } else { 0 };
    out.extend_from_slice(format!(
        "\nUmask:\t{:04o}\nState:\t{} ({})\nTgid:\t{}\nNgid:\t0\nPid:\t{}\nPPid:\t{}\nTracerPid:\t0\nUid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t64\nGroups:\t\nVmPeak:\t{} kB\nVmSize:\t{} kB\nVmRSS:\t{} kB\nThreads:\t{}\nSigQ:\t0/3794\nSigPnd:\t{:016x}\nShdPnd:\t{:016x}\nSigBlk:\t{:016x}\nSigIgn:\t{:016x}\nSigCgt:\t{:016x}\nCapInh:\t0000000000000000\nCapPrm:\t{:016x}\nCapEff:\t{:016x}\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t{}\nSeccomp:\t0\nCpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t1\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
        p.fs.lock().umask, c, name, p.pid, p.pid, ppid, cr.uid, cr.euid, cr.suid, cr.euid, cr.gid, cr.egid, cr.sgid, cr.egid,
        vm, vm, vm / 4, nthreads, sigpnd, p.sig_pending.load(Ordering::Relaxed), blk, ign, cgt, caps, caps, nnp
    ).as_bytes());
    out
}

fn maps(p: &Process) -> String {
    let mm = p.mm();
    let g = mm.inner.lock();
    let mut s = String::new();
    for v in g.vmas.iter() {
        let (path, ino) = match &v.backing {
            rill_mm::Backing::File { file, .. } => (file.path.clone(), file.inode.metadata().ino),
            rill_mm::Backing::Anon => {
                let name = if let Some(n) = crate::mm::vdso::name(g.vdso_base, v) {
                    n
                } else if v.flags & crate::mm::addrspace::VM_STACK != 0 {
                    "[stack]"
                } else if v.start >= g.brk_start
                    && v.end <= ((g.brk + 0xfff) & !0xfff)
                    && g.brk > g.brk_start
                {
                    "[heap]"
                } else {
                    ""
                };
                (name.to_string(), 0)
            }
        };
        s.push_str(&rill_mm::format_maps_line(v, 0, 0, ino, &path));
        s.push('\n');
    }
    s
}

fn pid_dir(p: Arc<Process>, _tid: Option<u32>) -> Arc<dyn Inode> {
    let d = StaticDir::new();
    let w = Arc::downgrade(&p);
    macro_rules! gen {
        ($f:expr) => {{
            let w = w.clone();
            ProcFile::new(move || match w.upgrade() {
                Some(p) => Ok(($f)(&p)),
                None => Err(Errno::ESRCH),
            })
        }};
    }
    d.add_child("stat", gen!(|p: &Arc<Process>| stat_line(p, None)));
    d.add_child("status", gen!(|p: &Arc<Process>| status(p)));
    d.add_child(
        "cmdline",
        gen!(|p: &Arc<Process>| p.inner.lock().cmdline.clone()),
    );
    d.add_child("comm", gen!(|p: &Arc<Process>| comm_line(p)));
    d.add_child("maps", gen!(|p: &Arc<Process>| maps(p).into_bytes()));
    d.add_child(
        "mounts",
        gen!(|p: &Arc<Process>| {
            let root = p.fs.lock().root.clone();
            crate::fs::mounts().format_mounts(&root)
        }),
    );
    d.add_child(
        "mountinfo",
        gen!(|p: &Arc<Process>| {
            let root = p.fs.lock().root.clone();
            crate::fs::mounts().format_mountinfo(&root)
        }),
    );
    d.add_child(
        "statm",
        gen!(|p: &Arc<Process>| {
            let v = vm_bytes(p) / 4096;
            format!("{} {} 0 0 0 {} 0\n", v, v / 4, v).into_bytes()
        }),
    );
    d.add_child("environ", gen!(|_p: &Arc<Process>| Vec::new()));
    // kept per process (task/process.rs), inherited over fork
    let oom_rw = |legacy: bool| {
        let (r, w) = (w.clone(), w.clone());
        ProcFile::new_rw(
            move || {
                let p = r.upgrade().ok_or(Errno::ESRCH)?;
                let adj = p.oom_score_adj();
                let v = if legacy {
                    rill_abi::oom::oom_adj_of(adj)
                } else {
                    adj as i32
                };
                Ok(format!("{v}\n").into_bytes())
            },
            move |b| {
                let p = w.upgrade().ok_or(Errno::ESRCH)?;
                // Linux reads at most PROC_NUMBUF - 1 bytes
                let v = rill_abi::oom::parse_kstrtoint(&b[..b.len().min(12)])?;
                let adj = if legacy {
                    rill_abi::oom::oom_score_adj_of_adj(v)?
                } else if (rill_abi::oom::OOM_SCORE_ADJ_MIN..=rill_abi::oom::OOM_SCORE_ADJ_MAX)
                    .contains(&v)
                {
                    v as i16
                } else {
                    return Err(Errno::EINVAL);
                };
                let capable = crate::task::current_creds().euid == 0;
                p.set_oom_score_adj(adj, legacy, capable)
            },
        )
    };
    d.add_child("oom_score_adj", oom_rw(false));
    d.add_child("oom_adj", oom_rw(true));
    d.add_child(
        "oom_score",
        gen!(|p: &Arc<Process>| {
            let total =
                crate::mm::phys::TOTAL_RAM.load(core::sync::atomic::Ordering::Relaxed) / 4096;
            // the resident size statm shows
            let rss = vm_bytes(p) / 4096 / 4;
            format!(
                "{}\n",
                rill_abi::oom::oom_score(p.oom_score_adj(), rss, total)
            )
            .into_bytes()
        }),
    );
    d.add_child(
        "limits",
        gen!(|p: &Arc<Process>| {
            let r = p.inner.lock().rlimits;
            let names = [
                "Max cpu time",
                "Max file size",
                "Max data size",
                "Max stack size",
                "Max core file size",
                "Max resident set",
                "Max processes",
                "Max open files",
                "Max locked memory",
                "Max address space",
                "Max file locks",
                "Max pending signals",
                "Max msgqueue size",
                "Max nice priority",
                "Max realtime priority",
                "Max realtime timeout",
            ];
            let mut s = String::from(
                "Limit                     Soft Limit           Hard Limit           Units     \n",
            );
            for (i, n) in names.iter().enumerate() {
                let f = |v: u64| {
                    if v == u64::MAX {
                        "unlimited".to_string()
                    } else {
                        v.to_string()
                    }
                };
                let _ = writeln!(s, "{:<26}{:<21}{:<21}", n, f(r[i].0), f(r[i].1));
            }
            s.into_bytes()
        }),
    );
    {
        let w = w.clone();
        d.add_child(
            "exe",
            ProcSymlink::new(move || {
                w.upgrade()
                    .map(|p| p.inner.lock().exe.clone())
                    .ok_or(Errno::ENOENT)
            }),
        );
    }
    {
        let w = w.clone();
        d.add_child(
            "cwd",
            ProcSymlink::new(move || {
                w.upgrade()
                    .map(|p| p.fs.lock().cwd.path())
                    .ok_or(Errno::ENOENT)
            }),
        );
    }
    {
        let w = w.clone();
        d.add_child(
            "root",
            ProcSymlink::new(move || {
                w.upgrade()
                    .map(|p| p.fs.lock().root.path())
                    .ok_or(Errno::ENOENT)
            }),
        );
    }
    let fd_dir = {
        let w1 = w.clone();
        let w2 = w.clone();
        ProcDir::new(
            move || {
                let Some(p) = w1.upgrade() else { return vec![] };
                let ft = p.files();
                let t = ft.lock();
                t.iter()
                    .map(|(fd, _)| dirent(&fd.to_string(), FileType::Symlink))
                    .collect()
            },
            move |name| {
                let fd = rill_vfs::proc::parse_num(name)
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or(Errno::ENOENT)?;
                let p = w2.upgrade().ok_or(Errno::ENOENT)?;
                let f = p.files().lock().get(fd).map_err(|_| Errno::ENOENT)?;
                let target = fd_target(&f);
                let inode = f.inode.clone();
                Ok(
                    ProcSymlink::new_magic(move || Ok(target.clone()), move || inode.clone())
                        as Arc<dyn Inode>,
                )
            },
        )
    };
    d.add_child("fd", fd_dir);
    let task = {
        let w1 = w.clone();
        let w2 = w.clone();
        ProcDir::new(
            move || {
                let Some(p) = w1.upgrade() else { return vec![] };
                p.threads()
                    .iter()
                    .map(|t| dirent(&t.tid().to_string(), FileType::Directory))
                    .collect()
            },
            move |name| {
                let tid = rill_vfs::proc::parse_num(name).ok_or(Errno::ENOENT)?;
                let p = w2.upgrade().ok_or(Errno::ENOENT)?;
                if !p.threads().iter().any(|t| t.tid() == tid) {
                    return Err(Errno::ENOENT);
                }
                let td = StaticDir::new();
                let pp = p.clone();
                td.add_child("stat", ProcFile::new(move || Ok(stat_line(&pp, Some(tid)))));
                let pp = p.clone();
                td.add_child("comm", ProcFile::new(move || Ok(comm_line(&pp))));
                Ok(td as Arc<dyn Inode>)
            },
        )
    };
    d.add_child("task", task);
    d
}

fn fd_target(f: &rill_vfs::OpenFile) -> Vec<u8> {
    if f.inode.is_none() {
        return format!("pipe:[{}]", (f as *const _ as usize >> 4) & 0xffffff).into_bytes();
    }
    f.path.clone()
}

/// /proc/PID/comm: the name's bytes as they are, and a newline.
fn comm_line(p: &Process) -> Vec<u8> {
    let c = p.inner.lock().comm;
    let n = c.iter().position(|&b| b == 0).unwrap_or(c.len());
    let mut v = c[..n].to_vec();
    v.push(b'\n');
    v
}

fn build_sys() -> Arc<dyn Inode> {
    let root = StaticDir::new();
    let devices = StaticDir::new();
    let system = StaticDir::new();
    let cpu = StaticDir::new();
    cpu.add_child("online", file(crate::arch::smp::cpu_list));
    cpu.add_child("possible", file(crate::arch::smp::cpu_list));
    cpu.add_child("present", file(crate::arch::smp::cpu_list));
    cpu.add_child("kernel_max", file(|| "8191\n".into()));
    for c in 0..crate::arch::smp::online_cpus() {
        cpu.add_child(format!("cpu{c}"), StaticDir::new());
    }
    system.add_child("cpu", cpu);
    let node = StaticDir::new();
    node.add_child("online", file(|| "0\n".into()));
    node.add_child("possible", file(|| "0\n".into()));
    let node0 = StaticDir::new();
    node0.add_child("cpulist", file(crate::arch::smp::cpu_list));
    node0.add_child(
        "meminfo",
        file(|| {
            meminfo()
                .lines()
                .map(|l| format!("Node 0 {}\n", l))
                .collect()
        }),
    );
    node.add_child("node0", node0);
    system.add_child("node", node);
    devices.add_child("system", system);
    root.add_child("devices", devices);
    for d in [
        "block", "bus", "dev", "firmware", "fs", "kernel", "module", "power",
    ] {
        root.add_child(d, StaticDir::new());
    }
    // /sys/class/tty/console/active names the console (busybox cttyhack)
    let class = StaticDir::new();
    let tty = StaticDir::new();
    let console = StaticDir::new();
    console.add_child("active", file(|| "ttyS0\n".into()));
    tty.add_child("console", console);
    class.add_child("tty", tty);
    crate::drivers::populate_sys(&root, &class);
    root.add_child("class", class);
    root
}

/// Bytes of address space mapped by `p` (VmSize, stat's vsize, statm's size).
fn vm_bytes(p: &Process) -> u64 {
    p.mm()
        .inner
        .lock()
        .vmas
        .iter()
        .map(|v| v.end - v.start)
        .sum()
}
