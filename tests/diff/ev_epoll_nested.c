/* Nested epoll: an epoll fd is pollable; cycles and deep chains give ELOOP. */
#include "ev_common.h"
#include "thr_common.h"

int main(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    int in = epoll_create1(0), out = epoll_create1(0);
    SHOW("inner add pipe", ep_add(in, p[0], EPOLLIN, 1));
    SHOW("outer add inner", ep_add(out, in, EPOLLIN, 2));
    ep_show("outer empty", out, 8, 0);
    struct pollfd pf = {.fd = in, .events = POLLIN | POLLOUT};
    SHOW("poll inner (empty)", poll(&pf, 1, 0));
    CHECK(write(p[1], "x", 1) == 1);
    pf.revents = 0;
    SHOW("poll inner", poll(&pf, 1, 0));
    printf("revents %#x\n", pf.revents);
    ep_show("outer", out, 8, 0);
    ep_show("outer again (LT)", out, 8, 0);
    ep_show("inner", in, 8, 0);
    char b;
    CHECK(read(p[0], &b, 1) == 1);
    ep_show("outer drained", out, 8, 0);
    /* ET on the outer level */
    SHOW("outer mod ET", ep_mod(out, in, EPOLLIN | EPOLLET, 3));
    CHECK(write(p[1], "y", 1) == 1);
    ep_show("outer ET", out, 8, 0);
    ep_show("outer ET again", out, 8, 0);
    /* a blocking wait on the outer woken through the inner */
    CHECK(read(p[0], &b, 1) == 1);
    pid_t c = fork();
    if (c == 0) {
        /* once the parent is seen asleep in epoll_wait (bounded) */
        wait_sleeping(getppid(), getppid());
        fflush(stdout);
        write(p[1], "z", 1);
        _exit(0);
    }
    ep_show("outer blocking", out, 8, 2000);
    waitpid(c, NULL, 0);
    /* loops */
    SHOW("cycle", ep_add(in, out, EPOLLIN, 0));
    SHOW("self", ep_add(in, in, EPOLLIN, 0));
    int e[7];
    for (int i = 0; i < 7; i++)
        e[i] = epoll_create1(0);
    for (int i = 0; i < 6; i++) {
        char l[32];
        snprintf(l, sizeof l, "chain add e%d into e%d", i, i + 1);
        SHOW(l, ep_add(e[i + 1], e[i], EPOLLIN, i));
    }
    int f[7];
    for (int i = 0; i < 7; i++)
        f[i] = epoll_create1(0);
    for (int i = 0; i < 6; i++) {
        char l[32];
        snprintf(l, sizeof l, "top-down add f%d into f%d", i + 1, i);
        SHOW(l, ep_add(f[i], f[i + 1], EPOLLIN, i));
    }
    int g[6];
    for (int i = 0; i < 6; i++)
        g[i] = epoll_create1(0);
    ep_add(g[1], g[0], EPOLLIN, 0);
    ep_add(g[2], g[1], EPOLLIN, 0);
    ep_add(g[4], g[3], EPOLLIN, 0);
    ep_add(g[5], g[4], EPOLLIN, 0);
    SHOW("join two 3-chains", ep_add(g[3], g[2], EPOLLIN, 0));
    SHOW("join after del", (epoll_ctl(g[5], EPOLL_CTL_DEL, g[4], NULL), ep_add(g[3], g[2], EPOLLIN, 0)));
    SHOW("longer cycle", ep_add(g[0], g[3], EPOLLIN, 0));
    return 0;
}
