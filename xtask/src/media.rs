//! `cargo xtask run`: boots the media workload (nginx with the RTMP module, or a ZLMediaKit
//! MediaServer the user has built) with the host's ports forwarded, and prints the commands
//! that push a stream into it and the URLs that play it. `--shell` boots the plain busybox
//! image instead.

use crate::netscen;
use crate::qemu;
use crate::{build_kernel, build_rootfs, flag_is, repo_root, Args, Result, RootfsOpts};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Host ports forwarded to the guest's RTSP (554), RTMP (1935) and HTTP (80).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ports {
    pub rtsp: u16,
    pub rtmp: u16,
    pub http: u16,
}

impl Default for Ports {
    fn default() -> Self {
        Ports {
            rtsp: 10554,
            rtmp: 11935,
            http: 10080,
        }
    }
}

impl Ports {
    /// QEMU `hostfwd` rules, on the host's loopback only.
    pub fn hostfwd(&self) -> Vec<String> {
        vec![
            format!("tcp:127.0.0.1:{}-:554", self.rtsp),
            format!("tcp:127.0.0.1:{}-:1935", self.rtmp),
            format!("tcp:127.0.0.1:{}-:80", self.http),
        ]
    }
}

/// What to tell the user: how to push and where to play, for nginx-rtmp or ZLMediaKit.
pub fn instructions(p: &Ports, zlm: bool) -> String {
    let push = format!(
        "ffmpeg -re -f lavfi -i testsrc2=size=640x360:rate=25 -c:v libx264 -preset veryfast \
         -g 50 -f flv rtmp://127.0.0.1:{}/live/test",
        p.rtmp
    );
    let mut s = String::new();
    if zlm {
        s.push_str(&format!(
            "ZLMediaKit in the guest (RTSP 554 <- 127.0.0.1:{}, RTMP 1935 <- 127.0.0.1:{}, \
             HTTP 80 <- 127.0.0.1:{}).\n",
            p.rtsp, p.rtmp, p.http
        ));
        s.push_str(&format!("push (RTMP):\n  {push}\n"));
        s.push_str(&format!(
            "push (RTSP):\n  ffmpeg -re -f lavfi -i testsrc2=size=640x360:rate=25 -c:v libx264 \
             -preset veryfast -g 50 -f rtsp -rtsp_transport tcp rtsp://127.0.0.1:{}/live/test\n",
            p.rtsp
        ));
        s.push_str("play:\n");
        for url in [
            format!("rtsp://127.0.0.1:{}/live/test", p.rtsp),
            format!("rtmp://127.0.0.1:{}/live/test", p.rtmp),
            format!("http://127.0.0.1:{}/live/test/hls.m3u8", p.http),
            format!("http://127.0.0.1:{}/live/test.live.flv", p.http),
        ] {
            s.push_str(&format!("  ffplay {url}\n"));
        }
    } else {
        s.push_str(&format!(
            "nginx-rtmp in the guest (RTMP 1935 <- 127.0.0.1:{}, HTTP 80 <- 127.0.0.1:{}, \
             RTSP 554 <- 127.0.0.1:{}).\n",
            p.rtmp, p.http, p.rtsp
        ));
        s.push_str(&format!("push:\n  {push}\n"));
        let hls = format!("http://127.0.0.1:{}/hls/test.m3u8", p.http);
        s.push_str(&format!(
            "play (HLS, a few seconds after the push starts):\n  ffplay {hls}\n  \
             ffprobe {hls}\n  curl {hls}\n  ffplay rtmp://127.0.0.1:{}/live/test\n",
            p.rtmp
        ));
    }
    s
}

/// The media image: the scenarios' base (ffmpeg, nginx-rtmp, iperf3) with
/// tests/media/init.sh as /init; with `zlm`, also that directory at /opt/zlm and the shared
/// libraries of its MediaServer (a full image of its own then, written uncompressed).
fn media_run_image(zlm: Option<&Path>) -> Result<PathBuf> {
    let root = repo_root();
    let out = root.join(if zlm.is_some() {
        "build/media-zlm.cpio"
    } else {
        "build/media.cpio"
    });
    let mut ov = netscen::media_overlay()?;
    ov.add_file_from("init", &root.join("tests/media/init.sh"))?;
    match zlm {
        None => netscen::media_image(ov, &out)?,
        Some(dir) => {
            let server = dir.join("MediaServer");
            if !server.is_file() || !dir.join("config.ini").is_file() {
                return Err(format!(
                    "--media-server {}: want a directory holding MediaServer and config.ini",
                    dir.display()
                )
                .into());
            }
            ov.add_tree_from("opt/zlm", dir)?;
            ov.add_program_at("opt/zlm/MediaServer", &server)?;
            netscen::media_image(ov, &out)?;
        }
    }
    Ok(out)
}

