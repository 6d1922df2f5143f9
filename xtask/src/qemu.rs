//! The QEMU command line shared by `run`, `test` and `bench`, and fetching Debian's kernel for
//! `--linux` comparisons.

use crate::{cmd_output, repo_root, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How a guest is booted. The defaults match `cargo xtask run`.
#[derive(Clone, Debug)]
pub struct Boot {
    pub kernel: PathBuf,
    pub initrd: PathBuf,
    /// Appended after the fixed kernel command line.
    pub append: String,
    pub smp: u32,
    pub mem: String,
    /// Extra QEMU arguments, appended last.
    pub extra: Vec<String>,
    /// A virtio-net device on QEMU user networking (guest 10.0.2.15, host 10.0.2.2).
    pub net: bool,
    /// Host ports forwarded into the guest: QEMU `hostfwd` rules such as
    /// `tcp:127.0.0.1:18080-:80` (only with `net`).
    pub hostfwd: Vec<String>,
}

impl Boot {
    pub fn new(kernel: PathBuf, initrd: PathBuf) -> Self {
        Boot {
            kernel,
            initrd,
            append: String::new(),
            smp: 1,
            mem: "1G".into(),
            extra: Vec::new(),
            net: true,
            hostfwd: Vec::new(),
        }
    }
}

/// Hardware virtualization is used only where the CPU flags show it: the nested `kvm_pvm`
/// found on some hosts cannot run guest kernels, so TCG is the safe default.
pub fn use_kvm() -> bool {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let has_flag = cpuinfo
        .lines()
        .filter(|l| l.starts_with("flags"))
        .any(|l| l.split_whitespace().any(|f| f == "vmx" || f == "svm"));
    has_flag && Path::new("/dev/kvm").exists()
}

pub fn accel_description() -> &'static str {
    if use_kvm() {
        "kvm (-accel kvm -cpu host)"
    } else {
        "tcg (-accel tcg -cpu max)"
    }
}

/// The kernel command line: what a Linux guest gets, plus `extra`.
pub fn cmdline(extra: &str) -> String {
    let mut s = String::from("console=ttyS0 rdinit=/init quiet panic=-1");
    if !extra.trim().is_empty() {
        s.push(' ');
        s.push_str(extra.trim());
    }
    s
}

/// Builds (does not spawn) the QEMU command; stdio is left for the caller to set.
pub fn qemu_command(boot: &Boot) -> Command {
    let mut c = Command::new("qemu-system-x86_64");
    if use_kvm() {
        c.args(["-accel", "kvm", "-cpu", "host"]);
    } else {
        c.args(["-accel", "tcg", "-cpu", "max"]);
    }
    c.args(["-m", &boot.mem]);
    c.args(["-smp", &boot.smp.to_string()]);
    c.args([
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-no-reboot",
        "-serial",
    ]);
    // On a terminal the serial console is multiplexed with QEMU's monitor so that ^C reaches
    // the guest (and Ctrl-A x quits), as with a Linux guest; pipes get the plain console.
    use std::io::IsTerminal;
    c.arg(if std::io::stdin().is_terminal() {
        "mon:stdio"
    } else {
        "stdio"
    });
    // The kernel writes its panic code to port 0xf4: QEMU then exits with (code << 1) | 1.
    c.args(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]);
    if boot.net {
        let mut netdev = String::from("user,id=net0");
        for f in &boot.hostfwd {
            netdev.push_str(",hostfwd=");
            netdev.push_str(f);
        }
        c.args(["-netdev", &netdev]);
        c.args([
            "-device",
            "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56",
        ]);
    }
    c.arg("-kernel").arg(&boot.kernel);
    c.arg("-initrd").arg(initrd_for(boot));
    c.arg("-append").arg(cmdline(&boot.append));
    c.args(&boot.extra);
    c
}

/// Describes a QEMU exit status for humans.
pub fn describe_exit(code: Option<i32>) -> String {
    match code {
        Some(0) => "QEMU exited 0 (guest powered off)".into(),
        Some(c) if c & 1 == 1 && c > 1 => {
            format!(
                "QEMU exited {c}: guest wrote {} to the debug-exit port (panic)",
                c >> 1
            )
        }
        Some(c) => format!("QEMU exited {c}"),
        None => "QEMU was killed by a signal".into(),
    }
}

