//! `cargo xtask test`: host unit tests, then one Rill boot that runs the differential tests, the
//! busybox scenario and the fuzz test, each compared with what the host (Linux) does.

use crate::markers::{self, normalize_output, GuestRun};
use crate::qemu::{self, Boot};
use crate::rootfs::{Entry, Rootfs};
use crate::{build_kernel, repo_root, Args, Result};
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Whole-boot limit and the no-output watchdog, generous for TCG.
const BOOT_TIMEOUT: Duration = Duration::from_secs(1500);
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Boots of the test image at most (the first plus resumptions after crashes and hangs).
const MAX_BOOTS: u32 = 5;
/// Per-program limits, shared with tests/guest/test-init.sh.
const DIFF_TIMEOUT: u64 = 30;
const SCENARIO_TIMEOUT: u64 = 120;
const FUZZ_TIMEOUT: u64 = 300;
const FUZZ_MIN_SYSCALLS: u64 = 100_000;
/// Differential tests run again after the fuzzer (with their first run's expectation): files,
/// memory, signals, threads and futexes, pipes, processes still work.
const AFTER_FUZZ: &[&str] = &[
    "fs_rename.static",
    "fs_read_write.dyn",
    "mem_cow.static",
    "mm_mprotect_split.static",
    "sig_handler.dyn",
    "thread_futex.dyn",
    "pipe_basic.static",
    "proc_fork_wait.static",
];
/// MemFree may be this much lower after the fuzzer (and the re-runs) than before it: every
/// process it started has exited and its files are gone. Measured: 1.1 to 2.1 MB lower
/// (kernel heap growth, and pid-keyed side tables in syscall/misc.rs that are never pruned,
/// issue 7); a leak of a page per call or per worker shows well above this.
const AFTER_FUZZ_MEMFREE_SLACK_KB: i64 = 4096;
const STRESS_TIMEOUT: u64 = 600;
const BENCH_SMOKE_TIMEOUT: u64 = 120;
const FFMPEG_TIMEOUT: u64 = 400;
/// `--debug` boots a kernel built without optimizations (opt-level 1) and with overflow checks
/// and debug assertions, which spends about twice as long in the kernel as the release build;
/// every guest-side limit (per program, and per boot) is this many times the release one.
/// The checks themselves are the same; the host's own runs keep their limits.
const DEBUG_TIME_SCALE: u64 = 3;
/// 1, or DEBUG_TIME_SCALE with `--debug`.
static TIME_SCALE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A guest-side time limit in seconds, scaled for the kernel being tested.
fn guest_secs(secs: u64) -> u64 {
    secs * TIME_SCALE.load(std::sync::atomic::Ordering::Relaxed)
}
/// The environment programs see on both sides (test-init.sh exports the same).
const TEST_ENV: &[(&str, &str)] = &[
    ("PATH", "/bin:/sbin:/usr/bin:/usr/sbin"),
    ("HOME", "/root"),
    ("TERM", "linux"),
];

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    failures: Vec<String>,
    /// Tests the host could not run (a privilege it lacks): (name, reason).
    skipped: Vec<(String, String)>,
}

impl Tally {
    fn pass(&mut self, name: &str, note: &str) {
        self.passed += 1;
        println!("PASS {name}{note}");
    }
    fn skip(&mut self, name: &str, why: &str) {
        self.skipped.push((name.to_string(), why.to_string()));
        println!("SKIP {name}: {why}");
    }
    fn fail(&mut self, name: &str, why: &str) {
        self.failed += 1;
        self.failures.push(name.to_string());
        println!("FAIL {name}: {why}");
    }
}

struct Opts {
    filter: Option<String>,
    unit: bool,
    keep: bool,
    /// Boot Debian's Linux instead of Rill (checks the tests and the harness themselves).
    linux: bool,
    /// Test the debug build of the kernel (overflow checks on; longer guest limits).
    debug: bool,
}

/// Guest CPUs of the test boots (`-smp`): 2 unless `--smp N`.
pub static TEST_SMP: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(2);

impl Opts {
    fn wants(&self, name: &str) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| f.split(',').any(|s| !s.is_empty() && name.contains(s)))
    }
}

