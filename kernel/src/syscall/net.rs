//! Socket syscalls: socket, socketpair, bind, connect, listen, accept4, the send and
//! receive family (with `msghdr`, control messages, `sendmmsg`/`recvmmsg`), options,
//! shutdown and names. Everything here is copying between user memory and the
//! `rill_net::Socket` of the descriptor, and waiting: sockets never block themselves
//! (they return EAGAIN, or EINPROGRESS for a connection being made), so this file
//! waits on their readiness with the socket's `SO_RCVTIMEO`/`SO_SNDTIMEO` and asks again.
use super::fs::{file, install_fd};
use super::SysResult;
use crate::task::current;
use crate::uaccess::*;
use alloc::sync::Arc;
use alloc::vec::Vec;
use rill_abi::{Errno, KResult};
use rill_net::cmsg::{self, RawCmsg};
use rill_net::socket::{
    Cmsg, Cred, FileRef, MSG_CMSG_CLOEXEC, MSG_CTRUNC, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_PEEK,
    MSG_TRUNC, MSG_WAITALL, SCM_CREDENTIALS, SCM_RIGHTS, SOCK_SEQPACKET, SOCK_STREAM,
};
use rill_net::{SockAddr, SocketFile};
use rill_vfs::flags::{O_CLOEXEC, O_NONBLOCK, O_RDWR};
use rill_vfs::poll::{POLLERR, POLLHUP, POLLIN, POLLOUT};
use rill_vfs::{FileLike, OpenFile};

/// `sizeof(struct sockaddr_storage)`: longer addresses are EINVAL.
const SOCKADDR_MAX: usize = 128;
/// Linux's `UIO_MAXIOV`: the most iovecs (and `mmsghdr`s) one call takes.
const UIO_MAXIOV: u64 = 1024;
/// One send or receive moves at most this much (Linux's MAX_RW_COUNT is larger; a
/// bound keeps a single kernel buffer reasonable, and a stream send returns a short
/// count as Linux may).
const IO_MAX: usize = 16 << 20;
/// `net.core.optmem_max`: the largest control buffer `sendmsg` takes (ENOBUFS beyond).
const OPTMEM_MAX: usize = 20480;
/// `net.core.somaxconn`: listen backlogs are clamped to it.
pub const SOMAXCONN: i32 = 4096;
/// The most files one SCM_RIGHTS message carries (Linux's SCM_MAX_FD).
const SCM_MAX_FD: usize = 253;
const SOL_SOCKET: i32 = 1;
const MSG_WAITFORONE: i32 = 0x10000;
const MSG_ERRQUEUE: i32 = 0x2000;

const WAIT_IN: u32 = POLLIN | POLLHUP | POLLERR;
const WAIT_OUT: u32 = POLLOUT | POLLHUP | POLLERR;

/// The socket behind `fd` (ENOTSOCK for any other file).
fn sock_file(fd: i32) -> KResult<Arc<OpenFile>> {
    let f = file(fd)?;
    if socket_of(&f).is_none() {
        return Err(Errno::ENOTSOCK);
    }
    Ok(f)
}

/// The `SocketFile` of an open file, if it is a socket.
pub fn socket_of(f: &OpenFile) -> Option<&SocketFile> {
    f.ops.as_ref()?.as_any().downcast_ref::<SocketFile>()
}

/// Runs `f`, a call on `sf` made with no lock held but the big kernel lock: for an
/// inet socket, as `net::inet::outside_ok` (its stack's poll may let go of the big
/// lock meanwhile). Not for the other families: a unix socket's call can drop the
/// last reference to a passed file (an inet socket's, whose close polls) under the
/// unix socket's own lock.
fn outside_ok<T>(sf: &SocketFile, f: impl FnOnce() -> T) -> T {
    if is_inet(sf) {
        crate::net::inet::outside_ok(f)
    } else {
        f()
    }
}

/// An AF_INET or AF_INET6 socket.
fn is_inet(sf: &SocketFile) -> bool {
    matches!(
        sf.sock.domain() as u16,
        rill_abi::consts::AF_INET | rill_abi::consts::AF_INET6
    )
}

/// Drops a file taken out of the fd table by close(2), with no lock held: when it
/// is the last reference to an inet socket, its close (which polls the stack) runs
/// as [`outside_ok`]. Not for other files: a unix socket or an epoll file can drop
/// other files under its own lock.
pub fn drop_file(f: Arc<OpenFile>) {
    if socket_of(&f).is_some_and(is_inet) {
        crate::net::inet::outside_ok(move || drop(f));
    } else {
        drop(f);
    }
}

