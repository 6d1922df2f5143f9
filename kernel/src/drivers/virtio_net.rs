//! virtio-net over the modern PCI transport (`virtio-drivers`' `PciTransport`
//! and `VirtIONetRaw`), interrupt-driven.
//!
//! Buffers: one DMA block of `RX_BUFS` receive slots and one of `TX_BUFS`
//! transmit slots, `BUF_LEN` bytes each (virtio-net header + an Ethernet
//! frame). Every receive slot is posted to the device at start and posted
//! again as soon as its frame is copied out; transmit slots are reclaimed
//! from the used ring before each transmit.
//!
//! Interrupts: MSI-X when the device has it (table entry 0, programmed here
//! with the message `arch::irq::register_msi` gives; both queues and
//! configuration changes use it), else the INTx line through the I/O APIC
//! (acknowledged by reading the ISR status). The handler only counts, reads
//! the ISR for INTx, and calls the waker the network stack registered
//! (`drivers::set_net_waker`); the frames are moved by `receive`/`transmit`
//! from the stack's side.
//!
//! Locking: the queues are behind one `spin::Mutex`, taken by `transmit`,
//! `receive` and `can_transmit` only. The interrupt handler takes no lock,
//! so it cannot deadlock with a holder; besides, kernel code runs with
//! interrupts off and under the big kernel lock, which the handler also
//! holds.
//!
//! `unsafe`: `VirtIONetRaw::{transmit,receive}_{begin,complete}` borrow a
//! buffer for as long as the device owns it. The invariant: a slot whose
//! token is `Some` belongs to the device and is not read or written here,
//! and it is given back with `*_complete` with exactly the slice that
//! `*_begin` got (the same offset and length inside a `DmaBuffer` that
//! lives as long as the device: `Inner` owns both).
use super::pci::PciDevice;
use super::virtio_hal::{PortCam, RillHal};
use crate::arch::irq;
use crate::mm::dma::DmaBuffer;
use crate::mm::mmio::{self, MmioRegion};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use rill_hw::pci::{self as hwpci, Bar, Msix};
use rill_net::NetDevice;
use spin::Mutex;
use virtio_drivers::device::net::VirtIONetRaw;
use virtio_drivers::transport::pci::bus::{DeviceFunction, PciRoot};
use virtio_drivers::transport::pci::PciTransport;
use virtio_drivers::transport::{DeviceStatus, DeviceType, InterruptStatus, Transport};
use virtio_drivers::PhysAddr;

const QUEUE_SIZE: usize = 64;
const RX_BUFS: usize = 32;
const TX_BUFS: usize = 32;
const BUF_LEN: usize = 2048;

/// virtio PCI capability types (virtio 1.2 §4.1.4).
const CAP_COMMON: u8 = 1;
const CAP_NOTIFY: u8 = 2;
const CAP_ISR: u8 = 3;
const CAP_DEVICE: u8 = 4;
/// `virtio_pci_common_cfg` offsets (§4.1.4.3).
const COMMON_MSIX_CONFIG: u64 = 0x10;
const COMMON_QUEUE_SELECT: u64 = 0x16;
const COMMON_QUEUE_MSIX_VECTOR: u64 = 0x1a;
const COMMON_QUEUE_NOTIFY_OFF: u64 = 0x1e;
const NO_VECTOR: u16 = 0xffff;
/// The receive and transmit queues of the first pair.
const QUEUES: [u16; 2] = [0, 1];

/// How the device interrupts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqMode {
    /// MSI-X table entry 0 delivers `vector`.
    Msix { vector: u8 },
    /// The INTx line `gsi` through the I/O APIC as `vector`.
    Intx { gsi: u32, vector: u8 },
}

/// A transport whose `notify` only records that the crate wanted one (bit
/// `queue`); the driver rings the doorbell itself once per batch
/// ([`Inner::flush`]), so a burst of frames or refills costs one MMIO exit
/// instead of one per buffer. The crate asks for a notification whenever the
/// device's `avail_event` is behind, i.e. on almost every buffer while the
/// device is busy, and every doorbell write is a VM exit under TCG.
struct Deferred {
    inner: PciTransport,
    pending: Arc<AtomicU8>,
    /// Whether the driver found the doorbell (else notify at once).
    defer: bool,
}

