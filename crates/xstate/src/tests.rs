use super::*;

const AVX: Config = Config {
    xsave: true,
    xcr0: 0x7,
    size: 832,
    mxcsr_mask: 0xffff,
};

fn saved_image(cfg: &Config) -> [u8; 1024] {
    let mut img = [0u8; 1024];
    cfg.init_image(&mut img[..cfg.size]);
    // xmm1 = 0x11.., ymm1 upper half = 0x22.., SSE and AVX in use
    img[XMM_OFFSET + 16..XMM_OFFSET + 32].fill(0x11);
    img[576 + 16..576 + 32].fill(0x22);
    img[XSAVE_HDR_OFFSET] = 0x6;
    img
}

fn frame_of(cfg: &Config, img: &[u8]) -> [u8; 1024] {
    let mut f = [0u8; 1024];
    cfg.sigframe_image(img, &mut f[..cfg.sigframe_fp_size()]);
    f
}

fn restore(cfg: &Config, frame: &[u8], addr: u64) -> Result<[u8; 1024], BadFpstate> {
    let mut form = cfg.restore_form(&frame[..FXSAVE_SIZE]);
    if let RestoreForm::Xsave { xstate_size, .. } = form {
        if get32(frame, xstate_size) != FP_XSTATE_MAGIC2 {
            form = RestoreForm::FxOnly;
        }
    }
    let mut out = [0u8; 1024];
    let user = match form {
        RestoreForm::FxOnly => &frame[..FXSAVE_SIZE],
        RestoreForm::Xsave { .. } => &frame[..cfg.size],
    };
    cfg.restore_image(form, addr, user, &mut out[..cfg.size])?;
    Ok(out)
}

#[test]
fn xcr0_choice() {
    assert_eq!(choose_xcr0(0x3), 0x3);
    assert_eq!(choose_xcr0(0x7), 0x7);
    // AVX-512 only with all three components, PKRU/AMX never
    assert_eq!(choose_xcr0(0x2e7), 0xe7);
    assert_eq!(choose_xcr0(0x67), 0x7);
    assert_eq!(choose_xcr0(0x60207), 0x7);
    // AVX-512 needs AVX
    assert_eq!(choose_xcr0(0xe3), 0x3);
}

#[test]
fn sizes() {
    assert_eq!(AVX.area_size(), 832);
    assert_eq!(AVX.sigframe_fp_size(), 836);
    assert_eq!(Config { size: 840, ..AVX }.area_size(), 896);
    assert_eq!(Config::FXSAVE.sigframe_fp_size(), 512);
    // 440 + 15 + 836 + 63 = 1354 -> 1360
    assert_eq!(AVX.min_sigstksz(), 1360);
    let avx512 = Config {
        xcr0: 0xe7,
        size: 2688,
        ..AVX
    };
    assert_eq!(avx512.min_sigstksz(), 3216);
    assert!(Config::FXSAVE.min_sigstksz() >= 440 + 512);
}

#[test]
fn initial_image() {
    let mut img = [0xaau8; 832];
    AVX.init_image(&mut img);
    assert_eq!(&img[0..2], &[0x7f, 0x03]);
    assert_eq!(get32(&img, MXCSR_OFFSET), 0x1f80);
    assert_eq!(get32(&img, MXCSR_MASK_OFFSET), 0xffff);
    assert_eq!(get64(&img, XSAVE_HDR_OFFSET), 0);
    assert!(img[32..].iter().all(|&b| b == 0));
}

#[test]
fn sigframe_has_sw_bytes_and_magic2() {
    let img = saved_image(&AVX);
    let f = frame_of(&AVX, &img);
    assert_eq!(get32(&f, SW_BYTES_OFFSET), FP_XSTATE_MAGIC1);
    assert_eq!(get32(&f, SW_BYTES_OFFSET + 4), 836);
    assert_eq!(get64(&f, SW_BYTES_OFFSET + 8), 0x7);
    assert_eq!(get32(&f, SW_BYTES_OFFSET + 16), 832);
    assert_eq!(get32(&f, 832), FP_XSTATE_MAGIC2);
    // x87/SSE forced on in XSTATE_BV, AVX kept
    assert_eq!(get64(&f, XSAVE_HDR_OFFSET), 0x7);
    assert_eq!(&f[XMM_OFFSET + 16..XMM_OFFSET + 32], &[0x11; 16]);
}

#[test]
fn fxsave_sigframe_has_no_magic() {
    let mut img = [0u8; 512];
    Config::FXSAVE.init_image(&mut img);
    img[SW_BYTES_OFFSET] = 0x55;
    let mut f = [0u8; 512];
    Config::FXSAVE.sigframe_image(&img, &mut f);
    assert!(f[SW_BYTES_OFFSET..].iter().all(|&b| b == 0));
    assert_eq!(get32(&f, MXCSR_OFFSET), 0x1f80);
}

