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
