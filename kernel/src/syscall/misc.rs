//! uname, sysinfo, getrandom, resource limits, reboot, hostname, syslog.
use super::SysResult;
use crate::task::{current, process, uts, SchedAttr, Task};
use crate::uaccess::*;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;
use rill_abi::types::{Rlimit, Sysinfo};
use rill_abi::{Errno, KResult};

pub fn uname(buf: u64) -> SysResult {
    write_val(buf, &uts::utsname())?;
    Ok(0)
}

fn set_name(set: fn(&[u8]), name: u64, len: u64) -> SysResult {
    if len > uts::NAME_MAX as u64 {
        return Err(Errno::EINVAL);
    }
    if current().process().creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    let b = read_bytes(name, len as usize)?;
    set(&b);
    Ok(0)
}

pub fn sethostname(name: u64, len: u64) -> SysResult {
    set_name(uts::set_hostname, name, len)
}
pub fn setdomainname(name: u64, len: u64) -> SysResult {
    set_name(uts::set_domainname, name, len)
}

pub fn sysinfo(buf: u64) -> SysResult {
    let mut s: Sysinfo = zeroed();
    s.uptime = (crate::time::now_ns() / 1_000_000_000) as i64;
    let total = crate::mm::phys::TOTAL_RAM.load(Ordering::Relaxed);
    let (heap_total, heap_used) = crate::mm::phys::heap_stats();
    let _ = heap_total;
    s.totalram = total;
    s.freeram = total.saturating_sub(heap_used as u64);
    // Linux counts threads (nr_threads), not processes; like Linux, it wraps at u16
    s.procs = process::all_processes()
        .iter()
        .map(|p| p.threads().len())
        .sum::<usize>() as u16;
    s.mem_unit = 1;
    write_val(buf, &s)?;
    Ok(0)
}

pub fn getrandom(buf: u64, len: u64, flags: u32) -> SysResult {
    if flags & !7 != 0 || flags & 6 == 6 {
        return Err(Errno::EINVAL);
    }
    let n = (len as usize).min(33554431);
    if n == 0 {
        return Ok(0);
    }
    let mut v = try_buf(n)?;
    crate::random::fill(&mut v);
    // like Linux, a fault part-way returns the bytes written so far
    Ok(write_bytes_partial(buf, &v)? as u64)
}

pub fn prlimit64(pid: i32, res: u32, new: u64, old: u64) -> SysResult {
    if res >= 16 {
        return Err(Errno::EINVAL);
    }
    let p = if pid == 0 {
        current().process()
    } else {
        process::find_process(pid as u32).ok_or(Errno::ESRCH)?
    };
    let newv = if new != 0 {
        let r: Rlimit = read_val(new)?;
        if r.rlim_cur > r.rlim_max {
            return Err(Errno::EINVAL);
        }
        Some(r)
    } else {
        None
    };
    let me = current().process().creds();
    let root = me.euid == 0;
    // Linux's check_prlimit_permission, for reading too: another process's limits only when
    // all its uids are the caller's real uid and all its gids the caller's real gid, or
    // with CAP_SYS_RESOURCE (root here)
    if pid != 0 && !root {
        let t = p.creds();
        let same_uid = [t.uid, t.euid, t.suid].iter().all(|&u| u == me.uid);
        let same_gid = [t.gid, t.egid, t.sgid].iter().all(|&g| g == me.gid);
        if !(same_uid && same_gid) {
            return Err(Errno::EPERM);
        }
    }
    let mut i = p.inner.lock();
    let cur = i.rlimits[res as usize];
    if old != 0 {
        drop(i);
        write_val(
            old,
            &Rlimit {
                rlim_cur: cur.0,
                rlim_max: cur.1,
            },
        )?;
        i = p.inner.lock();
    }
    if let Some(r) = newv {
        if r.rlim_max > cur.1 && !root {
            return Err(Errno::EPERM);
        }
        if res == 7 && r.rlim_max > 1024 * 1024 {
            return Err(Errno::EPERM);
        }
        i.rlimits[res as usize] = (r.rlim_cur, r.rlim_max);
    }
    Ok(0)
}

