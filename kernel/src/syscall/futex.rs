//! futex(2): the operation and its timeout checked here; the queues and the operations
//! live with the tasks (task/futex.rs).
use super::SysResult;
use crate::task::futex::{self as fx, BITSET_ANY};
use crate::uaccess::*;
use rill_abi::{Errno, KResult};

/// The wait's deadline on the monotonic clock: FUTEX_WAIT's timeout is relative,
/// FUTEX_WAIT_BITSET's absolute (CLOCK_MONOTONIC, or CLOCK_REALTIME with the flag).
fn read_timeout(timeout: u64, cmd: u32, op: u32) -> KResult<Option<u64>> {
    if timeout == 0 {
        return Ok(None);
    }
    let ts: rill_abi::types::Timespec = read_val(timeout)?;
    let ns = rill_abi::time::timespec_ns(&ts)?;
    let now = crate::time::now_ns();
    Ok(Some(if cmd == fx::FUTEX_WAIT {
        rill_abi::time::deadline_after(now, ns)
    } else if op & fx::FUTEX_CLOCK_REALTIME != 0 {
        let rt = crate::time::realtime_ns().max(0) as u64;
        rill_abi::time::deadline_after(now, ns.saturating_sub(rt))
    } else {
        ns
    }))
}

pub fn futex(addr: u64, op: u32, val: u32, timeout: u64, addr2: u64, val3: u32) -> SysResult {
    let cmd = op & !(fx::FUTEX_PRIVATE_FLAG | fx::FUTEX_CLOCK_REALTIME);
    let private = op & fx::FUTEX_PRIVATE_FLAG != 0;
    if op & fx::FUTEX_CLOCK_REALTIME != 0 && cmd != fx::FUTEX_WAIT_BITSET {
        return Err(Errno::ENOSYS);
    }
    match cmd {
        fx::FUTEX_WAIT => {
            let d = read_timeout(timeout, cmd, op)?;
            fx::wait(addr, val, d, BITSET_ANY, private)
        }
        fx::FUTEX_WAIT_BITSET => {
            let d = read_timeout(timeout, cmd, op)?;
            fx::wait(addr, val, d, val3, private)
        }
        fx::FUTEX_WAKE => fx::wake(addr, fx::wake_count(val), BITSET_ANY, private),
        fx::FUTEX_WAKE_BITSET => {
            if val3 == 0 {
                return Err(Errno::EINVAL);
            }
            fx::wake(addr, fx::wake_count(val), val3, private)
        }
        // the second count travels in the timeout argument, as an int
        fx::FUTEX_REQUEUE => fx::requeue(addr, val, timeout as u32, addr2, None, private),
        fx::FUTEX_CMP_REQUEUE => fx::requeue(addr, val, timeout as u32, addr2, Some(val3), private),
        fx::FUTEX_WAKE_OP => fx::wake_op(addr, val, timeout as u32, addr2, val3, private),
        _ => Err(Errno::ENOSYS),
    }
}
