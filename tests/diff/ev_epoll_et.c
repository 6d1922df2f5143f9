/* epoll, edge-triggered: one report per edge, on pipes and an eventfd. */
#include "ev_common.h"

int main(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    int ep = epoll_create(1);
    SHOW("add r", ep_add(ep, p[0], EPOLLIN | EPOLLET, 1));
    SHOW("add w", ep_add(ep, p[1], EPOLLOUT | EPOLLET, 2));
    ep_show("initial (w writable)", ep, 8, 0);
    ep_show("no new edge", ep, 8, 0);
    CHECK(write(p[1], "a", 1) == 1);
    ep_show("write: edge on r (and w)", ep, 8, 0);
    ep_show("still readable, no edge", ep, 8, 0);
    CHECK(write(p[1], "b", 1) == 1);
    ep_show("second write", ep, 8, 0);
    char b[8];
    CHECK(read(p[0], b, 2) == 2);
    ep_show("after read", ep, 8, 0);
    /* fill the pipe: the writer loses POLLOUT; a read makes a new edge */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    static char big[65536];
    long tot = 0, k;
    while ((k = write(p[1], big, sizeof big)) > 0)
        tot += k;
    printf("filled %ld\n", tot);
    ep_show("full", ep, 8, 0);
    ep_show("full again", ep, 8, 0);
    CHECK(read(p[0], big, 4096) == 4096);
    ep_show("4096 read: w writable again", ep, 8, 0);
    /* MOD re-polls: a ready ET item is reported once more */
    SHOW("mod r", ep_mod(ep, p[0], EPOLLIN | EPOLLET, 3));
    ep_show("after mod", ep, 8, 0);
    ep_show("after mod 2", ep, 8, 0);
    /* eventfd */
    int efd = eventfd(0, EFD_NONBLOCK);
    SHOW("add efd", ep_add(ep, efd, EPOLLIN | EPOLLET, 4));
    SHOW("del r", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    SHOW("del w", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    ep_show("efd zero", ep, 8, 0);
    uint64_t one = 1;
    CHECK(write(efd, &one, 8) == 8);
    ep_show("efd 1", ep, 8, 0);
    ep_show("efd 1 again", ep, 8, 0);
    CHECK(write(efd, &one, 8) == 8);
    ep_show("efd 2", ep, 8, 0);
    return 0;
}
