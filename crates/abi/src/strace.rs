//! Syscall argument descriptions and pure formatters for a syscall tracer.
//!
//! The kernel looks up [`args`] for a syscall number, fetches user memory for
//! the kinds where [`Arg::is_pointer`] is true and it wants the contents
//! (`Path`, `Str`, `Buf`, `InBuf`, `StrArray`, `SigSet`, `Timespec`), and uses
//! [`fmt_flags`], [`fmt_escaped`], [`fmt_sigset`], [`fmt_timespec`] and
//! [`fmt_return`] to print strace-like lines. Nothing here touches user memory.

use crate::consts::*;
use crate::Errno;
use core::fmt::{self, Write};

/// How to print one syscall argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A C `int`: the low 32 bits, signed decimal.
    Int,
    /// A C `long`/`off_t`: signed decimal, 64-bit.
    Long,
    /// Unsigned decimal.
    UInt,
    /// Hexadecimal (`0` for zero).
    Hex,
    /// A file descriptor (low 32 bits, signed).
    Fd,
    /// A directory fd of an `*at` call: `AT_FDCWD` or a number.
    AtFd,
    /// A NUL-terminated user string (a path).
    Path,
    /// A NUL-terminated user string that is not a path (e.g. a name).
    Str,
    /// An opaque user pointer: `NULL` or hex.
    Ptr,
    /// An output buffer: print after the call, bytes up to the return value.
    /// `len_arg` is the index of the argument holding its capacity.
    Buf { len_arg: u8 },
    /// An input buffer: print before the call, `args[len_arg]` bytes.
    InBuf { len_arg: u8 },
    /// A NULL-terminated array of user string pointers (argv, envp).
    StrArray,
    /// `open` flags: access mode then `O_*` bits.
    OpenFlags,
    /// `O_CLOEXEC`/`O_NONBLOCK`-style flags of pipe2, dup3, eventfd2, epoll_create1, ...
    FdFlags,
    /// `AT_*` flags.
    AtFlags,
    /// `access` mode: `F_OK` or `R_OK|W_OK|X_OK`.
    AccessMode,
    /// A file mode, in octal, with `S_IF*` type if present.
    Mode,
    /// `SEEK_*`.
    Whence,
    /// A signal number.
    Signal,
    /// A pointer to a 64-bit signal set (format the loaded mask with [`fmt_sigset`]).
    SigSet,
    /// `SIG_BLOCK`/`SIG_UNBLOCK`/`SIG_SETMASK`.
    SigHow,
    /// clone flags (`CLONE_*` plus the exit signal in the low byte).
    Clone,
    /// `PROT_*`.
    MmapProt,
    /// `MAP_*`.
    MmapFlags,
    /// `MREMAP_*`.
    MremapFlags,
    /// `MADV_*`.
    Madvise,
    /// An ioctl request number.
    Ioctl,
    /// An fcntl command.
    Fcntl,
    /// `WNOHANG|...` wait options.
    WaitOptions,
    /// A `CLOCK_*` id.
    ClockId,
    /// `TIMER_ABSTIME` flags.
    TimerFlags,
    /// A futex operation (`FUTEX_WAIT_PRIVATE`, ...).
    FutexOp,
    /// A `PR_*` prctl option.
    Prctl,
    /// An `ARCH_*` arch_prctl code.
    ArchPrctl,
    /// An `RLIMIT_*` resource.
    Resource,
    /// An `AF_*` address family.
    SockDomain,
    /// `SOCK_*` type with `SOCK_CLOEXEC`/`SOCK_NONBLOCK`.
    SockType,
    /// `MSG_*` flags.
    MsgFlags,
    /// `EPOLL_CTL_*`.
    EpollCtl,
    /// `ITIMER_*`.
    Itimer,
    /// `GRND_*`.
    GrndFlags,
    /// A pointer to a `struct timespec` (format the loaded value with [`fmt_timespec`]).
    Timespec,
    /// An output `struct stat` (format the loaded one with [`fmt_stat`] after the call).
    Stat,
    /// An output 64-bit signal set (the old mask of `rt_sigprocmask`), printed after the call.
    SigSetOut,
    /// An output `int[2]` (pipe fds), printed after the call as `[3, 4]`.
    FdPair,
    /// An output wait status (`int *`), printed after the call with [`fmt_wait_status`].
    WaitStatus,
    /// An environment array: printed as its address and `/* N vars */`, like strace.
    EnvArray,
    /// An output pointer strace prints after the call, as `NULL` or hex.
    OutPtr,
}

impl Arg {
    /// Whether the raw value is a user pointer (printed as `NULL`/hex by [`fmt_flags`]).
    pub fn is_pointer(self) -> bool {
        matches!(
            self,
            Arg::Path
                | Arg::Str
                | Arg::Ptr
                | Arg::Buf { .. }
                | Arg::InBuf { .. }
                | Arg::StrArray
                | Arg::SigSet
                | Arg::Timespec
                | Arg::Stat
                | Arg::SigSetOut
                | Arg::FdPair
                | Arg::WaitStatus
                | Arg::EnvArray
                | Arg::OutPtr
        )
    }

    /// Whether the argument is printed only after the syscall returns (output buffers).
    pub fn is_output(self) -> bool {
        matches!(
            self,
            Arg::Buf { .. }
                | Arg::Stat
                | Arg::SigSetOut
                | Arg::FdPair
                | Arg::WaitStatus
                | Arg::OutPtr
        )
    }
}

/// The arguments of syscall `nr` (from the one syscall table, `table.rs`), or an empty
/// slice for numbers the table does not list (and for syscalls without arguments).
pub fn args(nr: usize) -> &'static [Arg] {
    crate::syscalls::lookup(nr).map_or(&[], |s| s.args)
}

/// How a syscall's return value is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    Int,
    Hex,
    /// Does not return (`exit`, `exit_group`): strace prints `= ?`.
    Never,
}

/// The return kind of `nr`: addresses (`mmap`, `brk`, `mremap`, `shmat`) are hex.
pub fn ret_kind(nr: usize) -> Ret {
    crate::syscalls::lookup(nr).map_or(Ret::Int, |s| s.ret)
}

/// Writes a return value as strace does: `-1 ENOENT (No such file or directory)` for an
/// errno (`-4095..=-1`), hex for address results, `?` for calls that do not return,
/// decimal otherwise.
pub fn fmt_return(nr: usize, ret: i64, out: &mut impl Write) {
    let _ = fmt_return_inner(nr, ret, out);
}

fn fmt_return_inner(nr: usize, ret: i64, out: &mut impl Write) -> fmt::Result {
    if ret_kind(nr) == Ret::Never {
        return out.write_char('?');
    }
    if (-4095..=-1).contains(&ret) {
        let e = Errno(-ret as i32);
        if e.is_restart() {
            // interrupted, to be restarted or to fail with EINTR: strace's "? ERESTART..."
            let text = match e.0 {
                512 => "To be restarted if SA_RESTART is set",
                513 => "To be restarted",
                514 => "To be restarted if no handler",
                _ => "Interrupted by signal",
            };
            return write!(out, "? {} ({})", e.name(), text);
        }
        return match (e.name(), errno_text(e)) {
            ("E?", _) => write!(out, "-1 errno {}", -ret),
            (name, Some(text)) => write!(out, "-1 {} ({})", name, text),
            (name, None) => write!(out, "-1 {}", name),
        };
    }
    match ret_kind(nr) {
        Ret::Hex => write!(out, "{:#x}", ret as u64),
        Ret::Int | Ret::Never => write!(out, "{}", ret),
    }
}

/// Writes `name(a, b, ...)` with every argument formatted by [`fmt_flags`]
/// (pointers as hex). Unknown syscalls print as strace does, `syscall_0x190(...)` with
/// six hex args.
pub fn fmt_call(nr: usize, a: &[u64; 6], out: &mut impl Write) {
    let _ = fmt_call_inner(nr, a, out);
}

