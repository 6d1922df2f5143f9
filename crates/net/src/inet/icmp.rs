//! ICMP echo ("ping") datagram sockets: `socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)`
//! and `IPPROTO_ICMPV6`. User space writes an echo request (header and payload);
//! the socket's identifier (its "port") replaces the header's, and smoltcp sums it.
//! Receive gives the echo replies for that identifier, header included, as Linux.

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_vfs::poll::*;
use rill_vfs::IoEvents;
use smoltcp::socket::{icmp, raw};
use smoltcp::wire::{IpAddress, IpProtocol, IpVersion};

use super::ports::BindAddr;
use super::stack::{parse_remote, sockaddr, Kind, StackInner};
use super::tcp::{SockOpts, H};
use crate::socket::{RecvInfo, AF_INET};
use crate::SockAddr;

pub(crate) struct IcmpState {
    /// `SOCK_RAW` `IPPROTO_ICMP` (IPv4 only): user space builds the whole ICMP
    /// message and receives every ICMP packet with its IP header, as Linux.
    pub raw: bool,
    pub proto: i32,
    pub ident: Option<u16>,
    pub handles: Vec<H>,
    pub peer: Option<IpAddress>,
    pub opts: SockOpts,
    pub queue: VecDeque<(Vec<u8>, IpAddress)>,
}

impl IcmpState {
    pub fn new(proto: i32) -> IcmpState {
        IcmpState {
            raw: false,
            proto,
            ident: None,
            handles: Vec::new(),
            peer: None,
            opts: SockOpts::new(false),
            queue: VecDeque::new(),
        }
    }
}

const ECHO_REQUEST_V4: u8 = 8;
const ECHO_REQUEST_V6: u8 = 128;

impl StackInner {
    pub(crate) fn icmp(&mut self, id: u64) -> KResult<&mut IcmpState> {
        match self.socks.get_mut(&id).map(|e| &mut e.kind) {
            Some(Kind::Icmp(u)) => Ok(u),
            _ => Err(Errno::EBADF),
        }
    }

    /// Binds an identifier (port 0: an ephemeral one) and joins every interface.
    pub fn icmp_bind(&mut self, id: u64, family: u16, addr: BindAddr, port: u16) -> KResult<()> {
        let st = self.icmp(id)?;
        if st.ident.is_some() {
            return Err(Errno::EINVAL);
        }
        let (proto, o) = (st.proto, st.opts.clone());
        let _ = family;
        let port = self.bind_common(id, proto, addr, port, &o)?;
        self.icmp(id)?.ident = Some(port);
        self.icmp_sync(id);
        Ok(())
    }

    pub fn icmp_sync(&mut self, id: u64) {
        let Ok(st) = self.icmp(id) else { return };
        if st.raw {
            self.raw_sync(id);
            return;
        }
        let Some(ident) = st.ident else { return };
        let have: Vec<usize> = st.handles.iter().map(|h| h.0).collect();
        for idx in 0..self.ifaces.len() {
            if have.contains(&idx) {
                continue;
            }
            let mut s = icmp::Socket::new(
                icmp::PacketBuffer::new(
                    vec![icmp::PacketMetadata::EMPTY; 16],
                    vec![0u8; 64 * 1024],
                ),
                icmp::PacketBuffer::new(
                    vec![icmp::PacketMetadata::EMPTY; 16],
                    vec![0u8; 64 * 1024],
                ),
            );
            if s.bind(icmp::Endpoint::Ident(ident)).is_err() {
                continue;
            }
            let h = (idx, self.ifaces[idx].set.add(s));
            if let Ok(st) = self.icmp(id) {
                st.handles.push(h);
            }
        }
        // take the replies out (lo hands us our own requests too: dropped)
        let hs = match self.icmp(id) {
            Ok(st) => st.handles.clone(),
            Err(_) => return,
        };
        let mut got = Vec::new();
        for h in hs {
            let Some(f) = self.ifaces.get_mut(h.0) else {
                continue;
            };
            let s = f.set.get_mut::<icmp::Socket>(h.1);
            while let Ok((data, src)) = s.recv() {
                if !matches!(
                    data.first(),
                    Some(&ECHO_REQUEST_V4) | Some(&ECHO_REQUEST_V6)
                ) {
                    got.push((data.to_vec(), src));
                }
            }
        }
        if let Ok(st) = self.icmp(id) {
            st.queue.extend(got);
        }
    }

