/* The IPv4 interface ioctls on an AF_INET socket (devinet_ioctl, as ifconfig
 * uses them): lo's address, netmask, broadcast and destination; EADDRNOTAVAIL and
 * ENODEV. */
#include "common.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

static void get(int fd, unsigned long cmd, const char *cname, const char *name)
{
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    r.ifr_addr.sa_family = AF_INET;
    char label[64];
    snprintf(label, sizeof label, "%s %s", cname, name);
    SHOW(label, ioctl(fd, cmd, &r));
    char a[32] = "?";
    struct sockaddr_in *s = (struct sockaddr_in *)&r.ifr_addr;
    inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
    printf("  family %d addr %s\n", s->sin_family, a);
}

int main(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    MUST(fd);
    get(fd, SIOCGIFADDR, "SIOCGIFADDR", "lo");
    get(fd, SIOCGIFNETMASK, "SIOCGIFNETMASK", "lo");
    get(fd, SIOCGIFBRDADDR, "SIOCGIFBRDADDR", "lo");
    get(fd, SIOCGIFDSTADDR, "SIOCGIFDSTADDR", "lo");
    get(fd, SIOCGIFADDR, "SIOCGIFADDR", "nosuch0");
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strcpy(r.ifr_name, "lo");
    SHOW("SIOCGIFMETRIC lo", ioctl(fd, SIOCGIFMETRIC, &r));
    printf("  metric %d\n", r.ifr_metric);
    return 0;
}
