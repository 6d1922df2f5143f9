//! Host tests of unix sockets, on an in-memory "file system" of socket nodes.

use super::*;
use crate::addr::SockAddr;
use crate::socket::{int_val, opt, Cmsg, FileRef, RecvInfo};
use alloc::vec;
use core::sync::atomic::AtomicU64;
use rill_vfs::file::poll::*;
use rill_vfs::IoEvents;
use std::collections::BTreeMap as Map;

#[derive(Default)]
struct MemFs {
    /// path -> (key, is a socket node)
    nodes: Mutex<Map<Vec<u8>, (NodeKey, bool)>>,
    next: AtomicU64,
}

impl MemFs {
    fn unlink(&self, p: &[u8]) {
        self.nodes.lock().remove(p);
    }
    fn add_file(&self, p: &[u8]) {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.nodes.lock().insert(p.to_vec(), ((7, n), false));
    }
}

impl UnixFs for MemFs {
    fn bind(&self, path: &[u8]) -> KResult<NodeKey> {
        let mut t = self.nodes.lock();
        if t.contains_key(path) {
            return Err(Errno::EADDRINUSE);
        }
        let k = (7, self.next.fetch_add(1, Ordering::Relaxed));
        t.insert(path.to_vec(), (k, true));
        Ok(k)
    }
    fn lookup(&self, path: &[u8]) -> KResult<NodeKey> {
        match self.nodes.lock().get(path) {
            None => Err(Errno::ENOENT),
            Some((_, false)) => Err(Errno::ECONNREFUSED),
            Some((k, true)) => Ok(*k),
        }
    }
}

fn setup() -> (Arc<MemFs>, Arc<Namespace>) {
    let fs = Arc::new(MemFs::default());
    let ns = Namespace::new(fs.clone());
    (fs, ns)
}

const ME: Cred = Cred {
    pid: 42,
    uid: 1000,
    gid: 100,
};
const OTHER: Cred = Cred {
    pid: 43,
    uid: 1001,
    gid: 101,
};

fn path(p: &str) -> SockAddr {
    SockAddr::Unix(UnixAddr::Path(p.as_bytes().to_vec()))
}
fn abs(p: &str) -> SockAddr {
    SockAddr::Unix(UnixAddr::Abstract(p.as_bytes().to_vec()))
}
fn send(s: &UnixSocket, d: &[u8]) -> KResult<usize> {
    s.send(d, None, Vec::new(), 0, ME)
}
fn recv(s: &UnixSocket, n: usize) -> KResult<Vec<u8>> {
    let mut b = vec![0; n];
    let r = s.recv(&mut b, 0)?;
    b.truncate(r.len);
    Ok(b)
}
fn recv_info(s: &UnixSocket, n: usize, flags: i32) -> KResult<(Vec<u8>, RecvInfo)> {
    let mut b = vec![0; n];
    let r = s.recv(&mut b, flags)?;
    b.truncate(r.len);
    Ok((b, r))
}
fn ev(s: &UnixSocket) -> IoEvents {
    s.poll(!0, None)
}
fn listener(ns: &Arc<Namespace>, ty: i32, a: &SockAddr, backlog: i32) -> Arc<UnixSocket> {
    let l = ns.create(ty, 0).unwrap();
    l.bind(a).unwrap();
    l.listen(backlog, OTHER).unwrap();
    l
}
fn accept(l: &UnixSocket) -> (Arc<UnixSocket>, SockAddr) {
    l.accept_unix().unwrap()
}

