// Ancillary data on UDP recvmsg: IP_PKTINFO gives ipi_addr/ipi_spec_dst 127.0.0.1 (and the
// destination 127.0.0.2 when sent there), IP_RECVTTL gives 64, IP_RECVTOS the TOS set by the
// sender (by IP_TOS or an IP_TOS cmsg: an int or a byte, 0..255), IPV6_RECVPKTINFO gives ::1; a
// too-small msg_control sets MSG_CTRUNC; no options, no cmsgs. lo is interface 1.
#include "sock.h"

static void dump(const char *label, struct msghdr *m)
{
    printf("%s: flags CTRUNC=%d controllen=%zu\n", label, (m->msg_flags & MSG_CTRUNC) != 0,
           (size_t)m->msg_controllen);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
        size_t dl = c->cmsg_len - CMSG_LEN(0);
        size_t need = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO ? sizeof(struct in_pktinfo)
                      : c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO ? sizeof(struct in6_pktinfo)
                      : c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS ? 1 : 4;
        if (c->cmsg_len < CMSG_LEN(0) || dl < need ||
            (char *)c + c->cmsg_len > (char *)m->msg_control + m->msg_controllen) {
            printf("  truncated cmsg level=%d type=%d len=%zu\n", c->cmsg_level, c->cmsg_type,
                   (size_t)c->cmsg_len);
            break;
        }
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            inet_ntop(AF_INET, &pi.ipi_addr, a, sizeof a);
            inet_ntop(AF_INET, &pi.ipi_spec_dst, b, sizeof b);
            printf("  IP_PKTINFO len=%zu addr=%s spec_dst=%s ifindex=%d\n", (size_t)c->cmsg_len, a,
                   b, pi.ipi_ifindex);
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
            int ttl;
            memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
            printf("  IP_TTL len=%zu ttl=%d\n", (size_t)c->cmsg_len, ttl);
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS) {
            printf("  IP_TOS len=%zu tos=0x%x\n", (size_t)c->cmsg_len, *(unsigned char *)CMSG_DATA(c));
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            inet_ntop(AF_INET6, &pi.ipi6_addr, a, sizeof a);
            printf("  IPV6_PKTINFO len=%zu addr=%s ifindex=%u\n", (size_t)c->cmsg_len, a,
                   pi.ipi6_ifindex);
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
            int h;
            memcpy(&h, CMSG_DATA(c), sizeof h);
            printf("  IPV6_HOPLIMIT len=%zu hops=%d\n", (size_t)c->cmsg_len, h);
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS) {
            int t;
            memcpy(&t, CMSG_DATA(c), sizeof t);
            printf("  IPV6_TCLASS len=%zu tclass=0x%x\n", (size_t)c->cmsg_len, t);
        } else {
            printf("  cmsg level=%d type=%d len=%zu\n", c->cmsg_level, c->cmsg_type,
                   (size_t)c->cmsg_len);
        }
    }
}

static void recv_show(const char *label, int fd, size_t clen)
{
    char data[32];
    union {
        char buf[256];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {data, sizeof data};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = clen ? ctl.buf : NULL;
    m.msg_controllen = clen;
    ssize_t r = recvmsg(fd, &m, 0);
    if (r < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    printf("%s: %zd bytes\n", label, r);
    dump(label, &m);
}

/* sendmsg to `to` with one control message of `len` data bytes (an int or a byte) */
static void send_cmsg(const char *label, int fd, void *to, socklen_t tolen, int level, int type,
                      int val, size_t len)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct iovec iov = {"cmsg", 4};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = to;
    m.msg_namelen = tolen;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.buf;
    m.msg_controllen = CMSG_SPACE(len);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(len);
    if (len == 1) {
        unsigned char b = val;
        memcpy(CMSG_DATA(c), &b, 1);
    } else {
        memcpy(CMSG_DATA(c), &val, sizeof val);
    }
    SHOW(label, sendmsg(fd, &m, 0));
}

int main(void)
{
    int u = bound_sock(AF_INET, SOCK_DGRAM, "0.0.0.0"), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    MUST(sendto(tx, "plain", 5, 0, (struct sockaddr *)&to, sizeof to));
    recv_show("no options", u, 256);
    MUST(seti(u, IPPROTO_IP, IP_PKTINFO, 1));
    MUST(sendto(tx, "pkt", 3, 0, (struct sockaddr *)&to, sizeof to));
    recv_show("IP_PKTINFO", u, 256);
    struct sockaddr_in to2 = sin4("127.0.0.2", port_of(u));
    MUST(sendto(tx, "pkt2", 4, 0, (struct sockaddr *)&to2, sizeof to2));
    recv_show("IP_PKTINFO to 127.0.0.2", u, 256);
    MUST(seti(u, IPPROTO_IP, IP_RECVTTL, 1));
    MUST(seti(u, IPPROTO_IP, IP_RECVTOS, 1));
    MUST(seti(tx, IPPROTO_IP, IP_TOS, 0x20));
    MUST(sendto(tx, "all", 3, 0, (struct sockaddr *)&to, sizeof to));
    recv_show("PKTINFO+RECVTTL+RECVTOS", u, 256);
    MUST(sendto(tx, "small", 5, 0, (struct sockaddr *)&to, sizeof to));
    recv_show("control buffer of 20 bytes", u, 20);
    MUST(sendto(tx, "none", 4, 0, (struct sockaddr *)&to, sizeof to));
    recv_show("no control buffer", u, 0);
    send_cmsg("IP_TOS cmsg 0x10 (int)", tx, &to, sizeof to, IPPROTO_IP, IP_TOS, 0x10, 4);
    recv_show("after IP_TOS cmsg (int)", u, 256);
    send_cmsg("IP_TOS cmsg 0x8 (byte)", tx, &to, sizeof to, IPPROTO_IP, IP_TOS, 0x8, 1);
    recv_show("after IP_TOS cmsg (byte)", u, 256);
    send_cmsg("IP_TOS cmsg 256", tx, &to, sizeof to, IPPROTO_IP, IP_TOS, 256, 4);
    send_cmsg("IP_TOS cmsg, 2 bytes", tx, &to, sizeof to, IPPROTO_IP, IP_TOS, 1, 2);

    int v = bound_sock(AF_INET6, SOCK_DGRAM, "::"), tx6 = socket(AF_INET6, SOCK_DGRAM, 0);
    MUST(seti(v, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1));
    struct sockaddr_in6 t6 = sin6("::1", port_of(v));
    MUST(sendto(tx6, "six", 3, 0, (struct sockaddr *)&t6, sizeof t6));
    recv_show("IPV6_RECVPKTINFO", v, 256);
    MUST(seti(v, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1));
    MUST(sendto(tx6, "hop", 3, 0, (struct sockaddr *)&t6, sizeof t6));
    recv_show("IPV6_RECVPKTINFO+RECVHOPLIMIT", v, 256);
    return 0;
}
