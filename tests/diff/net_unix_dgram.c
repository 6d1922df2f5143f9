/* AF_UNIX datagram sockets: sendto a path, recvfrom's address, boundaries,
 * MSG_TRUNC, connect as the default peer, the queue limit, a peer that goes. */
#include "net_unix.h"

int main(void)
{
    struct sockaddr_un a, c, f;
    socklen_t al = un_path(&a, "srv"), cl = un_path(&c, "cli"), fl;
    int r, s;
    MUST(r = socket(AF_UNIX, SOCK_DGRAM, 0));
    MUST(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    S(sendto(s, "x", 1, 0, (struct sockaddr *)&a, al));
    S(bind(r, (struct sockaddr *)&a, al));
    S(sendto(s, "one", 3, 0, (struct sockaddr *)&a, al));
    S(sendto(s, "", 0, 0, (struct sockaddr *)&a, al));
    char buf[64];
    memset(&f, 0x55, sizeof f);
    fl = sizeof f;
    S(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&f, &fl));
    printf("from unbound: len %d\n", (int)fl);
    S(recvfrom(r, buf, sizeof buf, 0, NULL, NULL));
    S(bind(s, (struct sockaddr *)&c, cl));
    S(sendto(s, "hello world", 11, 0, (struct sockaddr *)&a, al));
    fl = sizeof f;
    memset(buf, 0, sizeof buf);
    S(recvfrom(r, buf, 5, 0, (struct sockaddr *)&f, &fl));
    printf("got %s from len %d path %s\n", buf, (int)fl, f.sun_path);
    S(recv(r, buf, 1, MSG_DONTWAIT));
    S(sendto(s, "hello world", 11, 0, (struct sockaddr *)&a, al));
    S(recv(r, buf, 5, MSG_TRUNC));
    S(sendto(s, "peek", 4, 0, (struct sockaddr *)&a, al));
    S(recv(r, buf, sizeof buf, MSG_PEEK));
    int v;
    S(ioctl(r, FIONREAD, &v));
    printf("FIONREAD %d\n", v);
    S(recv(r, buf, sizeof buf, 0));
    struct iovec io = {buf, 2};
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    S(sendto(s, "trunc", 5, 0, (struct sockaddr *)&a, al));
    S(recvmsg(r, &m, 0));
    printf("msg_flags TRUNC %d\n", !!(m.msg_flags & MSG_TRUNC));
    /* connect: the default destination, and only that peer's datagrams */
    S(send(s, "x", 1, 0));
    S(connect(s, (struct sockaddr *)&a, al));
    show_name("peer", s, 1);
    S(send(s, "via connect", 11, 0));
    S(recv(r, buf, sizeof buf, 0));
    int t;
    MUST(t = socket(AF_UNIX, SOCK_DGRAM, 0));
    S(connect(r, (struct sockaddr *)&c, cl));
    S(sendto(t, "stranger", 8, 0, (struct sockaddr *)&c, cl));
    S(connect(t, (struct sockaddr *)&c, cl));
    S(sendto(t, "stranger", 8, 0, (struct sockaddr *)&a, al));
    struct sockaddr_un u = {.sun_family = AF_UNSPEC};
    S(connect(r, (struct sockaddr *)&u, sizeof u));
    S(getpeername(r, (struct sockaddr *)&f, &(socklen_t){sizeof f}));
    /* the queue limit: EAGAIN once the receiver's queue is full */
    int n = 0;
    while (send(s, "q", 1, MSG_DONTWAIT) == 1 && n < 1000)
        n++;
    printf("queued %d then %s\n", n, en(errno));
    show_poll("sender when full", s);
    S(recv(r, buf, 1, 0));
    show_poll("sender after one read", s);
    S(send(s, "q", 1, MSG_DONTWAIT));
    /* too big for the send buffer */
    static char big[300000];
    S(send(s, big, 212992 - 32, MSG_DONTWAIT) > 0);
    S(send(s, big, 212992 - 31, MSG_DONTWAIT));
    /* the receiver goes: ECONNREFUSED once, then not connected */
    close(r);
    S(send(s, "x", 1, 0));
    S(send(s, "x", 1, 0));
    S(getpeername(s, (struct sockaddr *)&f, &(socklen_t){sizeof f}));
    S(sendto(s, "x", 1, 0, (struct sockaddr *)&a, al));
    S(unlink("srv"));
    S(sendto(s, "x", 1, 0, (struct sockaddr *)&a, al));
    S(listen(s, 1));
    S(accept(s, NULL, NULL));
    /* to oneself */
    int me;
    MUST(me = socket(AF_UNIX, SOCK_DGRAM, 0));
    socklen_t ml = un_abs(&f, "rill-self");
    S(bind(me, (struct sockaddr *)&f, ml));
    S(sendto(me, "me", 2, 0, (struct sockaddr *)&f, ml));
    memset(buf, 0, sizeof buf);
    S(recv(me, buf, sizeof buf, 0));
    printf("self: %s\n", buf);
    return 0;
}