#[test]
fn create_rules() {
    let (_, ns) = setup();
    assert_eq!(ns.create(STREAM, 2).err(), Some(Errno::EPROTONOSUPPORT));
    assert_eq!(ns.create(4, 0).err(), Some(Errno::ESOCKTNOSUPPORT));
    assert_eq!(ns.create(RAW, PF_UNIX).unwrap().sock_type(), DGRAM);
    let s = ns.create(STREAM, 0).unwrap();
    assert_eq!(s.local_addr(), Ok(SockAddr::Unix(UnixAddr::Unnamed)));
    assert_eq!(s.peer_addr(), Err(Errno::ENOTCONN));
    // a fresh stream socket: writable and hung up, as Linux
    assert_eq!(ev(&s), POLLOUT | POLLWRNORM | 0x200 | POLLHUP);
    let d = ns.create(DGRAM, 0).unwrap();
    assert_eq!(ev(&d), POLLOUT | POLLWRNORM | 0x200);
    assert_eq!(recv(&s, 4).err(), Some(Errno::EINVAL));
    assert_eq!(send(&s, b"x").err(), Some(Errno::ENOTCONN));
    assert_eq!(send(&d, b"x").err(), Some(Errno::ENOTCONN));
    assert_eq!(recv(&d, 4).err(), Some(Errno::EAGAIN));
    let q = ns.create(SEQPACKET, 0).unwrap();
    assert_eq!(recv(&q, 4).err(), Some(Errno::ENOTCONN));
    assert_eq!(send(&q, b"x").err(), Some(Errno::ENOTCONN));
    assert_eq!(d.listen(1, ME), Err(Errno::EOPNOTSUPP));
    assert_eq!(s.listen(1, ME), Err(Errno::EINVAL), "unbound");
}

#[test]
fn stream_connect_accept_echo() {
    let (fs, ns) = setup();
    let l = listener(&ns, STREAM, &path("/s"), 1);
    assert_eq!(
        ev(&l) & (POLLIN | POLLOUT),
        0,
        "a listener is neither readable nor writable"
    );
    assert_eq!(l.accept().err(), Some(Errno::EAGAIN));
    let c = ns.create(STREAM, 0).unwrap();
    assert_eq!(c.connect(&path("/nope"), ME), Err(Errno::ENOENT));
    c.connect(&path("/s"), ME).unwrap();
    assert_eq!(c.connect(&path("/s"), ME), Err(Errno::EISCONN));
    assert_eq!(ev(&l) & POLLIN, POLLIN);
    // data may flow before the accept
    assert_eq!(send(&c, b"hello"), Ok(5));
    let (a, peer) = accept(&l);
    assert_eq!(peer, SockAddr::Unix(UnixAddr::Unnamed));
    assert_eq!(a.local_addr(), Ok(path("/s")), "shares the listener's name");
    assert_eq!(c.peer_addr(), Ok(path("/s")));
    assert_eq!(a.peer_addr(), Ok(SockAddr::Unix(UnixAddr::Unnamed)));
    assert_eq!(recv(&a, 3).unwrap(), b"hel");
    assert_eq!(recv(&a, 10).unwrap(), b"lo");
    assert_eq!(recv(&a, 10).err(), Some(Errno::EAGAIN));
    assert_eq!(send(&a, b"back"), Ok(4));
    assert_eq!(recv(&c, 10).unwrap(), b"back");
    // SO_PEERCRED: the connector's at connect for the server end, the listener's at
    // listen for the client
    let pc = |s: &UnixSocket| s.getsockopt(opt::SOL_SOCKET, opt::SO_PEERCRED).unwrap();
    assert_eq!(pc(&a)[..4], 42i32.to_ne_bytes());
    assert_eq!(pc(&c)[..4], 43i32.to_ne_bytes());
    assert_eq!(pc(&l)[..4], 43i32.to_ne_bytes());
    let acc = |s: &UnixSocket| s.getsockopt(opt::SOL_SOCKET, opt::SO_ACCEPTCONN).unwrap();
    assert_eq!((acc(&l), acc(&a)), (int_val(1), int_val(0)));
    // a second name on the same path
    let l2 = ns.create(STREAM, 0).unwrap();
    assert_eq!(l2.bind(&path("/s")), Err(Errno::EADDRINUSE));
    assert_eq!(l.bind(&path("/t")), Err(Errno::EINVAL), "already bound");
    // the wrong type
    let q = ns.create(SEQPACKET, 0).unwrap();
    assert_eq!(q.connect(&path("/s"), ME), Err(Errno::EPROTOTYPE));
    // a regular file
    fs.add_file(b"/f");
    assert_eq!(q.connect(&path("/f"), ME), Err(Errno::ECONNREFUSED));
    // unlink: the name is gone, the connection keeps working
    fs.unlink(b"/s");
    let c2 = ns.create(STREAM, 0).unwrap();
    assert_eq!(c2.connect(&path("/s"), ME), Err(Errno::ENOENT));
    assert_eq!(send(&c, b"x"), Ok(1));
    assert_eq!(recv(&a, 10).unwrap(), b"x");
}