pub fn cmd_run(mut a: Args) -> Result<ExitCode> {
    let mut initrd = None;
    let mut append = String::new();
    let mut smp = 1;
    let mut mem = None;
    let mut linux = false;
    let mut shell = false;
    let mut zlm: Option<PathBuf> = None;
    let mut ports = Ports::default();
    let mut extra = Vec::new();
    while let Some(arg) = a.next_arg() {
        match arg.as_str() {
            x if flag_is(x, "--initrd") => initrd = Some(PathBuf::from(a.value(x, "--initrd")?)),
            x if flag_is(x, "--append") => append = a.value(x, "--append")?,
            x if flag_is(x, "--smp") => smp = a.value(x, "--smp")?.parse()?,
            x if flag_is(x, "--mem") => mem = Some(a.value(x, "--mem")?),
            x if flag_is(x, "--media-server") => {
                zlm = Some(PathBuf::from(a.value(x, "--media-server")?))
            }
            x if flag_is(x, "--port-rtsp") => ports.rtsp = a.value(x, "--port-rtsp")?.parse()?,
            x if flag_is(x, "--port-rtmp") => ports.rtmp = a.value(x, "--port-rtmp")?.parse()?,
            x if flag_is(x, "--port-http") => ports.http = a.value(x, "--port-http")?.parse()?,
            "--shell" => shell = true,
            "--linux" => linux = true,
            "--" => extra = a.rest(),
            _ => return Err(format!("run: unknown argument {arg}").into()),
        }
    }
    if shell && zlm.is_some() {
        return Err("run: --shell and --media-server exclude each other".into());
    }
    let kernel = if linux {
        qemu::debian_kernel()?
    } else {
        build_kernel(false)?
    };
    let media = !shell && initrd.is_none();
    let initrd = match initrd {
        Some(i) => i,
        None if shell => {
            let out = repo_root().join("build/rootfs.cpio.gz");
            build_rootfs(&RootfsOpts::default(), &out, true)?;
            out
        }
        None => media_run_image(zlm.as_deref())?,
    };
    let mut boot = qemu::Boot::new(kernel, initrd);
    boot.append = append;
    boot.smp = smp;
    // The media image is ~300 MB, unpacked into RAM.
    boot.mem = mem.unwrap_or_else(|| if media { "2G" } else { "1G" }.into());
    boot.extra = extra;
    boot.hostfwd = ports.hostfwd();
    eprintln!(
        "xtask: booting {} with {} (quit with Ctrl-A x)",
        boot.kernel.display(),
        qemu::accel_description()
    );
    if media {
        eprintln!("{}", instructions(&ports, zlm.is_some()));
    }
    let status = qemu::qemu_command(&boot).status()?;
    eprintln!("xtask: {}", qemu::describe_exit(status.code()));
    Ok(ExitCode::from(
        status.code().unwrap_or(1).clamp(0, 255) as u8
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_forwarded_on_loopback() {
        let p = Ports::default();
        assert_eq!(
            p.hostfwd(),
            [
                "tcp:127.0.0.1:10554-:554",
                "tcp:127.0.0.1:11935-:1935",
                "tcp:127.0.0.1:10080-:80"
            ]
        );
    }

    #[test]
    fn instructions_name_the_push_and_the_urls() {
        let p = Ports {
            rtsp: 1,
            rtmp: 2,
            http: 3,
        };
        let n = instructions(&p, false);
        assert!(n.contains(
            "ffmpeg -re -f lavfi -i testsrc2=size=640x360:rate=25 -c:v libx264 -preset veryfast \
             -g 50 -f flv rtmp://127.0.0.1:2/live/test"
        ));
        assert!(n.contains("http://127.0.0.1:3/hls/test.m3u8"));
        let z = instructions(&p, true);
        for url in [
            "rtsp://127.0.0.1:1/live/test",
            "rtmp://127.0.0.1:2/live/test",
            "http://127.0.0.1:3/live/test/hls.m3u8",
            "http://127.0.0.1:3/live/test.live.flv",
        ] {
            assert!(z.contains(url), "{url}");
        }
    }
}
