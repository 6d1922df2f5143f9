//! Process syscalls: clone/fork/vfork, execve, exit, wait, ids, futex,
//! prctl/arch_prctl.
use super::SysResult;
use crate::arch::TrapFrame;
use crate::signal::{self};
use crate::task::exit::{
    child_rusage, consume, do_wait, exit_thread, group_exit, reap, release_vfork, Sel, WALL,
    WCLONE, WCONTINUED, WEXITED, WNOHANG, WNOWAIT, WUNTRACED,
};
use crate::task::process::{self, ChildEvent, Creds, Process};
use crate::task::{current, sched, wait, State, Task};
use crate::uaccess::*;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use rill_abi::types::SigInfo;
use rill_abi::{Errno, KResult};
use spin::Mutex;

pub const CLONE_VM: u64 = 0x100;
pub const CLONE_FS: u64 = 0x200;
pub const CLONE_FILES: u64 = 0x400;
pub const CLONE_SIGHAND: u64 = 0x800;
pub const CLONE_PIDFD: u64 = 0x1000;
pub const CLONE_PTRACE: u64 = 0x2000;
pub const CLONE_VFORK: u64 = 0x4000;
pub const CLONE_PARENT: u64 = 0x8000;
pub const CLONE_THREAD: u64 = 0x10000;
pub const CLONE_NEWNS: u64 = 0x20000;
pub const CLONE_SYSVSEM: u64 = 0x40000;
pub const CLONE_SETTLS: u64 = 0x80000;
pub const CLONE_PARENT_SETTID: u64 = 0x100000;
pub const CLONE_CHILD_CLEARTID: u64 = 0x200000;
pub const CLONE_DETACHED: u64 = 0x400000;
pub const CLONE_UNTRACED: u64 = 0x800000;
pub const CLONE_CHILD_SETTID: u64 = 0x1000000;
pub const SIGCHLD_FLAGS: u64 = 17;
pub const VFORK_FLAGS: u64 = CLONE_VM | CLONE_VFORK | 17;

/// clone(flags, stack, parent_tid, child_tid, tls)
pub fn clone(
    flags: u64,
    stack: u64,
    ptid: u64,
    ctid: u64,
    tls: u64,
    tf: &mut TrapFrame,
) -> SysResult {
    // Linux: only the low 32 bits are clone flags here
    do_clone(
        flags & 0xffff_ff00,
        flags & 0xff,
        stack,
        ptid,
        ctid,
        tls,
        tf,
    )
}

pub const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;
pub const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// clone3(args, size): Linux's copy_clone_args_from_user and
/// clone3_args_valid checks, in Linux's order.
pub fn clone3(args: u64, size: u64, tf: &mut TrapFrame) -> SysResult {
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    if size < rill_abi::types::CLONE_ARGS_SIZE_VER0 as u64 {
        return Err(Errno::EINVAL);
    }
    let mut a: rill_abi::types::CloneArgs = zeroed();
    let ksize = core::mem::size_of::<rill_abi::types::CloneArgs>();
    let n = (size as usize).min(ksize);
    read_into(args, &mut bytemuck::bytes_of_mut(&mut a)[..n])?;
    if size as usize > ksize {
        // a larger (newer) struct is fine if what we do not know is zero
        let tail = read_bytes(args + ksize as u64, size as usize - ksize)?;
        if tail.iter().any(|&b| b != 0) {
            return Err(Errno::E2BIG);
        }
    }
    if a.set_tid_size > 32 || (a.set_tid == 0) != (a.set_tid_size == 0) {
        return Err(Errno::EINVAL);
    }
    if a.set_tid != 0 {
        // choosing the child's pid needs CAP_SYS_ADMIN over pid namespaces
        // and a free pid; not supported
        return Err(Errno::EINVAL);
    }
    if a.exit_signal > 64 {
        return Err(Errno::EINVAL);
    }
    if a.flags & CLONE_INTO_CGROUP != 0 {
        return Err(Errno::EINVAL);
    }
    let legacy = 0xffff_ffffu64;
    if a.flags & !(legacy | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP) != 0
        || a.flags & (CLONE_DETACHED | (0xff & !0x80)) != 0
        || a.flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND) == CLONE_SIGHAND | CLONE_CLEAR_SIGHAND
        || (a.flags & (CLONE_THREAD | CLONE_PARENT) != 0 && a.exit_signal != 0)
    {
        return Err(Errno::EINVAL);
    }
    let stack = match (a.stack, a.stack_size) {
        (0, 0) => 0,
        (0, _) | (_, 0) => return Err(Errno::EINVAL),
        (s, n) => {
            let top = s.checked_add(n).ok_or(Errno::EINVAL)?;
            if top > 0x0000_8000_0000_0000 {
                return Err(Errno::EINVAL);
            }
            top
        }
    };
    do_clone(
        a.flags,
        a.exit_signal,
        stack,
        a.parent_tid,
        a.child_tid,
        a.tls,
        tf,
    )
}

