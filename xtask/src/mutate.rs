//! `cargo xtask test --mutate [NAME[,NAME...]] [--full] [--smp N]`: the mutation check.
//!
//! Each entry of `tests/mutations.txt` is a deliberate kernel fault: a source snippet that
//! must occur exactly once in its file (else the entry is STALE) and its replacement. For
//! every selected fault a private copy of the tree (`build/mutate/tree`, one shared target
//! dir, so each mutant is an incremental kernel rebuild) gets the fault, and that copy's
//! `cargo xtask test --no-unit --filter CATCHERS` (the whole suite with `--full`) runs as a
//! subprocess, its output in `build/mutate/NAME.log`. The unmutated copy runs first with the
//! same tests: a "kill" only counts when the test passed without the fault. Verdicts: KILLED
//! (a test that passed without the fault failed with it), SURVIVED, BUILD-FAILED, STALE,
//! UNFINISHED (the run was stopped, after MUTANT_TIMEOUT or by hand, before a test failed).
//! Exit status non-zero when any fault survived or is stale, or the baseline failed.
//! Never run by `.ci/run`: it boots the suite once per fault.

use crate::{repo_root, Result};
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// The list, relative to the repository root.
pub const LIST: &str = "tests/mutations.txt";
/// What is copied into the private tree (all a `cargo xtask test` needs).
const COPIED: &[&str] = &[
    "kernel",
    "crates",
    "xtask",
    "tests",
    "Cargo.toml",
    "Cargo.lock",
    ".cargo",
];
/// One mutant's kernel build, and its test run (the boots, resumptions after hangs included)
/// with the catchers only or with the whole suite (`--full`). A fault that hangs the guest
/// costs up to five boots' idle watchdogs: that is a kill, reported before this limit.
const BUILD_TIMEOUT: Duration = Duration::from_secs(1200);
const MUTANT_TIMEOUT: Duration = Duration::from_secs(1200);
const MUTANT_TIMEOUT_FULL: Duration = Duration::from_secs(5400);

#[derive(Debug, Clone, Default)]
pub struct Mutation {
    pub name: String,
    pub about: String,
    pub file: String,
    pub find: String,
    pub replace: String,
    /// Test names or substrings (as for `--filter`) expected to catch the fault.
    pub catch: Vec<String>,
    /// Line of the `== name` header in the list.
    pub line: usize,
}

/// Parses the list format (described at the top of tests/mutations.txt).
pub fn parse(text: &str) -> Result<Vec<Mutation>> {
    #[derive(PartialEq)]
    enum Block {
        None,
        Find,
        Replace,
    }
    let mut out: Vec<Mutation> = Vec::new();
    let mut block = Block::None;
    // the next '|' line is the block's first (an empty first line still counts)
    let mut first = true;
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        let err =
            |m: &str| -> Box<dyn std::error::Error> { format!("{LIST}:{lineno}: {m}").into() };
        if let Some(body) = raw.strip_prefix('|') {
            let m = out.last_mut().ok_or_else(|| err("text before any entry"))?;
            let s = match block {
                Block::Find => &mut m.find,
                Block::Replace => &mut m.replace,
                Block::None => return Err(err("'|' line outside find:/replace:")),
            };
            if !first {
                s.push('\n');
            }
            first = false;
            s.push_str(body);
            continue;
        }
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            block = Block::None;
            continue;
        }
        if let Some(name) = line.strip_prefix("== ") {
            let name = name.trim();
            if name.is_empty() || name.contains([',', ' ']) {
                return Err(err("bad entry name"));
            }
            out.push(Mutation {
                name: name.to_string(),
                line: lineno,
                ..Default::default()
            });
            block = Block::None;
            continue;
        }
        let m = out
            .last_mut()
            .ok_or_else(|| err("field before any entry"))?;
        let (key, val) = line
            .split_once(':')
            .ok_or_else(|| err("expected `key: value`, `find:`, `replace:` or `|text`"))?;
        let val = val.trim();
        block = Block::None;
        first = true;
        match key.trim() {
            "about" => m.about = val.to_string(),
            "file" => m.file = val.to_string(),
            "catch" => m.catch.extend(
                val.split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            ),
            "find" if val.is_empty() => block = Block::Find,
            "replace" if val.is_empty() => block = Block::Replace,
            k => return Err(err(&format!("unknown key {k}"))),
        }
    }
    let mut seen = BTreeSet::new();
    for m in &out {
        let at = format!("{LIST}:{} ({})", m.line, m.name);
        if !seen.insert(m.name.clone()) {
            return Err(format!("{at}: duplicate name").into());
        }
        if m.about.is_empty() || m.file.is_empty() || m.catch.is_empty() || m.find.is_empty() {
            return Err(format!("{at}: needs about:, file:, catch: and find:").into());
        }
        if m.find == m.replace {
            return Err(format!("{at}: the replacement is the same text").into());
        }
        if !(m.file.starts_with("kernel/") || m.file.starts_with("crates/")) {
            return Err(format!("{at}: the file must be under kernel/ or crates/").into());
        }
    }
    Ok(out)
}

