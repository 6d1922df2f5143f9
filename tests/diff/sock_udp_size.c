// UDP sizes: 65507 bytes is the largest IPv4 datagram (65508 EMSGSIZE), 65527 for IPv6 (65528
// EMSGSIZE); a maximal datagram arrives whole; a 9000-byte datagram over loopback (fragment
// free, MTU 65536) arrives whole; EMSGSIZE also for sendmsg with iovecs adding up too much.
#include "sock.h"

static char big[70000];

int main(void)
{
    memset(big, 'm', sizeof big);
    int a = udp_sock4(), b = udp_sock4();
    MUST(seti(b, SOL_SOCKET, SO_RCVBUF, 1 << 20));
    struct sockaddr_in tb = sin4("127.0.0.1", port_of(b));
    SHOW("send 65507", sendto(a, big, 65507, 0, (struct sockaddr *)&tb, sizeof tb));
    SHOW("send 65508", sendto(a, big, 65508, 0, (struct sockaddr *)&tb, sizeof tb));
    SHOW("send 70000", sendto(a, big, 70000, 0, (struct sockaddr *)&tb, sizeof tb));
    static char rb[70000];
    SHOW("recv maximal", recv(b, rb, sizeof rb, 0));
    SHOW("send 9000", sendto(a, big, 9000, 0, (struct sockaddr *)&tb, sizeof tb));
    SHOW("recv 9000", recv(b, rb, sizeof rb, 0));
    struct iovec iov[2] = {{big, 40000}, {big, 30000}};
    struct msghdr m = {.msg_name = &tb, .msg_namelen = sizeof tb, .msg_iov = iov, .msg_iovlen = 2};
    SHOW("sendmsg 40000+30000", sendmsg(a, &m, 0));
    iov[1].iov_len = 25507;
    SHOW("sendmsg 40000+25507", sendmsg(a, &m, 0));
    SHOW("recv it", recv(b, rb, sizeof rb, 0));
    SHOW("nothing else queued", recv(b, rb, sizeof rb, MSG_DONTWAIT));

    int c = udp_sock6(), d = udp_sock6();
    MUST(seti(d, SOL_SOCKET, SO_RCVBUF, 1 << 20));
    struct sockaddr_in6 td = sin6("::1", port_of(d));
    SHOW("v6 send 65527", sendto(c, big, 65527, 0, (struct sockaddr *)&td, sizeof td));
    SHOW("v6 send 65528", sendto(c, big, 65528, 0, (struct sockaddr *)&td, sizeof td));
    SHOW("v6 recv maximal", recv(d, rb, sizeof rb, 0));
    int e = bound_sock(AF_INET6, SOCK_DGRAM, "::");
    MUST(seti(e, SOL_SOCKET, SO_RCVBUF, 1 << 20));
    struct sockaddr_in6 tm = sin6("::ffff:127.0.0.1", port_of(e));
    int f = socket(AF_INET6, SOCK_DGRAM, 0);
    SHOW("v6 socket to v4-mapped 65507", sendto(f, big, 65507, 0, (struct sockaddr *)&tm, sizeof tm));
    SHOW("v6 socket to v4-mapped 65508", sendto(f, big, 65508, 0, (struct sockaddr *)&tm, sizeof tm));
    SHOW("recv mapped", recv(e, rb, sizeof rb, 0));
    return 0;
}
