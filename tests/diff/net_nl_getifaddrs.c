/* glibc's getifaddrs (an RTM_GETLINK and an RTM_GETADDR dump): lo's entries,
 * sorted: AF_PACKET, 127.0.0.1/255.0.0.0, ::1; flags; if_nameindex has lo at 1. */
#include "common.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char **)a, *(char **)b);
}

int main(void)
{
    struct ifaddrs *ifa;
    MUST(getifaddrs(&ifa));
    char *lines[64];
    int n = 0;
    for (struct ifaddrs *i = ifa; i && n < 64; i = i->ifa_next) {
        if (strcmp(i->ifa_name, "lo") != 0)
            continue;
        char line[256], a[64] = "-", m[64] = "-";
        int fam = i->ifa_addr ? i->ifa_addr->sa_family : -1;
        if (fam == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, a, sizeof a);
            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_netmask)->sin_addr, m, sizeof m);
        } else if (fam == AF_INET6) {
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, a, sizeof a);
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr, m, sizeof m);
        }
        snprintf(line, sizeof line, "lo family %d addr %s mask %s flags %#x data %s", fam, a, m,
                 i->ifa_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING), i->ifa_data ? "yes" : "no");
        lines[n++] = strdup(line);
    }
    freeifaddrs(ifa);
    qsort(lines, n, sizeof *lines, cmp);
    for (int i = 0; i < n; i++)
        printf("%s\n", lines[i]);

    struct if_nameindex *ni = if_nameindex();
    int found = 0;
    for (struct if_nameindex *p = ni; p && p->if_index; p++)
        if (p->if_index == 1)
            printf("if_nameindex 1: %s\n", p->if_name), found = 1;
    YN("if_nameindex has 1", found);
    if_freenameindex(ni);
    printf("if_nametoindex(lo) = %u\n", if_nametoindex("lo"));
    errno = 0;
    unsigned x = if_nametoindex("nosuch0");
    printf("if_nametoindex(nosuch0) = %u %s\n", x, en(errno));
    char name[IF_NAMESIZE] = "";
    printf("if_indextoname(1) = %s\n", if_indextoname(1, name) ? name : "NULL");
    errno = 0;
    char *r = if_indextoname(99999, name);
    printf("if_indextoname(99999) = %s %s\n", r ? r : "NULL", en(errno));
    return 0;
}
