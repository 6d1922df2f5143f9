//! File-system types, super blocks and the one mount table, as Linux has them.
//!
//! * A [`FsType`] in the [`Registry`] names a file-system type and builds a
//!   [`SuperBlock`] from the mount source, the super-block flags and the parsed
//!   options (`/proc/filesystems` lists the registry).
//! * A [`SuperBlock`] is one file system instance: its [`FileSystem`] (root,
//!   `statfs`, options, reconfiguration) and its `SB_*` flags (`SB_RDONLY`...).
//! * A [`Mount`] places a super block's subtree (its root, or a directory of it
//!   for a bind mount) on a node of a parent mount, with per-mount `MNT_*` flags.
//!   Every [`crate::Location`] entry holds the mount it is in, so a mount is busy
//!   while a cwd, root or open file is inside it.
//! * The [`MountTable`] holds every attached mount (in creation order, as
//!   `/proc/self/mounts` lists them) and answers path walking: which mount covers
//!   a node of a mount.
//!
//! The `mount(2)` flag split, the option syntax, the errno order and the
//! `/proc/self/mounts` and `mountinfo` formats follow Linux (fs/namespace.c,
//! fs/fs_context.c, fs/proc_namespace.c).
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt::Write;
use rill_abi::{Errno, KResult};
use spin::Mutex;

use crate::inode::Inode;
use crate::path::Location;

/// `mount(2)` flags (`MS_*`, include/uapi/linux/mount.h).
pub mod ms {
    pub const RDONLY: u64 = 1;
    pub const NOSUID: u64 = 2;
    pub const NODEV: u64 = 4;
    pub const NOEXEC: u64 = 8;
    pub const SYNCHRONOUS: u64 = 16;
    pub const REMOUNT: u64 = 32;
    pub const MANDLOCK: u64 = 64;
    pub const DIRSYNC: u64 = 128;
    pub const NOSYMFOLLOW: u64 = 256;
    pub const NOATIME: u64 = 1024;
    pub const NODIRATIME: u64 = 2048;
    pub const BIND: u64 = 4096;
    pub const MOVE: u64 = 8192;
    pub const REC: u64 = 16384;
    pub const SILENT: u64 = 32768;
    pub const POSIXACL: u64 = 1 << 16;
    pub const UNBINDABLE: u64 = 1 << 17;
    pub const PRIVATE: u64 = 1 << 18;
    pub const SLAVE: u64 = 1 << 19;
    pub const SHARED: u64 = 1 << 20;
    pub const RELATIME: u64 = 1 << 21;
    pub const KERNMOUNT: u64 = 1 << 22;
    pub const I_VERSION: u64 = 1 << 23;
    pub const STRICTATIME: u64 = 1 << 24;
    pub const LAZYTIME: u64 = 1 << 25;
    pub const NOUSER: u64 = 1 << 31;
    pub const MGC_VAL: u64 = 0xC0ED_0000;
    pub const MGC_MSK: u64 = 0xffff_0000;
}

/// Super-block flags (`SB_*`, the same bits as their `MS_*`).
pub mod sb {
    pub const RDONLY: u32 = 1;
    pub const SYNCHRONOUS: u32 = 16;
    pub const MANDLOCK: u32 = 64;
    pub const DIRSYNC: u32 = 128;
    pub const SILENT: u32 = 32768;
    pub const POSIXACL: u32 = 1 << 16;
    pub const I_VERSION: u32 = 1 << 23;
    pub const LAZYTIME: u32 = 1 << 25;
    /// What `mount(2)` passes on to the super block.
    pub const FROM_MS: u32 =
        RDONLY | SYNCHRONOUS | MANDLOCK | DIRSYNC | SILENT | POSIXACL | LAZYTIME | I_VERSION;
    /// What a remount may change (`MS_RMT_MASK`).
    pub const RMT_MASK: u32 = RDONLY | SYNCHRONOUS | MANDLOCK | I_VERSION | LAZYTIME;
}

/// Per-mount flags (`MNT_*`, include/linux/mount.h).
pub mod mnt {
    pub const NOSUID: u32 = 0x01;
    pub const NODEV: u32 = 0x02;
    pub const NOEXEC: u32 = 0x04;
    pub const NOATIME: u32 = 0x08;
    pub const NODIRATIME: u32 = 0x10;
    pub const RELATIME: u32 = 0x20;
    pub const READONLY: u32 = 0x40;
    pub const NOSYMFOLLOW: u32 = 0x80;
    pub const ATIME_MASK: u32 = NOATIME | NODIRATIME | RELATIME;
    pub const USER_SETTABLE: u32 =
        NOSUID | NODEV | NOEXEC | NOATIME | NODIRATIME | RELATIME | READONLY | NOSYMFOLLOW;
}

/// `umount2(2)` flags.
pub mod umount {
    pub const FORCE: u32 = 1;
    pub const DETACH: u32 = 2;
    pub const EXPIRE: u32 = 4;
    pub const NOFOLLOW: u32 = 8;
}

/// `statfs` `f_flags` (`ST_*`).
pub mod st {
    pub const RDONLY: u64 = 0x0001;
    pub const NOSUID: u64 = 0x0002;
    pub const NODEV: u64 = 0x0004;
    pub const NOEXEC: u64 = 0x0008;
    pub const SYNCHRONOUS: u64 = 0x0010;
    pub const VALID: u64 = 0x0020;
    pub const MANDLOCK: u64 = 0x0040;
    pub const NOATIME: u64 = 0x0400;
    pub const NODIRATIME: u64 = 0x0800;
    pub const RELATIME: u64 = 0x1000;
    pub const NOSYMFOLLOW: u64 = 0x2000;
}

/// File-system magic numbers (`f_type`, include/uapi/linux/magic.h).
pub mod magic {
    pub const TMPFS: i64 = 0x0102_1994;
    pub const RAMFS: i64 = 0x8584_58f6;
    pub const PROC: i64 = 0x9fa0;
    pub const SYSFS: i64 = 0x6265_6572;
    pub const PIPEFS: i64 = 0x5049_5045;
}

/// What `statfs` reports, less `f_flags` (the mount's, added by [`Mount::statfs`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatFs {
    pub f_type: i64,
    pub bsize: u64,
    pub blocks: u64,
    pub bfree: u64,
    pub bavail: u64,
    pub files: u64,
    pub ffree: u64,
    pub namelen: u64,
    pub frsize: u64,
    pub flags: u64,
}

/// One `key[=value]` of the mount data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountOpt {
    pub key: String,
    pub value: Option<String>,
}

/// The mount data as Linux's generic parser splits it: comma-separated, empty
/// options skipped. The common super-block flags (`ro`, `rw`, `sync`, `async`,
/// `dirsync`, `mand`, `nomand`, `lazytime`, `nolazytime`, `posixacl`) are taken
/// out into (set, clear) `SB_*` masks, as `vfs_parse_sb_flag` does; the rest is
/// for the file system, which rejects what it does not know.
pub fn parse_data(data: &str) -> (Vec<MountOpt>, u32, u32) {
    let mut opts = Vec::new();
    let (mut set, mut clear) = (0u32, 0u32);
    for item in data.split(',') {
        if item.is_empty() {
            continue;
        }
        let (key, value) = match item.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (item, None),
        };
        match key {
            "ro" => set |= sb::RDONLY,
            "sync" => set |= sb::SYNCHRONOUS,
            "dirsync" => set |= sb::DIRSYNC,
            "mand" => set |= sb::MANDLOCK,
            "lazytime" => set |= sb::LAZYTIME,
            "posixacl" => set |= sb::POSIXACL,
            "rw" => clear |= sb::RDONLY,
            "async" => clear |= sb::SYNCHRONOUS,
            "nomand" => clear |= sb::MANDLOCK,
            "nolazytime" => clear |= sb::LAZYTIME,
            _ => opts.push(MountOpt {
                key: key.to_string(),
                value,
            }),
        }
    }
    (opts, set & !clear, clear)
}

