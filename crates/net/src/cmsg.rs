//! Control-message buffers (`msg_control`) as user space lays them out: a list of
//! `struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; }` each
//! followed by its data and padded to 8 bytes (`CMSG_SPACE`).

use alloc::vec::Vec;
use rill_abi::{Errno, KResult};

/// `sizeof(struct cmsghdr)`.
pub const HDR: usize = 16;

/// `CMSG_ALIGN`.
pub const fn align(n: usize) -> usize {
    (n + 7) & !7
}
/// `CMSG_LEN(n)`: the `cmsg_len` of a message with `n` bytes of data.
pub const fn len(n: usize) -> usize {
    HDR + n
}
/// `CMSG_SPACE(n)`: the room a message with `n` bytes of data takes.
pub const fn space(n: usize) -> usize {
    HDR + align(n)
}

/// One message as bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawCmsg {
    pub level: i32,
    pub ty: i32,
    pub data: Vec<u8>,
}

/// Parses a control buffer the way Linux's `__scm_send` walks it: each header must
/// fit, its `cmsg_len` must be at least the header and fit in the buffer (EINVAL
/// otherwise). A remainder smaller than a header ends the walk, as `CMSG_NXTHDR` does.
pub fn parse(buf: &[u8]) -> KResult<Vec<RawCmsg>> {
    let mut out = Vec::new();
    let mut off = 0usize;
    while buf.len().saturating_sub(off) >= HDR {
        let h = &buf[off..off + HDR];
        let clen = u64::from_ne_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
        let level = i32::from_ne_bytes([h[8], h[9], h[10], h[11]]);
        let ty = i32::from_ne_bytes([h[12], h[13], h[14], h[15]]);
        if clen < HDR as u64 || clen > (buf.len() - off) as u64 {
            return Err(Errno::EINVAL);
        }
        let clen = clen as usize;
        out.push(RawCmsg {
            level,
            ty,
            data: buf[off + HDR..off + clen].to_vec(),
        });
        off += align(clen);
    }
    Ok(out)
}

/// Appends one message to `out` if it fits in `room` bytes in all (the space the
/// user gave); returns false (and appends nothing) when even the header does not fit.
/// A message whose data does not all fit is cut (the caller reports `MSG_CTRUNC`),
/// as Linux's `put_cmsg` does.
pub fn push(out: &mut Vec<u8>, room: usize, level: i32, ty: i32, data: &[u8]) -> (bool, bool) {
    let left = room.saturating_sub(out.len());
    if left < HDR {
        return (false, true);
    }
    let full = len(data.len());
    let take = full.min(left);
    let truncated = take < full;
    out.extend_from_slice(&(take as u64).to_ne_bytes());
    out.extend_from_slice(&level.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(&data[..take - HDR]);
    // pad to the next message, within the room
    let padded = align(take).min(left);
    out.resize(out.len() + (padded - take), 0);
    (true, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let mut b = Vec::new();
        assert_eq!(push(&mut b, 100, 1, 1, &[1, 0, 0, 0]), (true, false));
        assert_eq!(b.len(), space(4));
        assert_eq!(push(&mut b, 100, 0, 8, &[9; 12]), (true, false));
        let v = parse(&b).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].data, vec![1, 0, 0, 0]);
        assert_eq!((v[1].level, v[1].ty, v[1].data.len()), (0, 8, 12));
        // cmsg_len past the buffer
        let mut bad = b.clone();
        bad[0] = 200;
        assert_eq!(parse(&bad), Err(Errno::EINVAL));
        bad[0] = 3;
        assert_eq!(parse(&bad), Err(Errno::EINVAL));
        // a tail shorter than a header is ignored
        let mut t = b.clone();
        t.extend_from_slice(&[0; 8]);
        assert_eq!(parse(&t).unwrap().len(), 2);
    }

    #[test]
    fn truncation() {
        let mut b = Vec::new();
        assert_eq!(push(&mut b, 20, 1, 1, &[1; 8]), (true, true));
        assert_eq!(b.len(), 20);
        assert_eq!(u64::from_ne_bytes(b[..8].try_into().unwrap()), 20);
        let mut c = Vec::new();
        assert_eq!(push(&mut c, 8, 1, 1, &[1; 8]), (false, true));
        assert!(c.is_empty());
    }
}
