//! Netlink wire format: `struct nlmsghdr`, attributes (`struct nlattr`, 4-byte
//! aligned), `NLMSG_ERROR`/`NLMSG_DONE`, and the rtnetlink headers
//! (`ifinfomsg`, `ifaddrmsg`, `rtmsg`) with the constants iproute2 and glibc use.

use alloc::vec::Vec;

/// `sizeof(struct nlmsghdr)`.
pub const NLMSG_HDRLEN: usize = 16;

pub const NLMSG_NOOP: u16 = 1;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const NLMSG_OVERRUN: u16 = 4;
/// Types below this are control messages.
pub const NLMSG_MIN_TYPE: u16 = 0x10;

pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_MULTI: u16 = 0x2;
pub const NLM_F_ACK: u16 = 0x4;
pub const NLM_F_ECHO: u16 = 0x8;
pub const NLM_F_ROOT: u16 = 0x100;
pub const NLM_F_MATCH: u16 = 0x200;
pub const NLM_F_DUMP: u16 = NLM_F_ROOT | NLM_F_MATCH;
pub const NLM_F_REPLACE: u16 = 0x100;
pub const NLM_F_EXCL: u16 = 0x200;
pub const NLM_F_CREATE: u16 = 0x400;
pub const NLM_F_APPEND: u16 = 0x800;
/// In an `NLMSG_ERROR`: the request's payload was left out.
pub const NLM_F_CAPPED: u16 = 0x100;
/// In an `NLMSG_ERROR`/`NLMSG_DONE`: extended-ack attributes follow.
pub const NLM_F_ACK_TLVS: u16 = 0x200;

/// rtnetlink message types.
pub const RTM_BASE: u16 = 16;
pub const RTM_NEWLINK: u16 = 16;
pub const RTM_DELLINK: u16 = 17;
pub const RTM_GETLINK: u16 = 18;
pub const RTM_SETLINK: u16 = 19;
pub const RTM_NEWADDR: u16 = 20;
pub const RTM_DELADDR: u16 = 21;
pub const RTM_GETADDR: u16 = 22;
pub const RTM_NEWROUTE: u16 = 24;
pub const RTM_DELROUTE: u16 = 25;
pub const RTM_GETROUTE: u16 = 26;
pub const RTM_NEWNEIGH: u16 = 28;
pub const RTM_GETNEIGH: u16 = 30;
/// The highest rtnetlink type (`RTM_MAX` of Linux 6.1); above it EOPNOTSUPP.
pub const RTM_MAX: u16 = 127;

/// `IFLA_*`.
pub const IFLA_ADDRESS: u16 = 1;
pub const IFLA_BROADCAST: u16 = 2;
pub const IFLA_IFNAME: u16 = 3;
pub const IFLA_MTU: u16 = 4;
pub const IFLA_LINK: u16 = 5;
pub const IFLA_QDISC: u16 = 6;
pub const IFLA_STATS: u16 = 7;
pub const IFLA_TXQLEN: u16 = 13;
pub const IFLA_MAP: u16 = 14;
pub const IFLA_OPERSTATE: u16 = 16;
pub const IFLA_LINKMODE: u16 = 17;
pub const IFLA_LINKINFO: u16 = 18;
pub const IFLA_STATS64: u16 = 23;
pub const IFLA_GROUP: u16 = 27;
pub const IFLA_PROMISCUITY: u16 = 30;
pub const IFLA_NUM_TX_QUEUES: u16 = 31;
pub const IFLA_NUM_RX_QUEUES: u16 = 32;
pub const IFLA_CARRIER: u16 = 33;
pub const IFLA_CARRIER_CHANGES: u16 = 35;
pub const IFLA_PROTO_DOWN: u16 = 39;
pub const IFLA_GSO_MAX_SEGS: u16 = 40;
pub const IFLA_GSO_MAX_SIZE: u16 = 41;
pub const IFLA_CARRIER_UP_COUNT: u16 = 47;
pub const IFLA_CARRIER_DOWN_COUNT: u16 = 48;
pub const IFLA_MIN_MTU: u16 = 50;
pub const IFLA_MAX_MTU: u16 = 51;
pub const IFLA_ALT_IFNAME: u16 = 53;
pub const IFLA_PERM_ADDRESS: u16 = 54;
pub const IFLA_GRO_MAX_SIZE: u16 = 58;
pub const IFLA_TSO_MAX_SIZE: u16 = 59;
pub const IFLA_TSO_MAX_SEGS: u16 = 60;

