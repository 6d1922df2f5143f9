//! The kernel's layers, and the check that its dependencies point down.
//!
//! Every top-level module of `kernel/src` has a layer (`LAYERS`); code may
//! name modules of its own layer and of lower ones, never of a higher one.
//! Hardware events reach upper layers through registration instead
//! (`arch::Hooks`, `arch::irq::register*`, `mm::pagecache::set_address_spaces`).
//! The check reads the sources: every `crate::NAME` / `$crate::NAME` path,
//! every `use crate::{A, B::..}` group, and `super::` chains that climb to the
//! crate root, with comments and string literals removed. The check fails on
//! any upward reference (there are no exceptions) and on a module without a
//! layer. `cargo xtask test` runs it first (`layers`).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// (module, layer): 0 is the bottom. docs/architecture.md, "Layers", says
/// the same in prose.
pub const LAYERS: &[(&str, u8)] = &[
    // hardware and memory: CPU, interrupts, devices, frames, page tables, address spaces
    ("arch", 0),
    ("mm", 0),
    ("log", 0),
    // the kernel command line, stored once by boot
    ("cmdline", 0),
    // the process model: threads, processes, the scheduler, waiting, futexes, exit;
    // clocks and timers; signals; copies from and to the current process's memory
    ("task", 1),
    ("time", 1),
    ("signal", 1),
    ("uaccess", 1),
    // the kernel's random bytes (seeded from the TSC and the clock)
    ("random", 1),
    // files, the console, procfs
    ("fs", 2),
    // device drivers (PCI, virtio) and the network stack's kernel side (sockets)
    ("drivers", 2),
    ("net", 2),
    // the syscall table and its families; program loading
    ("syscall", 3),
    ("exec", 3),
    // boot, the wiring of hooks and interrupts, the self-tests, the crate root
    ("boot", 4),
    ("wiring", 4),
    ("selftest", 4),
    ("main", 4),
];

/// Crate-root items (in main.rs) that every layer may use.
const ROOT_ITEMS: &[&str] = &["kpanic"];

fn layer_of(module: &str) -> Option<u8> {
    LAYERS.iter().find(|l| l.0 == module).map(|l| l.1)
}

/// Source text without comments, string and character literals (their
/// contents replaced by nothing), so paths in them do not count.
pub fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == b'r'
            && matches!(b.get(i + 1), Some(b'#') | Some(b'"'))
            && !ident_before(b, i)
        {
            // raw string r#"..."#
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == b'"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&b'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == b'\'' {
            // a character literal ('x', '\n', '\u{..}') or a lifetime ('a)
            if b.get(i + 1) == Some(&b'\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != b'\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if b.get(i + 2) == Some(&b'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push('\'');
                i += 1;
            }
        } else {
            // copy one whole UTF-8 character
            let n = src[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&src[i..i + n]);
            i += n;
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn ident_before(b: &[u8], i: usize) -> bool {
    i > 0 && is_ident(b[i - 1])
}

fn ident_at(s: &str) -> &str {
    let n = s.bytes().take_while(|&c| is_ident(c)).count();
    &s[..n]
}

/// The first identifiers of the items after a path prefix: `x` or, for a
/// group `{a, b::c, d as e}`, `a`, `b`, `d`.
fn heads(rest: &str) -> Vec<String> {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut out = Vec::new();
        let mut depth = 0;
        let mut at_item = true;
        for (k, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => at_item = true,
                c if at_item && depth == 0 && !c.is_whitespace() => {
                    at_item = false;
                    let id = ident_at(&group[k..]);
                    if !id.is_empty() {
                        out.push(id.to_string());
                    }
                }
                _ => {}
            }
        }
        out
    } else {
        let id = ident_at(rest);
        if id.is_empty() {
            vec![]
        } else {
            vec![id.to_string()]
        }
    }
}

/// The top-level modules the file at `path` (its module path, e.g.
/// ["mm", "paging"]; ["main"] for the crate root) names.
pub fn references(module_path: &[&str], src: &str) -> BTreeSet<String> {
    let text = strip(src);
    let b = text.as_bytes();
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"crate::") && !ident_before(b, i) && (i == 0 || b[i - 1] != b':') {
            out.extend(heads(&text[i + 7..]));
            i += 7;
            continue;
        }
        if b[i..].starts_with(b"super::") && !ident_before(b, i) && (i == 0 || b[i - 1] != b':') {
            let mut n = 0;
            let mut j = i;
            while text[j..].starts_with("super::") {
                n += 1;
                j += 7;
            }
            // the crate root is module_path.len() levels up (main.rs: 0)
            let depth = if module_path == ["main"] {
                0
            } else {
                module_path.len()
            };
            if n >= depth {
                out.extend(heads(&text[j..]));
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// Module path of a file relative to kernel/src.
fn module_path(rel: &str) -> Vec<String> {
    let rel = rel.trim_end_matches(".rs");
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Problems of the tree in `src_dir` (kernel/src): upward references and
/// modules without a layer.
pub fn check_dir(src_dir: &Path) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    collect(src_dir, src_dir, &mut files).map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    let modules: BTreeSet<String> = files
        .iter()
        .map(|(rel, _)| module_path(rel)[0].clone())
        .collect();
    for m in &modules {
        if layer_of(m).is_none() {
            problems.push(format!(
                "kernel module `{m}` has no layer in xtask/src/layers.rs"
            ));
        }
    }
    for (rel, src) in &files {
        let mp = module_path(rel);
        let mp: Vec<&str> = mp.iter().map(String::as_str).collect();
        let Some(mine) = layer_of(mp[0]) else {
            continue;
        };
        for target in references(&mp, src) {
            if ROOT_ITEMS.contains(&target.as_str()) || !modules.contains(&target) {
                continue;
            }
            let Some(theirs) = layer_of(&target) else {
                continue;
            };
            if theirs <= mine {
                continue;
            }
            problems.push(format!(
                "{rel} (layer {mine}, {}) refers to `{target}` (layer {theirs}): an upward reference",
                mp[0]
            ));
        }
    }
    Ok(problems)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            collect(root, &p, out)?;
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p
                .strip_prefix(root)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            out.push((rel, fs::read_to_string(&p)?));
        }
    }
    Ok(())
}