/// The per-mount flags of `mount(2)` flags, as `path_mount` computes them: relatime
/// unless noatime or strictatime; a remount without an atime flag keeps `old`'s.
pub fn mnt_flags_of(flags: u64, old: Option<u32>) -> u32 {
    let mut m = 0;
    if flags & ms::NOATIME == 0 {
        m |= mnt::RELATIME;
    }
    for (f, b) in [
        (ms::NOSUID, mnt::NOSUID),
        (ms::NODEV, mnt::NODEV),
        (ms::NOEXEC, mnt::NOEXEC),
        (ms::NOATIME, mnt::NOATIME),
        (ms::NODIRATIME, mnt::NODIRATIME),
        (ms::RDONLY, mnt::READONLY),
        (ms::NOSYMFOLLOW, mnt::NOSYMFOLLOW),
    ] {
        if flags & f != 0 {
            m |= b;
        }
    }
    if flags & ms::STRICTATIME != 0 {
        m &= !(mnt::RELATIME | mnt::NOATIME);
    }
    let atime_flags = ms::NOATIME | ms::NODIRATIME | ms::RELATIME | ms::STRICTATIME;
    if let Some(old) = old {
        if flags & ms::REMOUNT != 0 && flags & atime_flags == 0 {
            m = (m & !mnt::ATIME_MASK) | (old & mnt::ATIME_MASK);
        }
    }
    m
}

/// Linux's `memparse`: a number (decimal, 0x hex, 0 octal) with an optional
/// K/M/G/T/P/E suffix; returns the value and the rest of the string.
pub fn memparse(s: &str) -> Option<(u64, &str)> {
    let (radix, digits) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, h)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    };
    let end = digits
        .char_indices()
        .find(|&(_, c)| !c.is_digit(radix))
        .map_or(digits.len(), |(i, _)| i);
    if end == 0 && radix != 8 {
        return None;
    }
    let mut v: u64 = 0;
    for c in digits[..end].chars() {
        v = v
            .wrapping_mul(radix as u64)
            .wrapping_add(c.to_digit(radix)? as u64);
    }
    let rest = &digits[end..];
    let shift = match rest.chars().next() {
        Some('k' | 'K') => 10,
        Some('m' | 'M') => 20,
        Some('g' | 'G') => 30,
        Some('t' | 'T') => 40,
        Some('p' | 'P') => 50,
        Some('e' | 'E') => 60,
        _ => return Some((v, rest)),
    };
    Some((v.wrapping_shl(shift), &rest[1..]))
}

/// Parses a plain unsigned number as the kernel's `kstrtouint(s, base)` does
/// (base 0: prefix decides).
fn parse_uint(s: &str, base: u32) -> Option<u32> {
    let (radix, d) = match base {
        8 => (8, s),
        _ => {
            if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                (16, h)
            } else if s.len() > 1 && s.starts_with('0') {
                (8, &s[1..])
            } else {
                (10, s)
            }
        }
    };
    let d = d.strip_suffix('\n').unwrap_or(d);
    if d.is_empty() {
        return None;
    }
    u32::from_str_radix(d, radix).ok()
}

/// tmpfs's options (`size=`, `nr_blocks=`, `nr_inodes=`, `mode=`, `uid=`, `gid=`),
/// parsed as mm/shmem.c does; `None` where not given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TmpfsOptions {
    pub blocks: Option<u64>,
    pub inodes: Option<u64>,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

/// Parses tmpfs options; `ram_pages` sizes `size=N%`. An unknown option or a bad
/// value is EINVAL (Linux: "tmpfs: Unknown parameter", "Bad value").
pub fn parse_tmpfs_options(opts: &[MountOpt], ram_pages: u64) -> KResult<TmpfsOptions> {
    let mut o = TmpfsOptions::default();
    for opt in opts {
        let v = opt.value.as_deref();
        match opt.key.as_str() {
            "size" => {
                let (mut size, rest) = memparse(v.ok_or(Errno::EINVAL)?).ok_or(Errno::EINVAL)?;
                let rest = match rest.strip_prefix('%') {
                    Some(r) => {
                        size = (size << 12).wrapping_mul(ram_pages) / 100;
                        r
                    }
                    None => rest,
                };
                if !rest.is_empty() {
                    return Err(Errno::EINVAL);
                }
                o.blocks = Some(size.div_ceil(4096));
            }
            "nr_blocks" => {
                let (n, rest) = memparse(v.ok_or(Errno::EINVAL)?).ok_or(Errno::EINVAL)?;
                if !rest.is_empty() {
                    return Err(Errno::EINVAL);
                }
                o.blocks = Some(n);
            }
            "nr_inodes" => {
                let (n, rest) = memparse(v.ok_or(Errno::EINVAL)?).ok_or(Errno::EINVAL)?;
                if !rest.is_empty() || n > u64::MAX / 1024 {
                    return Err(Errno::EINVAL);
                }
                o.inodes = Some(n);
            }
            "mode" => {
                o.mode = Some(parse_uint(v.ok_or(Errno::EINVAL)?, 8).ok_or(Errno::EINVAL)? & 0o7777)
            }
            "uid" => {
                let u = parse_uint(v.ok_or(Errno::EINVAL)?, 0).ok_or(Errno::EINVAL)?;
                if u == u32::MAX {
                    return Err(Errno::EINVAL);
                }
                o.uid = Some(u);
            }
            "gid" => {
                let g = parse_uint(v.ok_or(Errno::EINVAL)?, 0).ok_or(Errno::EINVAL)?;
                if g == u32::MAX {
                    return Err(Errno::EINVAL);
                }
                o.gid = Some(g);
            }
            _ => return Err(Errno::EINVAL),
        }
    }
    Ok(o)
}

/// One file system instance, as its type's constructor made it.
pub trait FileSystem: Send + Sync {
    /// The root directory.
    fn root(&self) -> Arc<dyn Inode>;
    /// Capacity and use (`f_flags` is added from the mount).
    fn statfs(&self) -> StatFs;
    /// The file-system-specific part of the mount options, each with a leading
    /// comma (e.g. `,size=1024k`), as its `show_options` prints them.
    fn show_options(&self) -> String {
        String::new()
    }
    /// A remount's options (after the common flags were taken out). The
    /// default takes none: EINVAL, as Linux's parser for a type with no options.
    fn reconfigure(&self, opts: &[MountOpt]) -> KResult<()> {
        if opts.is_empty() {
            Ok(())
        } else {
            Err(Errno::EINVAL)
        }
    }
}

/// A mounted file system instance: the file system and its `SB_*` flags.
pub struct SuperBlock {
    pub fs_type: &'static str,
    pub fs: Arc<dyn FileSystem>,
    flags: Mutex<u32>,
}

impl SuperBlock {
    pub fn new(fs_type: &'static str, fs: Arc<dyn FileSystem>, flags: u32) -> Arc<SuperBlock> {
        Arc::new(SuperBlock {
            fs_type,
            fs,
            flags: Mutex::new(flags & sb::FROM_MS & !sb::SILENT),
        })
    }
    pub fn flags(&self) -> u32 {
        *self.flags.lock()
    }
    pub fn rdonly(&self) -> bool {
        self.flags() & sb::RDONLY != 0
    }
    /// `st_dev` of its nodes (major:minor in mountinfo).
    pub fn dev(&self) -> u64 {
        self.fs.root().metadata().dev
    }
    /// A remount: new options, then the flags in `RMT_MASK` replaced.
    pub fn reconfigure(&self, flags: u32, opts: &[MountOpt]) -> KResult<()> {
        self.fs.reconfigure(opts)?;
        let mut f = self.flags.lock();
        *f = (*f & !sb::RMT_MASK) | (flags & sb::RMT_MASK);
        Ok(())
    }
    fn show_sb_opts(&self, s: &mut String) {
        let f = self.flags();
        for (b, n) in [
            (sb::SYNCHRONOUS, ",sync"),
            (sb::DIRSYNC, ",dirsync"),
            (sb::MANDLOCK, ",mand"),
            (sb::LAZYTIME, ",lazytime"),
        ] {
            if f & b != 0 {
                s.push_str(n);
            }
        }
    }
}

/// What a constructor gets: the source ("none" when NULL), the `SB_*` flags and
/// the file system's options.
pub struct MountRequest<'a> {
    pub source: &'a [u8],
    pub sb_flags: u32,
    pub options: &'a [MountOpt],
}

pub type MountFn = fn(&MountRequest) -> KResult<Arc<SuperBlock>>;

/// A registered file-system type.
#[derive(Clone, Copy)]
pub struct FsType {
    pub name: &'static str,
    /// Needs no block device (`nodev` in /proc/filesystems).
    pub nodev: bool,
    pub mount: MountFn,
}

