// The user's vector and x87 registers survive system calls that do not switch tasks (Rill
// saves only xmm/MXCSR on syscall entry and leaves the rest live): ymm0-15 with distinct
// values, the x87 stack and control word, MXCSR, across getppid, a pipe write/read and an
// EINTR'd read. Whether AVX is usable (CPUID and XCR0) is a line of output, so host and
// guest must agree; the ymm checks run only then and say "not checked" otherwise.
#include "common.h"
#include <cpuid.h>

static int avx_usable(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
        return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 6) == 6;
}

static unsigned char ymm_in[16][32], ymm_out[16][32];

#define LOADY(n) __asm__ volatile("vmovdqu %0, %%ymm" #n :: "m"(ymm_in[n]))
#define STOREY(n) __asm__ volatile("vmovdqu %%ymm" #n ", %0" : "=m"(ymm_out[n]))

static long raw_syscall3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static long last_ret;

static int ymm_survive(long nr, long a, long b, long c)
{
    LOADY(0); LOADY(1); LOADY(2); LOADY(3); LOADY(4); LOADY(5); LOADY(6); LOADY(7);
    LOADY(8); LOADY(9); LOADY(10); LOADY(11); LOADY(12); LOADY(13); LOADY(14); LOADY(15);
    last_ret = raw_syscall3(nr, a, b, c);
    STOREY(0); STOREY(1); STOREY(2); STOREY(3); STOREY(4); STOREY(5); STOREY(6); STOREY(7);
    STOREY(8); STOREY(9); STOREY(10); STOREY(11); STOREY(12); STOREY(13); STOREY(14); STOREY(15);
    __asm__ volatile("vzeroupper");
    return memcmp(ymm_in, ymm_out, sizeof ymm_in) == 0;
}

static int x87_survive(long nr, long a, long b, long c)
{
    unsigned short cw = 0x0c7f, cw_after = 0; /* round toward zero, 64-bit precision */
    long double x = 1.25L, y = -3.5L, rx, ry;
    __asm__ volatile("fldcw %0" :: "m"(cw));
    __asm__ volatile("fldt %0" :: "m"(x));
    __asm__ volatile("fldt %0" :: "m"(y));
    raw_syscall3(nr, a, b, c);
    __asm__ volatile("fstpt %0" : "=m"(ry));
    __asm__ volatile("fstpt %0" : "=m"(rx));
    __asm__ volatile("fnstcw %0" : "=m"(cw_after));
    unsigned short def = 0x037f;
    __asm__ volatile("fldcw %0" :: "m"(def));
    return rx == x && ry == y && cw_after == cw;
}

static void on_alrm(int s) { (void)s; }

int main(void)
{
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 32; j++)
            ymm_in[i][j] = (unsigned char)(i * 37 + j * 11 + 5);
    int p[2];
    pipe(p);
    char buf[8];
    int avx = avx_usable();
    YN("AVX usable (CPUID AVX and OSXSAVE, XCR0 SSE|AVX)", avx);
    const char *ok = avx ? "kept" : "not checked (no AVX)";
    for (int k = 0; k < 200; k++) {
        if (avx && (!ymm_survive(SYS_getppid, 0, 0, 0) || !ymm_survive(SYS_write, p[1], (long)"x", 1) ||
                    !ymm_survive(SYS_read, p[0], (long)buf, 1)))
            ok = "LOST";
    }
    printf("ymm0-15 across getppid/write/read: %s\n", ok);
    ok = "kept";
    for (int k = 0; k < 200; k++)
        if (!x87_survive(SYS_getppid, 0, 0, 0) || !x87_survive(SYS_write, p[1], (long)"x", 1) ||
            !x87_survive(SYS_read, p[0], (long)buf, 1))
            ok = "LOST";
    printf("x87 stack and control word across syscalls: %s\n", ok);
    /* MXCSR (rounding bits) across a syscall */
    unsigned m = 0x7f80, m2 = 0, def = 0x1f80;
    __asm__ volatile("ldmxcsr %0" :: "m"(m));
    raw_syscall3(SYS_getppid, 0, 0, 0);
    __asm__ volatile("stmxcsr %0" : "=m"(m2));
    __asm__ volatile("ldmxcsr %0" :: "m"(def));
    printf("MXCSR across a syscall: %#x\n", m2);
    /* a read interrupted by a signal handler (the handler runs between) */
    struct sigaction sa = {0};
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    if (avx) {
        int kept = ymm_survive(SYS_read, p[0], (long)buf, 1);
        printf("ymm across a read interrupted by a handler: %s\n", kept ? "kept" : "LOST");
        printf("that read returned: %s\n", last_ret == -EINTR ? "EINTR" : "not EINTR");
    } else {
        printf("ymm across a read interrupted by a handler: not checked (no AVX)\n");
    }
    return 0;
}
