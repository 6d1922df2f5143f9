//! The kernel's side of the one syscall table (`crates/abi/src/table.rs`): `dispatch` is
//! generated from it. Each register is converted to the handler's parameter type by
//! [`FromArg`], inferred from the handler's signature (Linux truncates `int`/`unsigned`
//! arguments to their low 32 bits); calls that need fixed extra arguments or the trap frame
//! go through the small adapters in [`adapt`].
use super::{fs, futex, io, misc, mm, net, process, signal, splice, time, trace, SysResult};
use crate::arch::TrapFrame;
use rill_abi::syscalls::Status;
use rill_abi::sysno::*;

/// A syscall parameter type made from one raw register.
pub trait FromArg {
    fn from_arg(raw: u64) -> Self;
}

impl FromArg for u64 {
    fn from_arg(raw: u64) -> Self {
        raw
    }
}
impl FromArg for i64 {
    fn from_arg(raw: u64) -> Self {
        raw as i64
    }
}
/// `unsigned int`: the low 32 bits, as Linux's syscall wrappers take them.
impl FromArg for u32 {
    fn from_arg(raw: u64) -> Self {
        raw as u32
    }
}
/// `int`: the low 32 bits, signed.
impl FromArg for i32 {
    fn from_arg(raw: u64) -> Self {
        raw as u32 as i32
    }
}

/// The raw registers of one call, for adapters that read them themselves.
pub struct Regs {
    pub nr: usize,
    pub a: [u64; 6],
}

impl Regs {
    /// Argument `i` converted to whatever type the callee wants.
    pub fn arg<T: FromArg>(&self, i: usize) -> T {
        T::from_arg(self.a.get(i).copied().unwrap_or(0))
    }
}

/// A syscall handler: a function of up to six [`FromArg`] parameters, or an adapter
/// taking the trap frame and the registers. `M` only tells the impls apart.
pub trait Handler<M> {
    /// The number of syscall arguments the handler takes (`None`: it reads them itself).
    const ARITY: Option<usize>;
    fn call(&self, r: &Regs, tf: &mut TrapFrame) -> SysResult;
}

/// The marker of trap-frame adapters.
pub struct WithFrame;

impl<F> Handler<WithFrame> for F
where
    F: Fn(&mut TrapFrame, &Regs) -> SysResult,
{
    const ARITY: Option<usize> = None;
    fn call(&self, r: &Regs, tf: &mut TrapFrame) -> SysResult {
        self(tf, r)
    }
}

macro_rules! handler_impl {
    ($n:expr; $($t:ident $i:tt),*) => {
        impl<F, $($t: FromArg),*> Handler<($($t,)*)> for F
        where
            F: Fn($($t),*) -> SysResult,
        {
            const ARITY: Option<usize> = Some($n);
            #[allow(unused_variables)]
            fn call(&self, r: &Regs, _tf: &mut TrapFrame) -> SysResult {
                self($($t::from_arg(r.a[$i])),*)
            }
        }
    };
}
handler_impl!(0;);
handler_impl!(1; A 0);
handler_impl!(2; A 0, B 1);
handler_impl!(3; A 0, B 1, C 2);
handler_impl!(4; A 0, B 1, C 2, D 3);
handler_impl!(5; A 0, B 1, C 2, D 3, E 4);
handler_impl!(6; A 0, B 1, C 2, D 3, E 4, G 5);

fn arity<M, H: Handler<M>>(_: &H) -> Option<usize> {
    H::ARITY
}

macro_rules! syscall_table {
    ($( $nr:ident => $h:path [ $($k:expr),* $(,)? ] $ret:ident $st:expr; )*) => {
        /// Runs syscall `r.nr`; numbers the table lacks return ENOSYS (logged, reported).
        pub fn dispatch(r: &Regs, tf: &mut TrapFrame) -> SysResult {
            #[allow(unused_imports)]
            use Status::*;
            match r.nr {
                $($nr => {
                    if let Partial(what) = $st {
                        trace::unsupported(r.nr, what);
                    }
                    Handler::call(&$h, r, tf)
                })*
                _ => adapt::enosys(tf, r),
            }
        }

        /// (number, handler parameter count, argument kinds in the table) of every line.
        fn arities() -> impl Iterator<Item = (usize, Option<usize>, usize)> {
            [$(($nr, arity(&$h), <[&str]>::len(&[$(stringify!($k)),*]))),*].into_iter()
        }
    };
}

