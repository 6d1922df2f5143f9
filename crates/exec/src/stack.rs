//! The initial user stack of a new program, laid out exactly as Linux's
//! `do_execveat_common` + `create_elf_tables` do (without ASLR).
//!
//! From the top (`stack_top`) downwards:
//! 8 zero bytes, the `execfn` string, the environment strings (envp[0] lowest),
//! the argument strings (argv[0] lowest), alignment to 16, the platform string,
//! 16 random bytes, padding, then (upwards from rsp) argc, argv pointers, NULL,
//! envp pointers, NULL, the auxiliary vector ending with `AT_NULL`. rsp is
//! 16-byte aligned and points at argc.

use alloc::vec;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};

/// The auxiliary-vector keys, defined once in the ABI crate.
pub use rill_abi::consts::{
    AT_BASE, AT_BASE_PLATFORM, AT_CLKTCK, AT_EGID, AT_ENTRY, AT_EUID, AT_EXECFD, AT_EXECFN,
    AT_FLAGS, AT_GID, AT_HWCAP, AT_HWCAP2, AT_IGNORE, AT_MINSIGSTKSZ, AT_NOTELF, AT_NULL,
    AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PLATFORM, AT_RANDOM, AT_SECURE, AT_SYSINFO_EHDR,
    AT_UID,
};

/// Longest single argument or environment string, including its NUL
/// (Linux `MAX_ARG_STRLEN` = 32 pages).
pub const MAX_ARG_STRLEN: usize = 32 * 4096;
/// Room for strings plus pointers: a quarter of the default 8 MiB stack
/// rlimit, as Linux's `bprm_stack_limits`.
pub const ARG_SPACE_LIMIT: usize = 8 * 1024 * 1024 / 4;

/// Where things ended up in the new stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StackAddrs {
    pub argc: u64,
    /// Address of argv[0]'s pointer (rsp + 8).
    pub argv_ptr: u64,
    /// Address of envp[0]'s pointer.
    pub envp_ptr: u64,
    /// Address of the first auxv pair.
    pub auxv_ptr: u64,
    pub random_addr: u64,
    pub execfn_addr: u64,
    /// Address of the platform string, 0 if none was placed.
    pub platform_addr: u64,
    /// `mm->arg_start/arg_end/env_start/env_end` for /proc/<pid>/cmdline and environ.
    pub arg_start: u64,
    pub arg_end: u64,
    pub env_start: u64,
    pub env_end: u64,
}

fn put(buf: &mut [u8], base: u64, addr: u64, bytes: &[u8]) -> KResult<()> {
    let off = addr
        .checked_sub(base)
        .and_then(|o| usize::try_from(o).ok())
        .ok_or(Errno::EFAULT)?;
    let end = off.checked_add(bytes.len()).ok_or(Errno::EFAULT)?;
    buf.get_mut(off..end)
        .ok_or(Errno::EFAULT)?
        .copy_from_slice(bytes);
    Ok(())
}

fn put_u64(buf: &mut [u8], base: u64, addr: u64, v: u64) -> KResult<()> {
    put(buf, base, addr, &v.to_le_bytes())
}

fn str_size(s: &[u8]) -> KResult<u64> {
    let n = s.len().checked_add(1).ok_or(Errno::E2BIG)?;
    if n > MAX_ARG_STRLEN {
        return Err(Errno::E2BIG);
    }
    Ok(n as u64)
}

