//! A small writer for the cpio "newc" format (the format the Linux kernel, and Rill, unpack as
//! an initramfs). Layout of one entry: a 110-byte ASCII header (magic `070701` and 13 fields of
//! 8 hex digits), the NUL-terminated name padded to a multiple of 4 bytes (counting the header),
//! then the data padded to a multiple of 4. The archive ends with an entry named `TRAILER!!!`.

use std::io::{self, Write};

pub const S_IFDIR: u32 = 0o040000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFLNK: u32 = 0o120000;
pub const S_IFCHR: u32 = 0o020000;

const MAGIC: &str = "070701";
const HEADER_LEN: usize = 110;
const TRAILER: &str = "TRAILER!!!";

/// Writes entries in the order given. All entries are owned by root (uid 0, gid 0) and carry
/// mtime 0, so the same inputs give byte-identical archives.
pub struct CpioWriter<W: Write> {
    out: W,
    next_ino: u32,
    written: u64,
}

/// The fields of one header that vary between entries.
struct Header<'a> {
    ino: u32,
    mode: u32,
    nlink: u32,
    filesize: usize,
    rdev_major: u32,
    rdev_minor: u32,
    name: &'a str,
}

impl<W: Write> CpioWriter<W> {
    pub fn new(out: W) -> Self {
        CpioWriter {
            out,
            next_ino: 1,
            written: 0,
        }
    }

    /// A directory; `perm` holds the permission bits (e.g. 0o755 or 0o1777).
    pub fn dir(&mut self, name: &str, perm: u32) -> io::Result<()> {
        self.entry(S_IFDIR | (perm & 0o7777), 2, 0, 0, name, &[])
    }

    /// A regular file with the given permission bits and contents.
    pub fn file(&mut self, name: &str, perm: u32, data: &[u8]) -> io::Result<()> {
        self.entry(S_IFREG | (perm & 0o7777), 1, 0, 0, name, data)
    }

    /// A symbolic link: the target is stored as the entry's data, without a NUL.
    pub fn symlink(&mut self, name: &str, target: &str) -> io::Result<()> {
        self.entry(S_IFLNK | 0o777, 1, 0, 0, name, target.as_bytes())
    }

    /// A character device node.
    pub fn char_dev(&mut self, name: &str, perm: u32, major: u32, minor: u32) -> io::Result<()> {
        self.entry(S_IFCHR | (perm & 0o7777), 1, major, minor, name, &[])
    }

