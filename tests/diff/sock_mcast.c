// Multicast options on a UDP socket: IP_ADD_MEMBERSHIP/IP_DROP_MEMBERSHIP of 239.1.2.3 on the
// loopback interface (by address 127.0.0.1 and by index with ip_mreqn), a second join
// EADDRINUSE, dropping an unjoined group EADDRNOTAVAIL, a unicast group EINVAL, short optlen,
// IP_MULTICAST_IF by address, and IPV6_JOIN_GROUP ff05::1:3 on interface 1 (lo).
#include "sock.h"

int main(void)
{
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct ip_mreq m;
    inet_pton(AF_INET, "239.1.2.3", &m.imr_multiaddr);
    inet_pton(AF_INET, "127.0.0.1", &m.imr_interface);
    SHOW("IP_ADD_MEMBERSHIP on 127.0.0.1", setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m));
    SHOW("join again", setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m));
    SHOW("IP_DROP_MEMBERSHIP", setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m));
    SHOW("drop again", setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m));
    struct ip_mreqn mn;
    memset(&mn, 0, sizeof mn);
    inet_pton(AF_INET, "239.1.2.4", &mn.imr_multiaddr);
    mn.imr_ifindex = 1;
    SHOW("join with ip_mreqn ifindex 1", setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mn, sizeof mn));
    SHOW("drop it", setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mn, sizeof mn));
    struct ip_mreq bad = m;
    inet_pton(AF_INET, "10.1.2.3", &bad.imr_multiaddr);
    SHOW("join a unicast address", setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &bad, sizeof bad));
    SHOW("join optlen 4", setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, 4));
    struct in_addr ifa;
    inet_pton(AF_INET, "127.0.0.1", &ifa);
    SHOW("IP_MULTICAST_IF 127.0.0.1", setsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof ifa));
    struct in_addr got;
    socklen_t l = sizeof got;
    SHOW("get IP_MULTICAST_IF", getsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, &got, &l));
    char s[16];
    inet_ntop(AF_INET, &got, s, sizeof s);
    printf("IP_MULTICAST_IF: %s len %u\n", s, (unsigned)l);
    inet_pton(AF_INET, "203.0.113.9", &ifa);
    SHOW("IP_MULTICAST_IF non-local address", setsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof ifa));
    int t = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("IP_ADD_MEMBERSHIP on tcp", setsockopt(t, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m));

    int v = socket(AF_INET6, SOCK_DGRAM, 0);
    struct ipv6_mreq m6;
    inet_pton(AF_INET6, "ff05::1:3", &m6.ipv6mr_multiaddr);
    m6.ipv6mr_interface = 1;
    SHOW("IPV6_JOIN_GROUP on lo", setsockopt(v, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6, sizeof m6));
    SHOW("join again", setsockopt(v, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6, sizeof m6));
    SHOW("IPV6_LEAVE_GROUP", setsockopt(v, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m6, sizeof m6));
    SHOW("leave again", setsockopt(v, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m6, sizeof m6));
    inet_pton(AF_INET6, "2001:db8::1", &m6.ipv6mr_multiaddr);
    SHOW("join a unicast v6 address", setsockopt(v, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6, sizeof m6));
    return 0;
}
