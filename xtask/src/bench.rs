//! `cargo xtask bench`: the same benchmarks on Rill and on Debian's Linux under the same QEMU
//! options, printed side by side (figures, not assertions):
//! - `mem`: MemFree right after booting the small image (where init.sh starts the shell);
//! - `micro`: tests/bench/bench.c (null syscall, pipe ping-pong, thread create+join,
//!   fork+exec+wait, futex round trip), ns/op measured inside the guest;
//! - `x264`: libx264 transcode fps of a testsrc2 clip with 1 and 2 threads (tests/bench/x264.sh
//!   in the ffmpeg image), from ffmpeg's own `-benchmark` rtime, with the host's clock between
//!   the block markers as a cross-check.
//!
//! `cargo xtask bench boot`: wall time from spawning QEMU to the busybox shell prompt.

use crate::markers;
use crate::qemu::{self, Boot};
use crate::rootfs::Rootfs;
use crate::testrun::serial_session;
use crate::{build_kernel, build_rootfs, repo_root, Args, Result, RootfsOpts};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The microbenchmarks tests/bench/bench.c runs, in its order.
pub const MICRO: &[&str] = &["getppid", "pipe", "thread", "forkexec", "futex"];

/// `bench: NAME X ns/op ...` lines: (NAME, X).
pub fn parse_micro(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter_map(|l| {
            let mut w = l.trim().strip_prefix("bench: ")?.split_whitespace();
            let name = w.next()?.to_string();
            let ns: f64 = w.next()?.parse().ok()?;
            (w.next()? == "ns/op").then_some((name, ns))
        })
        .collect()
}

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
    let args = a.rest();
    let what = args.first().cloned().unwrap_or_default();
    if what == "boot" {
        return bench_boot(Args::new(args[1..].to_vec()));
    }
    if what == "net" {
        return crate::netbench::cmd_bench_net(Args::new(args[1..].to_vec()));
    }
    let (what, rest) = match what.as_str() {
        "all" | "mem" | "micro" | "x264" => (what.clone(), args[1..].to_vec()),
        _ => ("all".to_string(), args),
    };
    bench_compare(&what, Args::new(rest))
}

fn bench_boot(mut a: Args) -> Result<()> {
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

/// What one guest reported.
#[derive(Default)]
struct Figures {
    mem_free_kb: Option<f64>,
    /// Host seconds for the guest's `sleep 5` (5.0 when the guest's clock keeps real time).
    sleep5: Option<f64>,
    micro: Vec<(String, f64)>,
    /// Per thread count: fps from ffmpeg's rtime in the guest, fps by the host's clock.
    x264: Vec<(u32, Option<f64>, Option<f64>)>,
    /// What libx264 said: "using cpu capabilities: ...".
    x264_caps: Option<String>,
    problems: Vec<String>,
}

impl Figures {
    /// Merges another run: the best of each figure (most memory and fps, fewest ns/op); the
    /// clock check keeps the first.
    fn keep_best(&mut self, o: Figures) {
        let max = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        };
        self.mem_free_kb = max(self.mem_free_kb, o.mem_free_kb);
        self.sleep5 = self.sleep5.or(o.sleep5);
        self.x264_caps = self.x264_caps.take().or(o.x264_caps);
        for (name, ns) in o.micro {
            match self.micro.iter_mut().find(|(n, _)| *n == name) {
                Some(e) => e.1 = e.1.min(ns),
                None => self.micro.push((name, ns)),
            }
        }
        for (n, g, h) in o.x264 {
            match self.x264.iter_mut().find(|x| x.0 == n) {
                Some(e) => {
                    e.1 = max(e.1, g);
                    e.2 = max(e.2, h);
                }
                None => self.x264.push((n, g, h)),
            }
        }
        self.problems.extend(o.problems);
    }
}

/// Host arrival times of marker lines (`BEGIN x`, `END x 0`, ...), first sighting each.
type MarkerTimes = HashMap<String, Duration>;

