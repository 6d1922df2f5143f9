// Signal masks are per thread: a new thread inherits its creator's mask, changes stay local;
// SIGKILL/SIGSTOP can never be blocked; SIG_SETMASK/BLOCK/UNBLOCK semantics.
#include "thr_common.h"

static void show_mask(const char *who)
{
    sigset_t m;
    pthread_sigmask(SIG_SETMASK, NULL, &m);
    printf("%s: USR1 %d USR2 %d HUP %d KILL %d STOP %d RTMIN %d\n", who, sigismember(&m, SIGUSR1),
           sigismember(&m, SIGUSR2), sigismember(&m, SIGHUP), sigismember(&m, SIGKILL), sigismember(&m, SIGSTOP),
           sigismember(&m, SIGRTMIN));
}

static void *child(void *a)
{
    (void)a;
    show_mask("new thread (inherited)");
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    show_mask("new thread (changed)");
    return NULL;
}

int main(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &s, NULL);
    show_mask("main");
    pthread_t t;
    pthread_create(&t, NULL, child, NULL);
    pthread_join(t, NULL);
    show_mask("main (unchanged)");
    sigfillset(&s);
    sigprocmask(SIG_SETMASK, &s, NULL);
    show_mask("main, all blocked");
    unsigned long raw = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &raw, 8);
    printf("raw mask: %#lx\n", raw);
    unsigned long want = ~0UL;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &want, NULL, 8);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &raw, 8);
    printf("raw mask after setting all 64 bits: %#lx\n", raw);
    unsigned long one = 1UL << (SIGUSR1 - 1);
    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &one, NULL, 8);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &raw, 8);
    printf("after UNBLOCK USR1: %#lx\n", raw);
    want = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &want, NULL, 8);
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &one, NULL, 8);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &raw, 8);
    printf("after BLOCK USR1 from empty: %#lx\n", raw);
    SHOW("bad set pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, BADPTR, NULL, 8));
    unsigned long two = 1UL << (SIGUSR2 - 1);
    SHOW("bad old pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &two, BADPTR, 8));
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &raw, 8);
    printf("mask after the EFAULT on the old set: %#lx\n", raw);
    return 0;
}
