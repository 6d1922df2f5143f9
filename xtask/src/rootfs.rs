//! Building initramfs images: an in-memory tree of entries (so later additions replace earlier
//! ones and parents always precede children), filled from the host, written as cpio newc.

use crate::cpio::CpioWriter;
use crate::{cmd_output, Result};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Dir {
        perm: u32,
    },
    /// A file whose contents are read from the host when the archive is written.
    HostFile {
        perm: u32,
        src: PathBuf,
    },
    Data {
        perm: u32,
        data: Vec<u8>,
    },
    Symlink {
        target: String,
    },
    CharDev {
        perm: u32,
        major: u32,
        minor: u32,
    },
}

/// The tree of an initramfs. Keys are guest paths without the leading `/`.
#[derive(Default)]
pub struct Rootfs {
    entries: BTreeMap<String, Entry>,
    /// Whether any dynamically linked program was added (then /etc/ld.so.cache is needed).
    has_dynamic: bool,
}

/// `/a/./b/../c` -> `a/c` (lexical; no symlinks are looked at).
pub fn guest_key(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    parts.join("/")
}

fn normalize(path: &Path) -> PathBuf {
    PathBuf::from("/").join(guest_key(path))
}

const BASE_DIRS: &[&str] = &[
    "proc", "sys", "dev", "tmp", "etc", "root", "bin", "sbin", "usr/bin", "usr/sbin", "var/tmp",
];

impl Rootfs {
    /// The skeleton every image has: directories, device nodes and the /etc files.
    pub fn base() -> Result<Self> {
        let mut fs = Rootfs::default();
        for d in BASE_DIRS {
            fs.mkdir_p(d, 0o755);
        }
        fs.insert("tmp", Entry::Dir { perm: 0o1777 });
        fs.insert("var/tmp", Entry::Dir { perm: 0o1777 });
        fs.insert("root", Entry::Dir { perm: 0o700 });
        for (name, perm, major, minor) in [
            ("dev/console", 0o600, 5, 1),
            ("dev/null", 0o666, 1, 3),
            ("dev/tty", 0o666, 5, 0),
            ("dev/ttyS0", 0o660, 4, 64),
        ] {
            fs.insert(name, Entry::CharDev { perm, major, minor });
        }
        let text = |s: &str| Entry::Data {
            perm: 0o644,
            data: s.as_bytes().to_vec(),
        };
        for (name, data) in etc_files() {
            fs.insert(name, text(&data));
        }
        if let Ok(data) = fs::read("/etc/localtime") {
            fs.insert("etc/localtime", Entry::Data { perm: 0o644, data });
        }
        Ok(fs)
    }

    pub fn insert(&mut self, guest: &str, entry: Entry) {
        let key = guest_key(Path::new(guest));
        if let Some(parent) = Path::new(&key).parent() {
            self.mkdir_p(&parent.to_string_lossy(), 0o755);
        }
        self.entries.insert(key, entry);
    }

    pub fn get(&self, guest: &str) -> Option<&Entry> {
        self.entries.get(&guest_key(Path::new(guest)))
    }

