//! Building blocks for procfs and sysfs: dynamic and static directories,
//! generated files and generated symlinks. All nodes share one file-system id
//! ([`procfs_id`]) and get a stable inode number at construction.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use core::sync::atomic::{AtomicU32, Ordering};
use rill_abi::{Errno, KResult};
use spin::{Mutex, Once};

use crate::file::{FileKind, FileOps};
use crate::inode::{alloc_fs_id, alloc_ino, DirEntry, FileType, Inode, Metadata};

static PROCFS_ID: Once<u64> = Once::new();

/// The file-system id shared by all proc nodes.
pub fn procfs_id() -> u64 {
    *PROCFS_ID.call_once(alloc_fs_id)
}

type ListFn = Box<dyn Fn() -> Vec<DirEntry> + Send + Sync>;
type LookupFn = Box<dyn Fn(&[u8]) -> KResult<Arc<dyn Inode>> + Send + Sync>;
type GenFn = Box<dyn Fn() -> KResult<Vec<u8>> + Send + Sync>;
type WriteFn = Arc<dyn Fn(&[u8]) -> KResult<()> + Send + Sync>;
type TargetFn = Box<dyn Fn() -> KResult<Vec<u8>> + Send + Sync>;

/// A directory whose entries are computed on every readdir/lookup.
pub struct ProcDir {
    ino: u64,
    perm: AtomicU32,
    list: ListFn,
    lookup: LookupFn,
}

impl ProcDir {
    pub fn new(
        list: impl Fn() -> Vec<DirEntry> + Send + Sync + 'static,
        lookup: impl Fn(&[u8]) -> KResult<Arc<dyn Inode>> + Send + Sync + 'static,
    ) -> Arc<ProcDir> {
        Arc::new(ProcDir {
            ino: alloc_ino(),
            perm: AtomicU32::new(0o555),
            list: Box::new(list),
            lookup: Box::new(lookup),
        })
    }

    pub fn ino(&self) -> u64 {
        self.ino
    }
}

impl Inode for ProcDir {
    fn metadata(&self) -> Metadata {
        Metadata::synthetic(
            procfs_id(),
            self.ino,
            FileType::Directory,
            self.perm.load(Ordering::Relaxed),
            2,
        )
    }
    fn chmod(&self, mode: u32) -> KResult<()> {
        self.perm.store(mode & 0o7777, Ordering::Relaxed);
        Ok(())
    }
    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        (self.lookup)(name)
    }
    fn readdir(&self) -> KResult<Vec<DirEntry>> {
        Ok((self.list)())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn fs_id(&self) -> u64 {
        procfs_id()
    }
    fn is_dir(&self) -> bool {
        true
    }
}

/// A directory with a fixed set of children (names in sorted order).
pub struct StaticDir {
    ino: u64,
    perm: AtomicU32,
    children: Mutex<BTreeMap<Vec<u8>, Arc<dyn Inode>>>,
}

impl StaticDir {
    pub fn new() -> Arc<StaticDir> {
        Arc::new(StaticDir {
            ino: alloc_ino(),
            perm: AtomicU32::new(0o555),
            children: Mutex::new(BTreeMap::new()),
        })
    }

    /// Adds or replaces a child.
    pub fn add_child(&self, name: impl AsRef<[u8]>, inode: Arc<dyn Inode>) {
        self.children.lock().insert(name.as_ref().to_vec(), inode);
    }

    pub fn remove_child(&self, name: impl AsRef<[u8]>) -> Option<Arc<dyn Inode>> {
        self.children.lock().remove(name.as_ref())
    }

    pub fn ino(&self) -> u64 {
        self.ino
    }
}

