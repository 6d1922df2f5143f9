// IPPROTO_TCP options: TCP_NODELAY and TCP_CORK (0/1), TCP_MAXSEG (nonzero when connected),
// TCP_KEEPIDLE/KEEPINTVL/KEEPCNT (defaults 7200/75/9, set/get, range errors),
// TCP_DEFER_ACCEPT, TCP_USER_TIMEOUT; corked data still arrives after uncorking; on a UDP socket
// setting a TCP option is ENOPROTOOPT and getting one EOPNOTSUPP.
#include "sock.h"

int main(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    show_opt("TCP_NODELAY default", fd, IPPROTO_TCP, TCP_NODELAY);
    SHOW("set TCP_NODELAY 3", seti(fd, IPPROTO_TCP, TCP_NODELAY, 3));
    show_opt("TCP_NODELAY", fd, IPPROTO_TCP, TCP_NODELAY);
    show_opt("TCP_CORK default", fd, IPPROTO_TCP, TCP_CORK);
    SHOW("set TCP_CORK 1", seti(fd, IPPROTO_TCP, TCP_CORK, 1));
    show_opt("TCP_CORK", fd, IPPROTO_TCP, TCP_CORK);
    show_opt("TCP_KEEPIDLE default", fd, IPPROTO_TCP, TCP_KEEPIDLE);
    show_opt("TCP_KEEPINTVL default", fd, IPPROTO_TCP, TCP_KEEPINTVL);
    show_opt("TCP_KEEPCNT default", fd, IPPROTO_TCP, TCP_KEEPCNT);
    SHOW("set TCP_KEEPIDLE 30", seti(fd, IPPROTO_TCP, TCP_KEEPIDLE, 30));
    SHOW("set TCP_KEEPINTVL 5", seti(fd, IPPROTO_TCP, TCP_KEEPINTVL, 5));
    SHOW("set TCP_KEEPCNT 3", seti(fd, IPPROTO_TCP, TCP_KEEPCNT, 3));
    show_opt("TCP_KEEPIDLE", fd, IPPROTO_TCP, TCP_KEEPIDLE);
    show_opt("TCP_KEEPINTVL", fd, IPPROTO_TCP, TCP_KEEPINTVL);
    show_opt("TCP_KEEPCNT", fd, IPPROTO_TCP, TCP_KEEPCNT);
    SHOW("TCP_KEEPIDLE 0", seti(fd, IPPROTO_TCP, TCP_KEEPIDLE, 0));
    SHOW("TCP_KEEPIDLE 32768", seti(fd, IPPROTO_TCP, TCP_KEEPIDLE, 32768));
    SHOW("TCP_KEEPINTVL 0", seti(fd, IPPROTO_TCP, TCP_KEEPINTVL, 0));
    SHOW("TCP_KEEPCNT 0", seti(fd, IPPROTO_TCP, TCP_KEEPCNT, 0));
    SHOW("TCP_KEEPCNT 128", seti(fd, IPPROTO_TCP, TCP_KEEPCNT, 128));
    show_opt("TCP_USER_TIMEOUT default", fd, IPPROTO_TCP, TCP_USER_TIMEOUT);
    SHOW("TCP_USER_TIMEOUT -1", seti(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, -1));
    SHOW("set TCP_USER_TIMEOUT 5000", seti(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000));
    show_opt("TCP_USER_TIMEOUT", fd, IPPROTO_TCP, TCP_USER_TIMEOUT);
    show_opt("TCP_MAXSEG unconnected", fd, IPPROTO_TCP, TCP_MAXSEG);
    SHOW("TCP_NODELAY optlen 2", setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, 2));
    SHOW("unknown TCP option 999", seti(fd, IPPROTO_TCP, 999, 1));
    printf("get unknown TCP option 999: %s\n", en(-geti(fd, IPPROTO_TCP, 999)));
    close(fd);

    int c, s;
    tcp_pair(0, &c, &s);
    int mss = geti(c, IPPROTO_TCP, TCP_MAXSEG);
    printf("TCP_MAXSEG connected nonzero: %d\n", mss > 0);
    printf("TCP_MAXSEG accepted nonzero: %d\n", geti(s, IPPROTO_TCP, TCP_MAXSEG) > 0);
    MUST(seti(c, IPPROTO_TCP, TCP_CORK, 1));
    MUST(write(c, "cork", 4));
    MUST(write(c, "ed", 2));
    MUST(seti(c, IPPROTO_TCP, TCP_CORK, 0));
    char buf[8] = {0};
    size_t n = read_full(s, buf, 6);
    printf("corked data after uncork: %zu %s\n", n, buf);
    MUST(seti(c, IPPROTO_TCP, TCP_NODELAY, 1));
    MUST(write(c, "nd", 2));
    n = read_full(s, buf, 2);
    printf("nodelay data: %zu\n", n);
    int l = tcp_listener6();
    SHOW("listener TCP_DEFER_ACCEPT 5", seti(l, IPPROTO_TCP, TCP_DEFER_ACCEPT, 5));
    printf("TCP_DEFER_ACCEPT reads back positive: %d\n", geti(l, IPPROTO_TCP, TCP_DEFER_ACCEPT) > 0);
    show_opt("tcp6 TCP_NODELAY", l, IPPROTO_TCP, TCP_NODELAY);
    show_opt("tcp6 TCP_KEEPCNT", l, IPPROTO_TCP, TCP_KEEPCNT);

    int u = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW("TCP_NODELAY on udp", seti(u, IPPROTO_TCP, TCP_NODELAY, 1));
    printf("get TCP_NODELAY on udp: %s\n", en(-geti(u, IPPROTO_TCP, TCP_NODELAY)));
    return 0;
}
