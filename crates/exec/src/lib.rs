//! Everything about `execve` that needs no hardware: ELF64 parsing and load
//! planning, the initial stack layout, and `#!` scripts. Linux x86_64 is the
//! reference for every behaviour and errno.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod elf;
pub mod shebang;
pub mod stack;

pub use elf::plan_load;
pub use elf::{
    brk_start, check_file_size, image_span, load_bias, load_bias_for, parse_elf, parse_elf_headers,
    parse_interp, ElfInfo, ElfKind, MapStep, Segment, Tls,
};
pub use shebang::{parse_shebang, shebang_argv};
pub use stack::*;

#[cfg(test)]
mod tests;
