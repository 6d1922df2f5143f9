//! Event files: epoll, eventfd, timerfd and signalfd. The objects are
//! `rill_vfs::epoll`, `rill_vfs::eventfd`, `fs::timerfd` and `fs::signalfd`;
//! these handlers check and copy arguments in Linux's order.
use super::fs::{file, install_fd};
use super::SysResult;
use crate::fs::signalfd::SignalFd;
use crate::fs::timerfd::{self, TimerFd};
use crate::task::{current, wait};
use crate::uaccess::*;
use alloc::sync::Arc;
use core::sync::atomic::Ordering;
use rill_abi::types::Timespec;
use rill_abi::Errno;
use rill_vfs::epoll::{self, Epoll, EpollEvent};
use rill_vfs::eventfd::{EventFd, EFD_SEMAPHORE};
use rill_vfs::flags::{O_CLOEXEC, O_NONBLOCK, O_RDWR};
use rill_vfs::{FileLike, OpenFile};

/// Linux's access_ok: the range lies below TASK_SIZE_MAX.
fn access_ok(base: u64, len: u64) -> bool {
    const USER_END: u64 = 0x7fff_ffff_f000;
    len <= USER_END && base <= USER_END - len
}

fn new_fd(obj: Arc<dyn FileLike>, name: &[u8], acc: u32, flags: u32) -> SysResult {
    let f = OpenFile::new(None, Some(obj), name.to_vec(), acc | (flags & O_NONBLOCK));
    Ok(install_fd(f, flags & O_CLOEXEC != 0)? as u64)
}

// ---- epoll

pub fn epoll_create(size: i32) -> SysResult {
    if size <= 0 {
        return Err(Errno::EINVAL);
    }
    epoll_create1(0)
}

pub fn epoll_create1(flags: u32) -> SysResult {
    if flags & !O_CLOEXEC != 0 {
        return Err(Errno::EINVAL);
    }
    new_fd(
        Epoll::new(),
        b"anon_inode:[eventpoll]",
        O_RDWR,
        flags & O_CLOEXEC,
    )
}

pub fn epoll_ctl(epfd: i32, op: i32, fd: i32, event: u64) -> SysResult {
    let ev = if op != epoll::EPOLL_CTL_DEL {
        let b = read_bytes(event, EpollEvent::SIZE)?;
        EpollEvent::from_bytes(&b)
    } else {
        None
    };
    let epf = file(epfd)?;
    let tf = file(fd)?;
    epoll::ctl(&epf, op, fd, &tf, ev)?;
    Ok(0)
}

/// Linux's do_epoll_wait; `timeout`: None waits forever, else ns.
fn do_wait(epfd: i32, events: u64, maxevents: i32, timeout: Option<u64>) -> SysResult {
    // Linux 6.x's order: the fd, maxevents, the buffer, then the fd's type
    let f = file(epfd)?;
    let max = usize::try_from(maxevents).unwrap_or(0);
    if max == 0 || max > epoll::MAX_EVENTS {
        return Err(Errno::EINVAL);
    }
    if !access_ok(events, (max * EpollEvent::SIZE) as u64) {
        return Err(Errno::EFAULT);
    }
    let ep = epoll::of(&f).ok_or(Errno::EINVAL)?;
    // each event is copied out as it is taken; a failed copy puts it back
    let harvest = |p: Option<&mut rill_vfs::Poller>| -> Option<SysResult> {
        let mut at = events;
        let (n, fault) = ep.wait_into(max, p, &mut |e| {
            let ok = write_bytes(at, &e.to_bytes()).is_ok();
            at += EpollEvent::SIZE as u64;
            ok
        });
        match (n, fault) {
            (0, true) => Some(Err(Errno::EFAULT)),
            (0, false) => None,
            (n, _) => Some(Ok(n as u64)),
        }
    };
    if let Some(r) = harvest(None) {
        return r;
    }
    if timeout == Some(0) {
        return Ok(0);
    }
    let dl = timeout.map(|t| rill_abi::time::deadline_after(crate::time::now_ns(), t));
    match wait::wait_poll(true, dl, |p| harvest(Some(p))) {
        Ok(r) => r,
        Err(Errno::ETIMEDOUT) => Ok(0),
        // epoll_wait is never restarted (Linux returns EINTR)
        Err(Errno::ERESTARTSYS) => Err(Errno::EINTR),
        Err(e) => Err(e),
    }
}

/// Runs `f` with the signal mask at `mask_ptr` (if any), as ppoll does: the
/// old mask comes back at once unless the call was interrupted, when it is
/// restored after the handler ran.
fn with_sigmask(mask_ptr: u64, size: u64, f: impl FnOnce() -> SysResult) -> SysResult {
    if mask_ptr == 0 {
        return f();
    }
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let m = read_u64(mask_ptr)?;
    let t = current();
    let old = t
        .sig_mask
        .swap(m & !crate::signal::UNBLOCKABLE, Ordering::AcqRel);
    let r = f();
    if matches!(r, Err(Errno::EINTR)) {
        *t.saved_mask.lock() = Some(old);
    } else {
        t.sig_mask.store(old, Ordering::Release);
    }
    r
}