impl Transport for Deferred {
    fn device_type(&self) -> DeviceType {
        self.inner.device_type()
    }
    fn read_device_features(&mut self) -> u64 {
        self.inner.read_device_features()
    }
    fn write_driver_features(&mut self, f: u64) {
        self.inner.write_driver_features(f)
    }
    fn max_queue_size(&mut self, q: u16) -> u32 {
        self.inner.max_queue_size(q)
    }
    fn notify(&mut self, q: u16) {
        if self.defer && q < 8 {
            self.pending.fetch_or(1 << q, Ordering::AcqRel);
        } else {
            self.inner.notify(q)
        }
    }
    fn get_status(&self) -> DeviceStatus {
        self.inner.get_status()
    }
    fn set_status(&mut self, s: DeviceStatus) {
        self.inner.set_status(s)
    }
    fn set_guest_page_size(&mut self, n: u32) {
        self.inner.set_guest_page_size(n)
    }
    fn requires_legacy_layout(&self) -> bool {
        self.inner.requires_legacy_layout()
    }
    fn queue_set(&mut self, q: u16, size: u32, d: PhysAddr, drv: PhysAddr, dev: PhysAddr) {
        self.inner.queue_set(q, size, d, drv, dev)
    }
    fn queue_unset(&mut self, q: u16) {
        self.inner.queue_unset(q)
    }
    fn queue_used(&mut self, q: u16) -> bool {
        self.inner.queue_used(q)
    }
    fn ack_interrupt(&mut self) -> InterruptStatus {
        self.inner.ack_interrupt()
    }
    fn read_config_generation(&self) -> u32 {
        self.inner.read_config_generation()
    }
    fn read_config_space<T: zerocopy::FromBytes + zerocopy::IntoBytes>(
        &self,
        off: usize,
    ) -> virtio_drivers::Result<T> {
        self.inner.read_config_space(off)
    }
    fn write_config_space<T: zerocopy::IntoBytes + zerocopy::Immutable>(
        &mut self,
        off: usize,
        v: T,
    ) -> virtio_drivers::Result<()> {
        self.inner.write_config_space(off, v)
    }
}

/// Where to ring each queue's doorbell (virtio 1.2 §4.1.4.4): the notify
/// region and the byte offset of queue 0 and 1 in it.
struct Doorbell {
    region: MmioRegion,
    off: [u64; 2],
}

struct Inner {
    net: VirtIONetRaw<RillHal, Deferred, QUEUE_SIZE>,
    pending: Arc<AtomicU8>,
    doorbell: Option<Doorbell>,
    rx_mem: DmaBuffer,
    tx_mem: DmaBuffer,
    /// The device's token for each posted receive slot.
    rx_token: [Option<u16>; RX_BUFS],
    /// Token and length of each transmit slot in flight.
    tx_token: [Option<(u16, usize)>; TX_BUFS],
}

fn slot(mem: &mut DmaBuffer, i: usize) -> Option<&mut [u8]> {
    mem.as_mut_slice().get_mut(i * BUF_LEN..(i + 1) * BUF_LEN)
}

impl Inner {
    /// Ring the doorbell of every queue the crate asked to notify since the
    /// last flush (`mask`: the queues to consider).
    fn flush(&mut self, mask: u8) {
        let p = self.pending.fetch_and(!mask, Ordering::AcqRel) & mask;
        for q in QUEUES {
            if p & (1 << q) == 0 {
                continue;
            }
            // (without a doorbell nothing is deferred: `Deferred::defer`)
            if let Some(d) = &self.doorbell {
                let off = d.off.get(q as usize).copied().unwrap_or(0);
                let _ = d.region.try_write16(off, q);
            }
        }
    }

