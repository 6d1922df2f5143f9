//! The network scenarios (`cargo xtask test`: `scenario-net-a` .. `scenario-net-d`), each a
//! boot of its own on the media image, driven from the host over QEMU's forwarded ports:
//!
//! - A: ffmpeg in the guest is an RTSP server (`-rtsp_flags listen`) remuxing to HLS, busybox
//!   httpd serves it; the host pushes a clip over RTSP/TCP, then fetches the playlist and every
//!   segment and checks each with its own ffprobe.
//! - B: nginx-rtmp in the guest; the host pushes RTMP in real time for ~10 s while it plays the
//!   HLS output over nginx's HTTP, then checks that an early segment is deleted later (404) and
//!   that nginx still serves after the push ended.
//! - C: in the guest, ffmpeg pushes into nginx-rtmp over 127.0.0.1 and over [::1]; the guest
//!   checks the HLS output (files and over HTTP) and says so.
//! - D: an iperf3 server in the guest; host->guest, guest->host (`-R`) and loopback in the
//!   guest; each must move a non-zero amount of data (the figures are `cargo xtask bench net`'s).
//!
//! The guest side is tests/net/lib.sh: it prints `@@@NET <event> ...` lines and reads the
//! host's answers from its console. Every wait on both sides is bounded; nothing sleeps for
//! luck. Host ports are picked free at each boot (several test runs may share a machine).

use crate::qemu::{self, Boot};
use crate::rootfs::Rootfs;
use crate::{repo_root, Result};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A named check: Ok(note for PASS) or Err(why it failed).
pub type Outcome = (String, std::result::Result<String, String>);

/// The scenarios, as named in the results (`--filter scenario-net-a`).
pub const SCENARIOS: &[&str] = &[
    "scenario-net-a",
    "scenario-net-b",
    "scenario-net-c",
    "scenario-net-d",
];

/// Whole-boot limit of one scenario: boot (~a few s on Rill, ~11 s on Linux under TCG) plus
/// unpacking the ~300 MB image plus the scenario; generous for TCG.
const SCENARIO_BOOT_LIMIT: Duration = Duration::from_secs(600);
/// How long the guest may take to come up and start listening.
const UP_LIMIT: Duration = Duration::from_secs(240);

// ---------------------------------------------------------------- the image

/// The cached base archive of the media image: skeleton, busybox, ffmpeg, nginx with the RTMP
/// module and Debian's mime.types, iperf3, each with its libraries; no /init. Written once
/// uncompressed to build/net/base-HASH.cpio (as the ffmpeg image, see scenario.rs).
pub fn media_base() -> Result<PathBuf> {
    let mut fsys = Rootfs::base()?;
    fsys.add_busybox()?;
    let need = |what: &str, e: Box<dyn std::error::Error>| -> Box<dyn std::error::Error> {
        format!(
            "{e} (install Debian's {what}: apt-get install ffmpeg nginx-light \
             libnginx-mod-rtmp iperf3)"
        )
        .into()
    };
    fsys.add_program("ffmpeg").map_err(|e| need("ffmpeg", e))?;
    fsys.add_program("/usr/sbin/nginx")
        .map_err(|e| need("nginx", e))?;
    fsys.add_program(RTMP_MODULE)
        .map_err(|e| need("libnginx-mod-rtmp", e))?;
    fsys.add_host_path(Path::new("/etc/nginx/mime.types"))
        .map_err(|e| need("nginx", e))?;
    fsys.add_program("iperf3").map_err(|e| need("iperf3", e))?;
    for d in ["var/www", "var/lib/nginx", "var/log/nginx", "run"] {
        fsys.mkdir_p(d, 0o755);
    }
    let dir = repo_root().join("build/net");
    fs::create_dir_all(&dir)?;
    let name = format!("base-{:016x}.cpio", fsys.fingerprint());
    let path = dir.join(&name);
    if path.exists() {
        return Ok(path);
    }
    eprintln!("xtask: writing the media image {}", path.display());
    for e in fs::read_dir(&dir)?.filter_map(|e| e.ok()) {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with("base-") && n != name {
            let _ = fs::remove_file(e.path());
        }
    }
    fsys.write(&path, false)?;
    Ok(path)
}

