//! Link the kernel with its own linker script, without the C runtime, and
//! build the vDSO.
//!
//! The vDSO (kernel/vdso/) is a small C shared object compiled here with the
//! host's gcc and GNU ld, as Linux builds its own: stable Rust cannot emit a
//! position-independent ELF shared object with symbol versions (LINUX_2.6,
//! which glibc looks up) and a custom one-segment layout, while gcc + a
//! linker script + a version script do exactly that. The result is checked
//! here (no relocations, no undefined symbols, one PT_LOAD) and embedded in
//! the kernel with `include_bytes!` (kernel/src/mm/vdso.rs).
use std::path::Path;
use std::process::Command;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    println!("cargo:rustc-link-arg-bins=-nostartfiles");
    println!("cargo:rustc-link-arg-bins=-nostdlib");
    println!("cargo:rustc-link-arg-bins=-static");
    println!("cargo:rustc-link-arg-bins=-Wl,--build-id=none");
    println!("cargo:rustc-link-arg-bins=-Wl,-z,max-page-size=0x1000");
    println!("cargo:rustc-link-arg-bins=-Wl,--gc-sections");
    println!("cargo:rustc-link-arg-bins=-T{dir}/linker.ld");
    println!("cargo:rerun-if-changed={dir}/linker.ld");
    for f in ["boot.S", "entry.S"] {
        println!("cargo:rerun-if-changed={dir}/src/arch/{f}");
    }
    build_vdso(Path::new(&dir));
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("vdso: cannot run {cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "vdso: {cmd:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn build_vdso(dir: &Path) {
    let src = dir.join("vdso");
    for f in ["vdso.c", "vvar.h", "vdso.lds", "vdso.map"] {
        println!("cargo:rerun-if-changed={}", src.join(f).display());
    }
    println!("cargo:rerun-if-env-changed=VDSO_CC");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let so = Path::new(&out_dir).join("vdso.so");
    let cc = std::env::var("VDSO_CC").unwrap_or_else(|_| "gcc".into());
    let map = src.join("vdso.map");
    let lds = src.join("vdso.lds");
    run(Command::new(&cc)
        .args([
            "-shared",
            "-nostdlib",
            "-fPIC",
            "-O2",
            "-g0",
            "-fno-stack-protector",
            "-fcf-protection=none",
            "-fno-builtin",
            "-fno-jump-tables",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wl,-soname=linux-vdso.so.1",
            "-Wl,--hash-style=both",
            "-Wl,--build-id=none",
            "-Wl,--eh-frame-hdr",
            "-Wl,-z,max-page-size=4096",
            "-Wl,-z,noexecstack",
        ])
        .arg(format!("-Wl,--version-script={}", map.display()))
        .arg(format!("-Wl,-T,{}", lds.display()))
        .arg("-o")
        .arg(&so)
        .arg(src.join("vdso.c")));
    // The kernel maps the file image as it is: it must need no relocation,
    // import nothing and be one segment.
    let relocs = run(Command::new("readelf").arg("-rW").arg(&so));
    assert!(
        relocs.contains("There are no relocations"),
        "vdso: has relocations:\n{relocs}"
    );
    let syms = run(Command::new("readelf").arg("--dyn-syms").arg("-W").arg(&so));
    for line in syms.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        // "Num: Value Size Type Bind Vis Ndx Name": only entry 0 is UND
        if f.len() >= 7 && f[6] == "UND" && f[0] != "0:" {
            panic!("vdso: undefined symbol: {line}");
        }
    }
    assert!(
        syms.contains("__vdso_clock_gettime@@LINUX_2.6"),
        "vdso: symbols not versioned:\n{syms}"
    );
    let phdrs = run(Command::new("readelf").arg("-lW").arg(&so));
    let loads = phdrs
        .lines()
        .filter(|l| l.trim_start().starts_with("LOAD"))
        .count();
    assert!(loads == 1, "vdso: {loads} PT_LOAD segments:\n{phdrs}");
}