/// The file-system types `mount(2)` knows.
#[derive(Default)]
pub struct Registry {
    types: Mutex<Vec<FsType>>,
}

impl Registry {
    pub const fn new() -> Self {
        Registry {
            types: Mutex::new(Vec::new()),
        }
    }
    /// Adds a type (EBUSY if the name is taken, as `register_filesystem`).
    pub fn register(&self, t: FsType) -> KResult<()> {
        let mut v = self.types.lock();
        if v.iter().any(|x| x.name == t.name) {
            return Err(Errno::EBUSY);
        }
        v.push(t);
        Ok(())
    }
    pub fn get(&self, name: &str) -> Option<FsType> {
        self.types.lock().iter().find(|t| t.name == name).copied()
    }
    /// `/proc/filesystems`: `nodev\tNAME` or `\tNAME`, in registration order.
    pub fn proc_filesystems(&self) -> String {
        let mut s = String::new();
        for t in self.types.lock().iter() {
            let _ = writeln!(s, "{}\t{}", if t.nodev { "nodev" } else { "" }, t.name);
        }
        s
    }
}

/// Propagation type of a mount (there are no other namespaces to propagate to,
/// so this is recorded and shown only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    Private,
    /// Shared, with its peer group id.
    Shared(u32),
    Unbindable,
}

struct MountState {
    parent: u32,
    /// The covered node's path relative to the parent mount's root ("/" for the
    /// root mount), as bytes.
    mp_rel: Vec<u8>,
    /// (fs_id, ino) of the covered node in the parent mount.
    covered: (u64, u64),
    flags: u32,
    prop: Propagation,
    attached: bool,
    expiry_mark: bool,
}

/// One mount.
pub struct Mount {
    pub id: u32,
    pub sb: Arc<SuperBlock>,
    root: Arc<dyn Inode>,
    /// The mounted root's path inside the file system ("/" but for bind mounts).
    root_path: Vec<u8>,
    /// The device name ("none" when none was given): any bytes, as the user gave it.
    source: Vec<u8>,
    state: Mutex<MountState>,
}

impl Mount {
    pub fn root(&self) -> &Arc<dyn Inode> {
        &self.root
    }
    pub fn flags(&self) -> u32 {
        self.state.lock().flags
    }
    pub fn source(&self) -> &[u8] {
        &self.source
    }
    pub fn root_path(&self) -> &[u8] {
        &self.root_path
    }
    pub fn propagation(&self) -> Propagation {
        self.state.lock().prop
    }
    /// Whether it is still in the table (not lazily unmounted).
    pub fn attached(&self) -> bool {
        self.state.lock().attached
    }
    /// Read-only by its own flag or its super block's (`mnt_is_readonly`).
    pub fn readonly(&self) -> bool {
        self.flags() & mnt::READONLY != 0 || self.sb.rdonly()
    }
    /// EROFS when nothing may be written through this mount (`mnt_want_write`).
    pub fn want_write(&self) -> KResult<()> {
        if self.readonly() {
            Err(Errno::EROFS)
        } else {
            Ok(())
        }
    }
    pub fn noexec(&self) -> bool {
        self.flags() & mnt::NOEXEC != 0
    }
    pub fn nosuid(&self) -> bool {
        self.flags() & mnt::NOSUID != 0
    }
    pub fn nodev(&self) -> bool {
        self.flags() & mnt::NODEV != 0
    }
    /// The file system's figures with `f_flags` from this mount and its super
    /// block (`ST_VALID` always, as `calculate_f_flags`), and `f_frsize` defaulted.
    pub fn statfs(&self) -> StatFs {
        let mut s = self.sb.fs.statfs();
        if s.frsize == 0 {
            s.frsize = s.bsize;
        }
        let m = self.flags();
        let mut f = st::VALID;
        for (b, v) in [
            (mnt::READONLY, st::RDONLY),
            (mnt::NOSUID, st::NOSUID),
            (mnt::NODEV, st::NODEV),
            (mnt::NOEXEC, st::NOEXEC),
            (mnt::NOATIME, st::NOATIME),
            (mnt::NODIRATIME, st::NODIRATIME),
            (mnt::RELATIME, st::RELATIME),
            (mnt::NOSYMFOLLOW, st::NOSYMFOLLOW),
        ] {
            if m & b != 0 {
                f |= v;
            }
        }
        let sf = self.sb.flags();
        if sf & sb::RDONLY != 0 {
            f |= st::RDONLY;
        }
        if sf & sb::SYNCHRONOUS != 0 {
            f |= st::SYNCHRONOUS;
        }
        if sf & sb::MANDLOCK != 0 {
            f |= st::MANDLOCK;
        }
        s.flags = f;
        s
    }
    fn show_mnt_opts(&self, s: &mut String) {
        let f = self.flags();
        for (b, n) in [
            (mnt::NOSUID, ",nosuid"),
            (mnt::NODEV, ",nodev"),
            (mnt::NOEXEC, ",noexec"),
            (mnt::NOATIME, ",noatime"),
            (mnt::NODIRATIME, ",nodiratime"),
            (mnt::RELATIME, ",relatime"),
            (mnt::NOSYMFOLLOW, ",nosymfollow"),
        ] {
            if f & b != 0 {
                s.push_str(n);
            }
        }
    }
}

/// Escapes space, tab, newline and backslash as `\ooo` (the kernel's `mangle`,
/// `seq_escape(m, s, " \t\n\\")`); every other byte, UTF-8 or not, is copied
/// as it is.
pub fn mangle(s: &[u8]) -> Vec<u8> {
    let mut o = Vec::with_capacity(s.len());
    for &c in s {
        match c {
            b' ' | b'\t' | b'\n' | b'\\' => {
                o.push(b'\\');
                o.push(b'0' + (c >> 6));
                o.push(b'0' + ((c >> 3) & 7));
                o.push(b'0' + (c & 7));
            }
            _ => o.push(c),
        }
    }
    o
}

struct Inner {
    mounts: BTreeMap<u32, Arc<Mount>>,
    /// (parent mount id, covered node key) -> the mount on it.
    covered: BTreeMap<(u32, (u64, u64)), u32>,
    root: u32,
    next_id: u32,
    next_group: u32,
}

/// The mount table: every attached mount.
pub struct MountTable {
    inner: Mutex<Inner>,
}

fn join(a: &[u8], b: &[u8]) -> Vec<u8> {
    if a == b"/" {
        b.to_vec()
    } else if b == b"/" {
        a.to_vec()
    } else {
        [a, b].concat()
    }
}

impl MountTable {
    /// A table whose root mount is `root_sb` (Linux numbers mounts from 1 too,
    /// but its first ids go to internal mounts).
    pub fn new(root_sb: Arc<SuperBlock>, source: &[u8]) -> MountTable {
        let root = root_sb.fs.root();
        let m = Arc::new(Mount {
            id: 1,
            sb: root_sb,
            root,
            root_path: b"/".to_vec(),
            source: source.to_vec(),
            state: Mutex::new(MountState {
                parent: 1,
                mp_rel: b"/".to_vec(),
                covered: (0, 0),
                flags: 0,
                prop: Propagation::Private,
                attached: true,
                expiry_mark: false,
            }),
        });
        let mut mounts = BTreeMap::new();
        mounts.insert(1, m);
        MountTable {
            inner: Mutex::new(Inner {
                mounts,
                covered: BTreeMap::new(),
                root: 1,
                next_id: 2,
                next_group: 1,
            }),
        }
    }

    pub fn root_mount(&self) -> Arc<Mount> {
        let g = self.inner.lock();
        // The root mount is never removed (umount of it is refused).
        g.mounts
            .get(&g.root)
            .cloned()
            .unwrap_or_else(unreachable_root)
    }

    /// A location at the root of the root mount.
    pub fn root_location(&self) -> Location {
        Location::mount_root(self.root_mount())
    }

    /// The mount on `node` of mount `mnt`, following stacked mounts.
    pub fn cross(&self, mnt: &Arc<Mount>, node: Arc<dyn Inode>) -> (Arc<Mount>, Arc<dyn Inode>) {
        let g = self.inner.lock();
        let (mut m, mut n) = (mnt.clone(), node);
        // Bounded so a cyclic table cannot hang us.
        for _ in 0..64 {
            match g
                .covered
                .get(&(m.id, n.key()))
                .and_then(|id| g.mounts.get(id))
            {
                Some(top) => {
                    m = top.clone();
                    n = top.root.clone();
                }
                None => break,
            }
        }
        (m, n)
    }

