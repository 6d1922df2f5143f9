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
pub fn extract_files(output: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut cur: Option<(String, usize, String)> = None;
    for line in output.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix("FILE-BEGIN ") {
            let mut w = rest.split_whitespace();
            let name = w.next().ok_or("FILE-BEGIN without a name")?.to_string();
            let size = w
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or("FILE-BEGIN size")?;
            cur = Some((name, size, String::new()));
        } else if let Some(name) = line.strip_prefix("FILE-END ") {
            let (n, size, b64) = cur.take().ok_or("FILE-END without FILE-BEGIN")?;
            if n != name.trim() {
                return Err(format!("FILE-END {name} closes {n}").into());
            }
            let data = base64_decode(&b64).map_err(|e| format!("{n}: {e}"))?;
            if data.len() != size {
                return Err(
                    format!("{n}: {} bytes decoded, the guest said {size}", data.len()).into(),
                );
            }
            files.push((n, data));
        } else if let Some((_, _, b64)) = cur.as_mut() {
            b64.push_str(line.trim());
        }
    }
    if let Some((n, _, _)) = cur {
        return Err(format!("{n}: no FILE-END (output cut short)").into());
    }
    Ok(files)
}

/// Standard base64 (RFC 4648, with padding) as busybox `base64` prints it. A few lines rather
/// than a crate: xtask needs nothing else from one.
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
    let bytes: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
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
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[1..4 - pad]);
    }
    Ok(out)
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
        assert_eq!(base64_decode("aGVs\nbG8h").unwrap(), b"hello!");
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("").unwrap(), b"");
        assert!(base64_decode("aGk").is_err());
        assert!(base64_decode("a=Gk").is_err());
        assert!(base64_decode("aG*k").is_err());
    }

    #[test]
    fn files_are_extracted_and_sizes_checked() {
        let out = "x\nFILE-BEGIN a.mp4 5\r\naGVs\r\nbG8=\r\nFILE-END a.mp4\ny\n";
        let f = extract_files(out).unwrap();
        assert_eq!(f, vec![("a.mp4".to_string(), b"hello".to_vec())]);
        assert!(extract_files("FILE-BEGIN a 6\naGVsbG8=\nFILE-END a\n").is_err());
        assert!(extract_files("FILE-BEGIN a 5\naGVsbG8=\n").is_err());
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
