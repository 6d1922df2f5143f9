//! `cargo xtask bench boot`: wall time from spawning QEMU to the busybox shell prompt.

use crate::qemu::{self, Boot};
use crate::testrun::serial_session;
use crate::{build_kernel, build_rootfs, repo_root, Args, Result, RootfsOpts};
use std::process::Stdio;
use std::time::Duration;

/// The banner tests/guest/init.sh prints just before starting the shell.
pub const INIT_MARKER: &str = "rill-init:";

/// True when `after_banner` (output from the init banner on) ends with the shell prompt: a last,
/// unterminated line ending in `# ` (e.g. `/ # `) after at least one newline.
pub fn prompt_seen(after_banner: &str) -> bool {
    let last = after_banner.rsplit('\n').next().unwrap_or("");
    let last = strip_escapes(last.trim_start_matches('\r'));
    after_banner.contains('\n') && last.ends_with("# ")
}

/// A `serial_session` stop condition: the banner has appeared, then the prompt.
fn prompt_watcher() -> impl FnMut(&str) -> bool {
    let mut banner_seen = false;
    move |window: &str| {
        let after = match window.rfind(INIT_MARKER) {
            Some(i) => {
                banner_seen = true;
                &window[i..]
            }
            None => window,
        };
        banner_seen && prompt_seen(after)
    }
}

/// Removes terminal control sequences like `ESC [ 6 n` (ash asks for the cursor position
/// right after printing its prompt).
fn strip_escapes(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() || d == '~' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub fn cmd_bench(mut a: Args) -> Result<()> {
    let what = a.next_arg().unwrap_or_default();
    if what != "boot" {
        return Err("usage: cargo xtask bench boot [--runs N] [--linux]".into());
    }
    let mut runs = 5usize;
    let mut linux = false;
    while let Some(arg) = a.next_arg() {
        match arg.as_str() {
            x if crate::flag_is(x, "--runs") => runs = a.value(x, "--runs")?.parse()?,
            "--linux" => linux = true,
            _ => return Err(format!("bench: unknown argument {arg}").into()),
        }
    }
    let work = repo_root().join("build/bench");
    std::fs::create_dir_all(&work)?;
    let initrd = work.join("rootfs.cpio.gz");
    build_rootfs(&RootfsOpts::default(), &initrd, true)?;
    let kernel = if linux {
        qemu::debian_kernel()?
    } else {
        build_kernel(false)?
    };
    let label = if linux { "linux" } else { "rill" };
    eprintln!(
        "bench boot: {label}, {} runs, {}",
        runs,
        qemu::accel_description()
    );
    let boot = Boot::new(kernel, initrd);
    let mut times = Vec::new();
    for i in 1..=runs.max(1) {
        let log = work.join(format!("boot-{label}-{i}.log"));
        // stdin is a pipe kept open for the whole run (the session owns it).
        let mut watch = prompt_watcher();
        let s = serial_session(
            &boot,
            &log,
            Stdio::piped(),
            &mut watch,
            Duration::ZERO,
            true,
        )?;
        match s.stopped_at {
            Some(t) => {
                println!("run {i}: {:.3} s", t.as_secs_f64());
                times.push(t);
            }
            None => {
                return Err(format!(
                    "run {i}: no shell prompt ({}); see {}",
                    s.killed.unwrap_or("QEMU exited"),
                    log.display()
                )
                .into())
            }
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    println!("median ({label}): {:.3} s", median.as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_only_counts_after_the_banner() {
        let feed = |chunks: &[&str]| {
            let mut w = prompt_watcher();
            chunks.iter().any(|c| w(c))
        };
        assert!(!feed(&["boot # \n"]));
        assert!(!feed(&["rill-init: Linux 6.1\r\n"]));
        assert!(feed(&["x\r\nrill-init: Linux 6.1\r\n/ # "]));
        assert!(feed(&["rill-init: Rill\r\n", "\r\n# "]));
        assert!(!feed(&["rill-init: Rill\r\n/ # ls\r\n"]));
        assert!(feed(&["rill-init: Linux\r\n\r\n/ # \x1b[6n"]));
        assert!(!feed(&["rill-init: Linux\r\n\x1b[6n"]));
        assert!(!feed(&["# \r\n", "rill-init: x"]));
    }
}