    pub fn icmp_connect(&mut self, id: u64, family: u16, addr: &SockAddr) -> KResult<()> {
        if let SockAddr::Unspec = addr {
            self.icmp(id)?.peer = None;
            return Ok(());
        }
        let (ip, _) = parse_remote(family, true, addr)?;
        self.icmp(id)?.peer = Some(ip);
        Ok(())
    }

    fn raw_sync(&mut self, id: u64) {
        let Ok(st) = self.icmp(id) else { return };
        let have: Vec<usize> = st.handles.iter().map(|h| h.0).collect();
        for idx in 0..self.ifaces.len() {
            if have.contains(&idx) {
                continue;
            }
            let s = raw::Socket::new(
                Some(IpVersion::Ipv4),
                Some(IpProtocol::Icmp),
                raw::PacketBuffer::new(vec![raw::PacketMetadata::EMPTY; 16], vec![0u8; 64 * 1024]),
                raw::PacketBuffer::new(vec![raw::PacketMetadata::EMPTY; 16], vec![0u8; 64 * 1024]),
            );
            let h = (idx, self.ifaces[idx].set.add(s));
            if let Ok(st) = self.icmp(id) {
                st.handles.push(h);
            }
        }
        let hs = match self.icmp(id) {
            Ok(st) => st.handles.clone(),
            Err(_) => return,
        };
        let mut got = Vec::new();
        for h in hs {
            let Some(f) = self.ifaces.get_mut(h.0) else {
                continue;
            };
            let s = f.set.get_mut::<raw::Socket>(h.1);
            while let Ok(data) = s.recv() {
                if data.len() >= 20 {
                    let src = IpAddress::v4(data[12], data[13], data[14], data[15]);
                    got.push((data.to_vec(), src));
                }
            }
        }
        if let Ok(st) = self.icmp(id) {
            st.queue.extend(got);
        }
    }

    fn raw_send(&mut self, id: u64, dst: IpAddress, data: &[u8]) -> KResult<usize> {
        let IpAddress::Ipv4(d) = dst else {
            return Err(Errno::EINVAL);
        };
        if data.len() > 65515 {
            return Err(Errno::EMSGSIZE);
        }
        self.raw_sync(id);
        let idx = self.route(&dst)?;
        let Some(IpAddress::Ipv4(src)) = self.source_for(idx, &dst) else {
            return Err(Errno::ENETUNREACH);
        };
        let ttl = self.icmp(id)?.opts.ttl.clamp(1, 255) as u8;
        let h = *self
            .icmp(id)?
            .handles
            .iter()
            .find(|h| h.0 == idx)
            .ok_or(Errno::ENETUNREACH)?;
        let total = (20 + data.len()) as u16;
        let mut pkt = Vec::with_capacity(total as usize);
        pkt.extend_from_slice(&[0x45, 0]);
        pkt.extend_from_slice(&total.to_be_bytes());
        pkt.extend_from_slice(&[0, 0, 0x40, 0, ttl, 1, 0, 0]);
        pkt.extend_from_slice(&src.octets());
        pkt.extend_from_slice(&d.octets());
        pkt.extend_from_slice(data);
        let f = self.ifaces.get_mut(h.0).ok_or(Errno::ENETUNREACH)?;
        let s = f.set.get_mut::<raw::Socket>(h.1);
        match s.send_slice(&pkt) {
            Ok(()) => Ok(data.len()),
            Err(_) => Err(Errno::EAGAIN),
        }
    }

