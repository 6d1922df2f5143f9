//! A POSIX terminal line discipline (Linux `n_tty` behaviour), independent of
//! any hardware: the driver feeds received bytes to [`LineDiscipline::receive`]
//! and sends the echo bytes it returns to the device; readers call
//! [`LineDiscipline::read`]; writers pass their data through
//! [`LineDiscipline::output`].
//!
//! Supported:
//! - input flags `ISTRIP`, `INLCR`, `IGNCR`, `ICRNL`, `IUCLC` (with `IEXTEN`),
//!   `IXON`/`IXANY` (START/STOP are consumed and tracked in
//!   [`LineDiscipline::output_stopped`]), `IMAXBEL`, `IUTF8` (erase removes a
//!   whole UTF-8 character);
//! - `ISIG` with `VINTR`/`VQUIT`/`VSUSP` and `NOFLSH`;
//! - canonical editing: `VERASE`, `VWERASE`, `VKILL`, `VEOF`, `VEOL`,
//!   `VEOL2`, `VREPRINT`, `VLNEXT` (`VWERASE`, `VEOL2`, `VREPRINT` and `VLNEXT`
//!   need `IEXTEN`; `VREPRINT` also `ECHO`), with echo
//!   per `ECHO`, `ECHOE`, `ECHOK`, `ECHOKE`, `ECHONL`, `ECHOCTL`;
//! - output flags `OPOST`, `OLCUC`, `ONLCR`, `OCRNL`, `ONOCR`, `ONLRET`,
//!   `TABDLY == XTABS`.
//!
//! Non-canonical (raw) reads follow `VMIN`/`VTIME` as far as a line discipline
//! can without a clock: [`LineDiscipline::readable`] is true when at least
//! `VMIN` bytes are buffered (at least 1 if `VTIME > 0`, since the read timer
//! runs once a byte has arrived; the caller owns the timer), and always when
//! `VMIN == 0`, in which case a read of an empty buffer returns 0 at once.
//!
//! Lines are limited to 4095 bytes plus the terminator and the input buffer to
//! 4096 bytes like Linux; excess input is dropped (with a BEL echoed if
//! `IMAXBEL`).
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::cell::Cell;
use rill_abi::consts::*;
use rill_abi::types::{Termios, Winsize};
use rill_abi::Errno;

/// Size of the input buffer (`N_TTY_BUF_SIZE`).
pub const INPUT_BUF_SIZE: usize = 4096;

const BEL: u8 = 0x07;

/// The Linux default `c_cc` (`INIT_C_CC`).
pub const DEFAULT_CC: [u8; NCCS] = [
    0x03, // VINTR ^C
    0x1c, // VQUIT ^\
    0x7f, // VERASE DEL
    0x15, // VKILL ^U
    0x04, // VEOF ^D
    0,    // VTIME
    1,    // VMIN
    0,    // VSWTC
    0x11, // VSTART ^Q
    0x13, // VSTOP ^S
    0x1a, // VSUSP ^Z
    0,    // VEOL
    0x12, // VREPRINT ^R
    0x0f, // VDISCARD ^O
    0x17, // VWERASE ^W
    0x16, // VLNEXT ^V
    0,    // VEOL2
    0, 0,
];

/// The termios a Linux console starts with.
pub fn default_termios() -> Termios {
    Termios {
        c_iflag: ICRNL | IXON,
        c_oflag: OPOST | ONLCR,
        c_cflag: B38400 | CS8 | CREAD | HUPCL,
        c_lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
        c_line: 0,
        c_cc: DEFAULT_CC,
    }
}

/// One terminal's line discipline state.
#[derive(Debug)]
pub struct LineDiscipline {
    termios: Termios,
    winsize: Winsize,
    /// Canonical mode: completed lines ready for reading. An empty entry is an
    /// end-of-file mark (a `VEOF` at the start of a line).
    lines: VecDeque<Vec<u8>>,
    /// Bytes already consumed from the front line by a partial read.
    front_pos: usize,
    /// Canonical mode: the line being edited.
    edit: Vec<u8>,
    /// Non-canonical mode: buffered input.
    raw: VecDeque<u8>,
    /// The previous byte was `VLNEXT`.
    lnext: bool,
    /// Output stopped by `VSTOP` (IXON) or `TCXONC`/`TCOOFF`.
    stopped: bool,
    /// Output column, for tab expansion, `ONOCR` and erasing tabs.
    column: Cell<usize>,
    /// Column at which the current edit line started.
    canon_column: usize,
}

