/* The socket syscalls' shared argument checks: ENOTSOCK on other files, EBADF,
 * bad type flags, families out of range, socketpair on inet. */
#include "common.h"
#include <sys/socket.h>
#include <netinet/in.h>

#define S(expr) SHOW(#expr, expr)

int main(void)
{
    int p[2];
    MUST(pipe(p));
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t l = sizeof a;
    int v = 1;
    char buf[4];
    struct msghdr m = {0};
    struct mmsghdr mm = {0};
    S(bind(p[0], (struct sockaddr *)&a, sizeof a));
    S(connect(p[0], (struct sockaddr *)&a, sizeof a));
    S(listen(p[0], 1));
    S(accept(p[0], NULL, NULL));
    S(accept4(p[0], NULL, NULL, 0));
    S(getsockname(p[0], (struct sockaddr *)&a, &l));
    S(getpeername(p[0], (struct sockaddr *)&a, &l));
    S(shutdown(p[0], SHUT_RD));
    S(setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof v));
    S(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &l));
    S(send(p[1], "x", 1, 0));
    S(recv(p[0], buf, 1, MSG_DONTWAIT));
    S(sendmsg(p[1], &m, 0));
    S(recvmsg(p[0], &m, 0));
    S(syscall(SYS_sendmmsg, p[1], &mm, 1, 0));
    S(syscall(SYS_recvmmsg, p[0], &mm, 1, 0, NULL));
    S(bind(99, (struct sockaddr *)&a, sizeof a));
    S(sendto(99, "x", 1, 0, NULL, 0));
    S(socket(-1, SOCK_STREAM, 0));
    S(socket(9999, SOCK_STREAM, 0));
    S(socket(AF_INET, SOCK_STREAM | 0x10000000, 0));
    S(accept4(p[0], NULL, NULL, 0x1000));
    int sv[2];
    S(socketpair(AF_INET, SOCK_STREAM, 0, sv));
    S(socketpair(AF_INET6, SOCK_DGRAM, 0, sv));
    S(socketpair(AF_INET, SOCK_STREAM, IPPROTO_UDP, sv));
    return 0;
}