fn fmt_call_inner(nr: usize, a: &[u64; 6], out: &mut impl Write) -> fmt::Result {
    let kinds = args(nr);
    fmt_name(nr, out)?;
    out.write_char('(')?;
    if kinds.is_empty() && crate::sysno::name(nr).is_none() {
        for (i, v) in a.iter().enumerate() {
            if i > 0 {
                out.write_str(", ")?;
            }
            fmt_flags_inner(Arg::Hex, *v, out)?;
        }
    }
    for (i, (k, v)) in kinds.iter().zip(a.iter()).enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        fmt_flags_inner(*k, *v, out)?;
    }
    out.write_char(')')
}

/// Writes `value` as strace would for an argument of `kind`, without touching user
/// memory: flag words symbolically (`O_RDONLY|O_CLOEXEC`, `PROT_READ|PROT_WRITE`,
/// `MAP_PRIVATE|MAP_ANONYMOUS`, `SIGINT`, `AT_FDCWD`), numbers in decimal or hex,
/// and pointer kinds as `NULL` or `0x...`. Unknown bits are appended as `|0x...`.
pub fn fmt_flags(kind: Arg, value: u64, out: &mut impl Write) {
    let _ = fmt_flags_inner(kind, value, out);
}

const OPEN_FLAGS: &[(u64, &str)] = &[
    (O_CREAT as u64, "O_CREAT"),
    (O_EXCL as u64, "O_EXCL"),
    (O_NOCTTY as u64, "O_NOCTTY"),
    (O_TRUNC as u64, "O_TRUNC"),
    (O_APPEND as u64, "O_APPEND"),
    (O_NONBLOCK as u64, "O_NONBLOCK"),
    // O_SYNC contains O_DSYNC: match the composite first.
    (O_SYNC as u64, "O_SYNC"),
    (O_DSYNC as u64, "O_DSYNC"),
    (O_ASYNC as u64, "O_ASYNC"),
    (O_DIRECT as u64, "O_DIRECT"),
    (O_LARGEFILE as u64, "O_LARGEFILE"),
    // O_TMPFILE contains O_DIRECTORY.
    (O_TMPFILE as u64, "O_TMPFILE"),
    (O_DIRECTORY as u64, "O_DIRECTORY"),
    (O_NOFOLLOW as u64, "O_NOFOLLOW"),
    (O_NOATIME as u64, "O_NOATIME"),
    (O_CLOEXEC as u64, "O_CLOEXEC"),
    (O_PATH as u64, "O_PATH"),
];

const FD_FLAGS: &[(u64, &str)] = &[
    (O_NONBLOCK as u64, "O_NONBLOCK"),
    (O_CLOEXEC as u64, "O_CLOEXEC"),
    (O_DIRECT as u64, "O_DIRECT"),
    (EFD_SEMAPHORE as u64, "EFD_SEMAPHORE"),
];

const AT_FLAGS: &[(u64, &str)] = &[
    (AT_SYMLINK_NOFOLLOW as u64, "AT_SYMLINK_NOFOLLOW"),
    (AT_REMOVEDIR as u64, "AT_REMOVEDIR"),
    (AT_SYMLINK_FOLLOW as u64, "AT_SYMLINK_FOLLOW"),
    (AT_NO_AUTOMOUNT as u64, "AT_NO_AUTOMOUNT"),
    (AT_EMPTY_PATH as u64, "AT_EMPTY_PATH"),
    (AT_STATX_FORCE_SYNC as u64, "AT_STATX_FORCE_SYNC"),
    (AT_STATX_DONT_SYNC as u64, "AT_STATX_DONT_SYNC"),
    (AT_RECURSIVE as u64, "AT_RECURSIVE"),
];

const ACCESS_MODES: &[(u64, &str)] = &[
    (R_OK as u64, "R_OK"),
    (W_OK as u64, "W_OK"),
    (X_OK as u64, "X_OK"),
];

const PROT_FLAGS: &[(u64, &str)] = &[
    (PROT_READ as u64, "PROT_READ"),
    (PROT_WRITE as u64, "PROT_WRITE"),
    (PROT_EXEC as u64, "PROT_EXEC"),
    (PROT_SEM as u64, "PROT_SEM"),
    (PROT_GROWSDOWN as u64, "PROT_GROWSDOWN"),
    (PROT_GROWSUP as u64, "PROT_GROWSUP"),
];

const MAP_FLAGS: &[(u64, &str)] = &[
    (MAP_FIXED as u64, "MAP_FIXED"),
    (MAP_ANONYMOUS as u64, "MAP_ANONYMOUS"),
    (MAP_32BIT as u64, "MAP_32BIT"),
    (MAP_GROWSDOWN as u64, "MAP_GROWSDOWN"),
    (MAP_DENYWRITE as u64, "MAP_DENYWRITE"),
    (MAP_EXECUTABLE as u64, "MAP_EXECUTABLE"),
    (MAP_LOCKED as u64, "MAP_LOCKED"),
    (MAP_NORESERVE as u64, "MAP_NORESERVE"),
    (MAP_POPULATE as u64, "MAP_POPULATE"),
    (MAP_NONBLOCK as u64, "MAP_NONBLOCK"),
    (MAP_STACK as u64, "MAP_STACK"),
    (MAP_HUGETLB as u64, "MAP_HUGETLB"),
    (MAP_SYNC as u64, "MAP_SYNC"),
    (MAP_FIXED_NOREPLACE as u64, "MAP_FIXED_NOREPLACE"),
    (MAP_UNINITIALIZED as u64, "MAP_UNINITIALIZED"),
];

const MREMAP_FLAGS: &[(u64, &str)] = &[
    (MREMAP_MAYMOVE as u64, "MREMAP_MAYMOVE"),
    (MREMAP_FIXED as u64, "MREMAP_FIXED"),
    (MREMAP_DONTUNMAP as u64, "MREMAP_DONTUNMAP"),
];

