/* EPIPE and SIGPIPE: a stream write to a closed peer raises SIGPIPE (unless
 * MSG_NOSIGNAL); datagram and seqpacket sockets give a bare EPIPE. */
#include "net_unix.h"

static volatile int pipes;
static void on_pipe(int s)
{
    (void)s;
    pipes++;
}

int main(void)
{
    signal(SIGPIPE, on_pipe);
    int sv[2];
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    close(sv[1]);
    S(write(sv[0], "x", 1));
    printf("SIGPIPEs %d\n", pipes);
    S(send(sv[0], "x", 1, MSG_NOSIGNAL));
    printf("SIGPIPEs %d\n", pipes);
    struct iovec io = {"x", 1};
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    S(sendmsg(sv[0], &m, 0));
    printf("SIGPIPEs %d\n", pipes);
    char b;
    S(read(sv[0], &b, 1));
    /* shut down for writing: EPIPE and SIGPIPE too */
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    S(shutdown(sv[0], SHUT_WR));
    S(write(sv[0], "x", 1));
    printf("SIGPIPEs %d\n", pipes);
    S(shutdown(sv[1], SHUT_RD));
    S(write(sv[1], "x", 1));
    printf("SIGPIPEs %d\n", pipes);
    /* seqpacket and dgram: no signal */
    MUST(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    close(sv[1]);
    S(write(sv[0], "x", 1));
    printf("SIGPIPEs %d\n", pipes);
    MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    S(shutdown(sv[0], SHUT_WR));
    S(write(sv[0], "x", 1));
    printf("SIGPIPEs %d\n", pipes);
    /* with the default action the writer dies of it */
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    close(sv[1]);
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        signal(SIGPIPE, SIG_DFL);
        (void)!write(sv[0], "x", 1);
        _exit(0);
    }
    wait_show("writer", p);
    /* a peer that closed with unread data: reset, then EOF */
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    S(write(sv[0], "unread", 6));
    close(sv[1]);
    show_poll("after reset", sv[0]);
    S(read(sv[0], &b, 1));
    S(read(sv[0], &b, 1));
    S(write(sv[0], "x", 1));
    printf("SIGPIPEs %d\n", pipes);
    return 0;
}
