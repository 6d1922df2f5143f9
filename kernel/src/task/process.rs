//! Processes: ids, parent/child links, credentials, and the per-process
//! resources threads share (address space, fd table, fs context, signal
//! actions).
use super::fdtable::FdTable;
use super::Task;
use crate::mm::AddrSpace;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use rill_vfs::{Location, WaitQueue};
use spin::Mutex;

pub type Pid = u32;

#[derive(Clone, Copy, Default)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

#[derive(Clone)]
pub struct FsContext {
    pub root: Location,
    pub cwd: Location,
    pub umask: u32,
}

#[derive(Clone, Copy, Default)]
pub struct Creds {
    pub uid: u32,
    pub euid: u32,
    pub suid: u32,
    pub gid: u32,
    pub egid: u32,
    pub sgid: u32,
}

/// What a parent's wait sees of a child.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChildEvent {
    /// Exited; the Linux wait status word.
    Exited(i32),
    /// Stopped by a signal (not yet reported when the flag is true).
    Stopped(u32, bool),
    Continued(bool),
}

pub struct ProcInner {
    pub parent: Weak<Process>,
    pub children: Vec<Arc<Process>>,
    pub threads: Vec<Arc<Task>>,
    pub pgid: Pid,
    pub sid: Pid,
    pub event: Option<ChildEvent>,
    pub exe: Vec<u8>,
    pub cmdline: Vec<u8>,
    pub comm: [u8; 16],
    pub creds: Creds,
    pub rlimits: [(u64, u64); 16],
    pub exit_signal: u32,
    pub vfork_parent: Option<Arc<Task>>,
    pub utime_ticks: u64,
    pub stime_ticks: u64,
    pub cutime_ticks: u64,
    pub cstime_ticks: u64,
    pub start_ticks: u64,
    /// The process has called execve (setpgid on it then fails with EACCES).
    pub did_exec: bool,
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// PR_SET_PDEATHSIG: signal sent to us when our parent exits.
    pub pdeathsig: u32,
    /// PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented to us.
    pub subreaper: bool,
    /// PR_SET_DUMPABLE (inherited by fork, reset to 1 by exec).
    pub dumpable: bool,
    /// PR_SET_NO_NEW_PRIVS (sticky: inherited by fork and exec).
    pub no_new_privs: bool,
    /// membarrier registrations (bit = the REGISTER command): Linux keeps them in the mm,
    /// copied by fork and cleared by exec.
    pub membarrier: i32,
    /// mbind policies of address ranges: start -> (end, policy); copied by fork with the
    /// address space, cleared by exec.
    pub vma_mempolicy: BTreeMap<u64, (u64, super::Mempolicy)>,
    /// /proc/PID/oom_score_adj (-1000..=1000), inherited by fork.
    pub oom_score_adj: i16,
    /// The lowest oom_score_adj settable without CAP_SYS_RESOURCE (Linux's
    /// oom_score_adj_min: the last value set with the capability), inherited by fork.
    pub oom_score_adj_min: i16,
    /// PR_SET_KEEPCAPS, PR_SET_THP_DISABLE, PR_SET_TIMERSLACK.
    pub prctl: PrctlAttrs,
}

/// Attributes set with prctl that have no other home yet. Linux keeps
/// keepcaps in the credentials (inherited by fork, cleared by execve), the
/// THP switch in the mm (inherited by fork, kept by execve) and the timer
/// slack per thread (here per process): a child's slack starts as its
/// parent's, which also becomes the default PR_SET_TIMERSLACK 0 restores.
#[derive(Clone, Copy, Debug)]
pub struct PrctlAttrs {
    pub keepcaps: bool,
    pub thp_disable: bool,
    pub timer_slack_ns: u64,
    pub default_timer_slack_ns: u64,
}

impl Default for PrctlAttrs {
    fn default() -> Self {
        PrctlAttrs {
            keepcaps: false,
            thp_disable: false,
            timer_slack_ns: 50_000,
            default_timer_slack_ns: 50_000,
        }
    }
}

impl PrctlAttrs {
    /// What a forked child starts with.
    pub fn forked(self) -> Self {
        PrctlAttrs {
            default_timer_slack_ns: self.timer_slack_ns,
            ..self
        }
    }
}

