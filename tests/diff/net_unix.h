/* Helpers for the net_unix_* tests. */
#ifndef NET_UNIX_H
#define NET_UNIX_H
#include "common.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <stddef.h>
#include <termios.h>

#define S(expr) SHOW(#expr, expr)

/* A path name: its sockaddr and the length bind/connect are given. */
static inline socklen_t un_path(struct sockaddr_un *a, const char *p)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, p);
    return offsetof(struct sockaddr_un, sun_path) + strlen(p) + 1;
}

/* An abstract name ("\0name"). */
static inline socklen_t un_abs(struct sockaddr_un *a, const char *n)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, n, strlen(n));
    return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(n);
}

/* poll() readiness as names, in a fixed order. */
static inline void show_poll(const char *label, int fd)
{
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLPRI | POLLRDHUP | POLLRDNORM | POLLWRNORM, 0};
    int r = poll(&p, 1, 0);
    printf("%s: poll=%d", label, r);
    static const struct { int bit; const char *n; } names[] = {
        {POLLIN, "IN"}, {POLLPRI, "PRI"}, {POLLOUT, "OUT"}, {POLLERR, "ERR"},
        {POLLHUP, "HUP"}, {POLLNVAL, "NVAL"}, {POLLRDNORM, "RDNORM"},
        {POLLWRNORM, "WRNORM"}, {POLLRDHUP, "RDHUP"},
    };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (p.revents & names[i].bit)
            printf(" %s", names[i].n);
    printf("\n");
}

/* The name getsockname/getpeername give, as "len N" plus the name. */
static inline void show_name(const char *label, int fd, int peer)
{
    struct sockaddr_un a;
    memset(&a, 0x55, sizeof a);
    socklen_t l = sizeof a;
    int r = peer ? getpeername(fd, (struct sockaddr *)&a, &l) : getsockname(fd, (struct sockaddr *)&a, &l);
    if (r < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    printf("%s: len %d family %d", label, (int)l, a.sun_family);
    if (l > 2 && a.sun_path[0])
        printf(" path %s", a.sun_path);
    else if (l > 2)
        printf(" abstract %.*s", (int)l - 3, a.sun_path + 1);
    printf("\n");
}

/* Sends `data` with `n` descriptors attached (SCM_RIGHTS). */
static inline ssize_t send_fds(int s, const char *data, size_t len, const int *fds, int n)
{
    char ctl[CMSG_SPACE(sizeof(int) * 300)];
    memset(ctl, 0, sizeof ctl);
    struct iovec io = {(void *)data, len};
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    if (n > 0) {
        m.msg_control = ctl;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    }
    return sendmsg(s, &m, 0);
}

/* Receives into buf (NUL-terminated); the descriptors that came go in fds
 * (their count in *nfds); prints what arrived. */
static inline ssize_t recv_fds(const char *label, int s, char *buf, size_t cap, int flags, int *fds, int *nfds)
{
    char ctl[CMSG_SPACE(sizeof(int) * 16)];
    struct iovec io = {buf, cap - 1};
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = sizeof ctl;
    ssize_t r = recvmsg(s, &m, flags);
    *nfds = 0;
    if (r < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return r;
    }
    buf[r] = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            memcpy(fds + *nfds, CMSG_DATA(c), k * sizeof(int));
            *nfds += k;
        }
    printf("%s: %zd \"%s\" fds %d flags%s%s\n", label, r, buf, *nfds,
           m.msg_flags & MSG_TRUNC ? " TRUNC" : "", m.msg_flags & MSG_CTRUNC ? " CTRUNC" : "");
    return r;
}
#endif
