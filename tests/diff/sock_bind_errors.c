// bind(2) errors: EINVAL for a second bind and short addrlen, EAFNOSUPPORT for the wrong
// family, EADDRNOTAVAIL for an address no interface has (TEST-NET-3), EFAULT, and the v6
// checks (v4-mapped on a V6ONLY socket, AF_INET address on an AF_INET6 socket).
#include "sock.h"

int main(void)
{
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = sin4("127.0.0.1", 0);
    SHOW("first bind", bind(t, (struct sockaddr *)&a, sizeof a));
    SHOW("second bind", bind(t, (struct sockaddr *)&a, sizeof a));
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW("udp first bind", bind(u, (struct sockaddr *)&a, sizeof a));
    SHOW("udp second bind", bind(u, (struct sockaddr *)&a, sizeof a));

    int s = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("addrlen 0", bind(s, (struct sockaddr *)&a, 0));
    SHOW("addrlen 15", bind(s, (struct sockaddr *)&a, 15));
    SHOW("addrlen -1", bind(s, (struct sockaddr *)&a, (socklen_t)-1));
    struct sockaddr_storage big;
    memset(&big, 0, sizeof big);
    memcpy(&big, &a, sizeof a);
    SHOW("addrlen 128 ok", bind(s, (struct sockaddr *)&big, sizeof big));
    close(s);
    s = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("addrlen 129", bind(s, (struct sockaddr *)&big, 129));
    SHOW("bad pointer", bind(s, BADPTR, sizeof a));
    struct sockaddr_in6 six = sin6("::1", 0);
    SHOW("AF_INET6 addr on AF_INET", bind(s, (struct sockaddr *)&six, sizeof six));
    struct sockaddr_in un = a;
    un.sin_family = AF_UNIX;
    SHOW("AF_UNIX family on AF_INET", bind(s, (struct sockaddr *)&un, sizeof un));
    struct sockaddr_in unspec = sin4("0.0.0.0", 0);
    unspec.sin_family = AF_UNSPEC;
    SHOW("AF_UNSPEC INADDR_ANY on AF_INET", bind(s, (struct sockaddr *)&unspec, sizeof unspec));
    close(s);
    s = socket(AF_INET, SOCK_STREAM, 0);
    unspec = sin4("127.0.0.1", 0);
    unspec.sin_family = AF_UNSPEC;
    SHOW("AF_UNSPEC 127.0.0.1 on AF_INET", bind(s, (struct sockaddr *)&unspec, sizeof unspec));
    struct sockaddr_in far = sin4("203.0.113.1", 0);
    SHOW("203.0.113.1 (no such local address)", bind(s, (struct sockaddr *)&far, sizeof far));
    int fb = 1;
    MUST(setsockopt(s, SOL_IP, IP_FREEBIND, &fb, sizeof fb));
    SHOW("203.0.113.1 with IP_FREEBIND", bind(s, (struct sockaddr *)&far, sizeof far));
    close(s);
    s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in bc = sin4("255.255.255.255", 0);
    SHOW("udp bind 255.255.255.255", bind(s, (struct sockaddr *)&bc, sizeof bc));
    close(s);
    s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in lo2 = sin4("127.1.2.3", 0);
    SHOW("udp bind 127.1.2.3 (all of 127/8 is local)", bind(s, (struct sockaddr *)&lo2, sizeof lo2));
    close(s);

    int v = socket(AF_INET6, SOCK_STREAM, 0);
    SHOW("v6 addrlen 23", bind(v, (struct sockaddr *)&six, 23));
    SHOW("v6 addrlen 16", bind(v, (struct sockaddr *)&six, 16));
    SHOW("AF_INET addr on AF_INET6", bind(v, (struct sockaddr *)&a, sizeof a));
    struct sockaddr_in6 fv6 = sin6("2001:db8::1", 0);
    SHOW("2001:db8::1 (no such local address)", bind(v, (struct sockaddr *)&fv6, sizeof fv6));
    MUST(seti(v, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    struct sockaddr_in6 m = sin6("::ffff:127.0.0.1", 0);
    SHOW("v4-mapped on V6ONLY", bind(v, (struct sockaddr *)&m, sizeof m));
    close(v);
    v = socket(AF_INET6, SOCK_STREAM, 0);
    SHOW("v4-mapped 127.0.0.1 on dual-stack", bind(v, (struct sockaddr *)&m, sizeof m));
    show_sockname("  name", v);
    close(v);
    v = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 mfar = sin6("::ffff:203.0.113.1", 0);
    SHOW("v4-mapped 203.0.113.1", bind(v, (struct sockaddr *)&mfar, sizeof mfar));
    return 0;
}
