//! The ffmpeg image shared by the ffmpeg scenario (`cargo xtask test`) and the transcode
//! benchmarks (`cargo xtask bench`), and the host-side checks of the scenario's outputs.
//!
//! The image is Debian's ffmpeg with its ~200 libraries (~250 MB). It is written once,
//! uncompressed, to build/ffmpeg/base-HASH.cpio, HASH covering every file's path, size and
//! mtime (a package upgrade makes a new one); each run appends a small archive with `/init` and
//! the scripts (initramfs archives may be concatenated, on Linux as on Rill). Uncompressed
//! because gzip costs ~14 s on the host each time the image changes and the guest has to
//! inflate it again at every boot.

use crate::rootfs::{Entry, Rootfs};
use crate::{repo_root, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The cached base archive: skeleton, busybox, ffmpeg and its libraries; no /init.
pub fn ffmpeg_base() -> Result<PathBuf> {
    let mut fsys = Rootfs::base()?;
    fsys.add_busybox()?;
    fsys.add_program("ffmpeg")
        .map_err(|e| format!("{e} (install Debian's ffmpeg: apt-get install ffmpeg)"))?;
    let dir = repo_root().join("build/ffmpeg");
    fs::create_dir_all(&dir)?;
    let name = format!("base-{:016x}.cpio", fsys.fingerprint());
    let path = dir.join(&name);
    if path.exists() {
        return Ok(path);
    }
    eprintln!("xtask: writing the ffmpeg image {}", path.display());
    // Older bases are ~250 MB each: keep only the current one.
    for e in fs::read_dir(&dir)?.filter_map(|e| e.ok()) {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with("base-") && n != name {
            let _ = fs::remove_file(e.path());
        }
    }
    fsys.write(&path, false)?;
    Ok(path)
}

/// Writes `out` = the ffmpeg base followed by an archive of `overlay` (which supplies /init).
pub fn ffmpeg_image(mut overlay: Rootfs, out: &Path) -> Result<()> {
    let base = ffmpeg_base()?;
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

/// An empty overlay to which files are added (directories are created as needed).
pub fn overlay() -> Rootfs {
    Rootfs::default()
}

/// Adds a text file to an overlay.
pub fn add_text(fsys: &mut Rootfs, guest: &str, text: &str) {
    fsys.insert(
        guest,
        Entry::Data {
            perm: 0o644,
            data: text.as_bytes().to_vec(),
        },
    );
}

// ---------------------------------------------------------------- scenario outputs

/// The files the guest printed as `FILE-BEGIN name size`, base64 lines, `FILE-END name`.
/// Strict, so that a transfer cut short or with characters lost on the way fails rather than
/// passing with less data: every file must be closed by its own FILE-END before the next
/// begins, names are unique, the base64 lines are all as long as the first (busybox and
/// coreutils wrap at 76) except a shorter last one, they hold only base64 characters, and the
/// decoded length must be the size the guest's `wc -c` reported.
pub fn extract_files(output: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut cur: Option<(String, usize, Vec<&str>)> = None;
    for line in output.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix("FILE-BEGIN ") {
            if let Some((open, _, _)) = &cur {
                return Err(format!("FILE-BEGIN {rest} while {open} is open (output cut)").into());
            }
            let w: Vec<&str> = rest.split(' ').collect();
            let [name, size] = w[..] else {
                return Err(format!("bad line {line:?}, want FILE-BEGIN NAME SIZE").into());
            };
            let size = size.parse().map_err(|_| format!("bad size in {line:?}"))?;
            if name.is_empty() || files.iter().any(|(n, _)| n == name) {
                return Err(format!("bad or repeated file name in {line:?}").into());
            }
            cur = Some((name.to_string(), size, Vec::new()));
        } else if let Some(name) = line.strip_prefix("FILE-END ") {
            let (n, size, lines) = cur.take().ok_or("FILE-END without FILE-BEGIN")?;
            if n != name {
                return Err(format!("FILE-END {name} closes {n}").into());
            }
            let data = decode_lines(&lines).map_err(|e| format!("{n}: {e}"))?;
            if data.len() != size {
                return Err(
                    format!("{n}: {} bytes decoded, the guest said {size}", data.len()).into(),
                );
            }
            files.push((n, data));
        } else if let Some((_, _, lines)) = cur.as_mut() {
            lines.push(line);
        }
    }
    if let Some((n, _, _)) = cur {
        return Err(format!("{n}: no FILE-END (output cut short)").into());
    }
    Ok(files)
}

/// Base64 as `base64` prints it, one wrapped line per entry: all lines as long as the first,
/// the last one possibly shorter, none empty (an empty file prints nothing, or one empty
/// line).
fn decode_lines(lines: &[&str]) -> std::result::Result<Vec<u8>, String> {
    if let [only] = lines {
        if only.is_empty() {
            return Ok(Vec::new());
        }
    }
    let width = lines.first().map_or(0, |l| l.len());
    for (i, l) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        if l.is_empty() || l.len() > width || (!last && l.len() != width) {
            return Err(format!(
                "base64 line {} is {} characters long, line 1 is {width} (characters lost?)",
                i + 1,
                l.len()
            ));
        }
    }
    base64_decode(&lines.concat())
}

