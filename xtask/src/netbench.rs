//! `cargo xtask bench net`: network figures on Rill and then on Debian's Linux (same image,
//! same QEMU options), one table with the ratios. One boot per kernel on the media image
//! (tests/net/lib.sh `bench`): nginx-rtmp, an ffmpeg RTSP listener and an iperf3 server in
//! the guest, driven from the host:
//! - push speed without `-re` of a pre-encoded `--push-secs` clip (120 s by default; 640x360,
//!   25 fps, libx264 veryfast; encoded once on the host, pushed with `-c copy` so the host's
//!   encoder is not measured): RTMP into nginx (wall time of the host's ffmpeg) and RTSP
//!   into the ffmpeg listener (until the guest's ffmpeg has written its HLS and exited, then
//!   the guest starts a new listener); as x realtime, each the median of `PUSH_RUNS` pushes,
//!   as they swing by a third from run to run on both kernels. The clip is long because the
//!   10 s one (836 kB) fits in the socket buffers: its RTMP push took 0.25 s on both kernels
//!   whatever the guest did, ffmpeg's own start and end;
//! - iperf3 host->guest, guest->host (`-R`) over the forwarded port, and loopback in the guest;
//! - tests/bench/netbench.c in the guest: TCP connect+close rate and 1316-byte UDP datagram
//!   rate on loopback;
//! - concurrent RTMP pushes with `-re` (1, 2, 4, 8, ...): the largest N for which every push
//!   reports ffmpeg `speed=` >= 0.99 (`-re` paces to 1.00x; 0.99 allows the rounding of the
//!   start-up).
//!
//! Figures only, no assertions. `--only rtmp,rtsp,iperf,lo,netbench,concurrent` runs a subset
//! (the guest still starts every server) and `--os rill|linux` boots only one kernel: for
//! bisecting one figure without the whole run; `--pcap` has QEMU dump eth0's frames.

