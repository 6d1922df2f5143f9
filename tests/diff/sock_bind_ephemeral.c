// bind to port 0 picks an ephemeral port in ip_local_port_range (32768..60999 by default), for
// TCP and UDP, v4 and v6; getsockname reports it; the ports of live sockets differ; an
// unbound socket's name is the wildcard with port 0; connect and sendto autobind.
#include "sock.h"

static void one(const char *label, int fam, int ty, const char *ip)
{
    int fd = bound_sock(fam, ty, ip);
    int p = port_of(fd);
    printf("%s: in_range=%d\n", label, in_ephemeral(p));
    show_sockname(label, fd);
    close(fd);
}

int main(void)
{
    one("tcp4 127.0.0.1", AF_INET, SOCK_STREAM, "127.0.0.1");
    one("tcp4 0.0.0.0", AF_INET, SOCK_STREAM, "0.0.0.0");
    one("udp4 127.0.0.1", AF_INET, SOCK_DGRAM, "127.0.0.1");
    one("udp4 0.0.0.0", AF_INET, SOCK_DGRAM, "0.0.0.0");
    one("tcp6 ::1", AF_INET6, SOCK_STREAM, "::1");
    one("tcp6 ::", AF_INET6, SOCK_STREAM, "::");
    one("udp6 ::1", AF_INET6, SOCK_DGRAM, "::1");
    one("udp6 ::", AF_INET6, SOCK_DGRAM, "::");

    int fds[20], distinct = 1;
    for (int i = 0; i < 20; i++)
        fds[i] = bound_sock(AF_INET, SOCK_DGRAM, "127.0.0.1");
    for (int i = 0; i < 20; i++)
        for (int j = 0; j < i; j++)
            if (port_of(fds[i]) == port_of(fds[j]))
                distinct = 0;
    printf("20 udp ports distinct: %d\n", distinct);
    for (int i = 0; i < 20; i++)
        close(fds[i]);

    int t = socket(AF_INET, SOCK_STREAM, 0);
    show_sockname("unbound tcp4", t);
    int t6 = socket(AF_INET6, SOCK_STREAM, 0);
    show_sockname("unbound tcp6", t6);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    show_sockname("unbound udp4", u);
    int r = udp_sock4();
    struct sockaddr_in to = sin4("127.0.0.1", port_of(r));
    MUST(sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
    show_sockname("udp4 after sendto", u);
    printf("udp4 autobind in_range=%d\n", in_ephemeral(port_of(u)));
    int l = tcp_listener4();
    struct sockaddr_in la = sin4("127.0.0.1", port_of(l));
    MUST(connect(t, (struct sockaddr *)&la, sizeof la));
    show_sockname("tcp4 after connect", t);
    printf("tcp4 autobind in_range=%d\n", in_ephemeral(port_of(t)));
    int l2 = socket(AF_INET, SOCK_STREAM, 0);
    MUST(listen(l2, 1));
    show_sockname("tcp4 listen without bind", l2);
    printf("listen autobind in_range=%d\n", in_ephemeral(port_of(l2)));
    return 0;
}