/// Standard base64 (RFC 4648, with padding, canonical: the bits the padding drops are zero)
/// as busybox `base64` prints it, with no line breaks. A few lines rather than a crate: xtask
/// needs nothing else from one.
pub fn base64_decode(text: &str) -> std::result::Result<Vec<u8>, String> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return Err(format!(
            "base64 length {} is not a multiple of 4",
            bytes.len()
        ));
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let quads = bytes.len() / 4;
    for (i, q) in bytes.chunks(4).enumerate() {
        let pad = q.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && i + 1 != quads) {
            return Err("misplaced base64 padding".into());
        }
        let mut n = 0u32;
        for &c in &q[..4 - pad] {
            n = n << 6 | val(c).ok_or_else(|| format!("bad base64 character {:?}", c as char))?;
        }
        n <<= 6 * pad as u32;
        if n & ((1 << (8 * pad)) - 1) != 0 {
            return Err("non-canonical base64 before the padding".into());
        }
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[1..4 - pad]);
    }
    Ok(out)
}

// ---------------------------------------------------------------- the host's reference

/// Runs the scenario script on the host the way the guest runs it (tests/guest/test-init.sh):
/// `/bin/sh SCRIPT` in a fresh empty directory, stdin /dev/null, umask 022, as the leader of
/// a new process group, with only `env` in the environment (no locale, no LD_*, no FFREPORT
/// or AV_* variables), and a time limit. The script fixes every thread count that changes
/// the output (x264 `-threads 2`; the rest of ffmpeg's output does not depend on the number
/// of CPUs). Returns `names` as the script left them in that directory and keeps a copy of
/// each in `keep` as `host-NAME`.
pub fn host_reference(
    script: &Path,
    env: &[(&str, &str)],
    names: &[&str],
    keep: &Path,
) -> std::result::Result<Vec<(String, Vec<u8>)>, String> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let top =
        std::env::temp_dir().join(format!("rill-ffmpeg-host.{}.{stamp:x}", std::process::id()));
    fs::create_dir(&top).map_err(|e| format!("{}: {e}", top.display()))?;
    let r = host_run(script, env, names, keep, &top);
    let _ = fs::remove_dir_all(&top);
    r
}

fn host_run(
    script: &Path,
    env: &[(&str, &str)],
    names: &[&str],
    keep: &Path,
    top: &Path,
) -> std::result::Result<Vec<(String, Vec<u8>)>, String> {
    use std::os::unix::process::CommandExt;
    let cwd = top.join("cwd");
    fs::create_dir(&cwd).map_err(|e| e.to_string())?;
    // stdout (the base64 bulk) to a file: a pipe nobody reads while we wait would fill up.
    let log_path = top.join("output");
    let log = fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let mut c = Command::new("/bin/sh");
    c.arg("-c")
        .arg("umask 022; exec /bin/sh \"$1\"")
        .arg("sh")
        .arg(script)
        .current_dir(&cwd)
        .process_group(0)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log);
    let mut child = c.spawn().map_err(|e| format!("/bin/sh: {e}"))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(HOST_TIMEOUT);
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(s);
        }
        if std::time::Instant::now() > deadline {
            // The whole group: sh and the ffmpeg it runs.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let output = String::from_utf8_lossy(&fs::read(&log_path).unwrap_or_default()).into_owned();
    let readable: Vec<&str> = output.lines().filter(|l| l.contains(' ')).collect();
    match status {
        Some(s) if s.success() => {}
        Some(s) => return Err(format!("{s}; output:\n{}", readable.join("\n"))),
        None => return Err(format!("timed out after {HOST_TIMEOUT} s")),
    }
    let mut files = Vec::new();
    for &n in names {
        let data = fs::read(cwd.join(n)).map_err(|e| format!("{n}: {e}"))?;
        let _ = fs::write(keep.join(format!("host-{n}")), &data);
        files.push((n.to_string(), data));
    }
    Ok(files)
}