const CLONE_FLAGS: &[(u64, &str)] = &[
    (CLONE_VM, "CLONE_VM"),
    (CLONE_FS, "CLONE_FS"),
    (CLONE_FILES, "CLONE_FILES"),
    (CLONE_SIGHAND, "CLONE_SIGHAND"),
    (CLONE_PIDFD, "CLONE_PIDFD"),
    (CLONE_PTRACE, "CLONE_PTRACE"),
    (CLONE_VFORK, "CLONE_VFORK"),
    (CLONE_PARENT, "CLONE_PARENT"),
    (CLONE_THREAD, "CLONE_THREAD"),
    (CLONE_NEWNS, "CLONE_NEWNS"),
    (CLONE_SYSVSEM, "CLONE_SYSVSEM"),
    (CLONE_SETTLS, "CLONE_SETTLS"),
    (CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"),
    (CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"),
    (CLONE_DETACHED, "CLONE_DETACHED"),
    (CLONE_UNTRACED, "CLONE_UNTRACED"),
    (CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"),
    (CLONE_NEWCGROUP, "CLONE_NEWCGROUP"),
    (CLONE_NEWUTS, "CLONE_NEWUTS"),
    (CLONE_NEWIPC, "CLONE_NEWIPC"),
    (CLONE_NEWUSER, "CLONE_NEWUSER"),
    (CLONE_NEWPID, "CLONE_NEWPID"),
    (CLONE_NEWNET, "CLONE_NEWNET"),
    (CLONE_IO, "CLONE_IO"),
    (CLONE_CLEAR_SIGHAND, "CLONE_CLEAR_SIGHAND"),
    (CLONE_INTO_CGROUP, "CLONE_INTO_CGROUP"),
];

const WAIT_FLAGS: &[(u64, &str)] = &[
    (WNOHANG as u64, "WNOHANG"),
    (WUNTRACED as u64, "WUNTRACED"),
    (WEXITED as u64, "WEXITED"),
    (WCONTINUED as u64, "WCONTINUED"),
    (WNOWAIT as u64, "WNOWAIT"),
    (__WNOTHREAD as u64, "__WNOTHREAD"),
    (__WALL as u64, "__WALL"),
    (__WCLONE as u64, "__WCLONE"),
];

const MSG_FLAGS: &[(u64, &str)] = &[
    (MSG_OOB as u64, "MSG_OOB"),
    (MSG_PEEK as u64, "MSG_PEEK"),
    (MSG_DONTROUTE as u64, "MSG_DONTROUTE"),
    (MSG_CTRUNC as u64, "MSG_CTRUNC"),
    (MSG_TRUNC as u64, "MSG_TRUNC"),
    (MSG_DONTWAIT as u64, "MSG_DONTWAIT"),
    (MSG_EOR as u64, "MSG_EOR"),
    (MSG_WAITALL as u64, "MSG_WAITALL"),
    (MSG_NOSIGNAL as u64, "MSG_NOSIGNAL"),
    (MSG_CMSG_CLOEXEC as u64, "MSG_CMSG_CLOEXEC"),
];

const GRND_FLAGS: &[(u64, &str)] = &[
    (GRND_NONBLOCK as u64, "GRND_NONBLOCK"),
    (GRND_RANDOM as u64, "GRND_RANDOM"),
    (GRND_INSECURE as u64, "GRND_INSECURE"),
];

const TIMER_FLAGS: &[(u64, &str)] = &[(TIMER_ABSTIME as u64, "TIMER_ABSTIME")];

/// Writes the names of the bits of `value` found in `table` joined by `|` (entries
/// are matched in order, each only if all its bits are still set), then any
/// leftover bits as hex. Writes nothing and returns `false` if `value` is 0.
fn write_bits(value: u64, table: &[(u64, &str)], first: bool, out: &mut impl Write) -> fmt::Result {
    let mut rest = value;
    let mut first = first;
    for &(bits, name) in table {
        if bits != 0 && rest & bits == bits {
            if !first {
                out.write_char('|')?;
            }
            out.write_str(name)?;
            first = false;
            rest &= !bits;
        }
    }
    if rest != 0 {
        if !first {
            out.write_char('|')?;
        }
        write!(out, "{:#x}", rest)?;
    }
    Ok(())
}

/// A flag word where zero prints as `zero`.
fn write_flags(value: u64, table: &[(u64, &str)], zero: &str, out: &mut impl Write) -> fmt::Result {
    if value == 0 {
        return out.write_str(zero);
    }
    write_bits(value, table, true, out)
}

fn write_name_or(value: u64, name: Option<&str>, hex: bool, out: &mut impl Write) -> fmt::Result {
    match name {
        Some(n) => out.write_str(n),
        None if hex => write!(out, "{:#x}", value),
        None => write!(out, "{}", value as i64),
    }
}

fn fmt_flags_inner(kind: Arg, value: u64, out: &mut impl Write) -> fmt::Result {
    let v32 = value as u32;
    match kind {
        Arg::Int => write!(out, "{}", v32 as i32),
        Arg::Long => write!(out, "{}", value as i64),
        Arg::UInt => write!(out, "{}", value),
        Arg::Hex => {
            if value == 0 {
                out.write_char('0')
            } else {
                write!(out, "{:#x}", value)
            }
        }
        Arg::Fd => write!(out, "{}", v32 as i32),
        Arg::AtFd => {
            if v32 as i32 == AT_FDCWD {
                out.write_str("AT_FDCWD")
            } else {
                write!(out, "{}", v32 as i32)
            }
        }
        Arg::Path
        | Arg::Str
        | Arg::Ptr
        | Arg::Buf { .. }
        | Arg::InBuf { .. }
        | Arg::StrArray
        | Arg::SigSet
        | Arg::Timespec
        | Arg::Stat
        | Arg::SigSetOut
        | Arg::FdPair
        | Arg::WaitStatus
        | Arg::EnvArray
        | Arg::OutPtr => {
            if value == 0 {
                out.write_str("NULL")
            } else {
                write!(out, "{:#x}", value)
            }
        }
        Arg::OpenFlags => {
            let mode = match v32 & O_ACCMODE {
                O_RDONLY => "O_RDONLY",
                O_WRONLY => "O_WRONLY",
                O_RDWR => "O_RDWR",
                _ => "O_ACCMODE",
            };
            out.write_str(mode)?;
            write_bits(u64::from(v32 & !O_ACCMODE), OPEN_FLAGS, false, out)
        }
        Arg::FdFlags => write_flags(u64::from(v32), FD_FLAGS, "0", out),
        Arg::AtFlags => write_flags(u64::from(v32), AT_FLAGS, "0", out),
        Arg::AccessMode => write_flags(u64::from(v32), ACCESS_MODES, "F_OK", out),
        Arg::Mode => {
            let ty = match v32 & S_IFMT {
                S_IFREG => Some("S_IFREG"),
                S_IFDIR => Some("S_IFDIR"),
                S_IFCHR => Some("S_IFCHR"),
                S_IFBLK => Some("S_IFBLK"),
                S_IFIFO => Some("S_IFIFO"),
                S_IFLNK => Some("S_IFLNK"),
                S_IFSOCK => Some("S_IFSOCK"),
                _ => None,
            };
            let perm = v32 & !S_IFMT;
            match ty {
                Some(t) => write!(out, "{}|0{:02o}", t, perm),
                None => write!(out, "0{:02o}", v32),
            }
        }
        Arg::Whence => {
            let n = match v32 {
                SEEK_SET => Some("SEEK_SET"),
                SEEK_CUR => Some("SEEK_CUR"),
                SEEK_END => Some("SEEK_END"),
                SEEK_DATA => Some("SEEK_DATA"),
                SEEK_HOLE => Some("SEEK_HOLE"),
                _ => None,
            };
            write_name_or(u64::from(v32), n, false, out)
        }
        Arg::Signal => write_name_or(u64::from(v32), signal_name(v32), false, out),
        Arg::SigHow => {
            let n = match v32 {
                SIG_BLOCK => Some("SIG_BLOCK"),
                SIG_UNBLOCK => Some("SIG_UNBLOCK"),
                SIG_SETMASK => Some("SIG_SETMASK"),
                _ => None,
            };
            write_name_or(u64::from(v32), n, false, out)
        }
        Arg::Clone => {
            let sig = (value & CSIGNAL) as u32;
            let rest = value & !CSIGNAL;
            if rest == 0 && sig == 0 {
                return out.write_char('0');
            }
            write_bits(rest, CLONE_FLAGS, true, out)?;
            if sig != 0 {
                if rest != 0 {
                    out.write_char('|')?;
                }
                write_name_or(u64::from(sig), signal_name(sig), false, out)?;
            }
            Ok(())
        }
        Arg::MmapProt => write_flags(u64::from(v32), PROT_FLAGS, "PROT_NONE", out),
        Arg::MmapFlags => {
            let ty = match v32 & MAP_TYPE {
                MAP_SHARED => Some("MAP_SHARED"),
                MAP_PRIVATE => Some("MAP_PRIVATE"),
                MAP_SHARED_VALIDATE => Some("MAP_SHARED_VALIDATE"),
                _ => None,
            };
            let rest = match ty {
                Some(t) => {
                    out.write_str(t)?;
                    v32 & !MAP_TYPE
                }
                None => v32,
            };
            if ty.is_none() && rest == 0 {
                return out.write_char('0');
            }
            write_bits(u64::from(rest), MAP_FLAGS, ty.is_none(), out)
        }
        Arg::MremapFlags => write_flags(u64::from(v32), MREMAP_FLAGS, "0", out),
        Arg::Madvise => write_name_or(u64::from(v32), madvise_name(v32), false, out),
        Arg::Ioctl => write_name_or(u64::from(v32), ioctl_name(v32), true, out),
        Arg::Fcntl => write_name_or(u64::from(v32), fcntl_name(v32), false, out),
        Arg::WaitOptions => write_flags(u64::from(v32), WAIT_FLAGS, "0", out),
        Arg::ClockId => write_name_or(u64::from(v32), clock_name(v32), false, out),
        Arg::TimerFlags => write_flags(u64::from(v32), TIMER_FLAGS, "0", out),
        Arg::FutexOp => {
            let cmd = v32 & FUTEX_CMD_MASK;
            match futex_name(cmd) {
                Some(n) => {
                    out.write_str(n)?;
                    if v32 & FUTEX_PRIVATE_FLAG != 0 {
                        out.write_str("_PRIVATE")?;
                    }
                }
                None => {
                    write!(out, "{}", cmd)?;
                    if v32 & FUTEX_PRIVATE_FLAG != 0 {
                        out.write_str("|FUTEX_PRIVATE_FLAG")?;
                    }
                }
            }
            if v32 & FUTEX_CLOCK_REALTIME != 0 {
                out.write_str("|FUTEX_CLOCK_REALTIME")?;
            }
            Ok(())
        }
        Arg::Prctl => write_name_or(u64::from(v32), prctl_name(v32), false, out),
        Arg::ArchPrctl => write_name_or(u64::from(v32), arch_prctl_name(v32), true, out),
        Arg::Resource => write_name_or(u64::from(v32), rlimit_name(v32), false, out),
        Arg::SockDomain => {
            let n = match v32 as u16 {
                _ if v32 > u32::from(u16::MAX) => None,
                AF_UNSPEC => Some("AF_UNSPEC"),
                AF_UNIX => Some("AF_UNIX"),
                AF_INET => Some("AF_INET"),
                AF_INET6 => Some("AF_INET6"),
                AF_NETLINK => Some("AF_NETLINK"),
                AF_PACKET => Some("AF_PACKET"),
                _ => None,
            };
            write_name_or(u64::from(v32), n, false, out)
        }
        Arg::SockType => {
            let n = match v32 & SOCK_TYPE_MASK {
                SOCK_STREAM => Some("SOCK_STREAM"),
                SOCK_DGRAM => Some("SOCK_DGRAM"),
                SOCK_RAW => Some("SOCK_RAW"),
                SOCK_RDM => Some("SOCK_RDM"),
                SOCK_SEQPACKET => Some("SOCK_SEQPACKET"),
                _ => None,
            };
            write_name_or(u64::from(v32 & SOCK_TYPE_MASK), n, false, out)?;
            let table: &[(u64, &str)] = &[
                (SOCK_NONBLOCK as u64, "SOCK_NONBLOCK"),
                (SOCK_CLOEXEC as u64, "SOCK_CLOEXEC"),
            ];
            write_bits(u64::from(v32 & !SOCK_TYPE_MASK), table, false, out)
        }
        Arg::MsgFlags => write_flags(u64::from(v32), MSG_FLAGS, "0", out),
        Arg::EpollCtl => {
            let n = match v32 {
                EPOLL_CTL_ADD => Some("EPOLL_CTL_ADD"),
                EPOLL_CTL_DEL => Some("EPOLL_CTL_DEL"),
                EPOLL_CTL_MOD => Some("EPOLL_CTL_MOD"),
                _ => None,
            };
            write_name_or(u64::from(v32), n, false, out)
        }
        Arg::Itimer => {
            let n = match v32 {
                ITIMER_REAL => Some("ITIMER_REAL"),
                ITIMER_VIRTUAL => Some("ITIMER_VIRTUAL"),
                ITIMER_PROF => Some("ITIMER_PROF"),
                _ => None,
            };
            write_name_or(u64::from(v32), n, false, out)
        }
        Arg::GrndFlags => write_flags(u64::from(v32), GRND_FLAGS, "0", out),
    }
}

/// `MADV_*` name.
pub fn madvise_name(v: u32) -> Option<&'static str> {
    Some(match v {
        MADV_NORMAL => "MADV_NORMAL",
        MADV_RANDOM => "MADV_RANDOM",
        MADV_SEQUENTIAL => "MADV_SEQUENTIAL",
        MADV_WILLNEED => "MADV_WILLNEED",
        MADV_DONTNEED => "MADV_DONTNEED",
        MADV_FREE => "MADV_FREE",
        MADV_REMOVE => "MADV_REMOVE",
        MADV_DONTFORK => "MADV_DONTFORK",
        MADV_DOFORK => "MADV_DOFORK",
        MADV_MERGEABLE => "MADV_MERGEABLE",
        MADV_UNMERGEABLE => "MADV_UNMERGEABLE",
        MADV_HUGEPAGE => "MADV_HUGEPAGE",
        MADV_NOHUGEPAGE => "MADV_NOHUGEPAGE",
        MADV_DONTDUMP => "MADV_DONTDUMP",
        MADV_DODUMP => "MADV_DODUMP",
        MADV_WIPEONFORK => "MADV_WIPEONFORK",
        MADV_KEEPONFORK => "MADV_KEEPONFORK",
        MADV_COLD => "MADV_COLD",
        MADV_PAGEOUT => "MADV_PAGEOUT",
        MADV_POPULATE_READ => "MADV_POPULATE_READ",
        MADV_POPULATE_WRITE => "MADV_POPULATE_WRITE",
        MADV_DONTNEED_LOCKED => "MADV_DONTNEED_LOCKED",
        MADV_COLLAPSE => "MADV_COLLAPSE",
        MADV_HWPOISON => "MADV_HWPOISON",
        MADV_SOFT_OFFLINE => "MADV_SOFT_OFFLINE",
        _ => return None,
    })
}

/// ioctl request name.
pub fn ioctl_name(v: u32) -> Option<&'static str> {
    Some(match v {
        TCGETS => "TCGETS",
        TCSETS => "TCSETS",
        TCSETSW => "TCSETSW",
        TCSETSF => "TCSETSF",
        TCGETA => "TCGETA",
        TCSETA => "TCSETA",
        TCSETAW => "TCSETAW",
        TCSETAF => "TCSETAF",
        TCSBRK => "TCSBRK",
        TCXONC => "TCXONC",
        TCFLSH => "TCFLSH",
        TIOCEXCL => "TIOCEXCL",
        TIOCNXCL => "TIOCNXCL",
        TIOCSCTTY => "TIOCSCTTY",
        TIOCGPGRP => "TIOCGPGRP",
        TIOCSPGRP => "TIOCSPGRP",
        TIOCOUTQ => "TIOCOUTQ",
        TIOCSTI => "TIOCSTI",
        TIOCGWINSZ => "TIOCGWINSZ",
        TIOCSWINSZ => "TIOCSWINSZ",
        TIOCMGET => "TIOCMGET",
        TIOCMBIS => "TIOCMBIS",
        TIOCMBIC => "TIOCMBIC",
        TIOCMSET => "TIOCMSET",
        FIONREAD => "FIONREAD",
        TIOCLINUX => "TIOCLINUX",
        TIOCCONS => "TIOCCONS",
        TIOCGSERIAL => "TIOCGSERIAL",
        TIOCSSERIAL => "TIOCSSERIAL",
        TIOCPKT => "TIOCPKT",
        FIONBIO => "FIONBIO",
        TIOCNOTTY => "TIOCNOTTY",
        TIOCSETD => "TIOCSETD",
        TIOCGETD => "TIOCGETD",
        TCSBRKP => "TCSBRKP",
        TIOCSBRK => "TIOCSBRK",
        TIOCCBRK => "TIOCCBRK",
        TIOCGSID => "TIOCGSID",
        TCGETS2 => "TCGETS2",
        TCSETS2 => "TCSETS2",
        TCSETSW2 => "TCSETSW2",
        TCSETSF2 => "TCSETSF2",
        TIOCGPTN => "TIOCGPTN",
        TIOCSPTLCK => "TIOCSPTLCK",
        TIOCGPTPEER => "TIOCGPTPEER",
        FIONCLEX => "FIONCLEX",
        FIOCLEX => "FIOCLEX",
        FIOASYNC => "FIOASYNC",
        TIOCSERGETLSR => "TIOCSERGETLSR",
        FIOQSIZE => "FIOQSIZE",
        _ => return None,
    })
}

/// fcntl command name.
pub fn fcntl_name(v: u32) -> Option<&'static str> {
    Some(match v {
        F_DUPFD => "F_DUPFD",
        F_GETFD => "F_GETFD",
        F_SETFD => "F_SETFD",
        F_GETFL => "F_GETFL",
        F_SETFL => "F_SETFL",
        F_GETLK => "F_GETLK",
        F_SETLK => "F_SETLK",
        F_SETLKW => "F_SETLKW",
        F_SETOWN => "F_SETOWN",
        F_GETOWN => "F_GETOWN",
        F_SETSIG => "F_SETSIG",
        F_GETSIG => "F_GETSIG",
        F_SETOWN_EX => "F_SETOWN_EX",
        F_GETOWN_EX => "F_GETOWN_EX",
        F_GETOWNER_UIDS => "F_GETOWNER_UIDS",
        F_OFD_GETLK => "F_OFD_GETLK",
        F_OFD_SETLK => "F_OFD_SETLK",
        F_OFD_SETLKW => "F_OFD_SETLKW",
        F_SETLEASE => "F_SETLEASE",
        F_GETLEASE => "F_GETLEASE",
        F_NOTIFY => "F_NOTIFY",
        F_DUPFD_QUERY => "F_DUPFD_QUERY",
        F_CANCELLK => "F_CANCELLK",
        F_DUPFD_CLOEXEC => "F_DUPFD_CLOEXEC",
        F_SETPIPE_SZ => "F_SETPIPE_SZ",
        F_GETPIPE_SZ => "F_GETPIPE_SZ",
        F_ADD_SEALS => "F_ADD_SEALS",
        F_GET_SEALS => "F_GET_SEALS",
        _ => return None,
    })
}

