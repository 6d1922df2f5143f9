// EADDRINUSE: a second bind to a port held by a socket of the same protocol fails (specific and
// wildcard addresses, v4 and v6), a different protocol may share the number, and closing the
// holder (UDP, or a TCP socket that never connected) frees the port at once.
#include "sock.h"

static int bind4(int fd, const char *ip, int port)
{
    struct sockaddr_in a = sin4(ip, port);
    return bind(fd, (struct sockaddr *)&a, sizeof a);
}

static int bind6(int fd, const char *ip, int port)
{
    struct sockaddr_in6 a = sin6(ip, port);
    return bind(fd, (struct sockaddr *)&a, sizeof a);
}

int main(void)
{
    int p = free_port();
    int a = socket(AF_INET, SOCK_STREAM, 0);
    MUST(bind4(a, "127.0.0.1", p));
    int b = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("tcp same addr", bind4(b, "127.0.0.1", p));
    SHOW("tcp wildcard over specific", bind4(b, "0.0.0.0", p));
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW("udp same port number as tcp", bind4(u, "127.0.0.1", p));
    int u2 = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW("udp same addr", bind4(u2, "127.0.0.1", p));
    SHOW("udp wildcard over specific", bind4(u2, "0.0.0.0", p));
    close(u);
    SHOW("udp after holder closed", bind4(u2, "127.0.0.1", p));
    close(a);
    SHOW("tcp after unconnected holder closed", bind4(b, "127.0.0.1", p));
    close(b);
    close(u2);

    int w = socket(AF_INET, SOCK_STREAM, 0);
    MUST(bind4(w, "0.0.0.0", 0));
    p = port_of(w);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("tcp specific over wildcard", bind4(s, "127.0.0.1", p));
    SHOW("tcp 127.0.0.2 over wildcard", bind4(s, "127.0.0.2", p));
    close(w);
    close(s);

    p = free_port();
    int x = socket(AF_INET, SOCK_STREAM, 0);
    MUST(bind4(x, "127.0.0.1", p));
    int y = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("tcp 127.0.0.2 beside 127.0.0.1", bind4(y, "127.0.0.2", p));
    close(x);
    close(y);

    int v = socket(AF_INET6, SOCK_STREAM, 0);
    MUST(bind6(v, "::1", 0));
    p = port_of(v);
    int v2 = socket(AF_INET6, SOCK_STREAM, 0);
    SHOW("tcp6 same addr", bind6(v2, "::1", p));
    SHOW("tcp6 wildcard over ::1", bind6(v2, "::", p));
    int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    MUST(bind6(u6, "::1", 0));
    p = port_of(u6);
    int u62 = socket(AF_INET6, SOCK_DGRAM, 0);
    SHOW("udp6 same addr", bind6(u62, "::1", p));
    return 0;
}
