// SO_RCVTIMEO/SO_SNDTIMEO: default {0,0}; set/get round trip (struct timeval); a blocking recv
// on TCP and UDP and accept time out with EAGAIN after about 100 ms; a send into a full
// connection times out the same way; tv_usec out of range is EDOM, a short optlen EINVAL, a
// negative tv_sec means no timeout ({0,0}).
#include "sock.h"

static void tv(const char *label, int fd, int opt)
{
    struct timeval t = {-1, -1};
    socklen_t l = sizeof t;
    if (getsockopt(fd, SOL_SOCKET, opt, &t, &l) < 0)
        printf("%s: -1 %s\n", label, en(errno));
    else
        printf("%s: {%ld,%ld} len %u\n", label, (long)t.tv_sec, (long)t.tv_usec, (unsigned)l);
}

static void timed(const char *label, ssize_t (*op)(int), int fd)
{
    long long t0 = now_ns(CLOCK_MONOTONIC);
    errno = 0;
    ssize_t r = op(fd);
    int e = errno;
    long long ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
    printf("%s: r=%zd %s timed_out=%d\n", label, r, r < 0 ? en(e) : "-", r < 0 && ms >= 90 && ms < 3000);
}

static ssize_t do_recv(int fd)
{
    char b[8];
    return recv(fd, b, sizeof b, 0);
}
static ssize_t do_accept(int fd) { return accept(fd, NULL, NULL); }
static ssize_t do_fill(int fd)
{
    static char buf[65536];
    for (;;) {
        ssize_t r = send(fd, buf, sizeof buf, MSG_NOSIGNAL);
        if (r < 0)
            return r;
    }
}

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    tv("SO_RCVTIMEO default", s, SO_RCVTIMEO);
    tv("SO_SNDTIMEO default", s, SO_SNDTIMEO);
    struct timeval t = {0, 100000};
    SHOW("set SO_RCVTIMEO 100 ms", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t));
    tv("SO_RCVTIMEO", s, SO_RCVTIMEO);
    timed("tcp recv", do_recv, s);
    t.tv_sec = 2;
    t.tv_usec = 500000;
    SHOW("set SO_SNDTIMEO 2.5 s", setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t));
    tv("SO_SNDTIMEO", s, SO_SNDTIMEO);
    t.tv_usec = 1000000;
    SHOW("tv_usec 1000000", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t));
    t.tv_usec = -1;
    SHOW("tv_usec -1", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t));
    SHOW("optlen 8", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &t, 8));
    t.tv_sec = -5;
    t.tv_usec = 0;
    SHOW("negative tv_sec", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t));
    tv("SO_RCVTIMEO after negative", s, SO_RCVTIMEO);
    t.tv_sec = 0;
    t.tv_usec = 0;
    SHOW("set 0 (no timeout)", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t));
    tv("SO_RCVTIMEO", s, SO_RCVTIMEO);

    int u = udp_sock6();
    t.tv_usec = 100000;
    MUST(setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t));
    timed("udp6 recv", do_recv, u);
    int l = tcp_listener4();
    MUST(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t));
    timed("accept", do_accept, l);
    MUST(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t));
    MUST(seti(c, SOL_SOCKET, SO_SNDBUF, 4096));
    MUST(seti(s, SOL_SOCKET, SO_RCVBUF, 4096));
    timed("send into a full connection", do_fill, c);
    return 0;
}