/// `CLOCK_*` name.
pub fn clock_name(v: u32) -> Option<&'static str> {
    Some(match v {
        CLOCK_REALTIME => "CLOCK_REALTIME",
        CLOCK_MONOTONIC => "CLOCK_MONOTONIC",
        CLOCK_PROCESS_CPUTIME_ID => "CLOCK_PROCESS_CPUTIME_ID",
        CLOCK_THREAD_CPUTIME_ID => "CLOCK_THREAD_CPUTIME_ID",
        CLOCK_MONOTONIC_RAW => "CLOCK_MONOTONIC_RAW",
        CLOCK_REALTIME_COARSE => "CLOCK_REALTIME_COARSE",
        CLOCK_MONOTONIC_COARSE => "CLOCK_MONOTONIC_COARSE",
        CLOCK_BOOTTIME => "CLOCK_BOOTTIME",
        CLOCK_REALTIME_ALARM => "CLOCK_REALTIME_ALARM",
        CLOCK_BOOTTIME_ALARM => "CLOCK_BOOTTIME_ALARM",
        CLOCK_TAI => "CLOCK_TAI",
        _ => return None,
    })
}

/// Futex command name (without the private/clock modifiers).
pub fn futex_name(cmd: u32) -> Option<&'static str> {
    Some(match cmd {
        FUTEX_WAIT => "FUTEX_WAIT",
        FUTEX_WAKE => "FUTEX_WAKE",
        FUTEX_FD => "FUTEX_FD",
        FUTEX_REQUEUE => "FUTEX_REQUEUE",
        FUTEX_CMP_REQUEUE => "FUTEX_CMP_REQUEUE",
        FUTEX_WAKE_OP => "FUTEX_WAKE_OP",
        FUTEX_LOCK_PI => "FUTEX_LOCK_PI",
        FUTEX_UNLOCK_PI => "FUTEX_UNLOCK_PI",
        FUTEX_TRYLOCK_PI => "FUTEX_TRYLOCK_PI",
        FUTEX_WAIT_BITSET => "FUTEX_WAIT_BITSET",
        FUTEX_WAKE_BITSET => "FUTEX_WAKE_BITSET",
        FUTEX_WAIT_REQUEUE_PI => "FUTEX_WAIT_REQUEUE_PI",
        FUTEX_CMP_REQUEUE_PI => "FUTEX_CMP_REQUEUE_PI",
        FUTEX_LOCK_PI2 => "FUTEX_LOCK_PI2",
        _ => return None,
    })
}

