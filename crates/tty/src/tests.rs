use super::*;
use alloc::vec;

/// Feeds `input`, returning (echo bytes, signals raised).
fn feed(ld: &mut LineDiscipline, input: &[u8]) -> (Vec<u8>, Vec<u32>) {
    let mut echo = Vec::new();
    let mut sigs = Vec::new();
    for &b in input {
        if let Some(s) = ld.receive(b, &mut echo) {
            sigs.push(s);
        }
    }
    (echo, sigs)
}

fn read_all(ld: &mut LineDiscipline, cap: usize) -> Result<Vec<u8>, Errno> {
    let mut buf = vec![0u8; cap];
    let n = ld.read(&mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

fn raw_termios(ld: &LineDiscipline, vmin: u8, vtime: u8) -> Termios {
    let mut t = ld.termios();
    t.c_lflag &= !(ICANON | ECHO | ISIG | IEXTEN);
    t.c_iflag &= !(ICRNL | IXON);
    t.c_oflag &= !OPOST;
    t.c_cc[VMIN] = vmin;
    t.c_cc[VTIME] = vtime;
    t
}

#[test]
fn default_termios_matches_linux_console() {
    let t = LineDiscipline::new().termios();
    assert_eq!(t.c_iflag, 0o2400); // ICRNL | IXON
    assert_eq!(t.c_oflag, 0o5); // OPOST | ONLCR
    assert_eq!(t.c_cflag, 0o2277); // B38400 | CS8 | CREAD | HUPCL
    assert_eq!(t.c_lflag, 0o105073);
    assert_eq!(t.c_cc[VINTR], 3);
    assert_eq!(t.c_cc[VQUIT], 0x1c);
    assert_eq!(t.c_cc[VERASE], 0x7f);
    assert_eq!(t.c_cc[VKILL], 0x15);
    assert_eq!(t.c_cc[VEOF], 4);
    assert_eq!(t.c_cc[VTIME], 0);
    assert_eq!(t.c_cc[VMIN], 1);
    assert_eq!(t.c_cc[VSTART], 0x11);
    assert_eq!(t.c_cc[VSTOP], 0x13);
    assert_eq!(t.c_cc[VSUSP], 0x1a);
    assert_eq!(t.c_cc[VREPRINT], 0x12);
    assert_eq!(t.c_cc[VWERASE], 0x17);
    assert_eq!(t.c_cc[VLNEXT], 0x16);
}

#[test]
fn canonical_line_is_readable_only_when_complete() {
    let mut ld = LineDiscipline::new();
    let (echo, sigs) = feed(&mut ld, b"ls -l");
    assert!(sigs.is_empty());
    assert_eq!(echo, b"ls -l");
    assert!(!ld.readable());
    assert_eq!(ld.read(&mut [0u8; 16]), Err(Errno::EAGAIN));
    // CR is mapped to NL (ICRNL) and echoed as CR NL (ONLCR).
    let (echo, _) = feed(&mut ld, b"\r");
    assert_eq!(echo, b"\r\n");
    assert!(ld.readable());
    assert_eq!(ld.bytes_available(), 6);
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"ls -l\n");
    assert!(!ld.readable());
}

#[test]
fn canonical_read_returns_one_line_at_a_time_and_partial_lines() {
    let mut ld = LineDiscipline::new();
    feed(&mut ld, b"one\ntwo\n");
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"one\n");
    // A small buffer gets the line in pieces.
    assert_eq!(read_all(&mut ld, 2).unwrap(), b"tw");
    assert_eq!(ld.bytes_available(), 2);
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"o\n");
    assert_eq!(ld.read(&mut [0u8; 4]), Err(Errno::EAGAIN));
    // A zero-length read returns 0 without consuming anything.
    feed(&mut ld, b"x\n");
    assert_eq!(ld.read(&mut []), Ok(0));
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"x\n");
}

