/* AF_UNIX seqpacket: connection setup like a stream, records like datagrams. */
#include "net_unix.h"

int main(void)
{
    struct sockaddr_un a;
    socklen_t al = un_abs(&a, "rill-seq-test");
    int l, c, s;
    MUST(l = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    S(bind(l, (struct sockaddr *)&a, al));
    S(listen(l, 2));
    MUST(c = socket(AF_UNIX, SOCK_SEQPACKET, 0));
    char buf[32];
    S(send(c, "x", 1, 0));
    S(recv(c, buf, 1, 0));
    S(connect(c, (struct sockaddr *)&a, al));
    MUST(s = accept(l, NULL, NULL));
    S(send(c, "first", 5, 0));
    S(send(c, "second", 6, 0));
    S(send(c, "", 0, 0));
    S(sendto(c, "to", 2, 0, (struct sockaddr *)&a, al));
    int v;
    S(ioctl(s, FIONREAD, &v));
    printf("FIONREAD %d\n", v);
    struct iovec io = {buf, 3};
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    memset(buf, 0, sizeof buf);
    S(recvmsg(s, &m, 0));
    printf("got %s flags TRUNC %d EOR %d\n", buf, !!(m.msg_flags & MSG_TRUNC), !!(m.msg_flags & MSG_EOR));
    m.msg_flags = 0;
    io.iov_len = sizeof buf;
    memset(buf, 0, sizeof buf);
    S(recvmsg(s, &m, MSG_PEEK));
    printf("peek %s\n", buf);
    S(recv(s, buf, 2, MSG_TRUNC));
    m.msg_flags = 0;
    S(recvmsg(s, &m, 0));
    printf("empty record flags %d\n", m.msg_flags);
    S(recv(s, buf, sizeof buf, 0));
    S(recv(s, buf, sizeof buf, MSG_DONTWAIT));
    show_poll("server idle", s);
    close(c);
    show_poll("server after close", s);
    S(recv(s, buf, sizeof buf, 0));
    S(recv(s, buf, sizeof buf, MSG_DONTWAIT));
    signal(SIGPIPE, SIG_IGN);
    S(send(s, "x", 1, 0));
    /* a wrong type refuses */
    int d;
    MUST(d = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(d, (struct sockaddr *)&a, al));
    return 0;
}