use crate::netscen::{self, finish_logged, free_port, run_logged, spawn_logged, Guest};
use crate::qemu::{self, Boot};
use crate::{build_kernel, repo_root, Args, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[derive(Default, Debug)]
pub struct NetFigures {
    pub rtmp_push: Option<f64>,
    pub rtsp_push: Option<f64>,
    pub iperf_in: Option<f64>,
    pub iperf_out: Option<f64>,
    pub iperf_lo: Option<f64>,
    pub connect: Option<f64>,
    pub udp: Option<f64>,
    pub concurrent: Option<f64>,
    pub problems: Vec<String>,
}

pub fn cmd_bench_net(mut a: Args) -> Result<()> {
    let mut smp = None;
    let mut secs = 10u32;
    let mut push_secs = 120u32;
    let mut max_push = 16u32;
    let mut iperf_secs = 5u32;
    let mut only: Option<Vec<String>> = None;
    let mut pcap = false;
    let mut oses = vec!["rill".to_string(), "linux".to_string()];
    while let Some(arg) = a.next_arg() {
        match arg.as_str() {
            x if crate::flag_is(x, "--smp") => smp = Some(a.value(x, "--smp")?.parse::<u32>()?),
            x if crate::flag_is(x, "--secs") => secs = a.value(x, "--secs")?.parse()?,
            x if crate::flag_is(x, "--push-secs") => {
                push_secs = a.value(x, "--push-secs")?.parse()?
            }
            x if crate::flag_is(x, "--max-push") => max_push = a.value(x, "--max-push")?.parse()?,
            x if crate::flag_is(x, "--iperf-secs") => {
                iperf_secs = a.value(x, "--iperf-secs")?.parse()?
            }
            x if crate::flag_is(x, "--only") => {
                let list: Vec<String> =
                    a.value(x, "--only")?.split(',').map(String::from).collect();
                if let Some(bad) = list.iter().find(|p| !PARTS.contains(&p.as_str())) {
                    return Err(format!(
                        "bench net: --only: unknown part {bad} (parts: {})",
                        PARTS.join(",")
                    )
                    .into());
                }
                only = Some(list);
            }
            "--pcap" => pcap = true,
            x if crate::flag_is(x, "--os") => {
                let v = a.value(x, "--os")?;
                if v != "rill" && v != "linux" {
                    return Err(format!("bench net: --os rill|linux, not {v}").into());
                }
                oses = vec![v];
            }
            _ => return Err(format!("bench net: unknown argument {arg}").into()),
        }
    }
    let smp = smp.unwrap_or_else(|| crate::testrun::test_boot(Path::new("k"), Path::new("i")).smp);
    let root = repo_root();
    let work = root.join("build/bench");
    fs::create_dir_all(&work)?;
    let clip = clip(&work, secs)?;
    let push_clip = if wants_push_clip(&only) {
        self::clip(&work, push_secs)?
    } else {
        clip.clone()
    };
    let nb = work.join("netbench");
    let out = Command::new("gcc")
        .args(["-O2", "-Wall", "-static", "-o"])
        .arg(&nb)
        .arg(root.join("tests/bench/netbench.c"))
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "tests/bench/netbench.c: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let img = work.join("net.cpio");
    let mut ov = netscen::media_overlay()?;
    ov.add_file_from("init", &root.join("tests/net/init.sh"))?;
    ov.add_file_from("tests/bench/netbench", &nb)?;
    crate::scenario::add_text(&mut ov, "tests/net/which", "SCEN=bench\n");
    crate::scenario::add_text(&mut ov, "tests/net/iperf-secs", &format!("{iperf_secs}\n"));
    netscen::media_image(ov, &img)?;
    eprintln!("bench net: -smp {smp}, {}", qemu::accel_description());
    let o = Opts {
        clip,
        secs,
        push_clip,
        push_secs,
        max_push,
        iperf_secs,
        smp,
        only,
        pcap,
    };
    let mut rill = NetFigures::default();
    let mut linux = NetFigures::default();
    if oses.iter().any(|x| x == "rill") {
        rill = measure("rill", &build_kernel(false)?, &img, &o, &work);
    }
    if oses.iter().any(|x| x == "linux") {
        linux = measure("linux", &qemu::debian_kernel()?, &img, &o, &work);
    }
    println!();
    print!("{}", table(&rill, &linux, smp, push_secs));
    println!("(concurrent pushes: {max_push} at most are tried; one run each, on a possibly shared host)");
    for (os, f) in [("Rill", &rill), ("Linux", &linux)] {
        for p in &f.problems {
            println!(
                "problem on {os}: {}",
                p.lines().take(12).collect::<Vec<_>>().join("\n   ")
            );
        }
    }
    Ok(())
}

/// Whether `--only` (None: every part) runs a push without `-re`.
fn wants_push_clip(only: &Option<Vec<String>>) -> bool {
    only.as_ref()
        .is_none_or(|l| l.iter().any(|p| p == "rtmp" || p == "rtsp"))
}

/// The pre-encoded `secs` s clip in `work`, encoded on the first use.
fn clip(work: &Path, secs: u32) -> Result<PathBuf> {
    let clip = work.join(format!("net-clip-{secs}s.flv"));
    if clip.exists() {
        return Ok(clip);
    }
    eprintln!("bench net: encoding the {secs} s clip {}", clip.display());
    let tmp = work.join("net-clip.partial.flv");
    let r = run_logged(
        Command::new("ffmpeg")
            .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"])
            .args(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t"])
            .arg(secs.to_string())
            .args([
                "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-f", "flv",
            ])
            .arg(&tmp),
        work,
        "net-clip",
        Duration::from_secs(600),
    )?;
    if !r.ok {
        return Err(format!("encoding the clip: {}: {}", r.status, r.stderr).into());
    }
    fs::rename(&tmp, &clip)?;
    Ok(clip)
}

struct Opts {
    clip: PathBuf,
    secs: u32,
    /// The clip of the pushes without `-re`, `push_secs` long.
    push_clip: PathBuf,
    push_secs: u32,
    max_push: u32,
    iperf_secs: u32,
    smp: u32,
    /// `--pcap`: QEMU writes eth0's frames to net-OS/eth0.pcap.
    pcap: bool,
    /// `--only`: the parts to run; None runs all of them.
    only: Option<Vec<String>>,
}

/// The parts of the run, as `--only` names them.
const PARTS: [&str; 6] = ["rtmp", "rtsp", "iperf", "lo", "netbench", "concurrent"];

impl Opts {
    fn runs(&self, part: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|l| l.iter().any(|p| p == part))
    }
}

fn measure(os: &str, kernel: &Path, img: &Path, o: &Opts, work: &Path) -> NetFigures {
    let mut f = NetFigures::default();
    let dir = work.join(format!("net-{os}"));
    let _ = fs::remove_dir_all(&dir);
    if let Err(e) = fs::create_dir_all(&dir) {
        f.problems.push(e.to_string());
        return f;
    }
    eprintln!(
        "bench net: {os}: booting (log {})",
        dir.join("serial.log").display()
    );
    if let Err(e) = measure_in(kernel, img, o, &dir, &mut f) {
        f.problems.push(e);
    }
    f
}

fn measure_in(
    kernel: &Path,
    img: &Path,
    o: &Opts,
    dir: &Path,
    f: &mut NetFigures,
) -> std::result::Result<(), String> {
    let e = |x: Box<dyn std::error::Error>| x.to_string();
    let (rtmp, rtsp, iperf, http) = (
        free_port().map_err(e)?,
        free_port().map_err(e)?,
        free_port().map_err(e)?,
        free_port().map_err(e)?,
    );
    let mut boot = Boot::new(kernel.to_path_buf(), img.to_path_buf());
    boot.smp = o.smp;
    boot.mem = "2G".into();
    if o.pcap {
        let f = dir.join("eth0.pcap");
        boot.extra.extend([
            "-object".into(),
            format!("filter-dump,id=dump0,netdev=net0,file={}", f.display()),
        ]);
    }
    boot.hostfwd = vec![
        format!("tcp:127.0.0.1:{rtmp}-:1935"),
        format!("tcp:127.0.0.1:{rtsp}-:8554"),
        format!("tcp:127.0.0.1:{iperf}-:5201"),
        format!("tcp:127.0.0.1:{http}-:80"),
    ];
    let mut g =
        Guest::boot(&boot, &dir.join("serial.log"), Duration::from_secs(1800)).map_err(e)?;
    let r = drive(&mut g, o, dir, f, rtmp, rtsp, iperf);
    g.say("quit");
    let warnings = g.finish(Duration::from_secs(20));
    if !warnings.is_empty() {
        f.problems
            .push(format!("kernel warnings:\n{}", warnings.join("\n")));
    }
    r
}

fn push_cmd(clip: &Path, re: bool, url: &str, rtsp: bool) -> Command {
    let mut c = Command::new("ffmpeg");
    c.args(["-hide_banner", "-nostdin", "-loglevel", "error", "-stats"]);
    if re {
        c.arg("-re");
    }
    c.arg("-i").arg(clip).args(["-c", "copy"]);
    if rtsp {
        c.args(["-f", "rtsp", "-rtsp_transport", "tcp"]);
    } else {
        c.args(["-f", "flv"]);
    }
    c.arg(url);
    c
}

/// The last `speed=N.NNx` ffmpeg's `-stats` printed.
pub fn last_speed(stderr: &str) -> Option<f64> {
    stderr
        .rsplit("speed=")
        .next()
        .filter(|_| stderr.contains("speed="))
        .and_then(|s| s.trim_start().split('x').next())
        .and_then(|s| s.trim().parse().ok())
}

/// How many times each push without `-re` runs; its figure is their median.
const PUSH_RUNS: usize = 3;

/// The median of `v` (the lower middle one for an even count); None when empty.
fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len().saturating_sub(1) / 2).copied()
}

