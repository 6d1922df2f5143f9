/* Hang-ups and errors: EPOLLHUP/EPOLLERR are always reported, whatever the mask. */
#include "ev_common.h"
#include "thr_common.h"

int main(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    int ep = epoll_create1(0);
    SHOW("add r, no events", ep_add(ep, p[0], 0, 1));
    SHOW("add w, IN only", ep_add(ep, p[1], EPOLLIN, 2));
    ep_show("nothing", ep, 8, 0);
    CHECK(write(p[1], "a", 1) == 1);
    ep_show("data, no interest", ep, 8, 0);
    int w2 = dup(p[1]);
    close(p[1]);
    ep_show("one writer left", ep, 8, 0);
    close(w2);
    ep_show("writers gone: HUP", ep, 8, 0);
    SHOW("mod r IN|RDHUP", ep_mod(ep, p[0], EPOLLIN | EPOLLRDHUP, 3));
    ep_show("IN|HUP", ep, 8, 0);
    /* the reader goes: the writer gets EPOLLERR */
    int q[2];
    CHECK(pipe(q) == 0);
    SHOW("add q w", ep_add(ep, q[1], EPOLLOUT | EPOLLET, 4));
    ep_show("writable", ep, 8, 0);
    close(q[0]);
    ep_show("reader gone: ERR", ep, 8, 0);
    /* blocking wait ended by the hang-up */
    int s[2];
    CHECK(pipe(s) == 0);
    int e2 = epoll_create1(0);
    ep_add(e2, s[0], EPOLLIN, 5);
    pid_t c = fork();
    if (c == 0) {
        /* once the parent is seen asleep in epoll_wait (bounded) */
        wait_sleeping(getppid(), getppid());
        fflush(stdout);
        _exit(0); /* closes the child's copy of the write end */
    }
    close(s[1]);
    ep_show("blocking, ended by HUP", e2, 8, 3000);
    waitpid(c, NULL, 0);
    return 0;
}