    /// Whether something is mounted on the node `loc` names.
    pub fn is_mountpoint(&self, loc: &Location) -> bool {
        let g = self.inner.lock();
        g.covered.contains_key(&(loc.mount().id, loc.inode().key()))
    }

    /// The mount a bare inode is best placed in (for magic links, which give
    /// no mount): the first attached mount of its file system whose root is
    /// that file system's root, else any of it, else `fallback`.
    pub fn mount_of_inode(&self, node: &Arc<dyn Inode>, fallback: &Arc<Mount>) -> Arc<Mount> {
        let fs = node.fs_id();
        let g = self.inner.lock();
        let mut any = None;
        for m in g.mounts.values() {
            if m.root.fs_id() == fs {
                if m.root_path == b"/" {
                    return m.clone();
                }
                any.get_or_insert_with(|| m.clone());
            }
        }
        any.unwrap_or_else(|| fallback.clone())
    }

    fn attach(
        g: &mut Inner,
        at: &Location,
        sb: Arc<SuperBlock>,
        root: Arc<dyn Inode>,
        root_path: Vec<u8>,
        source: &[u8],
        flags: u32,
    ) -> Arc<Mount> {
        let parent = at.mount().clone();
        let id = g.next_id;
        g.next_id += 1;
        let m = Arc::new(Mount {
            id,
            sb,
            root,
            root_path,
            source: source.to_vec(),
            state: Mutex::new(MountState {
                parent: parent.id,
                mp_rel: at.path_in_mount(),
                covered: at.inode().key(),
                flags,
                prop: Propagation::Private,
                attached: true,
                expiry_mark: false,
            }),
        });
        g.covered.insert((parent.id, at.inode().key()), id);
        g.mounts.insert(id, m.clone());
        m
    }

    /// A new mount of `sb` on `at` (the top of what is mounted there). EBUSY for
    /// the same super block on the root of its own mount there, ENOTDIR when
    /// one of the node and the root is a directory and the other is not.
    pub fn mount_new(
        &self,
        at: &Location,
        sbk: Arc<SuperBlock>,
        source: &[u8],
        flags: u32,
    ) -> KResult<Arc<Mount>> {
        let root = sbk.fs.root();
        if Arc::ptr_eq(&at.mount().sb, &sbk) && at.is_mount_root() {
            return Err(Errno::EBUSY);
        }
        if at.inode().is_dir() != root.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        let mut g = self.inner.lock();
        Ok(Self::attach(
            &mut g,
            at,
            sbk,
            root,
            b"/".to_vec(),
            source,
            flags & mnt::USER_SETTABLE,
        ))
    }

    /// `MS_BIND`: mounts what `from` names on `at` with `from`'s mount flags;
    /// with `rec`, the mounts below `from` come along.
    pub fn bind(&self, from: &Location, at: &Location, rec: bool) -> KResult<Arc<Mount>> {
        let src = from.mount().clone();
        if src.propagation() == Propagation::Unbindable {
            return Err(Errno::EINVAL);
        }
        if !src.attached() {
            return Err(Errno::EINVAL);
        }
        if at.inode().is_dir() != from.inode().is_dir() {
            return Err(Errno::ENOTDIR);
        }
        let rel = from.path_in_mount();
        let root_path = join(&src.root_path, &rel);
        let mut g = self.inner.lock();
        let new = Self::attach(
            &mut g,
            at,
            src.sb.clone(),
            from.inode().clone(),
            root_path,
            &src.source,
            src.flags(),
        );
        if rec {
            // Copy the submounts inside the bound subtree, parents first (ids
            // grow with creation, and a child is always newer than its parent).
            let mut map: BTreeMap<u32, (Arc<Mount>, Vec<u8>)> = BTreeMap::new();
            map.insert(src.id, (new.clone(), rel.clone()));
            let olds: Vec<Arc<Mount>> = g.mounts.values().cloned().collect();
            for c in olds {
                if c.id == new.id || c.id == src.id {
                    continue;
                }
                let (parent, mp_rel, covered, flags) = {
                    let s = c.state.lock();
                    (s.parent, s.mp_rel.clone(), s.covered, s.flags)
                };
                let Some((np, prefix)) = map.get(&parent).cloned() else {
                    continue;
                };
                if c.propagation() == Propagation::Unbindable {
                    continue;
                }
                // Inside the subtree: mp_rel under `prefix` (the bound path in
                // the parent), re-rooted.
                let inside = if prefix == b"/" {
                    Some(mp_rel.clone())
                } else if mp_rel == prefix {
                    Some(b"/".to_vec())
                } else {
                    mp_rel
                        .strip_prefix(prefix.as_slice())
                        .filter(|r| r.starts_with(b"/"))
                        .map(|r| r.to_vec())
                };
                let Some(new_rel) = inside else { continue };
                let id = g.next_id;
                g.next_id += 1;
                let m = Arc::new(Mount {
                    id,
                    sb: c.sb.clone(),
                    root: c.root.clone(),
                    root_path: c.root_path.clone(),
                    source: c.source.clone(),
                    state: Mutex::new(MountState {
                        parent: np.id,
                        mp_rel: new_rel,
                        covered,
                        flags,
                        prop: Propagation::Private,
                        attached: true,
                        expiry_mark: false,
                    }),
                });
                g.covered.insert((np.id, covered), id);
                g.mounts.insert(id, m.clone());
                map.insert(c.id, (m, b"/".to_vec()));
            }
        }
        Ok(new)
    }

    /// `MS_REMOUNT|MS_BIND`: only the mount's flags change (EINVAL unless `at` is
    /// a mount's root).
    pub fn reconfigure_mount(&self, at: &Location, flags: u32) -> KResult<()> {
        if !at.is_mount_root() || !at.mount().attached() {
            return Err(Errno::EINVAL);
        }
        let mut s = at.mount().state.lock();
        s.flags = (flags & mnt::USER_SETTABLE) | (s.flags & !mnt::USER_SETTABLE);
        Ok(())
    }

    /// `MS_REMOUNT`: the super block's options and flags, then the mount's flags.
    pub fn remount(
        &self,
        at: &Location,
        sb_flags: u32,
        mnt_flags: u32,
        opts: &[MountOpt],
    ) -> KResult<()> {
        if !at.is_mount_root() || !at.mount().attached() {
            return Err(Errno::EINVAL);
        }
        at.mount().sb.reconfigure(sb_flags, opts)?;
        let mut s = at.mount().state.lock();
        s.flags = (mnt_flags & mnt::USER_SETTABLE) | (s.flags & !mnt::USER_SETTABLE);
        Ok(())
    }

    /// `MS_SHARED`/`MS_PRIVATE`/`MS_SLAVE`/`MS_UNBINDABLE` (one of them, with
    /// `MS_REC` for the whole subtree): EINVAL unless `at` is a mount's root.
    /// A slave of no master is private, as Linux makes it.
    pub fn change_type(&self, at: &Location, flags: u64) -> KResult<()> {
        let t = flags & !(ms::REC | ms::SILENT);
        if !t.is_power_of_two() {
            return Err(Errno::EINVAL);
        }
        if !at.is_mount_root() || !at.mount().attached() {
            return Err(Errno::EINVAL);
        }
        let mut g = self.inner.lock();
        let mut ids = alloc::vec![at.mount().id];
        if flags & ms::REC != 0 {
            let mut i = 0;
            while i < ids.len() {
                let p = ids[i];
                for m in g.mounts.values() {
                    if m.id != p && m.state.lock().parent == p && !ids.contains(&m.id) {
                        ids.push(m.id);
                    }
                }
                i += 1;
            }
        }
        for id in ids {
            let prop = match t {
                ms::SHARED => {
                    let cur = g.mounts.get(&id).map(|m| m.propagation());
                    if let Some(Propagation::Shared(gid)) = cur {
                        Propagation::Shared(gid)
                    } else {
                        let gid = g.next_group;
                        g.next_group += 1;
                        Propagation::Shared(gid)
                    }
                }
                ms::UNBINDABLE => Propagation::Unbindable,
                _ => Propagation::Private,
            };
            if let Some(m) = g.mounts.get(&id) {
                m.state.lock().prop = prop;
            }
        }
        Ok(())
    }

