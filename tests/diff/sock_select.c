// select(2) on sockets: readable listener, writable connected socket, readable on data and on
// EOF, exceptional set never set without urgent data, timeout with nothing ready, pselect.
#include "sock.h"

static void sel(const char *label, int fd, int ms)
{
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    FD_SET(fd, &e);
    struct timeval tv = {0, ms * 1000};
    int n = select(fd + 1, &r, &w, &e, &tv);
    printf("%s: n=%d read=%d write=%d except=%d\n", label, n, FD_ISSET(fd, &r) != 0,
           FD_ISSET(fd, &w) != 0, FD_ISSET(fd, &e) != 0);
}

static void selr(const char *label, int fd, int ms)
{
    fd_set r;
    FD_ZERO(&r);
    FD_SET(fd, &r);
    struct timeval tv = {0, ms * 1000};
    int n = select(fd + 1, &r, NULL, NULL, &tv);
    printf("%s: n=%d read=%d\n", label, n, FD_ISSET(fd, &r) != 0);
}

int main(void)
{
    int l = tcp_listener4();
    selr("listener idle, 20 ms", l, 20);
    int c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l));
    selr("listener with pending connection", l, 1000);
    int s = accept(l, NULL, NULL);
    sel("connected, idle", s, 0);
    selr("connected, read only, 20 ms", s, 20);
    MUST(write(c, "abc", 3));
    selr("data arrived", s, 1000);
    sel("data arrived, all sets", s, 0);
    char b[8];
    MUST(read(s, b, sizeof b));
    close(c);
    selr("peer closed", s, 1000);
    SHOW("read EOF", read(s, b, sizeof b));
    int u = udp_sock4();
    sel("udp idle", u, 0);
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    sendto(tx, "d", 1, 0, (struct sockaddr *)&to, sizeof to);
    selr("udp datagram", u, 1000);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(l, &r);
    struct timespec ts = {0, 10000000};
    sigset_t none;
    sigemptyset(&none);
    SHOW("pselect idle listener", pselect(l + 1, &r, NULL, NULL, &ts, &none));
    return 0;
}
