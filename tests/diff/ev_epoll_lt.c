/* epoll, level-triggered, on pipes: reported while ready, epoll_data round trip. */
#include "ev_common.h"

int main(void)
{
    int p[2], q[2];
    CHECK(pipe(p) == 0);
    CHECK(pipe(q) == 0);
    int ep = epoll_create1(0);
    SHOW("add p", ep_add(ep, p[0], EPOLLIN, 0x1122334455667788ULL));
    SHOW("add q", ep_add(ep, q[0], EPOLLIN | EPOLLRDHUP, 7));
    SHOW("add qw", ep_add(ep, q[1], EPOLLOUT, 8));
    ep_show("writable only", ep, 8, 0);
    SHOW("del qw", epoll_ctl(ep, EPOLL_CTL_DEL, q[1], NULL));
    ep_show("empty", ep, 8, 0);
    CHECK(write(p[1], "ab", 2) == 2);
    ep_show("p ready", ep, 8, 0);
    ep_show("p again", ep, 8, 0);
    ep_show("p blocking call", ep, 8, -1);
    CHECK(write(q[1], "c", 1) == 1);
    ep_show("both", ep, 8, 0);
    ep_show("max 1", ep, 1, 0);
    ep_show("max 1 next", ep, 1, 0);
    char b[8];
    CHECK(read(p[0], b, 1) == 1);
    ep_show("p partly read", ep, 8, 0);
    CHECK(read(p[0], b, 1) == 1);
    ep_show("p drained", ep, 8, 0);
    SHOW("mod q to OUT", ep_mod(ep, q[0], EPOLLOUT, 9));
    ep_show("q read end, OUT", ep, 8, 0);
    SHOW("mod q data", ep_mod(ep, q[0], EPOLLIN, 0xffffffffffffffffULL));
    ep_show("q new data", ep, 8, 0);
    /* data as a pointer and as an fd */
    struct epoll_event e = {.events = EPOLLIN, .data.fd = p[0]};
    SHOW("mod p fd", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
    CHECK(write(p[1], "x", 1) == 1);
    struct epoll_event out[4];
    int n = epoll_wait(ep, out, 4, 0);
    int saw = 0;
    for (int i = 0; i < n; i++)
        if (out[i].data.fd == p[0])
            saw = 1;
    printf("n %d, data.fd seen: %d\n", n, saw);
    /* closing the write end: POLLHUP for the reader once drained */
    CHECK(read(q[0], b, 1) == 1);
    close(q[1]);
    ep_show("q hup", ep, 8, 0);
    return 0;
}