fn boot_and_time(boot: &Boot, log: &Path) -> Result<(markers::GuestRun, MarkerTimes, String)> {
    let mut times: MarkerTimes = HashMap::new();
    let start = std::time::Instant::now();
    let mut watch = |w: &str| {
        for (i, _) in w.match_indices("@@@") {
            let rest = &w[i + 3..];
            // Only complete lines: a marker cut by the chunk end is seen again in the next.
            if let Some(end) = rest.find(['\r', '\n']) {
                times
                    .entry(rest[..end].trim().to_string())
                    .or_insert_with(|| start.elapsed());
            }
        }
        w.contains("@@@DONE")
    };
    let s = serial_session(
        boot,
        log,
        Stdio::null(),
        &mut watch,
        Duration::from_secs(30),
        true,
    )?;
    let run = markers::parse(&s.log);
    let status = format!(
        "{:.1} s, {}",
        s.elapsed.as_secs_f64(),
        s.killed
            .map(String::from)
            .unwrap_or_else(|| qemu::describe_exit(s.exit))
    );
    Ok((run, times, status))
}

fn block_of<'a>(run: &'a markers::GuestRun, name: &str, f: &mut Figures) -> Option<&'a str> {
    match run.block(name) {
        Some(b) if b.status == Some(0) => Some(&b.output),
        Some(b) => {
            f.problems.push(format!(
                "{name}: exit {:?}: {}",
                b.status,
                b.output.lines().last().unwrap_or("")
            ));
            None
        }
        None => {
            f.problems.push(format!("{name}: not reached"));
            None
        }
    }
}

/// Seconds between the BEGIN and END markers of a block, by the host's clock.
fn host_seconds(times: &MarkerTimes, name: &str) -> Option<f64> {
    let begin = times.get(&format!("BEGIN {name}"))?;
    let end = times
        .iter()
        .find(|(k, _)| k.starts_with(&format!("END {name} ")))?
        .1;
    Some(end.checked_sub(*begin)?.as_secs_f64())
}

/// The last `key=value` of ffmpeg's -progress output, and rtime from its -benchmark line.
fn x264_figures(out: &str) -> (Option<f64>, Option<f64>) {
    let frames = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("frame=")?.trim().parse::<f64>().ok())
        .next_back();
    let rtime = out.lines().find_map(|l| {
        let r = l
            .trim()
            .strip_prefix("bench:")?
            .split_whitespace()
            .find_map(|w| w.strip_prefix("rtime="))?;
        r.trim_end_matches('s').parse::<f64>().ok()
    });
    (frames, rtime)
}

struct Images {
    small: Option<PathBuf>,
    ffmpeg: Option<PathBuf>,
}

fn measure(os: &str, kernel: &Path, images: &Images, smp: u32, work: &Path) -> Result<Figures> {
    let mut f = Figures::default();
    if let Some(small) = &images.small {
        let mut boot = Boot::new(kernel.to_path_buf(), small.clone());
        boot.smp = smp;
        let log = work.join(format!("{os}-micro.log"));
        eprintln!(
            "bench: {os}: booting the small image (log {})",
            log.display()
        );
        let (run, times, status) = boot_and_time(&boot, &log)?;
        eprintln!("bench: {os}: {status}");
        if block_of(&run, "clock", &mut f).is_some() {
            f.sleep5 = host_seconds(&times, "clock");
        }
        if let Some(out) = block_of(&run, "mem", &mut f) {
            f.mem_free_kb = out.lines().find_map(|l| {
                l.strip_prefix("MemFree:")?
                    .trim()
                    .strip_suffix("kB")?
                    .trim()
                    .parse()
                    .ok()
            });
        }
        if images.small.is_some() && run.block("micro").is_some() {
            if let Some(out) = block_of(&run, "micro", &mut f) {
                f.micro = parse_micro(out);
            }
        }
    }
    if let Some(ff) = &images.ffmpeg {
        let mut boot = Boot::new(kernel.to_path_buf(), ff.clone());
        boot.smp = smp;
        let log = work.join(format!("{os}-x264.log"));
        eprintln!(
            "bench: {os}: booting the ffmpeg image (log {})",
            log.display()
        );
        let (run, times, status) = boot_and_time(&boot, &log)?;
        eprintln!("bench: {os}: {status}");
        if f.sleep5.is_none() && block_of(&run, "clock", &mut f).is_some() {
            f.sleep5 = host_seconds(&times, "clock");
        }
        block_of(&run, "x264-input", &mut f);
        for n in [1u32, 2] {
            let name = format!("x264-t{n}");
            let Some(out) = block_of(&run, &name, &mut f) else {
                f.x264.push((n, None, None));
                continue;
            };
            let (frames, rtime) = x264_figures(out);
            if f.x264_caps.is_none() {
                f.x264_caps = out.lines().find_map(|l| {
                    Some(
                        l.split_once("using cpu capabilities:")?
                            .1
                            .trim()
                            .to_string(),
                    )
                });
            }
            let guest = frames.zip(rtime).map(|(fr, t)| fr / t);
            let host = frames
                .zip(host_seconds(&times, &name))
                .map(|(fr, t)| fr / t);
            if frames.is_none() {
                f.problems
                    .push(format!("{name}: no frame count in the output"));
            }
            f.x264.push((n, guest, host));
        }
    }
    Ok(f)
}

