// Dual stack: an AF_INET6 listener on :: (IPV6_V6ONLY=0, the default) accepts an IPv4 client;
// accept, getpeername and getsockname show ::ffff:127.0.0.1 (len 28) while the client sees
// plain AF_INET; data flows both ways. An AF_INET6 client may connect to ::ffff:127.0.0.1 of an
// AF_INET listener. UDP on :: receives from an AF_INET sender with a v4-mapped source.
#include "sock.h"

int main(void)
{
    int l = bound_sock(AF_INET6, SOCK_STREAM, "::");
    show_opt("IPV6_V6ONLY", l, IPPROTO_IPV6, IPV6_V6ONLY);
    int p = port_of(l);
    int c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
    MUST(c);
    sockaddr_any pa;
    socklen_t pl = sizeof pa;
    int s = accept(l, &pa.sa, &pl);
    MUST(s);
    show_addr("accept peer", &pa, pl);
    show_peername("server getpeername", s);
    show_sockname("server getsockname", s);
    show_peername("client getpeername", c);
    show_sockname("client getsockname", c);
    SHOW("client write", write(c, "v4", 2));
    char buf[8] = {0};
    SHOW("server read", read(s, buf, sizeof buf));
    SHOW("server write", write(s, "v6", 2));
    SHOW("client read", read(c, buf, sizeof buf));
    printf("data: %.2s\n", buf);
    close(c);
    close(s);

    c = connect_to(AF_INET6, SOCK_STREAM, "::1", p);
    MUST(c);
    pl = sizeof pa;
    s = accept(l, &pa.sa, &pl);
    show_addr("v6 client peer", &pa, pl);
    close(c);
    close(s);
    close(l);

    int l4 = tcp_listener4();
    int c6 = connect_to(AF_INET6, SOCK_STREAM, "::ffff:127.0.0.1", port_of(l4));
    SHOWOK("v6 socket to ::ffff:127.0.0.1", c6);
    show_sockname("v6 mapped client name", c6);
    show_peername("v6 mapped client peer", c6);
    pl = sizeof pa;
    s = accept(l4, &pa.sa, &pl);
    show_addr("v4 listener sees", &pa, pl);
    close(s);
    close(c6);

    int u = bound_sock(AF_INET6, SOCK_DGRAM, "::");
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    MUST(sendto(tx, "dg", 2, 0, (struct sockaddr *)&to, sizeof to));
    pl = sizeof pa;
    SHOW("udp recvfrom", recvfrom(u, buf, sizeof buf, 0, &pa.sa, &pl));
    show_addr("udp source", &pa, pl);
    SHOW("udp reply to mapped source", sendto(u, "re", 2, 0, &pa.sa, pl));
    sockaddr_any from;
    pl = sizeof from;
    SHOW("v4 sender gets reply", recvfrom(tx, buf, sizeof buf, 0, &from.sa, &pl));
    show_addr("reply source", &from, pl);
    return 0;
}
