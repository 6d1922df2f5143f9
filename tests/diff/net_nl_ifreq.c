/* The interface ioctls of dev_ioctl (any socket; here AF_UNIX, as glibc's
 * if_nametoindex uses) and SIOCGIFCONF: lo's flags, index, name, MTU, hardware
 * address, queue length; ENODEV for unknown names; SIOCGIFCONF's length query
 * and lo 127.0.0.1 in its list. */
#include "common.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

static struct ifreq req(const char *name)
{
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    return r;
}

int main(void)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    MUST(fd);
    printf("sizeof ifreq %zu\n", sizeof(struct ifreq));
    struct ifreq r = req("lo");
    SHOW("SIOCGIFFLAGS lo", ioctl(fd, SIOCGIFFLAGS, &r));
    printf("  flags %#x\n", r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_BROADCAST));
    r = req("lo");
    SHOW("SIOCGIFINDEX lo", ioctl(fd, SIOCGIFINDEX, &r));
    printf("  index %d\n", r.ifr_ifindex);
    r = req("");
    r.ifr_ifindex = 1;
    SHOW("SIOCGIFNAME 1", ioctl(fd, SIOCGIFNAME, &r));
    printf("  name %s\n", r.ifr_name);
    r = req("");
    r.ifr_ifindex = 99999;
    SHOW("SIOCGIFNAME 99999", ioctl(fd, SIOCGIFNAME, &r));
    r = req("lo");
    SHOW("SIOCGIFMTU lo", ioctl(fd, SIOCGIFMTU, &r));
    printf("  mtu %d\n", r.ifr_mtu);
    r = req("lo");
    SHOW("SIOCGIFHWADDR lo", ioctl(fd, SIOCGIFHWADDR, &r));
    printf("  family %d bytes %02x%02x%02x%02x%02x%02x\n", r.ifr_hwaddr.sa_family,
           (unsigned char)r.ifr_hwaddr.sa_data[0], (unsigned char)r.ifr_hwaddr.sa_data[1],
           (unsigned char)r.ifr_hwaddr.sa_data[2], (unsigned char)r.ifr_hwaddr.sa_data[3],
           (unsigned char)r.ifr_hwaddr.sa_data[4], (unsigned char)r.ifr_hwaddr.sa_data[5]);
    r = req("lo");
    SHOW("SIOCGIFTXQLEN lo", ioctl(fd, SIOCGIFTXQLEN, &r));
    printf("  qlen %d\n", r.ifr_qlen);
    r = req("nosuch0");
    SHOW("SIOCGIFFLAGS nosuch0", ioctl(fd, SIOCGIFFLAGS, &r));
    r = req("nosuch0");
    SHOW("SIOCGIFMTU nosuch0", ioctl(fd, SIOCGIFMTU, &r));

    struct ifconf ifc = {.ifc_len = 0, .ifc_buf = NULL};
    SHOW("SIOCGIFCONF NULL", ioctl(fd, SIOCGIFCONF, &ifc));
    printf("  length multiple of 40 and nonzero: %s\n", ifc.ifc_len > 0 && ifc.ifc_len % 40 == 0 ? "yes" : "no");
    struct ifreq list[64];
    ifc.ifc_len = sizeof list;
    ifc.ifc_req = list;
    SHOW("SIOCGIFCONF", ioctl(fd, SIOCGIFCONF, &ifc));
    int lo = 0;
    for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++) {
        struct sockaddr_in *s = (struct sockaddr_in *)&list[i].ifr_addr;
        if (!strcmp(list[i].ifr_name, "lo")) {
            char a[32];
            inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
            printf("  lo family %d addr %s\n", s->sin_family, a);
            lo++;
        }
    }
    printf("  lo entries %d\n", lo);
    /* room for one entry only */
    ifc.ifc_len = sizeof(struct ifreq) + 10;
    SHOW("SIOCGIFCONF small", ioctl(fd, SIOCGIFCONF, &ifc));
    printf("  len %d\n", ifc.ifc_len);
    return 0;
}