/// `IF_OPER_*`.
pub const IF_OPER_UNKNOWN: u8 = 0;
pub const IF_OPER_DOWN: u8 = 2;
pub const IF_OPER_UP: u8 = 6;

/// `IFA_*`.
pub const IFA_ADDRESS: u16 = 1;
pub const IFA_LOCAL: u16 = 2;
pub const IFA_LABEL: u16 = 3;
pub const IFA_BROADCAST: u16 = 4;
pub const IFA_ANYCAST: u16 = 5;
pub const IFA_CACHEINFO: u16 = 6;
pub const IFA_FLAGS: u16 = 8;
pub const IFA_F_PERMANENT: u32 = 0x80;

/// `RTA_*`.
pub const RTA_DST: u16 = 1;
pub const RTA_SRC: u16 = 2;
pub const RTA_IIF: u16 = 3;
pub const RTA_OIF: u16 = 4;
pub const RTA_GATEWAY: u16 = 5;
pub const RTA_PRIORITY: u16 = 6;
pub const RTA_PREFSRC: u16 = 7;
pub const RTA_METRICS: u16 = 8;
pub const RTA_MULTIPATH: u16 = 9;
pub const RTA_CACHEINFO: u16 = 12;
pub const RTA_TABLE: u16 = 15;
pub const RTA_PREF: u16 = 20;

pub const RT_TABLE_UNSPEC: u8 = 0;
pub const RT_TABLE_MAIN: u8 = 254;
pub const RT_TABLE_LOCAL: u8 = 255;
pub const RTN_UNICAST: u8 = 1;
pub const RTN_LOCAL: u8 = 2;
pub const RTN_BROADCAST: u8 = 3;
pub const RTPROT_KERNEL: u8 = 2;
pub const RTPROT_BOOT: u8 = 3;
pub const RT_SCOPE_UNIVERSE: u8 = 0;
pub const RT_SCOPE_LINK: u8 = 253;
pub const RT_SCOPE_HOST: u8 = 254;
pub const RT_SCOPE_NOWHERE: u8 = 255;

/// `sizeof(struct ifinfomsg)`, `ifaddrmsg`, `rtmsg`.
pub const IFINFOMSG_LEN: usize = 16;
pub const IFADDRMSG_LEN: usize = 8;
pub const RTMSG_LEN: usize = 12;

