/* RTM_GETLINK: the dump lists lo (index 1, loopback, up) with Linux's attributes
 * and ends with NLMSG_DONE; single gets by index and by name; what the dump
 * headers carry (seq, port id, NLM_F_MULTI). Only lo is printed: the host has
 * other interfaces. */
#include "net_nl.h"

static void show_lo(struct nlmsghdr *h)
{
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    printf("  index %d type %d flags %#x\n", ifi->ifi_index, ifi->ifi_type,
           ifi->ifi_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP | IFF_BROADCAST));
    struct rtattr *a = IFLA_RTA(ifi);
    int len = IFLA_PAYLOAD(h);
    struct rtattr *r;
    if ((r = nl_attr(a, len, IFLA_IFNAME)))
        printf("  ifname %s (len %d)\n", (char *)RTA_DATA(r), (int)RTA_PAYLOAD(r));
    if ((r = nl_attr(a, len, IFLA_MTU)))
        printf("  mtu %u\n", *(unsigned *)RTA_DATA(r));
    if ((r = nl_attr(a, len, IFLA_TXQLEN)))
        printf("  txqlen %u\n", *(unsigned *)RTA_DATA(r));
    if ((r = nl_attr(a, len, IFLA_OPERSTATE)))
        printf("  operstate %u\n", *(unsigned char *)RTA_DATA(r));
    if ((r = nl_attr(a, len, IFLA_CARRIER)))
        printf("  carrier %u\n", *(unsigned char *)RTA_DATA(r));
    if ((r = nl_attr(a, len, IFLA_ADDRESS))) {
        unsigned char *m = RTA_DATA(r);
        printf("  address len %d: %02x%02x%02x%02x%02x%02x\n", (int)RTA_PAYLOAD(r), m[0], m[1], m[2],
               m[3], m[4], m[5]);
    }
    if ((r = nl_attr(a, len, IFLA_BROADCAST)))
        printf("  broadcast len %d\n", (int)RTA_PAYLOAD(r));
    if ((r = nl_attr(a, len, IFLA_QDISC)))
        printf("  qdisc %s\n", (char *)RTA_DATA(r));
    r = nl_attr(a, len, IFLA_STATS);
    YN("  stats", r && RTA_PAYLOAD(r) >= sizeof(struct rtnl_link_stats) - 4);
    r = nl_attr(a, len, IFLA_STATS64);
    YN("  stats64", r && RTA_PAYLOAD(r) >= 23 * 8);
}

int main(void)
{
    unsigned pid;
    int fd = nl_open(&pid);
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
    unsigned seq = nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifi, sizeof ifi, 0, 0, 0);
    static char buf[65536];
    int done = 0, links = 0, lo = 0, bad = 0, first_index = -1;
    while (!done) {
        int n = nl_recv(fd, buf, sizeof buf);
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != seq || h->nlmsg_pid != pid || !(h->nlmsg_flags & NLM_F_MULTI))
                bad++;
            if (h->nlmsg_type == NLMSG_DONE) {
                printf("done: error %d len %u\n", *(int *)NLMSG_DATA(h), h->nlmsg_len);
                done = 1;
                break;
            }
            if (h->nlmsg_type != RTM_NEWLINK) {
                printf("unexpected type %d\n", h->nlmsg_type);
                continue;
            }
            struct ifinfomsg *i = NLMSG_DATA(h);
            if (first_index < 0)
                first_index = i->ifi_index;
            links++;
            if (i->ifi_index == 1) {
                lo++;
                printf("dump lo:\n");
                show_lo(h);
            }
        }
    }
    YN("links listed", links >= 1);
    printf("lo entries: %d, first index %d, bad headers %d\n", lo, first_index, bad);

    /* single get by index */
    ifi.ifi_index = 1;
    seq = nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, 0, 0, 0);
    int n = nl_recv(fd, buf, sizeof buf);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    printf("get by index: type %d flags %#x seq ok %d, one message %d\n", h->nlmsg_type, h->nlmsg_flags,
           h->nlmsg_seq == seq, NLMSG_ALIGN(h->nlmsg_len) >= (unsigned)n);
    if (h->nlmsg_type == RTM_NEWLINK)
        show_lo(h);
    /* by name */
    ifi.ifi_index = 0;
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, IFLA_IFNAME, "lo", 3);
    nl_recv(fd, buf, sizeof buf);
    h = (struct nlmsghdr *)buf;
    printf("get by name: type %d index %d\n", h->nlmsg_type,
           h->nlmsg_type == RTM_NEWLINK ? ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index : -1);
    /* nothing else is queued */
    SHOW("queue empty", recv(fd, buf, sizeof buf, MSG_DONTWAIT));
    return 0;
}
