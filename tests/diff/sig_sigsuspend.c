// sigsuspend: atomically unblock and wait; mask restored afterwards.
#include "common.h"

static volatile int got;
static void h(int s) { got = s; }

int main(void)
{
    signal(SIGUSR1, h);
    signal(SIGUSR2, h);
    sigset_t blk, old, wait_mask, cur;
    sigemptyset(&blk);
    sigaddset(&blk, SIGUSR1);
    sigaddset(&blk, SIGUSR2);
    sigprocmask(SIG_BLOCK, &blk, &old);
    pid_t parent = getpid();
    pid_t p = fork();
    if (p == 0) {
        kill(parent, SIGUSR1);
        _exit(0);
    }
    sigemptyset(&wait_mask);
    SHOW("sigsuspend", sigsuspend(&wait_mask));
    printf("got USR1: %d\n", got == SIGUSR1);
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("mask restored, USR1 blocked again: %d\n", sigismember(&cur, SIGUSR1));
    wait_show("child", p);
    /* signal blocked by the suspend mask stays pending */
    got = 0;
    raise(SIGUSR2);
    raise(SIGUSR1);
    sigemptyset(&wait_mask);
    sigaddset(&wait_mask, SIGUSR2);
    SHOW("sigsuspend (USR2 kept blocked)", sigsuspend(&wait_mask));
    printf("woke for USR1: %d\n", got == SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("USR2 still pending: %d\n", sigismember(&pend, SIGUSR2));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("USR2 delivered on unblock: %d\n", got == SIGUSR2);
    SHOW("rt_sigsuspend bad size", syscall(SYS_rt_sigsuspend, &wait_mask, 4));
    /* child waiting in sigsuspend is killed by an unhandled signal */
    p = fork();
    if (p == 0) {
        sigset_t e;
        sigemptyset(&e);
        signal(SIGTERM, SIG_DFL);
        sigsuspend(&e);
        _exit(1);
    }
    kill(p, SIGTERM);
    wait_show("sigsuspend child", p);
    return 0;
}