pub fn epoll_wait(epfd: i32, events: u64, maxevents: i32, timeout: i32) -> SysResult {
    do_wait(epfd, events, maxevents, rill_abi::time::poll_ms(timeout))
}

pub fn epoll_pwait(
    epfd: i32,
    events: u64,
    maxevents: i32,
    timeout: i32,
    mask: u64,
    size: u64,
) -> SysResult {
    with_sigmask(mask, size, || {
        do_wait(epfd, events, maxevents, rill_abi::time::poll_ms(timeout))
    })
}

pub fn epoll_pwait2(
    epfd: i32,
    events: u64,
    maxevents: i32,
    ts: u64,
    mask: u64,
    size: u64,
) -> SysResult {
    let timeout = if ts == 0 {
        None
    } else {
        let t: Timespec = read_val(ts)?;
        Some(rill_abi::time::timespec_ns(&t)?)
    };
    with_sigmask(mask, size, || do_wait(epfd, events, maxevents, timeout))
}

// ---- eventfd

pub fn eventfd(count: u32) -> SysResult {
    eventfd2(count, 0)
}

pub fn eventfd2(count: u32, flags: u32) -> SysResult {
    if flags & !(EFD_SEMAPHORE | O_CLOEXEC | O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let e = EventFd::new(u64::from(count), flags & EFD_SEMAPHORE != 0);
    new_fd(e, b"anon_inode:[eventfd]", O_RDWR, flags)
}

// ---- timerfd

pub fn timerfd_create(clock: i32, flags: u32) -> SysResult {
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    match clock {
        timerfd::CLOCK_REALTIME
        | timerfd::CLOCK_MONOTONIC
        | timerfd::CLOCK_BOOTTIME
        | timerfd::CLOCK_REALTIME_ALARM
        | timerfd::CLOCK_BOOTTIME_ALARM => {}
        _ => return Err(Errno::EINVAL),
    }
    new_fd(TimerFd::new(clock), b"anon_inode:[timerfd]", O_RDWR, flags)
}

fn timerfd_of(fd: i32) -> Result<Arc<OpenFile>, Errno> {
    let f = file(fd)?;
    let ok = f
        .ops
        .as_ref()
        .is_some_and(|o| o.as_any().downcast_ref::<TimerFd>().is_some());
    if !ok {
        return Err(Errno::EINVAL);
    }
    Ok(f)
}

fn with_timerfd<R>(f: &OpenFile, op: impl FnOnce(&TimerFd) -> R) -> Result<R, Errno> {
    let t = f
        .ops
        .as_ref()
        .and_then(|o| o.as_any().downcast_ref::<TimerFd>())
        .ok_or(Errno::EINVAL)?;
    Ok(op(t))
}

fn write_itimerspec(addr: u64, v: u64, i: u64) -> Result<(), Errno> {
    let ts = |ns: u64| rill_abi::time::ns_to_timespec(ns as i64);
    write_val(addr, &[ts(i), ts(v)])
}

pub fn timerfd_settime(fd: i32, flags: u32, new: u64, old: u64) -> SysResult {
    let spec: [Timespec; 2] = read_val(new)?;
    if flags & !(timerfd::TFD_TIMER_ABSTIME | timerfd::TFD_TIMER_CANCEL_ON_SET) != 0 {
        return Err(Errno::EINVAL);
    }
    let interval = rill_abi::time::timespec_ns(&spec[0])?;
    let value = rill_abi::time::timespec_ns(&spec[1])?;
    let f = timerfd_of(fd)?;
    let (ov, oi) = with_timerfd(&f, |t| t.settime(flags, value, interval))?;
    if old != 0 {
        write_itimerspec(old, ov, oi)?;
    }
    Ok(0)
}

pub fn timerfd_gettime(fd: i32, cur: u64) -> SysResult {
    let f = timerfd_of(fd)?;
    let (v, i) = with_timerfd(&f, |t| t.gettime())?;
    write_itimerspec(cur, v, i)?;
    Ok(0)
}

// ---- signalfd

pub fn signalfd(fd: i32, mask: u64, size: u64) -> SysResult {
    signalfd4(fd, mask, size, 0)
}

pub fn signalfd4(fd: i32, mask: u64, size: u64, flags: u32) -> SysResult {
    if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 || size != 8 {
        return Err(Errno::EINVAL);
    }
    let m = read_u64(mask)?;
    if fd == -1 {
        return new_fd(SignalFd::new(m), b"anon_inode:[signalfd]", O_RDWR, flags);
    }
    let f = file(fd)?;
    let s = f
        .ops
        .as_ref()
        .and_then(|o| o.as_any().downcast_ref::<SignalFd>())
        .ok_or(Errno::EINVAL)?;
    s.set_mask(m);
    Ok(fd as u64)
}
