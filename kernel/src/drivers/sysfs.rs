//! The drivers' `/sys` entries, in Linux's formats:
//! `/sys/class/net/IFACE/{address,mtu,operstate,ifindex,type,flags,carrier,
//! statistics/*}` and `/sys/bus/pci/devices/0000:BB:DD.F/{vendor,device,
//! class,revision,subsystem_vendor,subsystem_device,irq}`.
//!
//! The interfaces are the network stack's (`set_net_sysfs_source`); until it
//! registers, they are lo and the drivers' devices with the drivers' own
//! figures.
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_net::config::{iff, Link, LinkStats, ARPHRD_ETHER, ARPHRD_LOOPBACK};
use rill_net::NetDevice;
use rill_vfs::proc::{procfs_id, ProcDir, ProcFile, StaticDir};
use rill_vfs::{DirEntry, FileType, Inode, Metadata};
use spin::Mutex;

/// What lists the interfaces.
pub type LinkSource = fn() -> Vec<Link>;
type Stat = fn(&LinkStats) -> u64;

static SOURCE: Mutex<Option<LinkSource>> = Mutex::new(None);

/// The interface list `/sys/class/net` shows (the stack registers it).
pub fn set_net_sysfs_source(f: LinkSource) {
    *SOURCE.lock() = Some(f);
}

/// lo and the drivers' devices, as the drivers see them.
fn own_links() -> Vec<Link> {
    let mut v = alloc::vec![Link {
        index: 1,
        name: "lo".into(),
        flags: iff::LOOPBACK,
        mtu: 65536,
        mac: [0; 6],
        link_type: ARPHRD_LOOPBACK,
        stats: LinkStats::default(),
    }];
    for (i, d) in super::virtio_net::devices().iter().enumerate() {
        v.push(Link {
            index: i as u32 + 2,
            name: d.name.clone(),
            flags: iff::BROADCAST | iff::MULTICAST,
            mtu: d.mtu(),
            mac: d.mac(),
            link_type: ARPHRD_ETHER,
            stats: d.stats(),
        });
    }
    v
}

fn links() -> Vec<Link> {
    let f = *SOURCE.lock();
    match f {
        Some(f) => f(),
        None => own_links(),
    }
}

fn link(name: &str) -> KResult<Link> {
    links()
        .into_iter()
        .find(|l| l.name == name)
        .ok_or(Errno::ENODEV)
}

fn mac_str(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\n",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

/// Linux's `operstate`: lo (no carrier notion) is "unknown" when up.
fn operstate(l: &Link) -> &'static str {
    if l.flags & iff::UP == 0 {
        "down"
    } else if l.link_type == ARPHRD_LOOPBACK {
        "unknown"
    } else if l.flags & iff::RUNNING != 0 || l.flags & iff::LOWER_UP != 0 {
        "up"
    } else {
        "down"
    }
}

type Attr = fn(&Link) -> KResult<String>;

fn attr(name: &Arc<str>, f: Attr) -> Arc<dyn Inode> {
    let name = name.clone();
    ProcFile::new(move || Ok(f(&link(&name)?)?.into_bytes()))
}

const ATTRS: &[(&str, Attr)] = &[
    ("address", |l| Ok(mac_str(&l.mac))),
    ("broadcast", |l| {
        Ok(mac_str(&if l.link_type == ARPHRD_ETHER {
            [0xff; 6]
        } else {
            [0; 6]
        }))
    }),
    ("addr_len", |_| Ok("6\n".into())),
    ("mtu", |l| Ok(format!("{}\n", l.mtu))),
    ("operstate", |l| Ok(format!("{}\n", operstate(l)))),
    ("ifindex", |l| Ok(format!("{}\n", l.index))),
    ("iflink", |l| Ok(format!("{}\n", l.index))),
    ("type", |l| Ok(format!("{}\n", l.link_type))),
    // dev->flags: RUNNING and LOWER_UP are operational state, not flags
    ("flags", |l| {
        Ok(format!(
            "{:#x}\n",
            l.flags & !(iff::RUNNING | iff::LOWER_UP)
        ))
    }),
    // EINVAL while the interface is down, as Linux
    ("carrier", |l| {
        if l.flags & iff::UP == 0 {
            return Err(Errno::EINVAL);
        }
        let on = l.link_type == ARPHRD_LOOPBACK || l.flags & (iff::RUNNING | iff::LOWER_UP) != 0;
        Ok(format!("{}\n", on as u8))
    }),
];

