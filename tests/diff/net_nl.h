/* Small NETLINK_ROUTE helpers shared by the net_nl_* differential tests. */
#ifndef RILL_NET_NL_H
#define RILL_NET_NL_H
#include "common.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

#define NL_UNUSED __attribute__((unused))
static unsigned nl_seq = 1000;

/* A bound NETLINK_ROUTE socket; its port id in *pid. */
NL_UNUSED static int nl_open(unsigned *pid)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    MUST(fd);
    struct sockaddr_nl a = {.nl_family = AF_NETLINK};
    MUST(bind(fd, (struct sockaddr *)&a, sizeof a));
    socklen_t l = sizeof a;
    MUST(getsockname(fd, (struct sockaddr *)&a, &l));
    if (pid)
        *pid = a.nl_pid;
    return fd;
}

/* Sends one request: header, fixed part of `len` bytes, optional attribute. */
NL_UNUSED static unsigned nl_send(int fd, int type, int flags, const void *body, int len, int atype,
                        const void *adata, int alen)
{
    char buf[512];
    memset(buf, 0, sizeof buf);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    h->nlmsg_type = type;
    h->nlmsg_flags = flags;
    h->nlmsg_seq = ++nl_seq;
    memcpy(NLMSG_DATA(h), body, len);
    h->nlmsg_len = NLMSG_LENGTH(len);
    if (atype) {
        struct rtattr *rta = (struct rtattr *)(buf + NLMSG_ALIGN(h->nlmsg_len));
        rta->rta_type = atype;
        rta->rta_len = RTA_LENGTH(alen);
        memcpy(RTA_DATA(rta), adata, alen);
        h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
    }
    struct sockaddr_nl k = {.nl_family = AF_NETLINK};
    MUST(sendto(fd, buf, h->nlmsg_len, 0, (struct sockaddr *)&k, sizeof k));
    return h->nlmsg_seq;
}

/* Reads one datagram (waiting at most 10 s: a missing answer ends the test
 * instead of hanging it); returns its length. */
NL_UNUSED static int nl_recv(int fd, char *buf, int size)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) {
        printf("nl_recv: no answer within 10 s\n");
        exit(1);
    }
    struct sockaddr_nl from;
    socklen_t fl = sizeof from;
    int n = recvfrom(fd, buf, size, 0, (struct sockaddr *)&from, &fl);
    MUST(n);
    if (from.nl_pid != 0)
        printf("reply not from the kernel\n");
    return n;
}

/* The attribute `type` in a run of attributes, or NULL. */
NL_UNUSED static struct rtattr *nl_attr(struct rtattr *rta, int len, int type)
{
    for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
        if (rta->rta_type == type)
            return rta;
    return NULL;
}
#endif
