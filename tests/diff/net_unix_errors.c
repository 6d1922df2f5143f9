/* Errors of unix sockets: addresses, states, options, ioctls. */
#include "net_unix.h"
#include <netinet/in.h>

int main(void)
{
    int s, d, q;
    MUST(s = socket(AF_UNIX, SOCK_STREAM, 0));
    MUST(d = socket(AF_UNIX, SOCK_DGRAM, 0));
    MUST(q = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    struct sockaddr_un a;
    socklen_t al = un_path(&a, "e");
    struct sockaddr_in in = {.sin_family = AF_INET};
    char buf[8];
    int v;
    socklen_t l;
    /* addresses */
    S(bind(s, (struct sockaddr *)&in, sizeof in));
    S(connect(s, (struct sockaddr *)&in, sizeof in));
    S(connect(s, (struct sockaddr *)&a, 2));
    S(connect(s, (struct sockaddr *)&a, 1));
    S(bind(s, (struct sockaddr *)&a, sizeof a + 1));
    S(connect(d, (struct sockaddr *)&a, 2));
    struct sockaddr_un un = {.sun_family = AF_UNSPEC};
    S(connect(s, (struct sockaddr *)&un, sizeof un));
    S(connect(d, (struct sockaddr *)&un, sizeof un));
    S(sendto(d, "x", 1, 0, (struct sockaddr *)&in, sizeof in));
    /* states */
    S(recv(s, buf, 1, MSG_DONTWAIT));
    S(send(s, "x", 1, MSG_NOSIGNAL));
    S(accept(s, NULL, NULL));
    S(listen(d, 1));
    S(accept(d, NULL, NULL));
    S(getpeername(s, (struct sockaddr *)&a, &(socklen_t){sizeof a}));
    S(bind(s, (struct sockaddr *)&a, al));
    S(listen(s, -1));
    S(send(s, "x", 1, MSG_NOSIGNAL));
    S(recv(s, buf, 1, MSG_DONTWAIT));
    S(ioctl(s, FIONREAD, &v));
    S(connect(s, (struct sockaddr *)&a, al));
    S(sendto(s, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, al));
    int c;
    MUST(c = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(c, (struct sockaddr *)&a, al));
    S(sendto(c, "x", 1, 0, (struct sockaddr *)&a, al));
    /* options */
    l = sizeof v;
    S(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &l));
    printf("listening SO_ACCEPTCONN %d\n", v);
    v = 1;
    S(setsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, sizeof v));
    S(setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof v));
    S(setsockopt(s, 6, 1, &v, sizeof v));
    l = sizeof v;
    S(getsockopt(s, 6, 1, &v, &l));
    S(getsockopt(s, SOL_SOCKET, 9999, &v, &l));
    S(setsockopt(s, SOL_SOCKET, SO_PASSCRED, &v, 2));
    v = 65536;
    S(setsockopt(d, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    l = sizeof v;
    S(getsockopt(d, SOL_SOCKET, SO_SNDBUF, &v, &l));
    printf("SO_SNDBUF %d\n", v);
    v = 1;
    S(setsockopt(d, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
    l = sizeof v;
    S(getsockopt(d, SOL_SOCKET, SO_RCVBUF, &v, &l));
    printf("SO_RCVBUF %d\n", v);
    l = sizeof v;
    S(getsockopt(q, SOL_SOCKET, SO_SNDBUF, &v, &l));
    printf("default SO_SNDBUF %d\n", v);
    v = 5;
    S(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    l = sizeof v;
    S(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &l));
    printf("SO_KEEPALIVE %d\n", v);
    l = sizeof v;
    S(getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &l));
    printf("SO_ERROR %d\n", v);
    /* ioctls */
    int sv[2];
    MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    MUST(write(sv[0], "abc", 3));
    MUST(write(sv[0], "defgh", 5));
    S(ioctl(sv[1], FIONREAD, &v));
    printf("dgram FIONREAD %d\n", v);
    S(ioctl(sv[0], SIOCOUTQ, &v));
    YN("SIOCOUTQ counts what is queued", v > 0);
    MUST(read(sv[1], buf, sizeof buf));
    MUST(read(sv[1], buf, sizeof buf));
    S(ioctl(sv[0], SIOCOUTQ, &v));
    printf("SIOCOUTQ drained %d\n", v);
    S(ioctl(sv[0], TCGETS, buf));
    S(recv(sv[1], buf, 1, MSG_OOB));
    S(send(sv[0], "x", 1, MSG_OOB));
    S(socket(AF_UNIX, SOCK_STREAM, 3));
    S(socket(AF_UNIX, SOCK_PACKET, 0));
    return 0;
}
