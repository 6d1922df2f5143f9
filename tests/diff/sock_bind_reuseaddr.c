// SO_REUSEADDR: a listener's port in TIME_WAIT (after an active close) can be bound again only
// with SO_REUSEADDR; two listeners on one port are EADDRINUSE even when both set it; UDP
// sockets both with SO_REUSEADDR share a port.
#include "sock.h"

static int bind4(int fd, const char *ip, int port)
{
    struct sockaddr_in a = sin4(ip, port);
    return bind(fd, (struct sockaddr *)&a, sizeof a);
}

int main(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    MUST(seti(l, SOL_SOCKET, SO_REUSEADDR, 1));
    MUST(bind4(l, "127.0.0.1", 0));
    MUST(listen(l, 4));
    int p = port_of(l);
    int c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
    MUST(c);
    int s = accept(l, NULL, NULL);
    MUST(s);
    /* the server side closes first: its connection (local port p) goes to TIME_WAIT */
    close(s);
    char b;
    SHOW("client reads EOF", read(c, &b, 1));
    close(c);
    close(l);

    int n = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("rebind TIME_WAIT port without SO_REUSEADDR", bind4(n, "127.0.0.1", p));
    MUST(seti(n, SOL_SOCKET, SO_REUSEADDR, 1));
    SHOW("rebind TIME_WAIT port with SO_REUSEADDR", bind4(n, "127.0.0.1", p));
    SHOW("listen on it", listen(n, 4));

    int m = socket(AF_INET, SOCK_STREAM, 0);
    MUST(seti(m, SOL_SOCKET, SO_REUSEADDR, 1));
    SHOW("second listener with SO_REUSEADDR: bind", bind4(m, "127.0.0.1", p));
    close(m);

    /* both bound (not listening) with SO_REUSEADDR: Linux allows the second bind, and then the
     * second listen fails */
    int a = socket(AF_INET, SOCK_STREAM, 0), b2 = socket(AF_INET, SOCK_STREAM, 0);
    MUST(seti(a, SOL_SOCKET, SO_REUSEADDR, 1));
    MUST(seti(b2, SOL_SOCKET, SO_REUSEADDR, 1));
    MUST(bind4(a, "127.0.0.1", 0));
    int q = port_of(a);
    SHOW("tcp both REUSEADDR, neither listening: bind", bind4(b2, "127.0.0.1", q));
    SHOW("first listen", listen(a, 4));
    SHOW("second listen", listen(b2, 4));

    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    MUST(seti(u1, SOL_SOCKET, SO_REUSEADDR, 1));
    MUST(bind4(u1, "127.0.0.1", 0));
    q = port_of(u1);
    SHOW("udp second without SO_REUSEADDR", bind4(u2, "127.0.0.1", q));
    MUST(seti(u2, SOL_SOCKET, SO_REUSEADDR, 1));
    SHOW("udp second with SO_REUSEADDR", bind4(u2, "127.0.0.1", q));
    return 0;
}
