// Abortive close: SO_LINGER {1,0} then close sends RST: the peer's read gets ECONNRESET, then
// EOF; poll shows POLLERR|POLLHUP...; closing with unread data in the receive queue also
// resets the connection; SO_ERROR carries ECONNRESET until read.
#include "sock.h"

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    struct linger lg = {1, 0};
    MUST(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    close(s);
    printf("revents: %s\n", revents_str(wait_ev(c, POLLERR | POLLHUP)));
    show_poll("poll all", c, POLLIN | POLLOUT | POLLRDHUP, 0);
    char buf[8];
    SHOW("read", read(c, buf, sizeof buf));
    SHOW("read again", read(c, buf, sizeof buf));
    SHOW("write", send(c, "x", 1, MSG_NOSIGNAL));
    show_peername("peer after reset", c);
    close(c);

    tcp_pair(0, &c, &s);
    MUST(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    close(s);
    wait_ev(c, POLLERR);
    show_opt("SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    show_opt("SO_ERROR again", c, SOL_SOCKET, SO_ERROR);
    SHOW("read after SO_ERROR consumed", read(c, buf, sizeof buf));
    close(c);

    tcp_pair(0, &c, &s);
    MUST(write(c, "unread", 6));
    wait_ev(s, POLLIN);
    close(s); /* data never read: RST instead of FIN */
    wait_ev(c, POLLERR);
    SHOW("read after peer closed with unread data", read(c, buf, sizeof buf));
    close(c);

    tcp_pair(1, &c, &s);
    MUST(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    MUST(write(c, "lost", 4));
    wait_ev(s, POLLIN);
    close(c);
    wait_ev(s, POLLERR);
    SHOW("v6: read queued data after RST", read(s, buf, sizeof buf));
    SHOW("v6: read again", read(s, buf, sizeof buf));
    return 0;
}