fn do_clone(
    flags: u64,
    exit_signal: u64,
    stack: u64,
    ptid: u64,
    ctid: u64,
    tls: u64,
    tf: &mut TrapFrame,
) -> SysResult {
    if flags & CLONE_SIGHAND != 0 && flags & CLONE_VM == 0 {
        return Err(Errno::EINVAL);
    }
    if flags & CLONE_THREAD != 0 && flags & CLONE_SIGHAND == 0 {
        return Err(Errno::EINVAL);
    }
    if flags & (CLONE_NEWNS | 0x7e000000 | CLONE_PIDFD) != 0 && flags & CLONE_PIDFD == 0 {
        return Err(Errno::EINVAL);
    }
    let t = current();
    let p = t.process();
    // init may not create siblings (they could not be reaped)
    if flags & CLONE_PARENT != 0 && p.pid == 1 {
        return Err(Errno::EINVAL);
    }
    let tid = process::alloc_pid();
    let mut frame = *tf;
    frame.rax = 0;
    if stack != 0 {
        frame.rsp = stack;
    }
    let child_proc = if flags & CLONE_THREAD != 0 {
        p.clone()
    } else {
        let mm = if flags & CLONE_VM != 0 {
            p.mm()
        } else {
            p.mm().fork()?
        };
        let files = if flags & CLONE_FILES != 0 {
            p.files()
        } else {
            Arc::new(Mutex::new(p.files().lock().clone()))
        };
        let fs = p.fs.lock().clone();
        let acts = if flags & CLONE_SIGHAND != 0 {
            p.sigactions()
        } else {
            let mut copy = *p.sigactions().lock();
            if flags & CLONE_CLEAR_SIGHAND != 0 {
                // handlers back to default; ignored signals stay ignored
                for a in copy.iter_mut() {
                    if a.handler != signal::SIG_IGN {
                        *a = Default::default();
                    }
                }
            }
            Arc::new(Mutex::new(copy))
        };
        let parent = if flags & CLONE_PARENT != 0 {
            p.parent().unwrap_or(p.clone())
        } else {
            p.clone()
        };
        let (pgid, sid) = (p.pgid(), p.sid());
        let c = Process::new(tid, Arc::downgrade(&parent), mm, files, fs, acts, pgid, sid);
        {
            let pi = p.inner.lock();
            let mut ci = c.inner.lock();
            ci.exe = pi.exe.clone();
            ci.cmdline = pi.cmdline.clone();
            ci.comm = pi.comm;
            ci.creds = pi.creds;
            ci.rlimits = pi.rlimits;
            // Linux: CLONE_PARENT inherits the caller's exit signal (the
            // new parent did not ask for an arbitrary one).
            ci.exit_signal = if flags & CLONE_PARENT != 0 {
                pi.exit_signal
            } else {
                exit_signal as u32
            };
            ci.groups = pi.groups.clone();
            ci.dumpable = pi.dumpable;
            ci.no_new_privs = pi.no_new_privs;
            ci.membarrier = pi.membarrier;
            ci.vma_mempolicy = pi.vma_mempolicy.clone();
            ci.oom_score_adj = pi.oom_score_adj;
            ci.oom_score_adj_min = pi.oom_score_adj_min;
            ci.prctl = pi.prctl.forked();
        }
        parent.inner.lock().children.push(c.clone());
        c
    };
    t.fpu().sync_live(); // the child gets the whole state (arch/fpu.rs)
    let fpu = t.fpu().clone();
    let child = Task::new(tid, child_proc.clone(), &frame, fpu);
    t.inherit_attrs(&child);
    child
        .sig_mask
        .store(t.sig_mask.load(Ordering::Relaxed), Ordering::Relaxed);
    child.fs_base.store(
        if flags & CLONE_SETTLS != 0 {
            tls
        } else {
            t.fs_base.load(Ordering::Relaxed)
        },
        Ordering::Relaxed,
    );
    child
        .gs_base
        .store(t.gs_base.load(Ordering::Relaxed), Ordering::Relaxed);
    // a thread or a CLONE_VM child (not vfork) starts without an alternate
    // signal stack: it would share the parent's (Linux sas_ss_reset)
    if flags & CLONE_THREAD == 0 && flags & (CLONE_VM | CLONE_VFORK) != CLONE_VM {
        *child.alt_stack.lock() = *t.alt_stack.lock();
    }
    if flags & CLONE_CHILD_CLEARTID != 0 {
        child.clear_child_tid.store(ctid, Ordering::Relaxed);
    }
    // Linux ignores faults on both tid stores: the child exists either way
    // (failing here would leave a child without threads that never exits)
    if flags & CLONE_PARENT_SETTID != 0 {
        let _ = write_i32(ptid, tid as i32);
    }
    if flags & CLONE_CHILD_SETTID != 0 {
        // in the child's memory (same as ours unless a fork copied it)
        let _ = child_proc.mm().write(ctid, &(tid as i32).to_le_bytes());
    }
    child_proc.inner.lock().threads.push(child.clone());
    process::register_task(&child);
    if flags & CLONE_VFORK != 0 {
        child_proc.inner.lock().vfork_parent = Some(t.clone());
    }
    sched::spawn(child.clone());
    if flags & CLONE_VFORK != 0 {
        // wait until the child execs or exits
        // Linux: killable; also ends when the child task itself is gone
        // (a CLONE_VFORK|CLONE_THREAD child that only exits its thread).
        let cp = child_proc.clone();
        let me = t.process();
        let _ = wait::wait_event(false, None, |w| {
            cp.child_wait.register(w);
            let killed = me.sig_pending.load(Ordering::Relaxed) & (1 << 8) != 0
                || crate::signal::fatal_pending(&t);
            if killed
                || child.state() == crate::task::State::Dead
                || cp.inner.lock().vfork_parent.is_none()
            {
                Some(())
            } else {
                None
            }
        });
    }
    Ok(tid as u64)
}

