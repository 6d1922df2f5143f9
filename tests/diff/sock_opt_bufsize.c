// SO_SNDBUF/SO_RCVBUF: the value set is doubled, a tiny value is raised to the minimum (2304
// for SO_RCVBUF, 4608 for SO_SNDBUF), a huge one (or a negative one, taken as unsigned) is
// capped at 2*{r,w}mem_max (printed only as a relation), defaults are positive; TCP and UDP,
// v4 and v6; optlen below 4 is EINVAL.
#include "sock.h"

static long sysctl_long(const char *path)
{
    char b[64];
    if (get_file(path, b, sizeof b) <= 0)
        return -1;
    return atol(b);
}

int main(void)
{
    long rmax = sysctl_long("/proc/sys/net/core/rmem_max");
    long wmax = sysctl_long("/proc/sys/net/core/wmem_max");
    printf("rmem_max readable: %d, wmem_max readable: %d\n", rmax > 0, wmax > 0);
    int fams[] = {AF_INET, AF_INET6};
    int tys[] = {SOCK_STREAM, SOCK_DGRAM};
    for (int f = 0; f < 2; f++)
        for (int t = 0; t < 2; t++) {
            int fd = socket(fams[f], tys[t], 0);
            printf("-- %s %s\n", f ? "inet6" : "inet", t ? "dgram" : "stream");
            printf("default rcvbuf positive: %d\n", geti(fd, SOL_SOCKET, SO_RCVBUF) > 0);
            printf("default sndbuf positive: %d\n", geti(fd, SOL_SOCKET, SO_SNDBUF) > 0);
            MUST(seti(fd, SOL_SOCKET, SO_RCVBUF, 65536));
            MUST(seti(fd, SOL_SOCKET, SO_SNDBUF, 65536));
            printf("rcvbuf 65536 -> %d\n", geti(fd, SOL_SOCKET, SO_RCVBUF));
            printf("sndbuf 65536 -> %d\n", geti(fd, SOL_SOCKET, SO_SNDBUF));
            MUST(seti(fd, SOL_SOCKET, SO_RCVBUF, 100000));
            printf("rcvbuf 100000 -> %d\n", geti(fd, SOL_SOCKET, SO_RCVBUF));
            MUST(seti(fd, SOL_SOCKET, SO_RCVBUF, 1));
            MUST(seti(fd, SOL_SOCKET, SO_SNDBUF, 1));
            printf("rcvbuf 1 -> %d\n", geti(fd, SOL_SOCKET, SO_RCVBUF));
            printf("sndbuf 1 -> %d\n", geti(fd, SOL_SOCKET, SO_SNDBUF));
            MUST(seti(fd, SOL_SOCKET, SO_RCVBUF, 0));
            printf("rcvbuf 0 -> %d\n", geti(fd, SOL_SOCKET, SO_RCVBUF));
            MUST(seti(fd, SOL_SOCKET, SO_RCVBUF, -5));
            printf("rcvbuf -5 (as unsigned: huge) -> 2*rmem_max: %d\n",
                   geti(fd, SOL_SOCKET, SO_RCVBUF) == 2 * rmax);
            MUST(seti(fd, SOL_SOCKET, SO_RCVBUF, 1 << 30));
            MUST(seti(fd, SOL_SOCKET, SO_SNDBUF, 1 << 30));
            int r = geti(fd, SOL_SOCKET, SO_RCVBUF), s = geti(fd, SOL_SOCKET, SO_SNDBUF);
            printf("rcvbuf 1 GiB capped at 2*rmem_max: %d\n", r == 2 * rmax);
            printf("sndbuf 1 GiB capped at 2*wmem_max: %d\n", s == 2 * wmax);
            /* ZLMediaKit: 256 KiB */
            MUST(seti(fd, SOL_SOCKET, SO_SNDBUF, 256 * 1024));
            int sb = geti(fd, SOL_SOCKET, SO_SNDBUF);
            printf("sndbuf 256 KiB -> doubled or capped: %d\n",
                   sb == 512 * 1024 || (sb == 2 * wmax && wmax < 256 * 1024));
            SHOW("optlen 2", setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){4096}, 2));
            close(fd);
        }
    return 0;
}