    /// `MS_MOVE`: moves the mount whose root `from` is onto `at`. EINVAL unless
    /// `from` is a mount's root (not the root mount); ELOOP onto itself or below.
    pub fn move_mount(&self, from: &Location, at: &Location) -> KResult<()> {
        let m = from.mount().clone();
        let mut g = self.inner.lock();
        if !from.is_mount_root() || !m.attached() || m.id == g.root {
            return Err(Errno::EINVAL);
        }
        if at.inode().is_dir() != m.root.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        // `at` must not be inside the moved tree.
        let mut cur = at.mount().id;
        for _ in 0..4096 {
            if cur == m.id {
                return Err(Errno::ELOOP);
            }
            let Some(c) = g.mounts.get(&cur) else { break };
            let p = c.state.lock().parent;
            if p == cur {
                break;
            }
            cur = p;
        }
        let mut s = m.state.lock();
        g.covered.remove(&(s.parent, s.covered));
        s.parent = at.mount().id;
        s.mp_rel = at.path_in_mount();
        s.covered = at.inode().key();
        g.covered.insert((s.parent, s.covered), m.id);
        Ok(())
    }

    fn children(g: &Inner, id: u32) -> Vec<u32> {
        g.mounts
            .values()
            .filter(|m| m.id != id && m.state.lock().parent == id)
            .map(|m| m.id)
            .collect()
    }

    fn detach_tree(g: &mut Inner, id: u32) {
        for c in Self::children(g, id) {
            Self::detach_tree(g, c);
        }
        if let Some(m) = g.mounts.remove(&id) {
            let mut s = m.state.lock();
            g.covered.remove(&(s.parent, s.covered));
            s.attached = false;
        }
    }

    /// `umount2` of the mount whose root `at` is. `holders`: references to that
    /// mount the caller holds besides the table's (its `at`, usually 1). EINVAL if
    /// `at` is no mount's root or for bad flag combinations; EBUSY while it has
    /// submounts or is in use (a cwd, root or open file inside), unless
    /// `MNT_DETACH`, which takes the tree out now and lets it go when unused;
    /// `MNT_EXPIRE` marks it first (EAGAIN) and unmounts it on a second call.
    pub fn umount(&self, at: &Location, flags: u32, holders: usize) -> KResult<()> {
        let m = at.mount().clone();
        // +1 for the clone just made.
        let users = Arc::strong_count(&m).saturating_sub(holders + 2);
        let mut g = self.inner.lock();
        if !at.is_mount_root() || !m.attached() {
            return Err(Errno::EINVAL);
        }
        if flags & umount::EXPIRE != 0 {
            if m.id == g.root || flags & (umount::FORCE | umount::DETACH) != 0 {
                return Err(Errno::EINVAL);
            }
            let mut s = m.state.lock();
            if !s.expiry_mark {
                s.expiry_mark = true;
                return Err(Errno::EAGAIN);
            }
        }
        if m.id == g.root {
            return Err(Errno::EBUSY);
        }
        if flags & umount::DETACH != 0 {
            Self::detach_tree(&mut g, m.id);
            return Ok(());
        }
        if users > 0 || !Self::children(&g, m.id).is_empty() {
            return Err(Errno::EBUSY);
        }
        Self::detach_tree(&mut g, m.id);
        Ok(())
    }

    /// All attached mounts, in creation order.
    pub fn entries(&self) -> Vec<Arc<Mount>> {
        self.inner.lock().mounts.values().cloned().collect()
    }

    fn abs_path(g: &Inner, m: &Mount) -> Vec<u8> {
        let mut parts: Vec<Vec<u8>> = Vec::new();
        let (mut p, mut rel) = {
            let s = m.state.lock();
            (s.parent, s.mp_rel.clone())
        };
        let mut id = m.id;
        for _ in 0..4096 {
            if p == id {
                break;
            }
            parts.push(rel);
            let Some(pm) = g.mounts.get(&p) else { break };
            let s = pm.state.lock();
            id = p;
            p = s.parent;
            rel = s.mp_rel.clone();
        }
        let mut out = b"/".to_vec();
        for r in parts.iter().rev() {
            out = join(&out, r);
        }
        out
    }

    /// Mount points as seen from `root` (a process's root): the mounts below
    /// it with their paths relative to it.
    fn visible(&self, root: &Location) -> Vec<(Arc<Mount>, Vec<u8>)> {
        let g = self.inner.lock();
        let rp = root.path();
        g.mounts
            .values()
            .filter_map(|m| {
                let p = Self::abs_path(&g, m);
                let shown = if rp == b"/" {
                    p
                } else if p == rp {
                    b"/".to_vec()
                } else {
                    p.strip_prefix(rp.as_slice())
                        .filter(|r| r.starts_with(b"/"))?
                        .to_vec()
                };
                Some((m.clone(), shown))
            })
            .collect()
    }

    /// `/proc/self/mounts` for a process whose root is `root`: bytes, as the
    /// source and paths are (escaped by [`mangle`], other bytes raw as on Linux).
    pub fn format_mounts(&self, root: &Location) -> Vec<u8> {
        let mut s = Vec::new();
        for (m, path) in self.visible(root) {
            s.extend_from_slice(&mangle(&m.source));
            s.push(b' ');
            s.extend_from_slice(&mangle(&path));
            s.push(b' ');
            s.extend_from_slice(&mangle(m.sb.fs_type.as_bytes()));
            let mut o = String::new();
            o.push_str(if m.readonly() { " ro" } else { " rw" });
            m.sb.show_sb_opts(&mut o);
            m.show_mnt_opts(&mut o);
            o.push_str(&m.sb.fs.show_options());
            o.push_str(" 0 0\n");
            s.extend_from_slice(o.as_bytes());
        }
        s
    }

    /// `/proc/self/mountinfo` for a process whose root is `root` (bytes, as
    /// [`MountTable::format_mounts`]).
    pub fn format_mountinfo(&self, root: &Location) -> Vec<u8> {
        let mut s = Vec::new();
        for (m, path) in self.visible(root) {
            let (parent, prop, ro) = {
                let st = m.state.lock();
                (st.parent, st.prop, st.flags & mnt::READONLY != 0)
            };
            let dev = m.sb.dev();
            let ids = format!(
                "{} {} {}:{} ",
                m.id,
                parent,
                crate::dev::major(dev),
                crate::dev::minor(dev),
            );
            s.extend_from_slice(ids.as_bytes());
            s.extend_from_slice(&mangle(&m.root_path));
            s.push(b' ');
            s.extend_from_slice(&mangle(&path));
            let mut o = String::new();
            o.push_str(if ro { " ro" } else { " rw" });
            m.show_mnt_opts(&mut o);
            match prop {
                Propagation::Shared(g) => {
                    let _ = write!(o, " shared:{g}");
                }
                Propagation::Unbindable => o.push_str(" unbindable"),
                Propagation::Private => {}
            }
            o.push_str(" - ");
            s.extend_from_slice(o.as_bytes());
            s.extend_from_slice(&mangle(m.sb.fs_type.as_bytes()));
            s.push(b' ');
            s.extend_from_slice(&mangle(&m.source));
            let mut o = String::new();
            o.push_str(if m.sb.rdonly() { " ro" } else { " rw" });
            m.sb.show_sb_opts(&mut o);
            o.push_str(&m.sb.fs.show_options());
            o.push('\n');
            s.extend_from_slice(o.as_bytes());
        }
        s
    }
}

#[cold]
fn unreachable_root() -> Arc<Mount> {
    // The table is built with its root and never loses it; should that ever be
    // broken, a detached empty mount is safer than a panic.
    let fs = crate::tmpfs::TmpFs::new();
    let sbk = SuperBlock::new("rootfs", Arc::new(TmpfsSb::new(fs, false)), 0);
    Arc::new(Mount {
        id: 0,
        root: sbk.fs.root(),
        sb: sbk,
        root_path: b"/".to_vec(),
        source: b"none".to_vec(),
        state: Mutex::new(MountState {
            parent: 0,
            mp_rel: b"/".to_vec(),
            covered: (0, 0),
            flags: 0,
            prop: Propagation::Private,
            attached: false,
            expiry_mark: false,
        }),
    })
}

/// Physical memory figures tmpfs sizes itself by: (total pages, free pages).
static MEM_INFO: Mutex<fn() -> (u64, u64)> = Mutex::new(|| (262_144, 131_072));

