// sa_flags: SA_NODEFER (nested delivery), SA_RESETHAND (one shot), sa_mask, unknown high bits
// accepted and dropped from what sigaction reports, SIGKILL/SIGSTOP refused.
#include "thr_common.h"

static volatile int depth, maxdepth, calls, inmask;

static void nested(int s)
{
    calls++;
    depth++;
    if (depth > maxdepth)
        maxdepth = depth;
    if (calls < 3)
        raise(s);
    depth--;
}

static void once(int s)
{
    calls++;
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    inmask = sigismember(&cur, s) + 2 * sigismember(&cur, SIGUSR2);
}

struct ksa {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

int main(void)
{
    struct sigaction sa = {0}, old;
    sa.sa_handler = nested;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("SA_NODEFER: calls %d, max depth %d\n", calls, maxdepth);
    calls = maxdepth = depth = 0;
    sa.sa_flags = 0;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("default (deferred): calls %d, max depth %d\n", calls, maxdepth);
    calls = 0;
    sa.sa_handler = once;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGURG, &sa, NULL);
    raise(SIGURG);
    printf("SA_RESETHAND: calls %d, signal in mask %d, sa_mask applied %d\n", calls, inmask & 1, inmask >> 1);
    sigaction(SIGURG, NULL, &old);
    printf("handler now default: %s, flags kept SA_RESETHAND: %s\n", old.sa_handler == SIG_DFL ? "yes" : "no",
           old.sa_flags & SA_RESETHAND ? "yes" : "no");
    raise(SIGURG); /* default: ignored */
    printf("second raise: calls %d\n", calls);
    /* RESETHAND|NODEFER */
    calls = 0;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigaction(SIGURG, &sa, NULL);
    raise(SIGURG);
    printf("RESETHAND|NODEFER: signal in mask %d\n", inmask & 1);
    /* unknown bits through the raw syscall */
    struct ksa k = {0}, ko;
    k.handler = (void *)once;
    k.flags = 0x04000000 /* SA_RESTORER */ | SA_RESTART | 0x00000400 /* SA_UNSUPPORTED */ | 0x00ff0000;
    extern void __restore_rt(void);
    k.restorer = NULL;
    sigaction(SIGUSR2, NULL, &old);
    SHOW("rt_sigaction unknown bits", syscall(SYS_rt_sigaction, SIGHUP, &k, NULL, 8));
    SHOW("read back", syscall(SYS_rt_sigaction, SIGHUP, NULL, &ko, 8));
    printf("flags read back: %#lx\n", ko.flags);
    k.flags = 0x80000000UL | 0x40000000UL | 0x08000000UL; /* RESETHAND NODEFER + bit 27 */
    SHOW("rt_sigaction high bits", syscall(SYS_rt_sigaction, SIGHUP, &k, NULL, 8));
    syscall(SYS_rt_sigaction, SIGHUP, NULL, &ko, 8);
    printf("flags read back: %#lx\n", ko.flags);
    k.flags = 0xffffffff00000000UL | SA_RESTART;
    SHOW("rt_sigaction upper 32 bits", syscall(SYS_rt_sigaction, SIGHUP, &k, NULL, 8));
    syscall(SYS_rt_sigaction, SIGHUP, NULL, &ko, 8);
    printf("flags read back: %#lx\n", ko.flags);
    k.mask = ~0UL;
    syscall(SYS_rt_sigaction, SIGHUP, &k, NULL, 8);
    syscall(SYS_rt_sigaction, SIGHUP, NULL, &ko, 8);
    printf("mask read back drops KILL/STOP: %#lx\n", ko.mask);
    SHOW("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
    SHOW("sigaction SIGSTOP", sigaction(SIGSTOP, &sa, NULL));
    SHOW("query SIGKILL", sigaction(SIGKILL, NULL, &old));
    SHOW("sigaction 0", syscall(SYS_rt_sigaction, 0, NULL, &ko, 8));
    SHOW("sigaction 65", syscall(SYS_rt_sigaction, 65, NULL, &ko, 8));
    SHOW("sigsetsize 4", syscall(SYS_rt_sigaction, SIGHUP, NULL, &ko, 4));
    SHOW("bad act pointer", syscall(SYS_rt_sigaction, SIGHUP, BADPTR, NULL, 8));
    SHOW("bad oldact pointer", syscall(SYS_rt_sigaction, SIGHUP, NULL, BADPTR, 8));
    return 0;
}
