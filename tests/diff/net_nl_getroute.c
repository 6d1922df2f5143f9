/* RTM_GETROUTE: the local table routes of lo's 127.0.0.1/8 (local 127.0.0.0/8,
 * local 127.0.0.1, broadcast 127.255.255.255) and ::1; `ip route get 127.0.0.1`.
 * Only routes through lo are printed. */
#include "net_nl.h"
#include <arpa/inet.h>

static char buf[65536];

static void show(struct nlmsghdr *h)
{
    struct rtmsg *r = NLMSG_DATA(h);
    struct rtattr *rta = RTM_RTA(r);
    int len = RTM_PAYLOAD(h);
    struct rtattr *a = nl_attr(rta, len, RTA_OIF);
    if (!a || *(int *)RTA_DATA(a) != 1)
        return;
    char s[64] = "-";
    if ((a = nl_attr(rta, len, RTA_DST)))
        inet_ntop(r->rtm_family, RTA_DATA(a), s, sizeof s);
    printf("  %s/%d table %d type %d proto %d scope %d", s, r->rtm_dst_len, r->rtm_table, r->rtm_type,
           r->rtm_protocol, r->rtm_scope);
    if ((a = nl_attr(rta, len, RTA_TABLE)))
        printf(" rta_table %u", *(unsigned *)RTA_DATA(a));
    if ((a = nl_attr(rta, len, RTA_PREFSRC))) {
        inet_ntop(r->rtm_family, RTA_DATA(a), s, sizeof s);
        printf(" src %s", s);
    }
    if ((a = nl_attr(rta, len, RTA_GATEWAY)))
        printf(" via");
    printf("\n");
}

static void dump(int fd, int family)
{
    struct rtmsg rt = {.rtm_family = family};
    nl_send(fd, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rt, sizeof rt, 0, 0, 0);
    printf("dump family %d:\n", family);
    for (int done = 0; !done;) {
        int n = nl_recv(fd, buf, sizeof buf);
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                done = 1;
                break;
            }
            if (h->nlmsg_type == RTM_NEWROUTE && ((struct rtmsg *)NLMSG_DATA(h))->rtm_table == RT_TABLE_LOCAL)
                show(h);
        }
    }
}

int main(void)
{
    int fd = nl_open(NULL);
    dump(fd, AF_INET);
    dump(fd, AF_INET6);
    struct rtmsg rt = {.rtm_family = AF_INET, .rtm_dst_len = 32};
    struct in_addr lo = {htonl(INADDR_LOOPBACK)};
    nl_send(fd, RTM_GETROUTE, NLM_F_REQUEST, &rt, sizeof rt, RTA_DST, &lo, 4);
    nl_recv(fd, buf, sizeof buf);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    printf("route get 127.0.0.1: type %d\n", h->nlmsg_type);
    if (h->nlmsg_type == RTM_NEWROUTE) {
        struct rtmsg *r = NLMSG_DATA(h);
        printf("  rtm_type %d table %d cloned %d\n", r->rtm_type, r->rtm_table, !!(r->rtm_flags & RTM_F_CLONED));
        show(h);
    }
    return 0;
}
