// sendto with an AF_UNSPEC destination: an AF_INET UDP socket reads it as a sockaddr_in
// (udp_sendmsg): it sends to the address and port inside; shorter than a sockaddr_in is
// EINVAL, port 0 EINVAL, another family EAFNOSUPPORT. An AF_INET6 socket takes AF_UNSPEC as no
// address (udpv6_sendmsg): EDESTADDRREQ unless connected, then the peer; an unknown family is
// EINVAL there.
#include "sock.h"

static void show_recv(const char *label, int fd)
{
    char buf[16] = {0};
    SHOW(label, recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT));
    printf("  [%s]\n", buf);
}

int main(void)
{
    int r = udp_sock4(), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(r));
    to.sin_family = AF_UNSPEC;
    SHOW("v4 sendto AF_UNSPEC", sendto(tx, "unspec", 6, 0, (struct sockaddr *)&to, sizeof to));
    wait_ev(r, POLLIN);
    show_recv("receiver", r);
    SHOW("v4 sendto AF_UNSPEC, 15 bytes", sendto(tx, "x", 1, 0, (struct sockaddr *)&to, 15));
    SHOW("v4 sendto AF_UNSPEC, 2 bytes", sendto(tx, "x", 1, 0, (struct sockaddr *)&to, 2));
    struct msghdr m;
    struct iovec iov = {"msg", 3};
    memset(&m, 0, sizeof m);
    m.msg_name = &to;
    m.msg_namelen = sizeof to;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    SHOW("v4 sendmsg AF_UNSPEC", sendmsg(tx, &m, 0));
    wait_ev(r, POLLIN);
    show_recv("receiver", r);
    struct sockaddr_in z = to;
    z.sin_port = 0;
    SHOW("v4 sendto AF_UNSPEC port 0", sendto(tx, "x", 1, 0, (struct sockaddr *)&z, sizeof z));
    struct sockaddr_in any = sin4("0.0.0.0", port_of(r));
    any.sin_family = AF_UNSPEC;
    SHOW("v4 sendto AF_UNSPEC 0.0.0.0", sendto(tx, "any", 3, 0, (struct sockaddr *)&any, sizeof any));
    wait_ev(r, POLLIN);
    show_recv("receiver", r);
    struct sockaddr_in bad = to;
    bad.sin_family = 12345;
    SHOW("v4 sendto family 12345", sendto(tx, "x", 1, 0, (struct sockaddr *)&bad, sizeof bad));
    // connected: the AF_UNSPEC address still wins over the peer
    int other = udp_sock4();
    struct sockaddr_in oa = sin4("127.0.0.1", port_of(other));
    MUST(connect(tx, (struct sockaddr *)&oa, sizeof oa));
    SHOW("v4 connected, sendto AF_UNSPEC", sendto(tx, "there", 5, 0, (struct sockaddr *)&to, sizeof to));
    wait_ev(r, POLLIN);
    show_recv("receiver", r);
    show_recv("peer", other);

    int r6 = udp_sock6(), t6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 u6 = sin6("::1", port_of(r6));
    u6.sin6_family = AF_UNSPEC;
    SHOW("v6 sendto AF_UNSPEC", sendto(t6, "x", 1, 0, (struct sockaddr *)&u6, sizeof u6));
    SHOW("v6 sendto AF_UNSPEC, 16 bytes", sendto(t6, "x", 1, 0, (struct sockaddr *)&u6, 16));
    SHOW("v6 sendto AF_UNSPEC, 1 byte", sendto(t6, "x", 1, 0, (struct sockaddr *)&u6, 1));
    struct sockaddr_in6 bad6 = u6;
    bad6.sin6_family = 12345;
    SHOW("v6 sendto family 12345", sendto(t6, "x", 1, 0, (struct sockaddr *)&bad6, sizeof bad6));
    struct sockaddr_in6 c6 = sin6("::1", port_of(r6));
    MUST(connect(t6, (struct sockaddr *)&c6, sizeof c6));
    SHOW("v6 connected, sendto AF_UNSPEC", sendto(t6, "six", 3, 0, (struct sockaddr *)&u6, sizeof u6));
    wait_ev(r6, POLLIN);
    show_recv("v6 receiver", r6);
    return 0;
}
