// Option errors: unknown option (ENOPROTOOPT) at every level, unknown level, optlen too small
// (EINVAL), negative optlen, NULL/bad optval (EFAULT), getsockopt truncating an int option to
// the optlen given (1 or 2 bytes), a longer optlen clamped to 4, options on a non-socket
// (ENOTSOCK) and a bad fd (EBADF).
#include "sock.h"

int main(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int v = 1;
    SHOW("SOL_SOCKET unknown 999 set", setsockopt(fd, SOL_SOCKET, 999, &v, sizeof v));
    socklen_t l = sizeof v;
    SHOW("SOL_SOCKET unknown 999 get", getsockopt(fd, SOL_SOCKET, 999, &v, &l));
    SHOW("IPPROTO_IP unknown 999 set", setsockopt(fd, IPPROTO_IP, 999, &v, sizeof v));
    SHOW("IPPROTO_IP unknown 999 get", getsockopt(fd, IPPROTO_IP, 999, &v, &l));
    SHOW("level 12345 set", setsockopt(fd, 12345, 1, &v, sizeof v));
    SHOW("level 12345 get", getsockopt(fd, 12345, 1, &v, &l));
    int v6 = socket(AF_INET6, SOCK_DGRAM, 0);
    SHOW("IPPROTO_IPV6 unknown 999 set", setsockopt(v6, IPPROTO_IPV6, 999, &v, sizeof v));
    SHOW("IPPROTO_UDP unknown 999 set", setsockopt(v6, IPPROTO_UDP, 999, &v, sizeof v));
    SHOW("SO_REUSEADDR optlen 0", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, 0));
    SHOW("SO_REUSEADDR optlen 3", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, 3));
    long long big = 1;
    SHOW("SO_REUSEADDR optlen 8", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &big, 8));
    show_opt("SO_REUSEADDR", fd, SOL_SOCKET, SO_REUSEADDR);
    SHOW("SO_REUSEADDR NULL optval", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, NULL, 4));
    SHOW("SO_REUSEADDR bad optval", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, BADPTR, 4));
    SHOW("IP_TTL optlen 0", setsockopt(fd, IPPROTO_IP, IP_TTL, &v, 0));
    SHOW("TCP_NODELAY optlen 0", setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, 0));

    MUST(seti(fd, SOL_SOCKET, SO_SNDBUF, 65536));
    unsigned char b[8];
    memset(b, 0xee, sizeof b);
    l = 1;
    SHOW("get SO_SNDBUF optlen 1", getsockopt(fd, SOL_SOCKET, SO_SNDBUF, b, &l));
    printf("len=%u bytes=%02x %02x\n", (unsigned)l, b[0], b[1]);
    memset(b, 0xee, sizeof b);
    l = 2;
    SHOW("get SO_SNDBUF optlen 2", getsockopt(fd, SOL_SOCKET, SO_SNDBUF, b, &l));
    printf("len=%u bytes=%02x %02x %02x\n", (unsigned)l, b[0], b[1], b[2]);
    memset(b, 0xee, sizeof b);
    l = 8;
    SHOW("get SO_SNDBUF optlen 8", getsockopt(fd, SOL_SOCKET, SO_SNDBUF, b, &l));
    printf("len=%u byte4=%02x\n", (unsigned)l, b[4]);
    l = 0;
    SHOW("get SO_SNDBUF optlen 0", getsockopt(fd, SOL_SOCKET, SO_SNDBUF, b, &l));
    printf("len=%u\n", (unsigned)l);
    l = (socklen_t)-1;
    SHOW("get SO_SNDBUF optlen -1", getsockopt(fd, SOL_SOCKET, SO_SNDBUF, b, &l));
    l = 4;
    void *volatile bad = BADPTR;
    SHOW("get bad optval", getsockopt(fd, SOL_SOCKET, SO_SNDBUF, bad, &l));
    SHOW("get bad optlen pointer", getsockopt(fd, SOL_SOCKET, SO_SNDBUF, b, (socklen_t *)bad));
    memset(b, 0xee, sizeof b);
    l = 1;
    SHOW("get IP_TTL optlen 1", getsockopt(fd, IPPROTO_IP, IP_TTL, b, &l));
    printf("len=%u byte=%d\n", (unsigned)l, b[0]);
    l = 2;
    SHOW("get TCP_NODELAY optlen 2", getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, b, &l));
    printf("len=%u\n", (unsigned)l);
    struct linger lg;
    l = 4;
    SHOW("get SO_LINGER optlen 4", getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &l));
    printf("len=%u\n", (unsigned)l);
    struct timeval tv;
    l = 8;
    SHOW("get SO_RCVTIMEO optlen 8", getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &l));
    printf("len=%u\n", (unsigned)l);

    int p[2];
    MUST(pipe(p));
    l = 4;
    SHOW("getsockopt on pipe", getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &l));
    SHOW("setsockopt on pipe", setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, &v, 4));
    SHOW("getsockopt bad fd", getsockopt(999, SOL_SOCKET, SO_TYPE, &v, &l));
    return 0;
}