pub fn execve(
    dirfd: i32,
    path: u64,
    argv: u64,
    envp: u64,
    flags: u32,
    tf: &mut TrapFrame,
) -> SysResult {
    let path = read_path(path)?;
    let argv = read_str_array(argv, 2 << 20)?;
    let envp = read_str_array(envp, 2 << 20)?;
    let follow = flags & 0x100 == 0;
    let loc = if path.is_empty() && flags & 0x1000 != 0 {
        let f = super::fs::file(dirfd)?;
        f.location().ok_or(Errno::ENOENT)?
    } else {
        crate::fs::resolve_at(dirfd, &path, follow)?
    };
    let img = crate::exec::load(&loc, &path, argv.clone(), envp, 0)?;
    let t = current();
    let p = t.process();
    if p.threads().len() > 1 {
        de_thread(&t, &p)?;
    }
    // point of no return
    kill_other_threads(&t, &p);
    // Linux's mm_release: the old image's clear-child-tid word is cleared
    // and its waiter woken now (it matters when the memory is shared, as
    // after CLONE_VM), and neither it nor the robust list survives exec
    crate::task::futex::exit_robust_list(&t);
    // POSIX timers do not survive exec (itimers do)
    crate::time::timers::exec_timers(&t.process());
    let ctid = t.clear_child_tid.swap(0, Ordering::Relaxed);
    if ctid != 0 {
        let _ = p.mm().write(ctid, &0i32.to_le_bytes());
        crate::task::futex::wake_addr(ctid, 1);
    }
    p.set_mm(img.mm);
    crate::arch::cpu::write_cr3(p.mm_root());
    release_vfork(&p);
    p.files().lock().close_on_exec();
    // a private fd table after exec if it was shared (CLONE_FILES)
    let ft = p.files().lock().clone();
    *p.files.lock() = Arc::new(Mutex::new(ft));
    {
        // handlers reset to default; ignored stay ignored
        let acts = p.sigactions();
        let mut new = *acts.lock();
        for a in new.iter_mut() {
            // Linux's flush_signal_handlers: ignored stays ignored, but
            // flags, mask and restorer are cleared for every signal
            let ign = a.handler == signal::SIG_IGN;
            *a = Default::default();
            if ign {
                a.handler = signal::SIG_IGN;
            }
        }
        *p.sigactions.lock() = Arc::new(Mutex::new(new));
    }
    {
        let mut i = p.inner.lock();
        i.exe = img.exe.clone();
        i.did_exec = true;
        i.dumpable = true;
        // the new address space has neither mbind policies nor membarrier registrations
        i.vma_mempolicy.clear();
        i.membarrier = 0;
        i.prctl.keepcaps = false;
        let mut cl = argv.join(&0u8);
        cl.push(0);
        i.cmdline = cl;
    }
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or(&path);
    p.set_comm(name);
    *t.alt_stack.lock() = (0, 0, 2);
    t.fs_base.store(0, Ordering::Relaxed);
    t.gs_base.store(0, Ordering::Relaxed);
    t.load_user_tls();
    *t.fpu() = crate::arch::FpuState::initial();
    *tf = TrapFrame::new_user(img.entry, img.sp);
    tf.vector = 257;
    Ok(0)
}