#[test]
fn backlog_and_refused_after_close() {
    let (_, ns) = setup();
    let l = listener(&ns, STREAM, &path("/s"), 0);
    let c1 = ns.create(STREAM, 0).unwrap();
    let c2 = ns.create(STREAM, 0).unwrap();
    c1.connect(&path("/s"), ME).unwrap();
    assert_eq!(
        c2.connect(&path("/s"), ME),
        Err(Errno::EAGAIN),
        "backlog 0 takes one"
    );
    assert_eq!(
        ev(&c2) & POLLOUT,
        0,
        "a connect waiting for room is not writable"
    );
    let (a1, _) = accept(&l);
    assert_eq!(ev(&c2) & POLLOUT, POLLOUT, "room again");
    c2.connect(&path("/s"), ME).unwrap();
    // the listener closes with c2 still queued: c2 is reset
    l.close();
    assert_eq!(ev(&c2) & (POLLERR | POLLHUP), POLLERR | POLLHUP);
    assert_eq!(recv(&c2, 4).err(), Some(Errno::ECONNRESET));
    assert_eq!(recv(&c2, 4).map(|v| v.len()), Ok(0));
    let c3 = ns.create(STREAM, 0).unwrap();
    assert_eq!(
        c3.connect(&path("/s"), ME),
        Err(Errno::ECONNREFUSED),
        "node left, nobody listens"
    );
    // a1 still works with c1
    assert_eq!(send(&c1, b"ok"), Ok(2));
    assert_eq!(recv(&a1, 4).unwrap(), b"ok");
}

#[test]
fn peer_close_eof_epipe_and_poll() {
    let (_, ns) = setup();
    let (a, b) = pair_unix(&ns, STREAM, 0, ME).unwrap();
    let base = POLLOUT | POLLWRNORM | 0x200;
    assert_eq!(ev(&a), base);
    send(&b, b"zz").unwrap();
    assert_eq!(ev(&a), base | POLLIN | POLLRDNORM);
    let mut n = [0u8; 4];
    let mut io = TestIo(Vec::new());
    a.ioctl(0x541B, 0, &mut io).unwrap();
    n.copy_from_slice(&io.0[..4]);
    assert_eq!(i32::from_ne_bytes(n), 2, "FIONREAD");
    b.ioctl(0x5411, 0, &mut io).unwrap();
    assert!(
        i32::from_ne_bytes([io.0[4], io.0[5], io.0[6], io.0[7]]) > 0,
        "SIOCOUTQ"
    );
    // b closes with nothing unread on its side: a reads the data, then EOF
    b.close();
    assert_eq!(ev(&a), base | POLLIN | POLLRDNORM | POLLHUP | POLLRDHUP);
    assert_eq!(recv(&a, 10).unwrap(), b"zz");
    assert_eq!(recv(&a, 10).unwrap(), b"");
    assert_eq!(send(&a, b"x").err(), Some(Errno::EPIPE));
    assert!(epipe_raises_sigpipe(&*a));
    // closing with unread data resets the peer
    let (c, d) = pair_unix(&ns, STREAM, 0, ME).unwrap();
    send(&c, b"unread").unwrap();
    d.close();
    assert_eq!(ev(&c) & POLLERR, POLLERR);
    assert_eq!(c.take_error(), Some(Errno::ECONNRESET));
    assert_eq!(recv(&c, 4).map(|v| v.len()), Ok(0));
}

struct TestIo(Vec<u8>);
impl rill_vfs::UserIo for TestIo {
    fn read(&mut self, _addr: u64, _buf: &mut [u8]) -> KResult<()> {
        Err(Errno::EFAULT)
    }
    fn write(&mut self, _addr: u64, data: &[u8]) -> KResult<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }
}

