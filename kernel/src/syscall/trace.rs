//! The syscall tracer and the "what does this program need" report.
//!
//! - `rill.strace=PROG[,PROG]` (`all` or `*`: every program): one line per syscall in
//!   strace's format (`[pid N] name(args) = ret`, `-1 ENOENT (No such file or directory)`,
//!   decoded flags, buffers cut at 32 bytes, sigsets, timespecs, `struct stat`, wait
//!   statuses). Arguments are formatted from the one syscall table's kinds: inputs at
//!   entry (so `execve` shows the old image's strings), outputs at exit. While a call is in
//!   flight, a line of another task first prints the call as `<unfinished ...>`, and the
//!   call then ends as `<... name resumed>`, as `strace -f` does. `exit_group(0) = ?` and
//!   `+++ exited with 0 +++` / `+++ killed by SIGSEGV +++` end a process.
//! - `rill.strace_summary=PROG[,PROG]`: a `strace -c` table when the process ends.
//! - Always: a program that got ENOSYS or used a `Partial` call is named at its end with
//!   those calls, in one info line (each distinct report once).
//!
//! When no option is given, `enter` costs one relaxed load.
use crate::task::{Process, Task};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};
use rill_abi::strace::{self, Arg, Ret};
use rill_abi::sysno::{SYS_EXECVE, SYS_EXECVEAT};
use spin::Mutex;

static ON: AtomicBool = AtomicBool::new(false);
static PROGS: spin::Once<Vec<String>> = spin::Once::new();
static SUMMARY: spin::Once<Vec<String>> = spin::Once::new();

/// How many bytes of a buffer or string are shown (strace's default `-s 32`).
const STR_MAX: usize = 32;
/// How many argv entries are shown.
const ARGV_MAX: usize = 32;

pub fn init() {
    crate::task::exit::add_exit_hook(on_exit);
    let list = |v: &str| -> Vec<String> { v.split(',').map(String::from).collect() };
    if let Some(v) = crate::cmdline::opt("rill.strace") {
        PROGS.call_once(|| list(v));
        ON.store(true, Ordering::Relaxed);
    }
    if let Some(v) = crate::cmdline::opt("rill.strace_summary") {
        SUMMARY.call_once(|| list(v));
        ON.store(true, Ordering::Relaxed);
    }
    super::table::check();
}

fn listed(list: &spin::Once<Vec<String>>, comm: &str) -> bool {
    list.get()
        .is_some_and(|p| p.iter().any(|x| x == "*" || x == "all" || x == comm))
}

/// A call in flight of a traced task.
struct Pending {
    tid: u32,
    /// Its process: a process that ends drops its threads' calls in flight.
    pid: u32,
    nr: usize,
    a: [u64; 6],
    /// `name(` and the arguments formatted at entry (with a trailing `, ` when output
    /// arguments follow).
    pre: String,
    /// Index of the first argument printed at exit.
    split: usize,
    /// The line is printed (strace) and not only counted (summary).
    print: bool,
    /// Its `<unfinished ...>` line has been printed.
    announced: bool,
    start_ns: u64,
}

static PENDING: Mutex<Vec<Pending>> = Mutex::new(Vec::new());

/// (calls, errors, nanoseconds) per syscall number.
type Counts = BTreeMap<usize, (u64, u64, u64)>;
/// Per process, for the summary.
static COUNTS: Mutex<BTreeMap<u32, Counts>> = Mutex::new(BTreeMap::new());