pub const RTMP_MODULE: &str = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

/// The media image's overlay: nginx's configuration (tests/media/nginx.conf) and the network
/// scenario scripts; the caller adds /init.
pub fn media_overlay() -> Result<Rootfs> {
    let root = repo_root();
    let mut ov = crate::scenario::overlay();
    ov.add_file_from("etc/nginx/nginx.conf", &root.join("tests/media/nginx.conf"))?;
    ov.add_file_from("tests/net/lib.sh", &root.join("tests/net/lib.sh"))?;
    Ok(ov)
}

/// Writes `out` = the media base followed by `overlay`.
pub fn media_image(mut overlay: Rootfs, out: &Path) -> Result<()> {
    let base = media_base()?;
    let small = out.with_extension("overlay.cpio");
    overlay.write(&small, false)?;
    let tmp = out.with_extension("partial");
    {
        let mut w = std::io::BufWriter::new(fs::File::create(&tmp)?);
        std::io::copy(&mut fs::File::open(&base)?, &mut w)?;
        std::io::copy(&mut fs::File::open(&small)?, &mut w)?;
        w.flush()?;
    }
    fs::rename(&tmp, out)?;
    let _ = fs::remove_file(&small);
    Ok(())
}

/// The image of one scenario (`scen` = a, b, c, d or bench) with tests/net/init.sh as /init.
pub fn scenario_image(scen: &str, extra: &[(&str, String)], out: &Path) -> Result<()> {
    let mut ov = media_overlay()?;
    ov.add_file_from("init", &repo_root().join("tests/net/init.sh"))?;
    crate::scenario::add_text(&mut ov, "tests/net/which", &format!("SCEN={scen}\n"));
    for (guest, text) in extra {
        crate::scenario::add_text(&mut ov, guest, text);
    }
    media_image(ov, out)
}

// ---------------------------------------------------------------- host helpers

/// A TCP port on 127.0.0.1 free right now (the OS picks it).
pub fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// Output of a host command run with a time limit (killed at the limit).
pub struct Ran {
    pub ok: bool,
    pub status: String,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// Starts `c` with its output going to files under `dir`, in its own process group.
pub fn spawn_logged(c: &mut Command, dir: &Path, name: &str) -> Result<Child> {
    use std::os::unix::process::CommandExt;
    let out = fs::File::create(dir.join(format!("{name}.out")))?;
    let err = fs::File::create(dir.join(format!("{name}.err")))?;
    let child = c
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("{:?}: {e}", c.get_program()))?;
    Ok(child)
}

/// Waits for a child started by `spawn_logged` at most `limit`; kills its group after that.
pub fn finish_logged(
    mut child: Child,
    dir: &Path,
    name: &str,
    start: Instant,
    limit: Duration,
) -> Ran {
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() > limit => {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(_) => break None,
        }
    };
    let read = |ext: &str| {
        String::from_utf8_lossy(&fs::read(dir.join(format!("{name}.{ext}"))).unwrap_or_default())
            .into_owned()
    };
    Ran {
        ok: status.is_some_and(|s| s.success()),
        status: status.map_or_else(
            || format!("killed after {} s", limit.as_secs()),
            |s| s.to_string(),
        ),
        stdout: read("out"),
        stderr: read("err"),
        elapsed: start.elapsed(),
    }
}

/// Runs a host command to completion with a time limit.
pub fn run_logged(c: &mut Command, dir: &Path, name: &str, limit: Duration) -> Result<Ran> {
    let start = Instant::now();
    let child = spawn_logged(c, dir, name)?;
    Ok(finish_logged(child, dir, name, start, limit))
}

