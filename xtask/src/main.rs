//! Host tooling for Rill: `cargo xtask build|rootfs|run|test|bench`. See README.md.

mod bench;
mod cpio;
mod layers;
mod markers;
mod media;
mod mutate;
mod netbench;
mod netscen;
mod qemu;
mod rootfs;
mod scenario;
mod selftest;
mod syscalls;
mod testrun;
mod tracetest;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

  build [--debug]                 build the kernel; prints the image path last
  rootfs [--out FILE] [--gzip|--no-gzip] [--init FILE] [--add HOST[:GUEST]]... [PROGRAM...]
                                  build an initramfs (default build/rootfs.cpio.gz)
  run [--shell | --media-server DIR] [--port-rtmp N] [--port-http N] [--port-rtsp N]
      [--initrd FILE] [--append ARGS] [--smp N] [--mem SIZE] [--linux] [-- QEMU ARGS]
                                  boot Rill (or Debian's Linux) into the media workload:
                                  nginx-rtmp (or ZLMediaKit from DIR) with host ports
                                  11935/10080/10554 forwarded, the push command and play
                                  URLs printed; --shell: the plain busybox shell;
                                  Ctrl-A x quits QEMU
  test [--filter SUBSTR[,SUBSTR]] [--no-unit] [--keep] [--linux] [--smp N (default 2)] [--debug]
                                  unit tests, differential tests, stress tests, busybox
                                  scenario, fuzz, bench smoke run, ffmpeg scenario,
                                  network scenarios (scenario-net-a..d)
                                  (--debug: the debug kernel, overflow checks on)
  test --mutate [NAME[,NAME]] [--full] [--list]
                                  the mutation check (tests/mutations.txt): each kernel
                                  fault must make a test fail
  bench [all|mem|micro|x264] [--smp N] [--runs N] [--budget SECS] [--size WxH]
                                  the benchmarks on Rill and on Debian's Linux, side by side
  bench boot [--runs N] [--linux] time from QEMU start to the shell prompt
  bench net [--smp N] [--secs N] [--iperf-secs N] [--max-push N]
                                  network figures on Rill and on Linux: RTMP/RTSP push speed,
                                  iperf3, loopback connect and UDP rates, concurrent pushes
  syscalls [--markdown]           the syscall support table (number, name, status, note);
                                  docs/syscalls.md is its --markdown output
";

/// The workspace root (xtask lives in `<root>/xtask`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command and returns its stdout; a non-zero exit is an error.
pub fn cmd_output(c: &mut Command) -> Result<String> {
    let out = c
        .output()
        .map_err(|e| format!("{:?}: {e}", c.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{:?} failed ({}): {}",
            c.get_program(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A tiny argument cursor: flags, flags with values, and the rest.
pub struct Args {
    items: Vec<String>,
    pos: usize,
}

impl Args {
    pub fn new(items: Vec<String>) -> Self {
        Args { items, pos: 0 }
    }
    pub fn next_arg(&mut self) -> Option<String> {
        let a = self.items.get(self.pos).cloned();
        self.pos += 1;
        a
    }
    /// The value of `--flag VALUE` or `--flag=VALUE` given the current argument `arg`.
    pub fn value(&mut self, arg: &str, flag: &str) -> Result<String> {
        if let Some(v) = arg.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
            return Ok(v.to_string());
        }
        self.next_arg()
            .ok_or_else(|| format!("{flag} needs a value").into())
    }
    pub fn rest(&mut self) -> Vec<String> {
        let r = self.items.get(self.pos..).unwrap_or_default().to_vec();
        self.pos = self.items.len();
        r
    }
}

fn flag_is(arg: &str, flag: &str) -> bool {
    arg == flag || arg.starts_with(&format!("{flag}="))
}

/// Builds the kernel with the kernel code model; returns the image path.
pub fn build_kernel(debug: bool) -> Result<PathBuf> {
    let root = repo_root();
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(&root)
        .args(["build", "-p", "rill-kernel"])
        .args([
            "--target",
            "x86_64-unknown-linux-gnu",
            "--target-dir",
            "target/kernel",
        ]);
    if !debug {
        c.arg("--release");
    }
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
    ] {
        c.env_remove(var);
    }
    c.env(
        "RUSTFLAGS",
        "-C relocation-model=static -C code-model=kernel -C no-redzone=yes \
         -C target-feature=+crt-static -C force-frame-pointers=yes",
    );
    // Cargo's own output goes to our stderr; stdout stays for the image path.
    c.stdout(std::process::Stdio::from(std::io::stderr()));
    let status = c.status()?;
    if !status.success() {
        return Err(format!("kernel build failed ({status})").into());
    }
    let profile = if debug { "debug" } else { "release" };
    Ok(root.join(format!(
        "target/kernel/x86_64-unknown-linux-gnu/{profile}/rill"
    )))
}

fn cmd_build(mut a: Args) -> Result<()> {
    let mut debug = false;
    while let Some(arg) = a.next_arg() {
        match arg.as_str() {
            "--debug" => debug = true,
            _ => return Err(format!("build: unknown argument {arg}").into()),
        }
    }
    let k = build_kernel(debug)?;
    println!("{}", k.display());
    Ok(())
}

/// What `rootfs` puts in an image besides the base skeleton and busybox.
#[derive(Default)]
pub struct RootfsOpts {
    pub init: Option<PathBuf>,
    pub adds: Vec<(PathBuf, String)>,
    pub programs: Vec<String>,
}

/// Builds a busybox initramfs with the given /init, extra files and programs.
pub fn build_rootfs(opts: &RootfsOpts, out: &Path, gzip: bool) -> Result<()> {
    let mut fs = rootfs::Rootfs::base()?;
    fs.add_busybox()?;
    for p in &opts.programs {
        fs.add_program(p)?;
    }
    for (host, guest) in &opts.adds {
        fs.add_file_from(guest, host)?;
    }
    let init = opts
        .init
        .clone()
        .unwrap_or_else(|| repo_root().join("tests/guest/init.sh"));
    fs.add_file_from("init", &init)?;
    fs.write(out, gzip)
}

fn parse_add(spec: &str) -> (PathBuf, String) {
    match spec.split_once(':') {
        Some((h, g)) => (PathBuf::from(h), g.to_string()),
        None => {
            let p = PathBuf::from(spec);
            let g = rootfs::guest_key(&p);
            (p, g)
        }
    }
}

fn cmd_rootfs(mut a: Args) -> Result<()> {
    let mut out = None;
    let mut gzip = true;
    let mut opts = RootfsOpts::default();
    while let Some(arg) = a.next_arg() {
        match arg.as_str() {
            x if flag_is(x, "--out") => out = Some(PathBuf::from(a.value(x, "--out")?)),
            "--gzip" => gzip = true,
            "--no-gzip" => gzip = false,
            x if flag_is(x, "--init") => opts.init = Some(PathBuf::from(a.value(x, "--init")?)),
            x if flag_is(x, "--add") => opts.adds.push(parse_add(&a.value(x, "--add")?)),
            x if x.starts_with("--") => return Err(format!("rootfs: unknown option {x}").into()),
            _ => opts.programs.push(arg),
        }
    }
    let out = out.unwrap_or_else(|| {
        repo_root().join(if gzip {
            "build/rootfs.cpio.gz"
        } else {
            "build/rootfs.cpio"
        })
    });
    build_rootfs(&opts, &out, gzip)?;
    println!("{}", out.display());
    Ok(())
}

fn main() -> ExitCode {
    let mut a = Args::new(std::env::args().skip(1).collect());
    let cmd = a.next_arg().unwrap_or_default();
    let result: Result<ExitCode> = match cmd.as_str() {
        "build" => cmd_build(a).map(|_| ExitCode::SUCCESS),
        "rootfs" => cmd_rootfs(a).map(|_| ExitCode::SUCCESS),
        "run" => media::cmd_run(a),
        "test" => testrun::cmd_test(a),
        "bench" => bench::cmd_bench(a).map(|_| ExitCode::SUCCESS),
        "syscalls" => syscalls::cmd_syscalls(a).map(|_| ExitCode::SUCCESS),
        "" | "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprint!("unknown command {cmd}\n\n{USAGE}");
            Ok(ExitCode::from(2))
        }
    };
    match result {
        Ok(c) => c,
        Err(e) => {
            eprintln!("xtask {cmd}: error: {e}");
            ExitCode::FAILURE
        }
    }
}