/// `cargo xtask test`'s check: Ok(summary) or Err(the problems).
pub fn check_tree() -> Result<String, String> {
    let dir = crate::repo_root().join("kernel/src");
    let problems = check_dir(&dir)?;
    if problems.is_empty() {
        Ok(" (no upward references)".to_string())
    } else {
        Err(problems.join("\n   "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(path: &[&str], src: &str) -> Vec<String> {
        references(path, src).into_iter().collect()
    }

    #[test]
    fn finds_paths_groups_and_supers() {
        let src = "use crate::task::sched;\nuse crate::{fs::console, signal as s};\n\
                   fn f() { crate::time::now_ns(); $crate::log::print(); }\n";
        assert_eq!(
            refs(&["arch", "trap"], src),
            ["fs", "log", "signal", "task", "time"]
        );
        // super:: climbing to the root from mm/paging.rs, and not reaching it
        assert_eq!(
            refs(&["mm", "paging"], "use super::super::syscall::x;"),
            ["syscall"]
        );
        assert!(refs(&["mm", "paging"], "use super::phys::*;").is_empty());
        assert_eq!(refs(&["arch"], "super::boot::cmdline()"), ["boot"]);
        assert_eq!(refs(&["main"], "use super::x;"), ["x"]);
    }

    #[test]
    fn ignores_comments_strings_and_lookalikes() {
        let src = "// crate::task::sched\n/* crate::fs /* nested crate::signal */ */\n\
                   let s = \"crate::syscall\"; let r = r#\"crate::exec \"quoted\"\"#;\n\
                   let c = '\"'; let l: &'static str = x; my_crate::task::x(); a::crate::fs;\n";
        assert!(
            refs(&["arch", "x"], src).is_empty(),
            "{:?}",
            refs(&["arch", "x"], src)
        );
        // code after a char literal holding a quote is still read
        assert_eq!(
            refs(&["arch", "x"], "let c = '\"'; crate::task::f();"),
            ["task"]
        );
    }

    /// A planted upward reference in a copy of the real tree is caught, and
    /// the real tree is clean.
    #[test]
    fn catches_a_planted_upward_reference() {
        let real = crate::repo_root().join("kernel/src");
        assert_eq!(check_dir(&real).unwrap(), Vec::<String>::new());
        let tmp = std::env::temp_dir().join(format!("rill-layers-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        copy_dir(&real, &tmp);
        let trap = tmp.join("arch/trap.rs");
        let mut s = fs::read_to_string(&trap).unwrap();
        s.push_str("\nfn planted() { crate::signal::return_to_user(todo!()) }\n");
        fs::write(&trap, s).unwrap();
        let mm = tmp.join("mm/phys.rs");
        let mut s = fs::read_to_string(&mm).unwrap();
        s.push_str("\nuse crate::{arch, syscall::misc};\n");
        fs::write(&mm, s).unwrap();
        let p = check_dir(&tmp).unwrap();
        fs::remove_dir_all(&tmp).unwrap();
        assert_eq!(p.len(), 2, "{p:#?}");
        assert!(
            p[0].contains("arch/trap.rs") && p[0].contains("`signal`"),
            "{p:#?}"
        );
        assert!(
            p[1].contains("mm/phys.rs") && p[1].contains("`syscall`"),
            "{p:#?}"
        );
    }

    #[test]
    fn a_module_without_a_layer_fails() {
        let tmp = std::env::temp_dir().join(format!("rill-layers-new-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(tmp.join("usbstack")).unwrap();
        fs::write(tmp.join("usbstack/mod.rs"), "use crate::arch;").unwrap();
        fs::write(tmp.join("arch.rs"), "").unwrap();
        let p = check_dir(&tmp).unwrap();
        fs::remove_dir_all(&tmp).unwrap();
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(p[0].contains("`usbstack` has no layer"), "{p:#?}");
    }

    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for e in fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let dst = to.join(e.file_name());
            if e.path().is_dir() {
                copy_dir(&e.path(), &dst);
            } else {
                fs::copy(e.path(), dst).unwrap();
            }
        }
    }
}