pub fn cmd_test(mut a: Args) -> Result<ExitCode> {
    let mut o = Opts {
        filter: None,
        unit: true,
        keep: false,
        linux: false,
        debug: false,
    };
    while let Some(arg) = a.next_arg() {
        match arg.as_str() {
            x if crate::flag_is(x, "--filter") => o.filter = Some(a.value(x, "--filter")?),
            x if crate::flag_is(x, "--smp") => TEST_SMP.store(
                a.value(x, "--smp")?.parse()?,
                std::sync::atomic::Ordering::Relaxed,
            ),
            "--no-unit" => o.unit = false,
            "--keep" => o.keep = true,
            "--linux" => o.linux = true,
            "--debug" => {
                o.debug = true;
                TIME_SCALE.store(DEBUG_TIME_SCALE, std::sync::atomic::Ordering::Relaxed);
            }
            x if crate::flag_is(x, "--mutate") => return crate::mutate::cmd_mutate(x, a.rest()),
            _ => return Err(format!("test: unknown argument {arg}").into()),
        }
    }
    let mut t = Tally::default();
    match crate::layers::check_tree() {
        Ok(note) => t.pass("layers", &note),
        Err(why) => t.fail(
            "layers",
            &format!("kernel dependencies point up:\n   {why}"),
        ),
    }
    if o.unit {
        unit_tests(&mut t)?;
    }
    guest_tests(&o, &mut t)?;
    if !t.failures.is_empty() {
        let shown = t.failures.len().min(30);
        let more = t.failures.len() - shown;
        let more = if more > 0 {
            format!(" ... and {more} more")
        } else {
            String::new()
        };
        println!("failed: {}{more}", t.failures[..shown].join(" "));
    }
    if !t.skipped.is_empty() {
        println!("skipped (the host lacks what they need):");
        for (name, why) in &t.skipped {
            println!("   {name}: {why}");
        }
    }
    println!(
        "{} passed, {} failed, {} skipped",
        t.passed,
        t.failed,
        t.skipped.len()
    );
    Ok(if t.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

// ---------------------------------------------------------------- unit tests

/// Per-crate outcome of `cargo test` output: (crate, tests passed, tests failed).
fn parse_cargo_test(text: &str) -> Vec<(String, usize, usize)> {
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    let mut current = String::from("?");
    for line in text.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("Running ") {
            // "Running unittests src/lib.rs (target/debug/deps/rill_abi-0123abcd)"
            let bin = rest
                .rsplit('/')
                .next()
                .unwrap_or(rest)
                .trim_end_matches(')');
            current = match bin.rsplit_once('-') {
                Some((name, _hash)) => name.to_string(),
                None => bin.to_string(),
            };
        } else if let Some(rest) = l.strip_prefix("Doc-tests ") {
            current = rest.trim().to_string();
        } else if let Some(rest) = l.strip_prefix("test result: ") {
            let num = |key: &str| -> usize {
                rest.split(';')
                    .find_map(|p| p.trim().strip_suffix(key))
                    .and_then(|n| n.trim().rsplit(' ').next()?.parse().ok())
                    .unwrap_or(0)
            };
            let (p, f) = (num(" passed"), num(" failed"));
            match out.iter_mut().find(|(c, _, _)| *c == current) {
                Some(e) => {
                    e.1 += p;
                    e.2 += f;
                }
                None => out.push((current.clone(), p, f)),
            }
        }
    }
    out
}

/// `cargo test --workspace` (the kernel excluded): one counted test per crate.
fn unit_tests(t: &mut Tally) -> Result<()> {
    println!("== unit tests (cargo test --workspace)");
    let (reader, writer) = std::io::pipe()?;
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(repo_root())
        .args(["test", "--workspace", "--exclude", "rill-kernel"])
        .stdout(writer.try_clone()?)
        .stderr(writer);
    let mut child = c.spawn()?;
    drop(c); // closes our copies of the pipe's write end
    let mut text = String::new();
    for line in BufReader::new(reader).lines() {
        let line = line.unwrap_or_default();
        eprintln!("{line}");
        text.push_str(&line);
        text.push('\n');
    }
    let status = child.wait()?;
    let crates = parse_cargo_test(&text);
    let mut any_failed = false;
    for (name, p, f) in &crates {
        if *f == 0 {
            t.pass(&format!("unit:{name}"), &format!(" ({p} tests)"));
        } else {
            any_failed = true;
            t.fail(
                &format!("unit:{name}"),
                &format!("{f} of {} tests failed", p + f),
            );
        }
    }
    if !status.success() && !any_failed {
        t.fail("unit:build", &format!("cargo test failed ({status})"));
    }
    Ok(())
}

// ---------------------------------------------------------------- host runs

/// The only skips allowed: (test stem, the reason it prints). Every other skip fails, so a
/// test cannot drop out of the comparison unnoticed. Keep this short.
const SKIP_ALLOWED: &[(&str, &str)] = &[
    // Docker-style containers drop these capabilities; without them the host gives EPERM
    // where Linux as full root gives the answer under test.
    ("mm_mlock", "needs CAP_IPC_LOCK"),
    ("su_priv_args", "needs CAP_SYS_ADMIN"),
    ("fs_mount", "needs CAP_SYS_ADMIN"),
    ("fs_mount_bind", "needs CAP_SYS_ADMIN"),
    ("su_priv_args", "needs CAP_SYS_TIME"),
    ("su_sched", "needs CAP_SYS_NICE"),
    ("su_sched_rt", "needs CAP_SYS_NICE"),
    // A host with neither a pseudo-terminal nor a console to open (some CI sandboxes).
    ("tty_jobctl", "no terminal to test with"),
];

/// Whether a skip of `name` (`stem.static`, `stem.dyn`) for `why` is on the allow-list.
fn skip_allowed(name: &str, why: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    SKIP_ALLOWED.iter().any(|&(s, w)| s == stem && w == why)
}

/// Why a host run cannot serve as the expectation, if it cannot: it must exit 0 (a failing
/// or crashing program would be "matched" by a kernel that fails the same way), print
/// something, and finish in time.
fn bad_expectation(h: &HostRun) -> Option<String> {
    if h.timed_out {
        return Some("timed out on the host".into());
    }
    if h.status != 0 {
        return Some(format!(
            "host exit status {} (must be 0); output:\n{}",
            h.status,
            head(&h.output, 20)
        ));
    }
    if h.output.trim().is_empty() {
        return Some("no output on the host".into());
    }
    None
}

/// Whether the second host run may go into a new pid namespace (the way a CI container runs
/// programs: their session leader is invisible there). Checked once.
fn pid_ns_available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("unshare")
            .args(["-pf", "--mount-proc", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Runs a differential test twice on the host: once as the guest runs it, once more (in a new
/// pid namespace when possible, leading its own process group there through `newpgrp`).
/// Returns the first run and, when the two disagree, why.
fn host_run_twice(bin: &str, newpgrp: &str, keep: bool) -> Result<(HostRun, Option<String>)> {
    let first = host_run(&[bin], None, DIFF_TIMEOUT, keep)?;
    let second = if pid_ns_available() {
        host_run(
            &[
                "unshare",
                "-pf",
                "--mount-proc",
                "/bin/sh",
                "-c",
                "\"$@\"; exit $?",
                "sh",
                newpgrp,
                bin,
            ],
            None,
            DIFF_TIMEOUT,
            keep,
        )?
    } else {
        host_run(&[bin], None, DIFF_TIMEOUT, keep)?
    };
    let differ = if skip_reason(&first).is_some() || skip_reason(&second).is_some() {
        // A run without a privilege the other had: nothing to compare.
        None
    } else if first.output != second.output || first.status != second.status {
        Some(format!(
            "two host runs disagree (exit {} and {}):\n--- run 1\n+++ run 2\n{}",
            first.status,
            second.status,
            head(&unified_diff(&first.output, &second.output), 30)
        ))
    } else {
        None
    };
    Ok((first, differ))
}

/// Exit status 77 with a first line "SKIP: why" (the automake convention).
fn skip_reason(h: &HostRun) -> Option<String> {
    if h.status != 77 {
        return None;
    }
    let why = h.output.lines().next()?.strip_prefix("SKIP:")?;
    Some(why.trim().to_string())
}

/// Exit status as a shell reports it (128 + signal for a killed process).
fn shell_status(s: ExitStatus) -> i32 {
    s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0))
}

/// Output (stdout and stderr together) and status of one program run the way the guest runs
/// it: fresh empty cwd, stdin /dev/null, umask 022, the fixed environment, a time limit, and
/// as the leader of a new process group (tests/guest/newpgrp.c does this in the guest).
struct HostRun {
    output: String,
    status: i32,
    timed_out: bool,
}

fn host_run(argv: &[&str], path_env: Option<&str>, timeout: u64, keep: bool) -> Result<HostRun> {
    let base = std::env::temp_dir();
    let cwd = tempdir(&base, "rill-host-cwd")?;
    let outdir = tempdir(&base, "rill-host-out")?;
    let out_path = outdir.join("out");
    let out = fs::File::create(&out_path)?;
    let mut c = Command::new("/bin/sh");
    c.arg("-c")
        .arg("umask 022; exec \"$@\"")
        .arg("sh")
        .args(argv)
        .current_dir(&cwd)
        .process_group(0)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out);
    for (k, v) in TEST_ENV {
        c.env(k, v);
    }
    if let Some(p) = path_env {
        c.env("PATH", p);
    }
    let mut child = c.spawn()?;
    let deadline = Instant::now() + Duration::from_secs(timeout);
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if Instant::now() > deadline {
            timed_out = true;
            let _ = child.kill();
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = String::from_utf8_lossy(&fs::read(&out_path)?).into_owned();
    let _ = fs::remove_dir_all(&outdir);
    if keep {
        println!("   (kept host cwd {})", cwd.display());
    } else {
        let _ = fs::remove_dir_all(&cwd);
    }
    Ok(HostRun {
        output,
        status: shell_status(status),
        timed_out,
    })
}

fn tempdir(base: &Path, prefix: &str) -> Result<PathBuf> {
    for n in 0..1000 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let p = base.join(format!("{prefix}.{}.{nanos:x}{n}", std::process::id()));
        match fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err("cannot create a temporary directory".into())
}

// ---------------------------------------------------------------- compiling

fn extra_cflags(src: &Path) -> Vec<String> {
    let text = fs::read_to_string(src).unwrap_or_default();
    text.lines()
        .take(3)
        .filter_map(|l| l.trim().strip_prefix("// cflags:"))
        .flat_map(|f| f.split_whitespace().map(String::from).collect::<Vec<_>>())
        .collect()
}

/// gcc -O1 -Wall [-static] [cflags] -o OUT SRC -lpthread -lrt
fn gcc(src: &Path, out: &Path, static_: bool) -> std::result::Result<(), String> {
    let mut c = Command::new("gcc");
    c.args(["-O1", "-Wall"]);
    if static_ {
        c.arg("-static");
    }
    c.args(extra_cflags(src))
        .arg("-o")
        .arg(out)
        .arg(src)
        .args(["-lpthread", "-lrt"]);
    match c.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr).into_owned()),
        Err(e) => Err(format!("gcc: {e}")),
    }
}

