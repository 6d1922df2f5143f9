//! The tracer test: `tests/trace/trace_basic.c` runs under the host's `strace -f` and
//! under Rill's `rill.strace=trace_basic` (one boot of its own), and the lines from its
//! `write(1, "BEGIN\n", 6)` on must agree, process by process, after masking what
//! legitimately differs: pids, long hex addresses and strace's column padding; a call
//! split by another process's lines (`<unfinished ...>` + `<... name resumed>`) is
//! joined first, and a resumed line without its unfinished half is an error. Signal
//! lines (`--- SIGCHLD ... ---`) are strace's only: Rill's tracer does not print them.
//! The same boot checks the `execve` line (captured before the old image is gone), the
//! `rill.strace_summary` table and the "needs from Rill" report.
use crate::qemu;
use crate::rootfs::{Entry, Rootfs};
use crate::testrun::{serial_session, test_boot, unified_diff};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

pub const NAME: &str = "trace_basic";

/// One traced line: the pid and the text after the pid prefix.
type Line = (u32, String);
/// A named check: Ok(note for PASS) or Err(why it failed).
type Outcome = (String, Result<String, String>);

/// Runs the test; each result is (name, Ok(note) | Err(why)).
pub fn run(kernel: &Path, work: &Path) -> Vec<Outcome> {
    match run_inner(kernel, work) {
        Ok(v) => v,
        Err(e) => vec![(NAME.to_string(), Err(e))],
    }
}

fn run_inner(kernel: &Path, work: &Path) -> Result<Vec<Outcome>, String> {
    let root = crate::repo_root();
    let src = root.join("tests/trace/trace_basic.c");
    let dir = work.join("trace");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let bin = dir.join(NAME);
    let out = Command::new("gcc")
        .args(["-O1", "-Wall", "-static", "-o"])
        .arg(&bin)
        .arg(&src)
        .output()
        .map_err(|e| format!("gcc: {e}"))?;
    if !out.status.success() || !out.stderr.is_empty() {
        return Err(format!(
            "{} does not compile cleanly:\n{}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }

    // The host: strace -f, output to a file (the program's own stdout is not in it).
    let host_log = dir.join("host.strace");
    let run_dir = dir.join("run");
    fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
    let st = Command::new("strace")
        .arg("-f")
        .arg("-o")
        .arg(&host_log)
        .arg(&bin)
        .current_dir(&run_dir)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("strace (apt-get install strace): {e}"))?;
    if !st.success() {
        return Err(format!("the host run under strace failed: {st}"));
    }
    let host_text = fs::read_to_string(&host_log).map_err(|e| e.to_string())?;
    let host = parse_host(&host_text);

    // Rill: one boot running only this program, traced and summarised.
    let mut fsys = Rootfs::base().map_err(|e| e.to_string())?;
    fsys.add_busybox().map_err(|e| e.to_string())?;
    fsys.add_file_from("tests/trace/trace_basic", &bin)
        .map_err(|e| e.to_string())?;
    let init = "#!/bin/sh\n\
        export PATH=/bin:/sbin:/usr/bin:/usr/sbin\n\
        mount -t proc proc /proc\n\
        mount -t tmpfs -o mode=1777 tmpfs /tmp\n\
        cd /tmp\n\
        /tests/trace/trace_basic > /tmp/out 2>&1\n\
        echo \"@@@TRACE-END $?\"\n\
        poweroff -f\n";
    fsys.insert(
        "init",
        Entry::Data {
            perm: 0o755,
            data: init.as_bytes().to_vec(),
        },
    );
    let initrd = dir.join("trace.cpio.gz");
    fsys.write(&initrd, true).map_err(|e| e.to_string())?;
    let mut boot = test_boot(kernel, &initrd);
    boot.append = format!("rill.strace={NAME} rill.strace_summary={NAME} loglevel=6");
    let log_path = work.join("serial-trace.log");
    let session = serial_session(
        &boot,
        &log_path,
        Stdio::null(),
        &mut |w: &str| w.contains("@@@TRACE-END"),
        Duration::from_secs(20),
        true,
    )
    .map_err(|e| e.to_string())?;
    println!(
        "   serial log: {} ({:.1} s)",
        log_path.display(),
        session.elapsed.as_secs_f64()
    );
    let log = session.log.replace('\r', "");
    if !log.contains("@@@TRACE-END 0") {
        let tail: Vec<&str> = log.lines().rev().take(20).collect::<Vec<_>>();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "the guest run did not end with status 0 ({}); log tail:\n{}",
            qemu::describe_exit(session.exit),
            tail.join("\n")
        ));
    }
    let guest = parse_guest(&log);
    let mut results = Vec::new();
    results.push((NAME.to_string(), compare(&host, &guest)));
    results.push((format!("{NAME}:execve"), check_execve(&guest)));
    results.push((format!("{NAME}:summary"), check_summary(&log)));
    results.push((format!("{NAME}:report"), check_report(&log)));
    let write = |name: &str, lines: &[Line]| {
        let text: String = lines.iter().map(|(p, l)| format!("{p} {l}\n")).collect();
        let _ = fs::write(dir.join(name), text);
    };
    write("host.lines", &host);
    write("guest.lines", &guest);
    Ok(results)
}

