/* EPOLLONESHOT: one report, then nothing until EPOLL_CTL_MOD. */
#include "ev_common.h"

int main(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    printf("cloexec: %d\n", (fcntl(ep, F_GETFD) & FD_CLOEXEC) != 0);
    SHOW("add", ep_add(ep, p[0], EPOLLIN | EPOLLONESHOT, 5));
    ep_show("empty", ep, 8, 0);
    CHECK(write(p[1], "a", 1) == 1);
    ep_show("first", ep, 8, 0);
    ep_show("disabled", ep, 8, 0);
    CHECK(write(p[1], "b", 1) == 1);
    ep_show("disabled after write", ep, 8, 0);
    SHOW("add again", ep_add(ep, p[0], EPOLLIN, 5));
    SHOW("mod", ep_mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 6));
    ep_show("re-armed", ep, 8, 0);
    ep_show("disabled again", ep, 8, 0);
    SHOW("mod ET|ONESHOT", ep_mod(ep, p[0], EPOLLIN | EPOLLET | EPOLLONESHOT, 7));
    ep_show("re-armed ET", ep, 8, 0);
    ep_show("nothing", ep, 8, 0);
    SHOW("mod LT", ep_mod(ep, p[0], EPOLLIN, 8));
    ep_show("LT", ep, 8, 0);
    ep_show("LT 2", ep, 8, 0);
    SHOW("del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    SHOW("del twice", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    ep_show("after del", ep, 8, 0);
    /* a oneshot item that was never ready: MOD of a disabled item to nothing */
    SHOW("add HUP-only", ep_add(ep, p[0], EPOLLONESHOT, 9));
    ep_show("no interest", ep, 8, 0);
    close(p[1]);
    ep_show("HUP reported", ep, 8, 0);
    ep_show("HUP oneshot done", ep, 8, 0);
    return 0;
}
