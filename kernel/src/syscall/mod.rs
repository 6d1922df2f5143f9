//! The system call table: one line per Linux x86_64 syscall number that Rill
//! implements, grouped by family. Each family lives in its own file:
//! `fs` (files, directories, fds), `io` (poll/select, pipes, ioctl),
//! `process` (fork/exec/exit/wait, ids), `signal`, `mm` (memory), `time`,
//! `misc` (uname, limits, random, reboot, ...). Any other number returns
//! ENOSYS and logs one rate-limited line naming the program.
pub mod fs;
pub mod futex;
pub mod io;
pub mod misc;
pub mod mm;
pub mod process;
pub mod signal;
pub mod time;
pub mod trace;

use crate::arch::TrapFrame;
use crate::task::sched;
use core::sync::atomic::Ordering;
use rill_abi::sysno::*;
use rill_abi::{Errno, KResult};

pub type SysResult = KResult<u64>;

/// Entry from `syscall_entry` (entry.S, through `arch::Hooks::syscall`) with the user's registers.
pub fn syscall_handler(tf: &mut TrapFrame) {
    let nr = tf.rax as usize;
    let a = [tf.rdi, tf.rsi, tf.rdx, tf.r10, tf.r8, tf.r9];
    // No task reference is held across dispatch: exit never returns here, and a reference
    // left on this stack would keep the dead task (and its kernel stack) alive forever.
    let tracing = {
        let t = sched::current();
        t.restart_nr.store(nr as u32, Ordering::Relaxed);
        let tracing = trace::enabled(&t);
        if tracing {
            trace::enter(&t, nr, &a);
        }
        tracing
    };
    let r = dispatch(nr, a, tf);
    let ret = match r {
        Ok(v) => v,
        Err(e) => (-(e.0 as i64)) as u64,
    };
    if tracing {
        trace::exit(&sched::current(), nr, &a, ret as i64);
    }
    // execve and rt_sigreturn set up the frame themselves
    if nr != SYS_EXECVE && nr != SYS_EXECVEAT || r.is_err() {
        tf.rax = ret;
    }
    tf.vector = 256;
    crate::signal::return_to_user(tf);
}