    pub fn icmp_send(
        &mut self,
        id: u64,
        family: u16,
        data: &[u8],
        to: Option<&SockAddr>,
    ) -> KResult<usize> {
        let st = self.icmp(id)?;
        if st.raw {
            let dst = match to {
                Some(a) => parse_remote(family, true, a)?.0,
                None => st.peer.ok_or(Errno::EDESTADDRREQ)?,
            };
            return self.raw_send(id, dst, data);
        }
        let dst = match to {
            Some(a) => parse_remote(family, true, a)?.0,
            None => st.peer.ok_or(Errno::EDESTADDRREQ)?,
        };
        let want = if family == AF_INET {
            ECHO_REQUEST_V4
        } else {
            ECHO_REQUEST_V6
        };
        if data.len() < 8 || data[0] != want || data[1] != 0 {
            return Err(Errno::EINVAL);
        }
        if data.len() > 65507 {
            return Err(Errno::EMSGSIZE);
        }
        if st.ident.is_none() {
            let any = if family == AF_INET {
                BindAddr::Any4
            } else {
                BindAddr::Any6
            };
            self.icmp_bind(id, family, any, 0)?;
        }
        self.icmp_sync(id);
        let st = self.icmp(id)?;
        let ident = st.ident.unwrap_or(0);
        let idx = self.route(&dst)?;
        let st = self.icmp(id)?;
        let h = *st
            .handles
            .iter()
            .find(|h| h.0 == idx)
            .ok_or(Errno::ENETUNREACH)?;
        let mut pkt = data.to_vec();
        pkt[4..6].copy_from_slice(&ident.to_be_bytes());
        pkt[2] = 0;
        pkt[3] = 0;
        let f = self.ifaces.get_mut(h.0).ok_or(Errno::ENETUNREACH)?;
        let s = f.set.get_mut::<icmp::Socket>(h.1);
        match s.send_slice(&pkt, dst) {
            Ok(()) => Ok(data.len()),
            Err(icmp::SendError::BufferFull) => Err(Errno::EAGAIN),
            Err(_) => Err(Errno::ENETUNREACH),
        }
    }

    pub fn icmp_recv(
        &mut self,
        id: u64,
        family: u16,
        buf: &mut [u8],
        flags: i32,
    ) -> KResult<RecvInfo> {
        self.icmp_sync(id);
        let st = self.icmp(id)?;
        let got = if flags & super::c::MSG_PEEK != 0 {
            st.queue.front().cloned()
        } else {
            st.queue.pop_front()
        };
        if let Some((data, src)) = got {
            {
                let n = data.len().min(buf.len());
                buf[..n].copy_from_slice(&data[..n]);
                return Ok(RecvInfo {
                    len: n,
                    full_len: data.len(),
                    addr: Some(sockaddr(family, Some(src), 0)),
                    cmsgs: Vec::new(),
                    flags: if data.len() > n {
                        super::c::MSG_TRUNC
                    } else {
                        0
                    },
                });
            }
        }
        Err(Errno::EAGAIN)
    }

    pub fn icmp_events(&mut self, id: u64) -> IoEvents {
        let Ok(st) = self.icmp(id) else { return 0 };
        if st.queue.is_empty() {
            POLLOUT | POLLWRNORM
        } else {
            POLLOUT | POLLWRNORM | POLLIN | POLLRDNORM
        }
    }

    pub fn icmp_close(&mut self, id: u64) {
        if let Ok(st) = self.icmp(id) {
            let hs = core::mem::take(&mut st.handles);
            for h in hs {
                self.remove_handle(h);
            }
        }
        self.ports.unbind(id);
        self.socks.remove(&id);
    }

    pub fn icmp_local(&mut self, id: u64, family: u16) -> KResult<SockAddr> {
        let st = self.icmp(id)?;
        Ok(sockaddr(family, None, st.ident.unwrap_or(0)))
    }
}
