//! The kernel's boot-time self-tests (`kernel/src/selftest.rs`): every test
//! boot of Rill asks for them on its command line, and the first boot's
//! serial log must hold one `[rill] selftest NAME: ok ...` line for each;
//! a `FAILED` line or a missing one fails `selftest-NAME`.

/// What test boots append to the kernel command line.
pub const CMDLINE: &str = "rill.selftest=all";

/// The self-tests and what each shows.
pub const TESTS: &[(&str, &str)] = &[
    ("dma", "DMA buffers are physically contiguous, zeroed and freed on drop"),
    ("mmio", "MMIO mappings (RAM alias, above 4 GiB, LAPIC) are uncached and bounds-checked"),
    ("irq", "the I/O APIC delivers the UART's interrupt to the last CPU; MSI vectors on every CPU, acknowledged"),
    ("irq-routing", "the PIT and COM1 are routed as registered"),
    ("kthread", "a kernel thread sleeps and is woken 50 times by another, and both exit and are freed"),
    ("virtio-net", "virtio-net sends 100 ARP requests to QEMU's gateway and each reply arrives by interrupt (MSI-X or INTx)"),
];

/// (test name, Ok(note) | Err(why)) for every self-test, from a serial log.
pub fn check(log: &str) -> Vec<(String, Result<String, String>)> {
    TESTS
        .iter()
        .map(|(name, what)| {
            let prefix = format!("[rill] selftest {name}: ");
            let line = log
                .lines()
                .find_map(|l| l.trim_end_matches('\r').split_once(&prefix).map(|x| x.1));
            let r = match line {
                Some(rest) if rest.starts_with("ok") => Ok(format!(" ({what})")),
                Some(rest) => Err(format!("{what}: {rest}")),
                None => Err(format!("{what}: no result line in the serial log")),
            };
            (format!("selftest-{name}"), r)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_from_the_log() {
        let log = "x\r\n[rill] selftest dma: ok (16 KiB)\r\n[rill] selftest mmio: FAILED PTE 0\r\n\
                   junk[rill] selftest irq: ok\n[rill] selftest kthread: ok\n";
        let r = check(log);
        let get = |n: &str| r.iter().find(|x| x.0 == format!("selftest-{n}")).unwrap();
        assert!(get("dma").1.is_ok());
        assert!(get("mmio").1.as_ref().unwrap_err().contains("PTE 0"));
        assert!(get("irq").1.is_ok());
        assert!(get("irq-routing")
            .1
            .as_ref()
            .unwrap_err()
            .contains("no result"));
        assert!(get("kthread").1.is_ok());
        assert_eq!(r.len(), TESTS.len());
    }
}
