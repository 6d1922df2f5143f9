//! The kernel command line (`-append`): stored once by boot, read by every
//! layer (procfs's /proc/cmdline, init's argv and envp, the tracer's options).
use alloc::string::String;

static CMDLINE: spin::Once<String> = spin::Once::new();

/// Store the command line; boot calls this once, before anything reads it.
pub fn set(s: String) {
    CMDLINE.call_once(|| s);
}

/// The whole command line ("" before boot has stored it).
pub fn get() -> &'static str {
    CMDLINE.get().map(|s| s.as_str()).unwrap_or("")
}

/// Value of `key=` on the command line.
pub fn opt(key: &str) -> Option<&'static str> {
    get()
        .split_whitespace()
        .find_map(|w| w.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}