pub fn reboot(magic1: u32, magic2: u32, cmd: u32) -> SysResult {
    if magic1 != 0xfee1_dead || !matches!(magic2, 672274793 | 85072278 | 369367448 | 537993216) {
        return Err(Errno::EINVAL);
    }
    if current().process().creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    match cmd {
        0x4321_fedc | 0xcdef_0123 => crate::arch::power_off(),
        0x0123_4567 | 0xa1b2_c3d4 => crate::arch::reboot(),
        0x89ab_cdef | 0 => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

pub fn syslog(ty: i32, _buf: u64, len: i32) -> SysResult {
    match ty {
        0 | 1 | 6 | 7 | 8 => Ok(0),
        2..=4 => {
            if len < 0 {
                return Err(Errno::EINVAL);
            }
            Ok(0)
        }
        5 => Ok(0),
        9 | 10 => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

pub fn getcpu(cpu: u64, node: u64) -> SysResult {
    if cpu != 0 {
        write_val(cpu, &(crate::arch::cpu::cpu_id() as u32))?;
    }
    if node != 0 {
        write_val(node, &0u32)?;
    }
    Ok(0)
}

// ---- nice values (getpriority/setpriority): a field of each thread (Task::sched_attr).
// Rill's scheduler ignores them; a new thread or child inherits its creator's value.

fn nice_of(t: &Arc<Task>) -> i32 {
    t.sched_attr.lock().nice
}

/// The threads `which`/`who` name: PRIO_PROCESS a thread id (0: the caller), PRIO_PGRP
/// every thread of a process group, PRIO_USER every thread of a user's processes.
fn prio_targets(which: i32, who: u32) -> KResult<Vec<Arc<Task>>> {
    let me = current();
    let threads_of = |keep: &dyn Fn(&Arc<crate::task::Process>) -> bool| {
        process::all_processes()
            .into_iter()
            .filter(|p| keep(p))
            .flat_map(|p| p.threads())
            .collect::<Vec<_>>()
    };
    let v: Vec<_> = match which {
        0 => {
            if who == 0 {
                alloc::vec![me]
            } else {
                process::find_task(who).into_iter().collect()
            }
        }
        1 => {
            let g = if who == 0 { me.process().pgid() } else { who };
            threads_of(&|p| p.pgid() == g)
        }
        2 => {
            let u = if who == 0 {
                me.process().creds().uid
            } else {
                who
            };
            threads_of(&|p| p.creds().uid == u)
        }
        _ => return Err(Errno::EINVAL),
    };
    if v.is_empty() {
        return Err(Errno::ESRCH);
    }
    Ok(v)
}

pub fn getpriority(which: i32, who: u32) -> SysResult {
    let v = prio_targets(which, who)?;
    let best = v.iter().map(nice_of).min().unwrap_or(0);
    Ok((20 - best) as u64)
}

pub fn setpriority(which: i32, who: u32, nice: i32) -> SysResult {
    let v = prio_targets(which, who)?;
    let nice = nice.clamp(-20, 19);
    let me = current().process().creds();
    for t in v {
        let c = t.process().creds();
        if me.euid != 0 && me.euid != c.uid && me.euid != c.euid {
            return Err(Errno::EPERM);
        }
        if nice < nice_of(&t) && me.euid != 0 {
            return Err(Errno::EACCES);
        }
        t.sched_attr.lock().nice = nice;
    }
    Ok(0)
}

// ---- scheduling policy, priority and CPU affinity: fields of each thread
// (Task::sched_attr, Task::affinity; the scheduler honours the affinity). Rill's scheduler
// does not act on the policy yet; it is validated with Linux's rules and errnos and
// inherited like Linux (SchedAttr::for_child: SCHED_RESET_ON_FORK).

const SCHED_OTHER: u32 = crate::task::SCHED_OTHER;
const SCHED_FIFO: u32 = crate::task::SCHED_FIFO;
const SCHED_RR: u32 = crate::task::SCHED_RR;
const SCHED_BATCH: u32 = 3;
const SCHED_IDLE: u32 = 5;
const SCHED_DEADLINE: u32 = 6;
const SCHED_RESET_ON_FORK: u32 = 0x4000_0000;
const RLIMIT_RTPRIO: usize = 14;

/// Online CPUs.
pub fn nr_cpus() -> u32 {
    crate::arch::smp::online_cpus() as u32
}

fn all_cpus() -> u64 {
    let n = nr_cpus().min(64);
    if n == 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

fn sched_attr(t: &Arc<Task>) -> SchedAttr {
    *t.sched_attr.lock()
}

fn sched_target(pid: i32) -> KResult<alloc::sync::Arc<crate::task::Task>> {
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    if pid == 0 {
        return Ok(current());
    }
    process::find_task(pid as u32).ok_or(Errno::ESRCH)
}

/// May the caller change `t`'s scheduling? (Linux check_same_owner)
fn may_change(t: &alloc::sync::Arc<crate::task::Task>) -> bool {
    let me = current().process().creds();
    let c = t.process().creds();
    me.euid == 0 || me.euid == c.uid || me.euid == c.euid
}

pub fn sched_get_priority_max(policy: i32) -> SysResult {
    match policy as u32 {
        SCHED_FIFO | SCHED_RR => Ok(99),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE | SCHED_DEADLINE => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

pub fn sched_get_priority_min(policy: i32) -> SysResult {
    match policy as u32 {
        SCHED_FIFO | SCHED_RR => Ok(1),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE | SCHED_DEADLINE => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

pub fn sched_getscheduler(pid: i32) -> SysResult {
    let t = sched_target(pid)?;
    let a = sched_attr(&t);
    Ok((a.policy
        | if a.reset_on_fork {
            SCHED_RESET_ON_FORK
        } else {
            0
        }) as u64)
}

pub fn sched_getparam(pid: i32, param: u64) -> SysResult {
    if param == 0 {
        return Err(Errno::EINVAL);
    }
    let t = sched_target(pid)?;
    write_val(param, &(sched_attr(&t).prio as i32))?;
    Ok(0)
}

/// sched_setscheduler (`policy` Some) and sched_setparam (None).
pub fn sched_setscheduler(pid: i32, policy: Option<i32>, param: u64) -> SysResult {
    if param == 0 || pid < 0 {
        return Err(Errno::EINVAL);
    }
    let prio: i32 = read_val(param)?;
    let t = sched_target(pid)?;
    let old = sched_attr(&t);
    let (pol, reset) = match policy {
        Some(p) => {
            let p = p as u32;
            (p & !SCHED_RESET_ON_FORK, p & SCHED_RESET_ON_FORK != 0)
        }
        None => (old.policy, old.reset_on_fork),
    };
    let rt = pol == SCHED_FIFO || pol == SCHED_RR;
    match pol {
        SCHED_FIFO | SCHED_RR => {
            if !(1..=99).contains(&prio) {
                return Err(Errno::EINVAL);
            }
        }
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE => {
            if prio != 0 {
                return Err(Errno::EINVAL);
            }
        }
        _ => return Err(Errno::EINVAL),
    }
    let root = current().process().creds().euid == 0;
    if !root {
        if rt {
            let lim = t.process().inner.lock().rlimits[RLIMIT_RTPRIO].0;
            let old_rt = old.policy == SCHED_FIFO || old.policy == SCHED_RR;
            // without CAP_SYS_NICE: only up to RLIMIT_RTPRIO, and only
            // lowering beyond the current priority
            if lim == 0 || (prio as u64 > lim && !(old_rt && prio as u32 <= old.prio)) {
                return Err(Errno::EPERM);
            }
        }
        if old.reset_on_fork && !reset {
            return Err(Errno::EPERM);
        }
        if !may_change(&t) {
            return Err(Errno::EPERM);
        }
    }
    *t.sched_attr.lock() = SchedAttr {
        policy: pol,
        prio: prio as u32,
        reset_on_fork: reset,
        nice: old.nice,
    };
    Ok(0)
}

pub fn sched_rr_get_interval(pid: i32, ts: u64) -> SysResult {
    let t = sched_target(pid)?;
    let a = sched_attr(&t);
    // Linux: RR_TIMESLICE (100 ms) for SCHED_RR, 0 for FIFO, one CFS slice
    // (Rill's 1 ms tick here) for the others
    let ns: i64 = match a.policy {
        SCHED_RR => 100_000_000,
        SCHED_FIFO => 0,
        _ => 1_000_000,
    };
    write_val(
        ts,
        &rill_abi::types::Timespec {
            tv_sec: 0,
            tv_nsec: ns,
        },
    )?;
    Ok(0)
}

pub fn sched_getaffinity(pid: i32, len: u64, mask: u64) -> SysResult {
    if len.saturating_mul(8) < nr_cpus() as u64 || len & 7 != 0 {
        return Err(Errno::EINVAL);
    }
    let t = if pid < 0 {
        return Err(Errno::ESRCH);
    } else {
        sched_target(pid)?
    };
    let m = t.affinity.load(Ordering::Relaxed) & all_cpus();
    // cpumask_size(): whole longs for nr_cpu_ids
    let size = (nr_cpus() as u64).div_ceil(64) * 8;
    let n = len.min(size);
    write_bytes(mask, &m.to_le_bytes()[..n.min(8) as usize])?;
    Ok(n)
}

pub fn sched_setaffinity(pid: i32, len: u64, mask: u64) -> SysResult {
    let n = len.min(8) as usize;
    let bytes = read_bytes(mask, n)?;
    let mut b = [0u8; 8];
    b[..n].copy_from_slice(&bytes[..n]);
    let want = u64::from_le_bytes(b);
    let t = if pid < 0 {
        return Err(Errno::ESRCH);
    } else {
        sched_target(pid)?
    };
    if !may_change(&t) {
        return Err(Errno::EPERM);
    }
    let m = want & all_cpus();
    if m == 0 {
        return Err(Errno::EINVAL);
    }
    t.affinity.store(m, Ordering::Relaxed);
    // a thread running elsewhere moves at its next kernel entry (sched::leave_if_dead)
    Ok(0)
}

// ---- NUMA memory policy on a one-node machine: the policies are checked
// and remembered like Linux's (mode, mode flags, node mask = node 0) but
// every page comes from node 0 anyway.

const MPOL_DEFAULT: u32 = 0;
const MPOL_PREFERRED: u32 = 1;
const MPOL_BIND: u32 = 2;
const MPOL_INTERLEAVE: u32 = 3;
const MPOL_LOCAL: u32 = 4;
/// Modes this kernel knows (Linux 6.1's MPOL_MAX).
const MPOL_MAX: u32 = 6;
const MPOL_F_STATIC_NODES: u32 = 1 << 15;
const MPOL_F_RELATIVE_NODES: u32 = 1 << 14;
const MPOL_F_NUMA_BALANCING: u32 = 1 << 13;
const MPOL_MODE_FLAGS: u32 = MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING;
const MPOL_F_NODE: u64 = 1;
const MPOL_F_ADDR: u64 = 2;
const MPOL_F_MEMS_ALLOWED: u64 = 4;
/// Nodes: one.
const NR_NODES: u64 = 1;

/// A policy: mode | mode flags, and its node mask (bit 0 or nothing). The thread's is
/// Task::mempolicy, the ranges' (mbind) the process's vma_mempolicy.
type Mpol = crate::task::Mempolicy;

/// Linux get_nodes: the user's mask of `maxnode - 1` bits.
fn read_nodes(nmask: u64, maxnode: u64) -> KResult<u64> {
    let maxnode = maxnode.saturating_sub(1);
    if maxnode == 0 || nmask == 0 {
        return Ok(0);
    }
    if maxnode > 4096 * 8 {
        return Err(Errno::EINVAL);
    }
    let longs = maxnode.div_ceil(64) as usize;
    let raw = read_bytes(nmask, longs * 8)?;
    let mut words = alloc::vec::Vec::with_capacity(longs);
    for c in raw.chunks_exact(8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        words.push(u64::from_le_bytes(b));
    }
    // bits past maxnode are ignored; nodes we do not have must be clear
    // only where Linux checks them (beyond MAX_NUMNODES): keep node 0
    let first = words.first().copied().unwrap_or(0);
    let first = if maxnode < 64 {
        first & ((1u64 << maxnode) - 1)
    } else {
        first
    };
    Ok(first)
}

/// Linux sanitize_mpol_flags + mpol_new: the policy to store (None:
/// default).
fn new_mpol(mode: u32, nodes: u64) -> KResult<Option<Mpol>> {
    let flags = mode & MPOL_MODE_FLAGS;
    let mode = mode & !MPOL_MODE_FLAGS;
    if mode >= MPOL_MAX
        || flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)
            == MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES
        || (flags & MPOL_F_NUMA_BALANCING != 0 && mode != MPOL_BIND)
    {
        return Err(Errno::EINVAL);
    }
    if mode == MPOL_DEFAULT {
        if nodes != 0 {
            return Err(Errno::EINVAL);
        }
        return Ok(None);
    }
    let mut mode = mode;
    if nodes == 0 {
        if mode == MPOL_PREFERRED && flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES) == 0 {
            mode = MPOL_LOCAL;
        } else if mode != MPOL_LOCAL {
            return Err(Errno::EINVAL);
        }
    } else if mode == MPOL_LOCAL {
        return Err(Errno::EINVAL);
    }
    if mode == MPOL_LOCAL {
        return Ok(Some((mode | flags, 0)));
    }
    // only node 0 is online
    let online = (1u64 << NR_NODES) - 1;
    if nodes & online == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(Some((mode | flags, 1)))
}

fn write_nodes(nmask: u64, maxnode: u64, nodes: u64) -> KResult<()> {
    // ALIGN(maxnode - 1, 64) / 8 bytes: our long, then zeros
    let bytes = maxnode.saturating_sub(1).div_ceil(64) * 8;
    if bytes == 0 {
        return Ok(());
    }
    let mut v = try_buf(bytes.min(1 << 16) as usize)?;
    let n = v.len().min(8);
    v[..n].copy_from_slice(&nodes.to_le_bytes()[..n]);
    write_bytes(nmask, &v)
}

pub fn get_mempolicy(mode: u64, nmask: u64, maxnode: u64, addr: u64, flags: u64) -> SysResult {
    if nmask != 0 && maxnode < NR_NODES {
        return Err(Errno::EINVAL);
    }
    if flags & !(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED) != 0 {
        return Err(Errno::EINVAL);
    }
    let p = current().process();
    let (pval, nodes): (u32, u64) = if flags & MPOL_F_MEMS_ALLOWED != 0 {
        if flags & (MPOL_F_NODE | MPOL_F_ADDR) != 0 {
            return Err(Errno::EINVAL);
        }
        (0, 1)
    } else {
        let pol = if flags & MPOL_F_ADDR != 0 {
            let mm = p.mm();
            if mm.inner.lock().vmas.find(addr).is_none() {
                return Err(Errno::EFAULT);
            }
            p.inner
                .lock()
                .vma_mempolicy
                .range(..=addr)
                .next_back()
                .filter(|(_, v)| v.0 > addr)
                .map(|(_, v)| v.1)
        } else {
            if addr != 0 {
                return Err(Errno::EINVAL);
            }
            *current().mempolicy.lock()
        };
        let val = if flags & MPOL_F_NODE != 0 {
            if flags & MPOL_F_ADDR != 0 {
                // the node of the page (faulted in like Linux does): 0
                let mm = p.mm();
                let _ = mm.handle_fault(addr, crate::mm::addrspace::FaultKind::Read);
                0
            } else if pol.is_some_and(|q| q.0 & !MPOL_MODE_FLAGS == MPOL_INTERLEAVE) {
                0
            } else {
                return Err(Errno::EINVAL);
            }
        } else {
            pol.map(|q| q.0).unwrap_or(MPOL_DEFAULT)
        };
        (val, pol.map(|q| q.1).unwrap_or(0))
    };
    if mode != 0 {
        write_val(mode, &(pval as i32))?;
    }
    if nmask != 0 {
        write_nodes(nmask, maxnode, nodes)?;
    }
    Ok(0)
}

pub fn set_mempolicy(mode: u32, nmask: u64, maxnode: u64) -> SysResult {
    // mode checks come before the mask is read
    new_mpol(mode, 1).or_else(|e| {
        if mode & !MPOL_MODE_FLAGS == MPOL_DEFAULT || mode & !MPOL_MODE_FLAGS == MPOL_LOCAL {
            Ok(None)
        } else {
            Err(e)
        }
    })?;
    let nodes = read_nodes(nmask, maxnode)?;
    let pol = new_mpol(mode, nodes)?;
    *current().mempolicy.lock() = pol;
    Ok(0)
}

pub fn mbind(start: u64, len: u64, mode: u32, nmask: u64, maxnode: u64, flags: u32) -> SysResult {
    const MPOL_MF_VALID: u32 = 1 | 2 | 4;
    if flags & !MPOL_MF_VALID != 0 {
        return Err(Errno::EINVAL);
    }
    let nodes = read_nodes(nmask, maxnode)?;
    if start & 0xfff != 0 {
        return Err(Errno::EINVAL);
    }
    let len = len.checked_add(0xfff).ok_or(Errno::EINVAL)? & !0xfff;
    let end = start.checked_add(len).ok_or(Errno::EINVAL)?;
    if len == 0 {
        return Ok(0);
    }
    let pol = new_mpol(mode, nodes)?;
    let p = current().process();
    if !p.mm().inner.lock().vmas.is_range_mapped(start, len) {
        return Err(Errno::EFAULT);
    }
    let mut i = p.inner.lock();
    let m = &mut i.vma_mempolicy;
    // cut [start, end) out of the existing ranges, then insert
    let keys: Vec<u64> = m
        .range(..end)
        .filter(|(_, v)| v.0 > start)
        .map(|(k, _)| *k)
        .collect();
    for k in keys {
        if let Some((e, v)) = m.remove(&k) {
            if k < start {
                m.insert(k, (start, v));
            }
            if e > end {
                m.insert(end, (e, v));
            }
        }
    }
    if let Some(v) = pol {
        m.insert(start, (end, v));
    }
    Ok(0)
}

// ---- membarrier. Rill has no rseq, so the RSEQ commands are not offered.

const MEMBARRIER_CMD_QUERY: i32 = 0;
const MEMBARRIER_CMD_GLOBAL: i32 = 1;
const MEMBARRIER_CMD_GLOBAL_EXPEDITED: i32 = 2;
const MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED: i32 = 4;
const MEMBARRIER_CMD_PRIVATE_EXPEDITED: i32 = 8;
const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: i32 = 16;
const MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE: i32 = 32;
const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE: i32 = 64;
const MEMBARRIER_CMD_GET_REGISTRATIONS: i32 = 512;

pub fn membarrier(cmd: i32, flags: u32, _cpu: i32) -> SysResult {
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    let p = current().process();
    let regs = p.inner.lock().membarrier;
    let register = |bit: i32| {
        p.inner.lock().membarrier = regs | bit;
        Ok(0)
    };
    // every other CPU passes a full barrier when it next enters the
    // kernel; with one CPU the caller's own syscall is the barrier
    match cmd {
        MEMBARRIER_CMD_QUERY => Ok((MEMBARRIER_CMD_GLOBAL
            | MEMBARRIER_CMD_GLOBAL_EXPEDITED
            | MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED
            | MEMBARRIER_CMD_PRIVATE_EXPEDITED
            | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED
            | MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE
            | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE
            | MEMBARRIER_CMD_GET_REGISTRATIONS) as u64),
        MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_GLOBAL_EXPEDITED => Ok(0),
        MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED
        | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED
        | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE => register(cmd),
        MEMBARRIER_CMD_PRIVATE_EXPEDITED | MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE => {
            if regs & (cmd << 1) == 0 {
                return Err(Errno::EPERM);
            }
            core::sync::atomic::fence(Ordering::SeqCst);
            Ok(0)
        }
        MEMBARRIER_CMD_GET_REGISTRATIONS => Ok(regs as u64),
        _ => Err(Errno::EINVAL),
    }
}
