// UDP datagrams over lo, to a receiver alone on its port and to one that shares the port with
// a wildcard socket (SO_REUSEADDR; the one bound to the address gets them): the hop limit is
// IP_TTL for IPv4 (also from an AF_INET6 socket to a v4-mapped address) and IPV6_UNICAST_HOPS
// for IPv6, seen through IP_RECVTTL/IPV6_RECVHOPLIMIT; IP_TOS comes through IP_RECVTOS; the
// source is the sender's. A receiver blocked in recvfrom (another thread) is woken by each
// datagram; an edge-triggered epoll gives one EPOLLIN per datagram to the receiver and an
// EPOLLOUT edge to the sender after each send.
#include "sock.h"
#include "thr_common.h"

static const char *shape(int shared) { return shared ? "port shared" : "alone on the port"; }

static void show_cmsgs(struct msghdr *m)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        int v = 0;
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS)
            v = *(unsigned char *)CMSG_DATA(c);
        else if (c->cmsg_len >= CMSG_LEN(sizeof v))
            memcpy(&v, CMSG_DATA(c), sizeof v);
        const char *n = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL         ? "IP_TTL"
                        : c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS       ? "IP_TOS"
                        : c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT ? "IPV6_HOPLIMIT"
                                                                                        : "other";
        printf("  %s %d\n", n, v);
    }
}

/* Receives one datagram from u (waiting up to 5 s) and shows it. */
static void recv_show(int u, int tx)
{
    if (!(wait_ev(u, POLLIN) & POLLIN)) {
        printf("  nothing arrived\n");
        return;
    }
    char data[64], ctl[256];
    sockaddr_any from;
    struct iovec iov = {data, sizeof data};
    struct msghdr m = {.msg_name = &from,
                       .msg_namelen = sizeof from,
                       .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = ctl,
                       .msg_controllen = sizeof ctl};
    ssize_t n = recvmsg(u, &m, MSG_DONTWAIT);
    if (n < 0) {
        printf("  recvmsg: %s\n", strerror(errno));
        return;
    }
    printf("  %zd bytes \"%.*s\", from the sender's port: %s\n", n, (int)n, data,
           port_of(tx) == ntohs(from.in4.sin_port) ? "yes" : "no");
    show_cmsgs(&m);
}

/* A receiver of family rfam bound to rip (opened for TTL/hop limit and TOS messages), with a
 * wildcard socket sharing its port when `shared`. Returns the receiver; *extra is the other. */
static int receiver(int rfam, const char *rip, int shared, int *extra)
{
    int u = socket(rfam, SOCK_DGRAM, 0);
    MUST(u);
    MUST(seti(u, SOL_SOCKET, SO_REUSEADDR, 1));
    sockaddr_any a;
    socklen_t al;
    if (rfam == AF_INET6) {
        a.in6 = sin6(rip, 0);
        al = sizeof a.in6;
        MUST(seti(u, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1));
    } else {
        a.in4 = sin4(rip, 0);
        al = sizeof a.in4;
    }
    MUST(bind(u, &a.sa, al));
    MUST(seti(u, IPPROTO_IP, IP_RECVTTL, 1));
    MUST(seti(u, IPPROTO_IP, IP_RECVTOS, 1));
    *extra = -1;
    if (shared) {
        int w = socket(rfam, SOCK_DGRAM, 0);
        MUST(w);
        MUST(seti(w, SOL_SOCKET, SO_REUSEADDR, 1));
        sockaddr_any b;
        if (rfam == AF_INET6)
            b.in6 = sin6("::", port_of(u));
        else
            b.in4 = sin4("0.0.0.0", port_of(u));
        MUST(bind(w, &b.sa, al));
        *extra = w;
    }
    return u;
}

static void one(const char *label, int tfam, int rfam, const char *rip, const char *dst, int shared)
{
    int w;
    int u = receiver(rfam, rip, shared, &w);
    int tx = socket(tfam, SOCK_DGRAM, 0);
    MUST(tx);
    MUST(seti(tx, IPPROTO_IP, IP_TTL, 5));
    if (tfam == AF_INET6)
        MUST(seti(tx, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9));
    MUST(seti(tx, IPPROTO_IP, IP_TOS, 0x28));
    sockaddr_any to;
    socklen_t tl;
    if (tfam == AF_INET6) {
        to.in6 = sin6(dst, port_of(u));
        tl = sizeof to.in6;
    } else {
        to.in4 = sin4(dst, port_of(u));
        tl = sizeof to.in4;
    }
    printf("%s (%s):\n", label, shape(shared));
    ssize_t n = sendto(tx, "hops", 4, 0, &to.sa, tl);
    printf("  sendto: %zd\n", n);
    recv_show(u, tx);
    if (w >= 0) {
        char b[8];
        printf("  the wildcard socket got: %zd\n", recv(w, b, sizeof b, MSG_DONTWAIT));
        close(w);
    }
    close(u);
    close(tx);
}