/// The initramfs a boot gets: Debian's kernel gets the image with its virtio modules appended
/// as another cpio archive (Linux unpacks concatenated archives; `/init` loads them with
/// `/usr/lib/modules/load-virtio`); Rill, which has its drivers built in, gets the image as it is.
fn initrd_for(boot: &Boot) -> PathBuf {
    let is_debian = boot
        .kernel
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("vmlinuz-"));
    if !is_debian {
        return boot.initrd.clone();
    }
    let Some(root) = boot.kernel.parent().and_then(Path::parent) else {
        return boot.initrd.clone();
    };
    match with_modules(&boot.initrd, root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("xtask: booting Linux without its virtio modules: {e}");
            boot.initrd.clone()
        }
    }
}

/// The modules a Linux guest needs for the devices Rill's scenarios use.
const VIRTIO_MODULES: &[&str] = &[
    "virtio_pci",
    "virtio_net",
    "virtio_blk",
    "9pnet_virtio",
    "9p",
];

fn with_modules(initrd: &Path, root: &Path) -> Result<PathBuf> {
    let modules = modules_cpio(root)?;
    let out = root.parent().unwrap_or(root).join(format!(
        "with-modules-{}",
        initrd.file_name().unwrap_or_default().to_string_lossy()
    ));
    // the plain archive goes first: Linux does not look for more after a gzip member
    let mut data = modules;
    data.extend_from_slice(&fs::read(initrd)?);
    fs::write(&out, data)?;
    Ok(out)
}

/// A cpio archive of VIRTIO_MODULES and their dependencies (from each module's `depends=`
/// modinfo field, the package ships no modules.dep) plus `/usr/lib/modules/load-virtio`, which
/// insmods them in dependency order.
fn modules_cpio(root: &Path) -> Result<Vec<u8>> {
    let base = fs::read_dir(root.join("lib/modules"))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .ok_or("no lib/modules/<version> in the kernel package")?;
    let version = base
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut found = std::collections::HashMap::new();
    let mut stack = vec![base.join("kernel")];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d)?.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "ko") {
                let n = p
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .replace('-', "_");
                found.insert(n, p);
            }
        }
    }
    let mut order: Vec<String> = Vec::new();
    for m in VIRTIO_MODULES {
        add_with_deps(m, &found, &mut order, 0)?;
    }
    let mut w = crate::cpio::CpioWriter::new(Vec::new());
    // under usr/lib: the image's /lib may be a symlink to it (merged /usr), which a
    // directory made here first would shadow
    w.dir("usr", 0o755)?;
    w.dir("usr/lib", 0o755)?;
    w.dir("usr/lib/modules", 0o755)?;
    w.dir(&format!("usr/lib/modules/{version}"), 0o755)?;
    let mut script = String::from("#!/bin/sh\n# insmod the virtio modules, dependencies first\n");
    for m in &order {
        let data = fs::read(&found[m])?;
        w.file(&format!("usr/lib/modules/{version}/{m}.ko"), 0o644, &data)?;
        script.push_str(&format!("insmod /usr/lib/modules/{version}/{m}.ko\n"));
    }
    w.file("usr/lib/modules/load-virtio", 0o755, script.as_bytes())?;
    Ok(w.finish()?)
}

/// Appends `m` to `order` after its dependencies.
fn add_with_deps(
    m: &str,
    found: &std::collections::HashMap<String, PathBuf>,
    order: &mut Vec<String>,
    depth: u32,
) -> Result<()> {
    if order.iter().any(|x| x == m) {
        return Ok(());
    }
    if depth > 32 {
        return Err(format!("module dependency loop at {m}").into());
    }
    let path = found
        .get(m)
        .ok_or_else(|| format!("module {m} not in the kernel package"))?;
    for dep in module_depends(&fs::read(path)?) {
        add_with_deps(&dep, found, order, depth + 1)?;
    }
    order.push(m.to_string());
    Ok(())
}

/// The `depends=a,b` entry of a module's .modinfo section (NUL-separated key=value strings).
fn module_depends(ko: &[u8]) -> Vec<String> {
    ko.split(|&b| b == 0)
        .find_map(|s| s.strip_prefix(b"depends="))
        .map(|d| {
            String::from_utf8_lossy(d)
                .split(',')
                .filter(|x| !x.is_empty())
                .map(|x| x.replace('-', "_"))
                .collect()
        })
        .unwrap_or_default()
}

