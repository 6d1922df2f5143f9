//! Rill's virtual file system.
//!
//! * [`Inode`] is the object every file system node implements; [`FileLike`] is the
//!   per-open object of devices, pipes, terminals and generated files (read, write,
//!   poll, ioctl); [`OpenFile`] is an open file description (offset, status flags,
//!   directory cursor).
//! * [`pollee`] is the readiness model: a [`Pollee`] per waitable object with
//!   persistent, masked observer registrations (what poll, select, blocking I/O and
//!   later epoll stand on).
//! * [`tmpfs`] is the in-memory read/write file system, [`proc`] holds building
//!   blocks for /proc and /sys, [`dev`] the character-device registry and the
//!   built-in memory devices, [`pipe`] pipes and FIFOs.
//! * [`mount`] has the file-system registry, super blocks and the mount table;
//!   [`path`] walks paths across symlinks and mounts; [`cpio`] unpacks initramfs
//!   archives (optionally gzip-compressed).
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod cpio;
pub mod dev;
pub mod epoll;
pub mod eventfd;
pub mod file;
pub mod inode;
pub mod locks;
pub mod mount;
pub mod page;
pub mod path;
pub mod pipe;
pub mod pollee;
pub mod proc;
pub mod tmpfs;
pub mod wait;

/// The built-in devices (null, zero, full, random, urandom) and their registration.
pub use dev as devices;
pub use dev::{major, makedev, minor, populate_dev, register_chrdev};
pub use file::{flags, poll, FileKind, FileLike, FileOps, OpenFile, UserIo};
pub use inode::{
    alloc_fs_id, alloc_ino, fill_random, mode, now, set_clock, set_random, DirEntry, FileType,
    Inode, Metadata, SetTime, Timespec,
};
pub use mount::{Mount, MountTable, Registry, SuperBlock};
pub use page::{set_page_ops, set_truncate_hook, PageOps, PageRef};
pub use path::{has_trailing_slash, Location, Walker};
pub use pollee::{IoEvents, Observer, Pollee, Poller};
pub use rill_abi::{Errno, KResult};
pub use wait::WaitQueue;
