//! Pipes and FIFOs.
//!
//! A [`Pipe`] is the shared buffer (64 KiB). Read and write ends are separate
//! objects; their number is tracked through construction and `Drop`, so EOF
//! (read returns 0) appears when every write end is gone and EPIPE when every
//! read end is gone.
//!
//! FIFO open semantics (simplified): `open` never blocks. Instead, an end of a
//! FIFO that has not yet been connected to a peer behaves as if the open were
//! still waiting: reads and writes return EAGAIN (so a blocking caller waits)
//! until the first peer appears, and it does not report POLLHUP/POLLERR.
//! `O_WRONLY|O_NONBLOCK` without any reader fails with ENXIO like Linux.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::any::Any;
use rill_abi::{Errno, KResult};
use spin::Mutex;

use crate::file::{flags, ioctl, poll, FileKind, FileLike, UserIo};
use crate::inode::{alloc_ino, now, FileType, Inode, Metadata, SetTime};
use crate::pollee::{IoEvents, Pollee, Poller};

/// What may have become true after data was added / space was freed.
const READABLE: IoEvents = poll::POLLIN | poll::POLLRDNORM;
const WRITABLE: IoEvents = poll::POLLOUT | poll::POLLWRNORM;

pub const PIPE_CAPACITY: usize = 65536;
pub const PIPE_BUF: usize = 4096;
const PAGE: usize = 4096;
/// Largest size F_SETPIPE_SZ accepts from an unprivileged caller (pipe-max-size).
pub const PIPE_MAX_SIZE: usize = 1 << 20;

impl State {
    fn len(&self) -> usize {
        self.bufs.iter().map(|b| b.data.len() - b.off).sum()
    }
    fn full(&self) -> bool {
        self.bufs.len() >= self.max_slots
    }
}

/// One page-sized slot of the ring (like Linux's `pipe_buffer`): `data[off..]`
/// is unread.
struct Slot {
    data: Vec<u8>,
    off: usize,
}

struct State {
    bufs: VecDeque<Slot>,
    /// Capacity in page slots (F_SETPIPE_SZ).
    max_slots: usize,
    readers: usize,
    writers: usize,
    /// How many read/write ends were ever opened.
    reader_opens: u64,
    writer_opens: u64,
}

/// The shared part of a pipe or FIFO.
pub struct Pipe {
    st: Mutex<State>,
    /// Both ends' readiness: readers register for POLLIN, writers for POLLOUT.
    pollee: Pollee,
    fifo: bool,
}

impl Pipe {
    fn new(fifo: bool) -> Arc<Pipe> {
        Arc::new(Pipe {
            st: Mutex::new(State {
                bufs: VecDeque::new(),
                max_slots: PIPE_CAPACITY / PAGE,
                readers: 0,
                writers: 0,
                reader_opens: 0,
                writer_opens: 0,
            }),
            pollee: Pollee::new(0),
            fifo,
        })
    }

    /// The buffer behind a FIFO inode.
    pub fn new_fifo() -> Arc<Pipe> {
        Pipe::new(true)
    }

    /// A new read end.
    pub fn reader(self: &Arc<Self>) -> Arc<PipeReader> {
        let mut st = self.st.lock();
        self.reset_if_unused(&mut st);
        st.readers += 1;
        st.reader_opens += 1;
        let end = PipeReader {
            pipe: self.clone(),
            eof_without_peer: false,
            peer_seen_at: if st.writers > 0 {
                None
            } else {
                Some(st.writer_opens)
            },
        };
        drop(st);
        self.pollee.notify(WRITABLE);
        Arc::new(end)
    }

    /// A new write end.
    pub fn writer(self: &Arc<Self>) -> Arc<PipeWriter> {
        let mut st = self.st.lock();
        self.reset_if_unused(&mut st);
        st.writers += 1;
        st.writer_opens += 1;
        let end = PipeWriter {
            pipe: self.clone(),
            peer_seen_at: if st.readers > 0 {
                None
            } else {
                Some(st.reader_opens)
            },
        };
        drop(st);
        self.pollee.notify(READABLE);
        Arc::new(end)
    }