/// `PR_*` name.
pub fn prctl_name(v: u32) -> Option<&'static str> {
    Some(match v {
        PR_SET_PDEATHSIG => "PR_SET_PDEATHSIG",
        PR_GET_PDEATHSIG => "PR_GET_PDEATHSIG",
        PR_GET_DUMPABLE => "PR_GET_DUMPABLE",
        PR_SET_DUMPABLE => "PR_SET_DUMPABLE",
        PR_GET_KEEPCAPS => "PR_GET_KEEPCAPS",
        PR_SET_KEEPCAPS => "PR_SET_KEEPCAPS",
        PR_SET_NAME => "PR_SET_NAME",
        PR_GET_NAME => "PR_GET_NAME",
        PR_GET_SECCOMP => "PR_GET_SECCOMP",
        PR_SET_SECCOMP => "PR_SET_SECCOMP",
        PR_CAPBSET_READ => "PR_CAPBSET_READ",
        PR_CAPBSET_DROP => "PR_CAPBSET_DROP",
        PR_GET_TSC => "PR_GET_TSC",
        PR_SET_TSC => "PR_SET_TSC",
        PR_GET_SECUREBITS => "PR_GET_SECUREBITS",
        PR_SET_SECUREBITS => "PR_SET_SECUREBITS",
        PR_SET_TIMERSLACK => "PR_SET_TIMERSLACK",
        PR_GET_TIMERSLACK => "PR_GET_TIMERSLACK",
        PR_SET_MM => "PR_SET_MM",
        PR_SET_CHILD_SUBREAPER => "PR_SET_CHILD_SUBREAPER",
        PR_GET_CHILD_SUBREAPER => "PR_GET_CHILD_SUBREAPER",
        PR_SET_NO_NEW_PRIVS => "PR_SET_NO_NEW_PRIVS",
        PR_GET_NO_NEW_PRIVS => "PR_GET_NO_NEW_PRIVS",
        PR_GET_TID_ADDRESS => "PR_GET_TID_ADDRESS",
        PR_SET_THP_DISABLE => "PR_SET_THP_DISABLE",
        PR_GET_THP_DISABLE => "PR_GET_THP_DISABLE",
        PR_CAP_AMBIENT => "PR_CAP_AMBIENT",
        PR_GET_SPECULATION_CTRL => "PR_GET_SPECULATION_CTRL",
        PR_SET_SPECULATION_CTRL => "PR_SET_SPECULATION_CTRL",
        PR_SET_IO_FLUSHER => "PR_SET_IO_FLUSHER",
        PR_GET_IO_FLUSHER => "PR_GET_IO_FLUSHER",
        PR_SET_MDWE => "PR_SET_MDWE",
        PR_GET_MDWE => "PR_GET_MDWE",
        PR_SET_VMA => "PR_SET_VMA",
        _ => return None,
    })
}

