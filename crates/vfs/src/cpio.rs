//! Initramfs unpacking: cpio "newc" archives (070701 and 070702), possibly
//! concatenated, separated by zero padding and/or gzip-compressed.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;
use rill_abi::{Errno, KResult};

use crate::dev::makedev;
use crate::inode::{mode, FileType, Inode, SetTime, Timespec};

const HEADER_LEN: usize = 110;
/// Longest name an entry may have (Linux's PATH_MAX).
const MAX_NAME: usize = 4096;
/// Inflate through a window this big (a power of two >= deflate's 32 KiB
/// dictionary): the image is unpacked as it is decompressed, so booting
/// never needs the whole uncompressed archive in memory at once.
const WINDOW: usize = 64 * 1024;

/// Unpacks an initramfs image into `root`: a sequence of newc archives, zero
/// padding and gzip streams (consecutive gzip members form one stream, as
/// Linux reads them). Entries are installed as they are parsed, so on
/// malformed input (EINVAL) the entries before the damage stay, as on Linux.
pub fn unpack_newc(data: &[u8], root: &Arc<dyn Inode>) -> KResult<()> {
    let mut top = Parser::new(root);
    let mut pos = 0;
    while pos < data.len() {
        let rest = data.get(pos..).unwrap_or(&[]);
        if top.at_boundary() && rest.starts_with(&[0x1f, 0x8b]) {
            let mut inner = Parser::new(root);
            loop {
                pos += gunzip_member(data.get(pos..).unwrap_or(&[]), |c| inner.feed_all(c))?;
                let mut q = pos;
                while data.get(q) == Some(&0) {
                    q += 1;
                }
                if data.get(q..q + 2) == Some(&[0x1f, 0x8b][..]) {
                    pos = q;
                } else {
                    break;
                }
            }
            inner.finish()?;
        } else {
            // plain archives align to their offset in the whole image
            top.pos = pos as u64;
            let used = top.feed(rest)?;
            if used == 0 {
                return Err(Errno::EINVAL); // neither cpio, padding nor gzip
            }
            pos += used;
        }
    }
    top.finish()
}

/// What the push parser expects next.
enum State {
    /// Between archives: zero padding, or the start of a header.
    Boundary,
    /// Collecting the 110-byte header (in `buf`).
    Header,
    /// Collecting the NUL-terminated name (in `buf`).
    Name { hd: Header, namesize: usize },
    /// Skipping alignment padding, then going to `after`.
    Pad { left: usize, after: Box<State> },
    /// Receiving `left` bytes of an entry's body.
    Body { entry: Entry, left: usize },
}

/// The entry whose body is arriving.
struct Entry {
    hd: Header,
    target: Target,
    written: u64,
}

enum Target {
    /// A regular file's data goes straight into the file.
    File(Arc<dyn Inode>),
    /// A symlink's target is collected, then the link made.
    Symlink {
        dir: Arc<dyn Inode>,
        name: Vec<u8>,
        buf: Vec<u8>,
    },
    /// A node without data, the trailer, or "." (the root).
    Node(Option<Arc<dyn Inode>>),
    Trailer,
}

/// A newc parser fed with bytes as they come (from memory or from the
/// inflater). Positions count from the start of its stream: header, data and
/// the next header are 4-byte aligned relative to it.
struct Parser<'a> {
    root: &'a Arc<dyn Inode>,
    state: State,
    pos: u64,
    buf: Vec<u8>,
    links: BTreeMap<(u32, u32, u32), Arc<dyn Inode>>,
    dirs: Vec<(Arc<dyn Inode>, u32)>,
}

fn pad_len(pos: u64) -> usize {
    ((4 - pos % 4) % 4) as usize
}

impl<'a> Parser<'a> {
    fn new(root: &'a Arc<dyn Inode>) -> Self {
        Parser {
            root,
            state: State::Boundary,
            pos: 0,
            buf: Vec::new(),
            links: BTreeMap::new(),
            dirs: Vec::new(),
        }
    }

