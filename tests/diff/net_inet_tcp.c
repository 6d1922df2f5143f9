// Loopback TCP: listen/connect/accept/echo/shutdown/close over 127.0.0.1, ::1 and
// dual-stack (an IPv4 client of a :: listener is ::ffff:127.0.0.1), with the errnos
// of the usual mistakes.
#include "common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

static int port_of(int fd)
{
    struct sockaddr_storage ss;
    socklen_t l = sizeof ss;
    MUST(getsockname(fd, (struct sockaddr *)&ss, &l));
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void show_addr(const char *label, struct sockaddr *sa, socklen_t len)
{
    char buf[64];
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, buf, sizeof buf);
        printf("%s: inet %s len %d\n", label, buf, (int)len);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, buf, sizeof buf);
        printf("%s: inet6 %s len %d\n", label, buf, (int)len);
    } else {
        printf("%s: family %d\n", label, sa->sa_family);
    }
}

static void echo(const char *name, int lfam, int cfam, const char *caddr)
{
    printf("== %s\n", name);
    int l = socket(lfam, SOCK_STREAM, 0);
    int one = 1;
    MUST(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    struct sockaddr_storage ss = {0};
    socklen_t sl;
    if (lfam == AF_INET) {
        struct sockaddr_in *a = (void *)&ss;
        a->sin_family = AF_INET;
        sl = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (void *)&ss;
        a->sin6_family = AF_INET6;
        sl = sizeof *a;
    }
    SHOW("bind", bind(l, (struct sockaddr *)&ss, sl));
    SHOW("listen", listen(l, 4));
    int port = port_of(l);
    int v = -1;
    socklen_t vl = sizeof v;
    getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl);
    printf("acceptconn: %d\n", v);

    int c = socket(cfam, SOCK_STREAM, 0);
    struct sockaddr_storage cs = {0};
    socklen_t cl;
    if (cfam == AF_INET) {
        struct sockaddr_in *a = (void *)&cs;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, caddr, &a->sin_addr);
        cl = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (void *)&cs;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        inet_pton(AF_INET6, caddr, &a->sin6_addr);
        cl = sizeof *a;
    }
    SHOW("connect", connect(c, (struct sockaddr *)&cs, cl));
    SHOW("connect again", connect(c, (struct sockaddr *)&cs, cl));
    struct sockaddr_storage ps;
    socklen_t pl = sizeof ps;
    int a = accept(l, (struct sockaddr *)&ps, &pl);
    SHOWOK("accept", a);
    show_addr("peer", (struct sockaddr *)&ps, pl);
    YN("peer port is client's", pl && port_of(c) ==
       (ps.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ps)->sin_port)
                                : ntohs(((struct sockaddr_in6 *)&ps)->sin6_port)));
    pl = sizeof ps;
    getpeername(c, (struct sockaddr *)&ps, &pl);
    show_addr("client's peer", (struct sockaddr *)&ps, pl);
    pl = sizeof ps;
    getsockname(a, (struct sockaddr *)&ps, &pl);
    show_addr("server's name", (struct sockaddr *)&ps, pl);

    SHOW("send", send(c, "hello", 5, 0));
    char buf[64] = {0};
    SHOW("recv peek", recv(a, buf, sizeof buf, MSG_PEEK));
    SHOW("recv", recv(a, buf, sizeof buf, 0));
    printf("data: %.5s\n", buf);
    SHOW("recv dontwait", recv(a, buf, sizeof buf, MSG_DONTWAIT));
    SHOW("write back", write(a, "world!", 6));
    SHOW("read", read(c, buf, sizeof buf));
    printf("data: %.6s\n", buf);
    SHOW("shutdown wr", shutdown(c, SHUT_WR));
    SHOW("recv at eof", recv(a, buf, sizeof buf, 0));
    struct pollfd p = {a, POLLIN | POLLOUT | POLLRDHUP, 0};
    SHOW("poll", poll(&p, 1, 1000));
    printf("revents: %#x\n", p.revents);
    SHOW("send after shut", send(c, "x", 1, MSG_NOSIGNAL));
    close(a);
    SHOW("recv after close", recv(c, buf, sizeof buf, 0));
    close(c);
    close(l);
}

