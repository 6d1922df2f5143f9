// A sockaddr_in given to an AF_INET6 socket. UDP sendto (udpv6_sendmsg): the datagram goes
// out as IPv4 (udp_sendmsg), unless IPV6_V6ONLY (ENETUNREACH). UDP connect
// (ip6_datagram_connect): an IPv4 connect, the peer shown as ::ffff:a.b.c.d, unless
// IPV6_V6ONLY (EAFNOSUPPORT). TCP connect (tcp_v6_connect): shorter than a sockaddr_in6 is
// EINVAL, a full-length buffer of another family EAFNOSUPPORT.
#include "sock.h"

static void show_got(const char *label, int fd)
{
    char buf[16] = {0};
    sockaddr_any from;
    socklen_t fl = sizeof from;
    if (wait_ev(fd, POLLIN) == 0) {
        printf("%s: nothing in 5 s\n", label);
        return;
    }
    SHOW(label, recvfrom(fd, buf, sizeof buf - 1, MSG_DONTWAIT, &from.sa, &fl));
    printf("  [%s] from family %s\n", buf, from.sa.sa_family == AF_INET ? "AF_INET" : "other");
}

int main(void)
{
    int r = udp_sock4();
    struct sockaddr_in to = sin4("127.0.0.1", port_of(r));
    int s = socket(AF_INET6, SOCK_DGRAM, 0);
    SHOW("v6 udp sendto sockaddr_in", sendto(s, "four", 4, 0, (struct sockaddr *)&to, sizeof to));
    show_got("v4 receiver", r);
    show_sockname("v6 sender after sendto", s);
    SHOW("v6 udp sendto sockaddr_in, 8 bytes",
         sendto(s, "x", 1, 0, (struct sockaddr *)&to, 8));
    SHOW("v6 udp sendto sockaddr_in, 1 byte",
         sendto(s, "x", 1, 0, (struct sockaddr *)&to, 1));
    SHOW("v6 udp connect sockaddr_in", connect(s, (struct sockaddr *)&to, sizeof to));
    show_peername("v6 udp peer", s);
    SHOW("v6 udp send to the peer", send(s, "conn", 4, 0));
    show_got("v4 receiver", r);
    close(s);

    int o = socket(AF_INET6, SOCK_DGRAM, 0);
    seti(o, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    SHOW("v6only udp sendto sockaddr_in", sendto(o, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
    SHOW("v6only udp connect sockaddr_in", connect(o, (struct sockaddr *)&to, sizeof to));
    close(o);

    int l = tcp_listener4();
    struct sockaddr_in lt = sin4("127.0.0.1", port_of(l));
    listen(l, 4);
    int t = socket(AF_INET6, SOCK_STREAM, 0);
    SHOW("v6 tcp connect sockaddr_in", connect(t, (struct sockaddr *)&lt, sizeof lt));
    struct sockaddr_storage big;
    memset(&big, 0, sizeof big);
    memcpy(&big, &lt, sizeof lt);
    SHOW("v6 tcp connect sockaddr_in in 28 bytes",
         connect(t, (struct sockaddr *)&big, sizeof(struct sockaddr_in6)));
    close(t);
    close(l);
    close(r);
    return 0;
}
