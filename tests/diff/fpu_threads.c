// Vector and FPU control state is per thread and per process: CPUID and
// XGETBV agree on what the OS enabled; ymm (xmm without AVX) registers keep
// their values across sched_yield and timer preemption while other threads
// run different AVX computations; MXCSR and the x87 control word are per
// thread; fork keeps the state; exec starts with the initial state.
// Output does not depend on the CPU: AVX paths run only where usable.
#include "common.h"
#include <cpuid.h>
#include <pthread.h>

#define NTHREADS 4
#define ROUNDS 40
#define SPIN 3000

static int has_avx;

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

/* CPUID.1 OSXSAVE must follow XSAVE (Linux and Rill enable it when present),
 * XCR0 must hold x87+SSE, AVX when the CPU has it, and CPUID.(0DH,0).EBX must
 * be the size of the components XCR0 enables. */
static const char *probe(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    int xsave = (c >> 26) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (xsave != osxsave)
        return "OSXSAVE does not follow XSAVE";
    if (!osxsave)
        return "consistent";
    uint64_t xcr0 = xgetbv0();
    if ((xcr0 & 3) != 3)
        return "XCR0 lacks x87/SSE";
    if (avx && !(xcr0 & 4))
        return "AVX not enabled in XCR0";
    unsigned size = 576;
    for (int i = 2; i < 63; i++) {
        if (!(xcr0 >> i & 1))
            continue;
        __cpuid_count(0xd, i, a, b, c, d);
        if (a + b > size)
            size = a + b;
    }
    __cpuid_count(0xd, 0, a, b, c, d);
    if (b != size)
        return "XSAVE size does not match XCR0";
    has_avx = avx && (xcr0 & 6) == 6;
    return "consistent";
}

typedef struct {
    unsigned char v[16][32];
} regs_t;

static void fill(regs_t *r, int seed)
{
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 32; j++)
            r->v[i][j] = (unsigned char)(seed * 37 + i * 11 + j);
}

/* Load all 16 vector registers from `in`, then `rounds` times: spin `spin`
 * iterations adding the increment in register 15 to registers 0..14, and
 * sched_yield. Store the registers to `out`. */
#define R16(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)
#define R15(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14)
#define LY(i) "vmovdqu " #i "*32(%[in]), %%ymm" #i "\n\t"
#define SY(i) "vmovdqu %%ymm" #i ", " #i "*32(%[out])\n\t"
#define AY(i) "vpaddd %%ymm15, %%ymm" #i ", %%ymm" #i "\n\t"
#define LX(i) "movdqu " #i "*32(%[in]), %%xmm" #i "\n\t"
#define SX(i) "movdqu %%xmm" #i ", " #i "*32(%[out])\n\t"
#define AX(i) "paddd %%xmm15, %%xmm" #i "\n\t"
#define XMM_CLOBBERS                                                                       \
    "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
/* load; rounds x (spin x add; sched_yield); store */
#define WORK_ASM(L, A, S)                                                                  \
    R16(L) "1:\n\tmov %[spin], %%rdx\n\t2:\n\t" R15(A) "dec %%rdx\n\tjnz 2b\n\t"            \
           "mov $24, %%eax\n\tsyscall\n\tdec %[rounds]\n\tjnz 1b\n\t" R16(S)
/* load; fork; store */
#define FORK_ASM(L, S) R16(L) "syscall\n\t" R16(S)

/* Load all 16 vector registers from `in`, then `rounds` times: spin `spin`
 * iterations adding the increment in register 15 to registers 0..14, and
 * sched_yield. Store the registers to `out`. */
static void work(const regs_t *in, regs_t *out, long rounds, long spin)
{
    if (has_avx)
        __asm__ volatile(WORK_ASM(LY, AY, SY) "vzeroupper"
                         : [rounds] "+r"(rounds)
                         : [in] "r"(in), [out] "r"(out), [spin] "r"(spin)
                         : "rax", "rcx", "rdx", "r11", "memory", XMM_CLOBBERS);
    else
        __asm__ volatile(WORK_ASM(LX, AX, SX)
                         : [rounds] "+r"(rounds)
                         : [in] "r"(in), [out] "r"(out), [spin] "r"(spin)
                         : "rax", "rcx", "rdx", "r11", "memory", XMM_CLOBBERS);
}

/* What `work` must produce: 32-bit lanes of registers 0..14 grow by the
 * lanes of register 15 rounds*spin times (only the low 16 bytes without AVX). */