    /// Creates the directory and its missing parents (existing entries are left alone).
    pub fn mkdir_p(&mut self, guest: &str, perm: u32) {
        let key = guest_key(Path::new(guest));
        let mut prefix = String::new();
        for part in key.split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            self.entries
                .entry(prefix.clone())
                .or_insert(Entry::Dir { perm });
        }
    }

    /// A host file at a guest path (contents copied, permission bits kept).
    pub fn add_file_from(&mut self, guest: &str, host: &Path) -> Result<()> {
        let meta = fs::metadata(host).map_err(|e| format!("{}: {e}", host.display()))?;
        if meta.is_dir() {
            return self.add_tree_from(guest, host);
        }
        self.insert(
            guest,
            Entry::HostFile {
                perm: meta.permissions().mode() & 0o7777,
                src: host.to_path_buf(),
            },
        );
        Ok(())
    }

    /// A host directory, recursively, at a guest path (symlinks inside are kept as symlinks).
    pub fn add_tree_from(&mut self, guest: &str, host: &Path) -> Result<()> {
        let meta = fs::metadata(host).map_err(|e| format!("{}: {e}", host.display()))?;
        self.mkdir_p(guest, meta.permissions().mode() & 0o7777);
        let mut names: Vec<_> = fs::read_dir(host)
            .map_err(|e| format!("{}: {e}", host.display()))?
            .filter_map(|e| e.ok())
            .collect();
        names.sort_by_key(|e| e.file_name());
        for e in names {
            let g = format!("{}/{}", guest, e.file_name().to_string_lossy());
            let p = e.path();
            let ft = e.file_type()?;
            if ft.is_symlink() {
                let t = fs::read_link(&p)?;
                self.insert(
                    &g,
                    Entry::Symlink {
                        target: t.to_string_lossy().into_owned(),
                    },
                );
            } else if ft.is_dir() {
                self.add_tree_from(&g, &p)?;
            } else {
                self.add_file_from(&g, &p)?;
            }
        }
        Ok(())
    }

    /// Adds an absolute host path at the same guest path, reproducing every symlink met on the
    /// way (in a directory component or at the end) and then what it points to. Where the guest
    /// already has a real directory in place of a host symlink (e.g. `/bin` here vs
    /// `/bin -> usr/bin` on a merged-/usr host), the path itself becomes a symlink to the
    /// resolved location instead.
    pub fn add_host_path(&mut self, path: &Path) -> Result<()> {
        let mut pending = normalize(path);
        let original = pending.clone();
        'restart: for _ in 0..40 {
            let comps: Vec<_> = pending
                .components()
                .filter_map(|c| match c {
                    Component::Normal(s) => Some(s.to_owned()),
                    _ => None,
                })
                .collect();
            let mut cur = PathBuf::from("/");
            for (i, c) in comps.iter().enumerate() {
                cur.push(c);
                let key = guest_key(&cur);
                let meta =
                    fs::symlink_metadata(&cur).map_err(|e| format!("{}: {e}", cur.display()))?;
                let last = i + 1 == comps.len();
                if meta.file_type().is_symlink() {
                    let target = fs::read_link(&cur)?;
                    let mut resolved = if target.is_absolute() {
                        target.clone()
                    } else {
                        cur.parent().unwrap_or(Path::new("/")).join(&target)
                    };
                    for rest in &comps[i + 1..] {
                        resolved.push(rest);
                    }
                    let resolved = normalize(&resolved);
                    if matches!(self.entries.get(&key), Some(Entry::Dir { .. })) && !last {
                        // Keep our directory; link the full path to where it really is.
                        let full = guest_key(&pending);
                        self.entries.entry(full).or_insert(Entry::Symlink {
                            target: resolved.to_string_lossy().into_owned(),
                        });
                    } else {
                        self.insert(
                            &key,
                            Entry::Symlink {
                                target: target.to_string_lossy().into_owned(),
                            },
                        );
                    }
                    pending = resolved;
                    continue 'restart;
                }
                if last {
                    if meta.is_dir() {
                        return self.add_tree_from(&key, &cur);
                    }
                    return self.add_file_from(&key, &cur);
                }
                self.entries.entry(key).or_insert(Entry::Dir {
                    perm: meta.permissions().mode() & 0o7777,
                });
            }
            return Ok(());
        }
        Err(format!("{}: too many levels of symbolic links", original.display()).into())
    }

    /// A program at guest path `guest` (copied from `host`) plus its shared-library closure.
    pub fn add_program_at(&mut self, guest: &str, host: &Path) -> Result<()> {
        self.add_file_from(guest, host)?;
        self.add_libs_of(host)
    }

    /// A program at its own path (looked up in PATH when it has no `/`) plus its closure.
    pub fn add_program(&mut self, prog: &str) -> Result<()> {
        let path = resolve_program(prog)?;
        self.add_host_path(&path)?;
        self.add_libs_of(&path)
    }

    fn add_libs_of(&mut self, host: &Path) -> Result<()> {
        let libs = ldd_closure(host)?;
        if !libs.is_empty() && !self.has_dynamic {
            self.has_dynamic = true;
            // glibc loads libgcc_s with dlopen (pthread_exit, pthread_cancel unwind through
            // it), so ldd never lists it.
            if let Some(p) = ldconfig_lookup("libgcc_s.so.1") {
                self.add_host_path(&p)?;
            }
        }
        for lib in libs {
            self.add_host_path(&lib)?;
        }
        Ok(())
    }

    /// `/bin/busybox` and one symlink per applet, as `busybox --list-full` names them.
    pub fn add_busybox(&mut self) -> Result<()> {
        let bb = Path::new("/bin/busybox");
        let real = fs::canonicalize(bb).map_err(|e| format!("/bin/busybox: {e}"))?;
        let list = cmd_output(std::process::Command::new(&real).arg("--list-full"))?;
        self.add_file_from("bin/busybox", &real)?;
        for applet in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if applet == "bin/busybox" {
                continue;
            }
            self.insert(
                applet,
                Entry::Symlink {
                    target: "/bin/busybox".into(),
                },
            );
        }
        Ok(())
    }

    /// A hash of everything the archive would contain: entry names and kinds, and for host
    /// files their path, size and modification time (not their bytes, so it is cheap). Used to
    /// cache big images (the ffmpeg closure) across runs: a package upgrade changes it.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (name, e) in &self.entries {
            name.hash(&mut h);
            format!("{e:?}").hash(&mut h);
            if let Entry::HostFile { src, .. } = e {
                if let Ok(m) = fs::metadata(src) {
                    m.len().hash(&mut h);
                    m.modified().ok().hash(&mut h);
                }
            }
        }
        self.has_dynamic.hash(&mut h);
        if let Ok(m) = fs::metadata("/etc/ld.so.cache") {
            m.len().hash(&mut h);
            m.modified().ok().hash(&mut h);
        }
        h.finish()
    }

    /// Writes the archive; gzip-compressed when asked.
    pub fn write(&mut self, out: &Path, gzip: bool) -> Result<()> {
        if self.has_dynamic && self.get("etc/ld.so.cache").is_none() {
            if let Ok(data) = fs::read("/etc/ld.so.cache") {
                self.insert("etc/ld.so.cache", Entry::Data { perm: 0o644, data });
            }
        }
        if let Some(dir) = out.parent() {
            fs::create_dir_all(dir)?;
        }
        let tmp = out.with_extension("partial");
        let file = std::io::BufWriter::new(fs::File::create(&tmp)?);
        if gzip {
            let gz = flate2::write::GzEncoder::new(file, flate2::Compression::new(6));
            self.write_to(gz)?.finish()?.flush()?;
        } else {
            self.write_to(file)?.flush()?;
        }
        fs::rename(&tmp, out)?;
        Ok(())
    }

    fn write_to<W: Write>(&self, sink: W) -> Result<W> {
        let mut w = CpioWriter::new(sink);
        for (name, e) in &self.entries {
            match e {
                Entry::Dir { perm } => w.dir(name, *perm)?,
                Entry::HostFile { perm, src } => {
                    let data = fs::read(src).map_err(|e| format!("{}: {e}", src.display()))?;
                    w.file(name, *perm, &data)?
                }
                Entry::Data { perm, data } => w.file(name, *perm, data)?,
                Entry::Symlink { target } => w.symlink(name, target)?,
                Entry::CharDev { perm, major, minor } => w.char_dev(name, *perm, *major, *minor)?,
            }
        }
        Ok(w.finish()?)
    }
}

