/* Helpers for the inet socket differential tests (tests/diff/sock_*.c). Everything runs over
 * loopback with ephemeral ports; nothing printed depends on a port number, a pid or the host's
 * interfaces. */
#ifndef RILL_DIFF_SOCK_H
#define RILL_DIFF_SOCK_H
#include "common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>

typedef union {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    struct sockaddr_storage ss;
} sockaddr_any;

static inline struct sockaddr_in sin4(const char *ip, int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static inline struct sockaddr_in6 sin6(const char *ip, int port)
{
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((uint16_t)port);
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return a;
}

/* The local port of a bound socket (0 on error). */
static inline int port_of(int fd)
{
    sockaddr_any a;
    socklen_t l = sizeof a;
    memset(&a, 0, sizeof a);
    if (getsockname(fd, &a.sa, &l) < 0)
        return 0;
    return a.sa.sa_family == AF_INET6 ? ntohs(a.in6.sin6_port) : ntohs(a.in4.sin_port);
}

static inline int in_ephemeral(int port) { return port >= 32768 && port <= 60999; }

/* "label: family=AF_INET addr=127.0.0.1 port_nonzero=1" (or the errno). */
static inline void show_addr(const char *label, const sockaddr_any *a, socklen_t len)
{
    char buf[INET6_ADDRSTRLEN] = "?";
    const char *fam = "AF_?";
    int port = 0;
    if (a->sa.sa_family == AF_INET) {
        fam = "AF_INET";
        inet_ntop(AF_INET, &a->in4.sin_addr, buf, sizeof buf);
        port = ntohs(a->in4.sin_port);
    } else if (a->sa.sa_family == AF_INET6) {
        fam = "AF_INET6";
        inet_ntop(AF_INET6, &a->in6.sin6_addr, buf, sizeof buf);
        port = ntohs(a->in6.sin6_port);
    } else if (a->sa.sa_family == AF_UNSPEC) {
        fam = "AF_UNSPEC";
    }
    printf("%s: len=%u family=%s addr=%s port_nonzero=%d\n", label, (unsigned)len, fam, buf,
           port != 0);
}

static inline void show_sockname(const char *label, int fd)
{
    sockaddr_any a;
    memset(&a, 0, sizeof a);
    socklen_t l = sizeof a;
    if (getsockname(fd, &a.sa, &l) < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    show_addr(label, &a, l);
}

static inline void show_peername(const char *label, int fd)
{
    sockaddr_any a;
    memset(&a, 0, sizeof a);
    socklen_t l = sizeof a;
    if (getpeername(fd, &a.sa, &l) < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    show_addr(label, &a, l);
}

/* A socket of this family bound to ip:0 (listening when ty is SOCK_STREAM). */
static inline int bound_sock(int fam, int ty, const char *ip)
{
    int fd = socket(fam, ty, 0);
    MUST(fd);
    if (fam == AF_INET6) {
        struct sockaddr_in6 a = sin6(ip, 0);
        MUST(bind(fd, (struct sockaddr *)&a, sizeof a));
    } else {
        struct sockaddr_in a = sin4(ip, 0);
        MUST(bind(fd, (struct sockaddr *)&a, sizeof a));
    }
    if ((ty & 0xf) == SOCK_STREAM)
        MUST(listen(fd, 16));
    return fd;
}

static inline int tcp_listener4(void) { return bound_sock(AF_INET, SOCK_STREAM, "127.0.0.1"); }
static inline int tcp_listener6(void) { return bound_sock(AF_INET6, SOCK_STREAM, "::1"); }
static inline int udp_sock4(void) { return bound_sock(AF_INET, SOCK_DGRAM, "127.0.0.1"); }
static inline int udp_sock6(void) { return bound_sock(AF_INET6, SOCK_DGRAM, "::1"); }

/* Connect a new socket of family fam to ip:port (blocking); returns the fd or -1 with errno. */
static inline int connect_to(int fam, int ty, const char *ip, int port)
{
    int fd = socket(fam, ty, 0);
    if (fd < 0)
        return -1;
    int r;
    if (fam == AF_INET6) {
        struct sockaddr_in6 a = sin6(ip, port);
        r = connect(fd, (struct sockaddr *)&a, sizeof a);
    } else {
        struct sockaddr_in a = sin4(ip, port);
        r = connect(fd, (struct sockaddr *)&a, sizeof a);
    }
    if (r < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* A connected TCP pair over 127.0.0.1 (or ::1 when v6): *c is the client, *s the accepted. */
static inline void tcp_pair(int v6, int *c, int *s)
{
    int l = v6 ? tcp_listener6() : tcp_listener4();
    int cfd = connect_to(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, v6 ? "::1" : "127.0.0.1",
                         port_of(l));
    MUST(cfd);
    int sfd = accept(l, NULL, NULL);
    MUST(sfd);
    close(l);
    *c = cfd;
    *s = sfd;
}

/* A port nobody listens on: bound, then closed (the port may be reused by someone else only in
 * the rare case another program's ephemeral allocation lands on it). */
static inline int unused_port(int fam, int ty)
{
    int fd = bound_sock(fam, ty, fam == AF_INET6 ? "::1" : "127.0.0.1");
    int p = port_of(fd);
    close(fd);
    return p;
}

/* A port free for both TCP and UDP on every address of both families right now (held by
 * dual-stack wildcard sockets of both types, then released), so a test that binds one family
 * or protocol first cannot collide with some other program's socket on the second. */
static inline int free_port(void)
{
    for (int tries = 0; tries < 100; tries++) {
        int t = socket(AF_INET6, SOCK_STREAM, 0), u = socket(AF_INET6, SOCK_DGRAM, 0);
        int zero = 0;
        setsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        setsockopt(u, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        struct sockaddr_in6 a = sin6("::", 0);
        int p = 0;
        if (bind(t, (struct sockaddr *)&a, sizeof a) == 0) {
            p = port_of(t);
            a.sin6_port = htons((uint16_t)p);
            if (bind(u, (struct sockaddr *)&a, sizeof a) != 0)
                p = 0;
        }
        close(t);
        close(u);
        if (p)
            return p;
    }
    printf("SETUP FAILED: no free port\n");
    exit(99);
}

static inline int geti(int fd, int level, int opt)
{
    int v = -12345;
    socklen_t l = sizeof v;
    if (getsockopt(fd, level, opt, &v, &l) < 0)
        return -errno;
    return v;
}

static inline int seti(int fd, int level, int opt, int v)
{
    return setsockopt(fd, level, opt, &v, sizeof v);
}

/* Print "label: VALUE" for an int option, or "label: -1 ENAME". */
static inline void show_opt(const char *label, int fd, int level, int opt)
{
    int v = -12345;
    socklen_t l = sizeof v;
    if (getsockopt(fd, level, opt, &v, &l) < 0)
        printf("%s: -1 %s\n", label, en(errno));
    else
        printf("%s: %d (len %u)\n", label, v, (unsigned)l);
}

/* poll revents as names, e.g. "POLLIN|POLLOUT". */
static inline const char *revents_str(int r)
{
    static char buf[160];
    static const struct {
        int bit;
        const char *name;
    } names[] = {{POLLIN, "POLLIN"},       {POLLPRI, "POLLPRI"},       {POLLOUT, "POLLOUT"},
                 {POLLERR, "POLLERR"},     {POLLHUP, "POLLHUP"},       {POLLNVAL, "POLLNVAL"},
                 {POLLRDNORM, "POLLRDNORM"}, {POLLRDBAND, "POLLRDBAND"}, {POLLWRNORM, "POLLWRNORM"},
                 {POLLWRBAND, "POLLWRBAND"}, {POLLRDHUP, "POLLRDHUP"}};
    buf[0] = 0;
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (r & names[i].bit) {
            if (buf[0])
                strcat(buf, "|");
            strcat(buf, names[i].name);
            r &= ~names[i].bit;
        }
    if (r)
        sprintf(buf + strlen(buf), "%s0x%x", buf[0] ? "|" : "", r);
    if (!buf[0])
        strcpy(buf, "0");
    return buf;
}

/* poll one fd for `ev` with a timeout and print the revents. */
static inline void show_poll(const char *label, int fd, int ev, int ms)
{
    struct pollfd p = {fd, (short)ev, 0};
    int r = poll(&p, 1, ms);
    if (r < 0)
        printf("%s: -1 %s\n", label, en(errno));
    else
        printf("%s: %d %s\n", label, r, revents_str(p.revents));
}

/* Wait (up to 5 s) until fd polls with any of ev; returns revents (0 on timeout). */
static inline int wait_ev(int fd, int ev)
{
    struct pollfd p = {fd, (short)ev, 0};
    if (poll(&p, 1, 5000) <= 0)
        return 0;
    return p.revents;
}

/* Read exactly n bytes (blocking); returns bytes read. */
static inline size_t read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

static inline size_t write_full(int fd, const void *buf, size_t n)
{
    size_t put = 0;
    while (put < n) {
        ssize_t r = write(fd, (const char *)buf + put, n - put);
        if (r <= 0)
            break;
        put += (size_t)r;
    }
    return put;
}

static inline int fd_flags_str(int fd, char *out)
{
    int fl = fcntl(fd, F_GETFL), fdf = fcntl(fd, F_GETFD);
    return sprintf(out, "nonblock=%d cloexec=%d rdwr=%d", (fl & O_NONBLOCK) != 0,
                   (fdf & FD_CLOEXEC) != 0, (fl & O_ACCMODE) == O_RDWR);
}

static inline void show_fdflags(const char *label, int fd)
{
    char b[80];
    fd_flags_str(fd, b);
    printf("%s: %s\n", label, b);
}

#endif