/// `ARCH_*` name.
pub fn arch_prctl_name(v: u32) -> Option<&'static str> {
    Some(match v {
        ARCH_SET_GS => "ARCH_SET_GS",
        ARCH_SET_FS => "ARCH_SET_FS",
        ARCH_GET_FS => "ARCH_GET_FS",
        ARCH_GET_GS => "ARCH_GET_GS",
        ARCH_GET_CPUID => "ARCH_GET_CPUID",
        ARCH_SET_CPUID => "ARCH_SET_CPUID",
        ARCH_GET_XCOMP_SUPP => "ARCH_GET_XCOMP_SUPP",
        ARCH_GET_XCOMP_PERM => "ARCH_GET_XCOMP_PERM",
        ARCH_REQ_XCOMP_PERM => "ARCH_REQ_XCOMP_PERM",
        ARCH_GET_XCOMP_GUEST_PERM => "ARCH_GET_XCOMP_GUEST_PERM",
        ARCH_REQ_XCOMP_GUEST_PERM => "ARCH_REQ_XCOMP_GUEST_PERM",
        ARCH_MAP_VDSO_X32 => "ARCH_MAP_VDSO_X32",
        ARCH_MAP_VDSO_32 => "ARCH_MAP_VDSO_32",
        ARCH_MAP_VDSO_64 => "ARCH_MAP_VDSO_64",
        _ => return None,
    })
}

/// `RLIMIT_*` name.
pub fn rlimit_name(v: u32) -> Option<&'static str> {
    const N: [&str; 16] = [
        "RLIMIT_CPU",
        "RLIMIT_FSIZE",
        "RLIMIT_DATA",
        "RLIMIT_STACK",
        "RLIMIT_CORE",
        "RLIMIT_RSS",
        "RLIMIT_NPROC",
        "RLIMIT_NOFILE",
        "RLIMIT_MEMLOCK",
        "RLIMIT_AS",
        "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING",
        "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE",
        "RLIMIT_RTPRIO",
        "RLIMIT_RTTIME",
    ];
    N.get(v as usize).copied()
}

/// Writes a signal mask strace-style: `[]`, `[INT TERM]`, `[RTMIN RT_1]`; a mask with
/// more than half the signals set is written as the complement, `~[KILL STOP]`.
pub fn fmt_sigset(mask: u64, out: &mut impl Write) {
    let _ = fmt_sigset_inner(mask, out);
}

fn fmt_sigset_inner(mask: u64, out: &mut impl Write) -> fmt::Result {
    let (m, prefix) = if mask.count_ones() > 32 {
        (!mask, "~[")
    } else {
        (mask, "[")
    };
    out.write_str(prefix)?;
    let mut first = true;
    for sig in 1..=NSIG {
        if m & sigmask(sig) == 0 {
            continue;
        }
        if !first {
            out.write_char(' ')?;
        }
        first = false;
        match signal_name(sig) {
            Some(n) => out.write_str(n.strip_prefix("SIG").unwrap_or(n))?,
            None => write!(out, "{}", sig)?,
        }
    }
    out.write_char(']')
}

/// Writes a syscall's name: `read`, or `syscall_0x190` for a number without one.
pub fn fmt_name(nr: usize, out: &mut impl Write) -> fmt::Result {
    match crate::sysno::name(nr) {
        Some(n) => out.write_str(n),
        None => write!(out, "syscall_{:#x}", nr),
    }
}

/// Writes a loaded `struct stat` the way strace abbreviates it:
/// `{st_mode=S_IFREG|0644, st_size=47, ...}`.
pub fn fmt_stat(mode: u32, size: i64, out: &mut impl Write) {
    let _ = out.write_str("{st_mode=");
    fmt_flags(Arg::Mode, u64::from(mode), out);
    let _ = write!(out, ", st_size={}, ...}}", size);
}

/// Writes a loaded wait status inside strace's brackets:
/// `[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]`, `[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]`.
pub fn fmt_wait_status(status: i32, out: &mut impl Write) {
    let _ = fmt_wait_status_inner(status, out);
}

fn fmt_wait_status_inner(status: i32, out: &mut impl Write) -> fmt::Result {
    let sig = (status & 0x7f) as u32;
    let sig_name = |s: u32, out: &mut dyn Write| -> fmt::Result {
        match signal_name(s) {
            Some(n) => out.write_str(n),
            None => write!(out, "{}", s),
        }
    };
    out.write_str("[{")?;
    if sig == 0 {
        write!(
            out,
            "WIFEXITED(s) && WEXITSTATUS(s) == {}",
            (status >> 8) & 0xff
        )?;
    } else if sig == 0x7f {
        out.write_str("WIFSTOPPED(s) && WSTOPSIG(s) == ")?;
        sig_name(((status >> 8) & 0xff) as u32, out)?;
    } else {
        out.write_str("WIFSIGNALED(s) && WTERMSIG(s) == ")?;
        sig_name(sig, out)?;
        if status & 0x80 != 0 {
            out.write_str(" && WCOREDUMP(s)")?;
        }
    }
    out.write_str("}]")
}

/// The process-end line strace prints: `+++ exited with 0 +++`, `+++ killed by SIGSEGV +++`
/// (`(core dumped)` when the status says so), from a wait status.
pub fn fmt_process_end(status: i32, out: &mut impl Write) {
    let sig = (status & 0x7f) as u32;
    if sig == 0 {
        let _ = write!(out, "+++ exited with {} +++", (status >> 8) & 0xff);
    } else {
        let _ = out.write_str("+++ killed by ");
        match signal_name(sig) {
            Some(n) => {
                let _ = out.write_str(n);
            }
            None => {
                let _ = write!(out, "{}", sig);
            }
        }
        let core = if status & 0x80 != 0 {
            " (core dumped)"
        } else {
            ""
        };
        let _ = write!(out, "{} +++", core);
    }
}

/// glibc's `strerror` text of an errno, which strace prints after its name.
pub fn errno_text(e: Errno) -> Option<&'static str> {
    Some(match e.0 {
        1 => "Operation not permitted",
        2 => "No such file or directory",
        3 => "No such process",
        4 => "Interrupted system call",
        5 => "Input/output error",
        6 => "No such device or address",
        7 => "Argument list too long",
        8 => "Exec format error",
        9 => "Bad file descriptor",
        10 => "No child processes",
        11 => "Resource temporarily unavailable",
        12 => "Cannot allocate memory",
        13 => "Permission denied",
        14 => "Bad address",
        15 => "Block device required",
        16 => "Device or resource busy",
        17 => "File exists",
        18 => "Invalid cross-device link",
        19 => "No such device",
        20 => "Not a directory",
        21 => "Is a directory",
        22 => "Invalid argument",
        23 => "Too many open files in system",
        24 => "Too many open files",
        25 => "Inappropriate ioctl for device",
        26 => "Text file busy",
        27 => "File too large",
        28 => "No space left on device",
        29 => "Illegal seek",
        30 => "Read-only file system",
        31 => "Too many links",
        32 => "Broken pipe",
        33 => "Numerical argument out of domain",
        34 => "Numerical result out of range",
        35 => "Resource deadlock avoided",
        36 => "File name too long",
        37 => "No locks available",
        38 => "Function not implemented",
        39 => "Directory not empty",
        40 => "Too many levels of symbolic links",
        42 => "No message of desired type",
        43 => "Identifier removed",
        61 => "No data available",
        62 => "Timer expired",
        75 => "Value too large for defined data type",
        77 => "File descriptor in bad state",
        84 => "Invalid or incomplete multibyte or wide character",
        88 => "Socket operation on non-socket",
        89 => "Destination address required",
        90 => "Message too long",
        91 => "Protocol wrong type for socket",
        92 => "Protocol not available",
        93 => "Protocol not supported",
        94 => "Socket type not supported",
        95 => "Operation not supported",
        96 => "Protocol family not supported",
        97 => "Address family not supported by protocol",
        98 => "Address already in use",
        99 => "Cannot assign requested address",
        100 => "Network is down",
        101 => "Network is unreachable",
        102 => "Network dropped connection on reset",
        103 => "Software caused connection abort",
        104 => "Connection reset by peer",
        105 => "No buffer space available",
        106 => "Transport endpoint is already connected",
        107 => "Transport endpoint is not connected",
        108 => "Cannot send after transport endpoint shutdown",
        110 => "Connection timed out",
        111 => "Connection refused",
        112 => "Host is down",
        113 => "No route to host",
        114 => "Operation already in progress",
        115 => "Operation now in progress",
        116 => "Stale file handle",
        122 => "Disk quota exceeded",
        125 => "Operation canceled",
        130 => "Owner died",
        131 => "State not recoverable",
        _ => return None,
    })
}

