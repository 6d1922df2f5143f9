//! The port table: who is bound where, with Linux's conflict rules (simplified:
//! `inet_csk_bind_conflict` / `udp_lib_lport_inuse`).

use alloc::vec::Vec;
use rill_abi::{Errno, KResult};

/// A bound local address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindAddr {
    /// `0.0.0.0`.
    Any4,
    /// `::` (covers IPv4 too unless the binding is V6ONLY).
    Any6,
    V4([u8; 4]),
    V6([u8; 16]),
}

#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub id: u64,
    pub proto: i32,
    pub addr: BindAddr,
    pub port: u16,
    pub v6only: bool,
    pub reuseaddr: bool,
    pub reuseport: bool,
    pub listening: bool,
}

fn covers4(b: &Binding) -> bool {
    matches!(b.addr, BindAddr::Any4 | BindAddr::V4(_)) || (b.addr == BindAddr::Any6 && !b.v6only)
}

/// Whether the two bindings' addresses overlap.
fn overlap(a: &Binding, b: &Binding) -> bool {
    use BindAddr::*;
    match (a.addr, b.addr) {
        (V4(x), V4(y)) => x == y,
        (V6(x), V6(y)) => x == y,
        (Any4, _) => covers4(b),
        (_, Any4) => covers4(a),
        (Any6, Any6) => true,
        (Any6, V6(_)) | (V6(_), Any6) => true,
        (Any6, V4(_)) => !a.v6only,
        (V4(_), Any6) => !b.v6only,
        (V4(_), V6(_)) | (V6(_), V4(_)) => false,
    }
}

#[derive(Default)]
pub struct Ports {
    pub list: Vec<Binding>,
    next: u16,
}

pub const EPHEMERAL_LO: u16 = 32768;
pub const EPHEMERAL_HI: u16 = 60999;

impl Ports {
    fn conflicts(&self, b: &Binding) -> bool {
        self.list.iter().any(|o| {
            o.id != b.id
                && o.proto == b.proto
                && o.port == b.port
                && overlap(o, b)
                && !(o.reuseport && b.reuseport)
                && !(o.reuseaddr && b.reuseaddr && (b.proto != 6 || !o.listening))
        })
    }

    /// Whether `b` may become listening (TCP: SO_REUSEADDR does not let two listen).
    pub fn can_listen(&self, id: u64) -> bool {
        let Some(me) = self.list.iter().find(|b| b.id == id) else {
            return true;
        };
        let mut me = *me;
        me.listening = true;
        !self.conflicts(&me)
    }

    pub fn set_listening(&mut self, id: u64) {
        for b in self.list.iter_mut().filter(|b| b.id == id) {
            b.listening = true;
        }
    }

    /// Binds `b`; port 0 picks an ephemeral port. Returns the port.
    pub fn bind(&mut self, mut b: Binding, seed: u16) -> KResult<u16> {
        if b.port != 0 {
            if self.conflicts(&b) {
                return Err(Errno::EADDRINUSE);
            }
            self.list.push(b);
            return Ok(b.port);
        }
        let span = (EPHEMERAL_HI - EPHEMERAL_LO + 1) as u32;
        if self.next == 0 {
            self.next = (seed as u32 % span) as u16;
        }
        for _ in 0..span {
            let p = EPHEMERAL_LO + self.next;
            self.next = ((self.next as u32 + 1) % span) as u16;
            b.port = p;
            // an ephemeral port is never shared
            let taken = self.list.iter().any(|o| o.proto == b.proto && o.port == p);
            if !taken {
                self.list.push(b);
                return Ok(p);
            }
        }
        Err(Errno::EADDRINUSE)
    }

    pub fn unbind(&mut self, id: u64) {
        self.list.retain(|b| b.id != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(id: u64, addr: BindAddr, port: u16) -> Binding {
        Binding {
            id,
            proto: 6,
            addr,
            port,
            v6only: false,
            reuseaddr: false,
            reuseport: false,
            listening: false,
        }
    }

    #[test]
    fn dual_stack_conflicts() {
        let mut p = Ports::default();
        p.bind(b(1, BindAddr::Any6, 80), 0).unwrap();
        assert_eq!(p.bind(b(2, BindAddr::Any4, 80), 0), Err(Errno::EADDRINUSE));
        assert_eq!(
            p.bind(b(2, BindAddr::V4([127, 0, 0, 1]), 80), 0),
            Err(Errno::EADDRINUSE)
        );
        let mut q = Ports::default();
        let mut v6 = b(1, BindAddr::Any6, 80);
        v6.v6only = true;
        q.bind(v6, 0).unwrap();
        q.bind(b(2, BindAddr::Any4, 80), 0).unwrap();
        assert_eq!(
            q.bind(b(3, BindAddr::V6([0; 16]), 80), 0),
            Err(Errno::EADDRINUSE)
        );
    }

    #[test]
    fn reuse_rules() {
        let mut p = Ports::default();
        let mut x = b(1, BindAddr::Any4, 81);
        x.reuseaddr = true;
        p.bind(x, 0).unwrap();
        let mut y = b(2, BindAddr::Any4, 81);
        y.reuseaddr = true;
        p.bind(y, 0).unwrap();
        assert!(p.can_listen(1));
        p.set_listening(1);
        assert!(!p.can_listen(2));
        let mut u = b(3, BindAddr::Any4, 82);
        u.proto = 17;
        u.reuseport = true;
        p.bind(u, 0).unwrap();
        u.id = 4;
        p.bind(u, 0).unwrap();
        u.id = 5;
        u.reuseport = false;
        assert_eq!(p.bind(u, 0), Err(Errno::EADDRINUSE));
    }

    #[test]
    fn ephemeral() {
        let mut p = Ports::default();
        let a = p.bind(b(1, BindAddr::Any4, 0), 7).unwrap();
        let c = p.bind(b(2, BindAddr::Any4, 0), 7).unwrap();
        assert!((EPHEMERAL_LO..=EPHEMERAL_HI).contains(&a));
        assert_ne!(a, c);
    }
}