/// GET with curl: (HTTP status, body). Status 0: no HTTP answer at all.
pub fn http_get(url: &str, dir: &Path) -> Result<(u32, Vec<u8>)> {
    let body = dir.join("http-body");
    let _ = fs::remove_file(&body);
    let out = Command::new("curl")
        .args(["-sS", "-g", "--max-time", "30", "-o"])
        .arg(&body)
        .args(["-w", "%{http_code}", url])
        .output()
        .map_err(|e| format!("curl: {e} (apt-get install curl)"))?;
    let code = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    Ok((code, fs::read(&body).unwrap_or_default()))
}

/// The media segments a playlist lists (URI lines), and the sum of its #EXTINF durations.
pub fn playlist_segments(text: &str) -> (Vec<String>, f64) {
    let mut segs = Vec::new();
    let mut total = 0.0;
    for l in text.lines().map(str::trim) {
        if let Some(d) = l.strip_prefix("#EXTINF:") {
            total += d
                .split(',')
                .next()
                .and_then(|x| x.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
        } else if !l.is_empty() && !l.starts_with('#') {
            segs.push(l.to_string());
        }
    }
    (segs, total)
}

/// ffprobe of one segment: Ok("h264 WxH, D s") when it holds an h264 video stream and has a
/// positive duration.
pub fn check_segment(path: &Path) -> std::result::Result<String, String> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_streams",
            "-show_format",
            "-of",
            "flat",
        ])
        .arg(path)
        .output()
        .map_err(|e| format!("ffprobe: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "ffprobe {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let p = crate::scenario::Probe::parse(&String::from_utf8_lossy(&out.stdout));
    let video = (0..8).find(|i| p.get(&format!("streams.stream.{i}.codec_type")) == Some("video"));
    let Some(i) = video else {
        return Err(format!("{}: no video stream", path.display()));
    };
    let codec = p
        .get(&format!("streams.stream.{i}.codec_name"))
        .unwrap_or("?");
    let dur: f64 = p
        .get("format.duration")
        .and_then(|d| d.parse().ok())
        .unwrap_or(0.0);
    if codec != "h264" || dur <= 0.0 {
        return Err(format!(
            "{}: codec {codec}, duration {dur} (want h264, > 0)",
            path.display()
        ));
    }
    Ok(format!(
        "h264 {}x{}, {dur:.2} s",
        p.get(&format!("streams.stream.{i}.width")).unwrap_or("?"),
        p.get(&format!("streams.stream.{i}.height")).unwrap_or("?")
    ))
}

// ---------------------------------------------------------------- the guest session

/// A booted guest: its console lines as they come, and its console input.
pub struct Guest {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<String>,
    /// Every console line so far (kernel lines included).
    pub lines: Vec<String>,
    deadline: Instant,
    pub started: Instant,
}

/// One `@@@NET` line: the event word and the rest.
pub fn net_event(line: &str) -> Option<(&str, &str)> {
    let rest = &line[line.find("@@@NET ")? + 7..];
    let rest = rest.trim();
    Some(rest.split_once(' ').unwrap_or((rest, "")))
}

impl Guest {
    /// Boots; the console is logged to `log_path`.
    pub fn boot(boot: &Boot, log_path: &Path, limit: Duration) -> Result<Guest> {
        let mut cmd = qemu::qemu_command(boot);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("qemu-system-x86_64: {e}"))?;
        let (tx, rx) = mpsc::channel::<String>();
        let log = std::sync::Arc::new(std::sync::Mutex::new(fs::File::create(log_path)?));
        let outs: Vec<Box<dyn std::io::Read + Send>> = vec![
            Box::new(child.stdout.take().ok_or("qemu stdout")?),
            Box::new(child.stderr.take().ok_or("qemu stderr")?),
        ];
        for r in outs {
            let tx = tx.clone();
            let log = log.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(r);
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    match r.read_until(b'\n', &mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    if let Ok(mut f) = log.lock() {
                        let _ = f.write_all(&buf);
                    }
                    let line = String::from_utf8_lossy(&buf)
                        .trim_end_matches(['\r', '\n'])
                        .to_string();
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let stdin = child.stdin.take();
        let started = Instant::now();
        Ok(Guest {
            child,
            stdin,
            rx,
            lines: Vec::new(),
            deadline: started + limit,
            started,
        })
    }

    /// Waits (at most `limit`, and never past the boot's limit) for `@@@NET <event>`; returns
    /// the rest of its line. `@@@NET fail ...`, `@@@NET end` and QEMU exiting end the wait
    /// with an error.
    pub fn wait_for(
        &mut self,
        event: &str,
        limit: Duration,
    ) -> std::result::Result<String, String> {
        match self.wait_any(&[event], limit)? {
            (ev, rest) if ev == "fail" => Err(format!(
                "the guest said \"fail {rest}\" while the host waited for \"{event}\"{}",
                self.tail(15)
            )),
            (_, rest) => Ok(rest),
        }
    }

    /// Waits for any of `events` or `@@@NET fail ...`; returns the event seen and the rest of
    /// its line. `@@@NET end`, QEMU exiting and the time limit are errors.
    pub fn wait_any(
        &mut self,
        events: &[&str],
        limit: Duration,
    ) -> std::result::Result<(String, String), String> {
        let event = events.join("\" or \"");
        let until = (Instant::now() + limit).min(self.deadline);
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.lines.push(line.clone());
                    let Some((ev, rest)) = net_event(&line) else {
                        continue;
                    };
                    if events.contains(&ev) || ev == "fail" {
                        return Ok((ev.to_string(), rest.to_string()));
                    }
                    if ev == "end" {
                        return Err(format!(
                            "the guest said \"{ev} {rest}\" while the host waited for \"{event}\"{}",
                            self.tail(15)
                        ));
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "no \"@@@NET {event}\" from the guest within {} s{}",
                        limit.as_secs(),
                        self.tail(15)
                    ))
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(format!(
                        "QEMU exited while the host waited for \"{event}\"{}",
                        self.tail(15)
                    ))
                }
            }
        }
    }

    /// One word to the guest's console input.
    pub fn say(&mut self, word: &str) {
        if let Some(s) = self.stdin.as_mut() {
            let _ = s.write_all(format!("{word}\n").as_bytes());
            let _ = s.flush();
        }
    }

    /// The last `n` console lines, for failure messages.
    pub fn tail(&self, n: usize) -> String {
        let from = self.lines.len().saturating_sub(n);
        let mut s = String::from("; console tail:");
        for l in &self.lines[from..] {
            s.push_str("\n   | ");
            s.push_str(l);
        }
        s
    }

    /// Lets the guest power off (at most `grace`), then kills QEMU; collects the rest of the
    /// console. Returns the kernel warning and panic lines of the whole boot.
    pub fn finish(mut self, grace: Duration) -> Vec<String> {
        let until = Instant::now() + grace;
        while let Ok(l) = self
            .rx
            .recv_timeout(until.saturating_duration_since(Instant::now()))
        {
            self.lines.push(l);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        while let Ok(l) = self.rx.recv_timeout(Duration::from_millis(200)) {
            self.lines.push(l);
        }
        self.lines
            .iter()
            .filter(|l| crate::markers::is_kernel_warning(l))
            .cloned()
            .collect()
    }
}