/// `NLMSG_ALIGN`/`NLA_ALIGN`.
pub fn align4(n: usize) -> usize {
    (n + 3) & !3
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    match b.get(i..i + 2) {
        Some(s) => u16::from_ne_bytes([s[0], s[1]]),
        None => 0,
    }
}
fn u32_at(b: &[u8], i: usize) -> u32 {
    match b.get(i..i + 4) {
        Some(s) => u32::from_ne_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

/// A `struct nlmsghdr`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NlHdr {
    pub len: u32,
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    pub pid: u32,
}

impl NlHdr {
    pub fn parse(b: &[u8]) -> Option<NlHdr> {
        if b.len() < NLMSG_HDRLEN {
            return None;
        }
        Some(NlHdr {
            len: u32_at(b, 0),
            ty: u16_at(b, 4),
            flags: u16_at(b, 6),
            seq: u32_at(b, 8),
            pid: u32_at(b, 12),
        })
    }
    pub fn bytes(&self) -> [u8; NLMSG_HDRLEN] {
        let mut o = [0u8; NLMSG_HDRLEN];
        o[0..4].copy_from_slice(&self.len.to_ne_bytes());
        o[4..6].copy_from_slice(&self.ty.to_ne_bytes());
        o[6..8].copy_from_slice(&self.flags.to_ne_bytes());
        o[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        o[12..16].copy_from_slice(&self.pid.to_ne_bytes());
        o
    }
}

/// One message of a request buffer: its header and payload (after the header).
#[derive(Clone, Copy, Debug)]
pub struct NlMsg<'a> {
    pub hdr: NlHdr,
    /// The whole message, header included (`nlmsg_len` bytes).
    pub raw: &'a [u8],
    pub payload: &'a [u8],
}

/// Splits a sent buffer into messages as `netlink_rcv_skb` does: it stops at the
/// first header whose length is shorter than a header or longer than what is left.
pub fn split(mut b: &[u8]) -> Vec<NlMsg<'_>> {
    let mut v = Vec::new();
    while let Some(hdr) = NlHdr::parse(b) {
        let len = hdr.len as usize;
        if len < NLMSG_HDRLEN || len > b.len() {
            break;
        }
        v.push(NlMsg {
            hdr,
            raw: &b[..len],
            payload: &b[NLMSG_HDRLEN..len],
        });
        let next = align4(len).min(b.len());
        b = &b[next..];
    }
    v
}

/// Parses the attributes in `b` (a message's payload after its fixed header):
/// `(type without the NESTED/BYTEORDER bits, value)`. Stops at a malformed one.
pub fn attrs(mut b: &[u8]) -> Vec<(u16, &[u8])> {
    let mut v = Vec::new();
    while b.len() >= 4 {
        let len = u16_at(b, 0) as usize;
        let ty = u16_at(b, 2) & 0x3fff;
        if len < 4 || len > b.len() {
            break;
        }
        v.push((ty, &b[4..len]));
        let next = align4(len).min(b.len());
        b = &b[next..];
    }
    v
}

/// The first attribute of type `ty`.
pub fn find_attr<'a>(a: &[(u16, &'a [u8])], ty: u16) -> Option<&'a [u8]> {
    a.iter().find(|(t, _)| *t == ty).map(|(_, v)| *v)
}

/// A `u32` attribute value (short ones: `None`).
pub fn attr_u32(v: &[u8]) -> Option<u32> {
    if v.len() < 4 {
        return None;
    }
    Some(u32_at(v, 0))
}

/// A string attribute (up to its first NUL).
pub fn attr_str(v: &[u8]) -> &[u8] {
    let end = v.iter().position(|&c| c == 0).unwrap_or(v.len());
    &v[..end]
}

/// Builds one message: header, fixed part, attributes; `finish` sets `nlmsg_len`.
pub struct MsgBuilder {
    buf: Vec<u8>,
}

impl MsgBuilder {
    pub fn new(ty: u16, flags: u16, seq: u32, pid: u32) -> MsgBuilder {
        let h = NlHdr {
            len: 0,
            ty,
            flags,
            seq,
            pid,
        };
        MsgBuilder {
            buf: h.bytes().to_vec(),
        }
    }
    /// Appends raw bytes (a fixed header such as `ifinfomsg`), padded to 4.
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self.pad();
        self
    }
    fn pad(&mut self) {
        while !self.buf.len().is_multiple_of(4) {
            self.buf.push(0);
        }
    }
    pub fn attr(&mut self, ty: u16, v: &[u8]) -> &mut Self {
        let len = (4 + v.len()) as u16;
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(v);
        self.pad();
        self
    }
    pub fn u8(&mut self, ty: u16, v: u8) -> &mut Self {
        self.attr(ty, &[v])
    }
    pub fn u32(&mut self, ty: u16, v: u32) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }
    /// A NUL-terminated string.
    pub fn str(&mut self, ty: u16, s: &[u8]) -> &mut Self {
        let mut v = s.to_vec();
        v.push(0);
        self.attr(ty, &v)
    }
    pub fn finish(&mut self) -> Vec<u8> {
        let len = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&len.to_ne_bytes());
        core::mem::take(&mut self.buf)
    }
}

