//! Futexes: per-address wait queues keyed by (address space, user address), the
//! operations futex(2) offers on them (syscall/futex.rs checks the arguments and calls
//! these), the kernel's own wakes (CLONE_CHILD_CLEARTID) and the robust list.
//!
//! Each waiter is an entry with its own "woken" flag, so FUTEX_WAKE wakes
//! exactly `n` waiters and reports how many, and REQUEUE can move waiters
//! from one address to another.
use crate::task::{current, wait, Task};
use crate::uaccess::*;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};
use rill_abi::{Errno, KResult};

type SysResult = KResult<u64>;
use spin::Mutex;

pub const FUTEX_WAIT: u32 = 0;
pub const FUTEX_WAKE: u32 = 1;
pub const FUTEX_REQUEUE: u32 = 3;
pub const FUTEX_CMP_REQUEUE: u32 = 4;
pub const FUTEX_WAKE_OP: u32 = 5;
pub const FUTEX_WAIT_BITSET: u32 = 9;
pub const FUTEX_WAKE_BITSET: u32 = 10;
pub const FUTEX_PRIVATE_FLAG: u32 = 128;
pub const FUTEX_CLOCK_REALTIME: u32 = 256;
pub const BITSET_ANY: u32 = u32::MAX;

type Key = (u64, u64);

/// Tag of a key made by a shared (non-PRIVATE) operation on private memory:
/// Linux keys those apart from PRIVATE ones (FUT_OFF_MMSHARED), so a
/// FUTEX_WAKE does not wake a FUTEX_WAIT_PRIVATE waiter and vice versa.
const KEY_MMSHARED: u64 = 1 << 62;
/// Tag of a key made of (file, offset): a word in a shared mapping.
const KEY_FILE: u64 = 1 << 63;
/// First address past the user half (Linux's access_ok limit).
const USER_TOP: u64 = 0x0000_8000_0000_0000;

struct Waiter {
    task: Arc<Task>,
    bitset: u32,
    woken: AtomicBool,
}

static QUEUES: Mutex<BTreeMap<Key, VecDeque<Arc<Waiter>>>> = Mutex::new(BTreeMap::new());

/// The wait-queue key of a futex word (Linux's get_futex_key): misaligned
/// words are EINVAL and words outside user space EFAULT; a PRIVATE
/// operation keys by (address space, address) without touching memory; a
/// shared one needs the word mapped (EFAULT) and keys a word in a shared
/// file or shared anonymous mapping by (file, offset), so that processes
/// mapping it at different addresses or in different address spaces meet.
fn key_for(addr: u64, private: bool) -> KResult<Key> {
    if addr & 3 != 0 {
        return Err(Errno::EINVAL);
    }
    if addr >= USER_TOP - 4 {
        return Err(Errno::EFAULT);
    }
    let p = current().process();
    if private {
        return Ok((p.mm_root(), addr));
    }
    // the word must be there (faulting it in if needed), as Linux pins it
    read_val::<u32>(addr)?;
    let mm = p.mm();
    let g = mm.inner.lock();
    if let Some(v) = g.vmas.find(addr) {
        if v.flags & crate::mm::addrspace::VM_SHARED != 0 {
            if let rill_mm::Backing::File { file, offset } = &v.backing {
                let id = Arc::as_ptr(&file.inode) as *const () as u64;
                return Ok((id | KEY_FILE, offset + (addr - v.start)));
            }
        }
    }
    Ok((p.mm_root() | KEY_MMSHARED, addr))
}

/// Wake up to `n` waiters on `key` whose bitset matches; returns the count.
fn wake_key(key: Key, n: u32, bitset: u32) -> u32 {
    let mut woken = 0;
    let mut q = QUEUES.lock();
    if let Some(list) = q.get_mut(&key) {
        list.retain(|w| {
            if woken < n && w.bitset & bitset != 0 {
                w.woken.store(true, Ordering::Release);
                w.task.woken.store(true, Ordering::Release);
                crate::task::sched::wake(&w.task);
                woken += 1;
                false
            } else {
                true
            }
        });
        if list.is_empty() {
            q.remove(&key);
        }
    }
    woken
}

/// FUTEX_WAKE(_BITSET): wake up to `n` waiters on `addr` whose bitset matches.
pub fn wake(addr: u64, n: u32, bitset: u32, private: bool) -> SysResult {
    Ok(wake_key(key_for(addr, private)?, n, bitset) as u64)
}