pub struct Process {
    pub pid: Pid,
    pub mm: Mutex<Arc<AddrSpace>>,
    pub files: Mutex<Arc<Mutex<FdTable>>>,
    pub fs: Mutex<FsContext>,
    pub sigactions: Mutex<Arc<Mutex<[SigAction; 64]>>>,
    pub sig_pending: AtomicU64,
    pub inner: Mutex<ProcInner>,
    /// Woken when a child changes state (wait4/waitid sleep here).
    pub child_wait: WaitQueue,
    pub mm_root_cache: AtomicU64,
    pub tty_pgrp_hint: AtomicU32,
    /// A group exit is under way (exit_group, a fatal signal, or the last thread gone):
    /// set once by `task::exit` while it holds `inner` (with `event`), read without a
    /// lock (`exiting()`; the syscall exit path checks it on every call).
    exiting: AtomicBool,
    /// The parent's pid (Linux's getppid reads the parent's tgid under RCU): set at
    /// creation and by `set_parent` when `task::exit` reparents, which holds `inner`;
    /// read without a lock by `ppid()`. 0 for init and kernel threads.
    ppid: AtomicU32,
}

static PROCS: Mutex<BTreeMap<Pid, Weak<Process>>> = Mutex::new(BTreeMap::new());
static TASKS: Mutex<BTreeMap<Pid, Weak<Task>>> = Mutex::new(BTreeMap::new());
static NEXT_PID: AtomicU32 = AtomicU32::new(1);

pub const RLIM_INFINITY: u64 = u64::MAX;

pub fn default_rlimits() -> [(u64, u64); 16] {
    let mut r = [(RLIM_INFINITY, RLIM_INFINITY); 16];
    r[3] = (8 << 20, RLIM_INFINITY); // STACK
    r[4] = (0, RLIM_INFINITY); // CORE
    r[6] = (3794, 3794); // NPROC
    r[7] = (1024, 1024 * 1024); // NOFILE
    r[8] = (8 << 20, 8 << 20); // MEMLOCK
    r[10] = (RLIM_INFINITY, RLIM_INFINITY);
    r[11] = (3794, 3794); // SIGPENDING
    r[12] = (819200, 819200); // MSGQUEUE
    r[13] = (0, 0); // NICE
    r[14] = (0, 0); // RTPRIO
    r
}

/// Allocate a fresh pid/tid (Linux's: increasing, never 0).
pub fn alloc_pid() -> Pid {
    loop {
        let p = NEXT_PID.fetch_add(1, Ordering::Relaxed);
        if p >= 4_000_000 {
            NEXT_PID.store(300, Ordering::Relaxed);
            continue;
        }
        let used = PROCS.lock().contains_key(&p) || TASKS.lock().contains_key(&p);
        if !used {
            return p;
        }
    }
}

pub fn register_task(t: &Arc<Task>) {
    TASKS.lock().insert(t.tid(), Arc::downgrade(t));
}
pub fn unregister_task(tid: Pid) {
    TASKS.lock().remove(&tid);
}
pub fn find_task(tid: Pid) -> Option<Arc<Task>> {
    TASKS.lock().get(&tid).and_then(|w| w.upgrade())
}
pub fn find_process(pid: Pid) -> Option<Arc<Process>> {
    PROCS.lock().get(&pid).and_then(|w| w.upgrade())
}
pub fn unregister_process(pid: Pid) {
    PROCS.lock().remove(&pid);
}
pub fn all_processes() -> Vec<Arc<Process>> {
    PROCS.lock().values().filter_map(|w| w.upgrade()).collect()
}

