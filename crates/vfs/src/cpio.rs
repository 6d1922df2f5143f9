//! Initramfs unpacking: cpio "newc" archives (070701 and 070702), possibly
//! concatenated, separated by zero padding and/or gzip-compressed.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::sync::Arc;
use alloc::vec::Vec;
use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;
use rill_abi::{Errno, KResult};

use crate::dev::makedev;
use crate::inode::{mode, FileType, Inode, SetTime, Timespec};

const HEADER_LEN: usize = 110;
/// Refuse to inflate more than this (protects against decompression bombs).
const MAX_INFLATED: usize = 1 << 30;
/// gzip inside gzip inside ... is bounded.
const MAX_NESTING: u32 = 4;

/// Unpacks an initramfs image into `root`. Malformed input gives EINVAL.
pub fn unpack_newc(data: &[u8], root: &Arc<dyn Inode>) -> KResult<()> {
    unpack_blob(data, root, 0)
}

fn unpack_blob(data: &[u8], root: &Arc<dyn Inode>, depth: u32) -> KResult<()> {
    if depth > MAX_NESTING {
        return Err(Errno::EINVAL);
    }
    let mut pos = 0;
    loop {
        while data.get(pos) == Some(&0) {
            pos += 1;
        }
        let rest = match data.get(pos..) {
            Some(r) if !r.is_empty() => r,
            _ => return Ok(()),
        };
        if rest.starts_with(&[0x1f, 0x8b]) {
            // One or more gzip members (zero padding in between) form one stream.
            let mut out = Vec::new();
            let mut p = pos;
            loop {
                let used = gunzip_member(data.get(p..).unwrap_or(&[]), &mut out)?;
                p += used;
                let mut q = p;
                while data.get(q) == Some(&0) {
                    q += 1;
                }
                if data.get(q..q + 2) == Some(&[0x1f, 0x8b][..]) {
                    p = q;
                } else {
                    break;
                }
            }
            unpack_blob(&out, root, depth + 1)?;
            pos = p;
        } else if rest.starts_with(b"07070") {
            pos = unpack_archive(data, pos, root)?;
        } else {
            return Err(Errno::EINVAL);
        }
    }
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

fn align4(x: usize) -> KResult<usize> {
    x.checked_add(3).map(|v| v & !3).ok_or(Errno::EINVAL)
}

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
fn components(name: &str) -> KResult<Vec<&str>> {
    let mut v = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(Errno::EINVAL),
            c if c.len() > 255 => return Err(Errno::ENAMETOOLONG),
            c => v.push(c),
        }
    }
    Ok(v)
}

