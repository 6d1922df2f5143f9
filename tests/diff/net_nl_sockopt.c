/* socket(AF_NETLINK): types, autobind (the first socket gets the pid), an id in
 * use, getsockname/getpeername, SO_RCVBUF doubling, SOL_NETLINK options and
 * group membership (accepted; getsockname shows groups 1-32). */
#include "net_nl.h"

int main(void)
{
    SHOWOK("raw", socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    SHOWOK("dgram", socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_ROUTE));
    SHOW("stream", socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE));
    SHOW("seqpacket", socket(AF_NETLINK, SOCK_SEQPACKET, NETLINK_ROUTE));
    SHOW("protocol 32", socket(AF_NETLINK, SOCK_RAW, 32));

    int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    MUST(fd);
    struct sockaddr_nl a;
    socklen_t l = sizeof a;
    memset(&a, 0xff, sizeof a);
    SHOW("getsockname unbound", getsockname(fd, (struct sockaddr *)&a, &l));
    printf("  len %u family %d pid %u groups %u\n", l, a.nl_family, a.nl_pid, a.nl_groups);
    l = sizeof a;
    SHOW("getpeername", getpeername(fd, (struct sockaddr *)&a, &l));
    printf("  len %u family %d pid %u groups %u\n", l, a.nl_family, a.nl_pid, a.nl_groups);
    struct sockaddr_nl b = {.nl_family = AF_NETLINK};
    SHOW("bind 0", bind(fd, (struct sockaddr *)&b, sizeof b));
    l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    YN("  pid is getpid()", a.nl_pid == (unsigned)getpid());
    unsigned first = a.nl_pid;
    SHOW("bind again other id", (b.nl_pid = first + 1, bind(fd, (struct sockaddr *)&b, sizeof b)));
    SHOW("bind short", bind(fd, (struct sockaddr *)&b, 4));

    int fd2 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    b.nl_pid = first;
    SHOW("second on the same id", bind(fd2, (struct sockaddr *)&b, sizeof b));
    b.nl_pid = 0;
    SHOW("second autobind", bind(fd2, (struct sockaddr *)&b, sizeof b));
    l = sizeof a;
    getsockname(fd2, (struct sockaddr *)&a, &l);
    YN("  not the pid", a.nl_pid != (unsigned)getpid());
    YN("  nonzero", a.nl_pid != 0);

    int v = -1;
    l = sizeof v;
    getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l);
    printf("SO_TYPE %d\n", v);
    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &l);
    printf("SO_DOMAIN %d\n", v);
    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &l);
    printf("SO_PROTOCOL %d\n", v);
    v = 32768;
    SHOW("SO_RCVBUF 32768", setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
    l = sizeof v;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &l);
    printf("  now %d\n", v);
    v = 20000;
    SHOW("SO_SNDBUF 20000", setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &l);
    printf("  now %d\n", v);

    int opts[] = {NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, NETLINK_CAP_ACK, NETLINK_PKTINFO,
                  NETLINK_NO_ENOBUFS, NETLINK_BROADCAST_ERROR};
    for (unsigned i = 0; i < sizeof opts / sizeof *opts; i++) {
        int one = 1;
        printf("option %d:", opts[i]);
        l = sizeof v;
        v = -1;
        getsockopt(fd, SOL_NETLINK, opts[i], &v, &l);
        printf(" was %d", v);
        printf(" set %d", setsockopt(fd, SOL_NETLINK, opts[i], &one, sizeof one));
        getsockopt(fd, SOL_NETLINK, opts[i], &v, &l);
        printf(" now %d\n", v);
    }
    v = 0;
    SHOW("add membership 0", setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &v, sizeof v));
    v = RTNLGRP_IPV4_IFADDR;
    SHOW("add membership ipv4_ifaddr", setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &v, sizeof v));
    l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    printf("  groups %#x\n", a.nl_groups);
    SHOW("drop membership", setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &v, sizeof v));
    getsockname(fd, (struct sockaddr *)&a, &l);
    printf("  groups %#x\n", a.nl_groups);
    SHOW("unknown SOL_NETLINK option", setsockopt(fd, SOL_NETLINK, 99, &v, sizeof v));
    SHOW("shutdown", shutdown(fd, SHUT_RDWR));
    char c;
    SHOW("recv nothing queued", recv(fd, &c, 1, MSG_DONTWAIT));
    return 0;
}
