// accept on what cannot accept: an unconnected or connected TCP socket (EINVAL), a UDP socket
// (EOPNOTSUPP), a non-socket (ENOTSOCK), a bad fd; listen on UDP is EOPNOTSUPP; a non-blocking
// listener with nothing queued gives EAGAIN; accept after the client already closed still
// returns the connection, which reads EOF.
#include "sock.h"

int main(void)
{
    int t = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("accept unbound tcp", accept(t, NULL, NULL));
    struct sockaddr_in a = sin4("127.0.0.1", 0);
    MUST(bind(t, (struct sockaddr *)&a, sizeof a));
    SHOW("accept bound, not listening", accept(t, NULL, NULL));
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW("accept udp", accept(u, NULL, NULL));
    SHOW("listen udp", listen(u, 1));
    int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    SHOW("listen udp6", listen(u6, 1));
    int p[2];
    MUST(pipe(p));
    SHOW("accept pipe", accept(p[0], NULL, NULL));
    SHOW("listen pipe", listen(p[0], 1));
    SHOW("accept bad fd", accept(999, NULL, NULL));
    SHOW("listen bad fd", listen(999, 1));
    int c, s;
    tcp_pair(0, &c, &s);
    SHOW("accept connected client", accept(c, NULL, NULL));
    SHOW("accept accepted socket", accept(s, NULL, NULL));
    int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    MUST(bind(l, (struct sockaddr *)&a, sizeof a));
    MUST(listen(l, 4));
    SHOW("nonblocking accept, nothing queued", accept(l, NULL, NULL));
    SHOW("accept4 SOCK_NONBLOCK, nothing queued", accept4(l, NULL, NULL, SOCK_NONBLOCK));
    int c2 = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l));
    MUST(c2);
    MUST(write(c2, "bye", 3));
    close(c2);
    int s2 = -1;
    while (s2 < 0 && wait_ev(l, POLLIN))
        s2 = accept(l, NULL, NULL);
    SHOWOK("accept after client closed", s2);
    char buf[8];
    MUST(fcntl(s2, F_SETFL, 0));
    SHOW("read data", read(s2, buf, sizeof buf));
    SHOW("read EOF", read(s2, buf, sizeof buf));
    show_peername("peer still named", s2);
    return 0;
}
