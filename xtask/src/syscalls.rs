//! `cargo xtask syscalls [--markdown]`: the support table of `crates/abi/src/table.rs`
//! (the table the kernel's dispatch is built from). `--markdown` prints docs/syscalls.md.
use crate::{Args, Result};
use rill_abi::syscalls::{markdown, TABLE};

pub fn cmd_syscalls(mut a: Args) -> Result<()> {
    let mut md = false;
    while let Some(arg) = a.next_arg() {
        match arg.as_str() {
            "--markdown" => md = true,
            _ => return Err(format!("syscalls: unknown argument {arg}").into()),
        }
    }
    let mut out = String::new();
    if md {
        markdown(&mut out)?;
    } else {
        let mut rows: Vec<_> = TABLE.iter().collect();
        rows.sort_by_key(|s| s.nr);
        for s in rows {
            let line = format!(
                "{:>4}  {:<24} {:<10} {}",
                s.nr,
                s.name(),
                s.status.label(),
                s.status.note()
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    print!("{out}");
    Ok(())
}
