//! uname, sysinfo, getrandom, resource limits, reboot, hostname, syslog.
use super::SysResult;
use crate::task::{current, process};
use crate::uaccess::*;
use alloc::string::String;
use core::sync::atomic::{AtomicU64, Ordering};
use rill_abi::types::{Rlimit, Sysinfo, Utsname};
use rill_abi::{Errno, KResult};
use spin::Mutex;

pub static HOSTNAME: Mutex<String> = Mutex::new(String::new());
pub static DOMAINNAME: Mutex<String> = Mutex::new(String::new());

pub fn hostname() -> String {
    let h = HOSTNAME.lock();
    if h.is_empty() {
        "(none)".into()
    } else {
        h.clone()
    }
}

pub fn uname(buf: u64) -> SysResult {
    let dom = {
        let d = DOMAINNAME.lock();
        if d.is_empty() {
            String::from("(none)")
        } else {
            d.clone()
        }
    };
    let u = Utsname::new(
        "Linux",
        &hostname(),
        "6.1.0-rill",
        "#1 SMP PREEMPT_DYNAMIC Rill",
        "x86_64",
        &dom,
    );
    write_val(buf, &u)?;
    Ok(0)
}

fn set_name(target: &Mutex<String>, name: u64, len: u64) -> SysResult {
    if len > 64 {
        return Err(Errno::EINVAL);
    }
    if current().process().creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    let b = read_bytes(name, len as usize)?;
    *target.lock() = String::from_utf8_lossy(&b).into_owned();
    Ok(0)
}

pub fn sethostname(name: u64, len: u64) -> SysResult {
    set_name(&HOSTNAME, name, len)
}
pub fn setdomainname(name: u64, len: u64) -> SysResult {
    set_name(&DOMAINNAME, name, len)
}

pub fn sysinfo(buf: u64) -> SysResult {
    let mut s: Sysinfo = zeroed();
    s.uptime = (crate::time::now_ns() / 1_000_000_000) as i64;
    let total = crate::mm::phys::TOTAL_RAM.load(Ordering::Relaxed);
    let (heap_total, heap_used) = crate::mm::phys::heap_stats();
    let _ = heap_total;
    s.totalram = total;
    s.freeram = total.saturating_sub(heap_used as u64);
    s.procs = process::all_processes().len() as u16;
    s.mem_unit = 1;
    write_val(buf, &s)?;
    Ok(0)
}

static RNG: AtomicU64 = AtomicU64::new(0);

/// Kernel random bytes: a xorshift/splitmix generator seeded from the TSC
/// and the RTC, stirred with the TSC on every call.
pub fn fill_random(buf: &mut [u8]) {
    let mut s = RNG.load(Ordering::Relaxed);
    if s == 0 {
        s = crate::arch::rdtsc()
            ^ (crate::time::realtime_ns() as u64).rotate_left(17)
            ^ 0x9e37_79b9_7f4a_7c15;
    }
    s ^= crate::arch::rdtsc().rotate_left(29);
    for chunk in buf.chunks_mut(8) {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let b = z.to_le_bytes();
        chunk.copy_from_slice(&b[..chunk.len()]);
    }
    RNG.store(s, Ordering::Relaxed);
}

pub fn getrandom(buf: u64, len: u64, flags: u32) -> SysResult {
    if flags & !7 != 0 || flags & 6 == 6 {
        return Err(Errno::EINVAL);
    }
    let n = (len as usize).min(33554431);
    let mut v = try_buf(n)?;
    fill_random(&mut v);
    write_bytes(buf, &v)?;
    Ok(n as u64)
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
    let root = current().process().creds().euid == 0;
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
        0x4321_fedc | 0xcdef_0123 => crate::boot::power_off(),
        0x0123_4567 | 0xa1b2_c3d4 => crate::boot::reboot(),
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
        write_val(cpu, &0u32)?;
    }
    if node != 0 {
        write_val(node, &0u32)?;
    }
    Ok(0)
}

pub fn socket(domain: i32, _ty: i32, _proto: i32) -> SysResult {
    let _: KResult<()> = Ok(());
    match domain {
        1 | 2 | 10 | 16 | 17 => Err(Errno::EAFNOSUPPORT),
        _ => Err(Errno::EAFNOSUPPORT),
    }
}

// ---- nice values (getpriority/setpriority). Rill's scheduler ignores
// them; they are kept per process (a child inherits its parent's value).

static NICE: Mutex<alloc::collections::BTreeMap<u32, i32>> =
    Mutex::new(alloc::collections::BTreeMap::new());

fn nice_of(p: &alloc::sync::Arc<crate::task::Process>) -> i32 {
    let mut cur = Some(p.clone());
    let mut depth = 0;
    while let Some(q) = cur {
        if let Some(&n) = NICE.lock().get(&q.pid) {
            return n;
        }
        depth += 1;
        if depth > 64 {
            break;
        }
        cur = q.parent();
    }
    0
}

fn prio_targets(
    which: i32,
    who: u32,
) -> KResult<alloc::vec::Vec<alloc::sync::Arc<crate::task::Process>>> {
    let me = current().process();
    let v: alloc::vec::Vec<_> = match which {
        0 => {
            if who == 0 {
                alloc::vec![me]
            } else {
                process::find_process(who).into_iter().collect()
            }
        }
        1 => {
            let g = if who == 0 { me.pgid() } else { who };
            process::all_processes()
                .into_iter()
                .filter(|p| p.pgid() == g)
                .collect()
        }
        2 => {
            let u = if who == 0 { me.creds().uid } else { who };
            process::all_processes()
                .into_iter()
                .filter(|p| p.creds().uid == u)
                .collect()
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
    for p in v {
        let c = p.creds();
        if me.euid != 0 && me.euid != c.uid && me.euid != c.euid {
            return Err(Errno::EPERM);
        }
        if nice < nice_of(&p) && me.euid != 0 {
            return Err(Errno::EACCES);
        }
        NICE.lock().insert(p.pid, nice);
    }
    Ok(0)
}
