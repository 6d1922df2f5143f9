// listen/accept: the accepted socket's names mirror the client's, accept fills the peer address
// (and its length, truncating a short buffer), NULL address is fine, a listener reports
// SO_ACCEPTCONN, re-listen changes nothing visible, listen after connect is EINVAL.
#include "sock.h"

int main(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in la = sin4("127.0.0.1", 0);
    MUST(bind(l, (struct sockaddr *)&la, sizeof la));
    show_opt("SO_ACCEPTCONN before listen", l, SOL_SOCKET, SO_ACCEPTCONN);
    SHOW("listen", listen(l, 5));
    show_opt("SO_ACCEPTCONN after listen", l, SOL_SOCKET, SO_ACCEPTCONN);
    SHOW("listen again (new backlog)", listen(l, 50));
    SHOW("listen backlog -1", listen(l, -1));
    SHOW("listen backlog huge", listen(l, 1 << 30));
    int p = port_of(l);
    int c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
    MUST(c);
    sockaddr_any pa;
    socklen_t pl = sizeof pa;
    memset(&pa, 0, sizeof pa);
    int s = accept(l, &pa.sa, &pl);
    MUST(s);
    show_addr("accept peer", &pa, pl);
    printf("accept peer port == client port: %d\n", ntohs(pa.in4.sin_port) == port_of(c));
    show_sockname("accepted name", s);
    printf("accepted local port == listener port: %d\n", port_of(s) == p);
    show_peername("client peer", c);
    show_opt("SO_ACCEPTCONN accepted", s, SOL_SOCKET, SO_ACCEPTCONN);
    show_opt("SO_ACCEPTCONN client", c, SOL_SOCKET, SO_ACCEPTCONN);
    show_fdflags("accepted flags", s);
    SHOW("listen on connected client", listen(c, 5));
    SHOW("listen on accepted", listen(s, 5));
    SHOW("write", write(c, "ping", 4));
    char buf[8] = {0};
    SHOW("read", read(s, buf, sizeof buf));
    printf("data: %s\n", buf);
    close(c);
    close(s);

    c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
    MUST(c);
    pl = 4;
    memset(&pa, 0xee, sizeof pa);
    s = accept(l, &pa.sa, &pl);
    MUST(s);
    printf("short addrlen: len=%u family_ok=%d port_copied=%d byte4_untouched=%d\n", (unsigned)pl,
           pa.in4.sin_family == AF_INET, ntohs(pa.in4.sin_port) == port_of(c),
           ((unsigned char *)&pa)[4] == 0xee);
    close(s);
    close(c);
    c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
    SHOWOK("accept NULL addr", s = accept(l, NULL, NULL));
    close(s);
    close(c);
    c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
    pl = sizeof pa;
    SHOW("accept bad addr pointer", accept(l, BADPTR, &pl));
    close(c);

    int u = socket(AF_INET6, SOCK_STREAM, 0);
    SHOW("listen unbound v6", listen(u, 1));
    show_sockname("  autobound", u);
    int c6 = connect_to(AF_INET6, SOCK_STREAM, "::1", port_of(u));
    MUST(c6);
    pl = sizeof pa;
    int s6 = accept(u, &pa.sa, &pl);
    MUST(s6);
    show_addr("v6 accept peer", &pa, pl);
    return 0;
}
