// sendmsg/recvmsg on TCP: msg_name is ignored on a connected socket's sendmsg and recvmsg sets
// msg_namelen to 0; scatter/gather across iovecs; no control messages and no MSG_TRUNC;
// MSG_PEEK through recvmsg; sendto with an address on a connected TCP socket is accepted
// (address ignored); sendto on an unconnected TCP socket with an address is EPIPE.
#include "sock.h"

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    int c, s;
    tcp_pair(0, &c, &s);
    struct sockaddr_in bogus = sin4("203.0.113.5", 9);
    struct iovec iov[4] = {{"ab", 2}, {"", 0}, {"cde", 3}, {"f", 1}};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &bogus;
    m.msg_namelen = sizeof bogus;
    m.msg_iov = iov;
    m.msg_iovlen = 4;
    SHOW("sendmsg with a msg_name", sendmsg(c, &m, 0));
    SHOW("sendto with an address", sendto(c, "gh", 2, 0, (struct sockaddr *)&bogus, sizeof bogus));
    // until all 8 bytes are queued (bounded, 10 s)
    for (int i = 0, n = 0; i < 10000 && (ioctl(s, FIONREAD, &n) < 0 || n < 8); i++)
        usleep(1000);
    char r1[3] = {0}, r2[16] = {0};
    struct iovec rv[2] = {{r1, 3}, {r2, 16}};
    sockaddr_any from;
    char ctl[64];
    struct msghdr rm;
    memset(&rm, 0, sizeof rm);
    rm.msg_name = &from;
    rm.msg_namelen = sizeof from;
    rm.msg_iov = rv;
    rm.msg_iovlen = 2;
    rm.msg_control = ctl;
    rm.msg_controllen = sizeof ctl;
    SHOW("recvmsg MSG_PEEK", recvmsg(s, &rm, MSG_PEEK));
    rm.msg_namelen = sizeof from;
    rm.msg_controllen = sizeof ctl;
    SHOW("recvmsg", recvmsg(s, &rm, 0));
    printf("data: %.3s|%s namelen=%u controllen=%zu flags=%d\n", r1, r2, (unsigned)rm.msg_namelen,
           (size_t)rm.msg_controllen, rm.msg_flags);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("sendto on unconnected tcp with an address", sendto(t, "x", 1, 0, (struct sockaddr *)&bogus, sizeof bogus));
    SHOW("sendmsg with msg_iovlen 0", sendmsg(c, &(struct msghdr){0}, 0));
    struct iovec badv = {BADPTR, 10};
    struct msghdr bm = {.msg_iov = &badv, .msg_iovlen = 1};
    SHOW("sendmsg bad iov_base", sendmsg(c, &bm, 0));
    struct msghdr bm2 = {.msg_iov = BADPTR, .msg_iovlen = 1};
    SHOW("sendmsg bad msg_iov", sendmsg(c, &bm2, 0));
    SHOW("sendmsg bad msghdr", sendmsg(c, BADPTR, 0));
    SHOW("recvmsg bad msghdr", recvmsg(s, BADPTR, MSG_DONTWAIT));
    return 0;
}
