// The read-only SOL_SOCKET options: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN and SO_ERROR
// for TCP/UDP over v4/v6 and for accepted sockets; setting them is ENOPROTOOPT.
#include "sock.h"

static void ids(const char *label, int fd)
{
    printf("%s: type=%d domain=%d protocol=%d acceptconn=%d error=%d\n", label,
           geti(fd, SOL_SOCKET, SO_TYPE), geti(fd, SOL_SOCKET, SO_DOMAIN),
           geti(fd, SOL_SOCKET, SO_PROTOCOL), geti(fd, SOL_SOCKET, SO_ACCEPTCONN),
           geti(fd, SOL_SOCKET, SO_ERROR));
}

int main(void)
{
    ids("tcp4", socket(AF_INET, SOCK_STREAM, 0));
    ids("tcp4 explicit protocol", socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    ids("udp4", socket(AF_INET, SOCK_DGRAM, 0));
    ids("tcp6", socket(AF_INET6, SOCK_STREAM, 0));
    ids("udp6", socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    ids("tcp4 nonblock", socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    int l = tcp_listener6();
    ids("tcp6 listener", l);
    int c = connect_to(AF_INET6, SOCK_STREAM, "::1", port_of(l));
    ids("tcp6 client", c);
    ids("tcp6 accepted", accept(l, NULL, NULL));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("set SO_TYPE", seti(fd, SOL_SOCKET, SO_TYPE, SOCK_DGRAM));
    SHOW("set SO_DOMAIN", seti(fd, SOL_SOCKET, SO_DOMAIN, AF_INET6));
    SHOW("set SO_PROTOCOL", seti(fd, SOL_SOCKET, SO_PROTOCOL, 17));
    SHOW("set SO_ACCEPTCONN", seti(fd, SOL_SOCKET, SO_ACCEPTCONN, 1));
    SHOW("set SO_ERROR", seti(fd, SOL_SOCKET, SO_ERROR, 5));
    ids("unchanged", fd);
    return 0;
}
