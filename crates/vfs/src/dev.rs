//! Character-device registry and the built-in memory devices.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use core::any::Any;
use rill_abi::{Errno, KResult};
use spin::Mutex;

use crate::file::{FileKind, FileLike};
use crate::inode::{fill_random, FileType, Inode};

/// Opens a device: gets the open flags, returns the per-open object.
pub type DevOpen = Arc<dyn Fn(u32) -> KResult<Arc<dyn FileLike>> + Send + Sync>;

static CHRDEVS: Mutex<BTreeMap<(u32, u32), DevOpen>> = Mutex::new(BTreeMap::new());

/// Registers (or replaces) the opener of character device `major:minor`.
pub fn register_chrdev(major: u32, minor: u32, open: DevOpen) {
    CHRDEVS.lock().insert((major, minor), open);
}

/// Opens character device `major:minor` (ENXIO if nothing is registered).
pub fn open_chrdev(major: u32, minor: u32, flags: u32) -> KResult<Arc<dyn FileLike>> {
    let f = CHRDEVS
        .lock()
        .get(&(major, minor))
        .cloned()
        .ok_or(Errno::ENXIO)?;
    f(flags)
}

/// glibc `makedev`.
pub fn makedev(major: u32, minor: u32) -> u64 {
    let ma = major as u64;
    let mi = minor as u64;
    ((ma & 0xffff_f000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffff_ff00) << 12) | (mi & 0xff)
}

/// glibc `major`.
pub fn major(dev: u64) -> u32 {
    (((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff)) as u32
}

/// glibc `minor`.
pub fn minor(dev: u64) -> u32 {
    (((dev >> 12) & 0xffff_ff00) | (dev & 0xff)) as u32
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mem {
    Null,
    Zero,
    Full,
    Random,
}

/// The memory devices: null, zero, full, random/urandom.
struct MemDev(Mem);

impl FileLike for MemDev {
    fn read(&self, _offset: &mut u64, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        match self.0 {
            Mem::Null => Ok(0),
            Mem::Zero | Mem::Full => {
                buf.fill(0);
                Ok(buf.len())
            }
            Mem::Random => {
                fill_random(buf);
                Ok(buf.len())
            }
        }
    }

    fn write(&self, _offset: &mut u64, buf: &[u8], _nonblock: bool) -> KResult<usize> {
        match self.0 {
            Mem::Full => Err(Errno::ENOSPC),
            _ => Ok(buf.len()),
        }
    }

    // poll: the default (always ready, no Pollee needed); ioctl: the
    // default (ENOTTY for everything, as Linux's mem devices).

    fn kind(&self) -> FileKind {
        FileKind::CharDev
    }

    fn seekable(&self) -> bool {
        true
    }

    /// Linux: null/zero/full always seek to 0; random/urandom keep the offset.
    fn lseek(&self, pos: &mut u64, _off: i64, _whence: u32) -> Option<KResult<u64>> {
        if self.0 != Mem::Random {
            *pos = 0;
        }
        Some(Ok(*pos))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

const BUILTIN: [(&str, u32, Mem); 5] = [
    ("null", 3, Mem::Null),
    ("zero", 5, Mem::Zero),
    ("full", 7, Mem::Full),
    ("random", 8, Mem::Random),
    ("urandom", 9, Mem::Random),
];

/// Registers null (1,3), zero (1,5), full (1,7), random (1,8) and urandom (1,9).
pub fn register_builtin() {
    for (_, mi, kind) in BUILTIN {
        let dev: Arc<dyn FileLike> = Arc::new(MemDev(kind));
        register_chrdev(1, mi, Arc::new(move |_flags| Ok(dev.clone())));
    }
}

/// Creates the built-in device nodes (crw-rw-rw- root:root) in `dir`.
/// Existing entries are left alone.
pub fn populate_dev(dir: &Arc<dyn Inode>) {
    for (name, mi, _) in BUILTIN {
        let _ = dir.create(
            name.as_bytes(),
            FileType::CharDev,
            0o666,
            makedev(1, mi),
            0,
            0,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{flags, OpenFile};
    use crate::tmpfs::TmpFs;

    #[test]
    fn makedev_round_trip() {
        assert_eq!(makedev(1, 3), 0x103);
        assert_eq!(makedev(4, 64), 0x440);
        for (ma, mi) in [
            (0, 0),
            (1, 3),
            (4095, 255),
            (4096, 256),
            (0xfffff, 0xfffff),
            (259, 70000),
        ] {
            let d = makedev(ma, mi);
            assert_eq!((major(d), minor(d)), (ma, mi));
        }
    }

    #[test]
    fn builtin_devices() {
        register_builtin();
        let fs = TmpFs::new();
        let root = fs.root();
        populate_dev(&root);
        let open = |name: &[u8], fl: u32| {
            let ino = root.lookup(name).unwrap();
            let m = ino.metadata();
            assert_eq!(m.file_type(), FileType::CharDev);
            assert_eq!(m.mode & 0o7777, 0o666);
            let ops = ino.open(fl).unwrap().unwrap();
            OpenFile::new(Some(ino), Some(ops), name.to_vec(), fl)
        };
        let null = open(b"null", flags::O_RDWR);
        let mut buf = [7u8; 16];
        assert_eq!(null.read(&mut buf).unwrap(), 0);
        assert_eq!(null.write(b"abc").unwrap(), 3);
        assert_eq!(null.seek(0, flags::SEEK_SET).unwrap(), 0);
        assert_eq!(null.seek(123, flags::SEEK_SET).unwrap(), 0);
        let zero = open(b"zero", flags::O_RDONLY);
        assert_eq!(zero.read(&mut buf).unwrap(), 16);
        assert_eq!(buf, [0; 16]);
        assert_eq!(zero.write(b"x"), Err(Errno::EBADF));
        let full = open(b"full", flags::O_WRONLY);
        assert_eq!(full.write(b"x"), Err(Errno::ENOSPC));
        assert_eq!(full.write(b""), Err(Errno::ENOSPC));
        let ur = open(b"urandom", flags::O_RDONLY);
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        ur.read(&mut a).unwrap();
        ur.read(&mut b).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, [0; 32]);
        // Unregistered numbers give ENXIO.
        let x = root
            .create(b"nodev", FileType::CharDev, 0o600, makedev(250, 1), 0, 0)
            .unwrap();
        assert_eq!(x.open(0).err(), Some(Errno::ENXIO));
    }
}