#[test]
fn erase_with_echoe() {
    let mut ld = LineDiscipline::new();
    let (echo, _) = feed(&mut ld, b"abc\x7f\x7fd\n");
    assert_eq!(echo, b"abc\x08 \x08\x08 \x08d\r\n");
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"ad\n");
    // Erase at the start of a line does nothing.
    let (echo, _) = feed(&mut ld, b"\x7fz\n");
    assert_eq!(echo, b"z\r\n");
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"z\n");
}

#[test]
fn erase_without_echoe_echoes_the_erase_char() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_lflag &= !ECHOE;
    ld.set_termios(&t);
    let (echo, _) = feed(&mut ld, b"ab\x7f\n");
    assert_eq!(echo, b"ab^?\r\n");
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"a\n");
}

#[test]
fn erasing_a_control_char_erases_two_columns() {
    let mut ld = LineDiscipline::new();
    // ^A is echoed as "^A" (ECHOCTL), so erasing it takes two backspaces.
    let (echo, _) = feed(&mut ld, b"\x01\x7f");
    assert_eq!(echo, b"^A\x08 \x08\x08 \x08");
    feed(&mut ld, b"\n");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"\n");
}

#[test]
fn erase_utf8_character_with_iutf8() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_iflag |= IUTF8;
    ld.set_termios(&t);
    let (echo, _) = feed(&mut ld, "aé".as_bytes());
    let (erase_echo, _) = feed(&mut ld, b"\x7f\n");
    assert_eq!(echo, "aé".as_bytes());
    assert_eq!(erase_echo, b"\x08 \x08\r\n");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"a\n");
}

#[test]
fn word_erase() {
    let mut ld = LineDiscipline::new();
    let (_, _) = feed(&mut ld, b"echo hello  ");
    let (echo, _) = feed(&mut ld, b"\x17");
    // Two spaces and five letters erased.
    assert_eq!(echo, b"\x08 \x08".repeat(7));
    feed(&mut ld, b"bye\n");
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"echo bye\n");
    // Word erase stops at punctuation after alnums.
    feed(&mut ld, b"a/bc\x17\n");
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"a/\n");
}

#[test]
fn kill_line_with_echoke_erases_visually() {
    let mut ld = LineDiscipline::new();
    let (echo, _) = feed(&mut ld, b"abc\x15");
    assert_eq!(echo, [&b"abc"[..], &b"\x08 \x08".repeat(3)].concat());
    feed(&mut ld, b"xy\n");
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"xy\n");
}

#[test]
fn kill_line_without_echoke_echoes_kill_char_and_newline() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_lflag &= !ECHOKE;
    ld.set_termios(&t);
    let (echo, _) = feed(&mut ld, b"abc\x15");
    assert_eq!(echo, b"abc^U\r\n");
    feed(&mut ld, b"d\n");
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"d\n");
}

#[test]
fn eof_at_line_start_reads_zero_once() {
    let mut ld = LineDiscipline::new();
    let (echo, _) = feed(&mut ld, b"\x04");
    assert!(echo.is_empty());
    assert!(ld.readable());
    assert_eq!(ld.read(&mut [0u8; 16]), Ok(0));
    assert!(!ld.readable());
    assert_eq!(ld.read(&mut [0u8; 16]), Err(Errno::EAGAIN));
}

#[test]
fn eof_mid_line_pushes_the_line_without_terminator() {
    let mut ld = LineDiscipline::new();
    feed(&mut ld, b"abc\x04\x04");
    assert_eq!(read_all(&mut ld, 16).unwrap(), b"abc");
    // The second ^D was at the start of a (new) line: EOF.
    assert_eq!(ld.read(&mut [0u8; 16]), Ok(0));
    assert_eq!(ld.read(&mut [0u8; 16]), Err(Errno::EAGAIN));
}

#[test]
fn literal_next() {
    let mut ld = LineDiscipline::new();
    // ^V ^C inserts a literal ^C and raises no signal; ^V DEL inserts DEL.
    let (echo, sigs) = feed(&mut ld, b"\x16\x03\x16\x7f\n");
    assert!(sigs.is_empty());
    assert_eq!(echo, b"^\x08^C^\x08^?\r\n");
    assert_eq!(read_all(&mut ld, 16).unwrap(), b"\x03\x7f\n");
}