#[test]
fn shutdown_semantics() {
    let (_, ns) = setup();
    let (a, b) = pair_unix(&ns, STREAM, 0, ME).unwrap();
    let out = POLLOUT | POLLWRNORM | 0x200;
    a.shutdown(1).unwrap(); // SHUT_WR
    assert_eq!(send(&a, b"x").err(), Some(Errno::EPIPE));
    assert_eq!(ev(&b), out | POLLIN | POLLRDNORM | POLLRDHUP);
    assert_eq!(recv(&b, 4).unwrap(), b"");
    assert_eq!(ev(&a), out);
    send(&b, b"still").unwrap();
    assert_eq!(recv(&a, 8).unwrap(), b"still");
    a.shutdown(0).unwrap(); // SHUT_RD: now both ways
    assert_eq!(ev(&a), out | POLLIN | POLLRDNORM | POLLRDHUP | POLLHUP);
    assert_eq!(send(&b, b"x").err(), Some(Errno::EPIPE));
    assert_eq!(a.shutdown(3), Err(Errno::EINVAL));
    // unconnected: allowed, as Linux
    let s = ns.create(STREAM, 0).unwrap();
    assert_eq!(s.shutdown(2), Ok(()));
    // datagram shutdown is one-sided
    let (x, y) = pair_unix(&ns, DGRAM, 0, ME).unwrap();
    x.shutdown(1).unwrap();
    assert_eq!(send(&x, b"x").err(), Some(Errno::EPIPE));
    assert!(!epipe_raises_sigpipe(&*x));
    assert_eq!(ev(&y), out);
    y.shutdown(0).unwrap();
    assert_eq!(x.send(b"x", None, Vec::new(), 0, ME), Err(Errno::EPIPE));
}

#[test]
fn seqpacket_boundaries_and_trunc() {
    let (_, ns) = setup();
    let (a, b) = pair_unix(&ns, SEQPACKET, 0, ME).unwrap();
    send(&a, b"hello").unwrap();
    send(&a, b"world!").unwrap();
    send(&a, b"").unwrap();
    let (d, r) = recv_info(&b, 3, 0).unwrap();
    assert_eq!((&d[..], r.full_len, r.flags), (&b"hel"[..], 5, 0x20));
    let (d, r) = recv_info(&b, 3, 0x2 /* PEEK */).unwrap();
    assert_eq!((&d[..], r.full_len), (&b"wor"[..], 6));
    assert_eq!(recv(&b, 64).unwrap(), b"world!");
    assert_eq!(recv(&b, 64).unwrap(), b"", "an empty record");
    assert_eq!(recv(&b, 64).err(), Some(Errno::EAGAIN));
    a.close();
    assert_eq!(recv(&b, 64).unwrap(), b"", "EOF");
    assert_eq!(send(&b, b"x").err(), Some(Errno::EPIPE));
    assert_eq!(
        ev(&b) & (POLLHUP | POLLRDHUP | POLLIN),
        POLLHUP | POLLRDHUP | POLLIN
    );
}