/// Debian's own kernel (`boot/vmlinuz-*`) and its virtio modules, fetched once into
/// build/linux/ with apt-get.
pub fn debian_kernel() -> Result<PathBuf> {
    let dir = repo_root().join("build/linux");
    let root = dir.join("root");
    if let Some(k) = find_vmlinuz(&root) {
        if root.join("lib/modules").is_dir() {
            return Ok(k);
        }
    }
    fs::create_dir_all(&dir)?;
    let deps = cmd_output(Command::new("apt-cache").args(["depends", "linux-image-amd64"]))?;
    let pkg = deps
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Depends:"))
        .map(str::trim)
        .find(|p| p.starts_with("linux-image-") && p.ends_with("-amd64"))
        .ok_or("apt-cache depends linux-image-amd64 names no kernel (run apt-get update first)")?
        .to_string();
    eprintln!("xtask: fetching {pkg} into {}", dir.display());
    let ok = Command::new("apt-get")
        .args(["download", &pkg])
        .current_dir(&dir)
        .status()?
        .success();
    if !ok {
        return Err(format!("apt-get download {pkg} failed").into());
    }
    let deb = fs::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            let n = p.file_name().unwrap_or_default().to_string_lossy();
            n.starts_with(&format!("{pkg}_")) && n.ends_with(".deb")
        })
        .ok_or("downloaded .deb not found")?;
    // Only boot/ and the virtio, 9p and failover modules are needed (all modules: ~400 MB).
    fs::create_dir_all(&root)?;
    let m = "./lib/modules/*/kernel";
    let script = format!(
        "dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" --wildcards ./boot \
         '{m}/drivers/virtio/*' '{m}/drivers/net/virtio_net.ko' '{m}/drivers/net/net_failover.ko' \
         '{m}/net/core/failover.ko' '{m}/drivers/block/virtio_blk.ko' '{m}/net/9p/*' \
         '{m}/fs/9p/*' '{m}/fs/netfs/*' '{m}/fs/fscache/*'"
    );
    let ok = Command::new("sh")
        .args(["-c", &script, "sh"])
        .arg(&deb)
        .arg(&root)
        .status()?
        .success();
    if !ok {
        return Err(format!("extracting boot/ from {} failed", deb.display()).into());
    }
    let _ = fs::remove_file(&deb);
    find_vmlinuz(&root).ok_or_else(|| "no boot/vmlinuz-* in the package".into())
}

fn find_vmlinuz(root: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(root.join("boot"))
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("vmlinuz-"))
        })
        .collect();
    found.sort();
    found.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_depends_reads_modinfo() {
        let ko = b"\x7fELF...\0license=GPL\0depends=virtio_ring,virtio\0name=virtio_net\0";
        assert_eq!(module_depends(ko), ["virtio_ring", "virtio"]);
        assert!(module_depends(b"\0depends=\0name=virtio\0").is_empty());
        assert!(module_depends(b"no modinfo here").is_empty());
    }

    #[test]
    fn command_line_has_linux_options() {
        let mut b = Boot::new("k".into(), "i".into());
        b.append = "foo=1".into();
        b.smp = 2;
        b.extra = vec!["-s".into()];
        let c = qemu_command(&b);
        let args: Vec<String> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let joined = args.join(" ");
        assert!(joined.contains("-m 1G -smp 2 -nodefaults -no-user-config -display none"));
        assert!(joined.contains("-serial stdio"));
        assert!(joined.contains("-kernel k -initrd i"));
        let i = args.iter().position(|a| a == "-append").unwrap();
        assert_eq!(
            args[i + 1],
            "console=ttyS0 rdinit=/init quiet panic=-1 foo=1"
        );
        assert_eq!(args.last().map(String::as_str), Some("-s"));
    }

    #[test]
    fn debug_exit_codes_are_explained() {
        assert!(describe_exit(Some(0)).contains("powered off"));
        assert!(describe_exit(Some(7)).contains("wrote 3"));
        assert_eq!(describe_exit(Some(2)), "QEMU exited 2");
    }
}