/// Linux's de_thread: make every other thread leave through its normal
/// exit path (robust futexes released, CLONE_CHILD_CLEARTID words cleared
/// in the old image) and wait until they are gone. EAGAIN if the process
/// is being killed meanwhile (or another thread's exec won): the pending
/// exit then takes this thread too.
fn de_thread(t: &Arc<Task>, p: &Arc<Process>) -> KResult<()> {
    for th in p.threads() {
        if !Arc::ptr_eq(&th, t) {
            th.must_exit.store(true, Ordering::Release);
            th.woken.store(true, Ordering::Release);
            sched::wake(&th);
            sched::resume_stopped(&th);
        }
    }
    wait::wait_event(false, None, |w| {
        p.child_wait.register(w);
        if signal::fatal_pending(t) {
            Some(Err(Errno::EAGAIN))
        } else if p.inner.lock().threads.len() <= 1 {
            Some(Ok(()))
        } else {
            None
        }
    })?
}

fn kill_other_threads(t: &Arc<Task>, p: &Arc<Process>) {
    for th in p.threads() {
        if !Arc::ptr_eq(&th, t) {
            th.set_state(State::Dead);
            process::unregister_task(th.tid());
        }
    }
    // SMP: the killed threads must be off their CPUs before the old
    // address space goes
    for th in p.threads() {
        if !Arc::ptr_eq(&th, t) {
            sched::wait_off_cpu(&th);
        }
    }
    p.inner.lock().threads.retain(|x| Arc::ptr_eq(x, t));
    // Linux's de_thread: a non-leader thread that execs takes over the
    // leader's id, so the process keeps getpid() == gettid()
    let old = t.tid();
    if old != p.pid {
        process::unregister_task(old);
        t.set_tid(p.pid);
        process::register_task(t);
        signal::rekey_thread_info(old, p.pid);
    }
}

pub fn exit(code: i32) -> SysResult {
    let t = current();
    let alone = t.process().threads().len() <= 1;
    if alone {
        drop(t);
        return exit_group(code);
    }
    exit_thread(t, Some((code & 0xff) << 8))
}

pub fn exit_group(code: i32) -> SysResult {
    group_exit((code & 0xff) << 8)
}

pub fn wait4(pid: i32, status: u64, opts: u32, rusage: u64) -> SysResult {
    if opts & !(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE | 0x2000_0000) != 0 {
        return Err(Errno::EINVAL);
    }
    let me = current().process();
    let sel = match pid {
        -1 => Sel::Any,
        0 => Sel::Pgid(me.pgid()),
        x if x < -1 => Sel::Pgid((-x) as u32),
        x => Sel::Pid(x as u32),
    };
    match do_wait(sel, opts | WEXITED)? {
        None => Ok(0),
        Some((c, ev)) => {
            let st = match ev {
                ChildEvent::Exited(s) => s,
                ChildEvent::Stopped(sig, _) => ((sig as i32) << 8) | 0x7f,
                ChildEvent::Continued(_) => 0xffff,
            };
            // the child is reaped even when copying the status faults (Linux)
            if matches!(ev, ChildEvent::Exited(_)) {
                reap(&me, &c);
            } else {
                consume(&c, ev);
            }
            if status != 0 {
                write_i32(status, st)?;
            }
            if rusage != 0 {
                write_val(rusage, &child_rusage(&c))?;
            }
            Ok(c.pid as u64)
        }
    }
}

