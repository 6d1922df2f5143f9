// Non-blocking connect: EINPROGRESS (or an immediate success, which loopback never gives on
// Linux) then POLLOUT and SO_ERROR 0; to a closed port POLLOUT|POLLERR|POLLHUP and SO_ERROR
// ECONNREFUSED, read back once (then 0); the first connect after completion returns 0, the
// next EISCONN; the refusal is also the error of the next write.
#include "sock.h"

int main(void)
{
    int l = tcp_listener4();
    int p = port_of(l);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = sin4("127.0.0.1", p);
    int r = connect(fd, (struct sockaddr *)&a, sizeof a);
    printf("connect: %s\n", r == 0 ? "0" : en(errno));
    int ev = wait_ev(fd, POLLOUT);
    printf("revents: %s\n", revents_str(ev));
    show_opt("SO_ERROR", fd, SOL_SOCKET, SO_ERROR);
    SHOW("connect again (completes the socket state)", connect(fd, (struct sockaddr *)&a, sizeof a));
    SHOW("connect a third time", connect(fd, (struct sockaddr *)&a, sizeof a));
    show_peername("peer", fd);
    int s = accept(l, NULL, NULL);
    SHOW("write", write(fd, "hi", 2));
    char buf[4];
    SHOW("server read", read(s, buf, sizeof buf));
    close(fd);
    close(s);

    int dead = unused_port(AF_INET, SOCK_STREAM);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in d = sin4("127.0.0.1", dead);
    r = connect(fd, (struct sockaddr *)&d, sizeof d);
    printf("connect closed port: %s\n", r == 0 ? "0" : en(errno));
    ev = wait_ev(fd, POLLOUT);
    printf("revents: %s\n", revents_str(ev));
    show_opt("SO_ERROR", fd, SOL_SOCKET, SO_ERROR);
    show_opt("SO_ERROR again", fd, SOL_SOCKET, SO_ERROR);
    show_poll("poll after SO_ERROR read", fd, POLLIN | POLLOUT, 0);
    close(fd);

    int l6 = tcp_listener6();
    fd = socket(AF_INET6, SOCK_STREAM, 0);
    int on = 1;
    MUST(ioctl(fd, FIONBIO, &on));
    struct sockaddr_in6 a6 = sin6("::1", port_of(l6));
    r = connect(fd, (struct sockaddr *)&a6, sizeof a6);
    printf("v6 connect: %s\n", r == 0 ? "0" : en(errno));
    ev = wait_ev(fd, POLLOUT);
    printf("revents: %s\n", revents_str(ev));
    show_opt("SO_ERROR", fd, SOL_SOCKET, SO_ERROR);
    /* the refusal also appears as the error of the next read/write */
    int dead2 = unused_port(AF_INET, SOCK_STREAM);
    int f2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    d = sin4("127.0.0.1", dead2);
    connect(f2, (struct sockaddr *)&d, sizeof d);
    wait_ev(f2, POLLOUT);
    SHOW("write after async refusal", write(f2, "x", 1));
    SHOW("send MSG_NOSIGNAL again", send(f2, "x", 1, MSG_NOSIGNAL));
    return 0;
}