// ---------------------------------------------------------------- the guest run

/// What one guest test is compared against.
enum Expect {
    /// Same output and status as the host run.
    Same { output: String, status: i32 },
    /// The busybox scenario: masked output and status.
    Masked { output: String, status: i32 },
    /// `fuzz: done N syscalls` with N large enough, and the shell still alive.
    Fuzz,
    /// A program that checks itself (tests/stress): exit 0, "PASS" lines and no "FAIL" line.
    SelfChecked,
    /// The benchmark program's quick run: exit 0 and a figure for every benchmark.
    BenchSmoke,
}

struct GuestTest {
    name: String,
    expect: Expect,
}

fn guest_tests(o: &Opts, t: &mut Tally) -> Result<()> {
    let root = repo_root();
    let work = root.join("build/test");
    // Runs in the same tree would share build/test: take turns.
    fs::create_dir_all(root.join("build"))?;
    let lock = fs::File::create(root.join("build/test.lock"))?;
    if lock.try_lock().is_err() {
        println!("(waiting for another `cargo xtask test` in this tree to finish)");
        lock.lock()?;
    }
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(work.join("bin"))?;
    let mut fsys = Rootfs::base()?;
    fsys.add_busybox()?;
    let mut tests: Vec<GuestTest> = Vec::new();

    // Differential tests: build, run on the host, put in the image.
    let mut sources: Vec<PathBuf> = fs::read_dir(root.join("tests/diff"))
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    sources.retain(|p| p.extension().is_some_and(|e| e == "c"));
    sources.sort();
    println!("== differential tests: building and running on the host");
    let newpgrp = work.join("bin/newpgrp");
    gcc(&root.join("tests/guest/newpgrp.c"), &newpgrp, true)
        .map_err(|e| format!("tests/guest/newpgrp.c: {e}"))?;
    fsys.add_file_from("tests/bin/newpgrp", &newpgrp)?;
    let newpgrp_s = newpgrp.to_string_lossy().into_owned();
    for src in &sources {
        let stem = src.file_stem().unwrap_or_default().to_string_lossy();
        // The static build's host output, which the dynamic build's must equal.
        let mut static_output: Option<String> = None;
        for (suffix, static_) in [("static", true), ("dyn", false)] {
            let name = format!("{stem}.{suffix}");
            if !o.wants(&name) {
                continue;
            }
            let bin = work.join("bin").join(&name);
            if let Err(e) = gcc(src, &bin, static_) {
                t.fail(&name, &format!("does not compile:\n{}", head(&e, 20)));
                continue;
            }
            let bin_s = bin.to_string_lossy().into_owned();
            let (h, differ) = host_run_twice(&bin_s, &newpgrp_s, o.keep)?;
            // A test that needs a privilege the host lacks (CI containers drop
            // capabilities) says so with exit status 77 and a "SKIP: why"
            // line: without the host's answer there is nothing to compare.
            if let Some(why) = skip_reason(&h) {
                if skip_allowed(&name, &why) {
                    t.skip(&name, &why);
                } else {
                    t.fail(&name, &format!("skipped, not on the allow-list: {why}"));
                }
                continue;
            }
            if let Some(why) = bad_expectation(&h).or(differ) {
                t.fail(&name, &format!("bad expectation: {why}"));
                continue;
            }
            if static_ {
                static_output = Some(h.output.clone());
            } else if let Some(so) = static_output.as_ref().filter(|so| **so != h.output) {
                let why = head(&unified_diff(so, &h.output), 30);
                t.fail(
                    &name,
                    &format!("bad expectation: the static and dynamic builds differ on the host:\n--- static\n+++ dyn\n{why}"),
                );
                continue;
            }
            let guest = format!("tests/diff/{name}");
            if static_ {
                fsys.add_file_from(&guest, &bin)?;
            } else {
                fsys.add_program_at(&guest, &bin)?;
            }
            tests.push(GuestTest {
                name,
                expect: Expect::Same {
                    output: normalize_output(&h.output),
                    status: h.status,
                },
            });
        }
    }

    // The busybox scenario, run on the host by busybox alone.
    let scenario = root.join("tests/busybox/scenario.sh");
    let mask = root.join("tests/busybox/mask.sed");
    if o.wants("busybox-scenario") && scenario.exists() {
        let applets = work.join("applets");
        fs::create_dir_all(&applets)?;
        let list = crate::cmd_output(Command::new("/bin/busybox").arg("--list"))?;
        for a in list.lines().map(str::trim).filter(|a| !a.is_empty()) {
            std::os::unix::fs::symlink("/bin/busybox", applets.join(a))?;
        }
        let sc = scenario.to_string_lossy().into_owned();
        let applets_s = applets.to_string_lossy().into_owned();
        let run = || {
            host_run(
                &["/bin/busybox", "sh", &sc],
                Some(&applets_s),
                SCENARIO_TIMEOUT,
                o.keep,
            )
        };
        let (h, h2) = (run()?, run()?);
        let masked = apply_mask(&mask, &normalize_output(&h.output))?;
        let masked2 = apply_mask(&mask, &normalize_output(&h2.output))?;
        let bad = bad_expectation(&h).or_else(|| {
            (masked != masked2 || h.status != h2.status).then(|| {
                format!(
                    "two host runs disagree after masking:\n{}",
                    head(&unified_diff(&masked, &masked2), 30)
                )
            })
        });
        if let Some(why) = bad {
            t.fail("busybox-scenario", &format!("bad expectation: {why}"));
        } else {
            fsys.add_file_from("tests/busybox/scenario.sh", &scenario)?;
            tests.push(GuestTest {
                name: "busybox-scenario".into(),
                expect: Expect::Masked {
                    output: masked,
                    status: h.status,
                },
            });
        }
    } else if !scenario.exists() {
        println!("note: tests/busybox/scenario.sh missing; busybox-scenario not run");
    }

    // The fuzz test.
    let fuzz_src = root.join("tests/fuzz/fuzz.c");
    if o.wants("fuzz") && fuzz_src.exists() {
        let bin = work.join("bin/fuzz");
        match gcc(&fuzz_src, &bin, true) {
            Ok(()) => {
                fsys.add_file_from("tests/fuzz/fuzz", &bin)?;
                tests.push(GuestTest {
                    name: "fuzz".into(),
                    expect: Expect::Fuzz,
                });
                // Re-runs of differential tests already in the image, same expectation.
                let mut again = Vec::new();
                for name in AFTER_FUZZ {
                    let Some(first) = tests.iter().find(|g| g.name == *name) else {
                        continue;
                    };
                    let Expect::Same { output, status } = &first.expect else {
                        continue;
                    };
                    let expect = Expect::Same {
                        output: output.clone(),
                        status: *status,
                    };
                    again.push(name.to_string());
                    tests.push(GuestTest {
                        name: format!("{name}@after-fuzz"),
                        expect,
                    });
                }
                let mut list = again.join("\n");
                list.push('\n');
                fsys.insert(
                    "tests/after-fuzz",
                    Entry::Data {
                        perm: 0o644,
                        data: list.into_bytes(),
                    },
                );
            }
            Err(e) => t.fail("fuzz", &format!("does not compile:\n{}", head(&e, 20))),
        }
    } else if !fuzz_src.exists() {
        println!("note: tests/fuzz/fuzz.c missing; fuzz not run");
    }

    // Stress programs check themselves (their figures depend on the machine); guest only.
    let mut stress: Vec<PathBuf> = fs::read_dir(root.join("tests/stress"))
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    stress.retain(|p| p.extension().is_some_and(|e| e == "c"));
    stress.sort();
    for src in &stress {
        let name = src
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !o.wants(&name) {
            continue;
        }
        let bin = work.join("bin").join(&name);
        match gcc(src, &bin, true) {
            Ok(()) => {
                fsys.add_file_from(&format!("tests/stress/{name}"), &bin)?;
                tests.push(GuestTest {
                    name,
                    expect: Expect::SelfChecked,
                });
            }
            Err(e) => t.fail(&name, &format!("does not compile:\n{}", head(&e, 20))),
        }
    }

    // A quick run of the benchmark program (`cargo xtask bench` runs it for real).
    let bench_src = root.join("tests/bench/bench.c");
    if o.wants("bench-smoke") && bench_src.exists() {
        let bin = work.join("bin/bench");
        match gcc(&bench_src, &bin, true) {
            Ok(()) => {
                fsys.add_file_from("tests/bench/bench", &bin)?;
                tests.push(GuestTest {
                    name: "bench-smoke".into(),
                    expect: Expect::BenchSmoke,
                });
            }
            Err(e) => t.fail(
                "bench-smoke",
                &format!("does not compile:\n{}", head(&e, 20)),
            ),
        }
    }

    let ffmpeg = o.wants("ffmpeg-scenario");
    let trace = o.wants(crate::tracetest::NAME);
    let net = crate::netscen::SCENARIOS.iter().any(|n| o.wants(n));
    if tests.is_empty() && !ffmpeg && !trace && !net {
        println!("no guest tests selected");
        return Ok(());
    }

    fsys.add_file_from("init", &root.join("tests/guest/test-init.sh"))?;
    fsys.insert("tests/timeouts", timeouts_file());
    let initrd = work.join("test.cpio.gz");
    fsys.write(&initrd, true)?;

    // Boot Rill once.
    let os = if o.linux { "Debian's Linux" } else { "Rill" };
    println!("== booting {os} ({})", qemu::accel_description());
    let kernel = if o.linux {
        qemu::debian_kernel()
    } else {
        build_kernel(o.debug)
    };
    let kernel = match kernel {
        Ok(k) => k,
        Err(e) => {
            for g in &tests {
                t.fail(&g.name, &format!("not run: {e}"));
            }
            t.fail("poweroff", &format!("not run: {e}"));
            return Ok(());
        }
    };
    if !tests.is_empty() {
        main_boot(&kernel, &initrd, &mut fsys, &tests, &work, &mask, t)?;
    }
    if ffmpeg {
        ffmpeg_scenario(&kernel, &work, t)?;
    }
    if net {
        let smp = TEST_SMP.load(std::sync::atomic::Ordering::Relaxed);
        for (name, r) in crate::netscen::run(&kernel, &work, &|n| o.wants(n), smp) {
            match r {
                Ok(note) => t.pass(&name, &note),
                Err(why) => t.fail(&name, &why),
            }
        }
    }
    if trace {
        println!("== tracer test: strace -f on the host, rill.strace on a boot of its own");
        for (name, r) in crate::tracetest::run(&kernel, &work) {
            match r {
                Ok(note) => t.pass(&name, &note),
                Err(why) => t.fail(&name, &why),
            }
        }
    }
    Ok(())
}