fn sock(f: &Arc<OpenFile>) -> KResult<&SocketFile> {
    socket_of(f).ok_or(Errno::ENOTSOCK)
}

/// The caller's credentials as sockets report them (tgid, euid, egid: Linux's
/// `cred_to_ucred`).
fn cred() -> Cred {
    let p = current().process();
    let c = p.creds();
    Cred {
        pid: p.pid as i32,
        uid: c.euid,
        gid: c.egid,
    }
}

/// Waits for `events` on a socket and retries `op` while it gives EAGAIN (unless
/// `nonblock`). `timeout` is the socket's SO_RCVTIMEO/SO_SNDTIMEO: when it passes the
/// call gives EAGAIN, and a signal then gives EINTR instead of a restart (Linux's
/// `sock_intr_errno`).
pub fn wait_retry<T>(
    sf: &SocketFile,
    events: u32,
    nonblock: bool,
    timeout: Option<u64>,
    mut op: impl FnMut() -> KResult<T>,
) -> KResult<T> {
    let deadline = timeout.map(|t| crate::time::now_ns().saturating_add(t));
    loop {
        match op() {
            Err(Errno::EAGAIN) if !nonblock => {
                let r = crate::task::wait::wait_poll(true, deadline, |p| {
                    (sf.poll(events, Some(p)) & events != 0).then_some(())
                });
                match r {
                    Ok(()) => {}
                    Err(Errno::ETIMEDOUT) => return Err(Errno::EAGAIN),
                    Err(Errno::ERESTARTSYS) if timeout.is_some() => return Err(Errno::EINTR),
                    Err(e) => return Err(e),
                }
            }
            r => return r,
        }
    }
}

fn raise_sigpipe() {
    let t = current();
    crate::signal::send_to_task(
        &t,
        crate::signal::SIGPIPE,
        rill_abi::types::SigInfo::kill(13, 0, t.process().pid as i32, 0),
    );
}

/// The `addrlen` bytes of a socket address argument (EINVAL over `SOCKADDR_MAX`).
fn read_addr_bytes(addr: u64, len: u32) -> KResult<Vec<u8>> {
    if len as usize > SOCKADDR_MAX {
        return Err(Errno::EINVAL);
    }
    read_bytes(addr, len as usize)
}

/// Reads a socket address argument (`addrlen` bytes at `addr`).
fn read_addr(addr: u64, len: u32) -> KResult<SockAddr> {
    SockAddr::parse(&read_addr_bytes(addr, len)?)
}

/// Reads a sendto/sendmsg destination: as [`read_addr`], for `f`'s socket
/// ([`SockAddr::parse_dest`]: AF_UNSPEC is AF_INET on an AF_INET datagram socket).
fn read_dest(f: &OpenFile, addr: u64, len: u32) -> KResult<SockAddr> {
    let Some(sf) = socket_of(f) else {
        return read_addr(addr, len);
    };
    let b = read_addr_bytes(addr, len)?;
    let s = &sf.sock;
    SockAddr::parse_dest(&b, s.domain(), s.sock_type(), s.protocol())
}

/// Stores an address for accept/getsockname/recvfrom: as much as `*lenp` allows, and
/// the full length in `*lenp` (Linux's `move_addr_to_user`).
fn write_addr(a: &SockAddr, addr: u64, lenp: u64) -> KResult<()> {
    if addr == 0 || lenp == 0 {
        return Ok(());
    }
    let len = read_i32(lenp)?;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let b = a.to_bytes();
    let n = b.len().min(len as usize);
    if n > 0 {
        write_bytes(addr, &b[..n])?;
    }
    write_i32(lenp, b.len() as i32)
}

fn new_socket_file(s: Arc<dyn rill_net::Socket>, nonblock: bool) -> Arc<OpenFile> {
    let sf = SocketFile::new(s);
    rill_net::unix::set_inode(&*sf.sock, sf.ino);
    rill_net::inet::set_inode(&*sf.sock, sf.ino);
    let name = alloc::format!("socket:[{}]", sf.ino).into_bytes();
    OpenFile::new(
        None,
        Some(sf),
        name,
        O_RDWR | if nonblock { O_NONBLOCK } else { 0 },
    )
}

