/* epoll_wait and signals: EINTR after a handler even with SA_RESTART (never
 * restarted); epoll_pwait's mask applies during the wait only. */
#include "ev_common.h"

static volatile int got;
static void on_sig(int s)
{
    (void)s;
    got++;
}

int main(void)
{
    struct sigaction sa = {.sa_handler = on_sig, .sa_flags = SA_RESTART};
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    int ep = epoll_create1(0);
    int p[2];
    CHECK(pipe(p) == 0);
    ep_add(ep, p[0], EPOLLIN, 1);
    struct epoll_event e;
    ualarm(100000, 0);
    SHOW("epoll_wait, SA_RESTART handler", epoll_wait(ep, &e, 1, 5000));
    printf("handled %d\n", got);
    ualarm(100000, 0);
    SHOW("epoll_wait infinite", epoll_wait(ep, &e, 1, -1));
    /* blocked SIGUSR1, unblocked by epoll_pwait's mask */
    sigset_t b, none, cur;
    sigemptyset(&b);
    sigaddset(&b, SIGUSR1);
    sigprocmask(SIG_BLOCK, &b, NULL);
    kill(getpid(), SIGUSR1);
    printf("handled before pwait %d\n", got);
    sigemptyset(&none);
    SHOW("epoll_pwait unblocking", epoll_pwait(ep, &e, 1, 5000, &none));
    printf("handled %d\n", got);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("USR1 blocked again: %d\n", sigismember(&cur, SIGUSR1));
    /* a mask that blocks the signal: the wait times out, the signal stays pending */
    sigset_t al;
    sigemptyset(&al);
    sigaddset(&al, SIGALRM);
    ualarm(50000, 0);
    SHOW("epoll_pwait blocking SIGALRM", epoll_pwait(ep, &e, 1, 200, &al));
    printf("handled %d\n", got);
    sigset_t pend;
    sigpending(&pend);
    printf("ALRM pending: %d\n", sigismember(&pend, SIGALRM));
    /* epoll_pwait2 with a timespec */
    struct timespec ts = {0, 50000000};
    SHOW("pwait2 timeout", syscall(SYS_epoll_pwait2, ep, &e, 1, &ts, NULL, 8));
    printf("handled %d\n", got);
    ualarm(50000, 0);
    SHOW("pwait2 interrupted", syscall(SYS_epoll_pwait2, ep, &e, 1, NULL, NULL, 8));
    /* an event that is ready wins over a pending signal */
    CHECK(write(p[1], "x", 1) == 1);
    kill(getpid(), SIGUSR1);
    SHOW("ready and blocked signal", epoll_wait(ep, &e, 1, 1000));
    SHOW("pwait: ready, unblocked pending signal", epoll_pwait(ep, &e, 1, 1000, &none));
    printf("handled %d\n", got);
    return 0;
}
