// shutdown(2): SHUT_WR sends FIN (peer reads 0 and may still write back), SHUT_RD makes reads
// return 0 at once, SHUT_RDWR; errors: ENOTCONN on unconnected and listening TCP and unconnected
// UDP, EINVAL for a bad `how`, ENOTSOCK; a second shutdown is fine; UDP connected shutdown.
#include "sock.h"

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    SHOW("shutdown WR", shutdown(c, SHUT_WR));
    char buf[16];
    SHOW("peer read EOF", read(s, buf, sizeof buf));
    SHOW("peer read EOF again", read(s, buf, sizeof buf));
    show_poll("peer poll", s, POLLIN | POLLOUT | POLLRDHUP, 0);
    SHOW("peer writes back", write(s, "back", 4));
    SHOW("half-closed side reads", read(c, buf, sizeof buf));
    SHOW("shutdown WR again", shutdown(c, SHUT_WR));
    show_poll("half-closed side poll", c, POLLIN | POLLOUT | POLLRDHUP, 0);
    SHOW("peer shutdown WR", shutdown(s, SHUT_WR));
    SHOW("read EOF", read(c, buf, sizeof buf));
    show_poll("both shut poll", c, POLLIN | POLLOUT | POLLRDHUP, 0);
    close(c);
    close(s);

    tcp_pair(0, &c, &s);
    MUST(write(s, "queued", 6));
    wait_ev(c, POLLIN);
    SHOW("shutdown RD", shutdown(c, SHUT_RD));
    SHOW("read after SHUT_RD", read(c, buf, sizeof buf));
    SHOW("recv MSG_DONTWAIT after SHUT_RD", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    show_poll("poll after SHUT_RD", c, POLLIN | POLLOUT | POLLRDHUP, 0);
    SHOW("write after own SHUT_RD", write(c, "ok", 2));
    SHOW("peer reads it", read(s, buf, sizeof buf));
    close(c);
    close(s);

    tcp_pair(0, &c, &s);
    SHOW("shutdown RDWR", shutdown(c, SHUT_RDWR));
    SHOW("peer read EOF", read(s, buf, sizeof buf));
    show_poll("RDWR poll", c, POLLIN | POLLOUT | POLLRDHUP, 0);
    SHOW("bad how 3", shutdown(s, 3));
    SHOW("bad how -1", shutdown(s, -1));
    close(c);
    close(s);

    int t = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("unconnected tcp", shutdown(t, SHUT_RDWR));
    SHOW("unconnected tcp bad how", shutdown(t, 7));
    int l = tcp_listener4();
    SHOW("listening tcp SHUT_WR", shutdown(l, SHUT_WR));
    int u = udp_sock4();
    SHOW("unconnected udp", shutdown(u, SHUT_RDWR));
    int u2 = udp_sock4();
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u2));
    MUST(connect(u, (struct sockaddr *)&to, sizeof to));
    SHOW("connected udp SHUT_RD", shutdown(u, SHUT_RD));
    SHOW("udp recv after SHUT_RD", recv(u, buf, sizeof buf, 0));
    SHOW("connected udp SHUT_WR", shutdown(u, SHUT_WR));
    SHOW("udp send after SHUT_WR", send(u, "x", 1, MSG_NOSIGNAL));
    int p[2];
    MUST(pipe(p));
    SHOW("pipe", shutdown(p[0], SHUT_RD));
    SHOW("bad fd", shutdown(999, SHUT_RD));
    return 0;
}