#[test]
fn dgram_names_queue_limit_and_refused() {
    let (_, ns) = setup();
    let r = ns.create(DGRAM, 0).unwrap();
    r.bind(&abs("srv")).unwrap();
    let s = ns.create(DGRAM, 0).unwrap();
    assert_eq!(
        s.send(b"x", Some(&abs("none")), Vec::new(), 0, ME),
        Err(Errno::ECONNREFUSED)
    );
    // abstract names are per type
    let t = ns.create(STREAM, 0).unwrap();
    t.bind(&abs("srv")).unwrap();
    let r2 = ns.create(DGRAM, 0).unwrap();
    assert_eq!(r2.bind(&abs("srv")), Err(Errno::EADDRINUSE));
    // an unbound sender: no address
    assert_eq!(s.send(b"one", Some(&abs("srv")), Vec::new(), 0, ME), Ok(3));
    let (d, i) = recv_info(&r, 10, 0).unwrap();
    assert_eq!((&d[..], i.addr), (&b"one"[..], None));
    // autobind: five hex digits
    s.bind(&SockAddr::Unix(UnixAddr::Unnamed)).unwrap();
    let SockAddr::Unix(UnixAddr::Abstract(n)) = s.local_addr().unwrap() else {
        panic!("not autobound")
    };
    assert_eq!(n.len(), 5);
    assert!(n.iter().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(
        s.bind(&SockAddr::Unix(UnixAddr::Unnamed)),
        Ok(()),
        "again: no-op"
    );
    s.send(b"two", Some(&abs("srv")), Vec::new(), 0, ME)
        .unwrap();
    let (_, i) = recv_info(&r, 1, 0).unwrap();
    assert_eq!(i.addr, Some(s.local_addr().unwrap()));
    assert_eq!((i.len, i.full_len, i.flags), (1, 3, 0x20));
    // the queue limit: 10 + 1, then EAGAIN until the receiver reads
    s.connect(&abs("srv"), ME).unwrap();
    let mut sent = 0;
    while send(&s, b"q").is_ok() {
        sent += 1;
    }
    assert_eq!(sent, MAX_DGRAM_QLEN + 1);
    assert_eq!(send(&s, b"q").err(), Some(Errno::EAGAIN));
    assert_eq!(ev(&s) & POLLOUT, 0);
    recv(&r, 1).unwrap();
    assert_eq!(ev(&s) & POLLOUT, POLLOUT);
    assert_eq!(send(&s, b"q"), Ok(1));
    // too big for the send buffer
    let big = vec![0u8; 212_992 - 31];
    assert_eq!(s.send(&big, None, Vec::new(), 0, ME), Err(Errno::EMSGSIZE));
    // the receiver closes: ECONNREFUSED once, then not connected
    r.close();
    assert_eq!(send(&s, b"q").err(), Some(Errno::ECONNREFUSED));
    assert_eq!(send(&s, b"q").err(), Some(Errno::ENOTCONN));
    // a socket connected elsewhere refuses strangers
    let (p, _q) = pair_unix(&ns, DGRAM, 0, ME).unwrap();
    p.bind(&path("/p")).unwrap();
    let z = ns.create(DGRAM, 0).unwrap();
    assert_eq!(
        z.send(b"x", Some(&path("/p")), Vec::new(), 0, ME),
        Err(Errno::EPERM)
    );
    assert_eq!(z.connect(&path("/p"), ME), Err(Errno::EPERM));
}

struct Tracked(Arc<AtomicU64>);
impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn file(drops: &Arc<AtomicU64>) -> FileRef {
    Arc::new(Tracked(drops.clone()))
}

fn rights_of(i: &RecvInfo) -> usize {
    i.cmsgs
        .iter()
        .map(|c| match c {
            Cmsg::Rights(v) => v.len(),
            _ => 0,
        })
        .sum()
}

#[test]
fn scm_rights_ride_with_their_data() {
    let (_, ns) = setup();
    let drops = Arc::new(AtomicU64::new(0));
    let (a, b) = pair_unix(&ns, STREAM, 0, ME).unwrap();
    send(&a, b"ab").unwrap();
    a.send(
        b"cd",
        None,
        vec![Cmsg::Rights(vec![file(&drops), file(&drops)])],
        0,
        ME,
    )
    .unwrap();
    send(&a, b"ef").unwrap();
    // a read takes the data before the rights and the rights' own data, no further
    let (d, i) = recv_info(&b, 10, 0x2).unwrap();
    assert_eq!((&d[..], rights_of(&i)), (&b"abcd"[..], 2), "peek too");
    drop(i);
    let (d, i) = recv_info(&b, 10, 0).unwrap();
    assert_eq!((&d[..], rights_of(&i)), (&b"abcd"[..], 2));
    drop(i);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    let (d, i) = recv_info(&b, 10, 0).unwrap();
    assert_eq!((&d[..], rights_of(&i)), (&b"ef"[..], 0));
    // too many
    let many: Vec<FileRef> = (0..254).map(|_| file(&drops)).collect();
    assert_eq!(
        a.send(b"x", None, vec![Cmsg::Rights(many)], 0, ME),
        Err(Errno::EINVAL)
    );
    assert_eq!(drops.load(Ordering::SeqCst), 256);
    // files in flight are released when the receiver closes
    a.send(b"x", None, vec![Cmsg::Rights(vec![file(&drops)])], 0, ME)
        .unwrap();
    b.close();
    assert_eq!(drops.load(Ordering::SeqCst), 257);
    // datagrams carry them too
    let (x, y) = pair_unix(&ns, DGRAM, 0, ME).unwrap();
    x.send(b"d", None, vec![Cmsg::Rights(vec![file(&drops)])], 0, ME)
        .unwrap();
    let (_, i) = recv_info(&y, 10, 0).unwrap();
    assert_eq!(rights_of(&i), 1);
}

#[test]
fn credentials() {
    let (_, ns) = setup();
    let (a, b) = pair_unix(&ns, STREAM, 0, ME).unwrap();
    let creds = |i: &RecvInfo| {
        i.cmsgs.iter().find_map(|c| match c {
            Cmsg::Credentials(c) => Some(*c),
            _ => None,
        })
    };
    send(&a, b"1").unwrap();
    let (_, i) = recv_info(&b, 10, 0).unwrap();
    assert_eq!(creds(&i), None, "no SO_PASSCRED");
    b.setsockopt(opt::SOL_SOCKET, opt::SO_PASSCRED, &int_val(1))
        .unwrap();
    assert_eq!(
        b.getsockopt(opt::SOL_SOCKET, opt::SO_PASSCRED),
        Ok(int_val(1))
    );
    a.send(b"2", None, Vec::new(), 0, ME).unwrap();
    a.send(b"3", None, Vec::new(), 0, OTHER).unwrap();
    let (d, i) = recv_info(&b, 10, 0).unwrap();
    assert_eq!(
        (&d[..], creds(&i)),
        (&b"2"[..], Some(ME)),
        "writers are not glued"
    );
    let (d, i) = recv_info(&b, 10, 0).unwrap();
    assert_eq!((&d[..], creds(&i)), (&b"3"[..], Some(OTHER)));
    // explicit credentials: one's own, or EPERM
    assert_eq!(
        a.send(b"x", None, vec![Cmsg::Credentials(OTHER)], 0, ME),
        Err(Errno::EPERM)
    );
    a.send(b"x", None, vec![Cmsg::Credentials(ME)], 0, ME)
        .unwrap();
    let root = Cred {
        pid: 1,
        uid: 0,
        gid: 0,
    };
    a.send(b"y", None, vec![Cmsg::Credentials(OTHER)], 0, root)
        .unwrap();
    let (_, i) = recv_info(&b, 1, 0).unwrap();
    assert_eq!(creds(&i), Some(ME));
    let (_, i) = recv_info(&b, 1, 0).unwrap();
    assert_eq!(creds(&i), Some(OTHER), "root may claim others'");
    // socketpair: SO_PEERCRED is the creator's
    let pc = b.getsockopt(opt::SOL_SOCKET, opt::SO_PEERCRED).unwrap();
    assert_eq!(pc[..4], 42i32.to_ne_bytes());
    let s = ns.create(STREAM, 0).unwrap();
    let pc = s.getsockopt(opt::SOL_SOCKET, opt::SO_PEERCRED).unwrap();
    assert_eq!(pc, [0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255]);
}

#[test]
fn options_and_proc() {
    let (_, ns) = setup();
    let s = ns.create(STREAM, 0).unwrap();
    let get = |n| s.getsockopt(opt::SOL_SOCKET, n).unwrap();
    assert_eq!(get(opt::SO_SNDBUF), int_val(212_992));
    s.setsockopt(opt::SOL_SOCKET, opt::SO_SNDBUF, &int_val(65536))
        .unwrap();
    assert_eq!(get(opt::SO_SNDBUF), int_val(131_072), "doubled");
    s.setsockopt(opt::SOL_SOCKET, opt::SO_SNDBUF, &int_val(1))
        .unwrap();
    assert_eq!(get(opt::SO_SNDBUF), int_val(4608));
    s.setsockopt(opt::SOL_SOCKET, opt::SO_RCVBUF, &int_val(1))
        .unwrap();
    assert_eq!(get(opt::SO_RCVBUF), int_val(2304));
    assert_eq!(
        s.setsockopt(opt::SOL_SOCKET, opt::SO_SNDBUF, &[1, 0]),
        Err(Errno::EINVAL)
    );
    assert_eq!(s.getsockopt(opt::SOL_SOCKET, 9999), Err(Errno::ENOPROTOOPT));
    assert_eq!(s.getsockopt(6, 1), Err(Errno::EOPNOTSUPP));
    s.setsockopt(opt::SOL_SOCKET, opt::SO_KEEPALIVE, &int_val(7))
        .unwrap();
    assert_eq!(get(opt::SO_KEEPALIVE), int_val(1));
    s.bind(&path("/x")).unwrap();
    s.listen(5, ME).unwrap();
    set_inode(&*s, 1234);
    let (_a, _b) = pair_unix(&ns, DGRAM, 0, ME).unwrap();
    let l = ns.sockets();
    assert_eq!(l.len(), 3);
    let me = l.iter().find(|i| i.inode == 1234).unwrap();
    assert!(me.listening);
    assert_eq!(me.path.as_deref(), Some(&b"/x"[..]));
    assert_eq!(l.iter().filter(|i| i.state == 3).count(), 2);
    s.close();
    assert_eq!(ns.sockets().len(), 2);
}