    /// Like Linux, a FIFO's buffer is discarded when the last end closes.
    fn reset_if_unused(&self, st: &mut State) {
        if self.fifo && st.readers == 0 && st.writers == 0 {
            st.bufs.clear();
        }
    }

    /// Opens a FIFO according to the access mode of `fl`.
    pub fn open_fifo(self: &Arc<Self>, fl: u32) -> KResult<Arc<dyn FileLike>> {
        match fl & flags::O_ACCMODE {
            flags::O_RDONLY => {
                let mut r = self.reader();
                if fl & flags::O_NONBLOCK != 0 {
                    // Linux: a reader that did not wait in open sees EOF while
                    // there is no writer (but no POLLHUP until one came and went).
                    if let Some(end) = Arc::get_mut(&mut r) {
                        end.eof_without_peer = true;
                    }
                }
                Ok(r)
            }
            flags::O_WRONLY => {
                if fl & flags::O_NONBLOCK != 0 && self.st.lock().readers == 0 {
                    return Err(Errno::ENXIO);
                }
                Ok(self.writer())
            }
            flags::O_RDWR => Ok(Arc::new(PipeRdWr {
                r: self.reader(),
                w: self.writer(),
            })),
            _ => Err(Errno::EINVAL),
        }
    }

    /// Bytes currently buffered.
    pub fn len(&self) -> usize {
        self.st.lock().len()
    }

    /// The capacity in bytes (F_GETPIPE_SZ).
    pub fn capacity(&self) -> usize {
        self.st.lock().max_slots * PAGE
    }