/// Per process: the ENOSYS and partially supported calls it made.
struct Missing {
    enosys: Vec<usize>,
    partial: Vec<(usize, &'static str)>,
}
static MISSING: Mutex<BTreeMap<u32, Missing>> = Mutex::new(BTreeMap::new());
/// Reports already printed (one line each, however many processes make them).
static REPORTED: Mutex<Vec<String>> = Mutex::new(Vec::new());
const REPORTED_MAX: usize = 256;

/// Prints a trace line; first the `<unfinished ...>` line of every other traced task's
/// call in flight that has not had one.
fn emit(me: u32, line: &str) {
    let mut p = PENDING.lock();
    for x in p
        .iter_mut()
        .filter(|x| x.tid != me && x.print && !x.announced)
    {
        x.announced = true;
        crate::log::print(
            0,
            format_args!("[pid {}] {} <unfinished ...>\n", x.tid, x.pre),
        );
    }
    drop(p);
    crate::log::print(0, format_args!("{}\n", line));
}

/// Syscall entry. Returns whether [`exit`] must be called when the call returns.
#[inline]
pub fn enter(t: &Task, nr: usize, a: &[u64; 6]) -> bool {
    // the common case (no tracing) without a call
    ON.load(Ordering::Relaxed) && enter_traced(t, nr, a)
}

#[inline(never)]
fn enter_traced(t: &Task, nr: usize, a: &[u64; 6]) -> bool {
    let comm = t.process().comm();
    let print = listed(&PROGS, &comm);
    let summary = listed(&SUMMARY, &comm);
    // an execve by an untraced program may start a traced one: its strings are only
    // readable now
    let exec = nr == SYS_EXECVE || nr == SYS_EXECVEAT;
    if !print && !summary && !exec {
        return false;
    }
    let kinds = strace::args(nr);
    let split = kinds
        .iter()
        .position(|k| k.is_output())
        .unwrap_or(kinds.len());
    let mut pre = String::new();
    let _ = strace::fmt_name(nr, &mut pre);
    pre.push('(');
    if kinds.is_empty() && rill_abi::sysno::name(nr).is_none() {
        for (i, v) in a.iter().enumerate() {
            if i > 0 {
                pre.push_str(", ");
            }
            strace::fmt_flags(Arg::Hex, *v, &mut pre);
        }
    }
    for (i, k) in kinds.iter().enumerate().take(split) {
        if i > 0 && mode_unused(kinds, a, i) {
            continue;
        }
        if i > 0 {
            pre.push_str(", ");
        }
        fmt_entry_arg(*k, a, i, &mut pre);
    }
    if split < kinds.len() && split > 0 {
        pre.push_str(", ");
    }
    let tid = t.tid();
    if strace::ret_kind(nr) == Ret::Never {
        // exit and exit_group do not come back
        if summary {
            count(t, nr, 0, 0);
        }
        if print {
            emit(tid, &alloc::format!("[pid {}] {}) = ?", tid, pre));
        }
        return false;
    }
    let mut p = PENDING.lock();
    p.retain(|x| x.tid != tid);
    p.push(Pending {
        tid,
        pid: t.process().pid,
        nr,
        a: *a,
        pre,
        split,
        print,
        announced: false,
        start_ns: crate::time::now_ns(),
    });
    true
}

/// Syscall exit (after [`enter`] returned true).
pub fn exit(t: &Task, nr: usize, ret: i64) {
    let tid = t.tid();
    let Some(x) = ({
        let mut p = PENDING.lock();
        p.iter()
            .position(|x| x.tid == tid && x.nr == nr)
            .map(|i| p.swap_remove(i))
    }) else {
        return;
    };
    let comm = t.process().comm();
    if listed(&SUMMARY, &comm) {
        count(t, nr, ret, crate::time::now_ns().saturating_sub(x.start_ns));
    }
    // a successful execve prints if the old or the new program is traced
    if !x.print && !listed(&PROGS, &comm) {
        return;
    }
    let kinds = strace::args(nr);
    let mut rest = String::new();
    for (i, k) in kinds.iter().enumerate().skip(x.split) {
        if i > x.split {
            rest.push_str(", ");
        }
        fmt_exit_arg(*k, &x.a, i, ret, &mut rest);
    }
    rest.push_str(") = ");
    strace::fmt_return(nr, ret, &mut rest);
    let line = if x.announced {
        let name = rill_abi::sysno::name(nr).unwrap_or("syscall");
        alloc::format!("[pid {}] <... {} resumed>{}", tid, name, rest)
    } else {
        alloc::format!("[pid {}] {}{}", tid, x.pre, rest)
    };
    emit(tid, &line);
}

/// strace shows the mode of open/openat only with O_CREAT or O_TMPFILE.
fn mode_unused(kinds: &[Arg], a: &[u64; 6], i: usize) -> bool {
    const O_CREAT: u64 = 0o100;
    const O_TMPFILE: u64 = 0o20200000;
    kinds[i] == Arg::Mode
        && kinds[i - 1] == Arg::OpenFlags
        && a[i - 1] & O_CREAT == 0
        && a[i - 1] & O_TMPFILE != O_TMPFILE
}

fn fmt_user_str(va: u64, max: usize, out: &mut String) {
    match crate::uaccess::read_cstr(va, max + 1) {
        Ok(s) => strace::fmt_escaped(&s, max, out),
        Err(_) => strace::fmt_flags(Arg::Ptr, va, out),
    }
}

fn fmt_user_buf(va: u64, len: u64, out: &mut String) {
    let n = usize::try_from(len).unwrap_or(usize::MAX).min(STR_MAX + 1);
    match crate::uaccess::read_bytes_partial(va, n) {
        Ok(b) if b.len() == n => strace::fmt_escaped(&b, STR_MAX, out),
        _ => strace::fmt_flags(Arg::Ptr, va, out),
    }
}

/// The number of entries of a NULL-terminated pointer array (at most `max`), or None.
fn array_len(va: u64, max: usize) -> Option<usize> {
    (0..max).find_map(|i| match crate::uaccess::read_u64(va + i as u64 * 8) {
        Ok(0) => Some(Some(i)),
        Ok(_) => None,
        Err(_) => Some(None),
    })?
}

fn fmt_entry_arg(k: Arg, a: &[u64; 6], i: usize, out: &mut String) {
    let v = a[i];
    if v == 0 && k.is_pointer() {
        out.push_str("NULL");
        return;
    }
    match k {
        Arg::Path => fmt_user_str(v, crate::uaccess::PATH_MAX, out),
        Arg::Str => fmt_user_str(v, STR_MAX, out),
        Arg::InBuf { len_arg } => fmt_user_buf(v, a[usize::from(len_arg)], out),
        Arg::StrArray => {
            let Some(n) = array_len(v, 4096) else {
                return strace::fmt_flags(Arg::Ptr, v, out);
            };
            out.push('[');
            for j in 0..n.min(ARGV_MAX) {
                if j > 0 {
                    out.push_str(", ");
                }
                let p = crate::uaccess::read_u64(v + j as u64 * 8).unwrap_or(0);
                fmt_user_str(p, STR_MAX, out);
            }
            if n > ARGV_MAX {
                out.push_str(", ...");
            }
            out.push(']');
        }
        Arg::EnvArray => {
            strace::fmt_flags(Arg::Ptr, v, out);
            if let Some(n) = array_len(v, 1 << 16) {
                let _ = write!(out, " /* {} var{} */", n, if n == 1 { "" } else { "s" });
            }
        }
        Arg::SigSet => match crate::uaccess::read_u64(v) {
            Ok(m) => strace::fmt_sigset(m, out),
            Err(_) => strace::fmt_flags(Arg::Ptr, v, out),
        },
        Arg::Timespec => match crate::uaccess::read_val::<[i64; 2]>(v) {
            Ok([s, ns]) => strace::fmt_timespec(s, ns, out),
            Err(_) => strace::fmt_flags(Arg::Ptr, v, out),
        },
        k => strace::fmt_flags(k, v, out),
    }
}

fn fmt_exit_arg(k: Arg, a: &[u64; 6], i: usize, ret: i64, out: &mut String) {
    let v = a[i];
    if v == 0 && k.is_pointer() {
        out.push_str("NULL");
        return;
    }
    // after a failure strace shows output pointers as addresses
    let ok = ret >= 0;
    match k {
        Arg::Buf { .. } if ok => fmt_user_buf(v, ret as u64, out),
        Arg::Stat if ok => match crate::uaccess::read_bytes(v, 56) {
            Ok(b) => {
                let mode = u32::from_le_bytes([b[24], b[25], b[26], b[27]]);
                let mut size = [0u8; 8];
                size.copy_from_slice(&b[48..56]);
                strace::fmt_stat(mode, i64::from_le_bytes(size), out);
            }
            Err(_) => strace::fmt_flags(Arg::Ptr, v, out),
        },
        Arg::SigSetOut if ok => match crate::uaccess::read_u64(v) {
            Ok(m) => strace::fmt_sigset(m, out),
            Err(_) => strace::fmt_flags(Arg::Ptr, v, out),
        },
        Arg::FdPair if ok => match crate::uaccess::read_val::<[i32; 2]>(v) {
            Ok([r, w]) => {
                let _ = write!(out, "[{}, {}]", r, w);
            }
            Err(_) => strace::fmt_flags(Arg::Ptr, v, out),
        },
        Arg::WaitStatus if ret > 0 => match crate::uaccess::read_i32(v) {
            Ok(s) => strace::fmt_wait_status(s, out),
            Err(_) => strace::fmt_flags(Arg::Ptr, v, out),
        },
        k => fmt_entry_arg(k, a, i, out),
    }
}

fn count(t: &Task, nr: usize, ret: i64, ns: u64) {
    let pid = t.process().pid;
    let mut c = COUNTS.lock();
    let e = c.entry(pid).or_default().entry(nr).or_default();
    e.0 += 1;
    if (-4095..=-1).contains(&ret) {
        e.1 += 1;
    }
    e.2 += ns;
}

/// Records that the current program asked for something Rill does not (fully) do:
/// `nr` returned ENOSYS (`what` empty) or ignored part of its request (`what` says
/// which). Cheap; listed in the program's report at its end.
pub fn unsupported(nr: usize, what: &'static str) {
    let Some(t) = crate::task::sched::try_current() else {
        return;
    };
    let pid = t.process().pid;
    let mut m = MISSING.lock();
    let e = m.entry(pid).or_insert(Missing {
        enosys: Vec::new(),
        partial: Vec::new(),
    });
    if what.is_empty() {
        if !e.enosys.contains(&nr) && e.enosys.len() < 64 {
            e.enosys.push(nr);
        }
    } else if !e.partial.contains(&(nr, what)) && e.partial.len() < 64 {
        e.partial.push((nr, what));
    }
}

fn name_of(nr: usize, out: &mut String) {
    let _ = strace::fmt_name(nr, out);
}

/// The process `p` ends (its last thread is gone): the `+++` line, the summary and
/// the report of what it missed.
pub fn on_exit(p: &Process) {
    let pid = p.pid;
    let missing = MISSING.lock().remove(&pid);
    // calls its threads never returned from (killed in a blocking call, or ended by
    // another thread's exit_group) end unfinished, as in strace
    let unfinished: Vec<Pending> = {
        let mut all = PENDING.lock();
        let (mine, rest) = core::mem::take(&mut *all)
            .into_iter()
            .partition(|x| x.pid == pid);
        *all = rest;
        mine
    };
    for x in unfinished.iter().filter(|x| x.print && !x.announced) {
        emit(
            x.tid,
            &alloc::format!("[pid {}] {} <unfinished ...>", x.tid, x.pre),
        );
    }
    let counts = if ON.load(Ordering::Relaxed) {
        COUNTS.lock().remove(&pid)
    } else {
        None
    };
    if missing.is_none() && !ON.load(Ordering::Relaxed) {
        return;
    }
    let comm = p.comm();
    let status = match p.inner.lock().event {
        Some(crate::task::process::ChildEvent::Exited(s)) => Some(s),
        _ => None,
    };
    if ON.load(Ordering::Relaxed) && listed(&PROGS, &comm) {
        if let Some(s) = status {
            let mut line = alloc::format!("[pid {}] ", pid);
            strace::fmt_process_end(s, &mut line);
            emit(pid, &line);
        }
    }
    if let Some(c) = counts.filter(|_| listed(&SUMMARY, &comm)) {
        print_summary(pid, &comm, &c);
    }
    if let Some(m) = missing {
        report(&comm, &m);
    }
}

fn report(comm: &str, m: &Missing) {
    let mut line = String::new();
    strace::fmt_escaped(comm.as_bytes(), 16, &mut line);
    line.push_str(" needs from Rill:");
    if !m.enosys.is_empty() {
        line.push_str(" ENOSYS");
        for (i, nr) in m.enosys.iter().enumerate() {
            line.push_str(if i == 0 { " " } else { "," });
            name_of(*nr, &mut line);
        }
        if !m.partial.is_empty() {
            line.push(';');
        }
    }
    if !m.partial.is_empty() {
        line.push_str(" partial");
        for (i, (nr, what)) in m.partial.iter().enumerate() {
            line.push_str(if i == 0 { " " } else { ", " });
            name_of(*nr, &mut line);
            let _ = write!(line, " ({})", what);
        }
    }
    let mut r = REPORTED.lock();
    if r.contains(&line) || r.len() >= REPORTED_MAX {
        return;
    }
    r.push(line.clone());
    drop(r);
    kinfo!("{}", line);
}

fn print_summary(pid: u32, comm: &str, c: &Counts) {
    let mut rows: Vec<(usize, (u64, u64, u64))> = c.iter().map(|(k, v)| (*k, *v)).collect();
    rows.sort_by(|a, b| b.1 .2.cmp(&a.1 .2).then(b.1 .0.cmp(&a.1 .0)));
    let total_ns: u64 = rows.iter().map(|r| r.1 .2).sum();
    let (calls, errors) = rows
        .iter()
        .fold((0, 0), |(c, e), r| (c + r.1 .0, e + r.1 .1));
    let mut s = String::new();
    let _ = writeln!(s, "strace -c summary of {} (pid {}):", comm, pid);
    let dashes = "------ ----------- ----------- --------- --------- ----------------";
    let _ = writeln!(
        s,
        "% time     seconds  usecs/call     calls    errors syscall\n{}",
        dashes
    );
    let pct = |ns: u64| (ns * 10000).checked_div(total_ns).unwrap_or(0);
    for (nr, (n, e, ns)) in &rows {
        let p = pct(*ns);
        let _ = write!(
            s,
            "{:>3}.{:02} {:>4}.{:06} {:>11} {:>9} ",
            p / 100,
            p % 100,
            ns / 1_000_000_000,
            ns / 1000 % 1_000_000,
            ns / 1000 / n.max(&1),
            n
        );
        if *e > 0 {
            let _ = write!(s, "{:>9} ", e);
        } else {
            s.push_str("          ");
        }
        name_of(*nr, &mut s);
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "{}\n100.00 {:>4}.{:06} {:>11} {:>9} {:>9} total",
        dashes,
        total_ns / 1_000_000_000,
        total_ns / 1000 % 1_000_000,
        total_ns / 1000 / calls.max(1),
        calls,
        errors
    );
    crate::log::print(0, format_args!("{}", s));
}
