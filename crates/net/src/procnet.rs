//! The text of `/proc/net/*` (to be written), and the socket lists it is made from.

use alloc::vec::Vec;

use crate::addr::SockAddr;

/// One inet socket as `/proc/net/{tcp,tcp6,udp,udp6}` list it.
#[derive(Clone, Debug)]
pub struct InetSockInfo {
    /// `IPPROTO_TCP` (6) or `IPPROTO_UDP` (17).
    pub protocol: i32,
    /// `AF_INET` or `AF_INET6` (the socket's family, which picks the file).
    pub family: u16,
    pub local: SockAddr,
    pub remote: SockAddr,
    /// Linux's TCP state numbers (1 ESTABLISHED .. 10 LISTEN, 11 CLOSING); UDP: 7 (CLOSE)
    /// or 1 when connected.
    pub state: u8,
    pub tx_queue: u32,
    pub rx_queue: u32,
    pub uid: u32,
    pub inode: u64,
}

/// One unix socket as `/proc/net/unix` lists it.
#[derive(Clone, Debug)]
pub struct UnixSockInfo {
    /// `SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_SEQPACKET`.
    pub sock_type: i32,
    /// 1 unconnected, 3 connected (Linux's SS_* values), and `__SO_ACCEPTCON` listening.
    pub state: u8,
    pub listening: bool,
    pub inode: u64,
    /// The bound name (`@name` for abstract ones), if any.
    pub path: Option<Vec<u8>>,
}