    fn entry(
        &mut self,
        mode: u32,
        nlink: u32,
        rdev_major: u32,
        rdev_minor: u32,
        name: &str,
        data: &[u8],
    ) -> io::Result<()> {
        let name = name.trim_start_matches('/');
        if name.is_empty() || name.contains('\0') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bad cpio entry name {name:?}"),
            ));
        }
        let ino = self.next_ino;
        self.next_ino += 1;
        self.write_header(&Header {
            ino,
            mode,
            nlink,
            filesize: data.len(),
            rdev_major,
            rdev_minor,
            name,
        })?;
        self.put(data)?;
        self.pad(4)
    }

    fn write_header(&mut self, h: &Header<'_>) -> io::Result<()> {
        let filesize = u32::try_from(h.filesize).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is too large for cpio newc (4 GiB limit)", h.name),
            )
        })?;
        let fields: [u32; 13] = [
            h.ino,
            h.mode,
            0, // uid
            0, // gid
            h.nlink,
            0, // mtime
            filesize,
            0, // devmajor
            0, // devminor
            h.rdev_major,
            h.rdev_minor,
            h.name.len() as u32 + 1, // namesize, counting the NUL
            0,                       // check (only used by the "crc" variant)
        ];
        let mut header = String::with_capacity(HEADER_LEN);
        header.push_str(MAGIC);
        for f in fields {
            header.push_str(&format!("{f:08x}"));
        }
        debug_assert_eq!(header.len(), HEADER_LEN);
        self.put(header.as_bytes())?;
        self.put(h.name.as_bytes())?;
        self.put(&[0])?;
        self.pad(4)
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn pad(&mut self, align: u64) -> io::Result<()> {
        let rem = self.written % align;
        if rem != 0 {
            let zeros = [0u8; 512];
            self.put(&zeros[..(align - rem) as usize])?;
        }
        Ok(())
    }

    /// Writes the trailer, pads the archive to a multiple of 512 bytes and returns the sink.
    pub fn finish(mut self) -> io::Result<W> {
        self.write_header(&Header {
            ino: 0,
            mode: 0,
            nlink: 1,
            filesize: 0,
            rdev_major: 0,
            rdev_minor: 0,
            name: TRAILER,
        })?;
        self.pad(512)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal independent reader used to check what the writer produced.
    #[derive(Debug, PartialEq)]
    struct Parsed {
        ino: u32,
        mode: u32,
        uid: u32,
        gid: u32,
        nlink: u32,
        rdev: (u32, u32),
        name: String,
        data: Vec<u8>,
    }

    fn field(h: &[u8], i: usize) -> u32 {
        let s = std::str::from_utf8(&h[6 + 8 * i..6 + 8 * (i + 1)]).unwrap();
        u32::from_str_radix(s, 16).unwrap()
    }

    fn align4(x: usize) -> usize {
        (x + 3) & !3
    }

    fn parse(archive: &[u8]) -> Vec<Parsed> {
        let mut out = Vec::new();
        let mut pos = 0;
        loop {
            let h = &archive[pos..pos + HEADER_LEN];
            assert_eq!(&h[..6], MAGIC.as_bytes(), "magic at offset {pos}");
            let namesize = field(h, 11) as usize;
            let filesize = field(h, 6) as usize;
            let name_start = pos + HEADER_LEN;
            let name_bytes = &archive[name_start..name_start + namesize];
            assert_eq!(name_bytes.last(), Some(&0), "name must be NUL-terminated");
            let name = String::from_utf8(name_bytes[..namesize - 1].to_vec()).unwrap();
            let data_start = align4(name_start + namesize);
            // Padding bytes must be zero.
            assert!(archive[name_start + namesize..data_start]
                .iter()
                .all(|&b| b == 0));
            let data = archive[data_start..data_start + filesize].to_vec();
            pos = align4(data_start + filesize);
            if name == TRAILER {
                break;
            }
            out.push(Parsed {
                ino: field(h, 0),
                mode: field(h, 1),
                uid: field(h, 2),
                gid: field(h, 3),
                nlink: field(h, 4),
                rdev: (field(h, 9), field(h, 10)),
                name,
                data,
            });
        }
        assert_eq!(archive.len() % 512, 0, "archive padded to 512");
        assert!(archive[pos..].iter().all(|&b| b == 0));
        out
    }

    #[test]
    fn header_layout_of_a_file_is_exact() {
        let mut w = CpioWriter::new(Vec::new());
        w.file("a", 0o644, b"xyz").unwrap();
        let v = w.finish().unwrap();
        let expected_header = "070701\
            00000001000081a4000000000000000000000001\
            0000000000000003000000000000000000000000\
            0000000000000002\
            00000000";
        assert_eq!(&v[..HEADER_LEN], expected_header.as_bytes());
        // name "a\0" ends at 112, which is 4-aligned; data follows immediately, then one pad byte.
        assert_eq!(&v[110..112], b"a\0");
        assert_eq!(&v[112..116], b"xyz\0");
        assert_eq!(&v[116..122], b"070701");
    }

    #[test]
    fn round_trip_of_every_entry_kind() {
        let mut w = CpioWriter::new(Vec::new());
        w.dir("/dev", 0o755).unwrap();
        w.char_dev("dev/console", 0o600, 5, 1).unwrap();
        w.dir("tmp", 0o1777).unwrap();
        w.file("etc/hostname", 0o644, b"rill\n").unwrap();
        w.symlink("bin/sh", "/bin/busybox").unwrap();
        w.file("empty", 0o600, b"").unwrap();
        let entries = parse(&w.finish().unwrap());
        let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "dev",
                "dev/console",
                "tmp",
                "etc/hostname",
                "bin/sh",
                "empty"
            ]
        );
        assert_eq!(entries[0].mode, 0o40755);
        assert_eq!(entries[0].nlink, 2);
        assert_eq!(entries[1].mode, 0o20600);
        assert_eq!(entries[1].rdev, (5, 1));
        assert_eq!(entries[2].mode, 0o41777);
        assert_eq!(entries[3].data, b"rill\n");
        assert_eq!(entries[4].mode, 0o120777);
        assert_eq!(entries[4].data, b"/bin/busybox");
        assert!(entries[5].data.is_empty());
        for (i, e) in entries.iter().enumerate() {
            assert_eq!((e.uid, e.gid), (0, 0));
            assert_eq!(e.ino, i as u32 + 1, "inode numbers are unique");
        }
    }

    #[test]
    fn odd_name_and_data_lengths_are_padded() {
        for name_len in 1..9 {
            for data_len in 0..9 {
                let name = "n".repeat(name_len);
                let data = vec![0xabu8; data_len];
                let mut w = CpioWriter::new(Vec::new());
                w.file(&name, 0o755, &data).unwrap();
                w.file("second", 0o644, b"2").unwrap();
                let entries = parse(&w.finish().unwrap());
                assert_eq!(entries.len(), 2);
                assert_eq!(entries[0].name, name);
                assert_eq!(entries[0].data, data);
                assert_eq!(entries[1].name, "second");
                assert_eq!(entries[1].data, b"2");
            }
        }
    }

    #[test]
    fn empty_archive_is_only_a_trailer() {
        let v = CpioWriter::new(Vec::new()).finish().unwrap();
        assert_eq!(v.len(), 512);
        assert!(parse(&v).is_empty());
        assert_eq!(&v[110..121], b"TRAILER!!!\0");
    }

    #[test]
    fn bad_names_are_rejected() {
        let mut w = CpioWriter::new(Vec::new());
        assert!(w.file("/", 0o644, b"").is_err());
        assert!(w.file("a\0b", 0o644, b"").is_err());
    }

    #[test]
    fn host_cpio_tool_reads_the_archive() {
        // Cross-check with GNU cpio when it is installed (it is in CI).
        if std::process::Command::new("cpio")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("cpio not installed; skipping");
            return;
        }
        let mut w = CpioWriter::new(Vec::new());
        w.dir("d", 0o755).unwrap();
        w.file("d/f", 0o640, b"hello").unwrap();
        w.symlink("d/l", "f").unwrap();
        let archive = w.finish().unwrap();
        let mut child = std::process::Command::new("cpio")
            .args(["-itv", "--quiet"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&archive).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("drwxr-xr-x") && lines[0].ends_with(" d"));
        assert!(lines[1].starts_with("-rw-r-----") && lines[1].contains(" 5 "));
        assert!(lines[2].starts_with("lrwxrwxrwx") && lines[2].ends_with("d/l -> f"));
    }
}
