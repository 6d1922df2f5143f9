//! Rill's sockets, host-tested.
//!
//! * [`addr`]: `struct sockaddr_*` as user space writes and reads them ([`SockAddr`]).
//! * [`socket`]: the [`Socket`] trait every family implements, messages and control
//!   data ([`Cmsg`]), the constants of `<sys/socket.h>`.
//! * [`file`]: [`SocketFile`], the open-file object of every socket (read/write/poll and
//!   the options all families share, such as `SO_RCVTIMEO` and `SO_TYPE`).
//! * [`config`]: the interfaces, addresses and routes ([`NetConfig`]) that netlink,
//!   `/proc/net` and the `SIOCGIF*` ioctls read and change.
//! * [`device`]: what a network device driver gives the stack ([`NetDevice`]).
//! * [`inet`]: `AF_INET`/`AF_INET6` TCP, UDP and ICMP sockets over smoltcp.
//! * [`unix`]: `AF_UNIX` stream, datagram and seqpacket sockets.
//! * [`netlink`]: `AF_NETLINK` `NETLINK_ROUTE` sockets; [`procnet`]: `/proc/net` text.
//!
//! The kernel side (`kernel/src/net`, `kernel/src/syscall/net.rs`) only copies from and
//! to user memory, waits, and connects devices and interrupts.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod addr;
pub mod bufpool;
pub mod cmsg;
pub mod config;
pub mod device;
pub mod file;
pub mod ifreq;
pub mod inet;
pub mod netlink;
pub mod procnet;
pub mod socket;
pub mod unix;

pub use addr::SockAddr;
pub use config::NetConfig;
pub use device::NetDevice;
pub use file::SocketFile;
pub use rill_abi::{Errno, KResult};
pub use socket::{Cmsg, Cred, RecvInfo, Socket};