/// `strace -f -o FILE` lines: `PID text`.
pub fn parse_host(text: &str) -> Vec<Line> {
    text.lines()
        .filter_map(|l| {
            // strace pads the pid column to the width of the largest pid
            let (pid, rest) = l.split_once(' ')?;
            Some((pid.parse().ok()?, rest.trim_start().to_string()))
        })
        .collect()
}

/// Rill's trace lines in the serial log: `[pid N] text`.
pub fn parse_guest(log: &str) -> Vec<Line> {
    log.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("[pid ")?;
            let (pid, text) = rest.split_once("] ")?;
            Some((pid.parse().ok()?, text.to_string()))
        })
        .collect()
}

/// strace pads before the final ` = `; Rill does not.
fn unpad(l: &str) -> String {
    match l.rsplit_once(" = ") {
        Some((call, ret)) => format!("{} = {}", call.trim_end(), ret),
        None => l.to_string(),
    }
}

/// Hex numbers of 5 digits or more are addresses.
fn mask_addresses(l: &str) -> String {
    let b = l.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'0' && b.get(i + 1) == Some(&b'x') {
            let n = b[i + 2..]
                .iter()
                .take_while(|c| c.is_ascii_hexdigit())
                .count();
            if n >= 5 {
                out.push_str("0xADDR");
                i += 2 + n;
                continue;
            }
        }
        out.push(b[i] as char);
        i += 1;
    }
    out
}

/// The window from the BEGIN write on, normalised, as one sequence per process (P0, P1,
/// ... in order of first appearance).
pub fn normalize(lines: &[Line]) -> Result<Vec<Vec<String>>, String> {
    let start = lines
        .iter()
        .position(|(_, l)| l.starts_with("write(1, \"BEGIN\\n\", 6"))
        .ok_or("no write(1, \"BEGIN\\n\", 6) line")?;
    let mut order: Vec<u32> = Vec::new();
    let mut per: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut pending: BTreeMap<u32, String> = BTreeMap::new();
    for (pid, l) in &lines[start..] {
        if l.starts_with("--- ") {
            continue;
        }
        if !order.contains(pid) {
            order.push(*pid);
        }
        let line = if let Some(pre) = l.strip_suffix(" <unfinished ...>") {
            if pending.insert(*pid, pre.to_string()).is_some() {
                return Err(format!(
                    "pid {pid}: two <unfinished ...> lines in a row: {l}"
                ));
            }
            continue;
        } else if let Some(rest) = l.strip_prefix("<... ") {
            let (name, rest) = rest
                .split_once(" resumed>")
                .ok_or_else(|| format!("pid {pid}: malformed resumed line: {l}"))?;
            let pre = pending
                .remove(pid)
                .ok_or_else(|| format!("pid {pid}: resumed without <unfinished ...>: {l}"))?;
            if !pre.starts_with(&format!("{name}(")) {
                return Err(format!("pid {pid}: {l} resumes another call: {pre}"));
            }
            format!("{pre}{rest}")
        } else {
            l.clone()
        };
        per.entry(*pid)
            .or_default()
            .push(mask_addresses(&unpad(&line)));
    }
    if let Some((pid, pre)) = pending.iter().next() {
        return Err(format!("pid {pid}: never resumed: {pre}"));
    }
    // pids as return values (fork, wait4) become P<index>
    let mut out = Vec::new();
    for pid in &order {
        let seq = per.remove(pid).unwrap_or_default();
        let seq = seq
            .into_iter()
            .map(|l| match l.rsplit_once(" = ") {
                Some((call, ret)) if returns_pid(call) => {
                    match order.iter().position(|p| p.to_string() == ret) {
                        Some(i) => format!("{call} = P{i}"),
                        None => l,
                    }
                }
                _ => l,
            })
            .collect();
        out.push(seq);
    }
    Ok(out)
}

/// Calls whose return value is a pid.
fn returns_pid(call: &str) -> bool {
    ["fork(", "vfork(", "clone(", "clone3(", "wait4(", "waitid("]
        .iter()
        .any(|c| call.starts_with(c))
}

fn compare(host: &[Line], guest: &[Line]) -> Result<String, String> {
    let h = normalize(host).map_err(|e| format!("host strace output: {e}"))?;
    let g = normalize(guest).map_err(|e| format!("Rill's trace: {e}"))?;
    let text = |v: &Vec<Vec<String>>| -> String {
        v.iter()
            .enumerate()
            .flat_map(|(i, s)| s.iter().map(move |l| format!("P{i} {l}\n")))
            .collect()
    };
    let (ht, gt) = (text(&h), text(&g));
    if ht == gt {
        let split = guest.iter().any(|(_, l)| l.ends_with("<unfinished ...>"));
        Ok(format!(
            " ({} lines in {} processes{})",
            ht.lines().count(),
            h.len(),
            if split {
                ", with unfinished/resumed"
            } else {
                ""
            }
        ))
    } else {
        Err(format!(
            "Rill's trace differs from strace -f (--- strace, +++ Rill):\n{}",
            unified_diff(&ht, &gt)
        ))
    }
}

