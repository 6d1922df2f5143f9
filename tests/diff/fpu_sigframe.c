// The FP state in a signal frame: an XSAVE image with _fpx_sw_bytes and
// FP_XSTATE_MAGIC2 where the CPU has XSAVE, edits made by a SA_SIGINFO
// handler come back with rt_sigreturn, a NULL fpstate gives the initial
// state, a legacy-only fpstate loads x87/SSE, bad states give SIGSEGV.
// Whether the OS enabled XSAVE and AVX is printed, so host and guest must agree;
// the ymm lines are checked only with AVX and say "not checked" otherwise.
#include "common.h"
#include <cpuid.h>
#include <ucontext.h>

#define MAGIC1 0x46505853u
#define MAGIC2 0x46505845u
#define XMM5 (160 + 5 * 16)

static int has_xsave, has_avx;
static unsigned ymm_off; /* offset of the AVX (YMM_Hi128) component */

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

static void probe(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    has_xsave = (c >> 27) & 1; /* OSXSAVE */
    if (has_xsave && ((c >> 28) & 1) && (xgetbv0() & 6) == 6) {
        has_avx = 1;
        __cpuid_count(0xd, 2, a, b, c, d);
        ymm_off = b;
    }
}

static unsigned mxcsr(void)
{
    unsigned m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}
static void set_mxcsr(unsigned m)
{
    __asm__ volatile("ldmxcsr %0" ::"m"(m));
}

static volatile int mode;
static volatile int frame_ok, aligned, saw_xmm5, saw_mx, entry_mx_default, saw_ymm5;
static unsigned char pat_a[32], pat_b[32], zero[32];

static uint32_t rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static int check_frame(const ucontext_t *uc, const unsigned char *fp)
{
    if (!has_xsave)
        return (uc->uc_flags & 1) == 0; /* no UC_FP_XSTATE */
    uint32_t ext = rd32(fp + 468), size = rd32(fp + 480);
    uint64_t xfeat = rd64(fp + 472);
    unsigned a, b, c, d;
    __cpuid_count(0xd, 0, a, b, c, d);
    if (!(uc->uc_flags & 1) || rd32(fp + 464) != MAGIC1 || ext != size + 4 || size < 576 ||
        size > c)
        return 0;
    if (rd32(fp + size) != MAGIC2)
        return 0;
    if ((xfeat & 3) != 3 || (xfeat & ~xgetbv0()) != 0)
        return 0;
    return (rd64(fp + 512) & 3) == 3; /* XSTATE_BV: x87 and SSE marked in use */
}

static void h(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
    entry_mx_default = mxcsr() == 0x1f80;
    aligned = ((uintptr_t)fp & 63) == 0;
    frame_ok = check_frame(uc, fp);
    saw_xmm5 = memcmp(fp + XMM5, pat_a, 16) == 0;
    saw_mx = rd32(fp + 24);
    if (has_avx)
        saw_ymm5 = memcmp(fp + ymm_off + 5 * 16, pat_a + 16, 16) == 0;
    /* clobber the live registers: sigreturn must bring the frame's back */
    __asm__ volatile("pcmpeqd %%xmm5, %%xmm5" ::: "xmm5");
    set_mxcsr(0x1f80 | 0x6000);
    switch (mode) {
    case 0: /* edit xmm5 (and the upper ymm5 half) and MXCSR */
        memcpy(fp + XMM5, pat_b, 16);
        if (has_avx)
            memcpy(fp + ymm_off + 5 * 16, pat_b + 16, 16);
        memcpy(fp + 24, &(uint32_t){0x1f80 | 0x6000}, 4);
        break;
    case 1: /* no fpstate at all */
        uc->uc_mcontext.fpregs = NULL;
        break;
    case 2: /* legacy-only frame: x87/SSE from the frame, the rest initial */
        memset(fp + 464, 0, 4);
        memcpy(fp + XMM5, pat_b, 16);
        break;
    case 3: /* XSTATE_BV with a component the OS did not enable */
        if (has_xsave)
            fp[512 + 7] |= 0x40;
        else
            memcpy(fp + 24, &(uint32_t){0x80000000u}, 4);
        break;
    case 4: /* MXCSR reserved bit: FXRSTOR/XRSTOR #GP on hardware, so Linux
             * sends SIGSEGV (QEMU's TCG does not fault here, so Debian's
             * kernel under TCG lets it pass; Rill checks it itself) */
        memcpy(fp + 24, &(uint32_t){0x80000000u}, 4);
        break;
    }
}