/// Build the initial stack. Returns the bytes to copy so that they end at
/// `stack_top` (they start at the returned rsp), the rsp, and the addresses.
///
/// `auxv` is the caller's auxiliary vector without the final `AT_NULL` (an
/// `AT_NULL` entry ends it early); the values of its `AT_RANDOM`, `AT_EXECFN`
/// and `AT_PLATFORM` entries are replaced by the addresses of what was placed
/// (`AT_PLATFORM` gets 0 when `platform` is empty, and then no platform string
/// is placed). An empty `argv` becomes `[""]` (Linux >= 5.18).
///
/// Errors: EINVAL if `stack_top` is not 16-byte aligned; E2BIG if a string is
/// longer than [`MAX_ARG_STRLEN`] or strings plus pointers exceed
/// [`ARG_SPACE_LIMIT`].
pub fn build_stack(
    stack_top: u64,
    argv: &[&[u8]],
    envp: &[&[u8]],
    auxv: &[(u64, u64)],
    execfn: &[u8],
    random: [u8; 16],
    platform: &[u8],
) -> KResult<(Vec<u8>, u64, StackAddrs)> {
    if !stack_top.is_multiple_of(16) {
        return Err(Errno::EINVAL);
    }
    let empty: [&[u8]; 1] = [b""];
    let argv = if argv.is_empty() { &empty[..] } else { argv };
    let argc = argv.len() as u64;
    let envc = envp.len() as u64;

    // Linux's accounting: pointers for argv and envp, then every string
    // (the end marker and execfn included) must fit in the remaining space.
    let ptr_size = argc
        .checked_add(envc)
        .and_then(|n| n.checked_mul(8))
        .ok_or(Errno::E2BIG)?;
    let limit = ARG_SPACE_LIMIT as u64;
    if ptr_size >= limit {
        return Err(Errno::E2BIG);
    }
    let mut strings: u64 = 8 + str_size(execfn)?;
    for s in envp.iter().chain(argv.iter()) {
        strings = strings.checked_add(str_size(s)?).ok_or(Errno::E2BIG)?;
        if strings > limit - ptr_size {
            return Err(Errno::E2BIG);
        }
    }
    if strings > limit - ptr_size {
        return Err(Errno::E2BIG);
    }

    let under = |a: u64, n: u64| a.checked_sub(n).ok_or(Errno::E2BIG);
    let mut p = under(stack_top, 8)?;
    p = under(p, str_size(execfn)?)?;
    let execfn_addr = p;
    let env_end = p;
    let env_total: u64 = envp.iter().map(|s| s.len() as u64 + 1).sum();
    p = under(p, env_total)?;
    let env_start = p;
    let arg_total: u64 = argv.iter().map(|s| s.len() as u64 + 1).sum();
    p = under(p, arg_total)?;
    let arg_start = p;
    let arg_end = env_start;
    p &= !0xf;
    let platform_addr = if platform.is_empty() {
        0
    } else {
        p = under(p, str_size(platform)?)?;
        p
    };
    p = under(p, 16)?;
    let random_addr = p;

    // Auxiliary vector with the placed addresses patched in.
    let mut aux: Vec<(u64, u64)> = Vec::with_capacity(auxv.len() + 1);
    for &(k, v) in auxv {
        if k == AT_NULL {
            break;
        }
        let v = match k {
            AT_RANDOM => random_addr,
            AT_EXECFN => execfn_addr,
            AT_PLATFORM => platform_addr,
            _ => v,
        };
        aux.push((k, v));
    }
    aux.push((AT_NULL, 0));
    let aux_words = (aux.len() as u64) * 2;
    let items = argc + 1 + envc + 1 + 1;
    let sp = under(p, aux_words * 8)?;
    let rsp = under(sp, items * 8)? & !0xf;

    let size = usize::try_from(stack_top - rsp).map_err(|_| Errno::E2BIG)?;
    let mut buf = vec![0u8; size];
    let base = rsp;

    // Strings.
    put(&mut buf, base, execfn_addr, execfn)?;
    let mut a = env_start;
    let mut env_ptrs = Vec::with_capacity(envp.len());
    for s in envp {
        env_ptrs.push(a);
        put(&mut buf, base, a, s)?;
        a += s.len() as u64 + 1;
    }
    let mut a = arg_start;
    let mut arg_ptrs = Vec::with_capacity(argv.len());
    for s in argv {
        arg_ptrs.push(a);
        put(&mut buf, base, a, s)?;
        a += s.len() as u64 + 1;
    }
    if !platform.is_empty() {
        put(&mut buf, base, platform_addr, platform)?;
    }
    put(&mut buf, base, random_addr, &random)?;

    // Tables.
    let mut w = rsp;
    put_u64(&mut buf, base, w, argc)?;
    w += 8;
    let argv_ptr = w;
    for &ptr in &arg_ptrs {
        put_u64(&mut buf, base, w, ptr)?;
        w += 8;
    }
    w += 8; // NULL
    let envp_ptr = w;
    for &ptr in &env_ptrs {
        put_u64(&mut buf, base, w, ptr)?;
        w += 8;
    }
    w += 8; // NULL
    let auxv_ptr = w;
    for &(k, v) in &aux {
        put_u64(&mut buf, base, w, k)?;
        put_u64(&mut buf, base, w + 8, v)?;
        w += 16;
    }

    Ok((
        buf,
        rsp,
        StackAddrs {
            argc,
            argv_ptr,
            envp_ptr,
            auxv_ptr,
            random_addr,
            execfn_addr,
            platform_addr,
            arg_start,
            arg_end,
            env_start,
            env_end,
        },
    ))
}