/// The fuzzer's seed in the suite: fixed, so that a failure replays (`fuzz SEED`, or
/// `RILL_FUZZ_SEED=SEED cargo xtask test`, which also explores other seeds).
const FUZZ_SEED: u64 = 20261201;

fn fuzz_seed() -> u64 {
    std::env::var("RILL_FUZZ_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(FUZZ_SEED)
}

/// The contents of /tests/timeouts, read by test-init.sh.
fn timeouts_file() -> Entry {
    Entry::Data {
        perm: 0o644,
        data: format!(
            "DIFF_TIMEOUT={}\nSCENARIO_TIMEOUT={}\nFUZZ_TIMEOUT={}\nSTRESS_TIMEOUT={}\n\
             BENCH_SMOKE_TIMEOUT={}\nFFMPEG_TIMEOUT={}\nFUZZ_SEED={}\n",
            guest_secs(DIFF_TIMEOUT),
            guest_secs(SCENARIO_TIMEOUT),
            guest_secs(FUZZ_TIMEOUT),
            guest_secs(STRESS_TIMEOUT),
            guest_secs(BENCH_SMOKE_TIMEOUT),
            guest_secs(FFMPEG_TIMEOUT),
            fuzz_seed()
        )
        .into_bytes(),
    }
}

/// How test images are booted: the main image, the ffmpeg scenario's and (its `-smp`) the
/// default of `cargo xtask bench`. The harness's QEMU defaults belong here.
/// Boots a test image with the harness's options until it prints `@@@DONE` (or the watchdog
/// stops it), logging the serial console to `log_path`.
fn boot_until_done(kernel: &Path, initrd: &Path, log_path: &Path) -> Result<Session> {
    let session = serial_session(
        &test_boot(kernel, initrd),
        log_path,
        Stdio::null(),
        &mut |window: &str| window.contains("@@@DONE"),
        Duration::from_secs(30),
        true,
    )?;
    println!(
        "   serial log: {} ({:.1} s{})",
        log_path.display(),
        session.elapsed.as_secs_f64(),
        session.killed.map(|r| format!(", {r}")).unwrap_or_default()
    );
    Ok(session)
}

pub fn test_boot(kernel: &Path, initrd: &Path) -> Boot {
    let mut b = Boot::new(kernel.to_path_buf(), initrd.to_path_buf());
    b.smp = TEST_SMP.load(std::sync::atomic::Ordering::Relaxed);
    b.append = crate::selftest::CMDLINE.into();
    b
}

/// Boots the main test image (several times if tests crash or hang) and checks each test.
fn main_boot(
    kernel: &Path,
    initrd: &Path,
    fsys: &mut Rootfs,
    tests: &[GuestTest],
    work: &Path,
    mask: &Path,
    t: &mut Tally,
) -> Result<()> {
    // Boot; after a crash or hang, boot again resuming after the test that never finished
    // (at most MAX_BOOTS boots), so one bad test does not hide the results of the rest.
    let results = work.join("results");
    fs::create_dir_all(&results)?;
    let mut run = GuestRun::default();
    let mut boot_no = 1;
    let mut resumed_after: Option<String> = None;
    // Boots that ended without @@@DONE: (failure name, why). Each is a failure of its own,
    // also when the test it crashed in is then skipped, and when it crashed between tests.
    let mut crashes: Vec<(String, String)> = Vec::new();
    let session = loop {
        let log_path = if boot_no == 1 {
            work.join("serial.log")
        } else {
            work.join(format!("serial-{boot_no}.log"))
        };
        let session = boot_until_done(kernel, initrd, &log_path)?;
        let this = markers::parse(&session.log);
        let stuck = this.blocks.last().map(|b| b.name.clone());
        let between = this.blocks.last().is_some_and(|b| b.status.is_some());
        // The first test of this boot is the one after the previous crash.
        if let Some(c) = crashes.last_mut().filter(|c| c.0.ends_with("-and-next")) {
            if let Some(first) = this.blocks.first() {
                c.0 = c.0.replace("-and-next", &format!("-and-{}", first.name));
            }
        }
        run.ready |= this.ready;
        run.done = this.done;
        run.blocks.extend(this.blocks);
        run.stray_warnings.extend(this.stray_warnings);
        if run.done {
            break session;
        }
        let how = session
            .killed
            .map(str::to_string)
            .unwrap_or_else(|| qemu::describe_exit(session.exit));
        let log_name = log_path.file_name().unwrap_or_default().to_string_lossy();
        crashes.push(match (&stuck, between) {
            (Some(name), true) => (
                format!("boot-{boot_no}:between-{name}-and-next"),
                format!("the kernel crashed or hung after {name} finished, before the next test began ({how}; {log_name})"),
            ),
            (Some(name), false) => (
                format!("boot-{boot_no}:in-{name}"),
                format!("the kernel crashed or hung while {name} ran ({how}; {log_name})"),
            ),
            (None, _) => (
                format!("boot-{boot_no}:before-any-test"),
                format!("the kernel crashed or hung before the first test ({how}; {log_name})"),
            ),
        });
        println!("-- last lines of the serial log:");
        let lines: Vec<&str> = session.log.lines().collect();
        for l in &lines[lines.len().saturating_sub(30)..] {
            println!("   | {}", l.trim_end_matches('\r'));
        }
        match stuck {
            // No progress (e.g. a crash between two tests, every time): stop.
            Some(name) if boot_no < MAX_BOOTS && resumed_after.as_ref() != Some(&name) => {
                println!("== booting again, resuming after {name}");
                fsys.insert(
                    "tests/resume-after",
                    Entry::Data {
                        perm: 0o644,
                        data: format!("{name}\n").into_bytes(),
                    },
                );
                fsys.write(initrd, true)?;
                resumed_after = Some(name);
                boot_no += 1;
            }
            _ => break session,
        }
    };
    for g in tests {
        check_one(g, &run, mask, &results, t)?;
    }
    for c in &crashes {
        t.fail(&c.0, &c.1);
    }
    check_stray_warnings(&run, t);
    if kernel.file_name().is_some_and(|n| n == "rill") {
        let log = fs::read_to_string(work.join("serial.log")).unwrap_or_default();
        for (name, r) in crate::selftest::check(&log) {
            match r {
                Ok(note) => t.pass(&name, &note),
                Err(why) => t.fail(&name, &why),
            }
        }
    }
    match (run.done, session.exit) {
        (true, Some(0)) => t.pass("poweroff", ""),
        (true, code) => t.fail("poweroff", &qemu::describe_exit(code)),
        (false, code) => t.fail(
            "poweroff",
            &format!("@@@DONE never printed; {}", qemu::describe_exit(code)),
        ),
    }
    Ok(())
}

/// The `alive` block test-init.sh prints after the fuzzer and its re-run tests: the shell
/// runs, `/` has as many entries as before, and MemFree came back.
fn check_after_fuzz(run: &GuestRun, t: &mut Tally) {
    const NAME: &str = "fuzz:after";
    let Some(b) = run.block("alive") else {
        t.fail(
            NAME,
            "no 'alive' block after the fuzzer (the shell did not go on)",
        );
        return;
    };
    let pair = |prefix: &str| -> Option<(i64, i64)> {
        let rest = b
            .output
            .lines()
            .find_map(|l| l.trim().strip_prefix(prefix))?;
        let w: Vec<&str> = rest.split_whitespace().collect();
        match w.as_slice() {
            ["before", x, "after", y] => Some((x.parse().ok()?, y.parse().ok()?)),
            _ => None,
        }
    };
    let alive = b.output.lines().any(|l| l.trim() == "alive");
    let procs = pair("processes:");
    let why = match (alive, pair("root entries:"), pair("memfree kB:")) {
        (false, _, _) => "the shell printed no 'alive'".to_string(),
        (_, None, _) | (_, _, None) => "malformed 'alive' block".to_string(),
        _ if procs.is_none() => "malformed 'alive' block".to_string(),
        (_, Some((r0, r1)), _) if r0 != r1 => {
            format!("/ had {r0} entries before the fuzzer and {r1} after")
        }
        _ if procs.is_some_and(|(p0, p1)| p1 > p0) => {
            let (p0, p1) = procs.unwrap_or_default();
            format!("{p0} processes before the fuzzer and {p1} after (left running or unreaped)")
        }
        (_, _, Some((m0, m1))) if m0 - m1 > AFTER_FUZZ_MEMFREE_SLACK_KB => format!(
            "MemFree {m0} kB before the fuzzer, {m1} kB after: {} kB lost (allowed {AFTER_FUZZ_MEMFREE_SLACK_KB})",
            m0 - m1
        ),
        (_, _, Some((m0, m1))) => {
            t.pass(NAME, &format!(" (MemFree {m0} -> {m1} kB)"));
            return;
        }
    };
    t.fail(NAME, &format!("{why}; output:\n{}", head(&b.output, 10)));
}

/// Kernel warnings and panics printed outside any test (while booting, between tests) fail
/// a check of their own.
fn check_stray_warnings(run: &GuestRun, t: &mut Tally) {
    if run.stray_warnings.is_empty() {
        t.pass("kernel-log", "");
        return;
    }
    let lines: Vec<String> = run
        .stray_warnings
        .iter()
        .map(|(l, after)| match after {
            Some(a) => format!("{l}   (after {a})"),
            None => format!("{l}   (before the first test)"),
        })
        .collect();
    t.fail(
        "kernel-log",
        &format!(
            "kernel warnings outside the tests:\n{}",
            head(&lines.join("\n"), 20)
        ),
    );
}

fn apply_mask(mask: &Path, text: &str) -> Result<String> {
    if !mask.exists() {
        return Ok(text.to_string());
    }
    let mut child = Command::new("sed")
        .arg("-f")
        .arg(mask)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("sed stdin")?;
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output()?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(format!("sed -f {} failed", mask.display()).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn check_one(
    g: &GuestTest,
    run: &GuestRun,
    mask: &Path,
    results: &Path,
    t: &mut Tally,
) -> Result<()> {
    let Some(block) = run.block(&g.name) else {
        t.fail(&g.name, "not reached (the guest crashed or hung before it)");
        return Ok(());
    };
    if !block.kernel_warnings.is_empty() {
        t.fail(
            &g.name,
            &format!(
                "kernel warnings while it ran:\n{}",
                head(&block.kernel_warnings.join("\n"), 10)
            ),
        );
        return Ok(());
    }
    let Some(status) = block.status else {
        let out = head(&block.output, 20);
        t.fail(
            &g.name,
            &format!("never finished (crash or hang); its output:\n{out}"),
        );
        return Ok(());
    };
    let compare = |t: &mut Tally, want: &str, want_status: i32, got: &str| -> Result<()> {
        fs::write(results.join(format!("{}.expected", g.name)), want)?;
        fs::write(results.join(format!("{}.actual", g.name)), got)?;
        if want == got && want_status == status {
            t.pass(&g.name, "");
        } else {
            let mut why = String::new();
            if want_status != status {
                why.push_str(&format!(
                    "exit status: linux {want_status}, rill {status}\n"
                ));
            }
            if want != got {
                why.push_str("--- linux\n+++ rill\n");
                why.push_str(&head(&unified_diff(want, got), 40));
            }
            t.fail(&g.name, why.trim_end());
        }
        Ok(())
    };
    match &g.expect {
        Expect::Same { output, status: s } => compare(t, output, *s, &block.output)?,
        Expect::Masked { output, status: s } => {
            let got = apply_mask(mask, &block.output)?;
            compare(t, output, *s, &got)?
        }
        Expect::Fuzz => {
            fs::write(results.join("fuzz.actual"), &block.output)?;
            let count = block.output.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("fuzz: done ")?
                    .split_whitespace()
                    .next()?
                    .parse::<u64>()
                    .ok()
            });
            let lines = || block.output.lines().map(str::trim);
            let fails: Vec<&str> = lines().filter(|l| l.starts_with("fuzz: FAIL")).collect();
            let why = match count {
                _ if status != 0 => Some(format!("exit status {status} (must be 0)")),
                _ if !fails.is_empty() => Some(format!("{} FAIL lines", fails.len())),
                _ if !lines().any(|l| l == "fuzz: PASS") => Some("no 'fuzz: PASS' line".into()),
                None => Some("no 'fuzz: done N syscalls' line".to_string()),
                Some(n) if n < FUZZ_MIN_SYSCALLS => {
                    Some(format!("only {n} syscalls (need {FUZZ_MIN_SYSCALLS})"))
                }
                Some(_) => None,
            };
            match why {
                None => t.pass("fuzz", &format!(" ({} syscalls)", count.unwrap_or(0))),
                Some(why) => {
                    let seed = lines().find(|l| l.starts_with("fuzz: seed ")).unwrap_or("");
                    let shown: Vec<&str> = lines()
                        .filter(|l| l.starts_with("fuzz: FAIL") || !l.starts_with("fuzz: "))
                        .take(20)
                        .collect();
                    t.fail(
                        "fuzz",
                        &format!("{why} ({seed}); failures:\n{}", shown.join("\n")),
                    )
                }
            }
            check_after_fuzz(run, t);
        }
        Expect::SelfChecked => {
            fs::write(results.join(format!("{}.actual", g.name)), &block.output)?;
            let lines = || block.output.lines().map(str::trim);
            let passes = lines().filter(|l| l.starts_with("PASS ")).count();
            let failed: Vec<&str> = lines().filter(|l| l.starts_with("FAIL")).collect();
            if status == 0 && passes > 0 && failed.is_empty() {
                t.pass(&g.name, &format!(" ({passes} checks)"));
            } else {
                t.fail(
                    &g.name,
                    &format!(
                        "exit {status}, {passes} PASS lines, {} FAIL lines; output:\n{}",
                        failed.len(),
                        head(&block.output, 30)
                    ),
                );
            }
        }
        Expect::BenchSmoke => {
            fs::write(results.join(format!("{}.actual", g.name)), &block.output)?;
            let figures = crate::bench::parse_micro(&block.output);
            let missing: Vec<&str> = crate::bench::MICRO
                .iter()
                .copied()
                .filter(|m| !figures.iter().any(|(n, v)| n == m && *v > 0.0))
                .collect();
            if status == 0 && missing.is_empty() {
                let shown: Vec<String> =
                    figures.iter().map(|(n, v)| format!("{n} {v:.0}")).collect();
                t.pass(&g.name, &format!(" (ns/op: {})", shown.join(", ")));
            } else {
                t.fail(
                    &g.name,
                    &format!(
                        "exit {status}, no figure for {missing:?}; output:\n{}",
                        head(&block.output, 20)
                    ),
                );
            }
        }
    }
    Ok(())
}

/// The ffmpeg scenario: its own boot on the ffmpeg image (test-init.sh as /init runs only
/// tests/ffmpeg/scenario.sh there); the host's ffprobe checks the MP4 and the MPEG-TS.
fn ffmpeg_scenario(kernel: &Path, work: &Path, t: &mut Tally) -> Result<()> {
    const NAME: &str = "ffmpeg-scenario";
    let root = repo_root();
    println!("== ffmpeg scenario: separate boot on the ffmpeg image");
    let initrd = work.join("ffmpeg.cpio");
    let mut ov = crate::scenario::overlay();
    ov.add_file_from("init", &root.join("tests/guest/test-init.sh"))?;
    ov.add_file_from("tests/bin/newpgrp", &work.join("bin/newpgrp"))?;
    ov.add_file_from(
        "tests/ffmpeg/scenario.sh",
        &root.join("tests/ffmpeg/scenario.sh"),
    )?;
    ov.insert("tests/timeouts", timeouts_file());
    if let Err(e) = crate::scenario::ffmpeg_image(ov, &initrd) {
        t.fail(NAME, &format!("no ffmpeg image: {e}"));
        return Ok(());
    }
    let log_path = work.join("serial-ffmpeg.log");
    let session = boot_until_done(kernel, &initrd, &log_path)?;
    let run = markers::parse(&session.log);
    let results = work.join("results");
    fs::create_dir_all(&results)?;
    let Some(block) = run.block(NAME) else {
        let lines: Vec<&str> = session.log.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        t.fail(
            NAME,
            &format!(
                "not reached; {}; log tail:\n{tail}",
                qemu::describe_exit(session.exit)
            ),
        );
        return Ok(());
    };
    // The outputs, minus the base64 bulk, for reading.
    let readable: String = block
        .output
        .lines()
        .filter(|l| l.len() < 60 || l.contains(' '))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(results.join(format!("{NAME}.actual")), &readable)?;
    match block.status {
        _ if !block.kernel_warnings.is_empty() => t.fail(
            NAME,
            &format!(
                "kernel warnings while it ran:\n{}",
                head(&block.kernel_warnings.join("\n"), 10)
            ),
        ),
        Some(0) => t.pass(
            NAME,
            &format!(" ({:.1} s boot)", session.elapsed.as_secs_f64()),
        ),
        other => {
            t.fail(
                NAME,
                &format!("guest exit {other:?}; output:\n{}", head(&readable, 30)),
            );
        }
    }
    if !run.stray_warnings.is_empty() {
        let lines: Vec<&str> = run.stray_warnings.iter().map(|(l, _)| l.as_str()).collect();
        t.fail(
            &format!("{NAME}:kernel-log"),
            &format!(
                "kernel warnings outside the scenario:\n{}",
                head(&lines.join("\n"), 10)
            ),
        );
    }
    let files = match crate::scenario::extract_files(&block.output) {
        Ok(f) => f,
        Err(e) => {
            t.fail(&format!("{NAME}:outputs"), &e.to_string());
            return Ok(());
        }
    };
    // The same script on the host, with the same ffmpeg: the outputs must be the same bytes.
    let script = root.join("tests/ffmpeg/scenario.sh");
    let outs = ["out.mp4", "out.ts"];
    let reference = crate::scenario::host_reference(&script, TEST_ENV, &outs, &results);
    for (file, format, same) in [
        ("out.mp4", "mp4", "mp4-identical"),
        ("out.ts", "mpegts", "ts-identical"),
    ] {
        let name = format!("{NAME}:{format}");
        let Some((_, data)) = files.iter().find(|(n, _)| n == file) else {
            t.fail(&name, &format!("the guest printed no {file}"));
            continue;
        };
        let host = results.join(file);
        fs::write(&host, data)?;
        let want = crate::scenario::Want {
            format,
            seconds: 2.0,
            tolerance: 0.1,
            width: 320,
            height: 240,
            frames: 50,
            sample_rate: 48000,
        };
        match crate::scenario::ffprobe(&host).map(|p| crate::scenario::check_probe(&p, &want)) {
            Ok(Ok(summary)) => t.pass(&name, &format!(" ({summary})")),
            Ok(Err(why)) => t.fail(&name, &format!("{}: {why}", host.display())),
            Err(e) => t.fail(&name, &e.to_string()),
        }
        let name = format!("{NAME}:{same}");
        match crate::scenario::same_as_host(file, data, &reference) {
            Ok(summary) => t.pass(&name, &summary),
            Err(why) => t.fail(&name, &why),
        }
    }
    Ok(())
}

fn head(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let mut out = lines[..lines.len().min(n)].join("\n");
    if lines.len() > n {
        out.push_str(&format!("\n... ({} more lines)", lines.len() - n));
    }
    out
}

/// A line diff (longest common subsequence) shown unified-style with 2 lines of context.
pub fn unified_diff(a: &str, b: &str) -> String {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    if a.len() * b.len() > 4_000_000 {
        return format!(
            "(outputs too long to diff: {} vs {} lines)\n",
            a.len(),
            b.len()
        );
    }
    // lcs[i][j] = LCS length of a[i..] and b[j..]
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    const CONTEXT: usize = 2;
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= CONTEXT);
    let mut out = String::new();
    let mut gap = false;
    for (k, (op, line)) in ops.iter().enumerate() {
        if near(k) {
            if gap {
                out.push_str("@@\n");
            }
            gap = false;
            out.push(*op);
            out.push_str(line);
            out.push('\n');
        } else {
            gap = true;
        }
    }
    out
}