/// Installs the kernel's memory figures.
pub fn set_mem_info(f: fn() -> (u64, u64)) {
    *MEM_INFO.lock() = f;
}

fn mem_info() -> (u64, u64) {
    (MEM_INFO.lock())()
}

/// A tmpfs (or ramfs) instance as a [`FileSystem`].
pub struct TmpfsSb {
    fs: Arc<crate::tmpfs::TmpFs>,
    /// ramfs: no limits, options ignored but `mode`.
    ramfs: bool,
    opts: Mutex<TmpfsOptions>,
}

impl TmpfsSb {
    pub fn new(fs: Arc<crate::tmpfs::TmpFs>, ramfs: bool) -> TmpfsSb {
        TmpfsSb {
            fs,
            ramfs,
            opts: Mutex::new(TmpfsOptions::default()),
        }
    }
    /// A tmpfs sized by default (half of memory, as many inodes) whose root
    /// has `opts`'s mode and owner, showing them as mount options.
    pub fn with_options(fs: Arc<crate::tmpfs::TmpFs>, opts: TmpfsOptions) -> TmpfsSb {
        use core::sync::atomic::Ordering::Relaxed;
        let root = fs.root();
        if let Some(m) = opts.mode {
            let _ = root.chmod(m);
        }
        if opts.uid.is_some() || opts.gid.is_some() {
            let _ = root.chown(opts.uid, opts.gid);
        }
        let l = fs.limits();
        l.max_blocks
            .store(opts.blocks.unwrap_or_else(Self::default_blocks), Relaxed);
        l.max_inodes
            .store(opts.inodes.unwrap_or_else(Self::default_blocks), Relaxed);
        TmpfsSb {
            fs,
            ramfs: false,
            opts: Mutex::new(opts),
        }
    }
    fn default_blocks() -> u64 {
        mem_info().0 / 2
    }
}

fn tmpfs_new(r: &MountRequest, ramfs: bool) -> KResult<Arc<SuperBlock>> {
    let (total, _) = mem_info();
    let o = if ramfs {
        // ramfs takes `mode=` and ignores everything else.
        let mode = r
            .options
            .iter()
            .filter(|o| o.key == "mode")
            .try_fold(None, |_, o| {
                parse_uint(o.value.as_deref().ok_or(Errno::EINVAL)?, 8)
                    .map(|m| Some(m & 0o7777))
                    .ok_or(Errno::EINVAL)
            })?;
        TmpfsOptions {
            mode,
            ..TmpfsOptions::default()
        }
    } else {
        parse_tmpfs_options(r.options, total)?
    };
    let fs = crate::tmpfs::TmpFs::new();
    let root = fs.root();
    let default_mode = if ramfs { 0o755 } else { 0o1777 };
    root.chmod(o.mode.unwrap_or(default_mode))?;
    if o.uid.is_some() || o.gid.is_some() {
        root.chown(o.uid, o.gid)?;
    }
    if !ramfs {
        let l = fs.limits();
        l.max_blocks.store(
            o.blocks.unwrap_or_else(TmpfsSb::default_blocks),
            core::sync::atomic::Ordering::Relaxed,
        );
        l.max_inodes.store(
            o.inodes.unwrap_or_else(TmpfsSb::default_blocks),
            core::sync::atomic::Ordering::Relaxed,
        );
    }
    let sbi = TmpfsSb {
        fs,
        ramfs,
        opts: Mutex::new(o),
    };
    Ok(SuperBlock::new(
        if ramfs { "ramfs" } else { "tmpfs" },
        Arc::new(sbi),
        r.sb_flags,
    ))
}

/// Builds a tmpfs from mount options (the `tmpfs` type's constructor).
pub fn tmpfs_mount(r: &MountRequest) -> KResult<Arc<SuperBlock>> {
    tmpfs_new(r, false)
}

/// Builds a ramfs (the `ramfs` type's constructor).
pub fn ramfs_mount(r: &MountRequest) -> KResult<Arc<SuperBlock>> {
    tmpfs_new(r, true)
}

impl FileSystem for TmpfsSb {
    fn root(&self) -> Arc<dyn Inode> {
        self.fs.root()
    }
    fn statfs(&self) -> StatFs {
        use core::sync::atomic::Ordering::Relaxed;
        let l = self.fs.limits();
        let mut s = StatFs {
            f_type: if self.ramfs {
                magic::RAMFS
            } else {
                magic::TMPFS
            },
            bsize: 4096,
            namelen: 255,
            ..StatFs::default()
        };
        if self.ramfs {
            return s;
        }
        let (mb, ub) = (l.max_blocks.load(Relaxed), l.used_blocks.load(Relaxed));
        if mb != 0 {
            s.blocks = mb;
            s.bfree = mb.saturating_sub(ub);
        } else {
            // No limit (the root file system): what memory holds.
            let (total, free) = mem_info();
            s.blocks = total;
            s.bfree = free;
        }
        s.bavail = s.bfree;
        let (mi, ui) = (l.max_inodes.load(Relaxed), l.used_inodes.load(Relaxed));
        if mi != 0 {
            s.files = mi;
            s.ffree = mi.saturating_sub(ui);
        }
        s
    }
    fn show_options(&self) -> String {
        use core::sync::atomic::Ordering::Relaxed;
        let o = *self.opts.lock();
        let mut s = String::new();
        let l = self.fs.limits();
        let def = Self::default_blocks();
        if !self.ramfs {
            let mb = l.max_blocks.load(Relaxed);
            if mb != def {
                let _ = write!(s, ",size={}k", mb * 4);
            }
            let mi = l.max_inodes.load(Relaxed);
            if mi != def {
                let _ = write!(s, ",nr_inodes={mi}");
            }
        }
        let dm = if self.ramfs { 0o755 } else { 0o1777 };
        if let Some(m) = o.mode.filter(|&m| m != dm) {
            let _ = write!(s, ",mode={m:03o}");
        }
        if let Some(u) = o.uid.filter(|&u| u != 0) {
            let _ = write!(s, ",uid={u}");
        }
        if let Some(g) = o.gid.filter(|&g| g != 0) {
            let _ = write!(s, ",gid={g}");
        }
        s
    }
    fn reconfigure(&self, opts: &[MountOpt]) -> KResult<()> {
        use core::sync::atomic::Ordering::Relaxed;
        if self.ramfs {
            return Ok(());
        }
        let n = parse_tmpfs_options(opts, mem_info().0)?;
        let l = self.fs.limits();
        // Linux: EINVAL to limit an unlimited tmpfs, or below what is in use.
        if let Some(b) = n.blocks.filter(|&b| b != 0) {
            if l.max_blocks.load(Relaxed) == 0 || l.used_blocks.load(Relaxed) > b {
                return Err(Errno::EINVAL);
            }
        }
        if let Some(i) = n.inodes.filter(|&i| i != 0) {
            if l.max_inodes.load(Relaxed) == 0 || l.used_inodes.load(Relaxed) > i {
                return Err(Errno::EINVAL);
            }
        }
        if let Some(b) = n.blocks {
            l.max_blocks.store(b, Relaxed);
        }
        if let Some(i) = n.inodes {
            l.max_inodes.store(i, Relaxed);
        }
        // mode/uid/gid apply to the root at mount time only.
        Ok(())
    }
}

/// A file system that is a fixed tree with a magic number and no capacity
/// (proc, sysfs): `statfs` gives the magic, 4 KiB blocks and 255-byte names.
pub struct SimpleFs {
    root: Arc<dyn Inode>,
    magic: i64,
}

impl SimpleFs {
    pub fn new(root: Arc<dyn Inode>, magic: i64) -> SimpleFs {
        SimpleFs { root, magic }
    }
}

impl FileSystem for SimpleFs {
    fn root(&self) -> Arc<dyn Inode> {
        self.root.clone()
    }
    fn statfs(&self) -> StatFs {
        StatFs {
            f_type: self.magic,
            bsize: 4096,
            namelen: 255,
            ..StatFs::default()
        }
    }
}

