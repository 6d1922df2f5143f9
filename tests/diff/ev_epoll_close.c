/* Registrations belong to (fd, open file) pairs: a dup keeps them alive. */
#include "ev_common.h"

int main(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    int ep = epoll_create1(0);
    int d = dup(p[0]);
    SHOW("add fd", ep_add(ep, p[0], EPOLLIN, 1));
    SHOW("add dup", ep_add(ep, d, EPOLLIN, 2));
    CHECK(write(p[1], "a", 1) == 1);
    ep_show("both", ep, 8, 0);
    int old = p[0];
    close(p[0]);
    ep_show("fd closed, file open through the dup", ep, 8, 0);
    SHOW("DEL closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, old, NULL));
    /* the fd number now names another file: not the registered pair */
    int q[2];
    CHECK(pipe(q) == 0);
    printf("reused: %d\n", q[0] == old);
    SHOW("DEL reused fd", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
    SHOW("MOD reused fd", ep_mod(ep, q[0], EPOLLIN, 9));
    SHOW("ADD reused fd", ep_add(ep, q[0], EPOLLIN, 3));
    CHECK(write(q[1], "b", 1) == 1);
    ep_show("three", ep, 8, 0);
    close(d);
    ep_show("file gone: its items went", ep, 8, 0);
    /* a registration survives in a forked child's copy too */
    int r[2];
    CHECK(pipe(r) == 0);
    SHOW("add r", ep_add(ep, r[0], EPOLLIN, 4));
    pid_t c = fork();
    if (c == 0) {
        close(r[0]);
        write(r[1], "c", 1);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    ep_show("after child", ep, 8, 0);
    /* closing the epoll fd while items exist */
    int e2 = epoll_create1(0);
    ep_add(e2, r[0], EPOLLIN, 5);
    close(e2);
    SHOW("closed epoll fd", epoll_wait(e2, (struct epoll_event[1]){}, 1, 0));
    char b;
    CHECK(read(r[0], &b, 1) == 1);
    ep_show("drained", ep, 8, 0);
    return 0;
}