/// The host run takes well under a second; this only bounds a hang.
const HOST_TIMEOUT: u64 = 120;

/// Compares one file the guest made with the host's; Ok carries a summary, Err both md5 sums,
/// both sizes and the first byte that differs.
pub fn same_as_host(
    name: &str,
    guest: &[u8],
    host: &std::result::Result<Vec<(String, Vec<u8>)>, String>,
) -> std::result::Result<String, String> {
    let host = host
        .as_ref()
        .map_err(|e| format!("no reference: the host run of the scenario failed: {e}"))?;
    let (_, want) = host
        .iter()
        .find(|(n, _)| n == name)
        .ok_or_else(|| format!("the host run made no {name}"))?;
    let (g, h) = (md5_hex(guest), md5_hex(want));
    if guest == &want[..] {
        return Ok(format!(" (md5 {g}, {} bytes, as on the host)", guest.len()));
    }
    let first = guest
        .iter()
        .zip(want.iter())
        .position(|(a, b)| a != b)
        .unwrap_or(guest.len().min(want.len()));
    Err(format!(
        "{name} differs from the host's: guest md5 {g} ({} bytes), host md5 {h} ({} bytes), \
         first difference at byte {first} (both kept with the results: {name}, host-{name})",
        guest.len(),
        want.len()
    ))
}

/// MD5 (RFC 1321) as md5sum prints it; written out here for the same reason as base64.
pub fn md5_hex(data: &[u8]) -> String {
    const S: [u32; 16] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4294967296.0) as u32)
        .collect();
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_le_bytes());
    let mut h: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for block in msg.chunks(64) {
        let m: Vec<u32> = block
            .chunks(4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            .collect();
        let [mut a, mut b, mut c, mut d] = h;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i / 16 * 4 + i % 4]));
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter()
        .flat_map(|x| x.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What ffprobe said about one file: `-of flat` lines as (key, value) with quotes removed
/// (flat output is parsed with a few lines; JSON would need a parser crate for the same keys).
pub struct Probe(Vec<(String, String)>);

impl Probe {
    pub fn parse(text: &str) -> Probe {
        Probe(
            text.lines()
                .filter_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    Some((k.trim().to_string(), v.trim().trim_matches('"').to_string()))
                })
                .collect(),
        )
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    fn num(&self, key: &str) -> Option<f64> {
        self.get(key)?.parse().ok()
    }
    /// Index of the stream of this codec type.
    fn stream(&self, codec_type: &str) -> Option<usize> {
        (0..16).find(|i| self.get(&format!("streams.stream.{i}.codec_type")) == Some(codec_type))
    }
}

