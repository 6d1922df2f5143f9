// sigprocmask and sigpending; standard signals coalesce, RT signals queue.
#include "common.h"

static volatile int usr1, rt;
static volatile int order[8], norder;
static void h1(int s) { (void)s; usr1++; }
static void hrt(int s)
{
    rt++;
    if (norder < 8)
        order[norder++] = s;
}

int main(void)
{
    signal(SIGUSR1, h1);
    sigset_t s, old, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    SHOW("block USR1", sigprocmask(SIG_BLOCK, &s, &old));
    printf("old mask had USR1: %d\n", sigismember(&old, SIGUSR1));
    raise(SIGUSR1);
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigpending(&pend);
    printf("pending USR1: %d, handler ran: %d\n", sigismember(&pend, SIGUSR1), usr1);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("after unblock handler ran: %d (coalesced)\n", usr1);
    sigpending(&pend);
    printf("pending cleared: %d\n", !sigismember(&pend, SIGUSR1));
    /* RT signals queue and are delivered lowest number first */
    int r1 = SIGRTMIN + 1, r2 = SIGRTMIN + 3;
    signal(r1, hrt);
    signal(r2, hrt);
    sigemptyset(&s);
    sigaddset(&s, r1);
    sigaddset(&s, r2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    union sigval v = {0};
    sigqueue(getpid(), r2, v);
    sigqueue(getpid(), r1, v);
    sigqueue(getpid(), r2, v);
    sigqueue(getpid(), r1, v);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("rt delivered: %d order:", rt);
    for (int i = 0; i < norder; i++)
        printf(" RTMIN+%d", order[i] - SIGRTMIN);
    printf("\n");
    /* SIG_SETMASK and invalid how */
    sigfillset(&s);
    sigprocmask(SIG_SETMASK, &s, NULL);
    sigprocmask(SIG_SETMASK, NULL, &old);
    printf("KILL/STOP never blockable: %d %d, USR2 blocked: %d\n", sigismember(&old, SIGKILL),
           sigismember(&old, SIGSTOP), sigismember(&old, SIGUSR2));
    sigemptyset(&s);
    SHOW("invalid how", sigprocmask(99, &s, NULL));
    SHOW("raw bad sigsetsize", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &s, NULL, 16));
    SHOW("raw NULL set ok", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &old, 8));
    sigprocmask(SIG_SETMASK, &s, NULL);
    /* mask inherited across fork, pending not inherited */
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    pid_t p = fork();
    if (p == 0) {
        sigset_t m, pd;
        sigprocmask(SIG_SETMASK, NULL, &m);
        sigpending(&pd);
        printf("child: USR1 blocked %d, USR1 pending %d\n", sigismember(&m, SIGUSR1), sigismember(&pd, SIGUSR1));
        _exit(0);
    }
    wait_show("child", p);
    sigpending(&pend);
    printf("parent still pending: %d\n", sigismember(&pend, SIGUSR1));
    /* sigtimedwait consumes it */
    siginfo_t si;
    struct timespec z = {0, 0};
    SHOW("sigtimedwait takes USR1", sigtimedwait(&s, &si, &z));
    SHOW("sigtimedwait nothing pending", sigtimedwait(&s, &si, &z));
    raise(SIGUSR1);
    int sig = 0;
    SHOW("sigwait", sigwait(&s, &sig));
    printf("sigwait got USR1: %d\n", sig == SIGUSR1);
    printf("handler count unchanged: %d\n", usr1);
    return 0;
}