    fn at_boundary(&self) -> bool {
        matches!(self.state, State::Boundary)
    }

    /// Feeds bytes that must all be archive data (a gzip stream's output).
    fn feed_all(&mut self, mut data: &[u8]) -> KResult<()> {
        while !data.is_empty() {
            let n = self.feed(data)?;
            if n == 0 {
                return Err(Errno::EINVAL);
            }
            data = data.get(n..).unwrap_or(&[]);
        }
        Ok(())
    }

    /// Consumes a prefix of `data`; stops early (returning what it used) at
    /// a boundary whose next byte starts no archive.
    fn feed(&mut self, data: &[u8]) -> KResult<usize> {
        let mut used = 0;
        while used < data.len() {
            let rest = data.get(used..).unwrap_or(&[]);
            let n = self.step(rest)?;
            if n == 0 {
                break;
            }
            used += n;
            self.pos += n as u64;
        }
        Ok(used)
    }

    /// One step on `rest` (non-empty); returns the bytes consumed.
    fn step(&mut self, rest: &[u8]) -> KResult<usize> {
        let state = core::mem::replace(&mut self.state, State::Boundary);
        let (next, n) = match state {
            State::Boundary => {
                let zeros = rest.iter().take_while(|&&b| b == 0).count();
                if zeros > 0 {
                    (State::Boundary, zeros)
                } else if rest.first() == Some(&b'0') {
                    self.buf.clear();
                    self.header_step(rest)?
                } else {
                    (State::Boundary, 0)
                }
            }
            State::Header => self.header_step(rest)?,
            State::Name { hd, namesize } => {
                let n = take_into(&mut self.buf, rest, namesize);
                if self.buf.len() < namesize {
                    (State::Name { hd, namesize }, n)
                } else {
                    let (nul, name_bytes) = self.buf.split_last().ok_or(Errno::EINVAL)?;
                    if *nul != 0 || name_bytes.contains(&0) {
                        return Err(Errno::EINVAL);
                    }
                    // Names are bytes (any but '/' and NUL), as in Linux's initramfs.
                    let name = name_bytes.to_vec();
                    let left = hd.filesize;
                    let entry = if name == b"TRAILER!!!" {
                        Entry {
                            hd,
                            target: Target::Trailer,
                            written: 0,
                        }
                    } else {
                        self.begin(&name, hd)?
                    };
                    let end = self.pos + n as u64;
                    let pad = pad_len(end);
                    let st = if pad > 0 {
                        State::Pad {
                            left: pad,
                            after: Box::new(State::Body { entry, left }),
                        }
                    } else if left == 0 {
                        self.end_entry(entry, end)?
                    } else {
                        State::Body { entry, left }
                    };
                    (st, n)
                }
            }
            State::Pad { left, after } => {
                let n = left.min(rest.len());
                if n == left {
                    // the body may be empty: finish it without waiting for bytes
                    let st = match *after {
                        State::Body { entry, left: 0 } => {
                            self.end_entry(entry, self.pos + n as u64)?
                        }
                        st => st,
                    };
                    (st, n)
                } else {
                    (
                        State::Pad {
                            left: left - n,
                            after,
                        },
                        n,
                    )
                }
            }
            State::Body { mut entry, left } => {
                let n = left.min(rest.len());
                let chunk = rest.get(..n).unwrap_or(&[]);
                match &mut entry.target {
                    Target::File(f) => {
                        f.write_at(entry.written, chunk)?;
                    }
                    Target::Symlink { buf, .. } => {
                        if buf.len() + n > MAX_NAME {
                            return Err(Errno::ENAMETOOLONG);
                        }
                        buf.extend_from_slice(chunk);
                    }
                    Target::Node(_) | Target::Trailer => {}
                }
                entry.written += n as u64;
                if n == left {
                    (self.end_entry(entry, self.pos + n as u64)?, n)
                } else {
                    (
                        State::Body {
                            entry,
                            left: left - n,
                        },
                        n,
                    )
                }
            }
        };
        self.state = next;
        Ok(n)
    }

