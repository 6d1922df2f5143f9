//! Signal syscalls.
use super::SysResult;
use crate::signal::{self as sig, UNBLOCKABLE};
use crate::task::process::{self, SigAction};
use crate::task::{current, wait};
use crate::uaccess::*;
use core::sync::atomic::Ordering;
use rill_abi::types::{KernelSigaction, SigInfo, StackT};
use rill_abi::{Errno, KResult};

/// The sa_flags bits Linux x86_64 accepts and reports back: SA_NOCLDSTOP,
/// SA_NOCLDWAIT, SA_SIGINFO, SA_EXPOSE_TAGBITS, SA_RESTORER, SA_ONSTACK,
/// SA_RESTART, SA_NODEFER, SA_RESETHAND.
const UAPI_SA_FLAGS: u64 =
    0x1 | 0x2 | 0x4 | 0x800 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x4000_0000 | 0x8000_0000;

fn valid(signo: u32) -> KResult<()> {
    if (1..=64).contains(&signo) {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

pub fn rt_sigaction(signo: u32, act: u64, old: u64, size: u64) -> SysResult {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    valid(signo)?;
    let p = current().process();
    let acts = p.sigactions();
    let new = if act != 0 {
        if signo == sig::SIGKILL || signo == sig::SIGSTOP {
            return Err(Errno::EINVAL);
        }
        Some(read_val::<KernelSigaction>(act)?)
    } else {
        None
    };
    let prev = acts.lock()[(signo - 1) as usize];
    if old != 0 {
        write_val(
            old,
            &KernelSigaction {
                handler: prev.handler,
                flags: prev.flags,
                restorer: prev.restorer,
                mask: prev.mask,
            },
        )?;
    }
    if let Some(n) = new {
        acts.lock()[(signo - 1) as usize] = SigAction {
            handler: n.handler,
            // Linux keeps only the flags it knows (UAPI_SA_FLAGS), so a
            // program can see which ones the kernel supports
            flags: n.flags & UAPI_SA_FLAGS,
            restorer: n.restorer,
            mask: n.mask & !UNBLOCKABLE,
        };
        // setting SIG_IGN (or default-ignore) discards pending instances
        let ign = n.handler == sig::SIG_IGN
            || (n.handler == sig::SIG_DFL
                && matches!(signo, sig::SIGCHLD | sig::SIGURG | sig::SIGWINCH));
        if ign {
            sig::discard(&p, signo);
        }
    }
    Ok(0)
}

pub fn rt_sigprocmask(how: u32, set: u64, old: u64, size: u64) -> SysResult {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let t = current();
    let cur = t.sig_mask.load(Ordering::Relaxed);
    let new = if set != 0 {
        let s = read_u64(set)?;
        let m = rill_abi::sigset::apply_sigprocmask(
            rill_abi::sigset::SigSet(cur),
            how,
            rill_abi::sigset::SigSet(s),
        )?;
        Some(m.0)
    } else {
        // Linux ignores `how` when there is no new set
        None
    };
    // Linux applies the new mask before writing the old one out (an EFAULT
    // there leaves the change in place)
    if let Some(n) = new {
        t.sig_mask.store(n & !UNBLOCKABLE, Ordering::Release);
    }
    if old != 0 {
        write_u64(old, cur)?;
    }
    Ok(0)
}

pub fn rt_sigpending(set: u64, size: u64) -> SysResult {
    if size > 8 {
        return Err(Errno::EINVAL);
    }
    let t = current();
    let p = t.process();
    let pend = (t.sig_pending.load(Ordering::Relaxed) | p.sig_pending.load(Ordering::Relaxed))
        & t.sig_mask.load(Ordering::Relaxed);
    write_bytes(set, &pend.to_le_bytes()[..size as usize])?;
    Ok(0)
}

pub fn rt_sigsuspend(mask: u64, size: u64) -> SysResult {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let m = read_u64(mask)?;
    let t = current();
    let old = t.sig_mask.swap(m & !UNBLOCKABLE, Ordering::AcqRel);
    *t.saved_mask.lock() = Some(old);
    let _ = wait::wait_event(true, None, |_| None::<()>);
    // the handler frame restores `old` via saved_mask; if no handler runs
    // (e.g. the signal was ignored meanwhile) restore it now
    if t.deliverable_signals() == 0 {
        if let Some(o) = t.saved_mask.lock().take() {
            t.sig_mask.store(o, Ordering::Release);
        }
    }
    Err(Errno::ERESTARTNOHAND)
}

pub fn pause() -> SysResult {
    let _ = wait::wait_event(true, None, |_| None::<()>);
    Err(Errno::ERESTARTNOHAND)
}

pub fn rt_sigtimedwait(set: u64, info: u64, timeout: u64, size: u64) -> SysResult {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let s = read_u64(set)? & !UNBLOCKABLE;
    let deadline = if timeout != 0 {
        let ts: rill_abi::types::Timespec = read_val(timeout)?;
        let ns = rill_abi::time::timespec_ns(&ts)?;
        Some(rill_abi::time::deadline_after(crate::time::now_ns(), ns))
    } else {
        None
    };
    let t = current();
    // the awaited signals are unblocked while we wait (Linux's real_blocked),
    // so their arrival wakes us; we take them before any handler could run
    let old = t.sig_mask.load(Ordering::Relaxed);
    t.real_blocked.store(old, Ordering::Release);
    t.sig_mask.store(old & !s, Ordering::Release);
    let r = wait::wait_event(true, deadline, |_| sig::take_from_set(&t, s));
    t.sig_mask.store(old, Ordering::Release);
    t.real_blocked.store(0, Ordering::Release);
    match r {
        Ok((signo, si)) => {
            if info != 0 {
                write_val(info, &si)?;
            }
            Ok(signo as u64)
        }
        Err(Errno::ETIMEDOUT) => Err(Errno::EAGAIN),
        Err(Errno::ERESTARTSYS) => Err(Errno::EINTR),
        Err(e) => Err(e),
    }
}

pub fn rt_sigqueueinfo(pid: i32, signo: u32, info: u64) -> SysResult {
    let si: SigInfo = read_val(info)?;
    // user space may not impersonate the kernel or kill() towards others
    // (Linux compares the caller's thread id, task_pid_vnr(current))
    if (si.si_code >= 0 || si.si_code == sig::SI_TKILL) && current().tid() != pid as u32 {
        return Err(Errno::EPERM);
    }
    let p = process::find_process(pid as u32).ok_or(Errno::ESRCH)?;
    if !may_signal(&p) {
        return Err(Errno::EPERM);
    }
    if signo != 0 {
        valid(signo)?;
        let mut si = si;
        si.si_signo = signo as i32;
        sig::send_to_process(&p, signo, si);
    }
    Ok(0)
}

/// rt_tgsigqueueinfo: rt_sigqueueinfo aimed at one thread of a group.
pub fn rt_tgsigqueueinfo(tgid: i32, tid: i32, signo: u32, info: u64) -> SysResult {
    if tgid <= 0 || tid <= 0 {
        return Err(Errno::EINVAL);
    }
    let si: SigInfo = read_val(info)?;
    // Linux compares the caller's thread id with the target thread
    if (si.si_code >= 0 || si.si_code == sig::SI_TKILL) && current().tid() != tid as u32 {
        return Err(Errno::EPERM);
    }
    let t = process::find_task(tid as u32).ok_or(Errno::ESRCH)?;
    if t.process().pid != tgid as u32 {
        return Err(Errno::ESRCH);
    }
    if !may_signal(&t.process()) {
        return Err(Errno::EPERM);
    }
    if signo != 0 {
        valid(signo)?;
        let mut si = si;
        si.si_signo = signo as i32;
        sig::send_to_task(&t, signo, si);
    }
    Ok(0)
}

pub fn sigaltstack(ss: u64, old: u64) -> SysResult {
    let t = current();
    let (sp, size, flags) = *t.alt_stack.lock();
    let rsp = t.trap_frame().rsp;
    let on = size != 0 && rsp > sp && rsp <= sp + size;
    if old != 0 {
        let o = StackT {
            ss_sp: sp,
            ss_flags: if on {
                1
            } else if size == 0 {
                2
            } else {
                flags as i32 & !2
            },
            _pad0: 0,
            ss_size: size,
        };
        write_val(old, &o)?;
    }
    if ss != 0 {
        let n: StackT = read_val(ss)?;
        if on {
            return Err(Errno::EPERM);
        }
        // SS_ONSTACK (1) is accepted as "enable", like Linux does for
        // compatibility; SS_AUTODISARM (1 << 31) may be added
        let f = n.ss_flags as u32 & !0x8000_0000;
        if f > 2 {
            return Err(Errno::EINVAL);
        }
        if f == 2 {
            *t.alt_stack.lock() = (0, 0, 2);
        } else {
            if n.ss_size < 2048 {
                return Err(Errno::ENOMEM);
            }
            *t.alt_stack.lock() = (n.ss_sp, n.ss_size, n.ss_flags as u32 & 0x8000_0000);
        }
    }
    Ok(0)
}

fn may_signal(target: &process::Process) -> bool {
    let me = current().process().creds();
    let c = target.creds();
    me.euid == 0 || me.euid == c.uid || me.uid == c.uid || me.euid == c.suid || me.uid == c.suid
}

pub fn kill(pid: i32, signo: u32) -> SysResult {
    if signo > 64 {
        return Err(Errno::EINVAL);
    }
    let me = current().process();
    let info = SigInfo::kill(signo, sig::SI_USER, me.pid as i32, me.creds().uid);
    // a zombie still counts as a target (the signal is accepted, then lost)
    let send = |p: &alloc::sync::Arc<process::Process>| -> KResult<()> {
        if !may_signal(p) {
            return Err(Errno::EPERM);
        }
        if signo != 0 && !p.inner.lock().threads.is_empty() {
            sig::send_to_process(p, signo, info);
        }
        Ok(())
    };
    if pid > 0 {
        // a thread id names the thread's process too (Linux finds the task
        // by any of its ids and signals its thread group)
        let p = process::find_process(pid as u32)
            .or_else(|| process::find_task(pid as u32).map(|t| t.process()))
            .ok_or(Errno::ESRCH)?;
        send(&p)?;
        return Ok(0);
    }
    if pid == i32::MIN {
        return Err(Errno::ESRCH);
    }
    if pid == -1 {
        // Linux: everyone but init and the caller; EPERM on some (or all)
        // targets is not an error, only having no target at all is
        let mut count = 0;
        for p in process::all_processes() {
            if p.pid > 1 && p.pid != me.pid {
                count += 1;
                let _ = send(&p);
            }
        }
        return if count > 0 { Ok(0) } else { Err(Errno::ESRCH) };
    }
    // a process group: success if any member could be signalled
    let pgid = if pid == 0 { me.pgid() } else { (-pid) as u32 };
    let mut result = Err(Errno::ESRCH);
    for p in process::all_processes() {
        if p.pgid() == pgid {
            match send(&p) {
                Ok(()) => result = Ok(0),
                Err(e) if result.is_err() => result = Err(e),
                Err(_) => {}
            }
        }
    }
    result
}

pub fn tgkill(tgid: i32, tid: i32, signo: u32) -> SysResult {
    if signo > 64 || tid <= 0 || (tgid <= 0 && tgid != -1) {
        return Err(Errno::EINVAL);
    }
    let t = process::find_task(tid as u32).ok_or(Errno::ESRCH)?;
    if tgid != -1 && t.process().pid != tgid as u32 {
        return Err(Errno::ESRCH);
    }
    // Linux check_kill_permission, as for kill()
    if !may_signal(&t.process()) {
        return Err(Errno::EPERM);
    }
    if signo != 0 {
        let me = current().process();
        sig::send_to_task(
            &t,
            signo,
            SigInfo::kill(signo, sig::SI_TKILL, me.pid as i32, me.creds().uid),
        );
    }
    Ok(0)
}

/// restart_syscall(2): resume the interrupted call recorded in the task's
/// restart state (a timed futex wait here, sleeps in time.rs).
pub fn restart_syscall() -> SysResult {
    if let Some(r) = crate::task::futex::restart_wait() {
        return r;
    }
    super::time::restart_syscall()
}
