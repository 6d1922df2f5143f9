// Fault signals: SIGSEGV MAPERR/ACCERR, SIGFPE FPE_INTDIV, SIGILL ILL_ILLOPN (ud2), SIGTRAP (int3),
// SIGSEGV from a privileged instruction; si_addr, uc_mcontext RIP/TRAPNO/ERR; resuming by moving RIP.
#include "thr_common.h"
#include <ucontext.h>

static volatile int f_sig, f_code, f_trapno;
static volatile long f_err;
static void *volatile f_addr;
static volatile unsigned long f_rip;
static volatile int skip;
static sigjmp_buf jb;

static void h(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    f_sig = sig;
    f_code = si->si_code;
    f_addr = si->si_addr;
    f_rip = uc->uc_mcontext.gregs[REG_RIP];
    f_trapno = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
    f_err = uc->uc_mcontext.gregs[REG_ERR];
    if (skip) {
        uc->uc_mcontext.gregs[REG_RIP] += skip;
        return;
    }
    siglongjmp(jb, 1);
}

extern char ud2_at[], int3_after[], div_at[], hlt_at[];

__attribute__((noinline)) static void do_ud2(void)
{
    __asm__ volatile("ud2_at: ud2");
}
__attribute__((noinline)) static void do_int3(void)
{
    __asm__ volatile("int3\nint3_after: nop");
}
__attribute__((noinline)) static int do_div(int a, int b)
{
    int q;
    __asm__ volatile("div_at: cltd\n idivl %2" : "=a"(q) : "a"(a), "r"(b) : "edx");
    return q;
}
__attribute__((noinline)) static void do_hlt(void)
{
    __asm__ volatile("hlt_at: hlt");
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    mprotect(page, 4096, PROT_READ);
    if (!sigsetjmp(jb, 1))
        *(volatile char *)(page + 4096 + 12) = 1;
    printf("write unmapped: sig %s code %d addr ok %s trapno %d err %ld\n", sigabbrev_np(f_sig), f_code,
           f_addr == page + 4096 + 12 ? "yes" : "no", f_trapno, f_err);
    if (!sigsetjmp(jb, 1))
        (void)*(volatile char *)(page + 4096 + 20);
    printf("read unmapped: sig %s code %d addr ok %s err %ld\n", sigabbrev_np(f_sig), f_code,
           f_addr == page + 4096 + 20 ? "yes" : "no", f_err);
    if (!sigsetjmp(jb, 1))
        *(volatile char *)(page + 5) = 1;
    printf("write read-only: sig %s code %d addr ok %s err %ld\n", sigabbrev_np(f_sig), f_code,
           f_addr == page + 5 ? "yes" : "no", f_err);
    mprotect(page, 4096, PROT_NONE);
    if (!sigsetjmp(jb, 1))
        (void)*(volatile char *)(page + 7);
    printf("read PROT_NONE: sig %s code %d addr ok %s err %ld\n", sigabbrev_np(f_sig), f_code,
           f_addr == page + 7 ? "yes" : "no", f_err);
    if (!sigsetjmp(jb, 1))
        (void)*(volatile long *)0xffff800000001000UL;
    printf("read kernel address: sig %s code %d addr %p\n", sigabbrev_np(f_sig), f_code, f_addr);
    if (!sigsetjmp(jb, 1))
        (void)*(volatile long *)0x8000000000000000UL;
    printf("non-canonical: sig %s code %d addr %p trapno %d\n", sigabbrev_np(f_sig), f_code, f_addr, f_trapno);
    if (!sigsetjmp(jb, 1))
        do_ud2();
    printf("ud2: sig %s code %d addr ok %s rip ok %s trapno %d\n", sigabbrev_np(f_sig), f_code,
           f_addr == (void *)ud2_at ? "yes" : "no", f_rip == (unsigned long)ud2_at ? "yes" : "no", f_trapno);
    if (!sigsetjmp(jb, 1))
        do_div(5, 0);
    printf("divide by zero: sig %s code %d addr ok %s trapno %d\n", sigabbrev_np(f_sig), f_code,
           f_addr == (void *)div_at + 1 ? "yes" : "no", f_trapno);
    if (!sigsetjmp(jb, 1))
        do_div(INT_MIN, -1);
    printf("INT_MIN / -1: sig %s code %d\n", sigabbrev_np(f_sig), f_code);
    if (!sigsetjmp(jb, 1))
        do_int3();
    printf("int3: sig %s code %d rip after int3 %s trapno %d\n", sigabbrev_np(f_sig), f_code,
           f_rip == (unsigned long)int3_after ? "yes" : "no", f_trapno);
    if (!sigsetjmp(jb, 1))
        do_hlt();
    printf("hlt: sig %s code %d addr %p trapno %d\n", sigabbrev_np(f_sig), f_code, f_addr, f_trapno);
    /* resume after the faulting instruction by editing RIP */
    skip = 2;
    do_ud2();
    printf("resumed after ud2: sig %s\n", sigabbrev_np(f_sig));
    skip = 0;
    /* a blocked fault signal kills the process */
    pid_t k = fork();
    if (k == 0) {
        no_core();
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGILL);
        sigprocmask(SIG_BLOCK, &s, NULL);
        do_ud2();
        _exit(0);
    }
    wait_show("blocked SIGILL", k);
    k = fork();
    if (k == 0) {
        no_core();
        signal(SIGFPE, SIG_IGN);
        do_div(1, 0);
        _exit(0);
    }
    wait_show("ignored SIGFPE", k);
    return 0;
}