int main(void)
{
    echo("v4", AF_INET, AF_INET, "127.0.0.1");
    echo("v6", AF_INET6, AF_INET6, "::1");
    echo("dual v4 client", AF_INET6, AF_INET, "127.0.0.1");
    echo("dual mapped client", AF_INET6, AF_INET6, "::ffff:127.0.0.1");

    printf("== errors\n");
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(1)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    SHOW("connect refused", connect(s, (struct sockaddr *)&a, sizeof a));
    int e = -1;
    socklen_t el = sizeof e;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &el);
    printf("so_error: %d\n", e);
    close(s);
    s = socket(AF_INET, SOCK_STREAM, 0);
    char b[4];
    SHOW("recv unconnected", recv(s, b, 4, 0));
    SHOW("shutdown unconnected", shutdown(s, SHUT_RD));
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(1)};
    SHOW("connect v6 addr", connect(s, (struct sockaddr *)&a6, sizeof a6));
    socklen_t al = sizeof a;
    SHOW("getpeername", getpeername(s, (struct sockaddr *)&a, &al));
    SHOW("accept unlistened", accept(s, NULL, NULL));
    inet_pton(AF_INET, "10.99.99.99", &a.sin_addr);
    SHOW("bind foreign", bind(s, (struct sockaddr *)&a, sizeof a));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    a.sin_port = 0;
    SHOW("bind", bind(s, (struct sockaddr *)&a, sizeof a));
    SHOW("bind twice", bind(s, (struct sockaddr *)&a, sizeof a));
    close(s);

    int s6 = socket(AF_INET6, SOCK_STREAM, 0);
    int v = -1;
    socklen_t vl = sizeof v;
    getsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &v, &vl);
    printf("v6only default: %d\n", v);
    a6.sin6_port = htons(47123);
    a6.sin6_addr = in6addr_any;
    SHOW("bind ::", bind(s6, (struct sockaddr *)&a6, sizeof a6));
    v = 1;
    SHOW("v6only after bind", setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v));
    s = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = htons(47123);
    a.sin_addr.s_addr = 0;
    SHOW("bind 0.0.0.0 same port", bind(s, (struct sockaddr *)&a, sizeof a));
    close(s6);
    close(s);

    printf("== options\n");
    s = socket(AF_INET, SOCK_STREAM, 0);
#define GETI(level, name)                                                      \
    do {                                                                       \
        int x = -1;                                                            \
        socklen_t xl = sizeof x;                                               \
        int r = getsockopt(s, level, name, &x, &xl);                           \
        if (r < 0)                                                             \
            printf("%s: -1 %s\n", #name, en(errno));                           \
        else                                                                   \
            printf("%s: %d\n", #name, x);                                      \
    } while (0)
    GETI(SOL_SOCKET, SO_TYPE);
    GETI(SOL_SOCKET, SO_PROTOCOL);
    GETI(SOL_SOCKET, SO_SNDBUF);
    GETI(SOL_SOCKET, SO_RCVBUF);
    GETI(SOL_SOCKET, SO_KEEPALIVE);
    GETI(IPPROTO_TCP, TCP_NODELAY);
    GETI(IPPROTO_TCP, TCP_MAXSEG);
    GETI(IPPROTO_IP, IP_TTL);
    GETI(IPPROTO_IP, IP_TOS);
    GETI(IPPROTO_IPV6, IPV6_V6ONLY);
    int x = 1000;
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &x, sizeof x);
    GETI(SOL_SOCKET, SO_SNDBUF);
    x = 1;
    SHOW("nodelay", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &x, sizeof x));
    GETI(IPPROTO_TCP, TCP_NODELAY);
    x = 0;
    SHOW("ttl 0", setsockopt(s, IPPROTO_IP, IP_TTL, &x, sizeof x));
    SHOW("keepcnt 0", setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &x, sizeof x));
    SHOW("congestion bogus", setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, "bogus", 5));
    SHOW("congestion reno", setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, "reno", 4));
    char cg[16] = {0};
    socklen_t cgl = sizeof cg;
    getsockopt(s, IPPROTO_TCP, TCP_CONGESTION, cg, &cgl);
    printf("congestion: %s\n", cg);
    struct linger lg = {1, 0};
    SHOW("linger", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    struct tcp_info ti;
    socklen_t til = sizeof ti;
    SHOW("tcp_info", getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &til));
    printf("tcpi_state: %d\n", ti.tcpi_state);
    close(s);
    return 0;
}
