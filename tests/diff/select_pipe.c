// select(2)/pselect6(2) with fd_sets on pipes.
#include "common.h"

int main(void)
{
    int p[2];
    MUST(pipe(p));
    fd_set r, w;
    struct timeval tv = {0, 0};
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    int n = select(p[1] + 1, &r, &w, NULL, &tv);
    printf("empty: n=%d r=%d w=%d\n", n, FD_ISSET(p[0], &r), FD_ISSET(p[1], &w));
    write(p[1], "x", 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    n = select(p[0] + 1, &r, NULL, NULL, &tv);
    printf("data: n=%d r=%d\n", n, FD_ISSET(p[0], &r));
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    n = select(p[0], &r, NULL, NULL, &tv);
    printf("nfds too small: n=%d\n", n);
    SHOW("nfds negative", select(-1, NULL, NULL, NULL, &tv));
    struct timeval badtv = {0, -1};
    SHOW("bad timeval", select(1, NULL, NULL, NULL, &badtv));
    FD_ZERO(&r);
    FD_SET(40, &r);
    SHOW("closed fd in set", select(41, &r, NULL, NULL, &tv));
    /* timeout: returns 0 and Linux updates the timeval */
    int q[2];
    MUST(pipe(q));
    FD_ZERO(&r);
    FD_SET(q[0], &r);
    struct timeval t50 = {0, 50000};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    n = select(q[0] + 1, &r, NULL, NULL, &t50);
    long long dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("timeout: n=%d set cleared=%d elapsed>=50ms=%s tv left zero=%d\n", n, !FD_ISSET(q[0], &r),
           dt >= 50000000LL ? "yes" : "no", t50.tv_sec == 0 && t50.tv_usec == 0);
    /* select with no fds as a sleep */
    struct timeval t20 = {0, 20000};
    t0 = now_ns(CLOCK_MONOTONIC);
    n = select(0, NULL, NULL, NULL, &t20);
    dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("sleep select: n=%d elapsed>=20ms=%s\n", n, dt >= 20000000LL ? "yes" : "no");
    /* EOF makes read end readable */
    close(q[1]);
    FD_ZERO(&r);
    FD_SET(q[0], &r);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    n = select(q[0] + 1, &r, NULL, NULL, &tv);
    printf("EOF readable: n=%d r=%d\n", n, FD_ISSET(q[0], &r));
    /* pselect6 with timespec and sigmask */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timespec ts = {0, 0};
    sigset_t m;
    sigemptyset(&m);
    n = pselect(p[0] + 1, &r, NULL, NULL, &ts, &m);
    printf("pselect data: n=%d r=%d\n", n, FD_ISSET(p[0], &r));
    struct timespec ts30 = {0, 30000000};
    FD_ZERO(&r);
    int e[2];
    MUST(pipe(e));
    FD_SET(e[0], &r);
    t0 = now_ns(CLOCK_MONOTONIC);
    n = pselect(e[0] + 1, &r, NULL, NULL, &ts30, NULL);
    dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("pselect timeout: n=%d elapsed>=30ms=%s\n", n, dt >= 30000000LL ? "yes" : "no");
    /* child wakes a blocking select */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        write(e[1], "z", 1);
        _exit(0);
    }
    FD_ZERO(&r);
    FD_SET(e[0], &r);
    n = select(e[0] + 1, &r, NULL, NULL, NULL);
    printf("blocking select woke: n=%d r=%d\n", n, FD_ISSET(e[0], &r));
    wait_show("child", pid);
    /* exceptfds on a pipe never set */
    fd_set x;
    FD_ZERO(&x);
    FD_SET(e[0], &x);
    tv.tv_usec = 0;
    n = select(e[0] + 1, NULL, NULL, &x, &tv);
    printf("exceptfds: n=%d\n", n);
    SHOW("select bad set ptr", syscall(SYS_select, 4, BADPTR, NULL, NULL, &tv));
    return 0;
}