/* Load ymm5 (xmm5 without AVX) from `in`, send ourselves SIGUSR1 with the
 * syscall instruction so the handler runs on its return, store ymm5. */
static void raise_with_ymm5(const unsigned char *in, unsigned char *out)
{
    long pid = getpid(), tid = gettid(), r;
    if (has_avx)
        __asm__ volatile("vmovdqu (%[in]), %%ymm5\n\t"
                         "syscall\n\t"
                         "vmovdqu %%ymm5, (%[out])\n\t"
                         "vzeroupper"
                         : "=a"(r)
                         : "0"((long)SYS_tgkill), "D"(pid), "S"(tid), "d"((long)SIGUSR1),
                           [in] "r"(in), [out] "r"(out)
                         : "rcx", "r11", "xmm5", "memory");
    else
        __asm__ volatile("movdqu (%[in]), %%xmm5\n\t"
                         "syscall\n\t"
                         "movdqu %%xmm5, (%[out])"
                         : "=a"(r)
                         : "0"((long)SYS_tgkill), "D"(pid), "S"(tid), "d"((long)SIGUSR1),
                           [in] "r"(in), [out] "r"(out)
                         : "rcx", "r11", "xmm5", "memory");
    (void)r;
}

/* A line about the upper ymm5 half: checked only where AVX is usable. */
static void yn_avx(const char *label, int cond)
{
    if (has_avx)
        YN(label, cond);
    else
        printf("%s: not checked (no AVX)\n", label);
}

static void crash_child(int m, const char *label)
{
    pid_t p = fork();
    MUST(p);
    if (p == 0) {
        no_core();
        mode = m;
        unsigned char out[32];
        raise_with_ymm5(pat_a, out);
        _exit(0);
    }
    wait_show(label, p);
}

int main(void)
{
    probe();
    YN("XSAVE enabled by the OS (CPUID OSXSAVE)", has_xsave);
    YN("AVX usable (CPUID AVX, XCR0 SSE|AVX)", has_avx);
    for (int i = 0; i < 32; i++) {
        pat_a[i] = (unsigned char)(0x11 + i);
        pat_b[i] = (unsigned char)(0xa0 + i);
    }
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    MUST(sigaction(SIGUSR1, &sa, NULL));
    unsigned char out[32];

    mode = 0;
    set_mxcsr(0x1f80 | 0x2000); /* round down */
    raise_with_ymm5(pat_a, out);
    unsigned after = mxcsr();
    set_mxcsr(0x1f80);
    YN("fpstate 64-byte aligned", aligned);
    YN("xsave frame consistent", frame_ok);
    YN("fpstate holds xmm5", saw_xmm5);
    yn_avx("fpstate holds ymm5 upper half", saw_ymm5);
    printf("fpstate MXCSR: %#x\n", saw_mx);
    YN("handler starts with default MXCSR", entry_mx_default);
    YN("sigreturn loads edited xmm5", memcmp(out, pat_b, 16) == 0);
    yn_avx("sigreturn loads edited ymm5 upper half", memcmp(out + 16, pat_b + 16, 16) == 0);
    printf("MXCSR after sigreturn: %#x\n", after);

    mode = 1;
    set_mxcsr(0x1f80 | 0x2000);
    raise_with_ymm5(pat_a, out);
    after = mxcsr();
    set_mxcsr(0x1f80);
    YN("NULL fpstate: xmm5 initial", memcmp(out, zero, 16) == 0);
    yn_avx("NULL fpstate: ymm5 initial", memcmp(out + 16, zero, 16) == 0);
    printf("NULL fpstate: MXCSR %#x\n", after);

    mode = 2;
    raise_with_ymm5(pat_a, out);
    YN("legacy-only fpstate: xmm5 loaded", memcmp(out, pat_b, 16) == 0);
    yn_avx("legacy-only fpstate: ymm5 upper initial", memcmp(out + 16, zero, 16) == 0);

    crash_child(3, "bad XSTATE_BV");
    crash_child(4, "bad MXCSR");
    return 0;
}
