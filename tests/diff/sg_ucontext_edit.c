// rt_sigreturn restores what the handler left in the ucontext: edited general registers, RIP, and
// uc_sigmask (SIGKILL/SIGSTOP dropped); the saved RAX is the interrupted syscall's result.
#include "thr_common.h"
#include <ucontext.h>

static volatile long seen_rax, seen_rbx, seen_r12;

static void h(int s, siginfo_t *si, void *ucv)
{
    (void)s;
    (void)si;
    ucontext_t *uc = ucv;
    seen_rax = uc->uc_mcontext.gregs[REG_RAX];
    seen_rbx = uc->uc_mcontext.gregs[REG_RBX];
    seen_r12 = uc->uc_mcontext.gregs[REG_R12];
    uc->uc_mcontext.gregs[REG_RAX] = 1234;
    uc->uc_mcontext.gregs[REG_RBX] = 0x5151;
    uc->uc_mcontext.gregs[REG_R12] = 0x1212;
    sigaddset(&uc->uc_sigmask, SIGUSR2);
    sigaddset(&uc->uc_sigmask, SIGKILL);
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    long pid = getpid(), tid = gettid();
    long ret, rbx_after, r12_after;
    __asm__ volatile("mov $0x77, %%rbx\n"
                     "mov $0x88, %%r12\n"
                     "syscall\n"
                     "mov %%rbx, %1\n"
                     "mov %%r12, %2\n"
                     : "=a"(ret), "=r"(rbx_after), "=r"(r12_after)
                     : "0"((long)SYS_tgkill), "D"(pid), "S"(tid), "d"((long)SIGUSR1)
                     : "rcx", "r11", "rbx", "r12", "memory");
    printf("handler saw rax %ld (tgkill's result), rbx %#lx, r12 %#lx\n", seen_rax, seen_rbx, seen_r12);
    printf("after sigreturn: syscall result %ld, rbx %#lx, r12 %#lx\n", ret, rbx_after, r12_after);
    sigset_t m;
    sigprocmask(SIG_SETMASK, NULL, &m);
    printf("mask from uc_sigmask: USR2 %d, USR1 %d, KILL %d\n", sigismember(&m, SIGUSR2), sigismember(&m, SIGUSR1),
           sigismember(&m, SIGKILL));
    return 0;
}