/* A receiver on 127.0.0.1 (a wildcard socket sharing its port when `shared`) and a sender. */
struct lo_pair {
    int u, w, tx;
    struct sockaddr_in to;
};

static struct lo_pair lo_pair(int shared)
{
    struct lo_pair p;
    p.u = receiver(AF_INET, "127.0.0.1", shared, &p.w);
    p.tx = socket(AF_INET, SOCK_DGRAM, 0);
    MUST(p.tx);
    p.to = sin4("127.0.0.1", port_of(p.u));
    return p;
}

static void lo_pair_close(struct lo_pair *p)
{
    if (p->w >= 0)
        close(p->w);
    close(p->u);
    close(p->tx);
}

struct blocked {
    int fd;
    int got;
    pid_t tid;
};

static void *block_recv(void *arg)
{
    struct blocked *b = arg;
    __atomic_store_n(&b->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
    char buf[16];
    for (int i = 0; i < 3; i++)
        if (recv(b->fd, buf, sizeof buf, 0) == 5)
            __atomic_add_fetch(&b->got, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void wakes(int shared)
{
    struct lo_pair p = lo_pair(shared);
    /* a lost wake-up ends the recv after 10 s instead of hanging the test */
    struct timeval tv = {10, 0};
    MUST(setsockopt(p.u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    struct blocked b = {p.u, 0, 0};
    pthread_t th;
    pthread_create(&th, NULL, block_recv, &b);
    for (int i = 0; i < 3; i++) {
        /* once the reader sleeps in recv (bounded wait), send; then wait (bounded) for it */
        wait_tid_sleeping(&b.tid);
        sendto(p.tx, "wake!", 5, 0, (struct sockaddr *)&p.to, sizeof p.to);
        for (int k = 0; k < 10000 && __atomic_load_n(&b.got, __ATOMIC_SEQ_CST) <= i; k++)
            usleep(1000);
    }
    pthread_join(th, NULL);
    printf("blocked reader (%s): woken for %d of 3 datagrams\n", shape(shared), b.got);
    lo_pair_close(&p);
}

static void edges(int shared)
{
    struct lo_pair p = lo_pair(shared);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = p.u};
    MUST(epoll_ctl(ep, EPOLL_CTL_ADD, p.u, &ev));
    int epo = epoll_create1(0);
    struct epoll_event evo = {.events = EPOLLOUT | EPOLLET, .data.fd = p.tx};
    MUST(epoll_ctl(epo, EPOLL_CTL_ADD, p.tx, &evo));
    struct epoll_event out[4];
    int first_out = epoll_wait(epo, out, 4, 0);
    int ins = 0, outs = 0;
    for (int i = 0; i < 3; i++) {
        sendto(p.tx, "edge", 4, 0, (struct sockaddr *)&p.to, sizeof p.to);
        /* nothing is read: each edge is a new datagram */
        if (epoll_wait(ep, out, 4, 5000) == 1)
            ins++;
        if (epoll_wait(epo, out, 4, 5000) == 1)
            outs++;
    }
    printf("epoll ET (%s): first EPOLLOUT %d; EPOLLIN edges %d of 3, EPOLLOUT edges %d of 3; "
           "then no more: %d\n",
           shape(shared), first_out, ins, outs, epoll_wait(ep, out, 4, 0));
    close(ep);
    close(epo);
    lo_pair_close(&p);
}

int main(void)
{
    for (int shared = 0; shared < 2; shared++) {
        one("v4 to 127.0.0.1", AF_INET, AF_INET, "127.0.0.1", "127.0.0.1", shared);
        one("v6 to ::1", AF_INET6, AF_INET6, "::1", "::1", shared);
        one("v6 socket to ::ffff:127.0.0.1", AF_INET6, AF_INET, "127.0.0.1", "::ffff:127.0.0.1",
            shared);
        wakes(shared);
        edges(shared);
    }
    return 0;
}
