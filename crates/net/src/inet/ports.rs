//! The port table: who is bound where, with Linux's conflict rules (simplified:
//! `inet_csk_bind_conflict` / `udp_lib_lport_inuse`).

use alloc::collections::BTreeMap;
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// Whether `b` may not be bound beside `o`.
fn conflict(o: &Binding, b: &Binding) -> bool {
    o.id != b.id
        && overlap(o, b)
        && !(o.reuseport && b.reuseport)
        && !(o.reuseaddr && b.reuseaddr && (b.proto != 6 || !o.listening))
}

type Key = (i32, u16);

/// The bindings by protocol and port, so a bind, an unbind and the search for an
/// ephemeral port look at one port's bindings, not at every one. Port holds (the
/// ports of TCP connections in TIME_WAIT, see `tcp::TwHold`) are kept apart and
/// counted by shape: a loopback server closing a thousand connections a second has
/// tens of thousands of holds on its port, all alike.
#[derive(Default)]
pub struct Ports {
    live: BTreeMap<Key, Vec<Binding>>,
    live_at: BTreeMap<u64, Key>,
    /// Distinct hold shapes (`id` 0) of a port, with how many holds have each.
    holds: BTreeMap<Key, Vec<(Binding, usize)>>,
    hold_at: BTreeMap<u64, Binding>,
    next: u16,
}

pub const EPHEMERAL_LO: u16 = 32768;
pub const EPHEMERAL_HI: u16 = 60999;

impl Ports {
    fn conflicts(&self, b: &Binding) -> bool {
        let k = (b.proto, b.port);
        self.live
            .get(&k)
            .is_some_and(|v| v.iter().any(|o| conflict(o, b)))
            || self
                .holds
                .get(&k)
                .is_some_and(|v| v.iter().any(|(o, _)| conflict(o, b)))
    }

    /// The live bindings of `proto` on `port`.
    pub fn on_port(&self, proto: i32, port: u16) -> impl Iterator<Item = &Binding> {
        self.live.get(&(proto, port)).into_iter().flatten()
    }

    /// Whether `id` may become listening (TCP: SO_REUSEADDR does not let two
    /// listen). Held ports stop a bind, not a listen: Linux lets a listener shut
    /// down with SHUT_RD listen again on its port.
    pub fn can_listen(&self, id: u64) -> bool {
        let Some(k) = self.live_at.get(&id) else {
            return true;
        };
        let v = self.live.get(k).map_or(&[][..], |v| &v[..]);
        let Some(me) = v.iter().find(|b| b.id == id) else {
            return true;
        };
        let mut me = *me;
        me.listening = true;
        !v.iter().any(|o| conflict(o, &me))
    }

    pub fn set_listening(&mut self, id: u64, on: bool) {
        let Some(k) = self.live_at.get(&id) else {
            return;
        };
        if let Some(v) = self.live.get_mut(k) {
            for b in v.iter_mut().filter(|b| b.id == id) {
                b.listening = on;
            }
        }
    }

    fn push(&mut self, b: Binding) {
        self.live.entry((b.proto, b.port)).or_default().push(b);
        self.live_at.insert(b.id, (b.proto, b.port));
    }

    /// Binds `b`; port 0 picks an ephemeral port. Returns the port.
    pub fn bind(&mut self, mut b: Binding, seed: u16) -> KResult<u16> {
        if b.port != 0 {
            if self.conflicts(&b) {
                return Err(Errno::EADDRINUSE);
            }
            self.push(b);
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
            let k = (b.proto, p);
            if !self.live.contains_key(&k) && !self.holds.contains_key(&k) {
                self.push(b);
                return Ok(p);
            }
        }
        Err(Errno::EADDRINUSE)
    }

    /// Keeps `b`'s port taken (a hold, with its own `b.id`) until `unbind(b.id)`.
    pub fn hold(&mut self, b: Binding) {
        let shape = Binding { id: 0, ..b };
        let v = self.holds.entry((b.proto, b.port)).or_default();
        match v.iter_mut().find(|(s, _)| *s == shape) {
            Some((_, n)) => *n += 1,
            None => v.push((shape, 1)),
        }
        self.hold_at.insert(b.id, shape);
    }

    /// Ends binding or hold `id`.
    pub fn unbind(&mut self, id: u64) {
        if let Some(k) = self.live_at.remove(&id) {
            if let Some(v) = self.live.get_mut(&k) {
                v.retain(|b| b.id != id);
                if v.is_empty() {
                    self.live.remove(&k);
                }
            }
        }
        if let Some(shape) = self.hold_at.remove(&id) {
            let k = (shape.proto, shape.port);
            if let Some(v) = self.holds.get_mut(&k) {
                if let Some(i) = v.iter().position(|(s, _)| *s == shape) {
                    v[i].1 -= 1;
                    if v[i].1 == 0 {
                        v.swap_remove(i);
                    }
                }
                if v.is_empty() {
                    self.holds.remove(&k);
                }
            }
        }
    }

    /// Live bindings and holds (for tests).
    #[cfg(test)]
    pub fn count(&self) -> (usize, usize) {
        (self.live_at.len(), self.hold_at.len())
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
        p.set_listening(1, true);
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
    fn holds_are_counted_by_shape_and_stop_binds_not_listens() {
        let mut p = Ports::default();
        let l = b(1, BindAddr::Any4, 90);
        p.bind(l, 0).unwrap();
        p.set_listening(1, true);
        for id in 100..1100 {
            p.hold(b(id, BindAddr::V4([127, 0, 0, 1]), 90));
        }
        assert_eq!(p.count(), (1, 1000));
        assert_eq!(p.holds.get(&(6, 90)).map(|v| v.len()), Some(1));
        p.unbind(1);
        // a hold stops a new bind of the port
        assert_eq!(p.bind(b(2, BindAddr::Any4, 90), 0), Err(Errno::EADDRINUSE));
        // SO_REUSEADDR on both sides lets a bind share a held port
        let mut r = b(3, BindAddr::Any4, 91);
        r.reuseaddr = true;
        let mut h = b(5000, BindAddr::V4([127, 0, 0, 1]), 91);
        h.reuseaddr = true;
        p.hold(h);
        assert_eq!(p.bind(r, 0), Ok(91));
        p.unbind(3);
        for id in 100..1099 {
            p.unbind(id);
        }
        assert_eq!(p.bind(b(2, BindAddr::Any4, 90), 0), Err(Errno::EADDRINUSE));
        p.unbind(1099);
        assert_eq!(p.count(), (0, 1));
        p.bind(b(2, BindAddr::Any4, 90), 0).unwrap();
        assert!(p.can_listen(2));
        // a held port is never picked as an ephemeral one
        let mut q = Ports::default();
        q.hold(b(7, BindAddr::V4([127, 0, 0, 1]), EPHEMERAL_LO));
        assert_ne!(q.bind(b(8, BindAddr::Any4, 0), 0), Ok(EPHEMERAL_LO));
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