// ---------------------------------------------------------------- the scenarios

/// Runs the selected scenarios (`wants(name)`) on `kernel`; each boots on its own.
pub fn run(kernel: &Path, work: &Path, wants: &dyn Fn(&str) -> bool, smp: u32) -> Vec<Outcome> {
    let mut all = Vec::new();
    for &name in SCENARIOS {
        if !wants(name) {
            continue;
        }
        println!("== {name}: a boot of its own on the media image");
        let r = run_one(name, kernel, work, smp);
        for (n, res) in &r {
            match res {
                Ok(note) => println!("   {n}: ok{note}"),
                Err(why) => println!("   {n}: FAILED: {}", why.lines().next().unwrap_or("")),
            }
        }
        all.extend(r);
    }
    all
}

fn run_one(name: &str, kernel: &Path, work: &Path, smp: u32) -> Vec<Outcome> {
    let scen = name.trim_start_matches("scenario-net-");
    let dir = work.join(name);
    let _ = fs::remove_dir_all(&dir);
    if let Err(e) = fs::create_dir_all(&dir) {
        return vec![(name.to_string(), Err(e.to_string()))];
    }
    let mut out = Vec::new();
    let r = (|| -> Result<Vec<Outcome>> {
        let img = work.join("net.cpio");
        scenario_image(scen, &[], &img)?;
        let http = free_port()?;
        let mut boot = Boot::new(kernel.to_path_buf(), img);
        boot.smp = smp;
        boot.mem = "2G".into();
        let guest_port = match scen {
            "a" => Some((free_port()?, 8554)),
            "b" => Some((free_port()?, 1935)),
            "d" => Some((free_port()?, 5201)),
            _ => None,
        };
        boot.hostfwd.push(format!("tcp:127.0.0.1:{http}-:80"));
        if let Some((h, g)) = guest_port {
            boot.hostfwd.push(format!("tcp:127.0.0.1:{h}-:{g}"));
        }
        let log = dir.join("serial.log");
        let mut g = Guest::boot(&boot, &log, SCENARIO_BOOT_LIMIT)?;
        let port = guest_port.map_or(0, |p| p.0);
        let res = match scen {
            "a" => scen_a(&mut g, &dir, port, http),
            "b" => scen_b(&mut g, &dir, port, http),
            "c" => scen_c(&mut g),
            _ => scen_d(&mut g, &dir, port),
        };
        let elapsed = g.started.elapsed();
        let warnings = g.finish(Duration::from_secs(20));
        let mut v: Vec<Outcome> = match res {
            Ok(checks) => checks,
            Err(why) => vec![(name.to_string(), Err(why))],
        };
        // The scenario's own result first: it passes when every check did.
        let bad: Vec<&str> = v
            .iter()
            .filter(|(_, r)| r.is_err())
            .map(|(n, _)| n.as_str())
            .collect();
        if !v.iter().any(|(n, _)| n == name) {
            let r = if bad.is_empty() {
                Ok(format!(
                    " ({:.1} s from QEMU start to the last check; log {})",
                    elapsed.as_secs_f64(),
                    log.display()
                ))
            } else {
                Err(format!("failed checks: {}", bad.join(" ")))
            };
            v.insert(0, (name.to_string(), r));
        }
        v.push((
            format!("{name}:kernel-log"),
            if warnings.is_empty() {
                Ok(String::new())
            } else {
                Err(format!("kernel warnings:\n{}", warnings.join("\n")))
            },
        ));
        Ok(v)
    })();
    match r {
        Ok(v) => out.extend(v),
        Err(e) => out.push((name.to_string(), Err(e.to_string()))),
    }
    out
}

