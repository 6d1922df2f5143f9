//! Parsing the guest test protocol out of the serial console log.
//!
//! The guest (tests/guest/test-init.sh) prints `@@@READY`, then for every test
//! `@@@BEGIN <name>`, the test's output, `@@@END <name> <status>`, and finally `@@@DONE`.
//! While a test runs, `@@@ALIVE <name>` heartbeats keep the host's no-output watchdog quiet
//! (so per-test limits longer than it apply); they are not output.
//! Serial output uses `\r\n`; kernel log lines (`[rill...`) may interleave and are not
//! output either, but those of warning or panic level are kept: they fail the run.

/// One test block seen in the log.
#[derive(Debug, PartialEq, Eq)]
pub struct Block {
    pub name: String,
    /// Output lines, each ending in `\n`.
    pub output: String,
    /// Exit status from `@@@END`; `None` when the block never ended (crash or hang).
    pub status: Option<i32>,
    /// Kernel lines of warning or panic level printed while this block was open.
    pub kernel_warnings: Vec<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct GuestRun {
    pub ready: bool,
    pub done: bool,
    pub blocks: Vec<Block>,
    /// Kernel lines of warning or panic level printed outside any block: (line, the name of
    /// the last block before it, if any).
    pub stray_warnings: Vec<(String, Option<String>)>,
}

impl GuestRun {
    pub fn block(&self, name: &str) -> Option<&Block> {
        self.blocks.iter().find(|b| b.name == name)
    }
}

fn is_kernel_log(line: &str) -> bool {
    line.starts_with("[rill")
}

/// A kernel line that fails the run: `kwarn!` (`[rill] WARNING: ...`) and panics
/// (`[rill] KERNEL PANIC: ...`, which may follow other text on the line).
pub fn is_kernel_warning(line: &str) -> bool {
    line.contains("[rill] WARNING:") || line.contains("[rill] KERNEL PANIC")
}

/// Parses a serial log. A marker may follow output that lacked a final newline on the same
/// line (`text@@@END x 0`); the text before it still belongs to the block.
pub fn parse(log: &str) -> GuestRun {
    let mut run = GuestRun::default();
    let mut open: Option<Block> = None;
    // A final empty piece only means the log ended with a newline.
    let body = log.strip_suffix('\n').unwrap_or(log);
    for raw in body.split('\n') {
        let line: String = raw.chars().filter(|&c| c != '\r').collect();
        if is_kernel_warning(&line) {
            match open.as_mut() {
                Some(b) => b.kernel_warnings.push(line.trim().to_string()),
                None => run.stray_warnings.push((
                    line.trim().to_string(),
                    run.blocks.last().map(|b| b.name.clone()),
                )),
            }
            if is_kernel_log(&line) {
                continue;
            }
        } else if is_kernel_log(&line) {
            continue;
        }
        let (text, marker) = match line.find("@@@") {
            Some(i) => (&line[..i], Some(&line[i + 3..])),
            None => (line.as_str(), None),
        };
        let marker = marker.and_then(|m| {
            let mut words = m.split_whitespace();
            match words.next()? {
                "READY" => Some(("READY", None, None)),
                "ALIVE" => Some(("ALIVE", None, None)),
                "DONE" => Some(("DONE", None, None)),
                "BEGIN" => Some(("BEGIN", Some(words.next()?.to_string()), None)),
                "END" => {
                    let name = words.next()?.to_string();
                    let status = words.next()?.parse::<i32>().ok()?;
                    Some(("END", Some(name), Some(status)))
                }
                _ => None,
            }
        });
        let Some((kind, name, status)) = marker else {
            // Not a marker: ordinary output (only counts inside a block).
            if let Some(b) = open.as_mut() {
                b.output.push_str(&line);
                b.output.push('\n');
            }
            continue;
        };
        if let Some(b) = open.as_mut() {
            if !text.is_empty() {
                b.output.push_str(text);
                b.output.push('\n');
            }
        }
        match kind {
            "READY" => run.ready = true,
            "ALIVE" => {}
            "DONE" => {
                if let Some(b) = open.take() {
                    run.blocks.push(b);
                }
                run.done = true;
            }
            "BEGIN" => {
                if let Some(b) = open.take() {
                    run.blocks.push(b);
                }
                open = Some(Block {
                    name: name.unwrap_or_default(),
                    output: String::new(),
                    status: None,
                    kernel_warnings: Vec::new(),
                });
            }
            _ => {
                // END: closes the open block when the names agree.
                match open.take() {
                    Some(mut b) if Some(&b.name) == name.as_ref() => {
                        b.status = status;
                        run.blocks.push(b);
                    }
                    other => {
                        if let Some(b) = other {
                            run.blocks.push(b);
                        }
                    }
                }
            }
        }
    }
    if let Some(b) = open.take() {
        // The log ended inside a block: keep what it printed, without the partial last line's
        // artificial newline if the log simply stopped.
        run.blocks.push(b);
    }
    run
}

/// Normalizes program output for comparison: no `\r`, and a final newline when non-empty.
pub fn normalize_output(s: &str) -> String {
    let mut t: String = s.chars().filter(|&c| c != '\r').collect();
    if !t.is_empty() && !t.ends_with('\n') {
        t.push('\n');
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_run_is_parsed() {
        let log = "SeaBIOS junk\r\n[rill] booting\r\n@@@READY\r\n@@@BEGIN a.static\r\n\
                   line 1\r\n[rill] kernel noise\r\nline 2\r\n@@@END a.static 0\r\n\
                   @@@BEGIN b\r\n@@@END b 3\r\n@@@DONE\r\n";
        let run = parse(log);
        assert!(run.ready && run.done);
        assert_eq!(
            run.blocks,
            vec![
                Block {
                    name: "a.static".into(),
                    output: "line 1\nline 2\n".into(),
                    status: Some(0),
                    kernel_warnings: vec![],
                },
                Block {
                    name: "b".into(),
                    output: String::new(),
                    status: Some(3),
                    kernel_warnings: vec![],
                },
            ]
        );
    }

    #[test]
    fn output_outside_blocks_is_ignored_and_missing_end_is_none() {
        let run = parse("@@@READY\nstray\n@@@BEGIN x\npartial out");
        assert!(run.ready && !run.done);
        assert_eq!(run.blocks.len(), 1);
        assert_eq!(run.blocks[0].name, "x");
        assert_eq!(run.blocks[0].status, None);
        assert_eq!(run.blocks[0].output, "partial out\n");
    }

    #[test]
    fn marker_after_unterminated_output() {
        let run = parse("@@@BEGIN t\nno newline@@@END t 1\n@@@DONE\n");
        let b = run.block("t").unwrap();
        assert_eq!(b.output, "no newline\n");
        assert_eq!(b.status, Some(1));
        assert!(run.done);
    }

    #[test]
    fn a_new_begin_closes_a_crashed_block() {
        let run = parse("@@@BEGIN a\nout\n@@@BEGIN b\n@@@END b 0\n");
        assert_eq!(run.blocks.len(), 2);
        assert_eq!(run.block("a").unwrap().status, None);
        assert_eq!(run.block("b").unwrap().status, Some(0));
    }

    #[test]
    fn mismatched_or_malformed_end_does_not_pass() {
        let run = parse("@@@BEGIN a\n@@@END b 0\n");
        assert_eq!(run.block("a").unwrap().status, None);
        let run = parse("@@@BEGIN a\n@@@END a notanumber\n");
        // A malformed END is plain output.
        assert_eq!(run.block("a").unwrap().status, None);
        assert_eq!(run.block("a").unwrap().output, "@@@END a notanumber\n");
    }

    #[test]
    fn kernel_lines_only_dropped_at_line_start() {
        let run = parse("@@@BEGIN a\n x [rill] y\n[rill] z\n@@@END a 0\n");
        assert_eq!(run.block("a").unwrap().output, " x [rill] y\n");
    }

    #[test]
    fn heartbeats_are_not_output() {
        let run = parse("@@@BEGIN a\n@@@ALIVE a\nout\n@@@ALIVE a\n@@@END a 0\n");
        assert_eq!(run.block("a").unwrap().output, "out\n");
        assert_eq!(run.block("a").unwrap().status, Some(0));
    }

    #[test]
    fn kernel_warnings_are_kept_with_their_block() {
        let log = "[rill] WARNING: early\n@@@BEGIN a\n[rill] info line\n\
                   [rill] WARNING: CPU 1 did not start\nout\n@@@END a 0\n\
                   x\n[rill] KERNEL PANIC: oops\n";
        let run = parse(log);
        let a = run.block("a").unwrap();
        assert_eq!(a.output, "out\n");
        assert_eq!(a.kernel_warnings, ["[rill] WARNING: CPU 1 did not start"]);
        assert_eq!(
            run.stray_warnings,
            vec![
                ("[rill] WARNING: early".to_string(), None),
                (
                    "[rill] KERNEL PANIC: oops".to_string(),
                    Some("a".to_string())
                ),
            ]
        );
    }

    #[test]
    fn normalize() {
        assert_eq!(normalize_output("a\r\nb"), "a\nb\n");
        assert_eq!(normalize_output(""), "");
    }
}
