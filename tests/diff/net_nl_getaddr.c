/* RTM_GETADDR dumps: lo's 127.0.0.1/8 (scope host, IFA_LOCAL, IFA_LABEL) and ::1/128;
 * AF_UNSPEC lists every IPv4 address before the IPv6 ones; a family filter. Only
 * lo's addresses are printed. */
#include "net_nl.h"
#include <arpa/inet.h>

static char buf[65536];

static void dump(int fd, int family, const char *what)
{
    struct ifaddrmsg ifa = {.ifa_family = family};
    unsigned seq = nl_send(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof ifa, 0, 0, 0);
    int done = 0, saw6 = 0, v4_after_v6 = 0, other = 0;
    printf("%s:\n", what);
    while (!done) {
        int n = nl_recv(fd, buf, sizeof buf);
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != seq)
                printf("  bad seq\n");
            if (h->nlmsg_type == NLMSG_DONE) {
                done = 1;
                break;
            }
            struct ifaddrmsg *a = NLMSG_DATA(h);
            if (a->ifa_family == AF_INET6)
                saw6 = 1;
            else if (saw6)
                v4_after_v6 = 1;
            if (family && a->ifa_family != family)
                other++;
            if (a->ifa_index != 1)
                continue;
            char s[64] = "?";
            struct rtattr *rta = IFA_RTA(a);
            int len = IFA_PAYLOAD(h);
            struct rtattr *r = nl_attr(rta, len, IFA_ADDRESS);
            if (r)
                inet_ntop(a->ifa_family, RTA_DATA(r), s, sizeof s);
            printf("  %s/%d scope %d flags %#x", s, a->ifa_prefixlen, a->ifa_scope, a->ifa_flags);
            if ((r = nl_attr(rta, len, IFA_LOCAL))) {
                inet_ntop(a->ifa_family, RTA_DATA(r), s, sizeof s);
                printf(" local %s", s);
            }
            if ((r = nl_attr(rta, len, IFA_LABEL)))
                printf(" label %s", (char *)RTA_DATA(r));
            if ((r = nl_attr(rta, len, IFA_FLAGS)))
                printf(" ifa_flags %#x", *(unsigned *)RTA_DATA(r) & 0x80);
            r = nl_attr(rta, len, IFA_CACHEINFO);
            if (r) {
                struct ifa_cacheinfo *c = RTA_DATA(r);
                printf(" valid %s", c->ifa_valid == 0xffffffffu ? "forever" : "limited");
            }
            printf("\n");
        }
    }
    printf("  v4 after v6: %d, other families: %d\n", v4_after_v6, other);
}

int main(void)
{
    int fd = nl_open(NULL);
    dump(fd, AF_UNSPEC, "AF_UNSPEC");
    dump(fd, AF_INET, "AF_INET");
    dump(fd, AF_INET6, "AF_INET6");
    return 0;
}
