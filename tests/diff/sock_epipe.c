// Writing to a TCP connection the peer closed: the first write after the close succeeds (the
// peer answers it with RST), then EPIPE. MSG_NOSIGNAL gives EPIPE without SIGPIPE; a plain
// write raises SIGPIPE (counted by a handler) and returns EPIPE; with SIGPIPE ignored only EPIPE;
// send on a never-connected TCP socket is EPIPE too.
#include "sock.h"

static volatile sig_atomic_t pipes;
static void on_pipe(int s)
{
    (void)s;
    pipes++;
}

static int dead_conn(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    close(s);
    char b;
    read(c, &b, 1); /* EOF: the FIN has arrived */
    /* this write reaches a closed socket, which answers with RST */
    write(c, "x", 1);
    /* wait for the RST to land (POLLHUP|POLLERR) */
    wait_ev(c, POLLERR);
    return c;
}

int main(void)
{
    signal(SIGPIPE, on_pipe);
    int c, s;
    tcp_pair(0, &c, &s);
    close(s);
    char b;
    SHOW("read EOF", read(c, &b, 1));
    SHOW("first write after peer close", send(c, "x", 1, MSG_NOSIGNAL));
    printf("revents after RST: %s\n", revents_str(wait_ev(c, POLLERR)));
    SHOW("second write (error from RST)", send(c, "x", 1, MSG_NOSIGNAL));
    SHOW("third write MSG_NOSIGNAL", send(c, "x", 1, MSG_NOSIGNAL));
    printf("SIGPIPE count: %d\n", (int)pipes);
    close(c);

    c = dead_conn();
    int e = geti(c, SOL_SOCKET, SO_ERROR);
    printf("SO_ERROR after RST: %s\n", en(e));
    SHOW("send MSG_NOSIGNAL", send(c, "x", 1, MSG_NOSIGNAL));
    printf("SIGPIPE count: %d\n", (int)pipes);
    SHOW("write (signal)", write(c, "x", 1));
    printf("SIGPIPE count: %d\n", (int)pipes);
    SHOW("sendto (signal)", sendto(c, "x", 1, 0, NULL, 0));
    printf("SIGPIPE count: %d\n", (int)pipes);
    struct iovec iov = {"x", 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    SHOW("sendmsg MSG_NOSIGNAL", sendmsg(c, &m, MSG_NOSIGNAL));
    SHOW("writev (signal)", writev(c, &iov, 1));
    printf("SIGPIPE count: %d\n", (int)pipes);
    signal(SIGPIPE, SIG_IGN);
    SHOW("write with SIGPIPE ignored", write(c, "x", 1));
    signal(SIGPIPE, on_pipe);
    close(c);

    int t = socket(AF_INET, SOCK_STREAM, 0);
    SHOW("send on unconnected tcp", send(t, "x", 1, 0));
    printf("SIGPIPE count: %d\n", (int)pipes);
    SHOW("send MSG_NOSIGNAL on unconnected tcp", send(t, "x", 1, MSG_NOSIGNAL));
    SHOW("recv on unconnected tcp", recv(t, &b, 1, 0));
    printf("SIGPIPE count: %d\n", (int)pipes);

    tcp_pair(0, &c, &s);
    MUST(shutdown(c, SHUT_WR));
    SHOW("write after own SHUT_WR", write(c, "x", 1));
    printf("SIGPIPE count: %d\n", (int)pipes);
    SHOW("send MSG_NOSIGNAL after own SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL));
    printf("SIGPIPE count: %d\n", (int)pipes);

    /* SIGPIPE with the default action kills a child */
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        int k = dead_conn();
        write(k, "x", 1);
        _exit(0);
    }
    wait_show("child writing to a reset connection", pid);
    return 0;
}
