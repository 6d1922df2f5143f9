// sockaddr_in6 details: getsockname/getpeername of ::1 sockets have sin6_flowinfo 0 and
// sin6_scope_id 0; a scope id on a non-link-local bind is ignored; flowinfo given to connect is
// not echoed in the names; an IPv6 address in an AF_INET6 sockaddr of exactly 24 bytes (the
// RFC 2133 size without scope id) is accepted by bind/connect.
#include "sock.h"

static void fields(const char *label, int fd, int peer)
{
    struct sockaddr_in6 a;
    memset(&a, 0x55, sizeof a);
    socklen_t l = sizeof a;
    int r = peer ? getpeername(fd, (struct sockaddr *)&a, &l) : getsockname(fd, (struct sockaddr *)&a, &l);
    if (r < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    char s[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &a.sin6_addr, s, sizeof s);
    printf("%s: len=%u addr=%s flowinfo=%u scope_id=%u\n", label, (unsigned)l, s,
           (unsigned)a.sin6_flowinfo, (unsigned)a.sin6_scope_id);
}

int main(void)
{
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a = sin6("::1", 0);
    a.sin6_scope_id = 7;
    SHOW("bind ::1 with scope id 7", bind(l, (struct sockaddr *)&a, sizeof a));
    MUST(listen(l, 4));
    fields("listener name", l, 0);
    int c = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 to = sin6("::1", port_of(l));
    to.sin6_flowinfo = htonl(0x12345);
    SHOW("connect with flowinfo", connect(c, (struct sockaddr *)&to, sizeof to));
    fields("client name", c, 0);
    fields("client peer", c, 1);
    int s = accept(l, NULL, NULL);
    fields("accepted name", s, 0);
    fields("accepted peer", s, 1);
    int u = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 b = sin6("::1", 0);
    SHOW("udp bind with addrlen 24", bind(u, (struct sockaddr *)&b, 24));
    fields("udp name", u, 0);
    int u2 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 t2 = sin6("::1", port_of(u));
    SHOW("udp connect with addrlen 24", connect(u2, (struct sockaddr *)&t2, 24));
    fields("udp peer", u2, 1);
    SHOW("send", send(u2, "v6", 2, 0));
    struct sockaddr_in6 from;
    memset(&from, 0x55, sizeof from);
    socklen_t fl = sizeof from;
    char buf[4];
    SHOW("recvfrom", recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    printf("from: len=%u flowinfo=%u scope_id=%u\n", (unsigned)fl, (unsigned)from.sin6_flowinfo,
           (unsigned)from.sin6_scope_id);
    return 0;
}
