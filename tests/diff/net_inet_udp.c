// Loopback UDP: datagram boundaries, MSG_TRUNC, sender addresses, connect as a
// filter and AF_UNSPEC to dissolve it, IP_PKTINFO, dual-stack, EMSGSIZE,
// SO_REUSEADDR, and a non-blocking TCP connect seen through poll.
#include "common.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct sockaddr_in lo4(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    return a;
}

static int port_of(int fd)
{
    struct sockaddr_storage ss;
    socklen_t l = sizeof ss;
    MUST(getsockname(fd, (struct sockaddr *)&ss, &l));
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void show_from(const char *label, struct sockaddr_storage *ss, socklen_t l, int want_port)
{
    char buf[64] = "?";
    int port = 0;
    if (ss->ss_family == AF_INET) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)ss)->sin_addr, buf, sizeof buf);
        port = ntohs(((struct sockaddr_in *)ss)->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ss)->sin6_addr, buf, sizeof buf);
        port = ntohs(((struct sockaddr_in6 *)ss)->sin6_port);
    }
    printf("%s: %s len %d port %s\n", label, buf, (int)l, port == want_port ? "right" : "wrong");
}

int main(void)
{
    printf("== udp v4\n");
    int r = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = lo4(0);
    SHOW("bind", bind(r, (struct sockaddr *)&a, sizeof a));
    int rp = port_of(r);
    int one = 1;
    SHOW("pktinfo", setsockopt(r, IPPROTO_IP, IP_PKTINFO, &one, sizeof one));
    int t = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = lo4(rp);
    socklen_t sl = sizeof a;
    SHOW("getpeername unconnected", getpeername(t, (struct sockaddr *)&a, &sl));
    SHOW("send no address", send(t, "x", 1, 0));
    SHOW("sendto 1", sendto(t, "one", 3, 0, (struct sockaddr *)&to, sizeof to));
    SHOW("sendto 2", sendto(t, "second", 6, 0, (struct sockaddr *)&to, sizeof to));
    SHOW("sendto 0", sendto(t, "", 0, 0, (struct sockaddr *)&to, sizeof to));
    static char big[65508];
    SHOW("sendto 65508", sendto(t, big, sizeof big, 0, (struct sockaddr *)&to, sizeof to));
    int tp = port_of(t);
    YN("sender port ephemeral", tp >= 32768 && tp <= 60999);
    int n = -1;
    struct pollfd p = {r, POLLIN | POLLOUT, 0};
    SHOW("poll", poll(&p, 1, 1000));
    printf("revents: %#x\n", p.revents);
    SHOW("FIONREAD", ioctl(r, FIONREAD, &n));
    printf("next datagram: %d\n", n);

    char buf[16] = {0};
    char cbuf[256];
    struct iovec iov = {buf, sizeof buf};
    struct sockaddr_storage from;
    struct msghdr m = {&from, sizeof from, &iov, 1, cbuf, sizeof cbuf, 0};
    SHOW("recvmsg", recvmsg(r, &m, 0));
    show_from("from", &from, m.msg_namelen, tp);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            char d[32];
            inet_ntop(AF_INET, &pi.ipi_addr, d, sizeof d);
            printf("pktinfo: ifindex %d addr %s len %d\n", pi.ipi_ifindex, d, (int)c->cmsg_len);
        } else {
            printf("cmsg %d/%d\n", c->cmsg_level, c->cmsg_type);
        }
    }
    SHOW("recv truncated", recv(r, buf, 4, MSG_TRUNC));
    SHOW("recv empty datagram", recv(r, buf, sizeof buf, 0));
    SHOW("recv nothing", recv(r, buf, sizeof buf, MSG_DONTWAIT));

    printf("== connect filters\n");
    int o = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in tl = lo4(tp);
    SHOW("connect", connect(r, (struct sockaddr *)&tl, sizeof tl));
    sl = sizeof a;
    SHOW("getpeername", getpeername(r, (struct sockaddr *)&a, &sl));
    SHOW("other sends", sendto(o, "no", 2, 0, (struct sockaddr *)&to, sizeof to));
    SHOW("peer sends", sendto(t, "yes", 3, 0, (struct sockaddr *)&to, sizeof to));
    memset(buf, 0, sizeof buf);
    SHOW("recv", recv(r, buf, sizeof buf, 0));
    printf("data: %s\n", buf);
    SHOW("recv nothing", recv(r, buf, sizeof buf, MSG_DONTWAIT));
    SHOW("send to peer", send(r, "back", 4, 0));
    SHOW("peer recv", recv(t, buf, sizeof buf, 0));
    struct sockaddr un = {.sa_family = AF_UNSPEC};
    SHOW("disconnect", connect(r, &un, sizeof un));
    sl = sizeof a;
    SHOW("getpeername", getpeername(r, (struct sockaddr *)&a, &sl));
    close(o);
    close(r);
    close(t);

    printf("== dual stack and reuse\n");
    int r6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(47124)};
    SHOW("bind ::", bind(r6, (struct sockaddr *)&a6, sizeof a6));
    t = socket(AF_INET, SOCK_DGRAM, 0);
    to = lo4(47124);
    SHOW("sendto v4", sendto(t, "hi", 2, 0, (struct sockaddr *)&to, sizeof to));
    socklen_t fl = sizeof from;
    SHOW("recvfrom", recvfrom(r6, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    show_from("from", &from, fl, port_of(t));
    close(r6);
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    int u3 = socket(AF_INET, SOCK_DGRAM, 0);
    setsockopt(u1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(u2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    a = lo4(47125);
    SHOW("bind reuse 1", bind(u1, (struct sockaddr *)&a, sizeof a));
    SHOW("bind reuse 2", bind(u2, (struct sockaddr *)&a, sizeof a));
    SHOW("bind no reuse", bind(u3, (struct sockaddr *)&a, sizeof a));
    struct sockaddr_in bc = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = INADDR_BROADCAST};
    SHOW("broadcast without SO_BROADCAST", sendto(t, "b", 1, 0, (struct sockaddr *)&bc, sizeof bc));
    close(u1);
    close(u2);
    close(u3);
    close(t);

    printf("== nonblocking tcp connect\n");
    int l = socket(AF_INET, SOCK_STREAM, 0);
    a = lo4(0);
    MUST(bind(l, (struct sockaddr *)&a, sizeof a));
    MUST(listen(l, 1));
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    to = lo4(port_of(l));
    int cr = connect(c, (struct sockaddr *)&to, sizeof to);
    printf("connect: %s\n", cr == 0 || errno == EINPROGRESS ? "0 or EINPROGRESS" : en(errno));
    p = (struct pollfd){c, POLLOUT, 0};
    SHOW("poll", poll(&p, 1, 5000));
    printf("revents: %#x\n", p.revents);
    int err = -1;
    socklen_t el = sizeof err;
    getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el);
    printf("so_error: %d\n", err);
    int acc = accept4(l, NULL, NULL, SOCK_NONBLOCK);
    fcntl(l, F_SETFL, O_NONBLOCK);
    SHOWOK("accept4", acc);
    SHOW("accept again", accept(l, NULL, NULL) < 0 && errno == EAGAIN ? 0 : -1);
    SHOW("recv nothing", recv(acc, buf, sizeof buf, 0));
    close(acc);
    close(c);
    int c2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    to = lo4(1);
    cr = connect(c2, (struct sockaddr *)&to, sizeof to);
    printf("connect to closed port: %s\n", cr == 0 ? "0" : errno == EINPROGRESS || errno == ECONNREFUSED ? "EINPROGRESS or ECONNREFUSED" : en(errno));
    p = (struct pollfd){c2, POLLOUT | POLLIN, 0};
    SHOW("poll", poll(&p, 1, 5000));
    printf("revents: %#x\n", p.revents);
    el = sizeof err;
    getsockopt(c2, SOL_SOCKET, SO_ERROR, &err, &el);
    printf("so_error: %s\n", err ? en(err) : "0");
    close(c2);
    close(l);
    return 0;
}
