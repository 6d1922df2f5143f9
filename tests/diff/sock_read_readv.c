// read(2) and readv(2) on sockets are recvmsg without flags, as Linux's sock_read_iter: a
// readv takes one datagram scattered over its iovecs (UDP, unix datagram and seqpacket), not
// one datagram per iovec; a read or readv of 0 bytes returns 0 and leaves the datagram queued
// (recv of 0 bytes takes it); a blocking read or readv on TCP waits for SO_RCVLOWAT as recv
// does (the second half is written only once the reader is seen asleep). The datagram
// reads block (each follows its send), but for the one on an empty queue.
#include "sock.h"
#include "thr_common.h"

static void show_iov(const char *label, int fd, size_t a, size_t b, size_t c)
{
    char x[16] = {0}, y[16] = {0}, z[16] = {0};
    struct iovec v[3] = {{x, a}, {y, b}, {z, c}};
    ssize_t r = readv(fd, v, 3);
    printf("%s: %zd", label, r);
    if (r < 0)
        printf(" errno %s", en(errno));
    printf(" [%s|%s|%s]\n", x, y, z);
}

static int queued(int fd)
{
    int q = -1;
    if (ioctl(fd, FIONREAD, &q) < 0)
        return -errno;
    return q;
}

/* Datagram sockets: s receives what t sends. */
static void datagrams(const char *name, int t, int s)
{
    printf("-- %s\n", name);
    MUST(send(t, "0123456789", 10, 0));
    show_iov("readv 3+4+5 of 10", s, 3, 4, 5);
    MUST(send(t, "abc", 3, 0));
    MUST(send(t, "defgh", 5, 0));
    show_iov("readv 2+2+0 of 3", s, 2, 2, 0);
    show_iov("readv 2+2+0 of 5 (rest discarded)", s, 2, 2, 0);
    MUST(fcntl(s, F_SETFL, O_NONBLOCK));
    show_iov("readv empty queue nonblocking", s, 2, 2, 2);
    MUST(fcntl(s, F_SETFL, 0));
    MUST(send(t, "kept", 4, 0));
    char buf[16] = {0};
    SHOW("read 0 bytes", read(s, buf, 0));
    show_iov("readv of 0+0+0", s, 0, 0, 0);
    printf("still queued: %d\n", queued(s) > 0);
    SHOW("read 16", read(s, buf, sizeof buf));
    printf("data: %s\n", buf);
    MUST(send(t, "gone", 4, 0));
    SHOW("recv 0 bytes", recv(s, buf, 0, 0));
    SHOW("then recv", recv(s, buf, sizeof buf, MSG_DONTWAIT));
}

static int rfd, rmode;
static volatile pid_t rtid;
static long rgot;
static char rbuf[32];

static void *reader(void *arg)
{
    (void)arg;
    memset(rbuf, 0, sizeof rbuf);
    __atomic_store_n(&rtid, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
    if (rmode == 0) {
        rgot = read(rfd, rbuf, sizeof rbuf - 1);
    } else {
        struct iovec v[2] = {{rbuf, 4}, {rbuf + 4, sizeof rbuf - 5}};
        rgot = readv(rfd, v, 2);
    }
    return NULL;
}

/* A blocking read (mode 0) or readv (mode 1) with SO_RCVLOWAT 10 set: 5 bytes, then 5 more
 * once the reader sleeps; it returns all 10. */
static void lowat(int c, int s, int mode, const char *label)
{
    rfd = s;
    rmode = mode;
    __atomic_store_n(&rtid, 0, __ATOMIC_SEQ_CST);
    pthread_t t;
    MUST(pthread_create(&t, NULL, reader, NULL) == 0 ? 0 : -1);
    printf("%s: reader asleep: %d\n", label, wait_tid_sleeping(&rtid));
    MUST(write(c, "12345", 5));
    long long end = now_ns(CLOCK_MONOTONIC) + 10000000000LL;
    while (queued(s) < 5 && now_ns(CLOCK_MONOTONIC) < end)
        sched_yield();
    printf("%s: queued: %d, reader still asleep: %d\n", label, queued(s),
           wait_sleeping(getpid(), rtid));
    MUST(write(c, "67890", 5));
    pthread_join(t, NULL);
    printf("%s: %ld %s\n", label, rgot, rbuf);
}

int main(void)
{
    int u = udp_sock4(), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    MUST(connect(tx, (struct sockaddr *)&to, sizeof to));
    datagrams("udp", tx, u);

    int sv[2];
    MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    datagrams("unix dgram", sv[0], sv[1]);
    int sp[2];
    MUST(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp));
    datagrams("unix seqpacket", sp[0], sp[1]);

    printf("-- tcp\n");
    int c, s;
    tcp_pair(0, &c, &s);
    MUST(write(c, "abcdefghij", 10));
    long long end = now_ns(CLOCK_MONOTONIC) + 10000000000LL;
    while (queued(s) < 10 && now_ns(CLOCK_MONOTONIC) < end)
        sched_yield();
    show_iov("readv 3+3+10 of 10", s, 3, 3, 10);
    SHOW("set SO_RCVLOWAT 10", seti(s, SOL_SOCKET, SO_RCVLOWAT, 10));
    lowat(c, s, 0, "read");
    lowat(c, s, 1, "readv");
    MUST(write(c, "xyz", 3));
    end = now_ns(CLOCK_MONOTONIC) + 10000000000LL;
    while (queued(s) < 3 && now_ns(CLOCK_MONOTONIC) < end)
        sched_yield();
    MUST(fcntl(s, F_SETFL, O_NONBLOCK));
    char buf[16] = {0};
    SHOW("nonblocking read below the mark", read(s, buf, sizeof buf));
    printf("data: %s\n", buf);
    SHOW("read 0 bytes, empty", read(s, buf, 0));
    return 0;
}