    /// F_SETPIPE_SZ: rounds `size` up to a power-of-two number of pages;
    /// EBUSY if the data does not fit, EPERM above pipe-max-size without
    /// `privileged`. Returns the new capacity.
    pub fn set_capacity(&self, size: u64, privileged: bool) -> KResult<usize> {
        if size > 1 << 31 {
            return Err(Errno::EINVAL);
        }
        let bytes = (size as usize).max(PAGE).next_power_of_two();
        if bytes > PIPE_MAX_SIZE && !privileged {
            return Err(Errno::EPERM);
        }
        let slots = bytes / PAGE;
        let mut st = self.st.lock();
        if st.bufs.len() > slots {
            return Err(Errno::EBUSY);
        }
        st.max_slots = slots;
        drop(st);
        self.pollee.notify(WRITABLE);
        Ok(bytes)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A new anonymous pipe: (read end, write end).
pub fn new_pipe() -> (Arc<dyn FileLike>, Arc<dyn FileLike>) {
    let p = Pipe::new(false);
    let r = p.reader();
    let w = p.writer();
    (r, w)
}

/// The pipe behind a pipe or FIFO end (for F_GETPIPE_SZ/F_SETPIPE_SZ, FIONREAD).
pub fn pipe_of(ops: &dyn FileLike) -> Option<&Arc<Pipe>> {
    let a = ops.as_any();
    if let Some(r) = a.downcast_ref::<PipeReader>() {
        return Some(&r.pipe);
    }
    if let Some(w) = a.downcast_ref::<PipeWriter>() {
        return Some(&w.pipe);
    }
    a.downcast_ref::<PipeRdWr>().map(|rw| &rw.r.pipe)
}

static PIPEFS_ID: spin::Once<u64> = spin::Once::new();

/// The file-system id of anonymous pipe inodes.
pub fn pipefs_id() -> u64 {
    *PIPEFS_ID.call_once(crate::inode::alloc_fs_id)
}

/// The inode both ends of an anonymous pipe share (what fstat reports:
/// a FIFO, mode 0600, owned by the creator).
pub struct PipeInode {
    meta: Mutex<Metadata>,
    /// The pipe, for reopening through /proc/<pid>/fd (a FIFO-like open).
    pipe: Mutex<alloc::sync::Weak<Pipe>>,
}

impl PipeInode {
    pub fn new(uid: u32, gid: u32) -> Arc<PipeInode> {
        let mut m = Metadata::synthetic(0xc, alloc_ino(), FileType::Fifo, 0o600, 1);
        m.uid = uid;
        m.gid = gid;
        Arc::new(PipeInode {
            meta: Mutex::new(m),
            pipe: Mutex::new(alloc::sync::Weak::new()),
        })
    }
}

/// A new anonymous pipe with the inode both ends share: (read, write, inode).
pub fn new_pipe_with_inode(
    uid: u32,
    gid: u32,
) -> (Arc<dyn FileLike>, Arc<dyn FileLike>, Arc<PipeInode>) {
    let p = Pipe::new(false);
    let inode = PipeInode::new(uid, gid);
    *inode.pipe.lock() = Arc::downgrade(&p);
    let r = p.reader();
    let w = p.writer();
    (r, w, inode)
}

impl Inode for PipeInode {
    fn metadata(&self) -> Metadata {
        self.meta.lock().clone()
    }
    fn open(&self, fl: u32) -> KResult<Option<Arc<dyn FileLike>>> {
        let p = self.pipe.lock().upgrade().ok_or(Errno::ENXIO)?;
        p.open_fifo(fl).map(Some)
    }
    fn chmod(&self, mode: u32) -> KResult<()> {
        let mut m = self.meta.lock();
        m.mode = (m.mode & crate::inode::mode::S_IFMT) | (mode & crate::inode::mode::PERM_MASK);
        m.ctime = now();
        Ok(())
    }
    fn chown(&self, uid: Option<u32>, gid: Option<u32>) -> KResult<()> {
        let mut m = self.meta.lock();
        if let Some(u) = uid {
            m.uid = u;
        }
        if let Some(g) = gid {
            m.gid = g;
        }
        m.ctime = now();
        Ok(())
    }
    fn set_times(&self, a: SetTime, mt: SetTime) -> KResult<()> {
        let t = now();
        let mut m = self.meta.lock();
        a.apply(&mut m.atime, t);
        mt.apply(&mut m.mtime, t);
        m.ctime = t;
        Ok(())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn fs_id(&self) -> u64 {
        pipefs_id()
    }
}

/// Whether an end has had a peer: `peer_seen_at` is `None` when a peer existed
/// at open, else the peer-open counter at open time.
fn connected(fifo: bool, peer_seen_at: Option<u64>, peer_opens_now: u64) -> bool {
    if !fifo {
        return true;
    }
    match peer_seen_at {
        None => true,
        Some(n) => peer_opens_now > n,
    }
}

/// The read end of a pipe.
pub struct PipeReader {
    pipe: Arc<Pipe>,
    peer_seen_at: Option<u64>,
    /// Opened with O_NONBLOCK: reads return EOF without a writer.
    eof_without_peer: bool,
}

impl PipeReader {
    fn do_read(&self, buf: &mut [u8]) -> KResult<usize> {
        let mut st = self.pipe.st.lock();
        if buf.is_empty() {
            return Ok(0);
        }
        if st.bufs.is_empty() {
            let conn = self.eof_without_peer
                || connected(self.pipe.fifo, self.peer_seen_at, st.writer_opens);
            if st.writers == 0 && conn {
                return Ok(0);
            }
            return Err(Errno::EAGAIN);
        }
        let mut n = 0;
        // writers wait only for a free slot: like Linux, wake them only
        // when a slot of a full pipe is freed (an edge for EPOLLET)
        let mut wake_writers = false;
        while n < buf.len() {
            let full = st.full();
            let Some(slot) = st.bufs.front_mut() else {
                break;
            };
            let src = slot.data.get(slot.off..).unwrap_or(&[]);
            let k = core::cmp::min(src.len(), buf.len() - n);
            if let (Some(d), Some(s)) = (buf.get_mut(n..n + k), src.get(..k)) {
                d.copy_from_slice(s);
            }
            slot.off += k;
            n += k;
            if slot.off >= slot.data.len() {
                st.bufs.pop_front();
                wake_writers |= full;
            }
        }
        drop(st);
        if wake_writers {
            self.pipe.pollee.notify(WRITABLE);
        }
        Ok(n)
    }

    fn do_poll(&self) -> IoEvents {
        let st = self.pipe.st.lock();
        let mut ev = 0;
        if !st.bufs.is_empty() {
            ev |= poll::POLLIN | poll::POLLRDNORM;
        }
        if st.writers == 0 && connected(self.pipe.fifo, self.peer_seen_at, st.writer_opens) {
            ev |= poll::POLLHUP;
        }
        ev
    }
}

impl Drop for PipeReader {
    fn drop(&mut self) {
        self.pipe.st.lock().readers -= 1;
        self.pipe.pollee.notify(poll::POLLERR | WRITABLE);
    }
}

/// FIONREAD: the bytes buffered (Linux's pipe_ioctl; both ends answer).
fn pipe_ioctl(pipe: &Pipe, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
    match cmd {
        ioctl::FIONREAD => {
            let n = pipe.len();
            io.write_i32(arg, n as i32)?;
            Ok(0)
        }
        _ => Err(Errno::ENOTTY),
    }
}

impl FileLike for PipeReader {
    fn read(&self, _offset: &mut u64, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        self.do_read(buf)
    }
    fn write(&self, _offset: &mut u64, _buf: &[u8], _nonblock: bool) -> KResult<usize> {
        Err(Errno::EBADF)
    }
    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.pipe.pollee.register_poller(poller, mask);
        self.do_poll()
    }
    fn ioctl(&self, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
        pipe_ioctl(&self.pipe, cmd, arg, io)
    }
    fn kind(&self) -> FileKind {
        FileKind::Fifo
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The write end of a pipe.
pub struct PipeWriter {
    pipe: Arc<Pipe>,
    peer_seen_at: Option<u64>,
}

impl PipeWriter {
    /// Linux's page-slot semantics: the head of the data that is not a whole
    /// page (`len % 4096`) is merged into the last slot if it fits there, the
    /// rest goes into new slots. A write of at most PIPE_BUF bytes is therefore
    /// all-or-nothing; EAGAIN when nothing could be written. A blocking caller
    /// that wants the whole buffer written keeps calling with the rest.
    fn do_write(&self, buf: &[u8]) -> KResult<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut st = self.pipe.st.lock();
        if st.readers == 0 {
            if connected(self.pipe.fifo, self.peer_seen_at, st.reader_opens) {
                return Err(Errno::EPIPE);
            }
            return Err(Errno::EAGAIN);
        }
        let mut done = 0;
        let chars = buf.len() % PAGE;
        if chars > 0 {
            if let Some(last) = st.bufs.back_mut() {
                if last.data.len() + chars <= PAGE {
                    last.data.extend_from_slice(buf.get(..chars).unwrap_or(&[]));
                    done = chars;
                }
            }
        }
        while done < buf.len() && !st.full() {
            let k = core::cmp::min(PAGE, buf.len() - done);
            let mut data = Vec::with_capacity(PAGE);
            data.extend_from_slice(buf.get(done..done + k).unwrap_or(&[]));
            st.bufs.push_back(Slot { data, off: 0 });
            done += k;
        }
        drop(st);
        if done == 0 {
            return Err(Errno::EAGAIN);
        }
        self.pipe.pollee.notify(READABLE);
        Ok(done)
    }

    fn do_poll(&self) -> IoEvents {
        let st = self.pipe.st.lock();
        let mut ev = 0;
        let conn = connected(self.pipe.fifo, self.peer_seen_at, st.reader_opens);
        if st.readers == 0 && conn {
            ev |= poll::POLLERR;
        }
        if !st.full() && (st.readers > 0 || conn) {
            ev |= poll::POLLOUT | poll::POLLWRNORM;
        }
        ev
    }
}

impl Drop for PipeWriter {
    fn drop(&mut self) {
        self.pipe.st.lock().writers -= 1;
        self.pipe.pollee.notify(poll::POLLHUP | READABLE);
    }
}

impl FileLike for PipeWriter {
    fn read(&self, _offset: &mut u64, _buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        Err(Errno::EBADF)
    }
    fn write(&self, _offset: &mut u64, buf: &[u8], _nonblock: bool) -> KResult<usize> {
        self.do_write(buf)
    }
    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.pipe.pollee.register_poller(poller, mask);
        self.do_poll()
    }
    fn ioctl(&self, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
        pipe_ioctl(&self.pipe, cmd, arg, io)
    }
    fn kind(&self) -> FileKind {
        FileKind::Fifo
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A FIFO opened O_RDWR: both ends in one object (never sees EOF or EPIPE
/// because it is its own peer).
pub struct PipeRdWr {
    r: Arc<PipeReader>,
    w: Arc<PipeWriter>,
}

impl FileLike for PipeRdWr {
    fn read(&self, _offset: &mut u64, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        self.r.do_read(buf)
    }
    fn write(&self, _offset: &mut u64, buf: &[u8], _nonblock: bool) -> KResult<usize> {
        self.w.do_write(buf)
    }
    fn poll(&self, mask: IoEvents, poller: Option<&mut Poller>) -> IoEvents {
        self.r.pipe.pollee.register_poller(poller, mask);
        self.r.do_poll() | self.w.do_poll()
    }
    fn ioctl(&self, cmd: u32, arg: u64, io: &mut dyn UserIo) -> KResult<u64> {
        pipe_ioctl(&self.r.pipe, cmd, arg, io)
    }
    fn kind(&self) -> FileKind {
        FileKind::Fifo
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wait::test_waker;

    fn rd(e: &Arc<dyn FileLike>, n: usize) -> KResult<alloc::vec::Vec<u8>> {
        let mut b = alloc::vec![0u8; n];
        let k = e.read(&mut 0, &mut b, true)?;
        b.truncate(k);
        Ok(b)
    }

    fn wr(e: &Arc<dyn FileLike>, d: &[u8]) -> KResult<usize> {
        e.write(&mut 0, d, true)
    }

    #[test]
    fn data_eof_and_epipe() {
        let (r, w) = new_pipe();
        assert_eq!(rd(&r, 10).err(), Some(Errno::EAGAIN));
        assert_eq!(r.poll(!0, None) & poll::POLLIN, 0);
        assert_eq!(wr(&w, b"hello").unwrap(), 5);
        assert_eq!(r.poll(!0, None), poll::POLLIN | poll::POLLRDNORM);
        assert_eq!(rd(&r, 3).unwrap(), b"hel");
        assert_eq!(rd(&r, 10).unwrap(), b"lo");
        assert_eq!(r.write(&mut 0, b"x", true).err(), Some(Errno::EBADF));
        assert_eq!(w.read(&mut 0, &mut [0; 1], true).err(), Some(Errno::EBADF));
        wr(&w, b"tail").unwrap();
        drop(w);
        // buffered data first, then EOF
        assert_eq!(rd(&r, 10).unwrap(), b"tail");
        assert_eq!(rd(&r, 10).unwrap(), b"");
        assert_ne!(r.poll(!0, None) & poll::POLLHUP, 0);

        let (r, w) = new_pipe();
        assert_eq!(w.poll(!0, None), poll::POLLOUT | poll::POLLWRNORM);
        drop(r);
        assert_eq!(wr(&w, b"x").err(), Some(Errno::EPIPE));
        assert_eq!(
            w.poll(!0, None),
            poll::POLLERR | poll::POLLOUT | poll::POLLWRNORM,
            "like Linux: writable and an error"
        );
    }

    #[test]
    fn capacity_and_atomicity() {
        let (r, w) = new_pipe();
        let big = alloc::vec![7u8; 70000];
        assert_eq!(wr(&w, &big).unwrap(), PIPE_CAPACITY);
        assert_eq!(w.poll(!0, None) & poll::POLLOUT, 0);
        assert_eq!(wr(&w, b"x").err(), Some(Errno::EAGAIN));
        // 100 bytes read from the first page do not free a slot (Linux)
        assert_eq!(rd(&r, 100).unwrap().len(), 100);
        assert_eq!(wr(&w, &[1u8; 100]).err(), Some(Errno::EAGAIN));
        assert_eq!(wr(&w, &[1u8; 4097]).err(), Some(Errno::EAGAIN));
        // finishing the page frees its slot: one page fits, atomically
        assert_eq!(rd(&r, 3996).unwrap().len(), 3996);
        assert_ne!(w.poll(!0, None) & poll::POLLOUT, 0);
        assert_eq!(wr(&w, &[2u8; 8000]).unwrap(), 4096);
        let mut total = 0;
        while let Ok(v) = rd(&r, 4096) {
            if v.is_empty() {
                break;
            }
            total += v.len();
        }
        assert_eq!(total, PIPE_CAPACITY - 4096 + 4096);
        // small writes merge into one page
        for _ in 0..8 {
            assert_eq!(wr(&w, &[3u8; 512]).unwrap(), 512);
        }
        assert_eq!(pipe_of(&*r).unwrap().len(), 4096);
        // resizing
        let p = pipe_of(&*w).unwrap();
        assert_eq!(p.capacity(), PIPE_CAPACITY);
        assert_eq!(p.set_capacity(5000, false).unwrap(), 8192);
        assert_eq!(p.set_capacity(0, false).unwrap(), 4096);
        assert_eq!(wr(&w, b"z").err(), Some(Errno::EAGAIN));
        assert_eq!(p.set_capacity(2 << 20, false).err(), Some(Errno::EPERM));
        assert_eq!(p.set_capacity(1 << 40, true).err(), Some(Errno::EINVAL));
        // a zero-length write succeeds even without readers
        drop(r);
        assert_eq!(wr(&w, b"").unwrap(), 0);
        assert_eq!(wr(&w, b"a").err(), Some(Errno::EPIPE));
        assert_eq!(w.poll(!0, None), poll::POLLERR);
    }

    #[test]
    fn wakers_on_state_changes() {
        let (r, w) = new_pipe();
        let (rc, rk) = test_waker::new();
        let (wc, wk) = test_waker::new();
        let mut rp = Poller::from_waker(rk);
        let mut wp = Poller::from_waker(wk);
        assert_eq!(r.poll(poll::POLLIN, Some(&mut rp)), 0);
        assert_eq!(w.poll(poll::POLLOUT, Some(&mut wp)), WRITABLE);
        wr(&w, b"a").unwrap();
        assert_eq!(test_waker::count(&rc), 1, "data wakes the reader");
        assert_eq!(test_waker::count(&wc), 0, "but not the writer");
        wr(&w, b"b").unwrap();
        assert_eq!(test_waker::count(&rc), 2, "still registered: persistent");
        rd(&r, 2).unwrap();
        assert_eq!(
            (test_waker::count(&rc), test_waker::count(&wc)),
            (2, 0),
            "writers wait only on a full pipe (Linux wakes them when a slot of one is freed)"
        );
        let big = alloc::vec![7u8; PIPE_CAPACITY];
        assert_eq!(wr(&w, &big).unwrap(), PIPE_CAPACITY);
        rd(&r, 10).unwrap();
        assert_eq!(test_waker::count(&wc), 0, "no slot freed yet");
        rd(&r, PAGE).unwrap();
        assert_eq!(test_waker::count(&wc), 1, "a slot of a full pipe freed");
        rd(&r, PAGE).unwrap();
        assert_eq!(test_waker::count(&wc), 1, "not full any more");
        rd(&r, PIPE_CAPACITY).unwrap();
        let before = test_waker::count(&rc);
        drop(w);
        assert_eq!(
            test_waker::count(&rc),
            before + 1,
            "closing the writer: POLLHUP"
        );
        drop(rp);
        let (r2, w2) = new_pipe();
        let (c2, wk2) = test_waker::new();
        let mut p2 = Poller::from_waker(wk2);
        w2.poll(poll::POLLOUT, Some(&mut p2));
        drop(r2);
        assert_eq!(test_waker::count(&c2), 1, "closing the reader: POLLERR");
        // dropping the poller unregisters it
        drop(p2);
        assert_eq!(pipe_of(&*w2).unwrap().pollee.observer_count(), 0);
    }

    /// The order that makes wake-ups impossible to lose: `poll` registers
    /// its poller *before* it reads the pipe's state. With the state locked
    /// here, a poll in another thread must get registered and then wait for
    /// the lock; one that read the state first would never register.
    #[test]
    fn poll_registers_before_reading_state() {
        let (r, w) = new_pipe();
        for end in [r, w] {
            let pipe = pipe_of(&*end).unwrap().clone();
            let guard = pipe.st.lock();
            let e2 = end.clone();
            let t = std::thread::spawn(move || {
                let (_c, wk) = test_waker::new();
                let mut pl = Poller::from_waker(wk);
                e2.poll(poll::POLLIN | poll::POLLOUT, Some(&mut pl))
            });
            let t0 = std::time::Instant::now();
            while pipe.pollee.observer_count() == 0
                && t0.elapsed() < std::time::Duration::from_secs(5)
            {
                std::thread::yield_now();
            }
            let registered = pipe.pollee.observer_count();
            drop(guard);
            t.join().unwrap();
            assert_eq!(registered, 1, "poll read the state before registering");
        }
    }

    #[test]
    fn fionread_and_enotty() {
        struct Buf(alloc::vec::Vec<u8>);
        impl UserIo for Buf {
            fn read(&mut self, a: u64, b: &mut [u8]) -> KResult<()> {
                let a = a as usize;
                b.copy_from_slice(self.0.get(a..a + b.len()).ok_or(Errno::EFAULT)?);
                Ok(())
            }
            fn write(&mut self, a: u64, d: &[u8]) -> KResult<()> {
                let a = a as usize;
                self.0
                    .get_mut(a..a + d.len())
                    .ok_or(Errno::EFAULT)?
                    .copy_from_slice(d);
                Ok(())
            }
        }
        let (r, w) = new_pipe();
        let mut m = Buf(alloc::vec![0xff; 8]);
        wr(&w, b"hello").unwrap();
        assert_eq!(r.ioctl(ioctl::FIONREAD, 4, &mut m), Ok(0));
        assert_eq!(m.0[4..], 5i32.to_le_bytes());
        assert_eq!(w.ioctl(ioctl::FIONREAD, 0, &mut m), Ok(0));
        assert_eq!(m.0[..4], 5i32.to_le_bytes());
        assert_eq!(r.ioctl(ioctl::FIONREAD, 6, &mut m), Err(Errno::EFAULT));
        assert_eq!(r.ioctl(0x5401, 0, &mut m), Err(Errno::ENOTTY), "TCGETS");
        assert_eq!(r.kind(), FileKind::Fifo);
    }

    #[test]
    fn fifo_open_semantics() {
        let p = Pipe::new_fifo();
        // a nonblocking reader sees EOF without writers, but no POLLHUP
        let nr = p.open_fifo(flags::O_RDONLY | flags::O_NONBLOCK).unwrap();
        assert_eq!(rd(&nr, 4).unwrap(), b"");
        assert_eq!(nr.poll(!0, None), 0);
        drop(nr);
        // nonblocking writer without readers
        assert_eq!(
            p.open_fifo(flags::O_WRONLY | flags::O_NONBLOCK).err(),
            Some(Errno::ENXIO)
        );
        // a reader that never saw a writer waits (EAGAIN) instead of EOF
        let r = p.open_fifo(flags::O_RDONLY).unwrap();
        assert_eq!(rd(&r, 4).err(), Some(Errno::EAGAIN));
        assert_eq!(r.poll(!0, None) & poll::POLLHUP, 0);
        let (c, wk) = test_waker::new();
        let mut pl = Poller::from_waker(wk);
        r.poll(poll::POLLIN, Some(&mut pl));
        let w = p.open_fifo(flags::O_WRONLY).unwrap();
        assert_eq!(test_waker::count(&c), 1, "opening a writer wakes readers");
        wr(&w, b"hi").unwrap();
        drop(w);
        assert_eq!(rd(&r, 4).unwrap(), b"hi");
        assert_eq!(rd(&r, 4).unwrap(), b"", "EOF once a writer came and went");
        drop(r);
        // a writer that never saw a reader waits too
        let w = p.open_fifo(flags::O_WRONLY).unwrap();
        assert_eq!(wr(&w, b"x").err(), Some(Errno::EAGAIN));
        let r = p.open_fifo(flags::O_RDONLY).unwrap();
        assert_eq!(wr(&w, b"x").unwrap(), 1);
        drop(r);
        assert_eq!(wr(&w, b"x").err(), Some(Errno::EPIPE));
        drop(w);
        // everything closed: leftover data is discarded
        let rw = p.open_fifo(flags::O_RDWR).unwrap();
        assert_eq!(rd(&rw, 4).err(), Some(Errno::EAGAIN));
        assert_eq!(wr(&rw, b"self").unwrap(), 4);
        assert_eq!(rd(&rw, 8).unwrap(), b"self");
    }
}