    /// Give receive slot `i` to the device.
    fn post_rx(&mut self, i: usize) -> bool {
        let Some(buf) = slot(&mut self.rx_mem, i) else {
            return false;
        };
        // SAFETY: slot `i` is not posted (its token is None) and stays
        // untouched until `receive_complete` with this same slice.
        match unsafe { self.net.receive_begin(buf) } {
            Ok(t) => {
                if let Some(s) = self.rx_token.get_mut(i) {
                    *s = Some(t);
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Take back every completed transmit slot.
    fn reclaim_tx(&mut self) {
        while let Some(tok) = self.net.poll_transmit() {
            let Some(i) = self
                .tx_token
                .iter()
                .position(|s| s.map(|s| s.0) == Some(tok))
            else {
                break;
            };
            let len = self.tx_token[i].map_or(0, |s| s.1);
            let Some(buf) = slot(&mut self.tx_mem, i).and_then(|b| b.get(..len)) else {
                break;
            };
            // SAFETY: the slice `transmit_begin` got for this token.
            if unsafe { self.net.transmit_complete(tok, buf) }.is_err() {
                break;
            }
            self.tx_token[i] = None;
        }
    }
}

#[derive(Default)]
struct Stats {
    rx_packets: AtomicU64,
    rx_bytes: AtomicU64,
    tx_packets: AtomicU64,
    tx_bytes: AtomicU64,
    rx_errors: AtomicU64,
    tx_errors: AtomicU64,
    rx_dropped: AtomicU64,
    tx_dropped: AtomicU64,
}

pub struct VirtioNet {
    /// `eth0`, ...
    pub name: String,
    /// `0000:00:03.0`
    pub pci_name: String,
    mac: [u8; 6],
    inner: Mutex<Inner>,
    irq: Mutex<Option<IrqMode>>,
    isr: Option<MmioRegion>,
    device_cfg: Option<MmioRegion>,
    irqs: AtomicU64,
    stats: Stats,
}

impl VirtioNet {
    pub fn irq_mode(&self) -> Option<IrqMode> {
        *self.irq.lock()
    }
    /// Interrupts handled so far.
    pub fn irq_count(&self) -> u64 {
        self.irqs.load(Ordering::Acquire)
    }
    /// The driver's own counters, as `rill_net::config::LinkStats`.
    pub fn stats(&self) -> rill_net::config::LinkStats {
        let s = &self.stats;
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        rill_net::config::LinkStats {
            rx_packets: l(&s.rx_packets),
            tx_packets: l(&s.tx_packets),
            rx_bytes: l(&s.rx_bytes),
            tx_bytes: l(&s.tx_bytes),
            rx_errors: l(&s.rx_errors),
            tx_errors: l(&s.tx_errors),
            rx_dropped: l(&s.rx_dropped),
            tx_dropped: l(&s.tx_dropped),
        }
    }

    /// The interrupt: count it, quieten an INTx line, wake the stack.
    fn on_irq(&self) {
        if let Some(isr) = &self.isr {
            if matches!(self.irq_mode(), Some(IrqMode::Intx { .. })) {
                // reading the ISR status clears it and de-asserts the line
                let _ = isr.try_read8(0);
            }
        }
        self.irqs.fetch_add(1, Ordering::AcqRel);
    }
}

impl NetDevice for VirtioNet {
    fn mac(&self) -> [u8; 6] {
        self.mac
    }

    fn transmit(&self, frame: &[u8]) -> bool {
        let mut g = self.inner.lock();
        let inner = &mut *g;
        inner.reclaim_tx();
        let Some(i) = inner.tx_token.iter().position(|s| s.is_none()) else {
            return false;
        };
        if !inner.net.can_send() {
            return false;
        }
        let Some(buf) = slot(&mut inner.tx_mem, i) else {
            return false;
        };
        let Ok(hdr) = inner.net.fill_buffer_header(buf) else {
            return false;
        };
        let len = hdr + frame.len();
        let Some(dst) = buf.get_mut(hdr..len) else {
            // larger than a frame can be: counted and dropped
            self.stats.tx_dropped.fetch_add(1, Ordering::Relaxed);
            return true;
        };
        dst.copy_from_slice(frame);
        let Some(buf) = buf.get(..len) else {
            return true;
        };
        // SAFETY: slot `i` is free (no token); it is not touched until
        // `reclaim_tx` completes it with this same slice.
        match unsafe { inner.net.transmit_begin(buf) } {
            Ok(t) => {
                inner.tx_token[i] = Some((t, len));
                self.stats.tx_packets.fetch_add(1, Ordering::Relaxed);
                self.stats
                    .tx_bytes
                    .fetch_add(frame.len() as u64, Ordering::Relaxed);
                true
            }
            Err(virtio_drivers::Error::QueueFull) => false,
            Err(_) => {
                self.stats.tx_errors.fetch_add(1, Ordering::Relaxed);
                true
            }
        }
    }

    fn can_transmit(&self) -> bool {
        let mut g = self.inner.lock();
        g.reclaim_tx();
        let ok = g.net.can_send() && g.tx_token.iter().any(|s| s.is_none());
        if !ok {
            // full: let the device drain what is queued
            g.flush(1 << QUEUES[1]);
        }
        ok
    }

    fn flush(&self) {
        self.inner.lock().flush(0xff);
    }

    fn receive(&self) -> Option<Vec<u8>> {
        let mut g = self.inner.lock();
        let inner = &mut *g;
        loop {
            let Some(tok) = inner.net.poll_receive() else {
                // the batch is over: give the device its refilled slots
                inner.flush(1 << QUEUES[0]);
                return None;
            };
            let i = inner.rx_token.iter().position(|s| *s == Some(tok))?;
            let buf = slot(&mut inner.rx_mem, i)?;
            // SAFETY: the slice `receive_begin` got for this token.
            let r = unsafe { inner.net.receive_complete(tok, buf) };
            inner.rx_token[i] = None;
            let frame = match r {
                Ok((hdr, len)) => slot(&mut inner.rx_mem, i)
                    .and_then(|b| b.get(hdr..hdr + len))
                    .map(rill_net::bufpool::take_copy),
                Err(_) => None,
            };
            if !inner.post_rx(i) {
                self.stats.rx_errors.fetch_add(1, Ordering::Relaxed);
            }
            match frame {
                Some(f) => {
                    self.stats.rx_packets.fetch_add(1, Ordering::Relaxed);
                    self.stats
                        .rx_bytes
                        .fetch_add(f.len() as u64, Ordering::Relaxed);
                    return Some(f);
                }
                None => {
                    self.stats.rx_errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    fn link_up(&self) -> bool {
        // virtio_net_config.status (VIRTIO_NET_F_STATUS, which QEMU offers)
        self.device_cfg
            .and_then(|c| c.try_read16(6))
            .is_none_or(|s| s & 1 != 0)
    }
}

/// The vendor capabilities of a virtio PCI function: (cfg_type, bar, offset, length).
fn virtio_caps(d: &PciDevice) -> Vec<(u8, u8, u32, u32)> {
    d.caps
        .iter()
        .filter(|c| c.0 == hwpci::CAP_VENDOR)
        .map(|&(_, off)| {
            let o = off as u16;
            (
                d.bdf.read8(o + 3),
                d.bdf.read8(o + 4),
                d.bdf.read32(o + 8),
                d.bdf.read32(o + 12),
            )
        })
        .collect()
}

/// Map the region of the first capability of `ty`.
fn cap_region(d: &PciDevice, caps: &[(u8, u8, u32, u32)], ty: u8) -> Option<MmioRegion> {
    let &(_, bar, off, len) = caps.iter().find(|c| c.0 == ty)?;
    let (base, size) = d.bars.get(bar as usize)?.memory()?;
    if off as u64 + len as u64 > size || len == 0 {
        return None;
    }
    mmio::map(base + off as u64, len as u64).ok()
}

/// The doorbell of queues 0 and 1: the notify capability's region, its
/// `notify_off_multiplier` (the dword after the capability's length) times
/// each queue's `queue_notify_off`. `None` when anything is out of range.
fn find_doorbell(
    d: &PciDevice,
    caps: &[(u8, u8, u32, u32)],
    common: &MmioRegion,
) -> Option<Doorbell> {
    let region = cap_region(d, caps, CAP_NOTIFY)?;
    let &(_, off) = d
        .caps
        .iter()
        .find(|c| c.0 == hwpci::CAP_VENDOR && d.bdf.read8(c.1 as u16 + 3) == CAP_NOTIFY)?;
    let mult = u64::from(d.bdf.read32(off as u16 + 16));
    let len = u64::from(caps.iter().find(|c| c.0 == CAP_NOTIFY)?.3);
    let mut offs = [0u64; 2];
    for (q, o) in QUEUES.iter().zip(offs.iter_mut()) {
        common.try_write16(COMMON_QUEUE_SELECT, *q)?;
        let n = u64::from(common.try_read16(COMMON_QUEUE_NOTIFY_OFF)?);
        *o = n.checked_mul(mult)?;
        if *o + 2 > len {
            return None;
        }
    }
    Some(Doorbell { region, off: offs })
}

static DEVICES: Mutex<Vec<Arc<VirtioNet>>> = Mutex::new(Vec::new());
/// The devices by interrupt vector, for the handler (set before the
/// interrupt is enabled; read without locking anything else).
static BY_VECTOR: Mutex<Vec<(u8, Arc<VirtioNet>)>> = Mutex::new(Vec::new());

/// The started devices.
pub fn devices() -> Vec<Arc<VirtioNet>> {
    DEVICES.lock().clone()
}

fn irq_handler(c: &irq::IrqContext) {
    let dev = BY_VECTOR
        .lock()
        .iter()
        .find(|d| d.0 == c.vector)
        .map(|d| d.1.clone());
    if let Some(d) = dev {
        d.on_irq();
    }
    super::wake_net();
}

/// Program MSI-X entry 0 to deliver `msg` and route both queues and
/// configuration changes to it. `false` when the device refuses (it reads
/// back NO_VECTOR).
fn setup_msix(d: &PciDevice, m: &Msix, common: &MmioRegion, msg: rill_hw::MsiMessage) -> bool {
    let Some((base, size)) = d.bars.get(m.table_bar as usize).and_then(|b| b.memory()) else {
        return false;
    };
    if m.table_offset as u64 + m.table_len() > size {
        return false;
    }
    let Ok(table) = mmio::map(base + m.table_offset as u64, m.table_len()) else {
        return false;
    };
    let ctrl_off = m.cap as u16 + 2;
    let ctrl = d.bdf.read16(ctrl_off);
    // enabled with the whole function masked while the entries are written
    let dw0 = d.bdf.read32(m.cap as u16) & 0xffff;
    let on = (ctrl | hwpci::MSIX_ENABLE | hwpci::MSIX_FUNCTION_MASK) as u32;
    d.bdf.write32(m.cap as u16, dw0 | on << 16);
    for i in 0..m.entries {
        let masked = hwpci::msix_entry(msg, true);
        let e = i as u64 * hwpci::MSIX_ENTRY_SIZE;
        let _ = table.try_write32(e + 12, masked[3]);
    }
    let words = hwpci::msix_entry(msg, false);
    for (k, w) in words.iter().enumerate().take(3) {
        let _ = table.try_write32(k as u64 * 4, *w);
    }
    let _ = table.try_write32(12, words[3]);
    let mut ok = true;
    for q in QUEUES {
        let _ = common.try_write16(COMMON_QUEUE_SELECT, q);
        let _ = common.try_write16(COMMON_QUEUE_MSIX_VECTOR, 0);
        ok &= common.try_read16(COMMON_QUEUE_MSIX_VECTOR) == Some(0);
    }
    let _ = common.try_write16(COMMON_MSIX_CONFIG, 0);
    ok &= common.try_read16(COMMON_MSIX_CONFIG) == Some(0);
    let off = (ctrl | hwpci::MSIX_ENABLE) & !hwpci::MSIX_FUNCTION_MASK;
    d.bdf.write32(m.cap as u16, dw0 | (off as u32) << 16);
    if !ok {
        // back to INTx: the vectors unset, MSI-X off
        for q in QUEUES {
            let _ = common.try_write16(COMMON_QUEUE_SELECT, q);
            let _ = common.try_write16(COMMON_QUEUE_MSIX_VECTOR, NO_VECTOR);
        }
        let _ = common.try_write16(COMMON_MSIX_CONFIG, NO_VECTOR);
        d.bdf
            .write32(m.cap as u16, dw0 | (ctrl as u32 & !0xc000) << 16);
    }
    ok
}

fn wire_irq(d: &PciDevice, dev: &Arc<VirtioNet>, common: &MmioRegion) -> Option<IrqMode> {
    let nomsi = crate::cmdline::opt("pci").is_some_and(|v| v.split(',').any(|w| w == "nomsi"));
    if let (Some(m), false) = (d.msix, nomsi) {
        match irq::register_msi(irq_handler, 0) {
            Ok((vector, msg)) => {
                BY_VECTOR.lock().push((vector, dev.clone()));
                if setup_msix(d, &m, common, msg) {
                    d.set_command(d.command() | hwpci::cmd::INTX_DISABLE);
                    return Some(IrqMode::Msix { vector });
                }
                BY_VECTOR.lock().retain(|x| x.0 != vector);
                irq::release_vector(vector);
            }
            Err(e) => kinfo!("{}: no MSI vector: {:?}", dev.pci_name, e),
        }
    }
    if d.irq_pin == 0 || d.irq_line == 0xff || !irq::ioapic_mode() {
        return None;
    }
    // the firmware's interrupt line is the ISA IRQ number; with the I/O
    // APIC that is its GSI unless an override moves it
    let gsi = if d.irq_line < 16 {
        irq::isa_gsi(d.irq_line)
    } else {
        d.irq_line as u32
    };
    // (interrupts are off in the kernel: the handler cannot run before
    // the device is on the list)
    match irq::register_pci_intx(gsi, irq_handler, 0) {
        Ok(vector) => {
            BY_VECTOR.lock().push((vector, dev.clone()));
            Some(IrqMode::Intx { gsi, vector })
        }
        Err(e) => {
            kinfo!("{}: cannot route GSI {}: {:?}", dev.pci_name, gsi, e);
            None
        }
    }
}

/// Start a virtio-net function: `Ok(None)` when it is not one.
pub fn probe(d: &PciDevice, index: usize) -> Result<Option<Arc<VirtioNet>>, String> {
    // transitional 0x1000 or modern 0x1041
    if d.vendor != 0x1af4 || !(d.device == 0x1000 || d.device == 0x1041) {
        return Ok(None);
    }
    let caps = virtio_caps(d);
    let common = cap_region(d, &caps, CAP_COMMON).ok_or("no common configuration")?;
    let isr = cap_region(d, &caps, CAP_ISR);
    let device_cfg = cap_region(d, &caps, CAP_DEVICE);
    // map whole BARs the capabilities use, so the crate finds them mapped
    for &(_, bar, _, _) in &caps {
        if let Some((base, size)) = d.bars.get(bar as usize).and_then(Bar::memory) {
            mmio::map(base, size).map_err(|e| alloc::format!("map BAR{}: {:?}", bar, e))?;
        }
    }
    d.set_command(d.command() | hwpci::cmd::MEMORY | hwpci::cmd::IO | hwpci::cmd::BUS_MASTER);
    let mut root = PciRoot::new(PortCam);
    let df = DeviceFunction {
        bus: d.bdf.bus,
        device: d.bdf.dev,
        function: d.bdf.func,
    };
    let doorbell = find_doorbell(d, &caps, &common);
    let pending = Arc::new(AtomicU8::new(0));
    let transport = Deferred {
        inner: PciTransport::new::<RillHal, PortCam>(&mut root, df)
            .map_err(|e| alloc::format!("transport: {}", e))?,
        pending: pending.clone(),
        defer: doorbell.is_some(),
    };
    let net = VirtIONetRaw::<RillHal, Deferred, QUEUE_SIZE>::new(transport)
        .map_err(|e| alloc::format!("init: {}", e))?;
    let rx_mem = DmaBuffer::alloc(RX_BUFS * BUF_LEN).map_err(|e| alloc::format!("{:?}", e))?;
    let tx_mem = DmaBuffer::alloc(TX_BUFS * BUF_LEN).map_err(|e| alloc::format!("{:?}", e))?;
    let mac = net.mac_address();
    let dev = Arc::new(VirtioNet {
        name: alloc::format!("eth{}", index),
        pci_name: d.bdf.name(),
        mac,
        inner: Mutex::new(Inner {
            net,
            pending,
            doorbell,
            rx_mem,
            tx_mem,
            rx_token: [None; RX_BUFS],
            tx_token: [None; TX_BUFS],
        }),
        irq: Mutex::new(None),
        isr,
        device_cfg,
        irqs: AtomicU64::new(0),
        stats: Stats::default(),
    });
    let mode = wire_irq(d, &dev, &common);
    *dev.irq.lock() = mode;
    {
        let mut g = dev.inner.lock();
        g.net.enable_interrupts();
        for i in 0..RX_BUFS {
            if !g.post_rx(i) {
                return Err(alloc::format!("posting receive buffer {}", i));
            }
        }
        g.flush(0xff);
    }
    let how = match mode {
        Some(IrqMode::Msix { .. }) => String::from("MSI-X"),
        Some(IrqMode::Intx { gsi, .. }) => alloc::format!("IRQ {}", gsi),
        None => String::from("no interrupt"),
    };
    kinfo!(
        "virtio_net {} {}: mac {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}, {}",
        dev.pci_name,
        dev.name,
        mac[0],
        mac[1],
        mac[2],
        mac[3],
        mac[4],
        mac[5],
        how
    );
    DEVICES.lock().push(dev.clone());
    Ok(Some(dev))
}