impl Default for LineDiscipline {
    fn default() -> Self {
        Self::new()
    }
}

fn is_ctrl(c: u8) -> bool {
    c < 0x20 || c == 0x7f
}

impl LineDiscipline {
    /// A line discipline with the Linux console's default termios and a 24x80 window.
    pub fn new() -> Self {
        LineDiscipline {
            termios: default_termios(),
            winsize: Winsize {
                ws_row: 24,
                ws_col: 80,
                ws_xpixel: 0,
                ws_ypixel: 0,
            },
            lines: VecDeque::new(),
            front_pos: 0,
            edit: Vec::new(),
            raw: VecDeque::new(),
            lnext: false,
            stopped: false,
            column: Cell::new(0),
            canon_column: 0,
        }
    }

    /// The current termios (`TCGETS`).
    pub fn termios(&self) -> Termios {
        self.termios
    }

    /// Installs a new termios (`TCSETS`/`TCSETSW`; for `TCSETSF` call
    /// [`flush_input`](Self::flush_input) first). Switching from canonical to
    /// non-canonical mode makes all pending input (including the partial line)
    /// readable as raw bytes; switching to canonical mode makes pending raw bytes
    /// one readable line, as Linux does.
    pub fn set_termios(&mut self, t: &Termios) {
        let was_canon = self.canon();
        self.termios = *t;
        let now_canon = self.canon();
        if was_canon && !now_canon {
            let mut first = true;
            while let Some(line) = self.lines.pop_front() {
                let start = if first { self.front_pos } else { 0 };
                first = false;
                self.raw.extend(line.get(start..).unwrap_or(&[]));
            }
            self.front_pos = 0;
            self.raw.extend(self.edit.drain(..));
        } else if !was_canon && now_canon && !self.raw.is_empty() {
            let pending: Vec<u8> = self.raw.drain(..).collect();
            self.lines.push_back(pending);
        }
        if !self.termios_flag_i(IXON) {
            self.stopped = false;
        }
    }

    /// The window size (`TIOCGWINSZ`).
    pub fn winsize(&self) -> Winsize {
        self.winsize
    }

    /// Sets the window size (`TIOCSWINSZ`). Returns whether it changed, in which
    /// case the caller sends SIGWINCH to the foreground process group.
    pub fn set_winsize(&mut self, ws: Winsize) -> bool {
        let changed = ws != self.winsize;
        self.winsize = ws;
        changed
    }

    /// Whether output is stopped by flow control (`VSTOP` with `IXON`, or `TCOOFF`).
    pub fn output_stopped(&self) -> bool {
        self.stopped
    }

    /// `TCXONC` `TCOOFF`/`TCOON`.
    pub fn set_output_stopped(&mut self, stopped: bool) {
        self.stopped = stopped;
    }

    /// Discards all pending input (`TCFLSH` `TCIFLUSH`, `TCSETSF`, signals).
    pub fn flush_input(&mut self) {
        self.lines.clear();
        self.front_pos = 0;
        self.edit.clear();
        self.raw.clear();
        self.lnext = false;
    }

    /// Bytes a read could return now (`FIONREAD`): completed lines in canonical
    /// mode, all buffered bytes otherwise.
    pub fn bytes_available(&self) -> usize {
        if self.canon() {
            let total: usize = self.lines.iter().map(|l| l.len()).sum();
            total.saturating_sub(self.front_pos)
        } else {
            self.raw.len()
        }
    }

    fn canon(&self) -> bool {
        self.termios.c_lflag & ICANON != 0
    }
    fn termios_flag_i(&self, f: u32) -> bool {
        self.termios.c_iflag & f != 0
    }
    fn lflag(&self, f: u32) -> bool {
        self.termios.c_lflag & f != 0
    }
    fn cc(&self, idx: usize) -> u8 {
        self.termios.c_cc.get(idx).copied().unwrap_or(VDISABLE)
    }
    /// Whether `c` is the (enabled) control character at `idx`.
    fn is_cc(&self, c: u8, idx: usize) -> bool {
        let v = self.cc(idx);
        v != VDISABLE && v == c
    }