/// The `/etc` files of every image (both kernels boot the same one). Names and ids as on
/// Debian, so programs print the same on the host and the guest: root, nobody and the
/// www-data user nginx's workers run as; the guest's addresses (QEMU user networking: the
/// guest is 10.0.2.15, slirp's DNS 10.0.2.3); `services` and `protocols` are the host's
/// (Debian's netbase data files) when it has them, else the few entries the images use.
pub fn etc_files() -> Vec<(&'static str, String)> {
    let host = |path: &str, fallback: &str| {
        fs::read_to_string(path)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| fallback.to_string())
    };
    vec![
        (
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\n\
             www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n\
             nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                .into(),
        ),
        (
            "etc/group",
            "root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n".into(),
        ),
        ("etc/hostname", "rill\n".into()),
        (
            "etc/hosts",
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\
             10.0.2.15\trill\n"
                .into(),
        ),
        ("etc/resolv.conf", "nameserver 10.0.2.3\n".into()),
        (
            "etc/nsswitch.conf",
            "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\n\
             protocols: files\nservices: files\nethers: files\nrpc: files\n"
                .into(),
        ),
        ("etc/services", host("/etc/services", SERVICES)),
        ("etc/protocols", host("/etc/protocols", PROTOCOLS)),
    ]
}

/// /etc/services when the host has none: the ports the media images use.
const SERVICES: &str = "\
ftp\t\t21/tcp
ssh\t\t22/tcp
domain\t\t53/tcp
domain\t\t53/udp
http\t\t80/tcp\t\twww
ntp\t\t123/udp
https\t\t443/tcp
rtsp\t\t554/tcp
rtsp\t\t554/udp
rtmp\t\t1935/tcp
iperf3\t\t5201/tcp
";