/// Splits `type` into the socket type and its SOCK_NONBLOCK/SOCK_CLOEXEC flags.
fn split_type(ty: i32) -> KResult<(i32, bool, bool)> {
    let flags = (ty as u32) & !0xf;
    if flags & !(O_NONBLOCK | O_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    Ok((ty & 0xf, flags & O_NONBLOCK != 0, flags & O_CLOEXEC != 0))
}

pub fn socket(domain: i32, ty: i32, protocol: i32) -> SysResult {
    let (ty, nb, cloexec) = split_type(ty)?;
    let s = crate::net::create(domain, ty, protocol)?;
    install_fd(new_socket_file(s, nb), cloexec).map(|fd| fd as u64)
}

pub fn socketpair(domain: i32, ty: i32, protocol: i32, sv: u64) -> SysResult {
    let (ty, nb, cloexec) = split_type(ty)?;
    let (a, b) = match domain as u16 {
        rill_abi::consts::AF_UNIX => crate::net::unix::pair(ty, protocol)?,
        rill_abi::consts::AF_INET | rill_abi::consts::AF_INET6 => {
            // Linux checks the type and protocol first (socket creation), then says
            // the family cannot make pairs
            crate::net::create(domain, ty, protocol)?;
            return Err(Errno::EOPNOTSUPP);
        }
        _ => {
            crate::net::create(domain, ty, protocol)?;
            return Err(Errno::EOPNOTSUPP);
        }
    };
    let fa = install_fd(new_socket_file(a, nb), cloexec)?;
    let fb = match install_fd(new_socket_file(b, nb), cloexec) {
        Ok(fb) => fb,
        Err(e) => {
            let _ = current().process().files().lock().close(fa);
            return Err(e);
        }
    };
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&fa.to_ne_bytes());
    out[4..].copy_from_slice(&fb.to_ne_bytes());
    if let Err(e) = write_bytes(sv, &out) {
        let files = current().process().files();
        let mut ft = files.lock();
        let _ = ft.close(fa);
        let _ = ft.close(fb);
        return Err(e);
    }
    Ok(0)
}

pub fn bind(fd: i32, addr: u64, len: u32) -> SysResult {
    let f = sock_file(fd)?;
    let s = &sock(&f)?.sock;
    if len as usize > SOCKADDR_MAX {
        return Err(Errno::EINVAL);
    }
    let a = SockAddr::parse_bind(&read_bytes(addr, len as usize)?, s.domain())?;
    s.bind(&a)?;
    Ok(0)
}

pub fn connect(fd: i32, addr: u64, len: u32) -> SysResult {
    let f = sock_file(fd)?;
    let sf = sock(&f)?;
    let a = SockAddr::parse_connect(
        &read_addr_bytes(addr, len)?,
        sf.sock.domain(),
        sf.sock.sock_type(),
    )?;
    let nonblock = f.nonblocking();
    let c = cred();
    // EAGAIN: a unix listener's backlog is full; a blocking connect waits for room
    let r = wait_retry(sf, WAIT_OUT, nonblock, sf.snd_timeout(), || {
        outside_ok(sf, || sf.sock.connect(&a, c))
    });
    match r {
        Err(Errno::EINPROGRESS) if !nonblock => {
            let deadline = sf
                .snd_timeout()
                .map(|t| crate::time::now_ns().saturating_add(t));
            let w = crate::task::wait::wait_poll(true, deadline, |p| {
                (sf.poll(WAIT_OUT, Some(p)) & WAIT_OUT != 0).then_some(())
            });
            match w {
                // as Linux's __inet_stream_connect after the wait: connect again
                // gives the result (0, or the error, leaving the socket unconnected)
                Ok(()) => outside_ok(sf, || sf.sock.connect(&a, c)).map(|_| 0),
                // the connection goes on in the background, as on Linux
                Err(Errno::ETIMEDOUT) => Err(Errno::EINPROGRESS),
                Err(Errno::ERESTARTSYS) if sf.snd_timeout().is_some() => Err(Errno::EINTR),
                Err(e) => Err(e),
            }
        }
        Err(Errno::EAGAIN) if !nonblock => Err(Errno::EAGAIN),
        r => r.map(|_| 0),
    }
}

pub fn listen(fd: i32, backlog: i32) -> SysResult {
    let f = sock_file(fd)?;
    // Linux: `if ((unsigned int)backlog > somaxconn) backlog = somaxconn`
    let backlog = if (backlog as u32) > SOMAXCONN as u32 {
        SOMAXCONN
    } else {
        backlog
    };
    let sf = sock(&f)?;
    let c = cred();
    outside_ok(sf, || sf.sock.listen(backlog, c))?;
    Ok(0)
}