    /// The body ended at stream position `end`: finish the entry and expect
    /// the next header (or, after the trailer, the next archive).
    fn end_entry(&mut self, entry: Entry, end: u64) -> KResult<State> {
        let pad = pad_len(end);
        let after = match entry.target {
            Target::Trailer => {
                self.end_archive()?;
                State::Boundary
            }
            target => {
                self.finish_entry(&entry.hd, target)?;
                self.buf.clear();
                State::Header
            }
        };
        Ok(if pad == 0 {
            after
        } else {
            State::Pad {
                left: pad,
                after: Box::new(after),
            }
        })
    }

    /// Collects header bytes; at 110, parses them.
    fn header_step(&mut self, rest: &[u8]) -> KResult<(State, usize)> {
        let n = take_into(&mut self.buf, rest, HEADER_LEN);
        if self.buf.len() < HEADER_LEN {
            return Ok((State::Header, n));
        }
        let (hd, namesize) = parse_header(&self.buf)?;
        if namesize == 0 {
            return Err(Errno::EINVAL);
        }
        if namesize > MAX_NAME {
            return Err(Errno::ENAMETOOLONG);
        }
        self.buf.clear();
        Ok((State::Name { hd, namesize }, n))
    }

    /// End of input: it must not stop inside an archive.
    fn finish(self) -> KResult<()> {
        match self.state {
            State::Boundary => Ok(()),
            _ => Err(Errno::EINVAL),
        }
    }

    fn end_archive(&mut self) -> KResult<()> {
        self.links.clear();
        // Directory times last: creating their children changed them.
        for (d, mtime) in core::mem::take(&mut self.dirs) {
            let t = SetTime::Set(Timespec {
                sec: mtime as i64,
                nsec: 0,
            });
            d.set_times(t, t)?;
        }
        Ok(())
    }
}

/// Copies up to `want - buf.len()` bytes of `src` into `buf`; returns how many.
fn take_into(buf: &mut Vec<u8>, src: &[u8], want: usize) -> usize {
    let n = want.saturating_sub(buf.len()).min(src.len());
    buf.extend_from_slice(src.get(..n).unwrap_or(&[]));
    n
}

fn hex_field(h: &[u8], idx: usize) -> KResult<u32> {
    let start = 6 + idx * 8;
    let f = h.get(start..start + 8).ok_or(Errno::EINVAL)?;
    let mut v: u32 = 0;
    for &c in f {
        let d = (c as char).to_digit(16).ok_or(Errno::EINVAL)?;
        v = (v << 4) | d;
    }
    Ok(v)
}

#[derive(Clone, Copy)]
struct Header {
    ino: u32,
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u32,
    mtime: u32,
    filesize: usize,
    dev: (u32, u32),
    rdev: u64,
}

fn parse_header(h: &[u8]) -> KResult<(Header, usize)> {
    let magic = h.get(..6).ok_or(Errno::EINVAL)?;
    if magic != b"070701" && magic != b"070702" {
        return Err(Errno::EINVAL);
    }
    let f = |i| hex_field(h, i);
    let hd = Header {
        ino: f(0)?,
        mode: f(1)?,
        uid: f(2)?,
        gid: f(3)?,
        nlink: f(4)?,
        mtime: f(5)?,
        filesize: f(6)? as usize,
        dev: (f(7)?, f(8)?),
        rdev: makedev(f(9)?, f(10)?),
    };
    let namesize = f(11)? as usize;
    let _check = f(12)?;
    Ok((hd, namesize))
}

