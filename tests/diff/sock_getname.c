// getsockname/getpeername: ENOTCONN exactly where Linux gives it (unconnected TCP, listening TCP,
// unconnected UDP), the lengths 16 and 28, truncation to a short addrlen with the full length
// returned, EINVAL for a negative length, EFAULT, ENOTSOCK.
#include "sock.h"

static void trunc_show(const char *label, int fd, int peer, socklen_t len)
{
    unsigned char buf[64];
    memset(buf, 0xee, sizeof buf);
    socklen_t l = len;
    int r = peer ? getpeername(fd, (struct sockaddr *)buf, &l)
                 : getsockname(fd, (struct sockaddr *)buf, &l);
    if (r < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    int untouched = 1;
    for (unsigned i = len; i < sizeof buf; i++)
        if (buf[i] != 0xee)
            untouched = 0;
    printf("%s: len=%u family_first_byte=%d beyond_untouched=%d\n", label, (unsigned)l,
           len ? buf[0] : -1, untouched);
}

int main(void)
{
    int t = socket(AF_INET, SOCK_STREAM, 0);
    show_peername("tcp unconnected peer", t);
    show_sockname("tcp unconnected name", t);
    int l = tcp_listener4();
    show_peername("tcp listening peer", l);
    int u = udp_sock4();
    show_peername("udp unconnected peer", u);
    int u6 = udp_sock6();
    show_peername("udp6 unconnected peer", u6);
    int l6 = tcp_listener6();
    show_peername("tcp6 listening peer", l6);
    int c, s;
    tcp_pair(0, &c, &s);
    show_peername("tcp connected peer", c);
    show_peername("tcp accepted peer", s);
    trunc_show("getsockname len 0", c, 0, 0);
    trunc_show("getsockname len 2", c, 0, 2);
    trunc_show("getsockname len 8", c, 0, 8);
    trunc_show("getpeername len 4", c, 1, 4);
    trunc_show("getpeername len 32", c, 1, 32);
    int c6, s6;
    tcp_pair(1, &c6, &s6);
    trunc_show("v6 getsockname len 10", c6, 0, 10);
    trunc_show("v6 getpeername len 28", c6, 1, 28);
    trunc_show("v6 getpeername len 64", c6, 1, 64);
    socklen_t neg = (socklen_t)-1;
    sockaddr_any a;
    SHOW("getsockname negative len", getsockname(c, &a.sa, &neg));
    socklen_t ok = sizeof a;
    SHOW("getsockname bad addr", getsockname(c, BADPTR, &ok));
    SHOW("getsockname bad len pointer", getsockname(c, &a.sa, BADPTR));
    SHOW("getpeername bad fd", getpeername(999, &a.sa, &ok));
    int p[2];
    MUST(pipe(p));
    SHOW("getsockname pipe", getsockname(p[0], &a.sa, &ok));
    shutdown(c, SHUT_RDWR);
    show_peername("peer after shutdown RDWR", c);
    close(s);
    char b;
    read(c, &b, 1);
    show_peername("peer after the other side closed", c);
    return 0;
}