pub fn accept4(fd: i32, addr: u64, lenp: u64, flags: u32) -> SysResult {
    if flags & !(O_NONBLOCK | O_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    let f = sock_file(fd)?;
    let sf = sock(&f)?;
    if addr != 0 && lenp != 0 && read_i32(lenp)? < 0 {
        return Err(Errno::EINVAL);
    }
    let (s, peer) = wait_retry(sf, WAIT_IN, f.nonblocking(), sf.rcv_timeout(), || {
        outside_ok(sf, || sf.sock.accept())
    })?;
    let nf = new_socket_file(s, flags & O_NONBLOCK != 0);
    let nfd = install_fd(nf, flags & O_CLOEXEC != 0)?;
    if let Err(e) = write_addr(&peer, addr, lenp) {
        // Linux has not installed the fd yet when the copy fails
        let _ = current().process().files().lock().close(nfd);
        return Err(e);
    }
    Ok(nfd as u64)
}

pub fn accept(fd: i32, addr: u64, lenp: u64) -> SysResult {
    accept4(fd, addr, lenp, 0)
}

pub fn getsockname(fd: i32, addr: u64, lenp: u64) -> SysResult {
    let f = sock_file(fd)?;
    let a = sock(&f)?.sock.local_addr()?;
    write_addr_checked(&a, addr, lenp)
}

pub fn getpeername(fd: i32, addr: u64, lenp: u64) -> SysResult {
    let f = sock_file(fd)?;
    let a = sock(&f)?.sock.peer_addr()?;
    write_addr_checked(&a, addr, lenp)
}

/// getsockname/getpeername: a NULL length pointer is EFAULT there.
fn write_addr_checked(a: &SockAddr, addr: u64, lenp: u64) -> SysResult {
    let len = read_i32(lenp)?;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let b = a.to_bytes();
    let n = b.len().min(len as usize);
    if n > 0 {
        write_bytes(addr, &b[..n])?;
    }
    write_i32(lenp, b.len() as i32)?;
    Ok(0)
}

pub fn shutdown(fd: i32, how: i32) -> SysResult {
    let f = sock_file(fd)?;
    if !(0..=2).contains(&how) {
        return Err(Errno::EINVAL);
    }
    sock(&f)?.sock.shutdown(how)?;
    Ok(0)
}

pub fn setsockopt(fd: i32, level: i32, name: i32, val: u64, len: i32) -> SysResult {
    let f = sock_file(fd)?;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let b = if len == 0 {
        Vec::new()
    } else {
        read_bytes(val, (len as usize).min(1 << 16))?
    };
    sock(&f)?.setsockopt(level, name, &b)?;
    Ok(0)
}

pub fn getsockopt(fd: i32, level: i32, name: i32, val: u64, lenp: u64) -> SysResult {
    let f = sock_file(fd)?;
    let len = read_i32(lenp)?;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let v = sock(&f)?.getsockopt(level, name)?;
    let n = v.len().min(len as usize);
    if n > 0 {
        write_bytes(val, &v[..n])?;
    }
    write_i32(lenp, n as i32)?;
    Ok(0)
}

// ---------------------------------------------------------------- sending

fn is_stream(sf: &SocketFile) -> bool {
    sf.sock.sock_type() == SOCK_STREAM as i32
}

/// Sends `data` with the blocking rules: a blocking stream send goes on until all is
/// sent (or a signal/timeout after some was: the count so far); EPIPE raises SIGPIPE
/// unless MSG_NOSIGNAL.
fn send_common(
    f: &Arc<OpenFile>,
    data: &[u8],
    to: Option<&SockAddr>,
    cmsgs: Vec<Cmsg>,
    flags: i32,
) -> KResult<usize> {
    let sf = sock(f)?;
    let nonblock = f.nonblocking() || flags & MSG_DONTWAIT as i32 != 0;
    let c = cred();
    let stream = is_stream(sf);
    let mut cm = Some(cmsgs);
    let mut sent = 0usize;
    let r = loop {
        let r = wait_retry(sf, WAIT_OUT, nonblock, sf.snd_timeout(), || {
            // control data goes with the first part only
            let cmsgs = cm.take().unwrap_or_default();
            let r = outside_ok(sf, || {
                sf.sock.send(&data[sent..], to, cmsgs.clone(), flags, c)
            });
            if r.is_err() {
                cm = Some(cmsgs);
            }
            r
        });
        match r {
            Ok(n) => {
                sent += n;
                if !stream || nonblock || sent >= data.len() || n == 0 {
                    break Ok(sent);
                }
                if crate::task::wait::signal_pending(&current()) {
                    break Ok(sent);
                }
            }
            Err(_) if sent > 0 => break Ok(sent),
            Err(e) => break Err(e),
        }
    };
    // unix datagram and seqpacket sockets give a bare EPIPE (Linux)
    if r == Err(Errno::EPIPE)
        && flags & MSG_NOSIGNAL as i32 == 0
        && rill_net::unix::epipe_raises_sigpipe(&*sf.sock)
    {
        raise_sigpipe();
    }
    r
}

pub fn sendto(fd: i32, buf: u64, len: u64, flags: i32, addr: u64, alen: u32) -> SysResult {
    let f = sock_file(fd)?;
    let len = (len as usize).min(IO_MAX);
    let mut data = crate::uaccess::Scratch::new(len)?;
    crate::uaccess::read_into(buf, &mut data)?;
    let to = if addr != 0 {
        Some(read_dest(&f, addr, alen)?)
    } else {
        None
    };
    send_common(&f, &data, to.as_ref(), Vec::new(), flags).map(|n| n as u64)
}

/// `struct msghdr` (56 bytes).
#[derive(Clone, Copy, Default)]
struct MsgHdr {
    name: u64,
    namelen: u32,
    iov: u64,
    iovlen: u64,
    control: u64,
    controllen: u64,
}

fn read_msghdr(va: u64) -> KResult<MsgHdr> {
    let b = read_bytes(va, 56)?;
    let u64_at = |i: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[i..i + 8]);
        u64::from_ne_bytes(a)
    };
    Ok(MsgHdr {
        name: u64_at(0),
        namelen: u64_at(8) as u32,
        iov: u64_at(16),
        iovlen: u64_at(24),
        control: u64_at(32),
        controllen: u64_at(40),
    })
}