#[test]
fn signals_flush_input_and_echo() {
    let mut ld = LineDiscipline::new();
    feed(&mut ld, b"done\npartial");
    let (echo, sigs) = feed(&mut ld, b"\x03");
    assert_eq!(sigs, vec![SIGINT]);
    assert_eq!(echo, b"^C");
    assert!(!ld.readable());
    assert_eq!(ld.bytes_available(), 0);
    let (_, sigs) = feed(&mut ld, b"\x1c\x1a");
    assert_eq!(sigs, vec![SIGQUIT, SIGTSTP]);
    // Nothing of the signal characters entered the buffer.
    feed(&mut ld, b"\n");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"\n");
}

#[test]
fn noflsh_keeps_input_and_isig_off_passes_chars() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_lflag |= NOFLSH;
    ld.set_termios(&t);
    feed(&mut ld, b"keep\n");
    let (_, sigs) = feed(&mut ld, b"\x03");
    assert_eq!(sigs, vec![SIGINT]);
    assert_eq!(read_all(&mut ld, 16).unwrap(), b"keep\n");

    t.c_lflag &= !ISIG;
    ld.set_termios(&t);
    let (echo, sigs) = feed(&mut ld, b"\x03\n");
    assert!(sigs.is_empty());
    assert_eq!(echo, b"^C\r\n");
    assert_eq!(read_all(&mut ld, 16).unwrap(), b"\x03\n");
}

#[test]
fn disabled_control_chars_are_ordinary() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_cc[VINTR] = VDISABLE;
    ld.set_termios(&t);
    // NUL must not match a disabled VINTR (both are 0).
    let (_, sigs) = feed(&mut ld, b"\x00\x03\n");
    assert!(sigs.is_empty());
    assert_eq!(read_all(&mut ld, 16).unwrap(), b"\x00\x03\n");
}

#[test]
fn echo_off_and_echonl() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_lflag &= !ECHO;
    ld.set_termios(&t);
    let (echo, _) = feed(&mut ld, b"secret\n");
    assert!(echo.is_empty());
    assert_eq!(read_all(&mut ld, 16).unwrap(), b"secret\n");
    t.c_lflag |= ECHONL;
    ld.set_termios(&t);
    let (echo, _) = feed(&mut ld, b"pw\n");
    assert_eq!(echo, b"\r\n");
}

#[test]
fn echoctl_off_echoes_raw_control_chars() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_lflag &= !ECHOCTL;
    ld.set_termios(&t);
    let (echo, _) = feed(&mut ld, b"\x01\t");
    assert_eq!(echo, b"\x01\t");
}

#[test]
fn input_cr_nl_mapping_flags() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_iflag = IGNCR;
    ld.set_termios(&t);
    feed(&mut ld, b"a\r\n");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"a\n");
    // INLCR: NL becomes CR, which is not a line terminator.
    t.c_iflag = INLCR;
    ld.set_termios(&t);
    feed(&mut ld, b"b\n");
    assert!(!ld.readable());
    t.c_iflag = ICRNL;
    ld.set_termios(&t);
    feed(&mut ld, b"\r");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"b\r\n");
    // ISTRIP clears the high bit.
    t.c_iflag = ISTRIP;
    ld.set_termios(&t);
    feed(&mut ld, b"\xc1\n");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"A\n");
}

#[test]
fn raw_mode_vmin_1() {
    let mut ld = LineDiscipline::new();
    let t = raw_termios(&ld, 1, 0);
    ld.set_termios(&t);
    assert!(!ld.readable());
    assert_eq!(ld.read(&mut [0u8; 4]), Err(Errno::EAGAIN));
    let (echo, sigs) = feed(&mut ld, b"\x03\r\x7f");
    assert!(echo.is_empty());
    assert!(sigs.is_empty());
    assert!(ld.readable());
    assert_eq!(ld.bytes_available(), 3);
    assert_eq!(read_all(&mut ld, 2).unwrap(), b"\x03\r");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"\x7f");
}