type Checks = std::result::Result<Vec<Outcome>, String>;

fn check(v: &mut Vec<Outcome>, name: &str, r: std::result::Result<String, String>) {
    v.push((name.to_string(), r));
}

/// A: push RTSP into the guest's ffmpeg listener; fetch and probe the HLS it wrote.
fn scen_a(g: &mut Guest, dir: &Path, rtsp: u16, http: u16) -> Checks {
    const N: &str = "scenario-net-a";
    g.wait_for("listening", UP_LIMIT)?;
    let mut v = Vec::new();
    let push = run_logged(
        Command::new("ffmpeg")
            .args(["-hide_banner", "-nostdin", "-loglevel", "warning", "-re"])
            .args([
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x240:rate=25",
                "-t",
                "8",
            ])
            .args(["-c:v", "libx264", "-preset", "ultrafast", "-g", "25"])
            .args(["-f", "rtsp", "-rtsp_transport", "tcp"])
            .arg(format!("rtsp://127.0.0.1:{rtsp}/live/test")),
        dir,
        "push",
        Duration::from_secs(120),
    )
    .map_err(|e| e.to_string())?;
    check(
        &mut v,
        &format!("{N}:push"),
        if push.ok {
            Ok(format!(
                " (8 s clip pushed in {:.1} s)",
                push.elapsed.as_secs_f64()
            ))
        } else {
            Err(format!(
                "host ffmpeg: {}: {}",
                push.status,
                push.stderr.trim()
            ))
        },
    );
    let exit = g.wait_for("ffmpeg-exit", Duration::from_secs(120));
    check(
        &mut v,
        &format!("{N}:guest-ffmpeg"),
        match &exit {
            Ok(rest) if rest.starts_with("0 ") => Ok(format!(" ({rest})")),
            Ok(rest) => Err(format!("guest ffmpeg ended with {rest}{}", g.tail(15))),
            Err(e) => Err(e.clone()),
        },
    );
    let base = format!("http://127.0.0.1:{http}/live");
    check(
        &mut v,
        &format!("{N}:hls"),
        fetch_and_probe(&base, "test.m3u8", dir, 6.0..10.5),
    );
    g.say("quit");
    Ok(v)
}