/// The (base, len) pairs of an iovec array.
fn read_iovecs(iov: u64, cnt: u64) -> KResult<Vec<(u64, usize)>> {
    if cnt > UIO_MAXIOV {
        return Err(Errno::EMSGSIZE);
    }
    if cnt == 0 {
        return Ok(Vec::new());
    }
    let b = read_bytes(iov, cnt as usize * 16)?;
    let mut v = Vec::with_capacity(cnt as usize);
    let mut total: u64 = 0;
    for c in b.chunks_exact(16) {
        let mut x = [0u8; 8];
        x.copy_from_slice(&c[..8]);
        let base = u64::from_ne_bytes(x);
        x.copy_from_slice(&c[8..]);
        let len = u64::from_ne_bytes(x);
        if len > isize::MAX as u64 {
            return Err(Errno::EINVAL);
        }
        total = total.saturating_add(len);
        if total > 0x7fff_f000 {
            return Err(Errno::EINVAL);
        }
        v.push((base, len as usize));
    }
    Ok(v)
}

/// The gathered bytes of an iovec list (at most IO_MAX).
fn gather(iov: &[(u64, usize)]) -> KResult<Vec<u8>> {
    let total: usize = iov.iter().map(|v| v.1).sum::<usize>().min(IO_MAX);
    let mut data = Vec::with_capacity(total);
    for &(base, len) in iov {
        let k = len.min(total - data.len());
        if k == 0 {
            continue;
        }
        let start = data.len();
        data.resize(start + k, 0);
        read_into(base, &mut data[start..])?;
    }
    Ok(data)
}

