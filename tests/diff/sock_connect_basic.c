// connect(2): blocking success (v4, v6, v4-mapped), ECONNREFUSED to a closed port (and the
// socket may connect again afterwards), connect to the wildcard address reaches loopback,
// errors for bad addresses and lengths, ENOTSOCK/EBADF.
#include "sock.h"

int main(void)
{
    int l = tcp_listener4();
    int p = port_of(l);
    SHOWOK("connect 127.0.0.1", connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p));
    int l0 = bound_sock(AF_INET, SOCK_STREAM, "0.0.0.0");
    SHOWOK("connect 0.0.0.0 reaches a wildcard listener",
           connect_to(AF_INET, SOCK_STREAM, "0.0.0.0", port_of(l0)));
    int l6 = tcp_listener6();
    SHOWOK("connect ::1", connect_to(AF_INET6, SOCK_STREAM, "::1", port_of(l6)));
    int dead = unused_port(AF_INET, SOCK_STREAM);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in d = sin4("127.0.0.1", dead);
    SHOW("connect closed port", connect(fd, (struct sockaddr *)&d, sizeof d));
    show_opt("SO_ERROR after refusal", fd, SOL_SOCKET, SO_ERROR);
    struct sockaddr_in ok = sin4("127.0.0.1", p);
    SHOW("connect same socket again, open port", connect(fd, (struct sockaddr *)&ok, sizeof ok));
    close(fd);
    int dead6 = unused_port(AF_INET6, SOCK_STREAM);
    SHOW("connect ::1 closed port", connect_to(AF_INET6, SOCK_STREAM, "::1", dead6));
    SHOW("connect port 0", connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", 0));
    fd = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("addrlen 15", connect(fd, (struct sockaddr *)&ok, 15));
    SHOW("addrlen 0", connect(fd, (struct sockaddr *)&ok, 0));
    SHOW("bad pointer", connect(fd, BADPTR, sizeof ok));
    struct sockaddr_in6 six = sin6("::1", p);
    SHOW("AF_INET6 address on AF_INET", connect(fd, (struct sockaddr *)&six, sizeof six));
    struct sockaddr_in un = ok;
    un.sin_family = AF_UNIX;
    SHOW("AF_UNIX family on AF_INET", connect(fd, (struct sockaddr *)&un, sizeof un));
    close(fd);
    fd = socket(AF_INET6, SOCK_STREAM, 0);
    SHOW("v6 addrlen 20", connect(fd, (struct sockaddr *)&six, 20));
    SHOW("AF_INET address on AF_INET6", connect(fd, (struct sockaddr *)&ok, sizeof ok));
    int pp[2];
    MUST(pipe(pp));
    SHOW("connect pipe", connect(pp[0], (struct sockaddr *)&ok, sizeof ok));
    SHOW("connect bad fd", connect(999, (struct sockaddr *)&ok, sizeof ok));
    return 0;
}