#[test]
fn raw_mode_vmin_and_vtime() {
    let mut ld = LineDiscipline::new();
    let t = raw_termios(&ld, 3, 0);
    ld.set_termios(&t);
    feed(&mut ld, b"ab");
    assert!(!ld.readable());
    feed(&mut ld, b"c");
    assert!(ld.readable());
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"abc");
    // VMIN = 0: always readable, empty read returns 0.
    let t = raw_termios(&ld, 0, 0);
    ld.set_termios(&t);
    assert!(ld.readable());
    assert_eq!(ld.read(&mut [0u8; 8]), Ok(0));
    // VMIN > 0 with VTIME: readable after the first byte (timer is the caller's).
    let t = raw_termios(&ld, 5, 10);
    ld.set_termios(&t);
    assert!(!ld.readable());
    feed(&mut ld, b"x");
    assert!(ld.readable());
}

#[test]
fn raw_mode_with_isig_and_echo() {
    let mut ld = LineDiscipline::new();
    let mut t = raw_termios(&ld, 1, 0);
    t.c_lflag |= ISIG | ECHO;
    ld.set_termios(&t);
    let (echo, sigs) = feed(&mut ld, b"q\x03");
    assert_eq!(sigs, vec![SIGINT]);
    // ECHOCTL is still set, so ^C echoes as "^C".
    assert_eq!(echo, b"q^C");
    // Signal flushed the buffered 'q'.
    assert!(!ld.readable());
}

#[test]
fn switching_modes_keeps_pending_input() {
    let mut ld = LineDiscipline::new();
    feed(&mut ld, b"line\npart");
    let t = raw_termios(&ld, 1, 0);
    ld.set_termios(&t);
    assert_eq!(ld.bytes_available(), 9);
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"line\npart");
    feed(&mut ld, b"xyz");
    ld.set_termios(&default_termios());
    assert!(ld.readable());
    assert_eq!(read_all(&mut ld, 64).unwrap(), b"xyz");
}

#[test]
fn flush_input_discards_everything() {
    let mut ld = LineDiscipline::new();
    feed(&mut ld, b"a\nb");
    ld.flush_input();
    assert!(!ld.readable());
    feed(&mut ld, b"\n");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"\n");
}

#[test]
fn output_processing() {
    let mut ld = LineDiscipline::new();
    let mut out = Vec::new();
    ld.output(b"a\nb\n", &mut out);
    assert_eq!(out, b"a\r\nb\r\n");

    let mut t = ld.termios();
    t.c_oflag = OPOST | OCRNL;
    ld.set_termios(&t);
    out.clear();
    ld.output(b"x\ry\n", &mut out);
    assert_eq!(out, b"x\ny\n");

    t.c_oflag = OPOST | OLCUC | ONLCR;
    ld.set_termios(&t);
    out.clear();
    ld.output(b"hi\n", &mut out);
    assert_eq!(out, b"HI\r\n");

    // Without OPOST nothing changes.
    t.c_oflag = ONLCR;
    ld.set_termios(&t);
    out.clear();
    ld.output(b"a\nb", &mut out);
    assert_eq!(out, b"a\nb");

    // ONOCR drops CR at column 0 only.
    t.c_oflag = OPOST | ONOCR;
    let mut ld2 = LineDiscipline::new();
    ld2.set_termios(&t);
    out.clear();
    ld2.output(b"\rab\r", &mut out);
    assert_eq!(out, b"ab\r");

    // XTABS expands tabs to the next multiple of 8.
    let mut ld3 = LineDiscipline::new();
    let mut t3 = ld3.termios();
    t3.c_oflag = OPOST | ONLCR | XTABS;
    ld3.set_termios(&t3);
    out.clear();
    ld3.output(b"ab\tc\n\t", &mut out);
    assert_eq!(out, b"ab      c\r\n        ");
}