/// None if the snippet occurs exactly once in the file under `root`, else why not.
pub fn stale_reason(root: &Path, m: &Mutation) -> Option<String> {
    let text = match fs::read_to_string(root.join(&m.file)) {
        Ok(t) => t,
        Err(e) => return Some(format!("{}: {e}", m.file)),
    };
    match text.matches(m.find.as_str()).count() {
        1 => None,
        0 => Some(format!("snippet not found in {}", m.file)),
        n => Some(format!("snippet occurs {n} times in {}", m.file)),
    }
}

/// Copies `src` to `dst` writing only files whose contents differ (unchanged files keep
/// their modification time, so cargo rebuilds only what a mutation touched) and removing
/// files `src` does not have.
fn sync(src: &Path, dst: &Path) -> Result<()> {
    let meta = fs::symlink_metadata(src)?;
    if meta.is_dir() {
        if fs::symlink_metadata(dst).is_ok_and(|m| !m.is_dir()) {
            fs::remove_file(dst)?;
        }
        fs::create_dir_all(dst)?;
        let mut names = BTreeSet::new();
        for e in fs::read_dir(src)? {
            let e = e?;
            names.insert(e.file_name());
            sync(&e.path(), &dst.join(e.file_name()))?;
        }
        for e in fs::read_dir(dst)? {
            let e = e?;
            if !names.contains(&e.file_name()) {
                let p = e.path();
                if e.file_type()?.is_dir() {
                    fs::remove_dir_all(&p)?;
                } else {
                    fs::remove_file(&p)?;
                }
            }
        }
    } else if meta.file_type().is_symlink() {
        let target = fs::read_link(src)?;
        if fs::read_link(dst).ok().as_ref() != Some(&target) {
            let _ = fs::remove_file(dst);
            std::os::unix::fs::symlink(&target, dst)?;
        }
    } else {
        let data = fs::read(src)?;
        if fs::read(dst).ok().as_ref() != Some(&data) {
            if fs::symlink_metadata(dst).is_ok_and(|m| m.is_dir()) {
                fs::remove_dir_all(dst)?;
            }
            fs::write(dst, &data)?;
            fs::set_permissions(dst, meta.permissions())?;
        }
    }
    Ok(())
}

/// Makes `tree` a copy of the working tree, with `m` applied if given.
fn prepare_tree(root: &Path, tree: &Path, m: Option<&Mutation>) -> Result<()> {
    fs::create_dir_all(tree)?;
    for item in COPIED {
        let src = root.join(item);
        if src.exists() {
            sync(&src, &tree.join(item))?;
        }
    }
    if let Some(m) = m {
        let path = tree.join(&m.file);
        let text = fs::read_to_string(&path)?;
        fs::write(&path, text.replacen(&m.find, &m.replace, 1))?;
    }
    Ok(())
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for var in ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET", "RUSTFLAGS"] {
        c.env_remove(var);
    }
    c
}