static int check(const regs_t *in, const regs_t *out, long rounds, long spin)
{
    int width = has_avx ? 8 : 4;
    for (int i = 0; i < 16; i++)
        for (int l = 0; l < width; l++) {
            uint32_t x, inc, got;
            memcpy(&x, &in->v[i][l * 4], 4);
            memcpy(&inc, &in->v[15][l * 4], 4);
            memcpy(&got, &out->v[i][l * 4], 4);
            uint32_t want = i == 15 ? x : x + inc * (uint32_t)(rounds * spin);
            if (got != want)
                return 0;
        }
    return 1;
}

static unsigned get_mxcsr(void)
{
    unsigned m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}
static void set_mxcsr(unsigned m)
{
    __asm__ volatile("ldmxcsr %0" ::"m"(m));
}
static unsigned short get_fcw(void)
{
    unsigned short w;
    __asm__ volatile("fnstcw %0" : "=m"(w));
    return w;
}
static void set_fcw(unsigned short w)
{
    __asm__ volatile("fldcw %0" ::"m"(w));
}

static pthread_barrier_t start;
static int ok_regs[NTHREADS], ok_ctl[NTHREADS];

static void *thr(void *arg)
{
    int t = (int)(long)arg;
    unsigned mx = 0x1f80 | (unsigned)(t & 3) << 13;           /* rounding mode */
    unsigned short fcw = (unsigned short)(0x007f | (t & 3) << 10 | (t & 1) << 8);
    set_mxcsr(mx);
    set_fcw(fcw);
    regs_t in, out;
    fill(&in, t + 1);
    pthread_barrier_wait(&start);
    work(&in, &out, ROUNDS, SPIN + t * 500);
    ok_regs[t] = check(&in, &out, ROUNDS, SPIN + t * 500);
    ok_ctl[t] = get_mxcsr() == mx && get_fcw() == fcw;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec") == 0) {
        printf("after exec: MXCSR %#x FCW %#x\n", get_mxcsr(), get_fcw());
        return 0;
    }
    printf("avx usable: %s\n", probe());

    pthread_t th[NTHREADS];
    pthread_barrier_init(&start, NULL, NTHREADS);
    for (long t = 0; t < NTHREADS; t++)
        if (pthread_create(&th[t], NULL, thr, (void *)t) != 0) {
            printf("SETUP FAILED pthread_create\n");
            return 99;
        }
    int all_regs = 1, all_ctl = 1;
    for (int t = 0; t < NTHREADS; t++) {
        pthread_join(th[t], NULL);
        all_regs &= ok_regs[t];
        all_ctl &= ok_ctl[t];
    }
    YN("vector registers kept across switches", all_regs);
    YN("MXCSR and x87 control word per thread", all_ctl);
    YN("main thread control words untouched", get_mxcsr() == 0x1f80 && get_fcw() == 0x37f);

    /* fork from inside the register block: the child must see the same */
    regs_t in, out;
    fill(&in, 9);
    set_mxcsr(0x1f80 | 0x4000);
    long r = 0;
    if (has_avx)
        __asm__ volatile(FORK_ASM(LY, SY) "vzeroupper"
                         : "=a"(r)
                         : "0"((long)SYS_fork), [in] "r"(&in), [out] "r"(&out)
                         : "rcx", "r11", "memory", XMM_CLOBBERS);
    else
        __asm__ volatile(FORK_ASM(LX, SX)
                         : "=a"(r)
                         : "0"((long)SYS_fork), [in] "r"(&in), [out] "r"(&out)
                         : "rcx", "r11", "memory", XMM_CLOBBERS);
    if (r == 0) {
        int ok = check(&in, &out, 0, 0) && get_mxcsr() == (0x1f80 | 0x4000);
        syscall(SYS_exit_group, ok ? 0 : 1);
    }
    MUST(r);
    set_mxcsr(0x1f80);
    YN("parent keeps registers over fork", check(&in, &out, 0, 0));
    wait_show("fork child sees same registers and MXCSR", (pid_t)r);

    /* exec: a fresh state whatever the caller had */
    set_mxcsr(0x1f80 | 0x6000);
    set_fcw(0x0c7f);
    pid_t p = fork();
    MUST(p);
    if (p == 0) {
        execl(self_path(argv[0]), argv[0], "exec", (char *)NULL);
        _exit(127);
    }
    set_mxcsr(0x1f80);
    set_fcw(0x37f);
    wait_show("exec child", p);
    return 0;
}