/// /etc/protocols when the host has none.
const PROTOCOLS: &str = "\
ip\t0\tIP
icmp\t1\tICMP
igmp\t2\tIGMP
tcp\t6\tTCP
udp\t17\tUDP
ipv6\t41\tIPv6
ipv6-route\t43\tIPv6-Route
ipv6-frag\t44\tIPv6-Frag
ipv6-icmp\t58\tIPv6-ICMP
sctp\t132\tSCTP
udplite\t136\tUDPLite
raw\t255\tRaw
";

/// Resolves a program name like `which` does; paths containing `/` are taken as they are.
pub fn resolve_program(prog: &str) -> Result<PathBuf> {
    if prog.contains('/') {
        fs::metadata(prog).map_err(|e| format!("{prog}: {e}"))?;
        return Ok(std::path::absolute(prog)?);
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    for dir in std::env::split_paths(&path) {
        let cand = dir.join(prog);
        if let Ok(m) = fs::metadata(&cand) {
            if m.is_file() && m.permissions().mode() & 0o111 != 0 {
                return Ok(std::path::absolute(cand)?);
            }
        }
    }
    Err(format!("{prog}: not found in PATH").into())
}

/// Parses `ldd` output into the paths of the libraries and the dynamic loader.
pub fn parse_ldd(text: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let path = match line.split_once("=>") {
            Some((_, rhs)) => rhs.split_whitespace().next(),
            None => line.split_whitespace().next(),
        };
        if let Some(p) = path {
            if p.starts_with('/') {
                out.push(PathBuf::from(p));
            }
        }
    }
    out
}

/// Where the dynamic linker's cache says a library lives (`ldconfig -p`).
pub fn ldconfig_lookup(soname: &str) -> Option<PathBuf> {
    let out = std::process::Command::new("ldconfig")
        .arg("-p")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter(|l| l.trim_start().starts_with(&format!("{soname} ")) && l.contains("x86-64"))
        .find_map(|l| Some(PathBuf::from(l.split("=>").nth(1)?.trim())))
}