/// The count of a FUTEX_WAKE-style argument: Linux counts a wake before
/// comparing with it, so 0 and negative counts wake one waiter.
pub fn wake_count(n: u32) -> u32 {
    if (n as i32) <= 0 {
        1
    } else {
        n
    }
}

/// The futex wake the kernel does itself (CLONE_CHILD_CLEARTID on thread
/// exit, Linux's shared wake) in the current address space.
pub fn wake_addr(addr: u64, n: u32) -> u32 {
    match key_for(addr, false) {
        Ok(k) => wake_key(k, n, BITSET_ANY),
        Err(_) => 0,
    }
}

/// Parameters of a timed wait interrupted without a handler: restart_syscall
/// resumes it against the same deadline (Linux's futex_wait_restart).
#[derive(Clone, Copy)]
pub struct WaitRestart {
    addr: u64,
    val: u32,
    deadline: u64,
    bitset: u32,
    private: bool,
}

/// FUTEX_WAIT(_BITSET): sleep on `addr` while it holds `val`, until woken, the monotonic
/// `deadline` passes (ETIMEDOUT) or a signal comes.
pub fn wait(addr: u64, val: u32, deadline: Option<u64>, bitset: u32, private: bool) -> SysResult {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let k = key_for(addr, private)?;
    let w = Arc::new(Waiter {
        task: current(),
        bitset,
        woken: AtomicBool::new(false),
    });
    {
        // check the value and queue atomically w.r.t. wakers: they take
        // the queue lock too
        let mut q = QUEUES.lock();
        let cur = read_val::<u32>(addr)?;
        if cur != val {
            return Err(Errno::EAGAIN);
        }
        q.entry(k).or_default().push_back(w.clone());
    }
    let r = wait::wait_event(true, deadline, |_| {
        if w.woken.load(Ordering::Acquire) {
            Some(())
        } else {
            None
        }
    });
    if r.is_err() && !w.woken.load(Ordering::Acquire) {
        // leave the queue (it may have been requeued to another key)
        let mut q = QUEUES.lock();
        let mut empty = None;
        for (kk, list) in q.iter_mut() {
            let before = list.len();
            list.retain(|x| !Arc::ptr_eq(x, &w));
            if list.len() != before {
                if list.is_empty() {
                    empty = Some(*kk);
                }
                break;
            }
        }
        if let Some(kk) = empty {
            q.remove(&kk);
        }
    }
    match (r, deadline) {
        (Ok(()), _) => Ok(0),
        (Err(_), _) if w.woken.load(Ordering::Acquire) => Ok(0),
        (Err(Errno::ETIMEDOUT), _) => Err(Errno::ETIMEDOUT),
        // Linux: an untimed wait is ERESTARTSYS (restarted after SA_RESTART
        // handlers and when no handler ran: a stop/continue is not an
        // EINTR)
        (Err(_), None) => Err(Errno::ERESTARTSYS),
        // a timed one is EINTR after any handler; without one (a stop and
        // continue) restart_syscall resumes it with the time left
        (Err(_), Some(deadline)) => {
            *current().restart_futex.lock() = Some(WaitRestart {
                addr,
                val,
                deadline,
                bitset,
                private,
            });
            Err(Errno::ERESTART_RESTARTBLOCK)
        }
    }
}

/// restart_syscall(2) for an interrupted timed wait; None if there is none.
pub fn restart_wait() -> Option<SysResult> {
    let r = current().restart_futex.lock().take()?;
    Some(wait(r.addr, r.val, Some(r.deadline), r.bitset, r.private))
}