/// Writes a loaded `struct timespec` as `{tv_sec=1, tv_nsec=500}`.
pub fn fmt_timespec(tv_sec: i64, tv_nsec: i64, out: &mut impl Write) {
    let _ = write!(out, "{{tv_sec={}, tv_nsec={}}}", tv_sec, tv_nsec);
}

/// Writes `bytes` as a quoted C string the way strace does: printable ASCII as is,
/// `\t \n \v \f \r \" \\` as escapes, other bytes in octal (`\0`, `\33`; three
/// digits when an octal digit follows). At most `max` bytes are written; if `bytes`
/// is longer the closing quote is followed by `...`.
pub fn fmt_escaped(bytes: &[u8], max: usize, out: &mut impl Write) {
    let _ = fmt_escaped_inner(bytes, max, out);
}

fn fmt_escaped_inner(bytes: &[u8], max: usize, out: &mut impl Write) -> fmt::Result {
    let shown = bytes.get(..max).unwrap_or(bytes);
    out.write_char('"')?;
    for (i, &b) in shown.iter().enumerate() {
        match b {
            b'\t' => out.write_str("\\t")?,
            b'\n' => out.write_str("\\n")?,
            0x0b => out.write_str("\\v")?,
            0x0c => out.write_str("\\f")?,
            b'\r' => out.write_str("\\r")?,
            b'"' => out.write_str("\\\"")?,
            b'\\' => out.write_str("\\\\")?,
            0x20..=0x7e => out.write_char(b as char)?,
            _ => {
                let next_is_octal = matches!(shown.get(i + 1), Some(b'0'..=b'7'));
                if next_is_octal {
                    write!(out, "\\{:03o}", b)?
                } else {
                    write!(out, "\\{:o}", b)?
                }
            }
        }
    }
    out.write_char('"')?;
    if bytes.len() > shown.len() {
        out.write_str("...")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sysno::*;
    use alloc::string::String;
    use Arg::*;

    fn f(kind: Arg, v: u64) -> String {
        let mut s = String::new();
        fmt_flags(kind, v, &mut s);
        s
    }
    fn esc(b: &[u8], max: usize) -> String {
        let mut s = String::new();
        fmt_escaped(b, max, &mut s);
        s
    }

    #[test]
    fn open_flags() {
        assert_eq!(f(Arg::OpenFlags, 0), "O_RDONLY");
        assert_eq!(
            f(Arg::OpenFlags, u64::from(O_RDONLY | O_CLOEXEC)),
            "O_RDONLY|O_CLOEXEC"
        );
        assert_eq!(
            f(Arg::OpenFlags, u64::from(O_WRONLY | O_CREAT | O_TRUNC)),
            "O_WRONLY|O_CREAT|O_TRUNC"
        );
        assert_eq!(
            f(Arg::OpenFlags, u64::from(O_RDWR | O_SYNC | O_DIRECTORY)),
            "O_RDWR|O_SYNC|O_DIRECTORY"
        );
        assert_eq!(
            f(Arg::OpenFlags, u64::from(O_RDWR | O_TMPFILE)),
            "O_RDWR|O_TMPFILE"
        );
        assert_eq!(f(Arg::OpenFlags, 0x8000_0000), "O_RDONLY|0x80000000");
    }

    #[test]
    fn mmap_flags_and_prot() {
        assert_eq!(f(Arg::MmapProt, 0), "PROT_NONE");
        assert_eq!(f(Arg::MmapProt, 3), "PROT_READ|PROT_WRITE");
        assert_eq!(f(Arg::MmapProt, 5), "PROT_READ|PROT_EXEC");
        assert_eq!(
            f(Arg::MmapFlags, u64::from(MAP_PRIVATE | MAP_ANONYMOUS)),
            "MAP_PRIVATE|MAP_ANONYMOUS"
        );
        assert_eq!(
            f(
                Arg::MmapFlags,
                u64::from(MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE)
            ),
            "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE"
        );
        assert_eq!(f(Arg::MmapFlags, u64::from(MAP_SHARED)), "MAP_SHARED");
        assert_eq!(f(Arg::MmapFlags, 0), "0");
        assert_eq!(f(Arg::MmapFlags, u64::from(MAP_ANONYMOUS)), "MAP_ANONYMOUS");
    }

    #[test]
    fn scalars_and_names() {
        assert_eq!(f(Arg::Signal, 2), "SIGINT");
        assert_eq!(f(Arg::Signal, 34), "SIGRT_2");
        assert_eq!(f(Arg::Signal, 0), "0");
        assert_eq!(f(Arg::Signal, 99), "99");
        assert_eq!(f(Arg::AtFd, (-100i64) as u64), "AT_FDCWD");
        assert_eq!(f(Arg::AtFd, 0xffff_ff9c), "AT_FDCWD");
        assert_eq!(f(Arg::AtFd, 3), "3");
        assert_eq!(f(Arg::Fd, u64::MAX), "-1");
        assert_eq!(f(Arg::Int, u64::MAX), "-1");
        assert_eq!(f(Arg::Int, 0xffff_ffff), "-1");
        assert_eq!(f(Arg::Long, 0xffff_ffff), "4294967295");
        assert_eq!(f(Arg::Long, u64::MAX), "-1");
        assert_eq!(f(Arg::UInt, 10), "10");
        assert_eq!(f(Arg::Hex, 0), "0");
        assert_eq!(f(Arg::Hex, 255), "0xff");
        assert_eq!(f(Arg::Ptr, 0), "NULL");
        assert_eq!(f(Arg::Path, 0x4000), "0x4000");
        assert_eq!(f(Arg::Mode, 0o644), "0644");
        assert_eq!(f(Arg::Mode, 0o4755), "04755");
        assert_eq!(f(Arg::Mode, 0), "000");
        assert_eq!(f(Arg::Mode, 0o7), "007");
        assert_eq!(f(Arg::Mode, u64::from(S_IFCHR | 0o620)), "S_IFCHR|0620");
        assert_eq!(f(Arg::Whence, 2), "SEEK_END");
        assert_eq!(f(Arg::SigHow, 2), "SIG_SETMASK");
        assert_eq!(f(Arg::Ioctl, u64::from(TCGETS)), "TCGETS");
        assert_eq!(f(Arg::Ioctl, u64::from(TIOCGWINSZ)), "TIOCGWINSZ");
        assert_eq!(f(Arg::Ioctl, 0x1234_5678), "0x12345678");
        assert_eq!(f(Arg::Fcntl, u64::from(F_DUPFD_CLOEXEC)), "F_DUPFD_CLOEXEC");
        assert_eq!(f(Arg::ClockId, 1), "CLOCK_MONOTONIC");
        assert_eq!(f(Arg::AccessMode, 0), "F_OK");
        assert_eq!(f(Arg::AccessMode, 6), "R_OK|W_OK");
        assert_eq!(
            f(Arg::AtFlags, u64::from(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)),
            "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH"
        );
        assert_eq!(f(Arg::AtFlags, 0), "0");
        assert_eq!(f(Arg::FdFlags, u64::from(O_CLOEXEC)), "O_CLOEXEC");
        assert_eq!(
            f(Arg::WaitOptions, u64::from(WNOHANG | __WALL)),
            "WNOHANG|__WALL"
        );
        assert_eq!(f(Arg::FutexOp, 128), "FUTEX_WAIT_PRIVATE");
        assert_eq!(f(Arg::FutexOp, 1 | 128), "FUTEX_WAKE_PRIVATE");
        assert_eq!(
            f(Arg::FutexOp, 9 | 128 | 256),
            "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"
        );
        assert_eq!(f(Arg::ArchPrctl, u64::from(ARCH_SET_FS)), "ARCH_SET_FS");
        assert_eq!(f(Arg::Prctl, u64::from(PR_SET_NAME)), "PR_SET_NAME");
        assert_eq!(f(Arg::Resource, 7), "RLIMIT_NOFILE");
        assert_eq!(f(Arg::Resource, 16), "16");
        assert_eq!(f(Arg::SockDomain, 1), "AF_UNIX");
        assert_eq!(
            f(Arg::SockType, u64::from(SOCK_STREAM | SOCK_CLOEXEC)),
            "SOCK_STREAM|SOCK_CLOEXEC"
        );
        assert_eq!(f(Arg::Madvise, 4), "MADV_DONTNEED");
        assert_eq!(f(Arg::MremapFlags, 1), "MREMAP_MAYMOVE");
        assert_eq!(f(Arg::TimerFlags, 1), "TIMER_ABSTIME");
        assert_eq!(f(Arg::GrndFlags, 1), "GRND_NONBLOCK");
        assert_eq!(f(Arg::EpollCtl, 1), "EPOLL_CTL_ADD");
    }

    #[test]
    fn clone_flags() {
        let fl = CLONE_VM
            | CLONE_FS
            | CLONE_FILES
            | CLONE_SIGHAND
            | CLONE_THREAD
            | CLONE_SYSVSEM
            | CLONE_SETTLS
            | CLONE_PARENT_SETTID
            | CLONE_CHILD_CLEARTID;
        assert_eq!(
            f(Arg::Clone, fl),
            "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|\
             CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID"
        );
        assert_eq!(
            f(
                Arg::Clone,
                CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | u64::from(SIGCHLD)
            ),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
        );
        assert_eq!(f(Arg::Clone, u64::from(SIGCHLD)), "SIGCHLD");
        assert_eq!(f(Arg::Clone, 0), "0");
    }

    #[test]
    fn escaping() {
        assert_eq!(esc(b"hello\n", 32), "\"hello\\n\"");
        assert_eq!(esc(b"a\"b\\c\t", 32), "\"a\\\"b\\\\c\\t\"");
        assert_eq!(esc(b"\x00\x1b[0m", 32), "\"\\0\\33[0m\"");
        assert_eq!(esc(b"\x001", 32), "\"\\0001\"");
        assert_eq!(esc(b"\xff\xfe", 32), "\"\\377\\376\"");
        assert_eq!(esc(b"abcdef", 3), "\"abc\"...");
        assert_eq!(esc(b"abc", 3), "\"abc\"");
        assert_eq!(esc(b"", 3), "\"\"");
        assert_eq!(esc(b"\x0b\x0c\r", 8), "\"\\v\\f\\r\"");
    }

    #[test]
    fn sigsets() {
        let mut s = String::new();
        fmt_sigset(0, &mut s);
        assert_eq!(s, "[]");
        s.clear();
        fmt_sigset(sigmask(SIGINT) | sigmask(SIGTERM), &mut s);
        assert_eq!(s, "[INT TERM]");
        s.clear();
        fmt_sigset(sigmask(32) | sigmask(33), &mut s);
        assert_eq!(s, "[RTMIN RT_1]");
        s.clear();
        fmt_sigset(!(sigmask(SIGKILL) | sigmask(SIGSTOP)), &mut s);
        assert_eq!(s, "~[KILL STOP]");
        s.clear();
        fmt_sigset(u64::MAX, &mut s);
        assert_eq!(s, "~[]");
    }

    #[test]
    fn tables_cover_common_syscalls() {
        assert_eq!(args(SYS_READ), &[Fd, Buf { len_arg: 2 }, UInt]);
        assert_eq!(args(SYS_OPENAT), &[AtFd, Path, OpenFlags, Mode]);
        assert_eq!(args(SYS_MMAP).len(), 6);
        assert_eq!(args(SYS_EXECVE), &[Path, StrArray, EnvArray]);
        assert_eq!(args(9999), &[] as &[Arg]);
        let described = (0..=SYS_MAX).filter(|&n| !args(n).is_empty()).count();
        assert!(described >= 120, "only {described} syscalls described");
        // Every described syscall has at most six arguments and valid length indices.
        for n in 0..=SYS_MAX {
            let a = args(n);
            assert!(a.len() <= 6, "{n}");
            for k in a {
                if let Buf { len_arg } | InBuf { len_arg } = *k {
                    assert!((len_arg as usize) < a.len(), "syscall {n}");
                    assert!(crate::sysno::name(n).is_some());
                }
            }
        }
    }

    #[test]
    fn call_and_return_lines() {
        let mut s = String::new();
        let a = [
            (-100i64) as u64,
            0x4000,
            u64::from(O_RDONLY | O_CLOEXEC),
            0,
            0,
            0,
        ];
        fmt_call(SYS_OPENAT, &a, &mut s);
        assert_eq!(s, "openat(AT_FDCWD, 0x4000, O_RDONLY|O_CLOEXEC, 000)");
        s.clear();
        fmt_call(SYS_GETPID, &[0; 6], &mut s);
        assert_eq!(s, "getpid()");
        s.clear();
        fmt_call(400, &[1, 2, 0, 0, 0, 0], &mut s);
        assert_eq!(s, "syscall_0x190(0x1, 0x2, 0, 0, 0, 0)");
        s.clear();
        fmt_return(SYS_OPENAT, -2, &mut s);
        assert_eq!(s, "-1 ENOENT (No such file or directory)");
        s.clear();
        fmt_return(SYS_EXIT_GROUP, 0, &mut s);
        assert_eq!(s, "?");
        s.clear();
        fmt_return(SYS_READ, -512, &mut s);
        assert_eq!(s, "? ERESTARTSYS (To be restarted if SA_RESTART is set)");
        s.clear();
        fmt_return(SYS_NANOSLEEP, -516, &mut s);
        assert_eq!(s, "? ERESTART_RESTARTBLOCK (Interrupted by signal)");
        s.clear();
        fmt_return(SYS_MMAP, 0x7f00_0000_0000, &mut s);
        assert_eq!(s, "0x7f0000000000");
        s.clear();
        fmt_return(SYS_READ, 12, &mut s);
        assert_eq!(s, "12");
        s.clear();
        fmt_return(SYS_READ, -4000, &mut s);
        assert_eq!(s, "-1 errno 4000");
        s.clear();
        fmt_timespec(1, 500, &mut s);
        assert_eq!(s, "{tv_sec=1, tv_nsec=500}");
    }

    #[test]
    fn structs_and_process_ends() {
        let mut s = String::new();
        fmt_stat(S_IFREG | 0o640, 47, &mut s);
        assert_eq!(s, "{st_mode=S_IFREG|0640, st_size=47, ...}");
        s.clear();
        fmt_wait_status(3 << 8, &mut s);
        assert_eq!(s, "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]");
        s.clear();
        fmt_wait_status(9, &mut s);
        assert_eq!(s, "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]");
        s.clear();
        fmt_wait_status(11 | 0x80, &mut s);
        assert_eq!(
            s,
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]"
        );
        s.clear();
        fmt_process_end(0, &mut s);
        assert_eq!(s, "+++ exited with 0 +++");
        s.clear();
        fmt_process_end(11, &mut s);
        assert_eq!(s, "+++ killed by SIGSEGV +++");
        s.clear();
        fmt_process_end(6 | 0x80, &mut s);
        assert_eq!(s, "+++ killed by SIGABRT (core dumped) +++");
        s.clear();
        fmt_flags(Arg::Stat, 0x7ffc_0000, &mut s);
        assert_eq!(s, "0x7ffc0000");
        assert!(Arg::Stat.is_output() && Arg::OutPtr.is_output() && !Arg::EnvArray.is_output());
    }
}