#[test]
fn roundtrip_and_edit() {
    let img = saved_image(&AVX);
    let mut f = frame_of(&AVX, &img);
    // the handler edits xmm1 and MXCSR rounding
    f[XMM_OFFSET + 16..XMM_OFFSET + 32].fill(0x33);
    let mx = get32(&f, MXCSR_OFFSET) | 0x6000;
    put32(&mut f, MXCSR_OFFSET, mx);
    let out = restore(&AVX, &f, 0x1000).unwrap();
    assert_eq!(&out[XMM_OFFSET + 16..XMM_OFFSET + 32], &[0x33; 16]);
    assert_eq!(&out[576 + 16..576 + 32], &[0x22; 16]);
    assert_eq!(get32(&out, MXCSR_OFFSET), 0x7f80);
    assert_eq!(get64(&out, XSAVE_HDR_OFFSET), 0x7);
    // sw bytes do not leak into the kernel copy
    assert!(out[SW_BYTES_OFFSET..FXSAVE_SIZE].iter().all(|&b| b == 0));
}

#[test]
fn bad_states_are_refused() {
    let img = saved_image(&AVX);
    let good = frame_of(&AVX, &img);
    let mut f = good;
    put32(&mut f, MXCSR_OFFSET, 0x1f80 | 1 << 20);
    assert_eq!(restore(&AVX, &f, 0x1000), Err(BadFpstate));
    let mut f = good;
    put64(&mut f, XSAVE_HDR_OFFSET, 0x7 | 1 << 9); // PKRU not enabled
    assert_eq!(restore(&AVX, &f, 0x1000), Err(BadFpstate));
    let mut f = good;
    put64(&mut f, XSAVE_HDR_OFFSET + 8, 1 << 63); // compacted form
    assert_eq!(restore(&AVX, &f, 0x1000), Err(BadFpstate));
    let mut f = good;
    f[XSAVE_HDR_OFFSET + 20] = 1;
    assert_eq!(restore(&AVX, &f, 0x1000), Err(BadFpstate));
    // misaligned for XRSTOR (64) and FXRSTOR (16)
    assert_eq!(restore(&AVX, &good, 0x1020), Err(BadFpstate));
    let mut fx = good;
    put32(&mut fx, SW_BYTES_OFFSET, 0);
    assert_eq!(restore(&AVX, &fx, 0x1008), Err(BadFpstate));
    assert!(restore(&AVX, &fx, 0x1010).is_ok());
    // header bytes 24..63 are ignored, and cleared
    let mut f = good;
    f[XSAVE_HDR_OFFSET + 40] = 9;
    let out = restore(&AVX, &f, 0x1000).unwrap();
    assert_eq!(out[XSAVE_HDR_OFFSET + 40], 0);
}

#[test]
fn legacy_only_frames() {
    let img = saved_image(&AVX);
    let good = frame_of(&AVX, &img);
    // no MAGIC2: only the legacy region counts, AVX back to init
    let mut f = good;
    put32(&mut f, 832, 0);
    let out = restore(&AVX, &f, 0x1000).unwrap();
    assert_eq!(get64(&out, XSAVE_HDR_OFFSET), XFEATURE_MASK_FPSSE);
    assert_eq!(&out[XMM_OFFSET + 16..XMM_OFFSET + 32], &[0x11; 16]);
    assert!(out[576..832].iter().all(|&b| b == 0));
    // sizes out of range: legacy only too
    for (off, v) in [(4, 100u32), (16, 100), (16, 900), (0, 0x1234)] {
        let mut f = good;
        put32(&mut f, SW_BYTES_OFFSET + off, v);
        let out = restore(&AVX, &f, 0x1000).unwrap();
        assert_eq!(get64(&out, XSAVE_HDR_OFFSET), 0x3, "field {off} = {v}");
    }
    // the frame's xfeatures limit what comes back
    let mut f = good;
    put64(&mut f, SW_BYTES_OFFSET + 8, 0x3);
    let out = restore(&AVX, &f, 0x1000).unwrap();
    assert_eq!(get64(&out, XSAVE_HDR_OFFSET), 0x3);
    let mut f = good;
    put64(&mut f, SW_BYTES_OFFSET + 8, 0x1);
    put32(&mut f, MXCSR_OFFSET, 0x1f80 | 0x6000);
    let out = restore(&AVX, &f, 0x1000).unwrap();
    assert_eq!(get64(&out, XSAVE_HDR_OFFSET), 0x1);
    assert_eq!(get32(&out, MXCSR_OFFSET), 0x1f80);
}

#[test]
fn fxsave_config_restores_legacy() {
    let cfg = Config::FXSAVE;
    let mut img = [0u8; 512];
    cfg.init_image(&mut img);
    img[XMM_OFFSET] = 7;
    let mut f = [0u8; 512];
    cfg.sigframe_image(&img, &mut f);
    assert_eq!(cfg.restore_form(&f), RestoreForm::FxOnly);
    let mut out = [0u8; 512];
    cfg.restore_image(RestoreForm::FxOnly, 0x2000, &f, &mut out)
        .unwrap();
    assert_eq!(out[XMM_OFFSET], 7);
    put32(&mut f, MXCSR_OFFSET, 0xffff_0000);
    assert_eq!(
        cfg.restore_image(RestoreForm::FxOnly, 0x2000, &f, &mut out),
        Err(BadFpstate)
    );
}
