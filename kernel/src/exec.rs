//! execve: loading ELF programs (static and with PT_INTERP) and `#!`
//! scripts into a fresh address space, with Linux's initial stack.
use crate::arch::{FpuState, TrapFrame};
use crate::mm::addrspace::{AddrSpace, FileRef, MapFile, STACK_TOP, VM_HEAP, VM_STACK};
use crate::task::fdtable::FdTable;
use crate::task::process::{self, FsContext, Process, SigAction};
use crate::task::Task;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_exec::{ElfInfo, ElfKind};
use rill_mm::{Backing, Vma};
use rill_vfs::{FileType, Inode, Location};
use spin::Mutex;

pub struct Image {
    pub mm: Arc<AddrSpace>,
    pub entry: u64,
    pub sp: u64,
    /// The executable's path (bytes), for /proc/PID/exe.
    pub exe: Vec<u8>,
}

fn read_head(inode: &Arc<dyn Inode>, len: usize) -> KResult<Vec<u8>> {
    let mut buf = vec![0u8; len];
    let mut got = 0;
    while got < len {
        let n = inode.read_at(got as u64, &mut buf[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    buf.truncate(got);
    Ok(buf)
}

/// Check that `loc` is an executable regular file.
fn check_exec(loc: &Location) -> KResult<Arc<dyn Inode>> {
    let inode = loc.inode().clone();
    let md = inode.metadata();
    match md.file_type() {
        FileType::Regular => {}
        FileType::Directory => return Err(Errno::EACCES),
        _ => return Err(Errno::EACCES),
    }
    if md.mode & 0o111 == 0 {
        return Err(Errno::EACCES);
    }
    // a noexec mount (Linux's path_noexec)
    if loc.mount().noexec() {
        return Err(Errno::EACCES);
    }
    Ok(inode)
}

fn map_elf(mm: &AddrSpace, info: &ElfInfo, bias: u64, file: &FileRef) -> KResult<u64> {
    let mut g = mm.inner.lock();
    let mut top = 0u64;
    for s in &info.segments {
        let start = (s.vaddr + bias) & !0xfff;
        let file_end = s.vaddr + bias + s.filesz;
        let mem_end = (s.vaddr + bias + s.memsz + 0xfff) & !0xfff;
        let file_page_end = (file_end + 0xfff) & !0xfff;
        let off = s.offset - ((s.vaddr + bias) - start);
        if file_page_end > start && s.filesz > 0 {
            g.vmas
                .map(Vma::file(
                    start,
                    file_page_end,
                    s.prot,
                    0,
                    file.clone(),
                    off,
                ))
                .map_err(|_| Errno::ENOMEM)?;
        }
        let anon_start = if s.filesz > 0 { file_page_end } else { start };
        if mem_end > anon_start {
            g.vmas
                .map(Vma::anon(anon_start, mem_end, s.prot, 0))
                .map_err(|_| Errno::ENOMEM)?;
        }
        top = top.max(mem_end);
    }
    drop(g);
    // zero the part of the last file page past p_filesz (Linux's padzero)
    for s in &info.segments {
        let file_end = s.vaddr + bias + s.filesz;
        if s.memsz > s.filesz && file_end & 0xfff != 0 && s.filesz > 0 {
            let n = 4096 - (file_end & 0xfff) as usize;
            zero_private(mm, file_end, n)?;
        }
    }
    Ok(top)
}

/// Zero bytes of a freshly loaded private page even if its VMA is read-only.
fn zero_private(mm: &AddrSpace, va: u64, n: usize) -> KResult<()> {
    // never write into a shared page-cache page: take a private copy first
    let pa = mm.inner.lock().private_page(va)?;
    crate::mm::phys::frame_write(pa, (va & 0xfff) as usize, &vec![0u8; n]);
    Ok(())
}

fn load_file(inode: &Arc<dyn Inode>) -> KResult<ElfInfo> {
    let head = read_head(inode, 4096)?;
    let mut info = rill_exec::parse_elf_headers(&head);
    if info.is_err() && head.len() >= 64 {
        // program headers beyond the first page
        let more = read_head(inode, 65536)?;
        info = rill_exec::parse_elf(&more);
    }
    let info = info?;
    rill_exec::check_file_size(&info, inode.metadata().size)?;
    Ok(info)
}

/// Build a new address space for `path` with `argv`/`envp`.
pub fn load(
    loc: &Location,
    path: &[u8],
    mut argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
    depth: u32,
) -> KResult<Image> {
    let inode = check_exec(loc)?;
    let head = read_head(&inode, 256)?;
    if head.starts_with(b"#!") {
        if depth >= 4 {
            return Err(Errno::ELOOP);
        }
        let (interp, arg) = rill_exec::parse_shebang(&head)?.ok_or(Errno::ENOEXEC)?;
        let old: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        let new_argv = rill_exec::shebang_argv(&interp, arg.as_deref(), path, &old);
        let iloc = crate::fs::resolve_at(crate::fs::AT_FDCWD, &interp, true)?;
        let mut img = load(&iloc, &interp, new_argv, envp, depth + 1)?;
        img.exe = iloc.path();
        return Ok(img);
    }
    if !head.starts_with(b"\x7fELF") {
        return Err(Errno::ENOEXEC);
    }
    let info = load_file(&inode)?;
    let mm = AddrSpace::new()?;
    let file: FileRef = Arc::new(MapFile {
        inode: inode.clone(),
        path: String::from_utf8_lossy(&loc.path()).into_owned(),
    });
    let bias = rill_exec::load_bias_for(&info, false);
    let top = map_elf(&mm, &info, bias, &file)?;
    let mut entry = info.entry + bias;
    let mut interp_base = 0;
    if let Some(ip) = &info.interp {
        let iloc =
            crate::fs::resolve_at(crate::fs::AT_FDCWD, ip.as_bytes(), true).map_err(|e| {
                if e == Errno::ENOENT {
                    Errno::ENOENT
                } else {
                    e
                }
            })?;
        let iinode = check_exec(&iloc).or_else(|_| Ok::<_, Errno>(iloc.inode().clone()))?;
        let iinfo = load_file(&iinode)?;
        let (lo, hi) = rill_exec::image_span(&iinfo);
        let span = hi - lo;
        let base = if iinfo.kind == ElfKind::Dyn {
            mm.inner.lock().vmas.find_free(span, None)? - lo
        } else {
            0
        };
        let ifile: FileRef = Arc::new(MapFile {
            inode: iinode,
            path: String::from_utf8_lossy(&iloc.path()).into_owned(),
        });
        map_elf(&mm, &iinfo, base, &ifile)?;
        interp_base = base;
        entry = iinfo.entry + base;
    }
    // program break
    let vdso = {
        let mut g = mm.inner.lock();
        g.brk_start = top;
        g.brk = top;
        let _ = VM_HEAP;
        // initial stack VMA; it grows down on faults
        let lo = STACK_TOP - 128 * 1024;
        g.vmas
            .map(Vma {
                start: lo,
                end: STACK_TOP,
                prot: 3,
                flags: VM_STACK,
                backing: Backing::Anon,
            })
            .map_err(|_| Errno::ENOMEM)?;
        g.stack_lo = lo;
        crate::mm::vdso::map_into(&mut g)?
    };
    let phdr = info.phdr_vaddr.map(|v| v + bias).unwrap_or(0);
    let creds = crate::task::current_creds();
    let auxv = [
        (rill_exec::AT_SYSINFO_EHDR, vdso),
        (
            rill_exec::AT_MINSIGSTKSZ,
            crate::arch::fpu::config().min_sigstksz(),
        ),
        (rill_exec::AT_HWCAP, crate::arch::cpu::cpuid(1, 0).3 as u64),
        (rill_exec::AT_PAGESZ, 4096),
        (rill_exec::AT_CLKTCK, 100),
        (rill_exec::AT_PHDR, phdr),
        (rill_exec::AT_PHENT, 56),
        (rill_exec::AT_PHNUM, info.phnum as u64),
        (rill_exec::AT_BASE, interp_base),
        (rill_exec::AT_FLAGS, 0),
        (rill_exec::AT_ENTRY, info.entry + bias),
        (rill_exec::AT_UID, creds.uid as u64),
        (rill_exec::AT_EUID, creds.euid as u64),
        (rill_exec::AT_GID, creds.gid as u64),
        (rill_exec::AT_EGID, creds.egid as u64),
        (rill_exec::AT_SECURE, 0),
        (rill_exec::AT_RANDOM, 0),
        (rill_exec::AT_HWCAP2, 0),
        (rill_exec::AT_EXECFN, 0),
        (rill_exec::AT_PLATFORM, 0),
    ];
    let auxv: Vec<(u64, u64)> = auxv.to_vec();
    let mut random = [0u8; 16];
    crate::random::fill(&mut random);
    if argv.is_empty() {
        argv.push(Vec::new());
    }
    let a: Vec<&[u8]> = argv.iter().map(|v| v.as_slice()).collect();
    let e: Vec<&[u8]> = envp.iter().map(|v| v.as_slice()).collect();
    let (bytes, sp, _addrs) =
        rill_exec::build_stack(STACK_TOP, &a, &e, &auxv, path, random, b"x86_64")?;
    mm.write(sp, &bytes)?;
    if crate::cmdline::opt("rill.debugstack").is_some() {
        let mut w = [0u8; 8];
        for i in 0..48u64 {
            mm.read(sp + i * 8, &mut w)?;
            kdebug!("stack[{}] = {:#x}", i, u64::from_le_bytes(w));
        }
    }
    Ok(Image {
        mm,
        entry,
        sp,
        exe: loc.path(),
    })
}

/// Create pid 1 running `path`.
pub fn spawn_init(path: &str) -> KResult<Arc<Task>> {
    let loc = crate::fs::resolve_kernel(path.as_bytes())?;
    let root = crate::fs::root_location();
    let mut argv = vec![path.as_bytes().to_vec()];
    // Linux passes unknown plain words of the command line to init
    let mut envp = vec![b"HOME=/".to_vec(), b"TERM=linux".to_vec()];
    for w in crate::cmdline::get().split_whitespace() {
        if w.contains('.')
            || w.starts_with("console=")
            || w.starts_with("rdinit=")
            || w.starts_with("init=")
            || w == "quiet"
            || w.starts_with("loglevel=")
            || w.starts_with("panic=")
            || w.starts_with("root=")
        {
            continue;
        }
        if w.contains('=') {
            envp.push(w.as_bytes().to_vec());
        } else {
            argv.push(w.as_bytes().to_vec());
        }
    }
    let pid = process::alloc_pid();
    // pid 1 needs a process context for path lookups during load
    let fs = FsContext {
        root: root.clone(),
        cwd: root,
        umask: 0o022,
    };
    let files = Arc::new(Mutex::new(FdTable::new()));
    let acts = Arc::new(Mutex::new([SigAction::default(); 64]));
    let mm0 = AddrSpace::new()?;
    // like Linux, init starts in session 0, process group 0
    let p = Process::new(pid, Weak::new(), mm0, files.clone(), fs, acts, 0, 0);
    let t = Task::new(pid, p.clone(), &TrapFrame::default(), FpuState::initial());
    p.inner.lock().threads.push(t.clone());
    process::register_task(&t);
    crate::task::sched::set_boot_current(t.clone());
    let img = load(&loc, path.as_bytes(), argv.clone(), envp, 0)?;
    p.set_mm(img.mm);
    *t.trap_frame() = TrapFrame::new_user(img.entry, img.sp);
    {
        let mut i = p.inner.lock();
        i.exe = img.exe;
        i.cmdline = argv.join(&0u8);
        i.cmdline.push(0);
    }
    p.set_comm(path.rsplit('/').next().unwrap_or(path).as_bytes());
    // stdio on the console, as Linux opens /dev/console for init
    if let Ok(cloc) = crate::fs::resolve_kernel(b"/dev/console") {
        if let Ok(f) = crate::fs::open_location(&cloc, 2) {
            let mut ft = files.lock();
            for fd in 0..3 {
                ft.install(fd, f.clone(), false);
            }
        }
    }
    Ok(t)
}