// ---------------------------------------------------------------- QEMU sessions

pub struct Session {
    pub log: String,
    /// QEMU's exit code; None when it was killed.
    pub exit: Option<i32>,
    pub elapsed: Duration,
    /// When `stop_when` first held, counted from the spawn.
    pub stopped_at: Option<Duration>,
    /// Why QEMU was killed, if it was.
    pub killed: Option<&'static str>,
}

/// Boots QEMU with its serial console captured to `log_path`. `stop_when` sees each new chunk
/// of output together with up to 256 bytes before it (not the whole log, which would make
/// long runs quadratic); once it returns true,
/// QEMU gets `grace` more time to exit on its own; it is killed then, after BOOT_TIMEOUT in
/// all (scaled by `guest_secs`), or (when `watchdog`) after IDLE_TIMEOUT without output.
pub fn serial_session(
    boot: &Boot,
    log_path: &Path,
    stdin: Stdio,
    stop_when: &mut dyn FnMut(&str) -> bool,
    grace: Duration,
    watchdog: bool,
) -> Result<Session> {
    let mut cmd = qemu::qemu_command(boot);
    cmd.stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("qemu-system-x86_64: {e}"))?;
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let mut readers = Vec::new();
    let outs: Vec<Box<dyn Read + Send>> = vec![
        Box::new(child.stdout.take().ok_or("qemu stdout")?),
        Box::new(child.stderr.take().ok_or("qemu stderr")?),
    ];
    for mut r in outs {
        let tx = tx.clone();
        readers.push(std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = r.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        }));
    }
    drop(tx);
    let mut log_file = fs::File::create(log_path)?;
    let mut raw: Vec<u8> = Vec::new();
    let mut last_output = Instant::now();
    let mut deadline = start + Duration::from_secs(guest_secs(BOOT_TIMEOUT.as_secs()));
    let mut stopped_at = None;
    let mut killed = None;
    loop {
        let now = Instant::now();
        let mut wait = deadline.saturating_duration_since(now);
        if watchdog {
            wait = wait.min((last_output + IDLE_TIMEOUT).saturating_duration_since(now));
        }
        match rx.recv_timeout(wait) {
            Ok(chunk) => {
                log_file.write_all(&chunk)?;
                raw.extend_from_slice(&chunk);
                last_output = Instant::now();
                let from = (raw.len() - chunk.len()).saturating_sub(256);
                if stopped_at.is_none() && stop_when(&String::from_utf8_lossy(&raw[from..])) {
                    let at = start.elapsed();
                    stopped_at = Some(at);
                    deadline = deadline.min(Instant::now() + grace);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let now = Instant::now();
                if now >= deadline {
                    killed = Some(if stopped_at.is_some() {
                        "killed after the end marker"
                    } else {
                        "killed: whole-boot time limit"
                    });
                } else if watchdog && now >= last_output + IDLE_TIMEOUT {
                    killed = Some("killed: no serial output for 120 s (hung)");
                } else {
                    continue;
                }
                let _ = child.kill();
                break;
            }
        }
    }
    let status = child.wait()?;
    for r in readers {
        let _ = r.join();
    }
    while let Ok(chunk) = rx.try_recv() {
        log_file.write_all(&chunk)?;
        raw.extend_from_slice(&chunk);
    }
    Ok(Session {
        log: String::from_utf8_lossy(&raw).into_owned(),
        exit: if killed.is_some() {
            None
        } else {
            status.code()
        },
        elapsed: start.elapsed(),
        stopped_at,
        killed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_test_summary_is_parsed_per_crate() {
        let text = "\
     Running unittests src/lib.rs (target/debug/deps/rill_abi-0123abcd)
test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
     Running unittests src/main.rs (target/debug/deps/xtask-99)
test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out
   Doc-tests rill_abi
test result: ok. 1 passed; 0 failed; 0 ignored
";
        assert_eq!(
            parse_cargo_test(text),
            vec![("rill_abi".into(), 13, 0), ("xtask".into(), 3, 2)]
        );
    }

    #[test]
    fn skip_needs_status_77_and_a_skip_line() {
        let run = |output: &str, status| HostRun {
            output: output.into(),
            status,
            timed_out: false,
        };
        assert_eq!(
            skip_reason(&run("SKIP: needs CAP_SYS_NICE\n", 77)).as_deref(),
            Some("needs CAP_SYS_NICE")
        );
        assert_eq!(skip_reason(&run("SKIP: x\n", 0)), None);
        assert_eq!(skip_reason(&run("other\nSKIP: x\n", 77)), None);
        assert_eq!(skip_reason(&run("", 77)), None);
    }

    #[test]
    fn only_listed_skips_are_allowed() {
        assert!(skip_allowed("su_sched.static", "needs CAP_SYS_NICE"));
        assert!(skip_allowed("su_priv_args.dyn", "needs CAP_SYS_TIME"));
        assert!(!skip_allowed("su_sched.dyn", "needs CAP_SYS_ADMIN"));
        assert!(!skip_allowed("fs_stat.static", "needs CAP_SYS_NICE"));
        assert!(!skip_allowed("su_sched_rt_x.static", "needs CAP_SYS_NICE"));
    }

    #[test]
    fn a_host_run_must_succeed_and_print() {
        let run = |output: &str, status, timed_out| HostRun {
            output: output.into(),
            status,
            timed_out,
        };
        assert_eq!(bad_expectation(&run("ok\n", 0, false)), None);
        assert!(bad_expectation(&run("ok\n", 1, false)).is_some());
        assert!(bad_expectation(&run("Segmentation fault\n", 139, false)).is_some());
        assert!(bad_expectation(&run(" \n", 0, false)).is_some());
        assert!(bad_expectation(&run("ok\n", 0, true)).is_some());
    }

    #[test]
    fn diff_marks_changes_with_context() {
        let a = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let b = "1\n2\n3\nfour\n5\n6\n7\n8\n";
        assert_eq!(unified_diff(a, b), "@@\n 2\n 3\n-4\n+four\n 5\n 6\n");
        assert_eq!(unified_diff("x\n", "x\n"), "");
        assert_eq!(unified_diff("", "new\n"), "+new\n");
    }

    #[test]
    fn cflags_come_from_the_first_lines() {
        let dir = tempdir(&std::env::temp_dir(), "xtask-cflags").unwrap();
        let f = dir.join("t.c");
        fs::write(
            &f,
            "// x\n// cflags: -D_GNU_SOURCE -O2\nint main(){}\n// cflags: -late\n",
        )
        .unwrap();
        assert_eq!(extra_cflags(&f), ["-D_GNU_SOURCE", "-O2"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn host_run_captures_both_streams_and_status() {
        let r = host_run(
            &["/bin/sh", "-c", "echo out; echo err >&2; pwd; exit 3"],
            None,
            10,
            false,
        )
        .unwrap();
        let lines: Vec<&str> = r.output.lines().collect();
        assert_eq!(&lines[..2], ["out", "err"]);
        assert!(lines[2].contains("rill-host-cwd"), "{}", lines[2]);
        assert_eq!(r.status, 3);
        let r = host_run(&["/bin/sh", "-c", "kill -9 $$"], None, 10, false).unwrap();
        assert_eq!(r.status, 137);
        let r = host_run(&["/bin/sleep", "5"], None, 1, false).unwrap();
        assert!(r.timed_out);
    }
}