/// Splits an archive path into its components ("." parts dropped, ".." refused).
fn components(name: &[u8]) -> KResult<Vec<&[u8]>> {
    let mut v = Vec::new();
    for c in name.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => return Err(Errno::EINVAL),
            c if c.len() > 255 => return Err(Errno::ENAMETOOLONG),
            c => v.push(c),
        }
    }
    Ok(v)
}

/// Looks up the directory holding `comps` (all but the last), creating missing
/// directories 0755 root:root.
fn parent_dir(root: &Arc<dyn Inode>, comps: &[&[u8]]) -> KResult<Arc<dyn Inode>> {
    let mut cur = root.clone();
    for c in comps {
        cur = match cur.lookup(c) {
            Ok(n) => n,
            Err(e) if e == Errno::ENOENT => cur.create(c, FileType::Directory, 0o755, 0, 0, 0)?,
            Err(e) => return Err(e),
        };
        if !cur.is_dir() {
            return Err(Errno::ENOTDIR);
        }
    }
    Ok(cur)
}

impl Parser<'_> {
    /// Creates the node for an entry whose body is about to arrive.
    fn begin(&mut self, name: &[u8], hd: Header) -> KResult<Entry> {
        let root = self.root;
        let ftype = FileType::from_mode(hd.mode).ok_or(Errno::EINVAL)?;
        let perm = hd.mode & mode::PERM_MASK;
        let comps = components(name)?;
        let entry = |target| Entry {
            hd,
            target,
            written: 0,
        };
        let (last, parents) = match comps.split_last() {
            Some(x) => x,
            None => {
                // "." describes the root itself.
                let node = (ftype == FileType::Directory).then(|| root.clone());
                return Ok(entry(Target::Node(node)));
            }
        };
        let dir = parent_dir(root, parents)?;
        // Replace what is in the way (like Linux's initramfs, a directory stays a directory).
        if let Ok(old) = dir.lookup(last) {
            if old.is_dir() {
                if ftype == FileType::Directory {
                    return Ok(entry(Target::Node(Some(old))));
                }
                dir.rmdir(last)?;
            } else {
                dir.unlink(last)?;
            }
        }
        let key = (hd.dev.0, hd.dev.1, hd.ino);
        let target = match ftype {
            FileType::Regular if hd.nlink > 1 && self.links.contains_key(&key) => {
                let target = self.links.get(&key).cloned().ok_or(Errno::EINVAL)?;
                dir.link(last, &target)?;
                // the last link of a set carries the data
                if hd.filesize > 0 {
                    target.truncate(0)?;
                }
                Target::File(target)
            }
            FileType::Symlink => Target::Symlink {
                dir,
                name: last.to_vec(),
                buf: Vec::new(),
            },
            FileType::Regular => {
                let n = dir.create(last, ftype, perm, 0, hd.uid, hd.gid)?;
                if hd.nlink > 1 {
                    self.links.insert(key, n.clone());
                }
                Target::File(n)
            }
            _ => Target::Node(Some(
                dir.create(last, ftype, perm, hd.rdev, hd.uid, hd.gid)?,
            )),
        };
        Ok(entry(target))
    }

    /// The body is complete: make symlinks, then set owner, mode and times.
    fn finish_entry(&mut self, hd: &Header, target: Target) -> KResult<()> {
        let node = match target {
            Target::File(n) => n,
            Target::Symlink { dir, name, buf } => {
                // The body is the target (bytes), NUL padding dropped.
                let end = buf.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                dir.symlink(&name, &buf[..end])?
            }
            Target::Node(Some(n)) => n,
            Target::Node(None) | Target::Trailer => return Ok(()),
        };
        let ftype = FileType::from_mode(hd.mode).ok_or(Errno::EINVAL)?;
        node.chown(Some(hd.uid), Some(hd.gid))?;
        if ftype != FileType::Symlink {
            node.chmod(hd.mode & mode::PERM_MASK)?;
        }
        if ftype == FileType::Directory {
            self.dirs.push((node, hd.mtime));
        } else {
            let t = SetTime::Set(Timespec {
                sec: hd.mtime as i64,
                nsec: 0,
            });
            node.set_times(t, t)?;
        }
        Ok(())
    }
}

