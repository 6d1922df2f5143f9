//! Signal-set arithmetic and Linux's signal rules that need no kernel state:
//! default actions, which pending signal is delivered first, what
//! `rt_sigprocmask` does to a mask, and when an interrupted syscall restarts.
use crate::consts::*;
use crate::errno::{Errno, KResult};

/// A set of signals 1..=64 (bit `n-1` is signal `n`), as in `sigset_t`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigSet(pub u64);

/// SIGKILL and SIGSTOP can be neither blocked, caught nor ignored.
pub const UNBLOCKABLE: SigSet = SigSet((1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1)));
/// The stop signals (SIGCONT discards them, they discard SIGCONT).
pub const STOP_SIGNALS: SigSet = SigSet(
    (1 << (SIGSTOP - 1)) | (1 << (SIGTSTP - 1)) | (1 << (SIGTTIN - 1)) | (1 << (SIGTTOU - 1)),
);
/// Synchronous signals (Linux's SYNCHRONOUS_MASK), delivered before other
/// pending signals, lowest number first as Linux's next_signal does.
const SYNCHRONOUS: [u32; 6] = [SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS];

impl SigSet {
    pub const EMPTY: SigSet = SigSet(0);

    /// The one-signal set; empty for numbers outside 1..=64.
    pub fn of(sig: u32) -> SigSet {
        if (1..=64).contains(&sig) {
            SigSet(1 << (sig - 1))
        } else {
            SigSet(0)
        }
    }
    pub fn contains(self, sig: u32) -> bool {
        self.0 & SigSet::of(sig).0 != 0
    }
    pub fn with(self, sig: u32) -> SigSet {
        SigSet(self.0 | SigSet::of(sig).0)
    }
    pub fn without(self, sig: u32) -> SigSet {
        SigSet(self.0 & !SigSet::of(sig).0)
    }
    pub fn union(self, o: SigSet) -> SigSet {
        SigSet(self.0 | o.0)
    }
    pub fn minus(self, o: SigSet) -> SigSet {
        SigSet(self.0 & !o.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The lowest-numbered member.
    pub fn lowest(self) -> Option<u32> {
        if self.0 == 0 {
            None
        } else {
            Some(self.0.trailing_zeros() + 1)
        }
    }
    /// A mask as the kernel stores it: SIGKILL and SIGSTOP silently removed.
    pub fn as_mask(self) -> SigSet {
        self.minus(UNBLOCKABLE)
    }
}

/// What SIG_DFL does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    Terminate,
    CoreDump,
    Ignore,
    Stop,
    Continue,
}

/// signal(7)'s table; real-time signals terminate.
pub fn default_action(sig: u32) -> DefaultAction {
    match sig {
        SIGCHLD | SIGURG | SIGWINCH => DefaultAction::Ignore,
        SIGCONT => DefaultAction::Continue,
        SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU => DefaultAction::Stop,
        SIGQUIT | SIGILL | SIGTRAP | SIGABRT | SIGBUS | SIGFPE | SIGSEGV | SIGXCPU | SIGXFSZ
        | SIGSYS => DefaultAction::CoreDump,
        _ => DefaultAction::Terminate,
    }
}

/// The signal to deliver next from `pending` minus `blocked`: SIGKILL, then
/// SIGSTOP, then synchronous faults, then the lowest number (Linux's order).
pub fn next_to_deliver(pending: SigSet, blocked: SigSet) -> Option<u32> {
    let ready = pending.minus(blocked.as_mask());
    if ready.is_empty() {
        return None;
    }
    for s in [SIGKILL, SIGSTOP].iter().chain(SYNCHRONOUS.iter()) {
        if ready.contains(*s) {
            return Some(*s);
        }
    }
    ready.lowest()
}

/// `rt_sigprocmask(how, set)` applied to `current`.
pub fn apply_sigprocmask(current: SigSet, how: u32, set: SigSet) -> KResult<SigSet> {
    let new = match how {
        SIG_BLOCK => current.union(set),
        SIG_UNBLOCK => current.minus(set),
        SIG_SETMASK => set,
        _ => return Err(Errno::EINVAL),
    };
    Ok(new.as_mask())
}

/// What happens to a syscall that returned `code` when a signal arrives:
/// `handler_flags` is `Some(sa_flags)` when a user handler will run, `None`
/// when no handler runs (ignored, or nothing delivered). Returns the errno to
/// hand back to user space, or `None` to restart the syscall.
pub fn restart_outcome(code: Errno, handler_flags: Option<u64>) -> Option<Errno> {
    if !code.is_restart() {
        return Some(code);
    }
    let restart = match (code, handler_flags) {
        (Errno::ERESTARTNOINTR, _) => true,
        (Errno::ERESTARTSYS, Some(f)) => f & SA_RESTART != 0,
        (_, Some(_)) => false,
        (_, None) => true,
    };
    if restart {
        None
    } else {
        Some(Errno::EINTR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets() {
        let s = SigSet::EMPTY.with(SIGINT).with(SIGTERM);
        assert!(s.contains(SIGINT) && s.contains(SIGTERM) && !s.contains(SIGHUP));
        assert_eq!(s.lowest(), Some(SIGINT));
        assert_eq!(s.without(SIGINT).lowest(), Some(SIGTERM));
        assert_eq!(SigSet::of(0), SigSet::EMPTY);
        assert_eq!(SigSet::of(65), SigSet::EMPTY);
        assert_eq!(SigSet::of(64).0, 1 << 63);
        assert!(!SigSet(u64::MAX).as_mask().contains(SIGKILL));
        assert!(!SigSet(u64::MAX).as_mask().contains(SIGSTOP));
        assert!(SigSet(u64::MAX).as_mask().contains(SIGUSR1));
    }

    #[test]
    fn defaults() {
        assert_eq!(default_action(SIGCHLD), DefaultAction::Ignore);
        assert_eq!(default_action(SIGSEGV), DefaultAction::CoreDump);
        assert_eq!(default_action(SIGTSTP), DefaultAction::Stop);
        assert_eq!(default_action(SIGCONT), DefaultAction::Continue);
        assert_eq!(default_action(SIGPIPE), DefaultAction::Terminate);
        assert_eq!(default_action(40), DefaultAction::Terminate);
    }

    #[test]
    fn delivery_order() {
        let p = SigSet::EMPTY.with(SIGUSR1).with(SIGSEGV).with(SIGHUP);
        assert_eq!(next_to_deliver(p, SigSet::EMPTY), Some(SIGSEGV));
        assert_eq!(
            next_to_deliver(p.with(SIGKILL), SigSet::EMPTY),
            Some(SIGKILL)
        );
        assert_eq!(next_to_deliver(p, SigSet::of(SIGSEGV)), Some(SIGHUP));
        // a blocked SIGKILL is still delivered
        assert_eq!(
            next_to_deliver(SigSet::of(SIGKILL), SigSet(u64::MAX)),
            Some(SIGKILL)
        );
        assert_eq!(
            next_to_deliver(SigSet::of(SIGUSR1), SigSet::of(SIGUSR1)),
            None
        );
        assert_eq!(next_to_deliver(SigSet::EMPTY, SigSet::EMPTY), None);
        // among synchronous signals the lowest number wins; SIGSYS is one
        let sync = SigSet::of(SIGSEGV).with(SIGFPE).with(SIGSYS).with(SIGHUP);
        assert_eq!(next_to_deliver(sync, SigSet::EMPTY), Some(SIGFPE));
        assert_eq!(
            next_to_deliver(SigSet::of(SIGSYS).with(SIGHUP), SigSet::EMPTY),
            Some(SIGSYS)
        );
    }

    #[test]
    fn procmask() {
        let cur = SigSet::of(SIGINT);
        assert_eq!(
            apply_sigprocmask(cur, SIG_BLOCK, SigSet::of(SIGTERM)),
            Ok(cur.with(SIGTERM))
        );
        assert_eq!(
            apply_sigprocmask(cur, SIG_UNBLOCK, SigSet::of(SIGINT)),
            Ok(SigSet::EMPTY)
        );
        assert_eq!(
            apply_sigprocmask(cur, SIG_SETMASK, SigSet::of(SIGKILL)),
            Ok(SigSet::EMPTY)
        );
        assert_eq!(apply_sigprocmask(cur, 3, SigSet::EMPTY), Err(Errno::EINVAL));
    }

    #[test]
    fn restarts() {
        assert_eq!(restart_outcome(Errno::ERESTARTSYS, Some(SA_RESTART)), None);
        assert_eq!(
            restart_outcome(Errno::ERESTARTSYS, Some(0)),
            Some(Errno::EINTR)
        );
        assert_eq!(restart_outcome(Errno::ERESTARTSYS, None), None);
        assert_eq!(
            restart_outcome(Errno::ERESTARTNOHAND, Some(SA_RESTART)),
            Some(Errno::EINTR)
        );
        assert_eq!(restart_outcome(Errno::ERESTARTNOHAND, None), None);
        assert_eq!(restart_outcome(Errno::ERESTARTNOINTR, Some(0)), None);
        assert_eq!(
            restart_outcome(Errno::ERESTART_RESTARTBLOCK, Some(SA_RESTART)),
            Some(Errno::EINTR)
        );
        assert_eq!(
            restart_outcome(Errno::EAGAIN, Some(SA_RESTART)),
            Some(Errno::EAGAIN)
        );
    }
}
