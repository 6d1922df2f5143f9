// epoll on connected TCP sockets: EPOLLOUT at once, EPOLLIN with data; edge-triggered EPOLLIN
// fires again only when new data arrives; EPOLLONESHOT disarms until EPOLL_CTL_MOD; EPOLLRDHUP
// on the peer's FIN; EPOLLHUP|EPOLLERR after RST; UDP readiness.
#include "sock.h"

static const char *evs(uint32_t e)
{
    static char b[128];
    b[0] = 0;
    if (e & EPOLLIN) strcat(b, "IN ");
    if (e & EPOLLOUT) strcat(b, "OUT ");
    if (e & EPOLLRDHUP) strcat(b, "RDHUP ");
    if (e & EPOLLHUP) strcat(b, "HUP ");
    if (e & EPOLLERR) strcat(b, "ERR ");
    if (e & EPOLLPRI) strcat(b, "PRI ");
    if (!b[0]) strcpy(b, "none ");
    b[strlen(b) - 1] = 0;
    return b;
}

static void ew(const char *label, int ep, int ms)
{
    struct epoll_event out[4];
    int n = epoll_wait(ep, out, 4, ms);
    if (n <= 0)
        printf("%s: %d\n", label, n);
    else
        printf("%s: %d %s\n", label, n, evs(out[0].events));
}

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.fd = s};
    MUST(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
    ew("level, idle", ep, 0);
    MUST(write(c, "a", 1));
    ew("level, data", ep, 1000);
    ev.events = EPOLLIN | EPOLLET;
    MUST(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    ew("ET after MOD (data pending)", ep, 0);
    ew("ET again, nothing new", ep, 0);
    MUST(write(c, "b", 1));
    ew("ET, new data", ep, 1000);
    char buf[8];
    SHOW("read both", read(s, buf, sizeof buf));
    ev.events = EPOLLIN | EPOLLONESHOT;
    MUST(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    MUST(write(c, "c", 1));
    ew("ONESHOT first", ep, 1000);
    MUST(write(c, "d", 1));
    ew("ONESHOT disarmed", ep, 50);
    MUST(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    ew("ONESHOT rearmed", ep, 0);
    read(s, buf, sizeof buf);
    ev.events = EPOLLIN | EPOLLRDHUP;
    MUST(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    shutdown(c, SHUT_WR);
    ew("peer FIN", ep, 1000);
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    MUST(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
    // both directions shut and the connection closed (the peer acknowledged our FIN:
    // TCP_INFO's state is CLOSE; bounded wait): HUP, and no ERR
    shutdown(s, SHUT_WR);
    struct tcp_info ti = {0};
    for (int i = 0; i < 10000; i++) {
        socklen_t tl = sizeof ti;
        if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 && ti.tcpi_state == TCP_CLOSE)
            break;
        usleep(1000);
    }
    printf("closed: %d\n", ti.tcpi_state == TCP_CLOSE);
    ew("both shut", ep, 0);
    // and still so after other traffic has gone through the stack
    int c2, s2;
    tcp_pair(0, &c2, &s2);
    char x[4];
    if (write(c2, "more", 4) != 4 || read(s2, x, 4) != 4)
        printf("other traffic failed\n");
    close(c2);
    close(s2);
    ew("both shut, after other traffic", ep, 0);
    close(c);
    close(s);
    close(ep);

    tcp_pair(1, &c, &s);
    ep = epoll_create1(0);
    ev.events = EPOLLIN;
    ev.data.fd = c;
    MUST(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev));
    struct linger lg = {1, 0};
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(s);
    ew("v6 after RST (EPOLLIN asked)", ep, 1000);
    close(c);
    close(ep);

    int u = udp_sock4(), tx = socket(AF_INET, SOCK_DGRAM, 0);
    ep = epoll_create1(0);
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = u;
    MUST(epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev));
    ew("udp idle", ep, 0);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    sendto(tx, "1", 1, 0, (struct sockaddr *)&to, sizeof to);
    ew("udp datagram", ep, 1000);
    sendto(tx, "2", 1, 0, (struct sockaddr *)&to, sizeof to);
    ew("udp second datagram, new edge", ep, 1000);
    ew("udp nothing new", ep, 0);
    return 0;
}