pub fn waitid(idtype: u32, id: i32, info: u64, opts: u32, rusage: u64) -> SysResult {
    if opts & !(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WALL | WCLONE | 0x2000_0000)
        != 0
        || opts & (WEXITED | WUNTRACED | WCONTINUED) == 0
    {
        return Err(Errno::EINVAL);
    }
    let me = current().process();
    let sel = match idtype {
        0 => Sel::Any,
        1 if id > 0 => Sel::Pid(id as u32),
        2 if id >= 0 => Sel::Pgid(if id == 0 { me.pgid() } else { id as u32 }),
        _ => return Err(Errno::EINVAL),
    };
    let found = match do_wait(sel, opts) {
        Ok(f) => f,
        Err(e) if e == Errno::ERESTARTSYS => return Err(e),
        Err(e) => {
            // Linux writes infop even when the wait failed: a bad pointer wins
            if info != 0 {
                write_val(info, &SigInfo::new(0, 0)).map_err(|_| Errno::EFAULT)?;
            }
            return Err(e);
        }
    };
    match found {
        None => {
            if info != 0 {
                write_val(info, &SigInfo::new(0, 0))?;
            }
            Ok(0)
        }
        Some((c, ev)) => {
            let uid = c.creds().uid;
            let si = match ev {
                ChildEvent::Exited(s) if s & 0x7f == 0 => {
                    SigInfo::child(signal::CLD_EXITED, c.pid as i32, uid, (s >> 8) & 0xff, 0, 0)
                }
                ChildEvent::Exited(s) if s & 0x80 != 0 => {
                    SigInfo::child(signal::CLD_DUMPED, c.pid as i32, uid, s & 0x7f, 0, 0)
                }
                ChildEvent::Exited(s) => {
                    SigInfo::child(signal::CLD_KILLED, c.pid as i32, uid, s & 0x7f, 0, 0)
                }
                ChildEvent::Stopped(sig, _) => {
                    SigInfo::child(signal::CLD_STOPPED, c.pid as i32, uid, sig as i32, 0, 0)
                }
                ChildEvent::Continued(_) => {
                    SigInfo::child(signal::CLD_CONTINUED, c.pid as i32, uid, 18, 0, 0)
                }
            };
            let mut si = si;
            si.si_signo = 17;
            if opts & WNOWAIT == 0 {
                if matches!(ev, ChildEvent::Exited(_)) {
                    reap(&me, &c);
                } else {
                    consume(&c, ev);
                }
            }
            if rusage != 0 {
                write_val(rusage, &child_rusage(&c))?;
            }
            if info != 0 {
                write_val(info, &si)?;
            }
            Ok(0)
        }
    }
}

pub fn getpid() -> SysResult {
    Ok(current().process().pid as u64)
}
pub fn gettid() -> SysResult {
    Ok(current().tid() as u64)
}
pub fn getppid() -> SysResult {
    Ok(sched::current_task().process_ref().ppid() as u64)
}

fn proc_by_pid(pid: i32) -> KResult<Arc<Process>> {
    if pid == 0 {
        return Ok(current().process());
    }
    if pid < 0 {
        return Err(Errno::ESRCH);
    }
    // zombies still have their ids (getpgid/getsid on them succeed)
    process::find_process(pid as u32).ok_or(Errno::ESRCH)
}

pub fn getpgid(pid: i32) -> SysResult {
    Ok(proc_by_pid(pid)?.pgid() as u64)
}

pub fn getsid(pid: i32) -> SysResult {
    Ok(proc_by_pid(pid)?.sid() as u64)
}

pub fn setpgid(pid: i32, pgid: i32) -> SysResult {
    if pgid < 0 {
        return Err(Errno::EINVAL);
    }
    let me = current().process();
    let target = proc_by_pid(pid)?;
    let is_child = target.parent().is_some_and(|pp| Arc::ptr_eq(&pp, &me));
    if !Arc::ptr_eq(&target, &me) && !is_child {
        return Err(Errno::ESRCH);
    }
    if target.sid() == target.pid {
        return Err(Errno::EPERM);
    }
    if is_child && !Arc::ptr_eq(&target, &me) && target.inner.lock().did_exec {
        return Err(Errno::EACCES);
    }
    if target.sid() != me.sid() {
        return Err(Errno::EPERM);
    }
    let new = if pgid == 0 { target.pid } else { pgid as u32 };
    if new != target.pid {
        // the group must exist in our session
        let ok = process::all_processes()
            .iter()
            .any(|q| q.pgid() == new && q.sid() == me.sid());
        if !ok {
            return Err(Errno::EPERM);
        }
    }
    target.inner.lock().pgid = new;
    Ok(0)
}

pub fn setsid() -> SysResult {
    let p = current().process();
    let pid = p.pid;
    if process::all_processes().iter().any(|q| q.pgid() == pid) {
        return Err(Errno::EPERM);
    }
    let mut i = p.inner.lock();
    i.sid = pid;
    i.pgid = pid;
    Ok(pid as u64)
}