/// Registers the types this crate implements: tmpfs and ramfs.
pub fn register_builtin(r: &Registry) {
    let _ = r.register(FsType {
        name: "tmpfs",
        nodev: true,
        mount: tmpfs_mount,
    });
    let _ = r.register(FsType {
        name: "ramfs",
        nodev: true,
        mount: ramfs_mount,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inode::FileType;
    use crate::path::Walker;

    fn opts(s: &str) -> Vec<MountOpt> {
        parse_data(s).0
    }

    #[test]
    fn data_and_flags() {
        let (o, set, clear) = parse_data("size=1m,,ro,mode=700,rw,sync,x");
        assert_eq!(
            o.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(),
            ["size", "mode", "x"]
        );
        assert_eq!(o[0].value.as_deref(), Some("1m"));
        assert_eq!(o[2].value, None);
        assert_eq!(set, sb::SYNCHRONOUS);
        assert_eq!(clear, sb::RDONLY);
        assert_eq!(mnt_flags_of(0, None), mnt::RELATIME);
        assert_eq!(
            mnt_flags_of(ms::RDONLY | ms::NOEXEC | ms::NOSUID | ms::NODEV, None),
            mnt::RELATIME | mnt::READONLY | mnt::NOEXEC | mnt::NOSUID | mnt::NODEV
        );
        assert_eq!(mnt_flags_of(ms::NOATIME, None), mnt::NOATIME);
        assert_eq!(mnt_flags_of(ms::STRICTATIME, None), 0);
        // a remount without atime flags keeps the old ones
        assert_eq!(mnt_flags_of(ms::REMOUNT, Some(mnt::NOATIME)), mnt::NOATIME);
        assert_eq!(
            mnt_flags_of(ms::REMOUNT | ms::STRICTATIME, Some(mnt::NOATIME)),
            0
        );
    }

    #[test]
    fn tmpfs_option_parsing() {
        assert_eq!(memparse("1m"), Some((1 << 20, "")));
        assert_eq!(memparse("0x10k"), Some((16 << 10, "")));
        assert_eq!(memparse("12%"), Some((12, "%")));
        assert_eq!(memparse("x"), None);
        let o =
            parse_tmpfs_options(&opts("size=1m,nr_inodes=10,mode=0700,uid=5,gid=6"), 1000).unwrap();
        assert_eq!(
            o,
            TmpfsOptions {
                blocks: Some(256),
                inodes: Some(10),
                mode: Some(0o700),
                uid: Some(5),
                gid: Some(6)
            }
        );
        assert_eq!(
            parse_tmpfs_options(&opts("size=10%"), 1000).unwrap().blocks,
            Some(100)
        );
        assert_eq!(
            parse_tmpfs_options(&opts("size=5000"), 0).unwrap().blocks,
            Some(2)
        );
        for bad in [
            "bogus",
            "size",
            "size=1q",
            "mode=9",
            "uid=x",
            "nr_inodes=1x",
            "nosuid",
        ] {
            assert_eq!(
                parse_tmpfs_options(&opts(bad), 1000).err(),
                Some(Errno::EINVAL),
                "{bad}"
            );
        }
    }

    #[test]
    fn registry_lists_types() {
        let r = Registry::new();
        register_builtin(&r);
        assert_eq!(
            r.register(FsType {
                name: "tmpfs",
                nodev: true,
                mount: tmpfs_mount
            })
            .err(),
            Some(Errno::EBUSY)
        );
        assert!(r.get("ramfs").is_some());
        assert!(r.get("ext4").is_none());
        assert_eq!(r.proc_filesystems(), "nodev\ttmpfs\nnodev\tramfs\n");
    }

    fn txt(b: Vec<u8>) -> String {
        String::from_utf8(b).unwrap()
    }

    fn table() -> MountTable {
        let sbk = tmpfs_mount(&MountRequest {
            source: b"rootfs",
            sb_flags: 0,
            options: &[],
        })
        .unwrap();
        MountTable::new(sbk, b"rootfs")
    }

    fn walk(t: &MountTable, p: &str) -> KResult<Location> {
        let root = t.root_location();
        Walker {
            mounts: t,
            root: &root,
        }
        .resolve(&root, p.as_bytes(), true)
    }

    fn new_tmpfs(o: &str, flags: u64) -> Arc<SuperBlock> {
        let (o, set, _) = parse_data(o);
        tmpfs_mount(&MountRequest {
            source: b"t",
            sb_flags: (flags as u32 & sb::FROM_MS) | set,
            options: &o,
        })
        .unwrap()
    }

    #[test]
    fn mount_table_lines_and_statfs() {
        let t = table();
        let r = t.root_mount().root().clone();
        let mnt = r
            .create(b"mnt", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        mnt.create(b"sub", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        let at = walk(&t, "/mnt").unwrap();
        let sbk = new_tmpfs("size=64k,nr_inodes=4,mode=700", 0);
        t.mount_new(&at, sbk.clone(), b"tst", mnt_flags_of(ms::NOSUID, None))
            .unwrap();
        let root = t.root_location();
        let lines = txt(t.format_mounts(&root));
        assert_eq!(
            lines.lines().nth(1),
            Some("tst /mnt tmpfs rw,nosuid,relatime,size=64k,nr_inodes=4,mode=700 0 0")
        );
        let m = walk(&t, "/mnt").unwrap();
        assert!(m.is_mount_root());
        assert_eq!(m.inode().metadata().mode & 0o7777, 0o700);
        let s = m.mount().statfs();
        assert_eq!(
            (s.f_type, s.bsize, s.blocks, s.bfree),
            (magic::TMPFS, 4096, 16, 16)
        );
        assert_eq!((s.files, s.ffree, s.namelen, s.frsize), (4, 3, 255, 4096));
        assert_eq!(s.flags, st::VALID | st::NOSUID | st::RELATIME);
        // the size limit is enforced: 16 pages, then ENOSPC
        let f = m
            .inode()
            .create(b"f", FileType::Regular, 0o644, 0, 0, 0)
            .unwrap();
        let buf = alloc::vec![7u8; 4096 * 20];
        assert_eq!(f.write_at(0, &buf).unwrap(), 4096 * 16);
        assert_eq!(f.write_at(4096 * 16, b"x").err(), Some(Errno::ENOSPC));
        assert_eq!(m.mount().statfs().bfree, 0);
        f.truncate(4096).unwrap();
        assert_eq!(m.mount().statfs().bfree, 15);
        // and the inode limit: root + f + 2 more
        for n in [b"a", b"b"] {
            m.inode()
                .create(n, FileType::Regular, 0o644, 0, 0, 0)
                .unwrap();
        }
        assert_eq!(m.inode().symlink(b"c", b"x").err(), Some(Errno::ENOSPC));
        m.inode().unlink(b"a").unwrap();
        assert_eq!(m.mount().statfs().ffree, 1);
        drop(f);
        m.inode().unlink(b"f").unwrap();
        assert_eq!(m.mount().statfs().bfree, 16);
        // remount ro: sb and mount ro, shown and reported
        t.remount(
            &m,
            sb::RDONLY,
            mnt_flags_of(ms::REMOUNT | ms::RDONLY, Some(m.mount().flags())),
            &[],
        )
        .unwrap();
        assert_eq!(m.mount().want_write().err(), Some(Errno::EROFS));
        assert!(txt(t.format_mounts(&root)).contains("tst /mnt tmpfs ro,relatime,size=64k"));
        assert_eq!(
            m.mount().statfs().flags,
            st::VALID | st::RDONLY | st::RELATIME
        );
        // shrinking below use, or limiting, and unknown options fail
        assert_eq!(
            t.remount(&m, 0, mnt::RELATIME, &opts("bogus=1")).err(),
            Some(Errno::EINVAL)
        );
        t.remount(&m, 0, mnt::RELATIME, &opts("size=1m")).unwrap();
        assert!(m.mount().want_write().is_ok());
        assert_eq!(m.mount().statfs().blocks, 256);
        // remount of a non-root is EINVAL
        m.inode()
            .create(b"sub", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        let sub = walk(&t, "/mnt/sub").unwrap();
        assert_eq!(t.remount(&sub, 0, 0, &[]).err(), Some(Errno::EINVAL));
        assert_eq!(t.reconfigure_mount(&sub, 0).err(), Some(Errno::EINVAL));
        // mountinfo
        let mi = txt(t.format_mountinfo(&root));
        let line = mi.lines().nth(1).unwrap();
        assert!(line.starts_with("2 1 "), "{line}");
        assert!(
            line.ends_with(" / /mnt rw,relatime - tmpfs tst rw,size=1024k,nr_inodes=4,mode=700"),
            "{line}"
        );
    }

    #[test]
    fn bind_busy_detach_move() {
        let t = table();
        let r = t.root_mount().root().clone();
        for d in [b"a", b"b", b"c"] {
            r.create(d, FileType::Directory, 0o755, 0, 0, 0).unwrap();
        }
        let a = walk(&t, "/a").unwrap();
        t.mount_new(&a, new_tmpfs("", 0), b"x", mnt::RELATIME)
            .unwrap();
        let am = walk(&t, "/a").unwrap();
        am.inode()
            .create(b"d", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        let d = walk(&t, "/a/d").unwrap();
        assert_eq!(d.path_in_mount(), b"/d");
        // a mount inside, then a recursive bind of /a on /b brings it along
        t.mount_new(&d, new_tmpfs("", 0), b"inner", mnt::RELATIME)
            .unwrap();
        let b = walk(&t, "/b").unwrap();
        t.bind(&am, &b, true).unwrap();
        let bd = walk(&t, "/b/d").unwrap();
        assert_eq!(bd.mount().source(), b"inner");
        // a bind of a subdirectory shows its root path
        let c = walk(&t, "/c").unwrap();
        let ad_under = {
            let l = walk(&t, "/a").unwrap();
            l.inode()
                .create(b"e", FileType::Directory, 0o755, 0, 0, 0)
                .unwrap();
            walk(&t, "/a/e").unwrap()
        };
        t.bind(&ad_under, &c, false).unwrap();
        let root = t.root_location();
        let mi = txt(t.format_mountinfo(&root));
        assert!(
            mi.lines()
                .any(|l| l.contains(" /e /c rw,relatime - tmpfs x rw")),
            "{mi}"
        );
        let mounts = txt(t.format_mounts(&root));
        let points: Vec<&str> = mounts
            .lines()
            .map(|l| l.split(' ').nth(1).unwrap())
            .collect();
        assert_eq!(points, ["/", "/a", "/a/d", "/b", "/b/d", "/c"]);
        // busy: submounts, or a location inside
        let am = walk(&t, "/a").unwrap();
        assert_eq!(t.umount(&am, 0, 1).err(), Some(Errno::EBUSY));
        let inner = walk(&t, "/a/d").unwrap();
        let cwd = inner.clone();
        assert_eq!(t.umount(&inner, 0, 1).err(), Some(Errno::EBUSY));
        drop(cwd);
        t.umount(&inner, 0, 1).unwrap();
        assert_eq!(t.umount(&inner, 0, 1).err(), Some(Errno::EINVAL));
        // not a mount root
        let e = walk(&t, "/a/e").unwrap();
        assert_eq!(t.umount(&e, 0, 1).err(), Some(Errno::EINVAL));
        // the root mount stays
        assert_eq!(t.umount(&root, 0, 1).err(), Some(Errno::EBUSY));
        // expire: first EAGAIN, then gone
        let c = walk(&t, "/c").unwrap();
        assert_eq!(t.umount(&c, umount::EXPIRE, 1).err(), Some(Errno::EAGAIN));
        t.umount(&c, umount::EXPIRE, 1).unwrap();
        // lazy: /b goes with /b/d while a location inside lives on
        let bd = walk(&t, "/b/d").unwrap();
        let b = walk(&t, "/b").unwrap();
        t.umount(&b, umount::DETACH, 1).unwrap();
        assert!(!bd.mount().attached());
        assert!(!walk(&t, "/b").unwrap().is_mount_root()); // the root fs's /b
        assert_eq!(walk(&t, "/b").unwrap().mount().id, 1);
        // move /a to /c
        let am = walk(&t, "/a").unwrap();
        let c = walk(&t, "/c").unwrap();
        assert_eq!(
            t.move_mount(&am, &walk(&t, "/a/e").unwrap()).err(),
            Some(Errno::ELOOP)
        );
        t.move_mount(&am, &c).unwrap();
        assert_eq!(walk(&t, "/c/e").unwrap().mount().source(), b"x");
        assert_eq!(walk(&t, "/a").unwrap().mount().id, 1);
        let mounts = txt(t.format_mounts(&root));
        assert_eq!(
            mounts.lines().nth(1).map(|l| l.split(' ').nth(1)),
            Some(Some("/c"))
        );
        // the same super block on its own root: EBUSY; file on dir: ENOTDIR
        let c = walk(&t, "/c").unwrap();
        let sbk = c.mount().sb.clone();
        assert_eq!(t.mount_new(&c, sbk, b"x", 0).err(), Some(Errno::EBUSY));
        let f = r.create(b"f", FileType::Regular, 0o644, 0, 0, 0).unwrap();
        drop(f);
        let fl = walk(&t, "/f").unwrap();
        assert_eq!(
            t.mount_new(&fl, new_tmpfs("", 0), b"y", 0).err(),
            Some(Errno::ENOTDIR)
        );
        // nosymfollow: a symlink on the mount is not followed (ELOOP), but is found
        let c = walk(&t, "/c").unwrap();
        c.inode().symlink(b"ln", b"e").unwrap();
        assert!(walk(&t, "/c/ln").is_ok());
        t.reconfigure_mount(&c, mnt::NOSYMFOLLOW).unwrap();
        assert_eq!(walk(&t, "/c/ln").err(), Some(Errno::ELOOP));
        assert_eq!(walk(&t, "/c/ln/x").err(), Some(Errno::ELOOP));
        let root2 = t.root_location();
        let w = Walker {
            mounts: &t,
            root: &root2,
        };
        assert!(w.resolve(&root2, b"/c/ln", false).is_ok());
        drop(c);
        // propagation
        assert_eq!(
            t.change_type(&root, ms::PRIVATE | ms::SHARED).err(),
            Some(Errno::EINVAL)
        );
        assert_eq!(t.change_type(&e, ms::PRIVATE).err(), Some(Errno::EINVAL));
        t.change_type(&root, ms::SHARED | ms::REC).unwrap();
        assert!(txt(t.format_mountinfo(&root))
            .lines()
            .all(|l| l.contains(" shared:")));
        t.change_type(&root, ms::PRIVATE | ms::REC).unwrap();
        assert!(!txt(t.format_mountinfo(&root)).contains("shared:"));
        assert_eq!(mangle(b"a b\\c"), b"a\\040b\\134c");
        // tab and newline are escaped too; other bytes, UTF-8 or not, are raw
        assert_eq!(mangle(b"\t\n\xff\xc3\xa9#"), b"\\011\\012\xff\xc3\xa9#");
    }

    #[test]
    fn byte_paths_in_proc_lines() {
        let t = table();
        let r = t.root_mount().root().clone();
        let d = r
            .create(b"m \xff\\", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        d.create(b"\xc3(", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        let root = t.root_location();
        let w = Walker {
            mounts: &t,
            root: &root,
        };
        let at = w.resolve(&root, b"/m \xff\\", true).unwrap();
        t.mount_new(&at, new_tmpfs("", 0), b"src\t\xfe", mnt::RELATIME)
            .unwrap();
        let m = w.resolve(&root, b"/m \xff\\", true).unwrap();
        assert_eq!(m.mount().source(), b"src\t\xfe");
        m.inode()
            .create(b"\xc3(", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        let sub = w.resolve(&root, b"/m \xff\\/\xc3(", true).unwrap();
        assert_eq!(sub.path_in_mount(), b"/\xc3(");
        // a bind of the subdirectory: its root path is bytes too
        r.create(b"b\n", FileType::Directory, 0o755, 0, 0, 0)
            .unwrap();
        let b = w.resolve(&root, b"/b\n", true).unwrap();
        t.bind(&sub, &b, false).unwrap();
        let mounts = t.format_mounts(&root);
        let lines: Vec<&[u8]> = mounts.split(|&c| c == b'\n').collect();
        assert!(lines[1].starts_with(b"src\\011\xfe /m\\040\xff\\134 tmpfs rw,"));
        assert!(lines[2].starts_with(b"src\\011\xfe /b\\012 tmpfs rw,"));
        let mi = t.format_mountinfo(&root);
        let line = mi.split(|&c| c == b'\n').nth(2).unwrap();
        let want: &[u8] = b" /\xc3( /b\\012 rw,relatime - tmpfs src\\011\xfe rw";
        assert!(line.windows(want.len()).any(|w| w == want));
    }
}