#[allow(clippy::too_many_arguments)]
fn drive(
    g: &mut Guest,
    o: &Opts,
    dir: &Path,
    f: &mut NetFigures,
    rtmp: u16,
    rtsp: u16,
    iperf: u16,
) -> std::result::Result<(), String> {
    let e = |x: Box<dyn std::error::Error>| x.to_string();
    g.wait_for("listening", Duration::from_secs(300))?;
    // RTMP into nginx, as fast as it goes: the median of PUSH_RUNS pushes of the
    // long clip (one run is mostly noise)
    if o.runs("rtmp") {
        let mut speeds = Vec::new();
        for i in 1..=PUSH_RUNS {
            let r = run_logged(
                &mut push_cmd(
                    &o.push_clip,
                    false,
                    &format!("rtmp://127.0.0.1:{rtmp}/live/fast-{i}"),
                    false,
                ),
                dir,
                &format!("push-rtmp-{i}"),
                Duration::from_secs(600),
            )
            .map_err(e)?;
            if r.ok {
                speeds.push(o.push_secs as f64 / r.elapsed.as_secs_f64());
            } else {
                f.problems
                    .push(format!("RTMP push {i}: {}: {}", r.status, r.stderr));
            }
        }
        eprintln!("bench net: RTMP pushes (x realtime): {speeds:.2?}");
        if speeds.len() == PUSH_RUNS {
            f.rtmp_push = median(&mut speeds);
        }
    }
    // RTSP into the ffmpeg listener, until the guest's ffmpeg has finished (the
    // guest then starts a new listener before it answers)
    if o.runs("rtsp") {
        let mut speeds = Vec::new();
        for i in 1..=PUSH_RUNS {
            let start = Instant::now();
            let r = run_logged(
                &mut push_cmd(
                    &o.push_clip,
                    false,
                    &format!("rtsp://127.0.0.1:{rtsp}/live/test"),
                    true,
                ),
                dir,
                &format!("push-rtsp-{i}"),
                Duration::from_secs(600),
            )
            .map_err(e)?;
            g.say("rtsp-wait");
            let exit = g.wait_for("rtsp-exit", Duration::from_secs(300));
            let elapsed = start.elapsed();
            match (&exit, r.ok) {
                (Ok(rc), true) if rc.trim() == "0" => {
                    speeds.push(o.push_secs as f64 / elapsed.as_secs_f64())
                }
                _ => f.problems.push(format!(
                    "RTSP push {i}: host {}: {}; guest {exit:?}",
                    r.status, r.stderr
                )),
            }
            let ready = g.wait_for("rtsp-ready", Duration::from_secs(300));
            if ready.as_deref().map(str::trim) != Ok("0") {
                f.problems
                    .push(format!("RTSP listener not restarted: {ready:?}"));
                break;
            }
        }
        eprintln!("bench net: RTSP pushes (x realtime): {speeds:.2?}");
        if speeds.len() == PUSH_RUNS {
            f.rtsp_push = median(&mut speeds);
        }
    }
    // iperf3 both ways over the forwarded port, then loopback in the guest.
    if o.runs("iperf") {
        match netscen::iperf_host(dir, iperf, o.iperf_secs, false, "in") {
            Ok(m) => f.iperf_in = Some(m),
            Err(x) => f.problems.push(x),
        }
        if let Err(x) = netscen::relisten(g) {
            f.problems.push(x);
        }
        match netscen::iperf_host(dir, iperf, o.iperf_secs, true, "out") {
            Ok(m) => f.iperf_out = Some(m),
            Err(x) => f.problems.push(x),
        }
    }
    if o.runs("lo") {
        g.say("loopback");
        match g.wait_for("loopback", Duration::from_secs(300)) {
            Ok(rest) => {
                let w: Vec<&str> = rest.split_whitespace().collect();
                f.iperf_lo = w
                    .get(1)
                    .and_then(|x| x.parse().ok())
                    .filter(|_| w.first() == Some(&"0"));
                if f.iperf_lo.is_none() {
                    f.problems.push(format!("loopback iperf3: {rest}"));
                }
            }
            Err(x) => f.problems.push(x),
        }
    }
    if o.runs("netbench") {
        let from = g.lines.len();
        g.say("netbench");
        match g.wait_for("netbench-done", Duration::from_secs(300)) {
            Ok(_) => {
                let text = g.lines[from..].join("\n");
                f.connect = netbench_figure(&text, "tcp-connect-close");
                f.udp = netbench_figure(&text, "udp-1316-received");
                if f.connect.is_none() || f.udp.is_none() {
                    f.problems.push(format!("netbench:\n{text}"));
                }
            }
            Err(x) => f.problems.push(x),
        }
    }
    // Concurrent real-time pushes: 1, 2, 4, ... while every one keeps up.
    let mut n = 1;
    while o.runs("concurrent") && n <= o.max_push {
        let start = Instant::now();
        let mut kids = Vec::new();
        for i in 0..n {
            let name = format!("push-{n}-{i}");
            let url = format!("rtmp://127.0.0.1:{rtmp}/live/c{n}x{i}");
            kids.push((
                name.clone(),
                spawn_logged(&mut push_cmd(&o.clip, true, &url, false), dir, &name).map_err(e)?,
            ));
        }
        let limit = Duration::from_secs(o.secs as u64 * 3 + 60);
        let mut all = true;
        let mut speeds = Vec::new();
        for (name, c) in kids {
            let r = finish_logged(c, dir, &name, start, limit);
            let s = last_speed(&r.stderr);
            speeds.push(s);
            all &= r.ok && s.is_some_and(|s| s >= 0.99);
        }
        eprintln!("bench net: {n} concurrent -re pushes: speeds {speeds:?}");
        if !all {
            break;
        }
        f.concurrent = Some(n as f64);
        n *= 2;
    }
    Ok(())
}