fn bench_compare(what: &str, mut a: Args) -> Result<()> {
    let mut smp = None;
    let mut budget = "1".to_string();
    let mut size = "640x360".to_string();
    let mut runs = 1u32;
    while let Some(arg) = a.next_arg() {
        match arg.as_str() {
            x if crate::flag_is(x, "--runs") => runs = a.value(x, "--runs")?.parse::<u32>()?,
            x if crate::flag_is(x, "--smp") => smp = Some(a.value(x, "--smp")?.parse::<u32>()?),
            x if crate::flag_is(x, "--budget") => budget = a.value(x, "--budget")?,
            x if crate::flag_is(x, "--size") => size = a.value(x, "--size")?,
            _ => return Err(format!("bench: unknown argument {arg}").into()),
        }
    }
    budget
        .parse::<f64>()
        .map_err(|_| "--budget: seconds expected")?;
    // The harness default unless asked otherwise.
    let smp = smp.unwrap_or_else(|| crate::testrun::test_boot(Path::new("k"), Path::new("i")).smp);
    let root = repo_root();
    let work = root.join("build/bench");
    fs::create_dir_all(&work)?;
    let init = root.join("tests/bench/init.sh");
    let mut images = Images {
        small: None,
        ffmpeg: None,
    };
    if what == "all" || what == "mem" || what == "micro" {
        let mut fsys = Rootfs::base()?;
        fsys.add_busybox()?;
        fsys.add_file_from("init", &init)?;
        if what != "mem" {
            let bin = work.join("bench");
            let out = Command::new("gcc")
                .args(["-O2", "-Wall", "-static", "-o"])
                .arg(&bin)
                .arg(root.join("tests/bench/bench.c"))
                .arg("-lpthread")
                .output()?;
            if !out.status.success() {
                return Err(format!(
                    "tests/bench/bench.c: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
                .into());
            }
            fsys.add_file_from("tests/bench/bench", &bin)?;
            crate::scenario::add_text(
                &mut fsys,
                "tests/bench/args",
                &format!("--budget {budget}\n"),
            );
        }
        let img = work.join("small.cpio.gz");
        fsys.write(&img, true)?;
        images.small = Some(img);
    }
    if what == "all" || what == "x264" {
        let mut ov = crate::scenario::overlay();
        ov.add_file_from("init", &init)?;
        ov.add_file_from("tests/bench/x264.sh", &root.join("tests/bench/x264.sh"))?;
        crate::scenario::add_text(&mut ov, "tests/bench/x264.conf", &format!("SIZE={size}\n"));
        let img = work.join("x264.cpio");
        crate::scenario::ffmpeg_image(ov, &img)?;
        images.ffmpeg = Some(img);
    }
    eprintln!("bench: {what}, -smp {smp}, {}", qemu::accel_description());
    let (rill_k, linux_k) = (build_kernel(false)?, qemu::debian_kernel()?);
    let (mut rill, mut linux) = (Figures::default(), Figures::default());
    // Alternating, so that a change in the host's load hits both alike; best figure of each.
    for r in 1..=runs.max(1) {
        let tag = |os: &str| {
            if runs > 1 {
                format!("{os}-{r}")
            } else {
                os.to_string()
            }
        };
        rill.keep_best(measure(&tag("rill"), &rill_k, &images, smp, &work)?);
        linux.keep_best(measure(&tag("linux"), &linux_k, &images, smp, &work)?);
    }
    println!();
    print!("{}", table(&rill, &linux, smp, &size));
    for (os, f) in [("Rill", &rill), ("Linux", &linux)] {
        if let Some(c) = &f.x264_caps {
            println!("x264 on {os} uses: {c}");
        }
    }
    for (os, f) in [("Rill", &rill), ("Linux", &linux)] {
        for p in &f.problems {
            println!("problem on {os}: {p}");
        }
    }
    Ok(())
}

/// The comparison table; `ratio` is always Rill/Linux.
fn table(rill: &Figures, linux: &Figures, smp: u32, size: &str) -> String {
    let mut rows: Vec<(String, Option<f64>, Option<f64>, &str)> = Vec::new();
    for n in [1u32, 2] {
        let get = |f: &Figures, host: bool| {
            f.x264
                .iter()
                .find(|x| x.0 == n)
                .and_then(|x| if host { x.2 } else { x.1 })
        };
        if rill.x264.is_empty() && linux.x264.is_empty() {
            break;
        }
        let th = if n == 1 { "thread" } else { "threads" };
        rows.push((
            format!("x264 veryfast {size}, {n} {th} (fps)"),
            get(rill, false),
            get(linux, false),
            ">= 0.97",
        ));
        rows.push((
            "  same, host clock (fps)".to_string(),
            get(rill, true),
            get(linux, true),
            "",
        ));
    }
    for m in MICRO {
        let get = |f: &Figures| f.micro.iter().find(|(k, _)| k == m).map(|x| x.1);
        if rill.micro.is_empty() && linux.micro.is_empty() {
            break;
        }
        rows.push((format!("{m} (ns/op)"), get(rill), get(linux), "<= 1.0"));
    }
    if rill.mem_free_kb.is_some() || linux.mem_free_kb.is_some() {
        let mib = |f: &Figures| f.mem_free_kb.map(|k| k / 1024.0);
        rows.push((
            "MemFree after boot (MiB)".into(),
            mib(rill),
            mib(linux),
            ">= 1.0",
        ));
    }
    if rill.sleep5.is_some() || linux.sleep5.is_some() {
        rows.push((
            "guest `sleep 5` by the host clock (s)".into(),
            rill.sleep5,
            linux.sleep5,
            "",
        ));
    }
    let cell = |v: Option<f64>| match v {
        Some(x) if x >= 100.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
        None => "-".into(),
    };
    let mut out = format!(
        "{:<40} {:>12} {:>12} {:>11}  goal   (-smp {smp}, {})\n",
        "benchmark",
        "Rill",
        "Linux",
        "Rill/Linux",
        if qemu::use_kvm() { "KVM" } else { "TCG" }
    );
    for (name, r, l, goal) in rows {
        let ratio = match (r, l) {
            (Some(r), Some(l)) if l > 0.0 => format!("{:.2}", r / l),
            _ => "-".into(),
        };
        out.push_str(&format!(
            "{name:<40} {:>12} {:>12} {ratio:>11}  {goal}\n",
            cell(r),
            cell(l)
        ));
    }
    out
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

    #[test]
    fn micro_and_x264_lines_are_parsed() {
        let m =
            parse_micro("bench: getppid 270 ns/op (3710000 ops)\nbench: pipe failed: x\nnoise\n");
        assert_eq!(m, vec![("getppid".to_string(), 270.0)]);
        let out = "frame=1\nfps=0.00\nframe=100\nprogress=end\n\
                   bench: utime=0.317s stime=0.030s rtime=0.500s\nbench: maxrss=75532kB\n";
        assert_eq!(x264_figures(out), (Some(100.0), Some(0.5)));
        assert_eq!(x264_figures("nothing\n"), (None, None));
    }

    #[test]
    fn table_has_ratios_and_gaps() {
        let rill = Figures {
            mem_free_kb: Some(1024.0 * 900.0),
            sleep5: None,
            x264_caps: None,
            micro: vec![("getppid".into(), 200.0)],
            x264: vec![(1, Some(10.0), Some(9.0)), (2, None, None)],
            problems: vec![],
        };
        let linux = Figures {
            mem_free_kb: Some(1024.0 * 800.0),
            sleep5: Some(5.01),
            x264_caps: None,
            micro: vec![("getppid".into(), 400.0)],
            x264: vec![(1, Some(20.0), Some(18.0)), (2, Some(30.0), None)],
            problems: vec![],
        };
        let t = table(&rill, &linux, 2, "640x360");
        let line = |p: &str| t.lines().find(|l| l.starts_with(p)).unwrap().to_string();
        assert!(
            line("x264 veryfast 640x360, 1 thread").contains(" 0.50 "),
            "{t}"
        );
        assert!(line("getppid").contains(" 0.50 "), "{t}");
        assert!(line("MemFree").contains(" 1.12 "), "{t}");
        assert!(line("pipe").contains(" - "), "{t}");
    }
}