/// CRC-32 (IEEE, reflected) lookup table.
const CRC_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// CRC-32 as used by gzip.
pub fn crc32(data: &[u8]) -> u32 {
    !crc32_update(0xFFFF_FFFF, data)
}

/// Runs the CRC-32 register over `data` (start with all ones, invert at the end).
fn crc32_update(mut c: u32, data: &[u8]) -> u32 {
    for &b in data {
        c = CRC_TABLE[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    c
}

fn le32(b: &[u8], at: usize) -> KResult<u32> {
    let s = b.get(at..at + 4).ok_or(Errno::EINVAL)?;
    Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Decompresses one gzip member from the start of `input`, handing the output
/// to `sink` in pieces of at most 64 KiB as it is produced. Returns the number
/// of input bytes the member used.
fn gunzip_member(input: &[u8], mut sink: impl FnMut(&[u8]) -> KResult<()>) -> KResult<usize> {
    let hdr = input.get(..10).ok_or(Errno::EINVAL)?;
    if hdr[0] != 0x1f || hdr[1] != 0x8b || hdr[2] != 8 {
        return Err(Errno::EINVAL);
    }
    let flg = hdr[3];
    if flg & 0xe0 != 0 {
        return Err(Errno::EINVAL);
    }
    let mut p = 10;
    if flg & 4 != 0 {
        // FEXTRA
        let x = input.get(p..p + 2).ok_or(Errno::EINVAL)?;
        p += 2 + u16::from_le_bytes([x[0], x[1]]) as usize;
    }
    for bit in [8u8, 16] {
        // FNAME, FCOMMENT: NUL-terminated
        if flg & bit != 0 {
            let rest = input.get(p..).ok_or(Errno::EINVAL)?;
            let z = rest.iter().position(|&b| b == 0).ok_or(Errno::EINVAL)?;
            p += z + 1;
        }
    }
    if flg & 2 != 0 {
        p += 2; // FHCRC
    }
    let mut stream = input.get(p..).ok_or(Errno::EINVAL)?;
    // a wrapping window: back-references reach into earlier output in it
    let mut window = alloc::vec![0u8; WINDOW];
    let mut dec = Box::<DecompressorOxide>::default();
    let mut out_pos = 0;
    let mut used = 0;
    let mut crc = 0xFFFF_FFFF;
    let mut total: u32 = 0;
    loop {
        let (st, n_in, n_out) = decompress(&mut dec, stream, &mut window, out_pos, 0);
        let produced = window.get(out_pos..out_pos + n_out).ok_or(Errno::EINVAL)?;
        crc = crc32_update(crc, produced);
        total = total.wrapping_add(n_out as u32);
        sink(produced)?;
        out_pos = (out_pos + n_out) & (WINDOW - 1);
        used += n_in;
        stream = stream.get(n_in..).ok_or(Errno::EINVAL)?;
        match st {
            TINFLStatus::Done => break,
            TINFLStatus::HasMoreOutput => {}
            _ => return Err(Errno::EINVAL),
        }
    }
    let trailer = p + used;
    if le32(input, trailer)? != !crc || le32(input, trailer + 4)? != total {
        return Err(Errno::EINVAL);
    }
    Ok(trailer + 8)
}

/// Builds a newc archive (used by tests and handy for tools): entries of
/// (name, mode, uid, gid, nlink, ino, mtime, rdev (major, minor), data).
pub struct NewcBuilder {
    out: Vec<u8>,
}

impl Default for NewcBuilder {
    fn default() -> Self {
        NewcBuilder::new()
    }
}

impl NewcBuilder {
    pub fn new() -> Self {
        NewcBuilder { out: Vec::new() }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn entry(
        &mut self,
        name: impl AsRef<[u8]>,
        mode: u32,
        uid: u32,
        gid: u32,
        nlink: u32,
        ino: u32,
        mtime: u32,
        rdev: (u32, u32),
        data: &[u8],
    ) -> &mut Self {
        let name = name.as_ref();
        let fields = [
            ino,
            mode,
            uid,
            gid,
            nlink,
            mtime,
            data.len() as u32,
            0,
            0,
            rdev.0,
            rdev.1,
            name.len() as u32 + 1,
            0,
        ];
        self.out.extend_from_slice(b"070701");
        for f in fields {
            let s = alloc::format!("{:08x}", f);
            self.out.extend_from_slice(s.as_bytes());
        }
        self.out.extend_from_slice(name);
        self.out.push(0);
        self.pad();
        self.out.extend_from_slice(data);
        self.pad();
        self
    }

    fn pad(&mut self) {
        while !self.out.len().is_multiple_of(4) {
            self.out.push(0);
        }
    }

    /// Appends the trailer and returns the archive.
    pub fn finish(mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, 0, 0, 1, 0, 0, (0, 0), &[]);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dev::{major, minor};
    use crate::tmpfs::TmpFs;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut v = alloc::vec![0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3];
        v.extend_from_slice(b"initrd.cpio\0");
        v.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
        v.extend_from_slice(&crc32(data).to_le_bytes());
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v
    }

    fn sample() -> Vec<u8> {
        let mut b = NewcBuilder::new();
        b.entry(b".", 0o40700, 0, 0, 2, 1, 5, (0, 0), &[])
            .entry(b"bin", 0o40755, 0, 0, 2, 2, 100, (0, 0), &[])
            .entry(
                b"bin/busybox",
                0o100755,
                0,
                0,
                1,
                3,
                200,
                (0, 0),
                b"\x7fELF....",
            )
            .entry(b"bin/sh", 0o120777, 0, 0, 1, 4, 300, (0, 0), b"busybox")
            .entry(
                b"deep/er/file",
                0o100600,
                1000,
                1000,
                1,
                5,
                400,
                (0, 0),
                b"x",
            )
            .entry(b"dev/console", 0o20600, 0, 5, 1, 6, 0, (5, 1), &[])
            .entry(b"dev/sda", 0o60660, 0, 6, 1, 7, 0, (8, 0), &[])
            .entry(b"run/fifo", 0o10644, 0, 0, 1, 8, 0, (0, 0), &[])
            // hard links, data with the last one (GNU cpio style)
            .entry(b"h1", 0o100644, 0, 0, 2, 9, 0, (0, 0), &[])
            .entry(b"h2", 0o100644, 0, 0, 2, 9, 0, (0, 0), b"shared");
        b.finish()
    }

    fn check_sample(r: &Arc<dyn Inode>) {
        let m = r.metadata();
        assert_eq!(m.mode & 0o7777, 0o700);
        assert_eq!(m.mtime.sec, 5);
        let bin = r.lookup(b"bin").unwrap();
        assert_eq!(
            bin.metadata().mtime.sec,
            100,
            "dir mtime set after children"
        );
        let bb = bin.lookup(b"busybox").unwrap();
        let m = bb.metadata();
        assert_eq!(m.mode, 0o100755);
        assert_eq!(m.size, 8);
        assert_eq!(m.mtime.sec, 200);
        let mut buf = [0u8; 8];
        bb.read_at(0, &mut buf).unwrap();
        assert_eq!(&buf, b"\x7fELF....");
        assert_eq!(bin.lookup(b"sh").unwrap().readlink().unwrap(), b"busybox");
        let f = r
            .lookup(b"deep")
            .unwrap()
            .lookup(b"er")
            .unwrap()
            .lookup(b"file")
            .unwrap();
        let m = f.metadata();
        assert_eq!((m.uid, m.gid, m.mode), (1000, 1000, 0o100600));
        let c = r
            .lookup(b"dev")
            .unwrap()
            .lookup(b"console")
            .unwrap()
            .metadata();
        assert_eq!(c.file_type(), FileType::CharDev);
        assert_eq!((major(c.rdev), minor(c.rdev), c.gid), (5, 1, 5));
        let s = r.lookup(b"dev").unwrap().lookup(b"sda").unwrap().metadata();
        assert_eq!(s.file_type(), FileType::BlockDev);
        assert_eq!(major(s.rdev), 8);
        let p = r
            .lookup(b"run")
            .unwrap()
            .lookup(b"fifo")
            .unwrap()
            .metadata();
        assert_eq!(p.file_type(), FileType::Fifo);
        let h1 = r.lookup(b"h1").unwrap();
        let h2 = r.lookup(b"h2").unwrap();
        assert_eq!(h1.metadata().ino, h2.metadata().ino);
        assert_eq!(h1.metadata().nlink, 2);
        let mut b6 = [0u8; 6];
        h1.read_at(0, &mut b6).unwrap();
        assert_eq!(&b6, b"shared");
    }

    #[test]
    fn round_trip_plain() {
        let fs = TmpFs::new();
        unpack_newc(&sample(), &fs.root()).unwrap();
        check_sample(&fs.root());
    }

    #[test]
    fn concatenated_padded_and_gzip() {
        // plain archive, 512-byte zero padding, gzip of a second archive with two
        // members, more padding, another plain archive that overrides a file
        let mut b = NewcBuilder::new();
        b.entry(b"extra", 0o100644, 0, 0, 1, 1, 0, (0, 0), b"from gzip");
        let second = b.finish();
        let (p1, p2) = second.split_at(100);
        let mut img = sample();
        img.resize(img.len() + 512, 0);
        img.extend_from_slice(&gzip(p1));
        img.extend_from_slice(&[0; 8]);
        img.extend_from_slice(&gzip(p2));
        img.extend_from_slice(&[0; 3]);
        let mut b = NewcBuilder::new();
        b.entry(b"bin/busybox", 0o100700, 0, 0, 1, 1, 0, (0, 0), b"new");
        img.extend_from_slice(&b.finish());
        let fs = TmpFs::new();
        let r = fs.root();
        unpack_newc(&img, &r).unwrap();
        let mut buf = [0u8; 16];
        let n = r.lookup(b"extra").unwrap().read_at(0, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"from gzip");
        let bb = r.lookup(b"bin").unwrap().lookup(b"busybox").unwrap();
        assert_eq!(bb.metadata().size, 3);
        assert_eq!(bb.metadata().mode, 0o100700);
        // the whole sample gzipped in one member
        let fs2 = TmpFs::new();
        unpack_newc(&gzip(&sample()), &fs2.root()).unwrap();
        check_sample(&fs2.root());
    }

    #[test]
    fn gzip_streams_through_a_small_window() {
        // files far bigger than the 64 KiB window, and names/headers that
        // straddle window boundaries, come out intact
        let mut b = NewcBuilder::new();
        let mut x: u32 = 7;
        let mut files = Vec::new();
        for i in 0..12u32 {
            let len = 1000 + (i as usize) * 37_000;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    (x % 7) as u8 + b'a' // compressible but not trivial
                })
                .collect();
            let name = alloc::format!("d{}/file-{}", i % 3, "n".repeat(i as usize * 9));
            b.entry(&name, 0o100640, 0, 0, 1, 10 + i, 5, (0, 0), &data);
            files.push((name, data));
        }
        let img = gzip(&b.finish());
        let fs = TmpFs::new();
        let r = fs.root();
        unpack_newc(&img, &r).unwrap();
        for (name, data) in &files {
            let (d, f) = name.split_once('/').unwrap();
            let node = r
                .lookup(d.as_bytes())
                .unwrap()
                .lookup(f.as_bytes())
                .unwrap();
            assert_eq!(node.metadata().size, data.len() as u64, "{name}");
            let mut buf = alloc::vec![0u8; data.len()];
            assert_eq!(node.read_at(0, &mut buf).unwrap(), data.len());
            assert!(buf == *data, "{name}");
        }
    }

    #[test]
    fn crc_reference() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn malformed_input_is_einval() {
        let good = sample();
        let fs = TmpFs::new();
        let r = fs.root();
        // every truncation of a valid archive fails cleanly (never panics)
        for cut in 1..good.len() {
            let res = unpack_newc(&good[..cut], &r);
            // a cut inside the zero padding after the trailer is harmless
            if res.is_ok() {
                assert!(cut >= good.len() - 3 || good[cut..].iter().all(|&b| b == 0));
            }
        }
        assert_eq!(unpack_newc(b"garbage!", &r), Err(Errno::EINVAL));
        assert_eq!(unpack_newc(b"070701zzzzzzzz", &r), Err(Errno::EINVAL));
        let mut bad_hex = good.clone();
        bad_hex[6] = b'g';
        assert_eq!(unpack_newc(&bad_hex, &r), Err(Errno::EINVAL));
        // b".." in names is refused
        let mut b = NewcBuilder::new();
        b.entry(b"../evil", 0o100644, 0, 0, 1, 1, 0, (0, 0), b"x");
        assert_eq!(unpack_newc(&b.finish(), &r), Err(Errno::EINVAL));
        // an unknown file type
        let mut b = NewcBuilder::new();
        b.entry(b"weird", 0o000644, 0, 0, 1, 1, 0, (0, 0), &[]);
        assert_eq!(unpack_newc(&b.finish(), &r), Err(Errno::EINVAL));
        // corrupt and truncated gzip
        let gz = gzip(&good);
        for cut in [2, 5, 10, 20, gz.len() / 2, gz.len() - 4, gz.len() - 1] {
            assert_eq!(unpack_newc(&gz[..cut], &r), Err(Errno::EINVAL), "cut {cut}");
        }
        let mut bad_crc = gz.clone();
        let n = bad_crc.len();
        bad_crc[n - 6] ^= 1;
        assert_eq!(unpack_newc(&bad_crc, &r), Err(Errno::EINVAL));
        // pseudo-random garbage after gzip magic and after cpio magic
        let mut x: u32 = 12345;
        for _ in 0..200 {
            let mut v = alloc::vec![0x1f, 0x8b, 8, 0];
            let mut w = b"070701".to_vec();
            for _ in 0..300 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                v.push(x as u8);
                w.push(b"0123456789abcdef"[(x % 16) as usize]);
            }
            assert!(unpack_newc(&v, &r).is_err());
            assert!(unpack_newc(&w, &r).is_err());
        }
    }

    #[test]
    fn byte_names_and_targets() {
        let mut b = NewcBuilder::new();
        b.entry(b"\xff\xfe", 0o040755, 0, 0, 2, 1, 0, (0, 0), &[]);
        b.entry(
            b"\xff\xfe/\xc3\x28",
            0o100644,
            0,
            0,
            1,
            2,
            0,
            (0, 0),
            b"data",
        );
        b.entry(
            b"\x80ln",
            0o120777,
            0,
            0,
            1,
            3,
            0,
            (0, 0),
            b"\xff\xfe/\xc3\x28",
        );
        let fs = TmpFs::new();
        let r = fs.root();
        unpack_newc(&b.finish(), &r).unwrap();
        let f = r.lookup(b"\xff\xfe").unwrap().lookup(b"\xc3\x28").unwrap();
        assert_eq!(f.metadata().size, 4);
        let l = r.lookup(b"\x80ln").unwrap();
        assert_eq!(l.readlink().unwrap(), b"\xff\xfe/\xc3\x28");
    }
}