/// Runs `c` in its own process group with stdout and stderr to `log`; false on a non-zero
/// exit or when it ran longer than `limit` (then the whole group is killed).
fn run_logged(mut c: Command, log: &Path, limit: Duration) -> Result<bool> {
    let f = fs::File::create(log)?;
    c.stdin(Stdio::null())
        .stdout(f.try_clone()?)
        .stderr(f)
        .process_group(0);
    let mut child = c.spawn()?;
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait()? {
            return Ok(s.success());
        }
        if Instant::now() > deadline {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            let mut f = fs::OpenOptions::new().append(true).open(log)?;
            use std::io::Write;
            writeln!(f, "xtask mutate: stopped after {} s", limit.as_secs())?;
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The outcome of one `cargo xtask test` run: (tests passed, tests failed by name).
struct TestRun {
    passed: BTreeSet<String>,
    failed: BTreeSet<String>,
    /// The summary line was printed (the run finished).
    finished: bool,
}

/// The harness's closing line: `N passed, N failed` or `N passed, N failed, N skipped`.
fn is_closing_line(line: &str) -> bool {
    let words: Vec<&str> = line.trim().split(' ').collect();
    let num = |w: &str| w.trim_end_matches(',').parse::<u64>().is_ok();
    match words.as_slice() {
        [p, "passed,", f, "failed"] => num(p) && num(f),
        [p, "passed,", f, "failed,", s, "skipped"] => num(p) && num(f) && num(s),
        _ => false,
    }
}

fn parse_test_log(text: &str) -> TestRun {
    let mut r = TestRun {
        passed: BTreeSet::new(),
        failed: BTreeSet::new(),
        finished: false,
    };
    let mut fail_lines = BTreeSet::new();
    let mut summary: Option<(BTreeSet<String>, bool)> = None;
    for line in text.lines() {
        let name = |rest: &str| {
            rest.split([':', ' '])
                .next()
                .unwrap_or_default()
                .to_string()
        };
        if let Some(rest) = line.strip_prefix("PASS ") {
            r.passed.insert(name(rest));
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            // (a failing test's output is shown after its FAIL line and may have FAIL
            // lines of its own: the summary line below is preferred)
            fail_lines.insert(name(rest));
        } else if let Some(list) = line.strip_prefix("failed: ") {
            let (names, more) = match list.split_once(" ... and ") {
                Some((n, _)) => (n, true),
                None => (list, false),
            };
            summary = Some((names.split(' ').map(String::from).collect(), more));
        } else if is_closing_line(line) {
            r.finished = true;
        }
    }
    r.failed = match summary {
        Some((names, false)) => names,
        Some((names, true)) => names.into_iter().chain(fail_lines).collect(),
        None => fail_lines,
    };
    r
}

/// Builds the tree's kernel, then runs its test suite (filtered unless `full`).
/// Err(why) when the kernel does not build.
fn run_tree(
    tree: &Path,
    log: &Path,
    filter: Option<&str>,
    smp: Option<&str>,
) -> Result<std::result::Result<TestRun, String>> {
    let build_log = log.with_extension("build.log");
    let mut b = cargo();
    b.current_dir(tree).args(["xtask", "build"]);
    if !run_logged(b, &build_log, BUILD_TIMEOUT)? {
        let text = fs::read_to_string(&build_log).unwrap_or_default();
        let first_error = text
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("see the log")
            .to_string();
        return Ok(Err(format!("{first_error} ({})", build_log.display())));
    }
    let mut c = cargo();
    c.current_dir(tree).args(["xtask", "test", "--no-unit"]);
    if let Some(f) = filter {
        c.args(["--filter", f]);
    }
    if let Some(n) = smp {
        c.args(["--smp", n]);
    }
    let limit = if filter.is_some() {
        MUTANT_TIMEOUT
    } else {
        MUTANT_TIMEOUT_FULL
    };
    run_logged(c, log, limit)?;
    Ok(Ok(parse_test_log(
        &fs::read_to_string(log).unwrap_or_default(),
    )))
}

fn list_path(root: &Path) -> PathBuf {
    root.join(LIST)
}

fn usage() -> String {
    "usage: cargo xtask test --mutate [NAME[,NAME...]] [--full] [--smp N] [--list]".into()
}

/// `cargo xtask test --mutate ...`: `first` is the `--mutate[=NAMES]` argument itself,
/// `rest` what followed it.
pub fn cmd_mutate(first: &str, rest: Vec<String>) -> Result<ExitCode> {
    let mut names: Vec<String> = Vec::new();
    if let Some(v) = first.strip_prefix("--mutate=") {
        names.extend(v.split(',').filter(|s| !s.is_empty()).map(String::from));
    }
    let (mut full, mut list_only, mut smp) = (false, false, None);
    let mut it = rest.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--full" => full = true,
            "--list" => list_only = true,
            "--smp" => smp = Some(it.next().ok_or("--smp needs a value")?),
            x if x.starts_with("--smp=") => smp = Some(x["--smp=".len()..].to_string()),
            x if x.starts_with('-') => return Err(format!("{}\n(unknown {x})", usage()).into()),
            x => names.extend(x.split(',').filter(|s| !s.is_empty()).map(String::from)),
        }
    }
    let root = repo_root();
    let all = parse(&fs::read_to_string(list_path(&root))?)?;
    for n in &names {
        if !all.iter().any(|m| &m.name == n) {
            return Err(format!("no mutation named {n} in {LIST}").into());
        }
    }
    let chosen: Vec<&Mutation> = all
        .iter()
        .filter(|m| names.is_empty() || names.contains(&m.name))
        .collect();
    if list_only {
        for m in &chosen {
            println!("{:<24} {}  [{}]", m.name, m.about, m.catch.join(","));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let work = root.join("build/mutate");
    let tree = work.join("tree");
    fs::create_dir_all(&work)?;

    // Stale entries are reported without booting anything.
    let mut verdicts: Vec<(String, String, String)> = Vec::new(); // (name, verdict, detail)
    let mut live: Vec<&Mutation> = Vec::new();
    for m in &chosen {
        match stale_reason(&root, m) {
            Some(why) => verdicts.push((m.name.clone(), "STALE".into(), why)),
            None => live.push(m),
        }
    }
    let filter_of = |ms: &[&Mutation]| -> Option<String> {
        if full {
            return None;
        }
        let set: BTreeSet<&str> = ms
            .iter()
            .flat_map(|m| m.catch.iter().map(String::as_str))
            .collect();
        Some(set.into_iter().collect::<Vec<_>>().join(","))
    };

    // The baseline: the same tests without any fault.
    let mut baseline_ok = true;
    let mut baseline_passed = BTreeSet::new();
    if !live.is_empty() {
        let filter = filter_of(&live);
        println!(
            "== mutate: baseline (no fault), tests: {}",
            filter.as_deref().unwrap_or("the whole suite")
        );
        prepare_tree(&root, &tree, None)?;
        let log = work.join("baseline.log");
        let t0 = Instant::now();
        match run_tree(&tree, &log, filter.as_deref(), smp.as_deref())? {
            Err(why) => return Err(format!("the unmutated tree does not build: {why}").into()),
            Ok(r) => {
                println!(
                    "   {} passed, {} failed ({:.0} s, {})",
                    r.passed.len(),
                    r.failed.len(),
                    t0.elapsed().as_secs_f64(),
                    log.display()
                );
                if !r.failed.is_empty() || !r.finished {
                    baseline_ok = false;
                    println!(
                        "   BASELINE FAILURES (they cannot count as kills){}: {}",
                        if r.finished { "" } else { " (no closing line)" },
                        r.failed.iter().cloned().collect::<Vec<_>>().join(" ")
                    );
                }
                for m in &live {
                    let selected = r
                        .passed
                        .iter()
                        .chain(r.failed.iter())
                        .any(|t| m.catch.iter().any(|c| t.contains(c.as_str())));
                    if !selected {
                        println!("   note: no test matches {}'s catchers", m.name);
                    }
                }
                baseline_passed = r.passed;
            }
        }
    }

    for m in &live {
        println!("== mutate: {} ({})", m.name, m.about);
        let filter = filter_of(std::slice::from_ref(m));
        prepare_tree(&root, &tree, Some(m))?;
        let log = work.join(format!("{}.log", m.name));
        let t0 = Instant::now();
        let (verdict, detail) = match run_tree(&tree, &log, filter.as_deref(), smp.as_deref())? {
            Err(why) => ("BUILD-FAILED".to_string(), why),
            Ok(r) => {
                let kills: Vec<String> = r
                    .failed
                    .iter()
                    .filter(|t| baseline_passed.contains(*t))
                    .cloned()
                    .collect();
                if !kills.is_empty() {
                    ("KILLED".to_string(), kills.join(" "))
                } else if !r.finished {
                    (
                        "UNFINISHED".to_string(),
                        format!("the test run stopped early, see {}", log.display()),
                    )
                } else {
                    (
                        "SURVIVED".to_string(),
                        format!("{} tests passed", r.passed.len()),
                    )
                }
            }
        };
        println!(
            "   {verdict}: {detail} ({:.0} s, {})",
            t0.elapsed().as_secs_f64(),
            log.display()
        );
        verdicts.push((m.name.clone(), verdict, detail));
    }
    // leave the tree unmutated (a later build there starts from the plain sources)
    prepare_tree(&root, &tree, None)?;

    println!(
        "\n== mutation check{}",
        if full { " (whole suite)" } else { "" }
    );
    let w = verdicts.iter().map(|v| v.0.len()).max().unwrap_or(4).max(4);
    println!("{:<w$}  {:<12}  failing tests / why", "name", "verdict");
    let order = |n: &str| {
        chosen
            .iter()
            .position(|m| m.name == n)
            .unwrap_or(usize::MAX)
    };
    verdicts.sort_by_key(|v| order(&v.0));
    for (name, verdict, detail) in &verdicts {
        println!("{name:<w$}  {verdict:<12}  {detail}");
    }
    let bad = verdicts.iter().filter(|v| v.1 != "KILLED").count();
    println!(
        "{} killed, {} not killed, of {}{}",
        verdicts.len() - bad,
        bad,
        verdicts.len(),
        if baseline_ok {
            ""
        } else {
            "; the baseline had failures"
        }
    );
    Ok(if bad == 0 && baseline_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped list parses and every snippet occurs exactly once in today's sources:
    /// a refactor that moves a mutated line fails here, without booting anything.
    #[test]
    fn shipped_list_is_current() {
        let root = repo_root();
        let list = parse(&fs::read_to_string(list_path(&root)).unwrap()).unwrap();
        assert!(list.len() >= 12, "only {} mutations", list.len());
        let stale: Vec<String> = list
            .iter()
            .filter_map(|m| stale_reason(&root, m).map(|w| format!("{}: {w}", m.name)))
            .collect();
        assert!(
            stale.is_empty(),
            "stale mutations in {LIST}:\n{}",
            stale.join("\n")
        );
    }

    #[test]
    fn parse_format() {
        let text = "# c\n== a\nabout: x\nfile: kernel/src/a.rs\ncatch: t1, t2 t3\nfind:\n|  one\n|\n|two\nreplace:\n|three\n";
        let l = parse(text).unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].find, "  one\n\ntwo");
        assert_eq!(l[0].replace, "three");
        assert_eq!(l[0].catch, ["t1", "t2", "t3"]);
        // an empty replacement deletes the snippet
        let l = parse("== b\nabout: x\nfile: crates/f.rs\ncatch: t\nfind:\n|x\n").unwrap();
        assert_eq!(l[0].replace, "");
        assert!(parse("== b\nabout: x\nfile: xtask/f.rs\ncatch: t\nfind:\n|x\n").is_err());
        assert!(parse("== b\nabout: x\nfile: kernel/f.rs\nfind:\n|x\n").is_err());
        assert!(
            parse("== b\nabout: x\nfile: kernel/f.rs\ncatch: t\nfind:\n|x\nreplace:\n|x\n")
                .is_err()
        );
    }

    #[test]
    fn test_log_parsing() {
        let r = parse_test_log(
            "PASS a.static\nFAIL b.dyn: output differs\nFAIL inner: a line of its output\n   FAIL nested\nFAIL poweroff: x\nfailed: b.dyn poweroff\n3 passed, 2 failed\n",
        );
        assert!(r.finished);
        assert_eq!(r.passed.iter().collect::<Vec<_>>(), ["a.static"]);
        assert_eq!(r.failed.iter().collect::<Vec<_>>(), ["b.dyn", "poweroff"]);
        assert!(!parse_test_log("PASS a\n").finished);
        assert!(parse_test_log("PASS a\n1 passed, 0 failed, 2 skipped\n").finished);
        assert!(!parse_test_log("x 1 passed, 0 failed\n").finished);
        // without the summary (the run was cut short) the FAIL lines are all there is
        let r = parse_test_log("FAIL a: x\nFAIL b: y\n");
        assert_eq!(r.failed.iter().collect::<Vec<_>>(), ["a", "b"]);
    }
}
