//! `#!` interpreter scripts, following Linux 6.x `fs/binfmt_script.c`.

use alloc::vec::Vec;
use rill_abi::{Errno, KResult};

/// Bytes of the file Linux looks at (`BINPRM_BUF_SIZE`).
pub const BINPRM_BUF_SIZE: usize = 256;
/// Linux gives up with ELOOP after this many nested interpreters
/// (`exec_binprm`: depth > 5).
pub const MAX_INTERP_DEPTH: usize = 5;

fn spacetab(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Parse the start of a file (at least its first 256 bytes, or the whole file
/// if shorter). `Ok(None)` if it does not start with `#!`.
///
/// Linux semantics: the line ends at the first newline within 256 bytes; if
/// there is none, the interpreter path must be followed by a space, tab or NUL
/// inside the buffer (otherwise it could be truncated: ENOEXEC), and the
/// optional argument is whatever fits in the first 255 bytes. Leading blanks
/// are skipped, the interpreter ends at the first blank/NUL, the argument is
/// everything after the following blank run up to the line end with trailing
/// blanks trimmed (it may contain blanks; it stops at a NUL). ENOEXEC if no
/// interpreter name is found.
#[allow(clippy::type_complexity)]
pub fn parse_shebang(first: &[u8]) -> KResult<Option<(Vec<u8>, Option<Vec<u8>>)>> {
    if first.len() < 2 || first.get(..2) != Some(&b"#!"[..]) {
        return Ok(None);
    }
    // A file shorter than the buffer reads as NUL padded.
    let mut buf = [0u8; BINPRM_BUF_SIZE];
    let n = first.len().min(BINPRM_BUF_SIZE);
    if let (Some(dst), Some(src)) = (buf.get_mut(..n), first.get(..n)) {
        dst.copy_from_slice(src);
    }
    let at = |i: usize| buf.get(i).copied().unwrap_or(0);
    let buf_end = BINPRM_BUF_SIZE - 1;
    // Inclusive searches over [from, to], as the kernel's helpers.
    let next_non_spacetab = |from: usize, to: usize| (from..=to).find(|&i| !spacetab(at(i)));
    let next_terminator = |from: usize, to: usize| {
        (from..=to).find(|&i| {
            let c = at(i);
            spacetab(c) || c == 0
        })
    };

    let mut i_end = match buf.iter().position(|&c| c == b'\n') {
        Some(i) => i,
        None => {
            let Some(i) = next_non_spacetab(2, buf_end) else {
                return Err(Errno::ENOEXEC);
            };
            if next_terminator(i, buf_end).is_none() {
                return Err(Errno::ENOEXEC);
            }
            buf_end
        }
    };
    // Trim trailing blanks; buf[1] is '!', so this stops at 2 at the latest.
    while i_end > 2 && spacetab(at(i_end - 1)) {
        i_end -= 1;
    }
    let i_name = match next_non_spacetab(2, i_end) {
        Some(i) if i != i_end => i,
        _ => return Err(Errno::ENOEXEC),
    };
    // The line is cut at i_end (the kernel writes a NUL there).
    let i_sep = next_terminator(i_name, i_end);
    let arg = match i_sep {
        Some(sep) if at(sep) != 0 => next_non_spacetab(sep, i_end).and_then(|a| {
            if a >= i_end {
                return None;
            }
            let tail = buf.get(a..i_end)?;
            let len = tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
            tail.get(..len).map(|s| s.to_vec())
        }),
        _ => None,
    };
    let name_end = i_sep.unwrap_or(i_end).min(i_end);
    // May be empty ("#!" then NULs): Linux then fails opening "" with ENOENT.
    let name = buf.get(i_name..name_end).ok_or(Errno::ENOEXEC)?.to_vec();
    Ok(Some((name, arg)))
}

/// The argv the interpreter runs with: `[interp, arg?, script_path,
/// old_argv[1..]]` (the script's own argv[0] is dropped, as Linux's
/// `remove_arg_zero`). `AT_EXECFN` stays the script path.
pub fn shebang_argv(
    interp: &[u8],
    arg: Option<&[u8]>,
    script_path: &[u8],
    old_argv: &[&[u8]],
) -> Vec<Vec<u8>> {
    let mut v = Vec::with_capacity(old_argv.len() + 2);
    v.push(interp.to_vec());
    if let Some(a) = arg {
        v.push(a.to_vec());
    }
    v.push(script_path.to_vec());
    for a in old_argv.iter().skip(1) {
        v.push(a.to_vec());
    }
    v
}
