/* EPIPE and SIGPIPE: a send on a stream whose sending side is shut gives EPIPE and
 * raises SIGPIPE, unless MSG_NOSIGNAL; on TCP over IPv4 and IPv6, on a unix stream
 * socketpair, with send, sendto, sendmsg and write (write has no flags: always the
 * signal). A unix datagram socket gives a bare EPIPE. The handler counts signals. */
#include "sock.h"
#include <signal.h>
#include <sys/uio.h>

static volatile sig_atomic_t pipes;

static void on_pipe(int sig)
{
    (void)sig;
    pipes++;
}

static void try_all(const char *what, int fd)
{
    char label[96];
    struct iovec iov = {.iov_base = "x", .iov_len = 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    int flags[2] = {MSG_NOSIGNAL, 0};
    for (int k = 0; k < 2; k++) {
        const char *fl = flags[k] ? "MSG_NOSIGNAL" : "0";
        pipes = 0;
        snprintf(label, sizeof label, "%s send %s", what, fl);
        SHOW(label, send(fd, "x", 1, flags[k]));
        printf("  SIGPIPE %d\n", (int)pipes);
        pipes = 0;
        snprintf(label, sizeof label, "%s sendto %s", what, fl);
        SHOW(label, sendto(fd, "x", 1, flags[k], NULL, 0));
        printf("  SIGPIPE %d\n", (int)pipes);
        pipes = 0;
        snprintf(label, sizeof label, "%s sendmsg %s", what, fl);
        SHOW(label, sendmsg(fd, &m, flags[k]));
        printf("  SIGPIPE %d\n", (int)pipes);
    }
    pipes = 0;
    snprintf(label, sizeof label, "%s write", what);
    SHOW(label, write(fd, "x", 1));
    printf("  SIGPIPE %d\n", (int)pipes);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_pipe;
    sigaction(SIGPIPE, &sa, NULL);
    for (int v6 = 0; v6 < 2; v6++) {
        int c, s;
        tcp_pair(v6, &c, &s);
        MUST(shutdown(c, SHUT_WR));
        try_all(v6 ? "tcp6" : "tcp4", c);
        close(c);
        close(s);
    }
    int sv[2];
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    MUST(shutdown(sv[0], SHUT_WR));
    try_all("unix stream", sv[0]);
    close(sv[0]);
    close(sv[1]);
    MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    MUST(shutdown(sv[0], SHUT_WR));
    try_all("unix dgram", sv[0]);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
