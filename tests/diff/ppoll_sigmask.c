// ppoll/pselect sigmask: a blocked pending signal is delivered during the wait.
#include "common.h"

static volatile sig_atomic_t hits;
static void h(int s) { (void)s; hits++; }

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t blk, empty, cur;
    sigemptyset(&blk);
    sigaddset(&blk, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &blk, NULL);
    raise(SIGUSR1);
    printf("handler ran while blocked: %d\n", hits);
    int p[2];
    MUST(pipe(p));
    struct pollfd f = {p[0], POLLIN, 0};
    struct timespec ts = {5, 0};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    SHOW("ppoll with unblocking mask", ppoll(&f, 1, &ts, &empty));
    long long dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("handler ran: %d, returned quickly: %s\n", hits, dt < 2000000000LL ? "yes" : "no");
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("mask restored (USR1 blocked): %d\n", sigismember(&cur, SIGUSR1));
    raise(SIGUSR1);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    SHOW("pselect with unblocking mask", pselect(p[0] + 1, &r, NULL, NULL, &ts, &empty));
    printf("handler ran: %d\n", hits);
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("mask restored: %d\n", sigismember(&cur, SIGUSR1));
    /* with data ready and a pending signal unblocked, Linux reports EINTR? check */
    write(p[1], "x", 1);
    raise(SIGUSR1);
    SHOW("ppoll ready fd and pending signal", ppoll(&f, 1, &ts, &empty));
    printf("handler ran: %d\n", hits);
    /* mask keeps the signal blocked: timeout */
    struct timespec z = {0, 10000000};
    char c;
    read(p[0], &c, 1);
    raise(SIGUSR1);
    SHOW("ppoll with blocking mask times out", ppoll(&f, 1, &z, &blk));
    printf("handler ran: %d\n", hits);
    SHOW("ppoll bad sigsetsize", syscall(SYS_ppoll, &f, 1, &z, &empty, 4));
    sigprocmask(SIG_UNBLOCK, &blk, NULL);
    printf("after unblock: %d\n", hits);
    return 0;
}
