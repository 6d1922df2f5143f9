// Signal handlers that clobber every vector register (and MXCSR) must not
// disturb the interrupted code: a loop keeps values in ymm0..15 (xmm without
// AVX) while SIGALRM from an interval timer and SIGUSR1 sent by tgkill from
// inside the loop run a handler that overwrites them. The handler itself
// starts with the initial MXCSR. Output does not depend on the CPU.
#include "common.h"
#include <cpuid.h>

static int has_avx;

static void probe(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    if (((c >> 27) & 1) && ((c >> 28) & 1)) {
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        has_avx = (lo & 6) == 6;
    }
}

typedef struct {
    unsigned char v[16][32];
} regs_t;

static volatile int handled, mx_bad;

static void h(int sig)
{
    (void)sig;
    unsigned m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    if (m != 0x1f80)
        mx_bad = 1;
    m = 0x1f80 | 0x6000;
    __asm__ volatile("ldmxcsr %0" ::"m"(m));
    if (has_avx)
        __asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"
                         "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm2\n\t"
                         "vmovdqa %%ymm0, %%ymm3\n\tvmovdqa %%ymm0, %%ymm4\n\t"
                         "vmovdqa %%ymm0, %%ymm5\n\tvmovdqa %%ymm0, %%ymm6\n\t"
                         "vmovdqa %%ymm0, %%ymm7\n\tvmovdqa %%ymm0, %%ymm8\n\t"
                         "vmovdqa %%ymm0, %%ymm9\n\tvmovdqa %%ymm0, %%ymm10\n\t"
                         "vmovdqa %%ymm0, %%ymm11\n\tvmovdqa %%ymm0, %%ymm12\n\t"
                         "vmovdqa %%ymm0, %%ymm13\n\tvmovdqa %%ymm0, %%ymm14\n\t"
                         "vmovdqa %%ymm0, %%ymm15\n\t"
                         "vzeroupper" ::
                             : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                               "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                               "xmm15");
    /* legacy SSE writes too (leave the upper halves alone on AVX CPUs) */
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tmovdqa %%xmm0, %%xmm7\n\t"
                     "movdqa %%xmm0, %%xmm15\n\tfldpi\n\tfstp %%st(0)" ::
                         : "xmm0", "xmm7", "xmm15");
    handled++;
}

#define R16(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)
#define LY(i) "vmovdqu " #i "*32(%[in]), %%ymm" #i "\n\t"
#define SY(i) "vmovdqu %%ymm" #i ", " #i "*32(%[out])\n\t"
#define LX(i) "movdqu " #i "*32(%[in]), %%xmm" #i "\n\t"
#define SX(i) "movdqu %%xmm" #i ", " #i "*32(%[out])\n\t"
#define XMM_CLOBBERS                                                                       \
    "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
        "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
/* load; `rounds` x (spin until `handled` changes; tgkill SIGUSR1); store.
 * The spin waits for the timer's SIGALRM (bounded by the outer timeout). */
#define LOOP_ASM(L, S)                                                                     \
    R16(L) "1:\n\tmov (%[cnt]), %%edx\n\t"                                                 \
           "2:\n\tpause\n\tcmp (%[cnt]), %%edx\n\tje 2b\n\t"                               \
           "mov $234, %%eax\n\tmov %[pid], %%rdi\n\tmov %[tid], %%rsi\n\t"                 \
           "mov $10, %%edx\n\tsyscall\n\t"                                                 \
           "dec %[rounds]\n\tjnz 1b\n\t" R16(S)

int main(void)
{
    probe();
    regs_t in, out;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 32; j++)
            in.v[i][j] = (unsigned char)(i * 16 + j * 3 + 1);
    memset(&out, 0, sizeof out);
    signal(SIGALRM, h);
    signal(SIGUSR1, h);
    unsigned mx = 0x1f80 | 0x2000;
    __asm__ volatile("ldmxcsr %0" ::"m"(mx));
    struct itimerval it = {{0, 2000}, {0, 2000}};
    setitimer(ITIMER_REAL, &it, NULL);
    long rounds = 30, pid = getpid(), tid = gettid();
    if (has_avx)
        __asm__ volatile(LOOP_ASM(LY, SY) "vzeroupper"
                         : [rounds] "+r"(rounds)
                         : [in] "r"(&in), [out] "r"(&out), [cnt] "r"(&handled), [pid] "r"(pid),
                           [tid] "r"(tid)
                         : "rax", "rcx", "rdx", "rsi", "rdi", "r11", "memory", XMM_CLOBBERS);
    else
        __asm__ volatile(LOOP_ASM(LX, SX)
                         : [rounds] "+r"(rounds)
                         : [in] "r"(&in), [out] "r"(&out), [cnt] "r"(&handled), [pid] "r"(pid),
                           [tid] "r"(tid)
                         : "rax", "rcx", "rdx", "rsi", "rdi", "r11", "memory", XMM_CLOBBERS);
    unsigned after;
    __asm__ volatile("stmxcsr %0" : "=m"(after));
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    int width = has_avx ? 32 : 16, same = 1;
    for (int i = 0; i < 16; i++)
        same &= memcmp(in.v[i], out.v[i], width) == 0;
    YN("handlers ran", handled >= 60);
    YN("vector registers survive clobbering handlers", same);
    YN("handlers start with default MXCSR", !mx_bad);
    printf("MXCSR kept: %#x\n", after);
    return 0;
}