/// An `NLMSG_ERROR` answering `req` (`err` 0 is an ack). As Linux's `netlink_ack`:
/// an ack, or an error with `capped` (`NETLINK_CAP_ACK`), carries only the
/// request's header and has `NLM_F_CAPPED`; an error otherwise carries the whole
/// request.
pub fn error_msg(req: &NlMsg<'_>, err: i32, capped: bool, portid: u32) -> Vec<u8> {
    let capped = capped || err == 0;
    let flags = if capped { NLM_F_CAPPED } else { 0 };
    let mut m = MsgBuilder::new(NLMSG_ERROR, flags, req.hdr.seq, portid);
    let mut body = Vec::new();
    body.extend_from_slice(&err.to_ne_bytes());
    if capped {
        body.extend_from_slice(&req.raw[..NLMSG_HDRLEN]);
    } else {
        body.extend_from_slice(req.raw);
    }
    m.raw(&body);
    m.finish()
}

/// The `NLMSG_DONE` that ends a dump (its payload: the int 0).
pub fn done_msg(seq: u32, portid: u32) -> Vec<u8> {
    let mut m = MsgBuilder::new(NLMSG_DONE, NLM_F_MULTI, seq, portid);
    m.raw(&0i32.to_ne_bytes());
    m.finish()
}

/// `struct ifinfomsg` bytes.
pub fn ifinfomsg(family: u8, ty: u16, index: i32, flags: u32, change: u32) -> [u8; 16] {
    let mut o = [0u8; 16];
    o[0] = family;
    o[2..4].copy_from_slice(&ty.to_ne_bytes());
    o[4..8].copy_from_slice(&index.to_ne_bytes());
    o[8..12].copy_from_slice(&flags.to_ne_bytes());
    o[12..16].copy_from_slice(&change.to_ne_bytes());
    o
}

/// A parsed `struct ifinfomsg` (missing bytes read as 0, as a short request).
#[derive(Clone, Copy, Debug, Default)]
pub struct IfInfo {
    pub family: u8,
    pub index: i32,
    pub flags: u32,
    pub change: u32,
}

impl IfInfo {
    pub fn parse(b: &[u8]) -> IfInfo {
        IfInfo {
            family: b.first().copied().unwrap_or(0),
            index: u32_at(b, 4) as i32,
            flags: u32_at(b, 8),
            change: u32_at(b, 12),
        }
    }
}

/// A parsed `struct ifaddrmsg`.
#[derive(Clone, Copy, Debug, Default)]
pub struct IfAddrMsg {
    pub family: u8,
    pub prefixlen: u8,
    pub flags: u8,
    pub scope: u8,
    pub index: u32,
}

impl IfAddrMsg {
    pub fn parse(b: &[u8]) -> IfAddrMsg {
        let g = |i: usize| b.get(i).copied().unwrap_or(0);
        IfAddrMsg {
            family: g(0),
            prefixlen: g(1),
            flags: g(2),
            scope: g(3),
            index: u32_at(b, 4),
        }
    }
    pub fn bytes(&self) -> [u8; 8] {
        let mut o = [0u8; 8];
        o[0] = self.family;
        o[1] = self.prefixlen;
        o[2] = self.flags;
        o[3] = self.scope;
        o[4..8].copy_from_slice(&self.index.to_ne_bytes());
        o
    }
}

/// A parsed `struct rtmsg`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RtMsg {
    pub family: u8,
    pub dst_len: u8,
    pub src_len: u8,
    pub tos: u8,
    pub table: u8,
    pub protocol: u8,
    pub scope: u8,
    pub ty: u8,
    pub flags: u32,
}