pub fn set_tid_address(addr: u64) -> SysResult {
    let t = current();
    t.clear_child_tid.store(addr, Ordering::Relaxed);
    Ok(t.tid() as u64)
}

fn with_creds<R>(f: impl FnOnce(&mut Creds) -> KResult<R>) -> KResult<R> {
    let p = current().process();
    let mut i = p.inner.lock();
    f(&mut i.creds)
}

pub fn getuid() -> SysResult {
    Ok(current().process().creds().uid as u64)
}
pub fn geteuid() -> SysResult {
    Ok(current().process().creds().euid as u64)
}
pub fn getgid() -> SysResult {
    Ok(current().process().creds().gid as u64)
}
pub fn getegid() -> SysResult {
    Ok(current().process().creds().egid as u64)
}

pub fn setuid(uid: u32) -> SysResult {
    with_creds(|c| {
        if c.euid == 0 {
            c.uid = uid;
            c.euid = uid;
            c.suid = uid;
        } else if uid == c.uid || uid == c.suid {
            c.euid = uid;
        } else {
            return Err(Errno::EPERM);
        }
        Ok(0)
    })
}

pub fn setgid(gid: u32) -> SysResult {
    with_creds(|c| {
        if c.euid == 0 {
            c.gid = gid;
            c.egid = gid;
            c.sgid = gid;
        } else if gid == c.gid || gid == c.sgid {
            c.egid = gid;
        } else {
            return Err(Errno::EPERM);
        }
        Ok(0)
    })
}

fn set3(cur: (u32, u32, u32), new: (u32, u32, u32), privileged: bool) -> KResult<(u32, u32, u32)> {
    let ok = |v: u32| v == u32::MAX || privileged || v == cur.0 || v == cur.1 || v == cur.2;
    if !(ok(new.0) && ok(new.1) && ok(new.2)) {
        return Err(Errno::EPERM);
    }
    let pick = |v: u32, old: u32| if v == u32::MAX { old } else { v };
    Ok((pick(new.0, cur.0), pick(new.1, cur.1), pick(new.2, cur.2)))
}

pub fn setresuid(r: u32, e: u32, s: u32) -> SysResult {
    with_creds(|c| {
        let n = set3((c.uid, c.euid, c.suid), (r, e, s), c.euid == 0)?;
        (c.uid, c.euid, c.suid) = n;
        Ok(0)
    })
}
pub fn setresgid(r: u32, e: u32, s: u32) -> SysResult {
    with_creds(|c| {
        let n = set3((c.gid, c.egid, c.sgid), (r, e, s), c.euid == 0)?;
        (c.gid, c.egid, c.sgid) = n;
        Ok(0)
    })
}
pub fn setreuid(r: u32, e: u32) -> SysResult {
    setresuid(
        r,
        e,
        if r != u32::MAX || e != u32::MAX {
            e
        } else {
            u32::MAX
        },
    )
}
pub fn setregid(r: u32, e: u32) -> SysResult {
    setresgid(
        r,
        e,
        if r != u32::MAX || e != u32::MAX {
            e
        } else {
            u32::MAX
        },
    )
}
pub fn getresuid(r: u64, e: u64, s: u64) -> SysResult {
    let c = current().process().creds();
    write_val(r, &c.uid)?;
    write_val(e, &c.euid)?;
    write_val(s, &c.suid)?;
    Ok(0)
}
pub fn getresgid(r: u64, e: u64, s: u64) -> SysResult {
    let c = current().process().creds();
    write_val(r, &c.gid)?;
    write_val(e, &c.egid)?;
    write_val(s, &c.sgid)?;
    Ok(0)
}
pub fn getgroups(size: i32, list: u64) -> SysResult {
    if size < 0 {
        return Err(Errno::EINVAL);
    }
    let g = current().process().inner.lock().groups.clone();
    if size == 0 {
        return Ok(g.len() as u64);
    }
    if (size as usize) < g.len() {
        return Err(Errno::EINVAL);
    }
    let bytes: Vec<u8> = g.iter().flat_map(|x| x.to_le_bytes()).collect();
    write_bytes(list, &bytes)?;
    Ok(g.len() as u64)
}
pub fn setgroups(size: u64, list: u64) -> SysResult {
    if size > 65536 {
        return Err(Errno::EINVAL);
    }
    if current().process().creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    let raw = read_bytes(list, size as usize * 4)?;
    let mut g: Vec<u32> = raw
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    g.sort_unstable();
    current().process().inner.lock().groups = g;
    Ok(0)
}
pub fn setfsid() -> SysResult {
    Ok(current().process().creds().euid as u64)
}