fn check_execve(guest: &[Line]) -> Result<String, String> {
    let want = "execve(\"/tests/trace/trace_basic\", [\"/tests/trace/trace_basic\"], 0x";
    let l = guest
        .iter()
        .map(|(_, l)| l)
        .find(|l| l.starts_with("execve("))
        .ok_or("no execve line")?;
    let ok = l.starts_with(want) && (l.contains(" vars */) = 0") || l.contains(" var */) = 0"));
    if ok {
        Ok(String::new())
    } else {
        Err(format!("wrong execve line: {l}"))
    }
}

/// The summary of the process that made the three openat calls (one ENOENT) and three
/// reads.
fn check_summary(log: &str) -> Result<String, String> {
    let mut rows: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut found = false;
    for block in log.split("strace -c summary of ").skip(1) {
        rows.clear();
        for l in block.lines().skip(3) {
            if l.starts_with("------") {
                break;
            }
            let f: Vec<&str> = l.split_whitespace().collect();
            let (calls, errors) = match f.len() {
                6 => (f[3].parse().unwrap_or(0), f[4].parse().unwrap_or(0)),
                5 => (f[3].parse().unwrap_or(0), 0),
                _ => return Err(format!("malformed summary row: {l}")),
            };
            rows.insert(f[f.len() - 1].to_string(), (calls, errors));
        }
        if rows.contains_key("openat") {
            found = true;
            break;
        }
    }
    if !found {
        return Err("no summary with an openat row".into());
    }
    for (name, want) in [
        ("openat", (3, 1)),
        ("read", (3, 0)),
        ("syscall_0x190", (1, 1)),
    ] {
        if rows.get(name) != Some(&want) {
            return Err(format!(
                "summary row {name}: {:?}, expected (calls, errors) {want:?}",
                rows.get(name)
            ));
        }
    }
    Ok(String::new())
}

fn check_report(log: &str) -> Result<String, String> {
    let l = log
        .lines()
        .find(|l| l.contains("\"trace_basic\" needs from Rill:"))
        .ok_or("no \"needs from Rill\" report line")?;
    if l.contains("syscall_0x190") && l.contains("rseq") {
        Ok(String::new())
    } else {
        Err(format!("the report misses rseq or syscall_0x190: {l}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[(u32, &str)]) -> Vec<Line> {
        v.iter().map(|(p, l)| (*p, l.to_string())).collect()
    }

    #[test]
    fn unfinished_and_resumed_are_joined_and_pids_masked() {
        let a = lines(&[
            (7, "brk(NULL) = 0x1000"),
            (7, "write(1, \"BEGIN\\n\", 6)            = 6"),
            (7, "fork()                            = 8"),
            (7, "read(3,  <unfinished ...>"),
            (8, "write(4, \"x\", 1)                  = 1"),
            (7, "<... read resumed>\"x\", 64)        = 1"),
            (8, "exit_group(3)                     = ?"),
            (7, "--- SIGCHLD {si_signo=SIGCHLD} ---"),
            (7, "mmap(NULL, 4096) = 0x7f0012345000"),
            (7, "write(1, \"ab\", 8) = 8"),
        ]);
        let n = normalize(&a).unwrap();
        assert_eq!(
            n,
            vec![
                vec![
                    "write(1, \"BEGIN\\n\", 6) = 6".to_string(),
                    "fork() = P1".into(),
                    "read(3, \"x\", 64) = 1".into(),
                    "mmap(NULL, 4096) = 0xADDR".into(),
                    "write(1, \"ab\", 8) = 8".into(),
                ],
                vec![
                    "write(4, \"x\", 1) = 1".to_string(),
                    "exit_group(3) = ?".into()
                ],
            ]
        );
    }

    #[test]
    fn broken_interleavings_are_errors() {
        let begin = (1, "write(1, \"BEGIN\\n\", 6) = 6");
        assert!(normalize(&lines(&[begin, (1, "<... read resumed>\"x\", 1) = 1")])).is_err());
        assert!(normalize(&lines(&[begin, (1, "read(3,  <unfinished ...>")])).is_err());
        assert!(normalize(&lines(&[
            begin,
            (1, "read(3,  <unfinished ...>"),
            (1, "<... write resumed>) = 1")
        ]))
        .is_err());
        assert!(normalize(&lines(&[(1, "getpid() = 1")])).is_err());
    }

    #[test]
    fn prefixes_are_parsed() {
        assert_eq!(
            parse_host("12 getpid() = 12\nnoise"),
            lines(&[(12, "getpid() = 12")])
        );
        assert_eq!(
            parse_guest("[rill] x\n[pid 5] getpid() = 5\nother\n"),
            lines(&[(5, "getpid() = 5")])
        );
    }
}