#[test]
fn echo_goes_through_output_processing() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_oflag = OPOST | OLCUC | ONLCR;
    ld.set_termios(&t);
    let (echo, _) = feed(&mut ld, b"ok\r");
    assert_eq!(echo, b"OK\r\n");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"ok\n");
}

#[test]
fn erasing_a_tab_moves_back_to_its_start_column() {
    let mut ld = LineDiscipline::new();
    let (echo, _) = feed(&mut ld, b"ab\t\x7f");
    // "ab" then a tab to column 8; erasing it goes back 6 columns.
    assert_eq!(echo, [&b"ab\t"[..], &[0x08u8; 6][..]].concat());
}

#[test]
fn flow_control_with_ixon() {
    let mut ld = LineDiscipline::new();
    let (echo, _) = feed(&mut ld, b"\x13");
    assert!(echo.is_empty());
    assert!(ld.output_stopped());
    feed(&mut ld, b"\x11");
    assert!(!ld.output_stopped());
    feed(&mut ld, b"\n");
    // START/STOP never reach the reader.
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"\n");
}

#[test]
fn reprint_and_eol() {
    let mut ld = LineDiscipline::new();
    let (echo, _) = feed(&mut ld, b"ab\x12");
    assert_eq!(echo, b"ab^R\r\nab");
    let mut t = ld.termios();
    t.c_cc[VEOL] = b';';
    ld.set_termios(&t);
    feed(&mut ld, b";");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"ab;");
}

#[test]
fn line_length_is_limited() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_iflag |= IMAXBEL;
    t.c_lflag &= !ECHO;
    ld.set_termios(&t);
    let long = vec![b'a'; 5000];
    let (echo, _) = feed(&mut ld, &long);
    assert_eq!(echo.len(), 5000 - 4095);
    assert!(echo.iter().all(|&b| b == 0x07));
    feed(&mut ld, b"\n");
    let line = read_all(&mut ld, 8192).unwrap();
    assert_eq!(line.len(), 4096);
    assert_eq!(line.last(), Some(&b'\n'));
}

#[test]
fn termios_round_trip_and_winsize() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_iflag = 0x1234;
    t.c_oflag = 0;
    t.c_cflag = B9600 | CS7;
    t.c_lflag = ECHO;
    t.c_line = 0;
    t.c_cc[VMIN] = 9;
    t.c_cc[VTIME] = 7;
    ld.set_termios(&t);
    assert_eq!(ld.termios(), t);
    // Also through the user-space byte layout (TCGETS copies 36 bytes).
    let bytes = bytemuck::bytes_of(&t).to_vec();
    assert_eq!(bytes.len(), 36);
    let back: Termios = bytemuck::pod_read_unaligned(&bytes);
    assert_eq!(back, t);
    assert_eq!(bytes[17 + VMIN], 9);

    assert_eq!(ld.winsize().ws_row, 24);
    let ws = Winsize {
        ws_row: 50,
        ws_col: 132,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    assert!(ld.set_winsize(ws));
    assert!(!ld.set_winsize(ws));
    assert_eq!(ld.winsize(), ws);
}

#[test]
fn lnext_is_ordinary_in_raw_mode() {
    let mut ld = LineDiscipline::new();
    let mut t = raw_termios(&ld, 1, 0);
    t.c_lflag |= IEXTEN;
    ld.set_termios(&t);
    feed(&mut ld, b"\x16a");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"\x16a");
}

#[test]
fn reprint_without_echo_is_an_ordinary_char() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_lflag &= !ECHO;
    ld.set_termios(&t);
    feed(&mut ld, b"a\x12\n");
    assert_eq!(read_all(&mut ld, 8).unwrap(), b"a\x12\n");
}

#[test]
fn erasing_raw_echoed_control_char_emits_nothing() {
    let mut ld = LineDiscipline::new();
    let mut t = ld.termios();
    t.c_lflag &= !ECHOCTL;
    ld.set_termios(&t);
    let (echo, _) = feed(&mut ld, b"\x01\x7f");
    assert_eq!(echo, b"\x01");
}