/// The control messages of a sendmsg, with SCM_RIGHTS fds turned into open files.
fn read_cmsgs(m: &MsgHdr) -> KResult<Vec<Cmsg>> {
    if m.controllen == 0 {
        return Ok(Vec::new());
    }
    if m.controllen as usize > OPTMEM_MAX {
        return Err(Errno::ENOBUFS);
    }
    if (m.controllen as usize) < cmsg::HDR {
        return Err(Errno::EINVAL);
    }
    let buf = read_bytes(m.control, m.controllen as usize)?;
    let mut out = Vec::new();
    for RawCmsg { level, ty, data } in cmsg::parse(&buf)? {
        if level == SOL_SOCKET && ty == SCM_RIGHTS as i32 {
            let n = data.len() / 4;
            if n == 0 || n > SCM_MAX_FD {
                return Err(Errno::EINVAL);
            }
            let mut files: Vec<FileRef> = Vec::with_capacity(n);
            for c in data.chunks_exact(4) {
                let fd = i32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
                let f = file(fd)?;
                files.push(f);
            }
            out.push(Cmsg::Rights(files));
        } else if level == SOL_SOCKET && ty == SCM_CREDENTIALS as i32 {
            if data.len() < 12 {
                return Err(Errno::EINVAL);
            }
            let i = |k: usize| u32::from_ne_bytes([data[k], data[k + 1], data[k + 2], data[k + 3]]);
            out.push(Cmsg::Credentials(Cred {
                pid: i(0) as i32,
                uid: i(4),
                gid: i(8),
            }));
        } else if level == SOL_SOCKET {
            return Err(Errno::EINVAL);
        } else {
            out.push(Cmsg::Other { level, ty, data });
        }
    }
    Ok(out)
}

fn sendmsg_one(f: &Arc<OpenFile>, msg: u64, flags: i32) -> KResult<usize> {
    let m = read_msghdr(msg)?;
    let to = if m.name != 0 && m.namelen != 0 {
        Some(read_dest(f, m.name, m.namelen)?)
    } else {
        None
    };
    let iov = read_iovecs(m.iov, m.iovlen)?;
    let data = gather(&iov)?;
    let cmsgs = read_cmsgs(&m)?;
    send_common(f, &data, to.as_ref(), cmsgs, flags)
}

pub fn sendmsg(fd: i32, msg: u64, flags: i32) -> SysResult {
    let f = sock_file(fd)?;
    sendmsg_one(&f, msg, flags).map(|n| n as u64)
}

