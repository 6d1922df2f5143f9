// IPV6_V6ONLY=1 on an AF_INET6 :: listener: IPv4 clients are refused (ECONNREFUSED) while ::1
// works; UDP to the port from IPv4 is not delivered. Setting the option after bind is EINVAL.
#include "sock.h"

int main(void)
{
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    SHOW("set V6ONLY 1", seti(l, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    show_opt("V6ONLY", l, IPPROTO_IPV6, IPV6_V6ONLY);
    /* a port no IPv4 socket holds either, so the IPv4 client can only be refused */
    struct sockaddr_in6 a = sin6("::", free_port());
    MUST(bind(l, (struct sockaddr *)&a, sizeof a));
    MUST(listen(l, 4));
    SHOW("set V6ONLY after bind", seti(l, IPPROTO_IPV6, IPV6_V6ONLY, 0));
    int p = port_of(l);
    SHOW("v4 client", connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p));
    SHOW("v6 mapped client", connect_to(AF_INET6, SOCK_STREAM, "::ffff:127.0.0.1", p));
    int c = connect_to(AF_INET6, SOCK_STREAM, "::1", p);
    SHOWOK("v6 client", c);
    int s = accept(l, NULL, NULL);
    SHOWOK("accepted v6", s);

    int u = socket(AF_INET6, SOCK_DGRAM, 0);
    MUST(seti(u, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    a = sin6("::", free_port());
    MUST(bind(u, (struct sockaddr *)&a, sizeof a));
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    MUST(sendto(tx, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
    int tx6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 to6 = sin6("::1", port_of(u));
    MUST(sendto(tx6, "y", 1, 0, (struct sockaddr *)&to6, sizeof to6));
    char b = 0;
    SHOW("udp recv", recv(u, &b, 1, 0));
    printf("first datagram: %c\n", b);
    SHOW("no second datagram", recv(u, &b, 1, MSG_DONTWAIT));
    int v = socket(AF_INET6, SOCK_DGRAM, 0);
    MUST(seti(v, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    struct sockaddr_in6 m = sin6("::ffff:127.0.0.1", port_of(u));
    SHOW("V6ONLY sendto v4-mapped", sendto(v, "z", 1, 0, (struct sockaddr *)&m, sizeof m));
    SHOW("V6ONLY connect v4-mapped", connect(v, (struct sockaddr *)&m, sizeof m));
    return 0;
}
