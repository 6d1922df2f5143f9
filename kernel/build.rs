//! Link the kernel with its own linker script, without the C runtime.
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
}