impl Inode for StaticDir {
    fn metadata(&self) -> Metadata {
        let subdirs = self.children.lock().values().filter(|c| c.is_dir()).count() as u32;
        Metadata::synthetic(
            procfs_id(),
            self.ino,
            FileType::Directory,
            self.perm.load(Ordering::Relaxed),
            2 + subdirs,
        )
    }
    fn chmod(&self, mode: u32) -> KResult<()> {
        self.perm.store(mode & 0o7777, Ordering::Relaxed);
        Ok(())
    }
    fn lookup(&self, name: &[u8]) -> KResult<Arc<dyn Inode>> {
        self.children.lock().get(name).cloned().ok_or(Errno::ENOENT)
    }
    fn readdir(&self) -> KResult<Vec<DirEntry>> {
        // Copy the children out first: their metadata may take other locks.
        let kids: Vec<(Vec<u8>, Arc<dyn Inode>)> = self
            .children
            .lock()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(kids
            .into_iter()
            .map(|(name, c)| {
                let m = c.metadata();
                DirEntry {
                    name,
                    ino: m.ino,
                    ftype: m.file_type(),
                }
            })
            .collect())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn fs_id(&self) -> u64 {
        procfs_id()
    }
    fn is_dir(&self) -> bool {
        true
    }
}

/// A file whose content is generated when it is opened (reads see that snapshot).
/// With a write handler, every write(2) call passes its buffer to the handler.
pub struct ProcFile {
    ino: u64,
    perm: AtomicU32,
    gen: GenFn,
    write: Option<WriteFn>,
}

impl ProcFile {
    /// A read-only (0444) generated file.
    pub fn new(gen: impl Fn() -> KResult<Vec<u8>> + Send + Sync + 'static) -> Arc<ProcFile> {
        Arc::new(ProcFile {
            ino: alloc_ino(),
            perm: AtomicU32::new(0o444),
            gen: Box::new(gen),
            write: None,
        })
    }

    /// A writable (0644) generated file.
    pub fn new_rw(
        gen: impl Fn() -> KResult<Vec<u8>> + Send + Sync + 'static,
        write: impl Fn(&[u8]) -> KResult<()> + Send + Sync + 'static,
    ) -> Arc<ProcFile> {
        Arc::new(ProcFile {
            ino: alloc_ino(),
            perm: AtomicU32::new(0o644),
            gen: Box::new(gen),
            write: Some(Arc::new(write)),
        })
    }

    /// A read-only file with fixed content.
    pub fn new_static(content: &[u8]) -> Arc<ProcFile> {
        let v = content.to_vec();
        ProcFile::new(move || Ok(v.clone()))
    }

