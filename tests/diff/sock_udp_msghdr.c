// sendmsg/recvmsg on UDP: msg_name on sendmsg is the destination (honoured even on a connected
// socket), many iovecs gather into one datagram and scatter out of one, recvmsg fills msg_name
// with the sender and msg_namelen; a short msg_namelen truncates; NULL msg_name is fine.
#include "sock.h"

int main(void)
{
    int a = udp_sock4(), b = udp_sock4(), tx = udp_sock4();
    struct sockaddr_in ta = sin4("127.0.0.1", port_of(a)), tb = sin4("127.0.0.1", port_of(b));
    char parts[16][4];
    struct iovec iov[16];
    for (int i = 0; i < 16; i++) {
        snprintf(parts[i], 4, "%02d", i);
        iov[i].iov_base = parts[i];
        iov[i].iov_len = 2;
    }
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &ta;
    m.msg_namelen = sizeof ta;
    m.msg_iov = iov;
    m.msg_iovlen = 16;
    SHOW("sendmsg 16 iovecs to a", sendmsg(tx, &m, 0));
    MUST(connect(tx, (struct sockaddr *)&tb, sizeof tb));
    m.msg_iovlen = 3;
    SHOW("sendmsg with msg_name on a connected socket (to a)", sendmsg(tx, &m, 0));
    m.msg_name = NULL;
    m.msg_namelen = 0;
    SHOW("sendmsg without msg_name (to the peer b)", sendmsg(tx, &m, 0));

    char r1[5], r2[7], r3[40];
    memset(r3, 0, sizeof r3);
    struct iovec rv[3] = {{r1, 5}, {r2, 7}, {r3, 40}};
    sockaddr_any from;
    memset(&from, 0, sizeof from);
    struct msghdr rm;
    memset(&rm, 0, sizeof rm);
    rm.msg_name = &from;
    rm.msg_namelen = sizeof from;
    rm.msg_iov = rv;
    rm.msg_iovlen = 3;
    SHOW("a recvmsg", recvmsg(a, &rm, 0));
    printf("scatter: %.5s|%.7s|%s\n", r1, r2, r3);
    show_addr("msg_name", &from, rm.msg_namelen);
    printf("sender is tx: %d\n", ntohs(from.in4.sin_port) == port_of(tx));
    memset(r3, 0, sizeof r3);
    rm.msg_namelen = 6;
    memset(&from, 0xee, sizeof from);
    SHOW("a recvmsg short namelen", recvmsg(a, &rm, 0));
    printf("namelen=%u family_ok=%d byte6_untouched=%d\n", (unsigned)rm.msg_namelen,
           from.in4.sin_family == AF_INET, ((unsigned char *)&from)[6] == 0xee);
    rm.msg_name = NULL;
    rm.msg_namelen = 0;
    SHOW("b recvmsg NULL name", recvmsg(b, &rm, 0));
    printf("b data: %.5s\n", r1);
    SHOW("a empty", recv(a, r1, 1, MSG_DONTWAIT));
    m.msg_iovlen = 0;
    m.msg_name = &ta;
    m.msg_namelen = sizeof ta;
    SHOW("sendmsg 0 iovecs", sendmsg(tx, &m, 0));
    rm.msg_iovlen = 0;
    SHOW("recvmsg 0 iovecs", recvmsg(a, &rm, 0));
    printf("msg_flags MSG_TRUNC: %d\n", (rm.msg_flags & MSG_TRUNC) != 0);
    m.msg_iovlen = 1025;
    SHOW("sendmsg iovlen 1025", sendmsg(tx, &m, 0));
    m.msg_iovlen = 1;
    m.msg_namelen = 8;
    SHOW("sendmsg short msg_namelen", sendmsg(tx, &m, 0));
    m.msg_namelen = sizeof ta;
    m.msg_name = BADPTR;
    SHOW("sendmsg bad msg_name", sendmsg(tx, &m, 0));

    int v = udp_sock6(), tx6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 tv = sin6("::1", port_of(v));
    m.msg_name = &tv;
    m.msg_namelen = sizeof tv;
    m.msg_iovlen = 4;
    SHOW("v6 sendmsg", sendmsg(tx6, &m, 0));
    rm.msg_name = &from;
    rm.msg_namelen = sizeof from;
    rm.msg_iovlen = 3;
    SHOW("v6 recvmsg", recvmsg(v, &rm, 0));
    show_addr("v6 msg_name", &from, rm.msg_namelen);
    return 0;
}