fn dispatch(nr: usize, a: [u64; 6], tf: &mut TrapFrame) -> SysResult {
    let (a0, a1, a2, a3, a4, a5) = (a[0], a[1], a[2], a[3], a[4], a[5]);
    match nr {
        // ---- files and directories (fs.rs)
        SYS_READ => fs::read(a0 as i32, a1, a2),
        SYS_WRITE => fs::write(a0 as i32, a1, a2),
        SYS_OPEN => fs::openat(fs::AT_FDCWD, a0, a1 as u32, a2 as u32),
        SYS_OPENAT => fs::openat(a0 as i32, a1, a2 as u32, a3 as u32),
        SYS_CREAT => fs::openat(fs::AT_FDCWD, a0, 0o1101, a1 as u32),
        SYS_CLOSE => fs::close(a0 as i32),
        SYS_CLOSE_RANGE => fs::close_range(a0 as u32, a1 as u32, a2 as u32),
        SYS_STAT => fs::fstatat(fs::AT_FDCWD, a0, a1, 0),
        SYS_LSTAT => fs::fstatat(fs::AT_FDCWD, a0, a1, fs::AT_SYMLINK_NOFOLLOW),
        SYS_FSTAT => fs::fstat(a0 as i32, a1),
        SYS_NEWFSTATAT => fs::fstatat(a0 as i32, a1, a2, a3 as u32),
        SYS_STATX => fs::statx(a0 as i32, a1, a2 as u32, a3 as u32, a4),
        SYS_STATFS => fs::statfs(a0, a1),
        SYS_FSTATFS => fs::fstatfs(a0 as i32, a1),
        SYS_LSEEK => fs::lseek(a0 as i32, a1 as i64, a2 as u32),
        SYS_PREAD64 => fs::pread(a0 as i32, a1, a2, a3 as i64),
        SYS_PWRITE64 => fs::pwrite(a0 as i32, a1, a2, a3 as i64),
        SYS_READV => fs::readv(a0 as i32, a1, a2, None),
        SYS_WRITEV => fs::writev(a0 as i32, a1, a2, None),
        SYS_PREADV => fs::readv(a0 as i32, a1, a2, Some(a3 as i64)),
        SYS_PWRITEV => fs::writev(a0 as i32, a1, a2, Some(a3 as i64)),
        SYS_PREADV2 => fs::preadv2(a0 as i32, a1, a2, a3 as i64, a5 as u32),
        SYS_PWRITEV2 => fs::pwritev2(a0 as i32, a1, a2, a3 as i64, a5 as u32),
        SYS_SENDFILE => fs::sendfile(a0 as i32, a1 as i32, a2, a3),
        SYS_ACCESS => fs::faccessat(fs::AT_FDCWD, a0, a1 as u32, 0),
        SYS_FACCESSAT => fs::faccessat(a0 as i32, a1, a2 as u32, 0),
        SYS_FACCESSAT2 => fs::faccessat(a0 as i32, a1, a2 as u32, a3 as u32),
        SYS_GETDENTS64 => fs::getdents64(a0 as i32, a1, a2),
        SYS_GETDENTS => fs::getdents(a0 as i32, a1, a2),
        SYS_GETCWD => fs::getcwd(a0, a1),
        SYS_CHDIR => fs::chdir(a0),
        SYS_FCHDIR => fs::fchdir(a0 as i32),
        SYS_CHROOT => fs::chroot(a0),
        SYS_MKDIR => fs::mkdirat(fs::AT_FDCWD, a0, a1 as u32),
        SYS_MKDIRAT => fs::mkdirat(a0 as i32, a1, a2 as u32),
        SYS_MKNOD => fs::mknodat(fs::AT_FDCWD, a0, a1 as u32, a2),
        SYS_MKNODAT => fs::mknodat(a0 as i32, a1, a2 as u32, a3),
        SYS_RMDIR => fs::unlinkat(fs::AT_FDCWD, a0, fs::AT_REMOVEDIR),
        SYS_UNLINK => fs::unlinkat(fs::AT_FDCWD, a0, 0),
        SYS_UNLINKAT => fs::unlinkat(a0 as i32, a1, a2 as u32),
        SYS_RENAME => fs::renameat2(fs::AT_FDCWD, a0, fs::AT_FDCWD, a1, 0),
        SYS_RENAMEAT => fs::renameat2(a0 as i32, a1, a2 as i32, a3, 0),
        SYS_RENAMEAT2 => fs::renameat2(a0 as i32, a1, a2 as i32, a3, a4 as u32),
        SYS_LINK => fs::linkat(fs::AT_FDCWD, a0, fs::AT_FDCWD, a1, 0),
        SYS_LINKAT => fs::linkat(a0 as i32, a1, a2 as i32, a3, a4 as u32),
        SYS_SYMLINK => fs::symlinkat(a0, fs::AT_FDCWD, a1),
        SYS_SYMLINKAT => fs::symlinkat(a0, a1 as i32, a2),
        SYS_READLINK => fs::readlinkat(fs::AT_FDCWD, a0, a1, a2),
        SYS_READLINKAT => fs::readlinkat(a0 as i32, a1, a2, a3),
        SYS_CHMOD => fs::fchmodat(fs::AT_FDCWD, a0, a1 as u32),
        SYS_FCHMOD => fs::fchmod(a0 as i32, a1 as u32),
        SYS_FCHMODAT => fs::fchmodat(a0 as i32, a1, a2 as u32),
        SYS_CHOWN => fs::fchownat(fs::AT_FDCWD, a0, a1 as u32, a2 as u32, 0),
        SYS_LCHOWN => fs::fchownat(
            fs::AT_FDCWD,
            a0,
            a1 as u32,
            a2 as u32,
            fs::AT_SYMLINK_NOFOLLOW,
        ),
        SYS_FCHOWN => fs::fchown(a0 as i32, a1 as u32, a2 as u32),
        SYS_FCHOWNAT => fs::fchownat(a0 as i32, a1, a2 as u32, a3 as u32, a4 as u32),
        SYS_UMASK => fs::umask(a0 as u32),
        SYS_UTIMENSAT => fs::utimensat(a0 as i32, a1, a2, a3 as u32),
        SYS_UTIMES => fs::utimes(fs::AT_FDCWD, a0, a1),
        SYS_FUTIMESAT => fs::utimes(a0 as i32, a1, a2),
        SYS_UTIME => fs::utime(a0, a1),
        SYS_TRUNCATE => fs::truncate(a0, a1 as i64),
        SYS_FTRUNCATE => fs::ftruncate(a0 as i32, a1 as i64),
        SYS_FALLOCATE => fs::fallocate(a0 as i32, a1 as u32, a2 as i64, a3 as i64),
        SYS_FSYNC | SYS_FDATASYNC => fs::fsync(a0 as i32),
        SYS_SYNC => Ok(0),
        SYS_SYNCFS => fs::syncfs(a0 as i32),
        SYS_FADVISE64 => fs::fadvise64(a0 as i32, a1 as i64, a2 as i64, a3 as u32),
        SYS_SYNC_FILE_RANGE => fs::sync_file_range(a0 as i32, a1 as i64, a2 as i64, a3 as u32),
        SYS_FLOCK => fs::flock(a0 as i32, a1 as u32),
        SYS_DUP => fs::dup(a0 as i32),
        SYS_DUP2 => fs::dup2(a0 as i32, a1 as i32),
        SYS_DUP3 => fs::dup3(a0 as i32, a1 as i32, a2 as u32),
        SYS_FCNTL => fs::fcntl(a0 as i32, a1 as u32, a2),
        SYS_MOUNT => fs::mount(a0, a1, a2, a3, a4),
        SYS_UMOUNT2 => fs::umount(a0, a1 as u32),

        // ---- pipes, polling, ioctl (io.rs)
        SYS_PIPE => io::pipe2(a0, 0),
        SYS_PIPE2 => io::pipe2(a0, a1 as u32),
        SYS_IOCTL => io::ioctl(a0 as i32, a1 as u32, a2),
        SYS_POLL => io::poll(a0, a1, a2 as i32 as i64),
        SYS_PPOLL => io::ppoll(a0, a1, a2, a3, a4),
        SYS_SELECT => io::select(a0 as i32, a1, a2, a3, a4),
        SYS_PSELECT6 => io::pselect6(a0 as i32, a1, a2, a3, a4, a5),

        // ---- processes (process.rs)
        SYS_FORK => process::clone(process::SIGCHLD_FLAGS, 0, 0, 0, 0, tf),
        SYS_VFORK => process::clone(process::VFORK_FLAGS, 0, 0, 0, 0, tf),
        SYS_CLONE => process::clone(a0, a1, a2, a3, a4, tf),
        SYS_CLONE3 => process::clone3(a0, a1, tf),
        SYS_EXECVE => process::execve(fs::AT_FDCWD, a0, a1, a2, 0, tf),
        SYS_EXECVEAT => process::execve(a0 as i32, a1, a2, a3, a4 as u32, tf),
        SYS_EXIT => process::exit(a0 as i32),
        SYS_EXIT_GROUP => process::exit_group(a0 as i32),
        SYS_WAIT4 => process::wait4(a0 as i32, a1, a2 as u32, a3),
        SYS_WAITID => process::waitid(a0 as u32, a1 as i32, a2, a3 as u32, a4),
        SYS_GETPID => process::getpid(),
        SYS_GETTID => process::gettid(),
        SYS_GETPPID => process::getppid(),
        SYS_GETPGID => process::getpgid(a0 as i32),
        SYS_GETPGRP => process::getpgid(0),
        SYS_SETPGID => process::setpgid(a0 as i32, a1 as i32),
        SYS_GETSID => process::getsid(a0 as i32),
        SYS_SETSID => process::setsid(),
        SYS_SET_TID_ADDRESS => process::set_tid_address(a0),
        SYS_GETUID => process::getuid(),
        SYS_GETEUID => process::geteuid(),
        SYS_GETGID => process::getgid(),
        SYS_GETEGID => process::getegid(),
        SYS_SETUID => process::setuid(a0 as u32),
        SYS_SETGID => process::setgid(a0 as u32),
        SYS_SETREUID => process::setreuid(a0 as u32, a1 as u32),
        SYS_SETREGID => process::setregid(a0 as u32, a1 as u32),
        SYS_SETRESUID => process::setresuid(a0 as u32, a1 as u32, a2 as u32),
        SYS_SETRESGID => process::setresgid(a0 as u32, a1 as u32, a2 as u32),
        SYS_GETRESUID => process::getresuid(a0, a1, a2),
        SYS_GETRESGID => process::getresgid(a0, a1, a2),
        SYS_GETGROUPS => process::getgroups(a0 as i32, a1),
        SYS_SETGROUPS => process::setgroups(a0, a1),
        SYS_SETFSUID | SYS_SETFSGID => process::setfsid(),
        SYS_CAPGET => process::capget(a0, a1),
        SYS_CAPSET => Ok(0),
        SYS_SET_ROBUST_LIST => process::set_robust_list(a0, a1),
        SYS_GET_ROBUST_LIST => process::get_robust_list(a0 as i32, a1, a2),
        SYS_PRCTL => process::prctl(a0 as u32, a1, a2, a3, a4),
        SYS_ARCH_PRCTL => process::arch_prctl(a0 as u32, a1),
        SYS_SCHED_YIELD => process::sched_yield(),
        SYS_GETPRIORITY => misc::getpriority(a0 as i32, a1 as u32),
        SYS_SETPRIORITY => misc::setpriority(a0 as i32, a1 as u32, a2 as i32),
        SYS_SCHED_GETAFFINITY => misc::sched_getaffinity(a0 as i32, a1, a2),
        SYS_SCHED_SETAFFINITY => misc::sched_setaffinity(a0 as i32, a1, a2),
        SYS_SCHED_GETSCHEDULER => misc::sched_getscheduler(a0 as i32),
        SYS_SCHED_SETSCHEDULER => misc::sched_setscheduler(a0 as i32, Some(a1 as i32), a2),
        SYS_SCHED_SETPARAM => misc::sched_setscheduler(a0 as i32, None, a1),
        SYS_SCHED_GETPARAM => misc::sched_getparam(a0 as i32, a1),
        SYS_SCHED_GET_PRIORITY_MAX => misc::sched_get_priority_max(a0 as i32),
        SYS_SCHED_GET_PRIORITY_MIN => misc::sched_get_priority_min(a0 as i32),
        SYS_SCHED_RR_GET_INTERVAL => misc::sched_rr_get_interval(a0 as i32, a1),
        SYS_FUTEX => futex::futex(a0, a1 as u32, a2 as u32, a3, a4, a5 as u32),

        // ---- signals (signal.rs)
        SYS_RT_SIGACTION => signal::rt_sigaction(a0 as u32, a1, a2, a3),
        SYS_RT_SIGPROCMASK => signal::rt_sigprocmask(a0 as u32, a1, a2, a3),
        SYS_RT_SIGRETURN => crate::signal::sigreturn(tf),
        SYS_RT_SIGPENDING => signal::rt_sigpending(a0, a1),
        SYS_RT_SIGSUSPEND => signal::rt_sigsuspend(a0, a1),
        SYS_RT_SIGTIMEDWAIT => signal::rt_sigtimedwait(a0, a1, a2, a3),
        SYS_RT_SIGQUEUEINFO => signal::rt_sigqueueinfo(a0 as i32, a1 as u32, a2),
        SYS_RT_TGSIGQUEUEINFO => signal::rt_tgsigqueueinfo(a0 as i32, a1 as i32, a2 as u32, a3),
        SYS_SIGALTSTACK => signal::sigaltstack(a0, a1),
        SYS_KILL => signal::kill(a0 as i32, a1 as u32),
        SYS_TKILL => signal::tgkill(-1, a0 as i32, a1 as u32),
        SYS_TGKILL => signal::tgkill(a0 as i32, a1 as i32, a2 as u32),
        SYS_PAUSE => signal::pause(),
        SYS_RESTART_SYSCALL => signal::restart_syscall(),

        // ---- memory (mm.rs)
        SYS_BRK => mm::brk(a0),
        SYS_MMAP => mm::mmap(a0, a1, a2 as u32, a3 as u32, a4 as i32, a5),
        SYS_MUNMAP => mm::munmap(a0, a1),
        SYS_MPROTECT => mm::mprotect(a0, a1, a2 as u32),
        SYS_MREMAP => mm::mremap(a0, a1, a2, a3 as u32, a4),
        SYS_MADVISE => mm::madvise(a0, a1, a2 as u32),
        SYS_MSYNC => mm::msync(a0, a1, a2 as u32),
        SYS_MLOCK => mm::mlock(a0, a1, 0, true),
        SYS_MLOCK2 => mm::mlock(a0, a1, a2 as u32, true),
        SYS_MUNLOCK => mm::mlock(a0, a1, 0, false),
        SYS_MLOCKALL => mm::mlockall(a0 as u32),
        SYS_MUNLOCKALL => mm::munlockall(),
        SYS_MINCORE => mm::mincore(a0, a1, a2),

        // ---- time (time.rs)
        SYS_CLOCK_GETTIME => time::clock_gettime(a0 as i32, a1),
        SYS_CLOCK_GETRES => time::clock_getres(a0 as i32, a1),
        SYS_CLOCK_SETTIME => time::clock_settime(a0 as i32, a1),
        SYS_CLOCK_NANOSLEEP => time::clock_nanosleep(a0 as i32, a1 as u32, a2, a3),
        SYS_NANOSLEEP => time::nanosleep(a0, a1),
        SYS_GETTIMEOFDAY => time::gettimeofday(a0, a1),
        SYS_SETTIMEOFDAY => time::settimeofday(a0),
        SYS_TIME => time::time(a0),
        SYS_TIMES => time::times(a0),
        SYS_GETRUSAGE => time::getrusage(a0 as i32, a1),
        SYS_ALARM => time::alarm(a0 as u32),
        SYS_SETITIMER => time::setitimer(a0 as i32, a1, a2),
        SYS_GETITIMER => time::getitimer(a0 as i32, a1),
        SYS_TIMER_CREATE => time::timer_create(a0 as i32, a1, a2),
        SYS_TIMER_SETTIME => time::timer_settime(a0 as i32, a1 as u32, a2, a3),
        SYS_TIMER_GETTIME => time::timer_gettime(a0 as i32, a1),
        SYS_TIMER_GETOVERRUN => time::timer_getoverrun(a0 as i32),
        SYS_TIMER_DELETE => time::timer_delete(a0 as i32),

        // ---- everything else (misc.rs)
        SYS_UNAME => misc::uname(a0),
        SYS_SYSINFO => misc::sysinfo(a0),
        SYS_GETRANDOM => misc::getrandom(a0, a1, a2 as u32),
        SYS_GETRLIMIT => misc::prlimit64(0, a0 as u32, 0, a1),
        SYS_SETRLIMIT => misc::prlimit64(0, a0 as u32, a1, 0),
        SYS_PRLIMIT64 => misc::prlimit64(a0 as i32, a1 as u32, a2, a3),
        SYS_REBOOT => misc::reboot(a0 as u32, a1 as u32, a2 as u32),
        SYS_SETHOSTNAME => misc::sethostname(a0, a1),
        SYS_SETDOMAINNAME => misc::setdomainname(a0, a1),
        SYS_SYSLOG => misc::syslog(a0 as i32, a1, a2 as i32),
        SYS_GETCPU => misc::getcpu(a0, a1),
        SYS_SOCKET => misc::socket(a0 as i32, a1 as i32, a2 as i32),
        SYS_SOCKETPAIR => misc::socket(a0 as i32, a1 as i32, a2 as i32),
        SYS_RSEQ => Err(Errno::ENOSYS),
        SYS_MEMBARRIER => misc::membarrier(a0 as i32, a1 as u32, a2 as i32),
        SYS_GET_MEMPOLICY => misc::get_mempolicy(a0, a1, a2, a3, a4),
        SYS_SET_MEMPOLICY => misc::set_mempolicy(a0 as u32, a1, a2),
        SYS_MBIND => misc::mbind(a0, a1, a2 as u32, a3, a4, a5 as u32),
        _ => unknown(nr),
    }
}

static ENOSYS_LOGGED: spin::Mutex<[u16; 512]> = spin::Mutex::new([0; 512]);

fn unknown(nr: usize) -> SysResult {
    let mut l = ENOSYS_LOGGED.lock();
    let idx = nr.min(511);
    if l[idx] < 3 {
        l[idx] += 1;
        drop(l);
        let name = rill_abi::sysno::name(nr).unwrap_or("?");
        let comm = sched::current().process().comm();
        // A program asking for something Rill lacks is not a kernel fault: info level.
        kinfo!(
            "{}: syscall {} ({}) not implemented: ENOSYS",
            comm,
            nr,
            name
        );
    }
    Err(Errno::ENOSYS)
}