pub fn sendmmsg(fd: i32, vec: u64, vlen: u32, flags: i32) -> SysResult {
    let f = sock_file(fd)?;
    let vlen = (vlen as u64).min(UIO_MAXIOV);
    let mut done = 0u64;
    while done < vlen {
        let ent = vec.wrapping_add(done * 64);
        match sendmsg_one(&f, ent, flags) {
            Ok(n) => {
                write_bytes(ent + 56, &(n as u32).to_ne_bytes())?;
                done += 1;
            }
            Err(_) if done > 0 => break,
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

// ---------------------------------------------------------------- receiving

/// Receives up to `len` bytes with the blocking rules (MSG_WAITALL on a stream goes on
/// until `len`, end of stream, an error or a signal).
fn recv_common(
    f: &Arc<OpenFile>,
    len: usize,
    flags: i32,
) -> KResult<(crate::uaccess::Scratch, rill_net::RecvInfo)> {
    let sf = sock(f)?;
    if flags & MSG_ERRQUEUE != 0 {
        // no error queues: Linux gives EAGAIN when the queue is empty
        return Err(Errno::EAGAIN);
    }
    let nonblock = f.nonblocking() || flags & MSG_DONTWAIT as i32 != 0;
    let len = len.min(IO_MAX);
    let mut buf = crate::uaccess::Scratch::new(len)?;
    let waitall = flags & MSG_WAITALL as i32 != 0
        && flags & MSG_PEEK as i32 == 0
        && is_stream(sf)
        && !nonblock;
    // Linux's `sock_rcvlowat` target: a blocking stream read returns once it has
    // copied len (MSG_WAITALL) or SO_RCVLOWAT bytes (at most len), end of stream, an
    // error, a signal or SO_RCVTIMEO's expiry coming first
    let target = if waitall {
        len
    } else if !nonblock && is_stream(sf) && flags & MSG_PEEK as i32 == 0 {
        rcvlowat(sf).clamp(1, len.max(1))
    } else {
        1
    };
    let mut got = 0usize;
    let mut info = rill_net::RecvInfo::default();
    loop {
        let r = wait_retry(sf, WAIT_IN, nonblock, sf.rcv_timeout(), || {
            outside_ok(sf, || sf.sock.recv(&mut buf[got..], flags))
        });
        match r {
            Ok(i) => {
                let n = i.len;
                if got == 0 {
                    info = i;
                } else {
                    info.len += n;
                    info.cmsgs.extend(i.cmsgs);
                }
                got += n;
                // short of the target, it waits again: copied bytes first, as Linux's
                // tcp_recvmsg, which then sleeps until the unread bytes reach the mark
                // (the socket's POLLIN honours it)
                if n == 0 || got >= target || got >= len {
                    break;
                }
                if crate::task::wait::signal_pending(&current()) {
                    break;
                }
            }
            Err(_) if got > 0 => break,
            Err(e) => return Err(e),
        }
    }
    info.len = got;
    if info.full_len < got {
        info.full_len = got;
    }
    buf.truncate(got);
    Ok((buf, info))
}

/// The socket's SO_RCVLOWAT (1 when it has none).
fn rcvlowat(sf: &SocketFile) -> usize {
    sf.sock
        .getsockopt(
            rill_net::socket::opt::SOL_SOCKET,
            rill_net::socket::opt::SO_RCVLOWAT,
        )
        .ok()
        .and_then(|v| v.get(..4).and_then(|b| b.try_into().ok()))
        .map_or(1, i32::from_ne_bytes)
        .max(1) as usize
}

/// MSG_TRUNC on a TCP socket discards the bytes without copying them (Linux's
/// `tcp_recvmsg`): the user's buffer is not touched and may be NULL.
fn trunc_discards(f: &Arc<OpenFile>, flags: i32) -> bool {
    flags & MSG_TRUNC as i32 != 0 && sock(f).is_ok_and(|sf| is_stream(sf) && is_inet(sf))
}

pub fn recvfrom(fd: i32, buf: u64, len: u64, flags: i32, addr: u64, lenp: u64) -> SysResult {
    let f = sock_file(fd)?;
    let (data, info) = recv_common(&f, len as usize, flags)?;
    if !data.is_empty() && !trunc_discards(&f, flags) {
        write_bytes(buf, &data)?;
    }
    if let Some(a) = &info.addr {
        write_addr(a, addr, lenp)?;
    } else if addr != 0 && lenp != 0 {
        // a connected stream gives no address: Linux sets the length to 0
        write_i32(lenp, 0)?;
    }
    release_rights(info.cmsgs);
    Ok(if flags & MSG_TRUNC as i32 != 0 {
        info.full_len as u64
    } else {
        data.len() as u64
    })
}

/// read(2) and readv(2) on a socket: recvmsg without flags and without a name, as
/// Linux's `sock_read_iter` (SO_RCVLOWAT and SO_RCVTIMEO apply; one datagram is
/// scattered over all the iovecs). Nothing to read in: 0 at once, nothing dequeued.
pub fn sock_readv(f: &Arc<OpenFile>, iov: &[(u64, usize)]) -> SysResult {
    let want = iov.iter().fold(0usize, |a, v| a.saturating_add(v.1));
    if want == 0 {
        return Ok(0);
    }
    let (data, info) = recv_common(f, want, 0)?;
    release_rights(info.cmsgs);
    match scatter(iov, &data) {
        Ok(()) => Ok(data.len() as u64),
        Err((0, e)) => Err(e),
        Err((done, _)) => Ok(done as u64),
    }
}

/// Copies `data` out over the iovecs in order; on a fault, how much was stored
/// before it and the error.
fn scatter(iov: &[(u64, usize)], data: &[u8]) -> Result<(), (usize, Errno)> {
    let mut off = 0;
    for &(base, len) in iov {
        if off >= data.len() {
            break;
        }
        let k = len.min(data.len() - off);
        if k > 0 {
            write_bytes(base, &data[off..off + k]).map_err(|e| (off, e))?;
        }
        off += k;
    }
    Ok(())
}

/// Files received in control messages that no one takes are closed (dropped).
fn release_rights(_cmsgs: Vec<Cmsg>) {}

/// Writes received control messages into the user's control buffer; returns
/// (bytes used, truncated). SCM_RIGHTS installs as many descriptors as fit.
fn write_cmsgs(
    cmsgs: Vec<Cmsg>,
    control: u64,
    room: usize,
    cloexec: bool,
) -> KResult<(usize, bool)> {
    let mut out = Vec::new();
    let mut trunc = false;
    for c in cmsgs {
        match c {
            Cmsg::Rights(files) => {
                let left = room.saturating_sub(out.len());
                if left < cmsg::len(4) {
                    trunc = true;
                    continue;
                }
                let fit = ((left - cmsg::HDR) / 4).min(files.len());
                if fit < files.len() {
                    trunc = true;
                }
                let mut fds = Vec::with_capacity(fit * 4);
                for fr in files.into_iter().take(fit) {
                    let Ok(of) = fr.downcast::<OpenFile>() else {
                        continue;
                    };
                    match install_fd(of, cloexec) {
                        Ok(fd) => fds.extend_from_slice(&fd.to_ne_bytes()),
                        Err(_) => {
                            trunc = true;
                            break;
                        }
                    }
                }
                if fds.is_empty() {
                    continue;
                }
                let (_, t) = cmsg::push(&mut out, room, SOL_SOCKET, SCM_RIGHTS as i32, &fds);
                trunc |= t;
            }
            Cmsg::Credentials(c) => {
                let mut d = Vec::with_capacity(12);
                d.extend_from_slice(&c.pid.to_ne_bytes());
                d.extend_from_slice(&c.uid.to_ne_bytes());
                d.extend_from_slice(&c.gid.to_ne_bytes());
                let (_, t) = cmsg::push(&mut out, room, SOL_SOCKET, SCM_CREDENTIALS as i32, &d);
                trunc |= t;
            }
            Cmsg::Other { level, ty, data } => {
                let (_, t) = cmsg::push(&mut out, room, level, ty, &data);
                trunc |= t;
            }
        }
    }
    if !out.is_empty() {
        write_bytes(control, &out)?;
    }
    Ok((out.len(), trunc))
}

fn recvmsg_one(f: &Arc<OpenFile>, msg: u64, flags: i32) -> KResult<usize> {
    let m = read_msghdr(msg)?;
    let iov = read_iovecs(m.iov, m.iovlen)?;
    let want: usize = iov.iter().map(|v| v.1).sum();
    if m.name != 0 && (m.namelen as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let (data, info) = recv_common(f, want, flags)?;
    if !trunc_discards(f, flags) {
        scatter(&iov, &data).map_err(|(_, e)| e)?;
    }
    // name
    let namelen = match (&info.addr, m.name) {
        (Some(a), name) if name != 0 => {
            let b = a.to_bytes();
            let n = b.len().min(m.namelen as usize);
            if n > 0 {
                write_bytes(name, &b[..n])?;
            }
            b.len() as u32
        }
        _ => 0,
    };
    write_bytes(msg + 8, &namelen.to_ne_bytes())?;
    let mut mflags = info.flags;
    let cloexec = flags & MSG_CMSG_CLOEXEC as i32 != 0;
    let (used, trunc) = if m.control != 0 && m.controllen > 0 {
        write_cmsgs(info.cmsgs, m.control, m.controllen as usize, cloexec)?
    } else {
        (0, !info.cmsgs.is_empty())
    };
    if trunc {
        mflags |= MSG_CTRUNC as i32;
    }
    if info.full_len > data.len() && sock(f)?.sock.sock_type() != SOCK_STREAM as i32 {
        mflags |= MSG_TRUNC as i32;
    }
    let _ = SOCK_SEQPACKET;
    write_bytes(msg + 40, &(used as u64).to_ne_bytes())?;
    write_bytes(msg + 48, &mflags.to_ne_bytes())?;
    Ok(if flags & MSG_TRUNC as i32 != 0 {
        info.full_len
    } else {
        data.len()
    })
}

pub fn recvmsg(fd: i32, msg: u64, flags: i32) -> SysResult {
    let f = sock_file(fd)?;
    recvmsg_one(&f, msg, flags).map(|n| n as u64)
}

pub fn recvmmsg(fd: i32, vec: u64, vlen: u32, flags: i32, timeout: u64) -> SysResult {
    let f = sock_file(fd)?;
    let deadline = if timeout != 0 {
        let ts: rill_abi::types::Timespec = read_val(timeout)?;
        if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
            return Err(Errno::EINVAL);
        }
        Some(
            crate::time::now_ns()
                .saturating_add((ts.tv_sec as u64).saturating_mul(1_000_000_000))
                .saturating_add(ts.tv_nsec as u64),
        )
    } else {
        None
    };
    let vlen = (vlen as u64).min(UIO_MAXIOV);
    let mut done = 0u64;
    let mut fl = flags & !MSG_WAITFORONE;
    while done < vlen {
        let ent = vec.wrapping_add(done * 64);
        match recvmsg_one(&f, ent, fl) {
            Ok(n) => {
                write_bytes(ent + 56, &(n as u32).to_ne_bytes())?;
                done += 1;
                if flags & MSG_WAITFORONE != 0 {
                    fl |= MSG_DONTWAIT as i32;
                }
                if deadline.is_some_and(|d| crate::time::now_ns() >= d) {
                    break;
                }
            }
            Err(_) if done > 0 => break,
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}
