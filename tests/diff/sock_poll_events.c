// poll revents of TCP sockets through their life: fresh (unconnected), listening (POLLIN when a
// connection waits), connected (POLLOUT; POLLIN with data), after the peer's FIN (POLLIN|
// POLLRDHUP), after both sides shut (POLLHUP), after RST (POLLERR); and of UDP sockets.
#include "sock.h"

#define ALL (POLLIN | POLLPRI | POLLOUT | POLLRDHUP)

int main(void)
{
    int t = socket(AF_INET, SOCK_STREAM, 0);
    show_poll("fresh tcp", t, ALL, 0);
    show_poll("fresh tcp, no events asked", t, 0, 0);
    int l = tcp_listener4();
    show_poll("listener idle", l, ALL, 0);
    int c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l));
    MUST(c);
    wait_ev(l, POLLIN);
    show_poll("listener with a pending connection", l, ALL, 0);
    int s = accept(l, NULL, NULL);
    show_poll("listener drained", l, ALL, 0);
    show_poll("connected client", c, ALL, 0);
    show_poll("accepted", s, ALL, 0);
    MUST(write(c, "x", 1));
    wait_ev(s, POLLIN);
    show_poll("accepted with data", s, ALL, 0);
    show_poll("accepted with data, POLLOUT only asked", s, POLLOUT, 0);
    char b;
    MUST(read(s, &b, 1));
    shutdown(c, SHUT_WR);
    wait_ev(s, POLLRDHUP);
    show_poll("after peer FIN", s, ALL, 0);
    show_poll("after peer FIN, POLLIN only asked", s, POLLIN, 0);
    show_poll("after own SHUT_WR", c, ALL, 0);
    shutdown(s, SHUT_WR);
    wait_ev(c, POLLRDHUP);
    show_poll("both directions shut (client)", c, ALL, 0);
    show_poll("both directions shut (server)", s, ALL, 0);
    close(c);
    close(s);
    int c2 = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l));
    int s2 = accept(l, NULL, NULL);
    struct linger lg = {1, 0};
    setsockopt(s2, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(s2);
    wait_ev(c2, POLLERR);
    show_poll("after RST", c2, ALL, 0);
    show_poll("after RST, no events asked", c2, 0, 0);
    close(c2);
    show_poll("closed fd", c2, ALL, 0);

    int u = udp_sock4();
    show_poll("udp idle", u, ALL, 0);
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    show_poll("udp unbound", tx, ALL, 0);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    sendto(tx, "", 0, 0, (struct sockaddr *)&to, sizeof to);
    wait_ev(u, POLLIN);
    show_poll("udp with a zero-length datagram", u, ALL, 0);
    return 0;
}