/// Looks up the directory holding `comps` (all but the last), creating missing
/// directories 0755 root:root.
fn parent_dir(root: &Arc<dyn Inode>, comps: &[&str]) -> KResult<Arc<dyn Inode>> {
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

/// Unpacks one archive that starts at `data[start..]`; returns the position after
/// its trailer (4-byte aligned).
fn unpack_archive(data: &[u8], start: usize, root: &Arc<dyn Inode>) -> KResult<usize> {
    let mut pos = start;
    let mut links: BTreeMap<(u32, u32, u32), Arc<dyn Inode>> = BTreeMap::new();
    let mut dirs: Vec<(Arc<dyn Inode>, u32)> = Vec::new();
    loop {
        let h = data.get(pos..pos + HEADER_LEN).ok_or(Errno::EINVAL)?;
        let (hd, namesize) = parse_header(h)?;
        if namesize == 0 {
            return Err(Errno::EINVAL);
        }
        let name_start = pos + HEADER_LEN;
        let name_end = name_start.checked_add(namesize).ok_or(Errno::EINVAL)?;
        let raw = data.get(name_start..name_end).ok_or(Errno::EINVAL)?;
        let (nul, name_bytes) = raw.split_last().ok_or(Errno::EINVAL)?;
        if *nul != 0 || name_bytes.contains(&0) {
            return Err(Errno::EINVAL);
        }
        let name = core::str::from_utf8(name_bytes).map_err(|_| Errno::EINVAL)?;
        let data_start = align4(name_end)?;
        let data_end = data_start.checked_add(hd.filesize).ok_or(Errno::EINVAL)?;
        let body = data.get(data_start..data_end).ok_or(Errno::EINVAL)?;
        pos = align4(data_end)?;
        if name == "TRAILER!!!" {
            break;
        }
        install(root, name, &hd, body, &mut links, &mut dirs)?;
    }
    // Directory times last: creating their children changed them.
    for (d, mtime) in dirs {
        let t = SetTime::Set(Timespec {
            sec: mtime as i64,
            nsec: 0,
        });
        d.set_times(t, t)?;
    }
    Ok(pos)
}

fn install(
    root: &Arc<dyn Inode>,
    name: &str,
    hd: &Header,
    body: &[u8],
    links: &mut BTreeMap<(u32, u32, u32), Arc<dyn Inode>>,
    dirs: &mut Vec<(Arc<dyn Inode>, u32)>,
) -> KResult<()> {
    let ftype = FileType::from_mode(hd.mode).ok_or(Errno::EINVAL)?;
    let perm = hd.mode & mode::PERM_MASK;
    let comps = components(name)?;
    let (last, parents) = match comps.split_last() {
        Some(x) => x,
        None => {
            // "." describes the root itself.
            if ftype == FileType::Directory {
                root.chmod(perm)?;
                root.chown(Some(hd.uid), Some(hd.gid))?;
                dirs.push((root.clone(), hd.mtime));
            }
            return Ok(());
        }
    };
    let dir = parent_dir(root, parents)?;
    // Replace what is in the way (like Linux's initramfs, a directory stays a directory).
    if let Ok(old) = dir.lookup(last) {
        if old.is_dir() {
            if ftype == FileType::Directory {
                old.chmod(perm)?;
                old.chown(Some(hd.uid), Some(hd.gid))?;
                dirs.push((old, hd.mtime));
                return Ok(());
            }
            dir.rmdir(last)?;
        } else {
            dir.unlink(last)?;
        }
    }
    let key = (hd.dev.0, hd.dev.1, hd.ino);
    let node = match ftype {
        FileType::Regular if hd.nlink > 1 && links.contains_key(&key) => {
            let target = links.get(&key).cloned().ok_or(Errno::EINVAL)?;
            dir.link(last, &target)?;
            if !body.is_empty() {
                target.truncate(0)?;
                target.write_at(0, body)?;
            }
            target
        }
        FileType::Symlink => {
            let t = core::str::from_utf8(body).map_err(|_| Errno::EINVAL)?;
            let t = t.trim_end_matches('\0');
            dir.symlink(last, t)?
        }
        FileType::Regular => {
            let n = dir.create(last, ftype, perm, 0, hd.uid, hd.gid)?;
            if !body.is_empty() {
                n.write_at(0, body)?;
            }
            if hd.nlink > 1 {
                links.insert(key, n.clone());
            }
            n
        }
        _ => dir.create(last, ftype, perm, hd.rdev, hd.uid, hd.gid)?,
    };
    node.chown(Some(hd.uid), Some(hd.gid))?;
    if ftype != FileType::Symlink {
        node.chmod(perm)?;
    }
    if ftype == FileType::Directory {
        dirs.push((node, hd.mtime));
    } else {
        let t = SetTime::Set(Timespec {
            sec: hd.mtime as i64,
            nsec: 0,
        });
        node.set_times(t, t)?;
    }
    Ok(())
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
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c = CRC_TABLE[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

fn le32(b: &[u8], at: usize) -> KResult<u32> {
    let s = b.get(at..at + 4).ok_or(Errno::EINVAL)?;
    Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Decompresses one gzip member from the start of `input`, appending to `out`.
/// Returns the number of input bytes the member used.
fn gunzip_member(input: &[u8], out: &mut Vec<u8>) -> KResult<usize> {
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
    let base = out.len();
    let mut out_pos = base;
    if out.len() < base + 4096 {
        out.resize(
            base + core::cmp::max(4096, stream.len().saturating_mul(3)),
            0,
        );
    }
    let mut dec = Box::<DecompressorOxide>::default();
    let fl = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let mut used = 0;
    loop {
        let (st, n_in, n_out) = decompress(&mut dec, stream, out, out_pos, fl);
        out_pos += n_out;
        used += n_in;
        stream = stream.get(n_in..).ok_or(Errno::EINVAL)?;
        match st {
            TINFLStatus::Done => break,
            TINFLStatus::HasMoreOutput => {
                if out.len() >= MAX_INFLATED {
                    return Err(Errno::EINVAL);
                }
                let new_len = core::cmp::min(out.len().saturating_mul(2), MAX_INFLATED);
                out.resize(new_len, 0);
            }
            _ => return Err(Errno::EINVAL),
        }
    }
    out.truncate(out_pos);
    let trailer = p + used;
    let crc = le32(input, trailer)?;
    let isize = le32(input, trailer + 4)?;
    let produced = out.get(base..).ok_or(Errno::EINVAL)?;
    if crc32(produced) != crc || produced.len() as u32 != isize {
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
        name: &str,
        mode: u32,
        uid: u32,
        gid: u32,
        nlink: u32,
        ino: u32,
        mtime: u32,
        rdev: (u32, u32),
        data: &[u8],
    ) -> &mut Self {
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
        self.out.extend_from_slice(name.as_bytes());
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
        b.entry(".", 0o40700, 0, 0, 2, 1, 5, (0, 0), &[])
            .entry("bin", 0o40755, 0, 0, 2, 2, 100, (0, 0), &[])
            .entry(
                "bin/busybox",
                0o100755,
                0,
                0,
                1,
                3,
                200,
                (0, 0),
                b"\x7fELF....",
            )
            .entry("bin/sh", 0o120777, 0, 0, 1, 4, 300, (0, 0), b"busybox")
            .entry(
                "deep/er/file",
                0o100600,
                1000,
                1000,
                1,
                5,
                400,
                (0, 0),
                b"x",
            )
            .entry("dev/console", 0o20600, 0, 5, 1, 6, 0, (5, 1), &[])
            .entry("dev/sda", 0o60660, 0, 6, 1, 7, 0, (8, 0), &[])
            .entry("run/fifo", 0o10644, 0, 0, 1, 8, 0, (0, 0), &[])
            // hard links, data with the last one (GNU cpio style)
            .entry("h1", 0o100644, 0, 0, 2, 9, 0, (0, 0), &[])
            .entry("h2", 0o100644, 0, 0, 2, 9, 0, (0, 0), b"shared");
        b.finish()
    }

    fn check_sample(r: &Arc<dyn Inode>) {
        let m = r.metadata();
        assert_eq!(m.mode & 0o7777, 0o700);
        assert_eq!(m.mtime.sec, 5);
        let bin = r.lookup("bin").unwrap();
        assert_eq!(
            bin.metadata().mtime.sec,
            100,
            "dir mtime set after children"
        );
        let bb = bin.lookup("busybox").unwrap();
        let m = bb.metadata();
        assert_eq!(m.mode, 0o100755);
        assert_eq!(m.size, 8);
        assert_eq!(m.mtime.sec, 200);
        let mut buf = [0u8; 8];
        bb.read_at(0, &mut buf).unwrap();
        assert_eq!(&buf, b"\x7fELF....");
        assert_eq!(bin.lookup("sh").unwrap().readlink().unwrap(), "busybox");
        let f = r
            .lookup("deep")
            .unwrap()
            .lookup("er")
            .unwrap()
            .lookup("file")
            .unwrap();
        let m = f.metadata();
        assert_eq!((m.uid, m.gid, m.mode), (1000, 1000, 0o100600));
        let c = r
            .lookup("dev")
            .unwrap()
            .lookup("console")
            .unwrap()
            .metadata();
        assert_eq!(c.file_type(), FileType::CharDev);
        assert_eq!((major(c.rdev), minor(c.rdev), c.gid), (5, 1, 5));
        let s = r.lookup("dev").unwrap().lookup("sda").unwrap().metadata();
        assert_eq!(s.file_type(), FileType::BlockDev);
        assert_eq!(major(s.rdev), 8);
        let p = r.lookup("run").unwrap().lookup("fifo").unwrap().metadata();
        assert_eq!(p.file_type(), FileType::Fifo);
        let h1 = r.lookup("h1").unwrap();
        let h2 = r.lookup("h2").unwrap();
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
        b.entry("extra", 0o100644, 0, 0, 1, 1, 0, (0, 0), b"from gzip");
        let second = b.finish();
        let (p1, p2) = second.split_at(100);
        let mut img = sample();
        img.resize(img.len() + 512, 0);
        img.extend_from_slice(&gzip(p1));
        img.extend_from_slice(&[0; 8]);
        img.extend_from_slice(&gzip(p2));
        img.extend_from_slice(&[0; 3]);
        let mut b = NewcBuilder::new();
        b.entry("bin/busybox", 0o100700, 0, 0, 1, 1, 0, (0, 0), b"new");
        img.extend_from_slice(&b.finish());
        let fs = TmpFs::new();
        let r = fs.root();
        unpack_newc(&img, &r).unwrap();
        let mut buf = [0u8; 16];
        let n = r.lookup("extra").unwrap().read_at(0, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"from gzip");
        let bb = r.lookup("bin").unwrap().lookup("busybox").unwrap();
        assert_eq!(bb.metadata().size, 3);
        assert_eq!(bb.metadata().mode, 0o100700);
        // the whole sample gzipped in one member
        let fs2 = TmpFs::new();
        unpack_newc(&gzip(&sample()), &fs2.root()).unwrap();
        check_sample(&fs2.root());
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
        // ".." in names is refused
        let mut b = NewcBuilder::new();
        b.entry("../evil", 0o100644, 0, 0, 1, 1, 0, (0, 0), b"x");
        assert_eq!(unpack_newc(&b.finish(), &r), Err(Errno::EINVAL));
        // an unknown file type
        let mut b = NewcBuilder::new();
        b.entry("weird", 0o000644, 0, 0, 1, 1, 0, (0, 0), &[]);
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
}