/// The libraries (and loader) a dynamically linked ELF needs; empty for static ones.
pub fn ldd_closure(prog: &Path) -> Result<Vec<PathBuf>> {
    let out = std::process::Command::new("ldd").arg(prog).output()?;
    // ldd exits 1 for static binaries ("not a dynamic executable").
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || text.contains("statically linked") {
        return Ok(Vec::new());
    }
    Ok(parse_ldd(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_keys_are_relative_and_lexically_normalized() {
        assert_eq!(guest_key(Path::new("/a/./b/../c")), "a/c");
        assert_eq!(guest_key(Path::new("bin/sh")), "bin/sh");
        assert_eq!(guest_key(Path::new("/")), "");
    }

    #[test]
    fn ldd_output_is_parsed() {
        let text = "\tlinux-vdso.so.1 (0x00007ffd)\n\
            \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f83)\n\
            \tlibfoo.so => not found\n\
            \t/lib64/ld-linux-x86-64.so.2 (0x00007f83)\n";
        assert_eq!(
            parse_ldd(text),
            [
                PathBuf::from("/lib/x86_64-linux-gnu/libc.so.6"),
                PathBuf::from("/lib64/ld-linux-x86-64.so.2")
            ]
        );
        assert!(parse_ldd("\tstatically linked\n").is_empty());
    }

    #[test]
    fn base_has_devices_and_sticky_tmp() {
        let fs = Rootfs::base().unwrap();
        assert_eq!(fs.get("tmp"), Some(&Entry::Dir { perm: 0o1777 }));
        assert_eq!(
            fs.get("/dev/ttyS0"),
            Some(&Entry::CharDev {
                perm: 0o660,
                major: 4,
                minor: 64
            })
        );
        assert_eq!(fs.get("usr"), Some(&Entry::Dir { perm: 0o755 }));
        let keys: Vec<_> = fs.entries.keys().collect();
        // Parents come before children in the written order.
        for (i, k) in keys.iter().enumerate() {
            if let Some(p) = Path::new(k.as_str()).parent() {
                let p = p.to_string_lossy();
                if !p.is_empty() {
                    assert!(keys[..i].iter().any(|q| **q == p), "{p} before {k}");
                }
            }
        }
    }

    #[test]
    fn etc_has_the_network_files() {
        let fs = Rootfs::base().unwrap();
        let text = |p: &str| match fs.get(p) {
            Some(Entry::Data { data, .. }) => String::from_utf8_lossy(data).into_owned(),
            other => panic!("{p}: {other:?}"),
        };
        assert!(text("etc/hosts").contains("127.0.0.1\tlocalhost\n"));
        assert!(text("etc/hosts").contains("10.0.2.15\trill\n"));
        assert_eq!(text("etc/resolv.conf"), "nameserver 10.0.2.3\n");
        assert!(text("etc/nsswitch.conf").contains("hosts: files dns\n"));
        assert!(text("etc/passwd").contains("\nwww-data:x:33:33:"));
        assert!(text("etc/group").contains("\nwww-data:x:33:\n"));
        let services = text("etc/services");
        assert!(services
            .lines()
            .any(|l| l.starts_with("rtsp") && l.contains("554/tcp")));
        assert!(services
            .lines()
            .any(|l| l.starts_with("http") && l.contains("80/tcp")));
        assert!(text("etc/protocols")
            .lines()
            .any(|l| l.starts_with("tcp\t6")));
    }

    #[test]
    fn symlinked_components_are_reproduced() {
        // Build a little tree with a merged-/usr style link in a temp dir.
        let root = std::env::temp_dir().join(format!("xtask-rootfs-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("usr/lib")).unwrap();
        fs::write(root.join("usr/lib/libx.so.1.2"), b"ELF").unwrap();
        std::os::unix::fs::symlink("libx.so.1.2", root.join("usr/lib/libx.so.1")).unwrap();
        std::os::unix::fs::symlink("usr/lib", root.join("lib")).unwrap();
        let mut fs_ = Rootfs::default();
        fs_.add_host_path(&root.join("lib/libx.so.1")).unwrap();
        let k = |p: &str| guest_key(&root.join(p));
        assert_eq!(
            fs_.get(&k("lib")),
            Some(&Entry::Symlink {
                target: "usr/lib".into()
            })
        );
        assert_eq!(
            fs_.get(&k("usr/lib/libx.so.1")),
            Some(&Entry::Symlink {
                target: "libx.so.1.2".into()
            })
        );
        assert!(matches!(
            fs_.get(&k("usr/lib/libx.so.1.2")),
            Some(Entry::HostFile { .. })
        ));
        // A guest directory where the host has a symlink: the full path becomes a link.
        let mut fs2 = Rootfs::default();
        fs2.mkdir_p(&k("lib"), 0o755);
        fs2.add_host_path(&root.join("lib/libx.so.1")).unwrap();
        assert_eq!(fs2.get(&k("lib")), Some(&Entry::Dir { perm: 0o755 }));
        assert_eq!(
            fs2.get(&k("lib/libx.so.1")),
            Some(&Entry::Symlink {
                target: root
                    .join("usr/lib/libx.so.1")
                    .to_string_lossy()
                    .into_owned()
            })
        );
        assert!(matches!(
            fs2.get(&k("usr/lib/libx.so.1.2")),
            Some(Entry::HostFile { .. })
        ));
        fs::remove_dir_all(&root).unwrap();
    }
}
