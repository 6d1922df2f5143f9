//! The Linux x86_64 user ABI as Rill sees it: errno values, syscall numbers,
//! flag constants and `#[repr(C)]` layouts of the structs that cross the
//! user/kernel boundary. Pure data, no logic that needs hardware.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod consts;
pub mod errno;
pub mod oom;
pub mod sigset;
pub mod strace;
pub mod syscalls;
pub mod sysno;
pub mod time;
pub mod types;
pub use errno::{Errno, KResult};