const STATS: &[(&str, Stat)] = &[
    ("rx_bytes", |s| s.rx_bytes),
    ("tx_bytes", |s| s.tx_bytes),
    ("rx_packets", |s| s.rx_packets),
    ("tx_packets", |s| s.tx_packets),
    ("rx_errors", |s| s.rx_errors),
    ("tx_errors", |s| s.tx_errors),
    ("rx_dropped", |s| s.rx_dropped),
    ("tx_dropped", |s| s.tx_dropped),
];

/// A file generated on every read, so that its error (`carrier` of a
/// down interface: EINVAL) comes from read(2), as on Linux, not open(2).
struct ReadTimeFile {
    ino: u64,
    name: Arc<str>,
    f: Attr,
}

impl Inode for ReadTimeFile {
    fn metadata(&self) -> Metadata {
        Metadata::synthetic(procfs_id(), self.ino, FileType::Regular, 0o444, 1)
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let data = (self.f)(&link(&self.name)?)?;
        let start = usize::try_from(off).unwrap_or(usize::MAX);
        let src = data.as_bytes().get(start..).unwrap_or(&[]);
        let n = src.len().min(buf.len());
        if let (Some(d), Some(s)) = (buf.get_mut(..n), src.get(..n)) {
            d.copy_from_slice(s);
        }
        Ok(n)
    }
    fn as_any(&self) -> &dyn core::any::Any {
        self
    }
    fn fs_id(&self) -> u64 {
        procfs_id()
    }
}

fn link_dir(name: &str) -> Arc<dyn Inode> {
    let name: Arc<str> = Arc::from(name);
    let d = StaticDir::new();
    for &(n, f) in ATTRS {
        if n == "carrier" {
            let ino = rill_vfs::alloc_ino();
            let name = name.clone();
            d.add_child(n, Arc::new(ReadTimeFile { ino, name, f }));
        } else {
            d.add_child(n, attr(&name, f));
        }
    }
    let st = StaticDir::new();
    for &(n, f) in STATS {
        let name = name.clone();
        st.add_child(
            n,
            ProcFile::new(move || Ok(format!("{}\n", f(&link(&name)?.stats)).into_bytes())),
        );
    }
    d.add_child("statistics", st);
    d
}

fn dirent(name: &str) -> DirEntry {
    // a stable, non-zero inode number from the name
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes().chain(*b"/sys/class/net") {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    DirEntry {
        name: name.as_bytes().to_vec(),
        ino: h | 1,
        ftype: FileType::Directory,
    }
}

fn class_net() -> Arc<dyn Inode> {
    // one directory per name, made on first lookup and kept
    let made: Mutex<BTreeMap<String, Arc<dyn Inode>>> = Mutex::new(BTreeMap::new());
    let lookup = move |n: &[u8]| -> KResult<Arc<dyn Inode>> {
        let n = core::str::from_utf8(n).map_err(|_| Errno::ENOENT)?;
        if !links().iter().any(|l| l.name == n) {
            return Err(Errno::ENOENT);
        }
        let mut m = made.lock();
        Ok(m.entry(String::from(n))
            .or_insert_with(|| link_dir(n))
            .clone())
    };
    ProcDir::new(
        || links().iter().map(|l| dirent(&l.name)).collect(),
        Box::new(lookup),
    )
}

fn pci_devices() -> Arc<dyn Inode> {
    let devs = StaticDir::new();
    for d in super::pci::devices() {
        let e = StaticDir::new();
        let (v, dv, c, r) = (d.vendor, d.device, d.class, d.revision);
        let (sv, sd, irq) = (d.subsystem_vendor, d.subsystem_device, d.irq_line);
        let f = |s: String| ProcFile::new(move || Ok(s.clone().into_bytes()));
        e.add_child("vendor", f(format!("{:#06x}\n", v)));
        e.add_child("device", f(format!("{:#06x}\n", dv)));
        e.add_child("class", f(format!("{:#08x}\n", c)));
        e.add_child("revision", f(format!("{:#04x}\n", r)));
        e.add_child("subsystem_vendor", f(format!("{:#06x}\n", sv)));
        e.add_child("subsystem_device", f(format!("{:#06x}\n", sd)));
        e.add_child("irq", f(format!("{}\n", irq)));
        devs.add_child(d.bdf.name(), e);
    }
    devs
}

/// Adds `/sys/class/net` to `class` and `/sys/bus/pci/devices` to `root`
/// (procfs's `build_sys` calls this).
pub fn populate(root: &StaticDir, class: &StaticDir) {
    class.add_child("net", class_net());
    let bus = StaticDir::new();
    let pci = StaticDir::new();
    pci.add_child("devices", pci_devices());
    bus.add_child("pci", pci);
    root.add_child("bus", bus);
}
