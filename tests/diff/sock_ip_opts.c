// IP-level options: IP_TTL default 64 (set/get, 0 and 256 EINVAL, -1 resets), IP_TOS (low bits
// masked), IPV6_V6ONLY default 0, IPV6_UNICAST_HOPS default 64, IP_MULTICAST_TTL default 1,
// IP_MULTICAST_LOOP default 1, IPV6_MULTICAST_HOPS/LOOP, IP_RECVTOS/IP_PKTINFO flags, IP options
// on AF_INET6 sockets (dual-stack), IPV6 options on AF_INET sockets (ENOPROTOOPT... as Linux).
#include "sock.h"

int main(void)
{
    int u = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_STREAM, 0);
    show_opt("udp IP_TTL default", u, IPPROTO_IP, IP_TTL);
    show_opt("tcp IP_TTL default", t, IPPROTO_IP, IP_TTL);
    SHOW("IP_TTL 10", seti(u, IPPROTO_IP, IP_TTL, 10));
    show_opt("IP_TTL", u, IPPROTO_IP, IP_TTL);
    SHOW("IP_TTL 0", seti(u, IPPROTO_IP, IP_TTL, 0));
    SHOW("IP_TTL 256", seti(u, IPPROTO_IP, IP_TTL, 256));
    SHOW("IP_TTL -1 (default)", seti(u, IPPROTO_IP, IP_TTL, -1));
    show_opt("IP_TTL", u, IPPROTO_IP, IP_TTL);
    show_opt("IP_TOS default", u, IPPROTO_IP, IP_TOS);
    SHOW("IP_TOS 0x10", seti(u, IPPROTO_IP, IP_TOS, 0x10));
    show_opt("IP_TOS", u, IPPROTO_IP, IP_TOS);
    SHOW("tcp IP_TOS 0xb8", seti(t, IPPROTO_IP, IP_TOS, 0xb8));
    show_opt("tcp IP_TOS", t, IPPROTO_IP, IP_TOS);
    SHOW("tcp IP_TOS 0xbb (ECN bits)", seti(t, IPPROTO_IP, IP_TOS, 0xbb));
    show_opt("tcp IP_TOS", t, IPPROTO_IP, IP_TOS);
    show_opt("IP_MULTICAST_TTL default", u, IPPROTO_IP, IP_MULTICAST_TTL);
    show_opt("IP_MULTICAST_LOOP default", u, IPPROTO_IP, IP_MULTICAST_LOOP);
    SHOW("IP_MULTICAST_TTL 16", seti(u, IPPROTO_IP, IP_MULTICAST_TTL, 16));
    show_opt("IP_MULTICAST_TTL", u, IPPROTO_IP, IP_MULTICAST_TTL);
    unsigned char ttl = 0;
    socklen_t l = 1;
    SHOW("IP_MULTICAST_TTL into 1 byte", getsockopt(u, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, &l));
    printf("byte value %d len %u\n", ttl, (unsigned)l);
    unsigned char one = 5;
    SHOW("IP_MULTICAST_TTL set from 1 byte", setsockopt(u, IPPROTO_IP, IP_MULTICAST_TTL, &one, 1));
    show_opt("IP_MULTICAST_TTL", u, IPPROTO_IP, IP_MULTICAST_TTL);
    SHOW("IP_MULTICAST_TTL 256", seti(u, IPPROTO_IP, IP_MULTICAST_TTL, 256));
    SHOW("IP_MULTICAST_LOOP 0", seti(u, IPPROTO_IP, IP_MULTICAST_LOOP, 0));
    show_opt("IP_MULTICAST_LOOP", u, IPPROTO_IP, IP_MULTICAST_LOOP);
    show_opt("IP_PKTINFO default", u, IPPROTO_IP, IP_PKTINFO);
    show_opt("IP_RECVTOS default", u, IPPROTO_IP, IP_RECVTOS);
    show_opt("IP_RECVTTL default", u, IPPROTO_IP, IP_RECVTTL);
    SHOW("IP_PKTINFO 1", seti(u, IPPROTO_IP, IP_PKTINFO, 1));
    show_opt("IP_PKTINFO", u, IPPROTO_IP, IP_PKTINFO);
    SHOW("IPV6_V6ONLY on AF_INET", seti(u, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    printf("get IPV6_V6ONLY on AF_INET: %s\n", en(-geti(u, IPPROTO_IPV6, IPV6_V6ONLY)));

    int v = socket(AF_INET6, SOCK_DGRAM, 0), vt = socket(AF_INET6, SOCK_STREAM, 0);
    show_opt("udp6 IPV6_V6ONLY default", v, IPPROTO_IPV6, IPV6_V6ONLY);
    show_opt("tcp6 IPV6_V6ONLY default", vt, IPPROTO_IPV6, IPV6_V6ONLY);
    show_opt("IPV6_UNICAST_HOPS default", v, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
    SHOW("IPV6_UNICAST_HOPS 7", seti(v, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 7));
    show_opt("IPV6_UNICAST_HOPS", v, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
    SHOW("IPV6_UNICAST_HOPS 256", seti(v, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 256));
    SHOW("IPV6_UNICAST_HOPS -2", seti(v, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -2));
    show_opt("IPV6_MULTICAST_HOPS default", v, IPPROTO_IPV6, IPV6_MULTICAST_HOPS);
    show_opt("IPV6_MULTICAST_LOOP default", v, IPPROTO_IPV6, IPV6_MULTICAST_LOOP);
    show_opt("IPV6_TCLASS default", v, IPPROTO_IPV6, IPV6_TCLASS);
    SHOW("IPV6_TCLASS 0x28", seti(v, IPPROTO_IPV6, IPV6_TCLASS, 0x28));
    show_opt("IPV6_TCLASS", v, IPPROTO_IPV6, IPV6_TCLASS);
    show_opt("IPV6_RECVPKTINFO default", v, IPPROTO_IPV6, IPV6_RECVPKTINFO);
    show_opt("IP_TTL on AF_INET6 socket", v, IPPROTO_IP, IP_TTL);
    SHOW("IP_TOS on AF_INET6 socket", seti(v, IPPROTO_IP, IP_TOS, 0x10));
    SHOW("IPV6_V6ONLY 1", seti(vt, IPPROTO_IPV6, IPV6_V6ONLY, 1));
    show_opt("IPV6_V6ONLY", vt, IPPROTO_IPV6, IPV6_V6ONLY);
    return 0;
}