/// Fetches a playlist and every segment in it; each must probe as h264; the listed durations
/// must add up to a value in `total`.
fn fetch_and_probe(
    base: &str,
    playlist: &str,
    dir: &Path,
    total: std::ops::Range<f64>,
) -> std::result::Result<String, String> {
    let (code, body) = http_get(&format!("{base}/{playlist}"), dir).map_err(|e| e.to_string())?;
    if code != 200 {
        return Err(format!("GET {base}/{playlist}: HTTP {code}"));
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let (segs, secs) = playlist_segments(&text);
    if segs.is_empty() || !total.contains(&secs) {
        return Err(format!(
            "playlist lists {} segments, {secs:.2} s (want {:.1}..{:.1} s):\n{text}",
            segs.len(),
            total.start,
            total.end
        ));
    }
    let mut notes = Vec::new();
    for s in &segs {
        let (code, data) = http_get(&format!("{base}/{s}"), dir).map_err(|e| e.to_string())?;
        if code != 200 || data.is_empty() {
            return Err(format!("GET {base}/{s}: HTTP {code}, {} bytes", data.len()));
        }
        let f = dir.join(s.replace('/', "_"));
        fs::write(&f, &data).map_err(|e| e.to_string())?;
        notes.push(check_segment(&f)?);
    }
    Ok(format!(
        " ({} segments, {secs:.2} s listed; first: {})",
        segs.len(),
        notes.first().map_or("", String::as_str)
    ))
}

/// B: RTMP push into nginx while the host plays HLS; cleanup; nginx still serves.
fn scen_b(g: &mut Guest, dir: &Path, rtmp: u16, http: u16) -> Checks {
    const N: &str = "scenario-net-b";
    g.wait_for("listening", UP_LIMIT)?;
    let mut v = Vec::new();
    let start = Instant::now();
    let child = spawn_logged(
        Command::new("ffmpeg")
            .args(["-hide_banner", "-nostdin", "-loglevel", "warning", "-re"])
            .args([
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x240:rate=25",
                "-t",
                "10",
            ])
            .args([
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "25",
                "-f",
                "flv",
            ])
            .arg(format!("rtmp://127.0.0.1:{rtmp}/live/test")),
        dir,
        "push",
    )
    .map_err(|e| e.to_string())?;
    // Play while it runs: poll the playlist, probe every new segment it lists.
    let base = format!("http://127.0.0.1:{http}/hls");
    let mut seen: Vec<String> = Vec::new();
    let mut probed = Vec::new();
    let mut play_err = None;
    let push_limit = Duration::from_secs(120);
    let mut child = Some(child);
    let mut push = None;
    while push.is_none() {
        if let Some(c) = child.as_mut() {
            if !matches!(c.try_wait(), Ok(None)) || start.elapsed() > push_limit {
                push = child
                    .take()
                    .map(|c| finish_logged(c, dir, "push", start, push_limit));
            }
        }
        let (code, body) =
            http_get(&format!("{base}/test.m3u8"), dir).map_err(|e| e.to_string())?;
        if code == 200 {
            let (segs, _) = playlist_segments(&String::from_utf8_lossy(&body));
            for s in segs {
                if seen.contains(&s) {
                    continue;
                }
                let (code, data) =
                    http_get(&format!("{base}/{s}"), dir).map_err(|e| e.to_string())?;
                let f = dir.join(&s);
                let _ = fs::write(&f, &data);
                match (code, check_segment(&f)) {
                    (200, Ok(note)) => probed.push(format!("{s}: {note}")),
                    (code, r) => {
                        play_err.get_or_insert(format!("{s}: HTTP {code}, {r:?}"));
                    }
                }
                seen.push(s);
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let push = push.ok_or("no push result")?;
    check(
        &mut v,
        &format!("{N}:push"),
        if push.ok {
            Ok(format!(
                " (10 s clip with -re in {:.1} s)",
                push.elapsed.as_secs_f64()
            ))
        } else {
            Err(format!(
                "host ffmpeg: {}: {}",
                push.status,
                push.stderr.trim()
            ))
        },
    );
    check(
        &mut v,
        &format!("{N}:play"),
        match play_err {
            Some(e) => Err(e),
            None if probed.len() < 2 => Err(format!(
                "only {} segments seen while the push ran: {probed:?}",
                probed.len()
            )),
            None => Ok(format!(
                " ({} segments played while pushing; {})",
                probed.len(),
                probed[0]
            )),
        },
    );
    // hls_cleanup: the first segment must go (nginx-rtmp deletes fragments older than twice
    // the playlist length, 20 s, on its cache-manager timer).
    let first = seen.first().cloned();
    let cleanup = match &first {
        None => Err("no segment was ever listed".to_string()),
        Some(s) => {
            let t = Instant::now();
            loop {
                let (code, _) = http_get(&format!("{base}/{s}"), dir).map_err(|e| e.to_string())?;
                if code == 404 {
                    break Ok(format!(
                        " ({s} gone {:.0} s after the push ended)",
                        t.elapsed().as_secs_f64()
                    ));
                }
                if t.elapsed() > Duration::from_secs(90) {
                    break Err(format!(
                        "{s} still answers HTTP {code} 90 s after the push ended"
                    ));
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    };
    check(&mut v, &format!("{N}:cleanup"), cleanup);
    let (code, body) =
        http_get(&format!("http://127.0.0.1:{http}/index.html"), dir).map_err(|e| e.to_string())?;
    check(
        &mut v,
        &format!("{N}:still-serving"),
        if code == 200 && body.starts_with(b"rill nginx is serving") {
            Ok(String::new())
        } else {
            Err(format!(
                "GET /index.html after the push: HTTP {code}, {} bytes",
                body.len()
            ))
        },
    );
    g.say("quit");
    let end = g.wait_for("end", Duration::from_secs(60));
    check(
        &mut v,
        &format!("{N}:nginx"),
        match end {
            Ok(rc) if rc.trim() == "0" => Ok(String::new()),
            Ok(rc) => Err(format!("guest side ended with {rc}{}", g.tail(20))),
            Err(e) => Err(e),
        },
    );
    Ok(v)
}

/// C: the guest pushes into its own nginx over 127.0.0.1 and [::1].
fn scen_c(g: &mut Guest) -> Checks {
    const N: &str = "scenario-net-c";
    let mut v = Vec::new();
    // The guest tries both families whatever the first gave: report each.
    for fam in ["v4", "v6"] {
        let r = match g.wait_any(&["c-ok"], UP_LIMIT + Duration::from_secs(120)) {
            Ok((ev, rest)) if ev == "c-ok" && rest.starts_with(fam) => Ok(format!(" ({rest})")),
            Ok((ev, rest)) => Err(format!("{ev} {rest}{}", g.tail(12))),
            Err(e) => Err(e),
        };
        let gone = r.as_ref().is_err_and(|e| !e.starts_with("fail "));
        check(&mut v, &format!("{N}:{fam}"), r);
        if gone {
            break;
        }
    }
    Ok(v)
}

/// The receiver's Mbit/s in iperf3 `-f m` output.
pub fn iperf_mbits(out: &str) -> Option<f64> {
    out.lines()
        .filter(|l| l.contains("receiver"))
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            let i = w.iter().position(|x| *x == "Mbits/sec")?;
            w.get(i.checked_sub(1)?)?.parse().ok()
        })
        .next_back()
}

/// D: iperf3 host->guest, guest->host, loopback in the guest.
fn scen_d(g: &mut Guest, dir: &Path, port: u16) -> Checks {
    const N: &str = "scenario-net-d";
    g.wait_for("listening", UP_LIMIT)?;
    let mut v = Vec::new();
    for (what, rev) in [("host-to-guest", false), ("guest-to-host", true)] {
        if rev {
            relisten(g)?;
        }
        let r = iperf_host(dir, port, 3, rev, what);
        check(
            &mut v,
            &format!("{N}:{what}"),
            r.map(|m| format!(" ({m:.1} Mbit/s)")),
        );
    }
    g.say("loopback");
    let lo = g
        .wait_for("loopback", Duration::from_secs(180))
        .and_then(|rest| {
            let w: Vec<&str> = rest.split_whitespace().collect();
            match (w.first(), w.get(1).and_then(|x| x.parse::<f64>().ok())) {
                (Some(&"0"), Some(m)) if m > 0.0 => Ok(format!(" ({m:.1} Mbit/s)")),
                _ => Err(format!("loopback run: {rest}{}", g.tail(20))),
            }
        });
    check(&mut v, &format!("{N}:loopback"), lo);
    g.say("quit");
    Ok(v)
}

/// Waits until the guest's `iperf3 -s` listens again: it closes its listener after
/// each test, and a connection in between is reset (tests/net/lib.sh `wait_iperf`).
pub fn relisten(g: &mut Guest) -> std::result::Result<(), String> {
    g.say("relisten");
    match g.wait_for("relistened", Duration::from_secs(90))?.trim() {
        "0" => Ok(()),
        rc => Err(format!("the guest's iperf3 did not listen again ({rc})")),
    }
}

/// One host iperf3 client run against the guest's server; Mbit/s received.
pub fn iperf_host(
    dir: &Path,
    port: u16,
    secs: u32,
    reverse: bool,
    what: &str,
) -> std::result::Result<f64, String> {
    let mut c = Command::new("iperf3");
    c.args([
        "-c",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-t",
        &secs.to_string(),
        "-f",
        "m",
    ]);
    if reverse {
        c.arg("-R");
    }
    let r = run_logged(
        &mut c,
        dir,
        &format!("iperf3-{what}"),
        Duration::from_secs(60 + secs as u64),
    )
    .map_err(|e| format!("iperf3: {e} (apt-get install iperf3)"))?;
    match iperf_mbits(&r.stdout) {
        Some(m) if r.ok && m > 0.0 => Ok(m),
        _ => Err(format!(
            "iperf3 {what}: {}:\n{}{}",
            r.status, r.stdout, r.stderr
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_events_are_parsed() {
        assert_eq!(net_event("@@@NET listening"), Some(("listening", "")));
        assert_eq!(
            net_event("x@@@NET ffmpeg-exit 0 5 files"),
            Some(("ffmpeg-exit", "0 5 files"))
        );
        assert_eq!(net_event("@@@END a 0"), None);
    }

    #[test]
    fn playlists_are_parsed() {
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.000,\ntest-0.ts\n\
                    #EXTINF:1.5,\r\ntest-1.ts\r\n#EXT-X-ENDLIST\n";
        let (segs, secs) = playlist_segments(text);
        assert_eq!(segs, ["test-0.ts", "test-1.ts"]);
        assert!((secs - 3.5).abs() < 1e-9);
        assert_eq!(playlist_segments("#EXTM3U\n").0.len(), 0);
    }

    #[test]
    fn iperf_receiver_rate_is_read() {
        let out = "[  5]   0.00-3.00   sec   100 MBytes   280 Mbits/sec    0             sender\n\
                   [  5]   0.00-3.04   sec  99.5 MBytes   274.5 Mbits/sec                  receiver\n";
        assert_eq!(iperf_mbits(out), Some(274.5));
        assert_eq!(
            iperf_mbits("[  5] 0.00-3.00 sec 1 MBytes 2 Mbits/sec sender\n"),
            None
        );
    }
}