    fn buffered(&self) -> usize {
        let lines: usize = self.lines.iter().map(|l| l.len() + 1).sum();
        lines + self.edit.len() + self.raw.len()
    }

    /// Whether a read would return now (see the crate docs for VMIN/VTIME).
    pub fn readable(&self) -> bool {
        if self.canon() {
            return !self.lines.is_empty();
        }
        let vmin = self.cc(VMIN) as usize;
        let vtime = self.cc(VTIME);
        if vmin == 0 {
            return true;
        }
        let need = if vtime > 0 { 1 } else { vmin };
        self.raw.len() >= need
    }

    /// Reads pending input. Canonical mode returns at most one line (the
    /// terminator included; a `VEOF` terminator is not), and `Ok(0)` once for an
    /// end-of-file mark. Non-canonical mode returns whatever is buffered, up to
    /// `buf.len()`; with `VMIN == 0` an empty buffer gives `Ok(0)`. Otherwise
    /// nothing readable is `EAGAIN`: the caller blocks (or fails a non-blocking
    /// read) and retries once [`readable`](Self::readable) is true.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.canon() {
            let Some(line) = self.lines.front() else {
                return Err(Errno::EAGAIN);
            };
            if line.is_empty() {
                self.lines.pop_front();
                self.front_pos = 0;
                return Ok(0);
            }
            let rest = line.get(self.front_pos..).unwrap_or(&[]);
            let n = rest.len().min(buf.len());
            if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
                dst.copy_from_slice(src);
            }
            self.front_pos += n;
            if self.front_pos >= line.len() {
                self.lines.pop_front();
                self.front_pos = 0;
            }
            return Ok(n);
        }
        if self.raw.is_empty() {
            return if self.cc(VMIN) == 0 {
                Ok(0)
            } else {
                Err(Errno::EAGAIN)
            };
        }
        let mut n = 0;
        for slot in buf.iter_mut() {
            match self.raw.pop_front() {
                Some(b) => {
                    *slot = b;
                    n += 1;
                }
                None => break,
            }
        }
        Ok(n)
    }

    /// Processes one received byte. Echo bytes (already output-processed) are
    /// appended to `echo`. Returns the signal to send to the foreground process
    /// group when the byte is an `ISIG` character.
    pub fn receive(&mut self, byte: u8, echo: &mut Vec<u8>) -> Option<u32> {
        let mut e = Vec::new();
        let sig = self.receive_inner(byte, &mut e);
        self.output(&e, echo);
        sig
    }

    fn receive_inner(&mut self, byte: u8, e: &mut Vec<u8>) -> Option<u32> {
        let mut c = byte;
        if self.termios_flag_i(ISTRIP) {
            c &= 0x7f;
        }
        if self.termios_flag_i(IUCLC) && self.lflag(IEXTEN) {
            c = c.to_ascii_lowercase();
        }
        if self.lnext {
            self.lnext = false;
            self.put_char(c, e);
            return None;
        }
        // Flow control.
        if self.termios_flag_i(IXON) {
            if self.is_cc(c, VSTOP) {
                self.stopped = true;
                return None;
            }
            if self.is_cc(c, VSTART) {
                self.stopped = false;
                return None;
            }
            if self.stopped && self.termios_flag_i(IXANY) {
                self.stopped = false;
            }
        }
        // Signals.
        if self.lflag(ISIG) {
            let sig = if self.is_cc(c, VINTR) {
                Some(SIGINT)
            } else if self.is_cc(c, VQUIT) {
                Some(SIGQUIT)
            } else if self.is_cc(c, VSUSP) {
                Some(SIGTSTP)
            } else {
                None
            };
            if let Some(s) = sig {
                if !self.lflag(NOFLSH) {
                    self.flush_input();
                }
                if self.termios_flag_i(IXON) {
                    self.stopped = false;
                }
                if self.lflag(ECHO) {
                    self.echo_char(c, e);
                }
                return Some(s);
            }
        }
        // CR/NL mapping (after the signal characters, as in Linux).
        if c == b'\r' {
            if self.termios_flag_i(IGNCR) {
                return None;
            }
            if self.termios_flag_i(ICRNL) {
                c = b'\n';
            }
        } else if c == b'\n' && self.termios_flag_i(INLCR) {
            c = b'\r';
        }
        if self.canon() {
            if self.lflag(IEXTEN) && self.is_cc(c, VLNEXT) {
                self.lnext = true;
                if self.lflag(ECHO) && self.lflag(ECHOCTL) {
                    e.extend_from_slice(b"^\x08");
                }
                return None;
            }
            if self.is_cc(c, VERASE) {
                self.erase(false, e);
                return None;
            }
            if self.lflag(IEXTEN) && self.is_cc(c, VWERASE) {
                self.erase(true, e);
                return None;
            }
            if self.is_cc(c, VKILL) {
                self.kill(c, e);
                return None;
            }
            if self.lflag(IEXTEN) && self.lflag(ECHO) && self.is_cc(c, VREPRINT) {
                self.echo_char(c, e);
                e.push(b'\n');
                for &b in &self.edit {
                    self.echo_char(b, e);
                }
                return None;
            }
            if self.is_cc(c, VEOF) {
                let line = core::mem::take(&mut self.edit);
                self.lines.push_back(line);
                return None;
            }
            let is_eol =
                c == b'\n' || self.is_cc(c, VEOL) || (self.lflag(IEXTEN) && self.is_cc(c, VEOL2));
            if is_eol {
                if self.buffered() + 1 > INPUT_BUF_SIZE {
                    self.bell(e);
                    return None;
                }
                if self.lflag(ECHO) || (c == b'\n' && self.lflag(ECHONL)) {
                    if c == b'\n' {
                        e.push(b'\n');
                    } else {
                        self.echo_char(c, e);
                    }
                }
                let mut line = core::mem::take(&mut self.edit);
                line.push(c);
                self.lines.push_back(line);
                return None;
            }
        }
        self.put_char(c, e);
        None
    }

    /// Stores an ordinary character (in the edit line or the raw queue) and echoes it.
    fn put_char(&mut self, c: u8, e: &mut Vec<u8>) {
        if self.canon() {
            // Keep room for the line terminator.
            if self.edit.len() >= INPUT_BUF_SIZE - 1 || self.buffered() + 2 > INPUT_BUF_SIZE {
                self.bell(e);
                return;
            }
            if self.edit.is_empty() {
                self.canon_column = self.column.get();
            }
            self.edit.push(c);
        } else {
            if self.raw.len() >= INPUT_BUF_SIZE {
                self.bell(e);
                return;
            }
            self.raw.push_back(c);
        }
        if self.lflag(ECHO) {
            self.echo_char(c, e);
        } else if c == b'\n' && self.lflag(ECHONL) {
            e.push(b'\n');
        }
    }

    fn bell(&self, e: &mut Vec<u8>) {
        if self.termios_flag_i(IMAXBEL) {
            e.push(BEL);
        }
    }

    /// Echoes `c`, as `^X` if it is a control character and `ECHOCTL` is set.
    fn echo_char(&self, c: u8, e: &mut Vec<u8>) {
        if self.lflag(ECHOCTL) && is_ctrl(c) && c != b'\t' && c != b'\n' {
            e.push(b'^');
            e.push(c ^ 0x40);
        } else {
            e.push(c);
        }
    }

    /// How many columns the echo of `c` took (for visual erasure): 2 for `^X`,
    /// 0 for a control character echoed raw, 1 otherwise.
    fn echo_width(&self, c: u8) -> usize {
        if self.lflag(ECHOCTL) && is_ctrl(c) && c != b'\t' && c != b'\n' {
            2
        } else if c < 0x20 || c == 0x7f {
            0
        } else {
            1
        }
    }

    /// Removes the last character from the edit line; returns it (the lead byte
    /// for a UTF-8 sequence) and the number of bytes removed.
    fn pop_char(&mut self) -> Option<(u8, usize)> {
        let mut removed = 0;
        loop {
            let b = self.edit.pop()?;
            removed += 1;
            let continuation = b & 0xc0 == 0x80;
            if !(self.termios_flag_i(IUTF8) && continuation && !self.edit.is_empty()) {
                return Some((b, removed));
            }
        }
    }

    /// Visually erases one echoed character `c` (already removed from `edit`).
    fn erase_echo(&self, c: u8, e: &mut Vec<u8>) {
        if c == b'\t' {
            // Recompute the column the tab started at from the line start.
            let mut col = self.canon_column;
            for &b in &self.edit {
                if b == b'\t' {
                    col = (col | 7) + 1;
                } else if b & 0xc0 != 0x80 || !self.termios_flag_i(IUTF8) {
                    col += self.echo_width(b);
                }
            }
            let tab_end = (col | 7) + 1;
            for _ in col..tab_end {
                e.push(b'\x08');
            }
            return;
        }
        for _ in 0..self.echo_width(c) {
            e.extend_from_slice(b"\x08 \x08");
        }
    }

    /// `VERASE` (`word == false`) or `VWERASE`.
    fn erase(&mut self, word: bool, e: &mut Vec<u8>) {
        let echo = self.lflag(ECHO);
        if !word && echo && !self.lflag(ECHOE) {
            if !self.edit.is_empty() {
                self.pop_char();
                self.echo_char(self.cc(VERASE), e);
            }
            return;
        }
        let mut seen_alnum = false;
        while let Some(&last) = self.edit.last() {
            if word {
                if last.is_ascii_alphanumeric() || last == b'_' {
                    seen_alnum = true;
                } else if seen_alnum {
                    break;
                }
            }
            let Some((c, _)) = self.pop_char() else { break };
            if echo {
                self.erase_echo(c, e);
            }
            if !word {
                break;
            }
        }
    }

    /// `VKILL`: discard the edit line.
    fn kill(&mut self, c: u8, e: &mut Vec<u8>) {
        if !self.lflag(ECHO) {
            self.edit.clear();
            return;
        }
        if !(self.lflag(ECHOK) && self.lflag(ECHOKE) && self.lflag(ECHOE)) {
            self.edit.clear();
            self.echo_char(c, e);
            if self.lflag(ECHOK) {
                e.push(b'\n');
            }
            return;
        }
        while let Some((ch, _)) = self.pop_char() {
            self.erase_echo(ch, e);
        }
    }

    /// Output processing of data written to the terminal (also applied to echo).
    /// With `OPOST`: `OLCUC` upper-cases, `ONLCR` maps NL to CR-NL, `OCRNL` maps CR
    /// to NL, `ONOCR` drops CR at column 0, `ONLRET` makes NL return the column to
    /// 0, `XTABS` expands tabs to spaces.
    pub fn output(&self, data: &[u8], out: &mut Vec<u8>) {
        let o = self.termios.c_oflag;
        if o & OPOST == 0 {
            out.extend_from_slice(data);
            // Track the column roughly even without processing.
            for &c in data {
                self.advance_column(c);
            }
            return;
        }
        for &c0 in data {
            let mut c = c0;
            if o & OLCUC != 0 {
                c = c.to_ascii_uppercase();
            }
            match c {
                b'\n' => {
                    if o & ONLCR != 0 {
                        out.extend_from_slice(b"\r\n");
                        self.column.set(0);
                    } else {
                        out.push(b'\n');
                        if o & ONLRET != 0 {
                            self.column.set(0);
                        }
                    }
                }
                b'\r' => {
                    if o & ONOCR != 0 && self.column.get() == 0 {
                        continue;
                    }
                    if o & OCRNL != 0 {
                        out.push(b'\n');
                        if o & ONLRET != 0 {
                            self.column.set(0);
                        }
                    } else {
                        out.push(b'\r');
                        self.column.set(0);
                    }
                }
                b'\t' => {
                    let col = self.column.get();
                    let next = (col | 7) + 1;
                    if o & TABDLY == XTABS {
                        out.extend(core::iter::repeat_n(b' ', next - col));
                    } else {
                        out.push(b'\t');
                    }
                    self.column.set(next);
                }
                _ => {
                    out.push(c);
                    self.advance_column(c);
                }
            }
        }
    }

    fn advance_column(&self, c: u8) {
        let col = self.column.get();
        let next = match c {
            b'\n' | b'\r' => 0,
            b'\t' => (col | 7) + 1,
            0x08 => col.saturating_sub(1),
            _ if is_ctrl(c) => col,
            // UTF-8 continuation bytes take no column.
            _ if c & 0xc0 == 0x80 => col,
            _ => col + 1,
        };
        self.column.set(next);
    }
}

#[cfg(test)]
mod tests;