pub fn capget(hdr: u64, data: u64) -> SysResult {
    let ver = read_val::<u32>(hdr)?;
    if ver != 0x2008_0522 && ver != 0x2007_1026 && ver != 0x1998_0330 {
        write_val(hdr, &0x2008_0522u32)?;
        return Err(Errno::EINVAL);
    }
    if data != 0 {
        let full: u32 = if current().process().creds().euid == 0 {
            0xffff_ffff
        } else {
            0
        };
        let v = [full, full, 0, 0x1ff & full, 0x1ff & full, 0];
        for (i, x) in v.iter().enumerate() {
            write_val(data + i as u64 * 4, x)?;
        }
    }
    Ok(0)
}

pub fn set_robust_list(head: u64, len: u64) -> SysResult {
    if len != 24 {
        return Err(Errno::EINVAL);
    }
    current().robust_list.store(head, Ordering::Relaxed);
    Ok(0)
}

pub fn get_robust_list(pid: i32, head: u64, len: u64) -> SysResult {
    let t = if pid == 0 {
        current()
    } else {
        process::find_task(pid as u32).ok_or(Errno::ESRCH)?
    };
    write_u64(head, t.robust_list.load(Ordering::Relaxed))?;
    write_u64(len, 24)?;
    Ok(0)
}