impl RtMsg {
    pub fn parse(b: &[u8]) -> RtMsg {
        let g = |i: usize| b.get(i).copied().unwrap_or(0);
        RtMsg {
            family: g(0),
            dst_len: g(1),
            src_len: g(2),
            tos: g(3),
            table: g(4),
            protocol: g(5),
            scope: g(6),
            ty: g(7),
            flags: u32_at(b, 8),
        }
    }
    pub fn bytes(&self) -> [u8; 12] {
        let mut o = [0u8; 12];
        o[..8].copy_from_slice(&[
            self.family,
            self.dst_len,
            self.src_len,
            self.tos,
            self.table,
            self.protocol,
            self.scope,
            self.ty,
        ]);
        o[8..12].copy_from_slice(&self.flags.to_ne_bytes());
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_and_parse() {
        let mut m = MsgBuilder::new(RTM_NEWLINK, NLM_F_MULTI, 7, 42);
        m.raw(&ifinfomsg(0, 772, 1, 0x49, 0))
            .str(IFLA_IFNAME, b"lo")
            .u32(IFLA_MTU, 65536)
            .u8(IFLA_OPERSTATE, 0);
        let b = m.finish();
        // 16 + 16 + 8 ("lo\0" padded) + 8 + 8 (u8 attr padded)
        assert_eq!(b.len(), 56);
        let msgs = split(&b);
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].hdr.ty, RTM_NEWLINK);
        assert_eq!(msgs[0].hdr.seq, 7);
        let a = attrs(&msgs[0].payload[IFINFOMSG_LEN..]);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].1, b"lo\0");
        assert_eq!(a[0].0, IFLA_IFNAME);
        // the u8 attribute's length is 5 (without its padding)
        assert_eq!(a[2].1.len(), 1);
        assert_eq!(attr_u32(find_attr(&a, IFLA_MTU).unwrap()), Some(65536));
    }

    #[test]
    fn split_stops_at_bad_lengths() {
        let mut two = MsgBuilder::new(RTM_GETLINK, 1, 1, 0).raw(&[0; 4]).finish();
        two.extend(MsgBuilder::new(RTM_GETADDR, 1, 2, 0).raw(&[0; 4]).finish());
        assert_eq!(split(&two).len(), 2);
        // a length beyond the buffer ends the walk
        let mut bad = two.clone();
        bad[20] = 200;
        assert_eq!(split(&bad).len(), 1);
        assert_eq!(split(&[0u8; 10]).len(), 0);
        // a truncated attribute ends the attribute walk
        assert_eq!(attrs(&[8, 0, 1, 0, 1]).len(), 0);
    }

    #[test]
    fn error_and_done() {
        let req = MsgBuilder::new(RTM_NEWADDR, 0x605, 9, 0)
            .raw(&[2, 24, 0, 0, 1, 0, 0, 0])
            .finish();
        let m = split(&req)[0];
        let ack = error_msg(&m, 0, false, 77);
        assert_eq!(ack.len(), 36);
        let h = NlHdr::parse(&ack).unwrap();
        assert_eq!(
            (h.ty, h.flags, h.seq, h.pid),
            (NLMSG_ERROR, NLM_F_CAPPED, 9, 77)
        );
        let err = error_msg(&m, -17, false, 77);
        assert_eq!(err.len(), 20 + req.len());
        assert_eq!(NlHdr::parse(&err).unwrap().flags, 0);
        assert_eq!(&err[16..20], &(-17i32).to_ne_bytes());
        assert_eq!(error_msg(&m, -17, true, 77).len(), 36);
        let d = done_msg(5, 3);
        assert_eq!(d.len(), 20);
        assert_eq!(NlHdr::parse(&d).unwrap().flags, NLM_F_MULTI);
    }
}