impl Process {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pid: Pid,
        parent: Weak<Process>,
        mm: Arc<AddrSpace>,
        files: Arc<Mutex<FdTable>>,
        fs: FsContext,
        sigactions: Arc<Mutex<[SigAction; 64]>>,
        pgid: Pid,
        sid: Pid,
    ) -> Arc<Process> {
        let root = mm.root();
        let ppid = parent.upgrade().map_or(0, |q| q.pid);
        let p = Arc::new(Process {
            pid,
            mm: Mutex::new(mm),
            files: Mutex::new(files),
            fs: Mutex::new(fs),
            sigactions: Mutex::new(sigactions),
            sig_pending: AtomicU64::new(0),
            inner: Mutex::new(ProcInner {
                parent,
                children: Vec::new(),
                threads: Vec::new(),
                pgid,
                sid,
                event: None,
                exe: Vec::new(),
                cmdline: Vec::new(),
                comm: [0; 16],
                creds: Creds::default(),
                rlimits: default_rlimits(),
                exit_signal: 17,
                vfork_parent: None,
                utime_ticks: 0,
                stime_ticks: 0,
                cutime_ticks: 0,
                cstime_ticks: 0,
                start_ticks: crate::time::ticks(),
                did_exec: false,
                groups: Vec::new(),
                pdeathsig: 0,
                subreaper: false,
                dumpable: true,
                no_new_privs: false,
                membarrier: 0,
                vma_mempolicy: BTreeMap::new(),
                oom_score_adj: 0,
                oom_score_adj_min: 0,
                prctl: PrctlAttrs::default(),
            }),
            child_wait: WaitQueue::new(),
            mm_root_cache: AtomicU64::new(root),
            tty_pgrp_hint: AtomicU32::new(0),
            exiting: AtomicBool::new(false),
            ppid: AtomicU32::new(ppid),
        });
        PROCS.lock().insert(pid, Arc::downgrade(&p));
        p
    }

    pub fn mm(&self) -> Arc<AddrSpace> {
        self.mm.lock().clone()
    }
    pub fn set_mm(&self, mm: Arc<AddrSpace>) {
        self.mm_root_cache.store(mm.root(), Ordering::Relaxed);
        *self.mm.lock() = mm;
    }
    pub fn mm_root(&self) -> u64 {
        self.mm_root_cache.load(Ordering::Relaxed)
    }
    pub fn files(&self) -> Arc<Mutex<FdTable>> {
        self.files.lock().clone()
    }
    pub fn sigactions(&self) -> Arc<Mutex<[SigAction; 64]>> {
        self.sigactions.lock().clone()
    }
    pub fn parent(&self) -> Option<Arc<Process>> {
        self.inner.lock().parent.upgrade()
    }
    pub fn ppid(&self) -> Pid {
        self.ppid.load(Ordering::Acquire)
    }
    /// Make `parent` this process's parent (`i` is this process's `inner`, held).
    pub fn set_parent(&self, i: &mut ProcInner, parent: &Arc<Process>) {
        i.parent = Arc::downgrade(parent);
        self.ppid.store(parent.pid, Ordering::Release);
    }
    /// Is a group exit under way (see the field)?
    #[inline]
    pub fn exiting(&self) -> bool {
        self.exiting.load(Ordering::Acquire)
    }
    /// Mark the group exit (`_i`: this process's `inner`, held, so that the flag and
    /// `event` change together); false if it was already marked.
    pub fn set_exiting(&self, _i: &mut ProcInner) -> bool {
        !self.exiting.swap(true, Ordering::AcqRel)
    }
    pub fn pgid(&self) -> Pid {
        self.inner.lock().pgid
    }
    pub fn sid(&self) -> Pid {
        self.inner.lock().sid
    }
    pub fn creds(&self) -> Creds {
        self.inner.lock().creds
    }
    pub fn comm(&self) -> String {
        let c = self.inner.lock().comm;
        let n = c.iter().position(|&b| b == 0).unwrap_or(16);
        String::from_utf8_lossy(&c[..n]).into_owned()
    }
    pub fn set_comm(&self, name: &[u8]) {
        let mut c = [0u8; 16];
        let n = name.len().min(15);
        c[..n].copy_from_slice(&name[..n]);
        self.inner.lock().comm = c;
    }
    /// Write /proc/PID/oom_score_adj (`legacy`: oom_adj's value, already mapped) as Linux's
    /// __set_oom_adj does: without CAP_SYS_RESOURCE (`capable`) oom_score_adj may not go
    /// below its minimum, oom_adj not below the current value (EACCES); a write with the
    /// capability sets the minimum.
    pub fn set_oom_score_adj(&self, v: i16, legacy: bool, capable: bool) -> rill_abi::KResult<()> {
        let mut i = self.inner.lock();
        let floor = if legacy {
            i.oom_score_adj
        } else {
            i.oom_score_adj_min
        };
        if v < floor && !capable {
            return Err(rill_abi::Errno::EACCES);
        }
        if !legacy && capable {
            i.oom_score_adj_min = v;
        }
        i.oom_score_adj = v;
        Ok(())
    }
    pub fn oom_score_adj(&self) -> i16 {
        self.inner.lock().oom_score_adj
    }

    pub fn main_thread(&self) -> Option<Arc<Task>> {
        self.inner.lock().threads.first().cloned()
    }
    pub fn threads(&self) -> Vec<Arc<Task>> {
        self.inner.lock().threads.clone()
    }
}