pub fn prctl(op: u32, a1: u64, a2: u64, a3: u64, a4: u64) -> SysResult {
    const PR_SET_PDEATHSIG: u32 = 1;
    const PR_GET_PDEATHSIG: u32 = 2;
    const PR_GET_DUMPABLE: u32 = 3;
    const PR_SET_DUMPABLE: u32 = 4;
    const PR_GET_KEEPCAPS: u32 = 7;
    const PR_SET_KEEPCAPS: u32 = 8;
    const PR_SET_NAME: u32 = 15;
    const PR_GET_NAME: u32 = 16;
    const PR_GET_SECCOMP: u32 = 21;
    const PR_CAPBSET_READ: u32 = 23;
    const PR_GET_TIMERSLACK: u32 = 30;
    const PR_SET_TIMERSLACK: u32 = 29;
    const PR_SET_CHILD_SUBREAPER: u32 = 36;
    const PR_GET_CHILD_SUBREAPER: u32 = 37;
    const PR_SET_NO_NEW_PRIVS: u32 = 38;
    const PR_GET_NO_NEW_PRIVS: u32 = 39;
    const PR_GET_TID_ADDRESS: u32 = 40;
    const PR_SET_THP_DISABLE: u32 = 41;
    const PR_GET_THP_DISABLE: u32 = 42;
    const PR_SET_VMA: u32 = 0x5356_4d41;
    let t = current();
    let p = t.process();
    match op {
        PR_SET_PDEATHSIG => {
            if a1 > 64 {
                return Err(Errno::EINVAL);
            }
            p.inner.lock().pdeathsig = a1 as u32;
            Ok(0)
        }
        PR_GET_PDEATHSIG => {
            let v = p.inner.lock().pdeathsig;
            write_i32(a1, v as i32)?;
            Ok(0)
        }
        PR_GET_DUMPABLE => Ok(p.inner.lock().dumpable as u64),
        PR_SET_DUMPABLE => {
            if a1 > 1 {
                return Err(Errno::EINVAL);
            }
            p.inner.lock().dumpable = a1 == 1;
            Ok(0)
        }
        PR_GET_KEEPCAPS => Ok(p.inner.lock().prctl.keepcaps as u64),
        PR_SET_KEEPCAPS => {
            if a1 > 1 {
                return Err(Errno::EINVAL);
            }
            p.inner.lock().prctl.keepcaps = a1 == 1;
            Ok(0)
        }
        PR_SET_NAME => {
            // like strncpy_from_user(comm, arg, 15): up to 15 bytes or a NUL
            let mut name = [0u8; 15];
            let mut n = 0;
            while n < name.len() {
                let mut b = [0u8; 1];
                crate::uaccess::read_into(a1 + n as u64, &mut b)?;
                if b[0] == 0 {
                    break;
                }
                name[n] = b[0];
                n += 1;
            }
            p.set_comm(&name[..n]);
            Ok(0)
        }
        PR_GET_NAME => {
            let c = p.inner.lock().comm;
            write_bytes(a1, &c)?;
            Ok(0)
        }
        PR_GET_SECCOMP => Ok(0),
        PR_CAPBSET_READ => {
            if a1 > 40 {
                return Err(Errno::EINVAL);
            }
            Ok(1)
        }
        PR_GET_TIMERSLACK => Ok(p.inner.lock().prctl.timer_slack_ns),
        PR_SET_TIMERSLACK => {
            // 0 restores the default (the parent's slack at fork)
            let mut i = p.inner.lock();
            i.prctl.timer_slack_ns = if a1 == 0 {
                i.prctl.default_timer_slack_ns
            } else {
                a1
            };
            Ok(0)
        }
        PR_SET_CHILD_SUBREAPER => {
            p.inner.lock().subreaper = a1 != 0;
            Ok(0)
        }
        PR_GET_CHILD_SUBREAPER => {
            let v = p.inner.lock().subreaper;
            write_i32(a1, v as i32)?;
            Ok(0)
        }
        PR_SET_NO_NEW_PRIVS => {
            if a1 != 1 || a2 != 0 || a3 != 0 || a4 != 0 {
                return Err(Errno::EINVAL);
            }
            p.inner.lock().no_new_privs = true;
            Ok(0)
        }
        PR_GET_NO_NEW_PRIVS => {
            if a1 != 0 || a2 != 0 || a3 != 0 || a4 != 0 {
                return Err(Errno::EINVAL);
            }
            Ok(p.inner.lock().no_new_privs as u64)
        }
        PR_GET_TID_ADDRESS => {
            write_u64(a1, t.clear_child_tid.load(Ordering::Relaxed))?;
            Ok(0)
        }
        PR_SET_THP_DISABLE | PR_GET_THP_DISABLE if a2 != 0 || a3 != 0 || a4 != 0 => {
            Err(Errno::EINVAL)
        }
        PR_SET_THP_DISABLE => {
            p.inner.lock().prctl.thp_disable = a1 != 0;
            Ok(0)
        }
        PR_GET_THP_DISABLE if a1 != 0 => Err(Errno::EINVAL),
        PR_GET_THP_DISABLE => Ok(p.inner.lock().prctl.thp_disable as u64),
        PR_SET_VMA => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

pub fn arch_prctl(code: u32, addr: u64) -> SysResult {
    const ARCH_SET_GS: u32 = 0x1001;
    const ARCH_SET_FS: u32 = 0x1002;
    const ARCH_GET_FS: u32 = 0x1003;
    const ARCH_GET_GS: u32 = 0x1004;
    const ARCH_GET_CPUID: u32 = 0x1011;
    const ARCH_SET_CPUID: u32 = 0x1012;
    let t = current();
    let canonical = addr < 0x0000_8000_0000_0000;
    match code {
        ARCH_SET_FS => {
            if !canonical {
                return Err(Errno::EPERM);
            }
            t.fs_base.store(addr, Ordering::Relaxed);
            crate::arch::cpu::set_fs_base(addr);
            Ok(0)
        }
        ARCH_SET_GS => {
            if !canonical {
                return Err(Errno::EPERM);
            }
            t.gs_base.store(addr, Ordering::Relaxed);
            crate::arch::cpu::set_user_gs_base(addr);
            Ok(0)
        }
        ARCH_GET_FS => {
            write_u64(addr, t.fs_base.load(Ordering::Relaxed))?;
            Ok(0)
        }
        ARCH_GET_GS => {
            t.save_user_tls();
            write_u64(addr, t.gs_base.load(Ordering::Relaxed))?;
            Ok(0)
        }
        ARCH_GET_CPUID => Ok(1),
        ARCH_SET_CPUID => Err(Errno::ENODEV),
        _ => Err(Errno::EINVAL),
    }
}

pub fn sched_yield() -> SysResult {
    sched::yield_now();
    Ok(0)
}

pub fn sched_getaffinity(pid: i32, len: u64, mask: u64) -> SysResult {
    if pid < 0 {
        return Err(Errno::ESRCH);
    }
    if pid != 0 && process::find_task(pid as u32).is_none() {
        return Err(Errno::ESRCH);
    }
    if len < 8 || len & 7 != 0 {
        return Err(Errno::EINVAL);
    }
    write_u64(mask, 1)?;
    Ok(8)
}

pub fn sched_getparam(param: u64) -> SysResult {
    write_i32(param, 0)?;
    Ok(0)
}
