// SO_REUSEADDR/SO_REUSEPORT/SO_KEEPALIVE/SO_BROADCAST/SO_OOBINLINE read back as 0/1 for any
// non-zero value; SO_LINGER get/set (struct linger, defaults {0,0}, short optlen EINVAL, the
// truncated read), on TCP and UDP.
#include "sock.h"

static void lin(const char *label, int fd)
{
    struct linger l = {-7, -7};
    socklen_t len = sizeof l;
    if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len) < 0)
        printf("%s: -1 %s\n", label, en(errno));
    else
        printf("%s: {%d,%d} len %u\n", label, l.l_onoff, l.l_linger, (unsigned)len);
}

int main(void)
{
    int fams[] = {AF_INET, AF_INET6};
    int tys[] = {SOCK_STREAM, SOCK_DGRAM};
    int opts[] = {SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE, SO_BROADCAST, SO_OOBINLINE, SO_DONTROUTE};
    const char *names[] = {"SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE", "SO_BROADCAST",
                           "SO_OOBINLINE", "SO_DONTROUTE"};
    for (int f = 0; f < 2; f++)
        for (int t = 0; t < 2; t++) {
            int fd = socket(fams[f], tys[t], 0);
            printf("-- %s %s\n", f ? "inet6" : "inet", t ? "dgram" : "stream");
            for (int o = 0; o < 6; o++) {
                char lab[64];
                snprintf(lab, sizeof lab, "%s default", names[o]);
                show_opt(lab, fd, SOL_SOCKET, opts[o]);
                seti(fd, SOL_SOCKET, opts[o], 5);
                snprintf(lab, sizeof lab, "%s after 5", names[o]);
                show_opt(lab, fd, SOL_SOCKET, opts[o]);
                seti(fd, SOL_SOCKET, opts[o], 0);
                snprintf(lab, sizeof lab, "%s after 0", names[o]);
                show_opt(lab, fd, SOL_SOCKET, opts[o]);
            }
            close(fd);
        }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    lin("SO_LINGER default", fd);
    struct linger l = {1, 30};
    SHOW("set {1,30}", setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l));
    lin("SO_LINGER", fd);
    l.l_onoff = 7;
    l.l_linger = 0;
    SHOW("set {7,0}", setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l));
    lin("SO_LINGER", fd);
    l.l_onoff = 0;
    l.l_linger = 12;
    SHOW("set {0,12}", setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l));
    lin("SO_LINGER", fd);
    SHOW("set with optlen 4", setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, 4));
    SHOW("set with optlen 16 (longer is fine)", setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger[2]){{1, 3}, {0, 0}}, 16));
    lin("SO_LINGER", fd);
    int v = 0;
    socklen_t len = sizeof v;
    SHOW("get into an int", getsockopt(fd, SOL_SOCKET, SO_LINGER, &v, &len));
    printf("int len %u value %d\n", (unsigned)len, v);
    SHOW("set NULL", setsockopt(fd, SOL_SOCKET, SO_LINGER, NULL, sizeof l));
    int u = socket(AF_INET6, SOCK_DGRAM, 0);
    l.l_onoff = 1;
    l.l_linger = 2;
    SHOW("udp6 set {1,2}", setsockopt(u, SOL_SOCKET, SO_LINGER, &l, sizeof l));
    lin("udp6 SO_LINGER", u);
    /* ZLMediaKit sets {0,0} */
    l.l_onoff = 0;
    l.l_linger = 0;
    SHOW("set {0,0}", setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l));
    lin("SO_LINGER", fd);
    return 0;
}