/// ffprobe -v error -show_streams -show_format -count_frames -of flat FILE
pub fn ffprobe(path: &Path) -> Result<Probe> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_streams",
            "-show_format",
            "-count_frames",
        ])
        .args(["-of", "flat"])
        .arg(path)
        .output()
        .map_err(|e| format!("ffprobe: {e} (apt-get install ffmpeg)"))?;
    if !out.status.success() {
        return Err(format!(
            "ffprobe {} failed: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(Probe::parse(&String::from_utf8_lossy(&out.stdout)))
}

/// What the scenario's outputs must hold.
pub struct Want {
    pub format: &'static str,
    pub seconds: f64,
    pub tolerance: f64,
    pub width: u32,
    pub height: u32,
    pub frames: u64,
    pub sample_rate: u32,
}

/// Checks one probed output; Ok carries a one-line summary, Err every problem found.
pub fn check_probe(p: &Probe, w: &Want) -> std::result::Result<String, String> {
    let mut why = Vec::new();
    let near = |x: Option<f64>| x.is_some_and(|x| (x - w.seconds).abs() <= w.tolerance);
    let fmt = p.get("format.format_name").unwrap_or("?");
    if !fmt.split(',').any(|f| f == w.format) {
        why.push(format!("format {fmt}, want {}", w.format));
    }
    if p.get("format.nb_streams") != Some("2") {
        why.push(format!(
            "{} streams, want 2",
            p.get("format.nb_streams").unwrap_or("?")
        ));
    }
    let dur = p.num("format.duration");
    if !near(dur) {
        why.push(format!(
            "duration {dur:?}, want {}±{}",
            w.seconds, w.tolerance
        ));
    }
    let mut vframes = None;
    match p.stream("video") {
        None => why.push("no video stream".into()),
        Some(i) => {
            let k = |f: &str| format!("streams.stream.{i}.{f}");
            if p.get(&k("codec_name")) != Some("h264") {
                why.push(format!(
                    "video codec {:?}, want h264",
                    p.get(&k("codec_name"))
                ));
            }
            let size = (p.num(&k("width")), p.num(&k("height")));
            if size != (Some(w.width as f64), Some(w.height as f64)) {
                why.push(format!(
                    "video size {size:?}, want {}x{}",
                    w.width, w.height
                ));
            }
            vframes = p.num(&k("nb_read_frames"));
            if vframes != Some(w.frames as f64) {
                why.push(format!("{vframes:?} video frames read, want {}", w.frames));
            }
        }
    }
    let mut aframes = None;
    match p.stream("audio") {
        None => why.push("no audio stream".into()),
        Some(i) => {
            let k = |f: &str| format!("streams.stream.{i}.{f}");
            if p.get(&k("codec_name")) != Some("aac") {
                why.push(format!(
                    "audio codec {:?}, want aac",
                    p.get(&k("codec_name"))
                ));
            }
            let rate = p.num(&k("sample_rate"));
            if rate != Some(w.sample_rate as f64) {
                why.push(format!("sample rate {rate:?}, want {}", w.sample_rate));
            }
            // AAC frames hold 1024 samples; the encoder adds up to two for priming/flushing.
            aframes = p.num(&k("nb_read_frames"));
            let secs = aframes.map(|n| n * 1024.0 / w.sample_rate as f64);
            if !secs.is_some_and(|s| s >= w.seconds - 0.03 && s <= w.seconds + w.tolerance) {
                why.push(format!(
                    "{aframes:?} AAC frames (= {secs:?} s), want {} s",
                    w.seconds
                ));
            }
        }
    }
    if why.is_empty() {
        Ok(format!(
            "{fmt}: h264 {}x{} {} frames + aac {} frames, {:.3} s",
            w.width,
            w.height,
            vframes.unwrap_or(0.0),
            aframes.unwrap_or(0.0),
            dur.unwrap_or(0.0)
        ))
    } else {
        Err(why.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("").unwrap(), b"");
        assert!(base64_decode("aGk").is_err());
        assert!(base64_decode("a=Gk").is_err());
        assert!(base64_decode("aG*k").is_err());
        assert!(base64_decode("aGVs bG8=").is_err());
        // Same bytes as "aGk=" but with a dropped bit set: not what base64 prints.
        assert!(base64_decode("aGl=").is_err());
        assert!(base64_decode("aR==").is_err());
    }

    /// base64 wrapped at 76 as busybox and coreutils print it.
    fn encode(data: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s = String::new();
        for c in data.chunks(3) {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                s.push(if i <= c.len() {
                    A[(n >> (18 - 6 * i) & 63) as usize] as char
                } else {
                    '='
                });
            }
        }
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && i % 76 == 0 {
                out.push('\n');
            }
            out.push(ch);
        }
        out
    }

    fn transfer(name: &str, data: &[u8]) -> String {
        format!(
            "FILE-BEGIN {name} {}\n{}\nFILE-END {name}\n",
            data.len(),
            encode(data)
        )
    }

    #[test]
    fn files_are_extracted_and_sizes_checked() {
        let out = "x\nFILE-BEGIN a.mp4 5\r\naGVs\r\nbG8=\r\nFILE-END a.mp4\ny\n";
        let f = extract_files(out).unwrap();
        assert_eq!(f, vec![("a.mp4".to_string(), b"hello".to_vec())]);
        assert!(extract_files("FILE-BEGIN a 6\naGVsbG8=\nFILE-END a\n").is_err());
        assert!(extract_files("FILE-BEGIN a 5\naGVsbG8=\n").is_err());
        assert!(extract_files("FILE-BEGIN a 5 x\naGVsbG8=\nFILE-END a\n").is_err());
        let two = format!("{}{}", transfer("a", b"x"), transfer("a", b"x"));
        assert!(extract_files(&two).is_err(), "repeated name");
        let empty = extract_files("FILE-BEGIN e 0\nFILE-END e\nFILE-BEGIN f 0\n\nFILE-END f\n");
        assert_eq!(empty.unwrap().len(), 2);
    }

    /// A transfer cut anywhere, or missing any line or any 4 characters of a line (which keeps
    /// the base64 well formed), fails; the intact one round-trips.
    #[test]
    fn damaged_transfers_fail() {
        let a: Vec<u8> = (0..1000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let b: Vec<u8> = (0..500u32).map(|i| (i * 11) as u8).collect();
        let text = format!(
            "ffmpeg-scenario: remux\n{}{}ffmpeg-scenario: done\n",
            transfer("out.mp4", &a),
            transfer("out.ts", &b)
        );
        let good = extract_files(&text).unwrap();
        assert_eq!(good, vec![("out.mp4".into(), a), ("out.ts".into(), b)]);
        let whole = |out: &str| extract_files(out).is_ok_and(|f| f.len() == 2 && f == good);
        // Cut short: everything up to the last FILE-END is needed.
        let last_end = text.rfind("FILE-END").unwrap();
        for cut in 0..=last_end + "FILE-END out.t".len() {
            let out = &text[..cut];
            assert!(!whole(out), "cut at {cut} passed");
            let files = extract_files(out);
            assert!(
                files.is_err() || files.unwrap().len() < 2,
                "cut at {cut}: two files"
            );
        }
        let lines: Vec<&str> = text.lines().collect();
        for i in 0..lines.len() {
            if !lines[i].starts_with("ffmpeg-scenario") {
                let mut l = lines.clone();
                l.remove(i);
                assert!(!whole(&l.join("\n")), "line {i} dropped passed");
            }
            for at in (0..lines[i].len().saturating_sub(3)).step_by(4) {
                if lines[i].contains(' ') {
                    break;
                }
                let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
                l[i].replace_range(at..at + 4, "");
                let out = l.join("\n");
                assert!(
                    extract_files(&out).is_err(),
                    "line {i}: 4 chars at {at} lost"
                );
            }
        }
    }

    #[test]
    fn md5_matches_rfc_1321() {
        for (text, sum) in [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "abcdefghijklmnopqrstuvwxyz",
                "c3fcd3d76192e4007dfb496cca67e13b",
            ),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "d174ab98d277d9f5a5611c2c9f419d9f",
            ),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ] {
            assert_eq!(md5_hex(text.as_bytes()), sum, "{text:?}");
        }
    }

    #[test]
    fn comparison_with_the_host_can_fail() {
        let host = Ok(vec![("out.ts".to_string(), b"abcd".to_vec())]);
        assert!(same_as_host("out.ts", b"abcd", &host).is_ok());
        let e = same_as_host("out.ts", b"abce", &host).unwrap_err();
        assert!(
            e.contains(&md5_hex(b"abce")) && e.contains(&md5_hex(b"abcd")) && e.contains("byte 3"),
            "{e}"
        );
        let e = same_as_host("out.ts", b"abc", &host).unwrap_err();
        assert!(e.contains("3 bytes") && e.contains("byte 3"), "{e}");
        assert!(same_as_host("out.mp4", b"abcd", &host).is_err());
        assert!(same_as_host("out.ts", b"abcd", &Err("boom".into())).is_err());
    }

    fn sample(frames: u32, codec: &str, dur: &str) -> Probe {
        Probe::parse(&format!(
            "streams.stream.0.codec_name=\"{codec}\"\nstreams.stream.0.codec_type=\"video\"\n\
             streams.stream.0.width=320\nstreams.stream.0.height=240\n\
             streams.stream.0.nb_read_frames=\"{frames}\"\n\
             streams.stream.1.codec_name=\"aac\"\nstreams.stream.1.codec_type=\"audio\"\n\
             streams.stream.1.sample_rate=\"48000\"\nstreams.stream.1.nb_read_frames=\"94\"\n\
             format.nb_streams=2\nformat.format_name=\"mov,mp4,m4a\"\nformat.duration=\"{dur}\"\n"
        ))
    }

    #[test]
    fn probe_checks_can_fail() {
        let w = Want {
            format: "mp4",
            seconds: 2.0,
            tolerance: 0.1,
            width: 320,
            height: 240,
            frames: 50,
            sample_rate: 48000,
        };
        assert!(check_probe(&sample(50, "h264", "2.000000"), &w).is_ok());
        let e = check_probe(&sample(49, "hevc", "2.5"), &w).unwrap_err();
        assert!(
            e.contains("49") && e.contains("hevc") && e.contains("duration"),
            "{e}"
        );
        assert!(check_probe(&Probe::parse(""), &w).is_err());
    }
}
