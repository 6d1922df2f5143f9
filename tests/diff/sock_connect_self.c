// TCP simultaneous open with itself: a socket bound to 127.0.0.1:P connecting to 127.0.0.1:P
// succeeds on Linux, its peer is itself and what it writes it reads back.
#include "sock.h"

int main(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = sin4("127.0.0.1", 0);
    MUST(bind(fd, (struct sockaddr *)&a, sizeof a));
    a = sin4("127.0.0.1", port_of(fd));
    SHOW("connect to self", connect(fd, (struct sockaddr *)&a, sizeof a));
    show_peername("peer", fd);
    sockaddr_any n, pe;
    socklen_t nl = sizeof n, pl = sizeof pe;
    getsockname(fd, &n.sa, &nl);
    getpeername(fd, &pe.sa, &pl);
    printf("peer == name: %d\n", nl == pl && memcmp(&n, &pe, nl) == 0);
    SHOW("write", write(fd, "mirror", 6));
    char buf[8] = {0};
    SHOW("read", read(fd, buf, sizeof buf));
    printf("data: %s\n", buf);
    SHOW("shutdown WR", shutdown(fd, SHUT_WR));
    SHOW("read EOF", read(fd, buf, sizeof buf));
    close(fd);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    a = sin4("127.0.0.1", 0);
    MUST(bind(u, (struct sockaddr *)&a, sizeof a));
    a = sin4("127.0.0.1", port_of(u));
    SHOW("udp connect to self", connect(u, (struct sockaddr *)&a, sizeof a));
    SHOW("udp send", send(u, "me", 2, 0));
    SHOW("udp recv", recv(u, buf, sizeof buf, 0));
    return 0;
}