include!("../../../crates/abi/src/table.rs");

/// Boot-time check of the table: every handler takes as many arguments as its line lists
/// (a mismatch would decode the wrong registers in the tracer). A WARNING fails the suite.
pub fn check() {
    for (nr, handler, kinds) in arities() {
        if let Some(n) = handler.filter(|&n| n != kinds) {
            kwarn!(
                "syscall table: {} takes {} arguments, its line lists {}",
                rill_abi::sysno::name(nr).unwrap_or("?"),
                n,
                kinds
            );
        }
    }
}

/// The handlers that need fixed extra arguments or the trap frame.
pub mod adapt {
    use super::*;
    use fs::{AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW};

    /// No handler (an `Enosys` line, or a number the table lacks).
    pub fn enosys(_: &mut TrapFrame, r: &Regs) -> SysResult {
        super::super::unknown(r.nr)
    }
    pub fn open(path: u64, flags: u32, mode: u32) -> SysResult {
        fs::openat(AT_FDCWD, path, flags, mode)
    }
    pub fn creat(path: u64, mode: u32) -> SysResult {
        const O_WRONLY_CREAT_TRUNC: u32 = 0o1101;
        fs::openat(AT_FDCWD, path, O_WRONLY_CREAT_TRUNC, mode)
    }
    pub fn stat(path: u64, buf: u64) -> SysResult {
        fs::fstatat(AT_FDCWD, path, buf, 0)
    }
    pub fn lstat(path: u64, buf: u64) -> SysResult {
        fs::fstatat(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW)
    }
    /// The timeout is an `int` of milliseconds.
    pub fn poll(fds: u64, nfds: u64, timeout_ms: i32) -> SysResult {
        io::poll(fds, nfds, i64::from(timeout_ms))
    }
    pub fn rt_sigreturn(tf: &mut TrapFrame, _: &Regs) -> SysResult {
        crate::signal::sigreturn(tf)
    }
    pub fn readv(fd: i32, iov: u64, cnt: u64) -> SysResult {
        fs::readv(fd, iov, cnt, None)
    }
    pub fn writev(fd: i32, iov: u64, cnt: u64) -> SysResult {
        fs::writev(fd, iov, cnt, None)
    }
    pub fn preadv(fd: i32, iov: u64, cnt: u64, off: i64) -> SysResult {
        fs::readv(fd, iov, cnt, Some(off))
    }
    pub fn pwritev(fd: i32, iov: u64, cnt: u64, off: i64) -> SysResult {
        fs::writev(fd, iov, cnt, Some(off))
    }
    /// x86_64 passes the offset whole in `pos_l`; `pos_h` is unused.
    pub fn preadv2(fd: i32, iov: u64, cnt: u64, off: i64, _pos_h: u64, flags: u32) -> SysResult {
        fs::preadv2(fd, iov, cnt, off, flags)
    }
    pub fn pwritev2(fd: i32, iov: u64, cnt: u64, off: i64, _pos_h: u64, flags: u32) -> SysResult {
        fs::pwritev2(fd, iov, cnt, off, flags)
    }
    pub fn access(path: u64, mode: u32) -> SysResult {
        fs::faccessat(AT_FDCWD, path, mode, 0)
    }
    pub fn faccessat(dirfd: i32, path: u64, mode: u32) -> SysResult {
        fs::faccessat(dirfd, path, mode, 0)
    }
    pub fn pipe(fds: u64) -> SysResult {
        io::pipe2(fds, 0)
    }
    pub fn clone(tf: &mut TrapFrame, r: &Regs) -> SysResult {
        process::clone(r.arg(0), r.arg(1), r.arg(2), r.arg(3), r.arg(4), tf)
    }
    pub fn fork(tf: &mut TrapFrame, _: &Regs) -> SysResult {
        process::clone(process::SIGCHLD_FLAGS, 0, 0, 0, 0, tf)
    }
    pub fn vfork(tf: &mut TrapFrame, _: &Regs) -> SysResult {
        process::clone(process::VFORK_FLAGS, 0, 0, 0, 0, tf)
    }
    pub fn clone3(tf: &mut TrapFrame, r: &Regs) -> SysResult {
        process::clone3(r.arg(0), r.arg(1), tf)
    }
    pub fn execve(tf: &mut TrapFrame, r: &Regs) -> SysResult {
        process::execve(AT_FDCWD, r.arg(0), r.arg(1), r.arg(2), 0, tf)
    }
    pub fn execveat(tf: &mut TrapFrame, r: &Regs) -> SysResult {
        process::execve(r.arg(0), r.arg(1), r.arg(2), r.arg(3), r.arg(4), tf)
    }
    pub fn rename(old: u64, new: u64) -> SysResult {
        fs::renameat2(AT_FDCWD, old, AT_FDCWD, new, 0)
    }
    pub fn renameat(olddir: i32, old: u64, newdir: i32, new: u64) -> SysResult {
        fs::renameat2(olddir, old, newdir, new, 0)
    }
    pub fn mkdir(path: u64, mode: u32) -> SysResult {
        fs::mkdirat(AT_FDCWD, path, mode)
    }
    pub fn rmdir(path: u64) -> SysResult {
        fs::unlinkat(AT_FDCWD, path, AT_REMOVEDIR)
    }
    pub fn unlink(path: u64) -> SysResult {
        fs::unlinkat(AT_FDCWD, path, 0)
    }
    pub fn link(old: u64, new: u64) -> SysResult {
        fs::linkat(AT_FDCWD, old, AT_FDCWD, new, 0)
    }
    pub fn symlink(target: u64, linkpath: u64) -> SysResult {
        fs::symlinkat(target, AT_FDCWD, linkpath)
    }
    pub fn readlink(path: u64, buf: u64, size: u64) -> SysResult {
        fs::readlinkat(AT_FDCWD, path, buf, size)
    }
    pub fn chmod(path: u64, mode: u32) -> SysResult {
        fs::fchmodat(AT_FDCWD, path, mode)
    }
    pub fn chown(path: u64, uid: u32, gid: u32) -> SysResult {
        fs::fchownat(AT_FDCWD, path, uid, gid, 0)
    }
    pub fn lchown(path: u64, uid: u32, gid: u32) -> SysResult {
        fs::fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW)
    }
    pub fn mknod(path: u64, mode: u32, dev: u64) -> SysResult {
        fs::mknodat(AT_FDCWD, path, mode, dev)
    }
    pub fn utimes(path: u64, times: u64) -> SysResult {
        fs::utimes(AT_FDCWD, path, times)
    }
    pub fn getrlimit(res: u32, old: u64) -> SysResult {
        misc::prlimit64(0, res, 0, old)
    }
    pub fn setrlimit(res: u32, new: u64) -> SysResult {
        misc::prlimit64(0, res, new, 0)
    }
    pub fn getpgrp() -> SysResult {
        process::getpgid(0)
    }
    pub fn setfsid(_id: u32) -> SysResult {
        process::setfsid()
    }
    pub fn capset(_hdr: u64, _data: u64) -> SysResult {
        Ok(0)
    }
    pub fn sync() -> SysResult {
        Ok(0)
    }
    pub fn settimeofday(tv: u64, _tz: u64) -> SysResult {
        time::settimeofday(tv)
    }
    pub fn reboot(magic1: u32, magic2: u32, cmd: u32, _arg: u64) -> SysResult {
        misc::reboot(magic1, magic2, cmd)
    }
    pub fn tkill(tid: i32, sig: u32) -> SysResult {
        signal::tgkill(-1, tid, sig)
    }
    pub fn sched_setparam(pid: i32, param: u64) -> SysResult {
        misc::sched_setscheduler(pid, None, param)
    }
    pub fn sched_setscheduler(pid: i32, policy: i32, param: u64) -> SysResult {
        misc::sched_setscheduler(pid, Some(policy), param)
    }
    pub fn mlock(addr: u64, len: u64) -> SysResult {
        mm::mlock(addr, len, 0, true)
    }
    pub fn mlock2(addr: u64, len: u64, flags: u32) -> SysResult {
        mm::mlock(addr, len, flags, true)
    }
    pub fn munlock(addr: u64, len: u64) -> SysResult {
        mm::mlock(addr, len, 0, false)
    }
    /// The `tcache` argument has been unused since Linux 2.6.24.
    pub fn getcpu(cpu: u64, node: u64, _tcache: u64) -> SysResult {
        misc::getcpu(cpu, node)
    }
}
