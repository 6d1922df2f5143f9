//! `AF_INET`/`AF_INET6` sockets over smoltcp.
//!
//! * [`Stack`] (`stack.rs`): one smoltcp `Interface` and one `SocketSet` per
//!   interface (lo, then each [`crate::NetDevice`]), the port table, every socket's
//!   protocol state, polling, and [`crate::NetConfig`] over all of it.
//! * `tcp.rs`, `udp.rs`: the state machines behind [`crate::Socket`] for
//!   `SOCK_STREAM` and `SOCK_DGRAM`; `sock.rs`: the [`crate::Socket`] object itself.
//! * [`ipconfig`]: Linux's `ip=` kernel parameter.
//!
//! Everything is non-blocking and driven by [`Stack::poll`]: socket calls poll right
//! after queueing data (so loopback traffic flows without the kernel's thread) and
//! the kernel's thread polls on device wake-ups and at [`Stack::poll`]'s deadline.

mod icmp;
pub mod ipconfig;
mod ports;
mod sock;
mod stack;
mod tcp;
mod udp;

#[cfg(test)]
mod tests;

pub use sock::InetSocket;

/// Records the inode number of an inet socket's file (no-op for other sockets).
pub fn set_inode(sock: &dyn crate::Socket, ino: u64) {
    if let Some(s) = sock.as_any().downcast_ref::<InetSocket>() {
        s.set_inode(ino);
    }
}
pub use stack::{Outside, Stack, StackOptions};

/// `IPPROTO_*`.
pub const IPPROTO_IP: i32 = 0;
pub const IPPROTO_ICMP: i32 = 1;
pub const IPPROTO_TCP: i32 = 6;
pub const IPPROTO_UDP: i32 = 17;
pub const IPPROTO_IPV6: i32 = 41;
pub const IPPROTO_ICMPV6: i32 = 58;
pub const IPPROTO_UDPLITE: i32 = 136;
pub const IPPROTO_SCTP: i32 = 132;
pub const IPPROTO_RAW: i32 = 255;

/// `<sys/socket.h>` values as the `i32`s the [`crate::Socket`] methods take.
pub(crate) mod c {
    use crate::socket as s;
    pub const MSG_PEEK: i32 = s::MSG_PEEK as i32;
    pub const MSG_TRUNC: i32 = s::MSG_TRUNC as i32;
    pub const MSG_OOB: i32 = s::MSG_OOB as i32;
    pub const SHUT_RD: i32 = s::SHUT_RD as i32;
    pub const SHUT_WR: i32 = s::SHUT_WR as i32;
    pub const SHUT_RDWR: i32 = s::SHUT_RDWR as i32;
    pub const SOCK_STREAM: i32 = s::SOCK_STREAM as i32;
    pub const SOCK_DGRAM: i32 = s::SOCK_DGRAM as i32;
    pub const SOCK_RAW: i32 = s::SOCK_RAW as i32;
}