/// FUTEX_REQUEUE / FUTEX_CMP_REQUEUE (`cmp`: the value `addr` must hold).
pub fn requeue(
    addr: u64,
    n_wake: u32,
    n_requeue: u32,
    addr2: u64,
    cmp: Option<u32>,
    private: bool,
) -> SysResult {
    if (n_wake as i32) < 0 || (n_requeue as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let k1 = key_for(addr, private)?;
    let k2 = key_for(addr2, private)?;
    // the comparison and the moves happen under the queue lock, so no
    // waiter can queue in between (it checks the value under the lock)
    let mut q = QUEUES.lock();
    if let Some(v) = cmp {
        if read_val::<u32>(addr)? != v {
            return Err(Errno::EAGAIN);
        }
    }
    let mut woken = 0;
    let mut taken = VecDeque::new();
    if let Some(list) = q.get_mut(&k1) {
        while woken < n_wake {
            let Some(w) = list.pop_front() else { break };
            w.woken.store(true, Ordering::Release);
            w.task.woken.store(true, Ordering::Release);
            crate::task::sched::wake(&w.task);
            woken += 1;
        }
        while (taken.len() as u32) < n_requeue {
            let Some(w) = list.pop_front() else { break };
            taken.push_back(w);
        }
        if list.is_empty() {
            q.remove(&k1);
        }
    }
    let moved = taken.len() as u32;
    if !taken.is_empty() {
        q.entry(k2).or_default().extend(taken);
    }
    Ok((woken + moved) as u64)
}

/// Sign-extend a 12-bit FUTEX_OP field (Linux's sign_extend32(x, 11)).
fn sext12(x: u32) -> i32 {
    ((x << 20) as i32) >> 20
}

/// FUTEX_WAKE_OP.
pub fn wake_op(addr: u64, n1: u32, n2: u32, addr2: u64, op: u32, private: bool) -> SysResult {
    let k1 = key_for(addr, private)?;
    let k2 = key_for(addr2, private)?;
    let oparg_shift = op & (8 << 28) != 0;
    let o = (op >> 28) & 7;
    let cmp = (op >> 24) & 15;
    let mut oparg = sext12((op >> 12) & 0xfff) as u32;
    let cmparg = sext12(op & 0xfff);
    if oparg_shift {
        // Linux masks an out-of-range shift (after a warning)
        oparg = 1 << (oparg & 31);
    }
    if o > 4 {
        return Err(Errno::ENOSYS);
    }
    let old = {
        // read-modify-write under the queue lock (futex words are only
        // changed atomically by the kernel under it)
        let _q = QUEUES.lock();
        let old = read_val::<u32>(addr2)?;
        let new = match o {
            0 => oparg,
            1 => old.wrapping_add(oparg),
            2 => old | oparg,
            3 => old & !oparg,
            _ => old ^ oparg,
        };
        write_val(addr2, &new)?;
        old as i32
    };
    let hit = match cmp {
        0 => old == cmparg,
        1 => old != cmparg,
        2 => old < cmparg,
        3 => old <= cmparg,
        4 => old > cmparg,
        5 => old >= cmparg,
        _ => return Err(Errno::ENOSYS),
    };
    let mut n = wake_key(k1, wake_count(n1), BITSET_ANY);
    if hit {
        n += wake_key(k2, wake_count(n2), BITSET_ANY);
    }
    Ok(n as u64)
}

const FUTEX_WAITERS: u32 = 0x8000_0000;
const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
/// Most robust-list entries walked (Linux's ROBUST_LIST_LIMIT).
const ROBUST_LIST_LIMIT: usize = 2048;

/// Mark one robust futex held by the dying thread `tid` as owner-died and
/// wake a waiter (Linux's handle_futex_death).
fn futex_death(addr: u64, tid: u32) -> KResult<()> {
    if addr & 3 != 0 {
        return Err(Errno::EINVAL);
    }
    let v = read_val::<u32>(addr)?;
    if v & FUTEX_TID_MASK != tid {
        return Ok(());
    }
    // one CPU and no preemption in the kernel: read-modify-write is atomic
    write_val(addr, &((v & FUTEX_WAITERS) | FUTEX_OWNER_DIED))?;
    if v & FUTEX_WAITERS != 0 {
        wake_key(key_for(addr, false)?, 1, BITSET_ANY);
    }
    Ok(())
}

/// Walk the current thread's robust futex list (set_robust_list) when it
/// exits or execs: every lock it still holds is released with
/// FUTEX_OWNER_DIED so a waiter can recover it. Faults end the walk.
pub fn exit_robust_list(t: &Task) {
    let head = t.robust_list.swap(0, Ordering::Relaxed);
    if head == 0 {
        return;
    }
    // struct robust_list_head { list.next, futex_offset, list_op_pending }
    let Ok(first) = read_val::<u64>(head) else {
        return;
    };
    let Ok(offset) = read_val::<i64>(head + 8) else {
        return;
    };
    let Ok(pending) = read_val::<u64>(head + 16) else {
        return;
    };
    let word = |entry: u64| (entry & !1).wrapping_add(offset as u64);
    let mut entry = first;
    let mut n = 0;
    while entry != head && n < ROBUST_LIST_LIMIT {
        let Ok(next) = read_val::<u64>(entry & !1) else {
            break;
        };
        // the lock being taken or released right now is handled last
        if entry != pending {
            let _ = futex_death(word(entry), t.tid());
        }
        entry = next;
        n += 1;
    }
    if pending != 0 {
        let _ = futex_death(word(pending), t.tid());
    }
}
