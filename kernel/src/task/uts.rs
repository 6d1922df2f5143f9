//! UTS names: what uname(2) reports, set by sethostname/setdomainname and
//! /proc/sys/kernel/{hostname,domainname}. One set for the machine (Rill has no UTS
//! namespaces).
use alloc::string::String;
use rill_abi::types::Utsname;
use spin::Mutex;

pub const SYSNAME: &str = "Linux";
pub const RELEASE: &str = "6.1.0-rill";
pub const VERSION: &str = "#1 SMP PREEMPT_DYNAMIC Rill";
pub const MACHINE: &str = "x86_64";
/// Linux's __NEW_UTS_LEN: the longest name.
pub const NAME_MAX: usize = 64;

/// The names that can be changed; empty means Linux's default "(none)".
struct Names {
    hostname: String,
    domainname: String,
}

static NAMES: Mutex<Names> = Mutex::new(Names {
    hostname: String::new(),
    domainname: String::new(),
});

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "(none)".into()
    } else {
        s.into()
    }
}

pub fn hostname() -> String {
    or_none(&NAMES.lock().hostname)
}

pub fn domainname() -> String {
    or_none(&NAMES.lock().domainname)
}

pub fn set_hostname(name: &[u8]) {
    NAMES.lock().hostname = String::from_utf8_lossy(&name[..name.len().min(NAME_MAX)]).into_owned();
}

pub fn set_domainname(name: &[u8]) {
    NAMES.lock().domainname =
        String::from_utf8_lossy(&name[..name.len().min(NAME_MAX)]).into_owned();
}

/// What uname(2) copies out.
pub fn utsname() -> Utsname {
    Utsname::new(
        SYSNAME,
        &hostname(),
        RELEASE,
        VERSION,
        MACHINE,
        &domainname(),
    )
}