/// `netbench: NAME VALUE UNIT` -> VALUE.
pub fn netbench_figure(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        let rest = l.split("netbench: ").nth(1)?.strip_prefix(name)?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn table(rill: &NetFigures, linux: &NetFigures, smp: u32, push_secs: u32) -> String {
    let rows: Vec<(String, Option<f64>, Option<f64>, &str)> = vec![
        (
            format!("RTMP push into nginx, {push_secs} s clip, no -re, median of {PUSH_RUNS} (x)"),
            rill.rtmp_push,
            linux.rtmp_push,
            ">= 1.0",
        ),
        (
            format!("RTSP push into ffmpeg, {push_secs} s clip, no -re, median of {PUSH_RUNS} (x)"),
            rill.rtsp_push,
            linux.rtsp_push,
            ">= 1.0",
        ),
        (
            "iperf3 host->guest (Mbit/s)".into(),
            rill.iperf_in,
            linux.iperf_in,
            ">= 0.8",
        ),
        (
            "iperf3 guest->host (Mbit/s)".into(),
            rill.iperf_out,
            linux.iperf_out,
            ">= 0.8",
        ),
        (
            "iperf3 loopback in the guest (Mbit/s)".into(),
            rill.iperf_lo,
            linux.iperf_lo,
            ">= 0.8",
        ),
        (
            "TCP connect+close on loopback (ops/s)".into(),
            rill.connect,
            linux.connect,
            ">= 1.0",
        ),
        (
            "UDP 1316 B datagrams on loopback (recv/s)".into(),
            rill.udp,
            linux.udp,
            ">= 1.0",
        ),
        (
            "concurrent -re RTMP pushes at 1.0x (N)".into(),
            rill.concurrent,
            linux.concurrent,
            ">= 1.0",
        ),
    ];
    let cell = |v: Option<f64>| match v {
        Some(x) if x >= 100.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
        None => "-".into(),
    };
    let mut out = format!(
        "{:<58} {:>10} {:>10} {:>10}  goal   (-smp {smp}, {})\n",
        "network benchmark",
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
            "{name:<58} {:>10} {:>10} {ratio:>10}  {goal}\n",
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
    fn median_is_the_middle_run() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn ffmpeg_speed_and_netbench_lines_are_read() {
        let s = "frame=  100 fps= 25 q=-1.0 size=  1kB time=00:00:04.00 bitrate= 1kbits/s speed=1.01x    \rframe=  250 fps= 25 q=-1.0 Lsize=  2kB time=00:00:10.00 bitrate= 1kbits/s speed=0.998x    \n";
        assert_eq!(last_speed(s), Some(0.998));
        assert_eq!(last_speed("no stats\n"), None);
        let t = "x\nnetbench: tcp-connect-close 4303 ops/s (4308 in 1.00 s)\n[rill] netbench: udp-1316-received 31315 datagrams/s (31602)\n";
        assert_eq!(netbench_figure(t, "tcp-connect-close"), Some(4303.0));
        assert_eq!(netbench_figure(t, "udp-1316-received"), Some(31315.0));
        assert_eq!(netbench_figure(t, "udp-1316-sent"), None);
    }

    #[test]
    fn the_table_has_ratios_and_gaps() {
        let r = NetFigures {
            iperf_in: Some(50.0),
            ..Default::default()
        };
        let l = NetFigures {
            iperf_in: Some(100.0),
            connect: Some(10.0),
            ..Default::default()
        };
        let t = table(&r, &l, 2, 120);
        let line = |k: &str| t.lines().find(|x| x.starts_with(k)).unwrap().to_string();
        assert!(line("iperf3 host->guest").contains(" 0.50 "), "{t}");
        assert!(line("TCP connect").contains(" - "), "{t}");
    }
}