    pub fn ino(&self) -> u64 {
        self.ino
    }
}

fn read_snapshot(data: &[u8], off: u64, buf: &mut [u8]) -> usize {
    let start = match usize::try_from(off) {
        Ok(s) if s < data.len() => s,
        _ => return 0,
    };
    let src = data.get(start..).unwrap_or(&[]);
    let mut n = 0;
    for (d, s) in buf.iter_mut().zip(src.iter()) {
        *d = *s;
        n += 1;
    }
    n
}

impl Inode for ProcFile {
    fn metadata(&self) -> Metadata {
        Metadata::synthetic(
            procfs_id(),
            self.ino,
            FileType::Regular,
            self.perm.load(Ordering::Relaxed),
            1,
        )
    }
    fn chmod(&self, mode: u32) -> KResult<()> {
        self.perm.store(mode & 0o7777, Ordering::Relaxed);
        Ok(())
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let data = (self.gen)()?;
        Ok(read_snapshot(&data, off, buf))
    }
    fn write_at(&self, _off: u64, buf: &[u8]) -> KResult<usize> {
        match &self.write {
            Some(w) => w(buf).map(|_| buf.len()),
            None => Err(Errno::EACCES),
        }
    }
    fn truncate(&self, _len: u64) -> KResult<()> {
        // O_TRUNC on a writable proc file is accepted and ignored, like Linux.
        if self.write.is_some() {
            Ok(())
        } else {
            Err(Errno::EACCES)
        }
    }
    fn open(&self, _flags: u32) -> KResult<Option<Arc<dyn FileOps>>> {
        let data = (self.gen)()?;
        Ok(Some(Arc::new(ProcSnapshot {
            data,
            write: self.write.clone(),
        })))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn fs_id(&self) -> u64 {
        procfs_id()
    }
}

/// The per-open state of a [`ProcFile`]: the content generated at open.
pub struct ProcSnapshot {
    data: Vec<u8>,
    write: Option<WriteFn>,
}

impl FileOps for ProcSnapshot {
    fn read(&self, offset: &mut u64, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        let n = read_snapshot(&self.data, *offset, buf);
        *offset += n as u64;
        Ok(n)
    }
    fn write(&self, offset: &mut u64, buf: &[u8], _nonblock: bool) -> KResult<usize> {
        match &self.write {
            Some(w) => {
                w(buf)?;
                *offset += buf.len() as u64;
                Ok(buf.len())
            }
            None => Err(Errno::EACCES),
        }
    }
    fn kind(&self) -> FileKind {
        FileKind::Regular
    }
    fn seekable(&self) -> bool {
        true
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A symlink whose target is computed on every readlink (e.g. /proc/self).
pub struct ProcSymlink {
    ino: u64,
    target: TargetFn,
    magic: Option<MagicFn>,
}

/// A /proc entry name as a number (`/proc/<pid>`, `fd/<n>`): decimal digits
/// only, as Linux's `name_to_int` (no sign, no leading zeros but "0").
pub fn parse_num(name: &[u8]) -> Option<u32> {
    if name.is_empty() || (name.len() > 1 && name[0] == b'0') {
        return None;
    }
    let mut n: u32 = 0;
    for &b in name {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
    }
    Some(n)
}

type MagicFn = Box<dyn Fn() -> Option<Arc<dyn Inode>> + Send + Sync>;

impl ProcSymlink {
    /// `target` gives the link's text: bytes (a `String` or a `Vec<u8>`).
    pub fn new<T: Into<Vec<u8>>>(
        target: impl Fn() -> KResult<T> + Send + Sync + 'static,
    ) -> Arc<ProcSymlink> {
        Arc::new(ProcSymlink {
            ino: alloc_ino(),
            target: Box::new(move || target().map(Into::into)),
            magic: None,
        })
    }

    /// A magic link: `readlink` shows `target`, path walks land on `inode()`.
    pub fn new_magic<T: Into<Vec<u8>>>(
        target: impl Fn() -> KResult<T> + Send + Sync + 'static,
        inode: impl Fn() -> Option<Arc<dyn Inode>> + Send + Sync + 'static,
    ) -> Arc<ProcSymlink> {
        Arc::new(ProcSymlink {
            ino: alloc_ino(),
            target: Box::new(move || target().map(Into::into)),
            magic: Some(Box::new(inode)),
        })
    }

    pub fn ino(&self) -> u64 {
        self.ino
    }
}

impl Inode for ProcSymlink {
    fn metadata(&self) -> Metadata {
        let mut m = Metadata::synthetic(procfs_id(), self.ino, FileType::Symlink, 0o777, 1);
        m.size = (self.target)().map(|t| t.len() as u64).unwrap_or(0);
        m
    }
    fn readlink(&self) -> KResult<Vec<u8>> {
        (self.target)()
    }
    fn magic_link(&self) -> Option<Arc<dyn Inode>> {
        self.magic.as_ref().and_then(|m| m())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn fs_id(&self) -> u64 {
        procfs_id()
    }
    fn is_dir(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{flags, OpenFile};
    use crate::inode::mode;
    use core::sync::atomic::AtomicUsize;

    #[test]
    fn proc_nodes() {
        static GEN: AtomicUsize = AtomicUsize::new(0);
        let f = ProcFile::new(|| {
            let n = GEN.fetch_add(1, Ordering::SeqCst);
            Ok(alloc::format!("gen {n}\n").into_bytes())
        });
        let m = f.metadata();
        assert_eq!(m.mode, mode::S_IFREG | 0o444);
        assert_eq!(m.dev, procfs_id());
        let fi: Arc<dyn Inode> = f.clone();
        let ops = fi.open(flags::O_RDONLY).unwrap().unwrap();
        let of = OpenFile::new(
            Some(fi.clone()),
            Some(ops),
            b"/proc/x".into(),
            flags::O_RDONLY,
        );
        let mut b = [0u8; 3];
        assert_eq!(of.read(&mut b).unwrap(), 3);
        assert_eq!(&b, b"gen");
        // the rest comes from the same snapshot
        let mut rest = [0u8; 10];
        let n = of.read(&mut rest).unwrap();
        assert_eq!(&rest[..n], b" 0\n");
        assert_eq!(of.read(&mut rest).unwrap(), 0);
        assert_eq!(of.seek(0, flags::SEEK_SET).unwrap(), 0);
        assert_eq!(of.read(&mut rest).unwrap(), 6);
        assert_eq!(&rest[..6], b"gen 0\n");
        assert_eq!(fi.write_at(0, b"x").err(), Some(Errno::EACCES));

        static LAST: Mutex<Vec<u8>> = Mutex::new(Vec::new());
        let w = ProcFile::new_rw(
            || Ok(b"1\n".to_vec()),
            |d| {
                *LAST.lock() = d.to_vec();
                Ok(())
            },
        );
        assert_eq!(w.metadata().mode & 0o777, 0o644);
        let ops = w.open(flags::O_WRONLY).unwrap().unwrap();
        let ow = OpenFile::new(
            Some(w.clone()),
            Some(ops),
            b"/proc/w".into(),
            flags::O_WRONLY,
        );
        assert_eq!(ow.write(b"0\n").unwrap(), 2);
        assert_eq!(&*LAST.lock(), b"0\n");

        let dir = StaticDir::new();
        dir.add_child(b"version", ProcFile::new_static(b"Rill\n"));
        let sub = StaticDir::new();
        dir.add_child(b"sub", sub.clone());
        dir.add_child(b"self", ProcSymlink::new(|| Ok(b"1".to_vec())));
        let m = dir.metadata();
        assert_eq!((m.mode, m.nlink), (mode::S_IFDIR | 0o555, 3));
        let ents = dir.readdir().unwrap();
        let names: Vec<&[u8]> = ents.iter().map(|e| e.name.as_slice()).collect();
        assert_eq!(names, [&b"self"[..], b"sub", b"version"]);
        assert_eq!(ents[1].ino, sub.ino());
        assert_eq!(ents[0].ftype, FileType::Symlink);
        let l = dir.lookup(b"self").unwrap();
        assert_eq!(l.readlink().unwrap(), b"1");
        assert_eq!(l.metadata().mode, mode::S_IFLNK | 0o777);
        assert_eq!(dir.lookup(b"nope").err(), Some(Errno::ENOENT));
        assert_eq!(
            dir.create(b"x", FileType::Regular, 0, 0, 0, 0).err(),
            Some(Errno::EPERM)
        );
        // ino stable per node
        assert_eq!(dir.lookup(b"sub").unwrap().metadata().ino, sub.ino());

        let pd = ProcDir::new(
            || {
                alloc::vec![DirEntry {
                    name: b"1".into(),
                    ino: 1000,
                    ftype: FileType::Directory
                }]
            },
            |name| {
                if name == b"1" {
                    Ok(StaticDir::new() as Arc<dyn Inode>)
                } else {
                    Err(Errno::ENOENT)
                }
            },
        );
        assert_eq!(pd.readdir().unwrap().len(), 1);
        assert!(pd.lookup(b"1").unwrap().is_dir());
        assert_eq!(pd.lookup(b"2").err(), Some(Errno::ENOENT));
        assert_eq!(pd.metadata().ino, pd.ino());
        assert_eq!(pd.fs_id(), dir.fs_id());
    }

    #[test]
    fn numeric_names() {
        use super::parse_num;
        assert_eq!(parse_num(b"0"), Some(0));
        assert_eq!(parse_num(b"4194304"), Some(4194304));
        assert_eq!(parse_num(b"4294967295"), Some(u32::MAX));
        for bad in [
            &b""[..],
            b"01",
            b"+1",
            b"-1",
            b"1x",
            b"\xff",
            b"4294967296",
            b" 1",
        ] {
            assert_eq!(parse_num(bad), None, "{bad:?}");
        }
    }
}
