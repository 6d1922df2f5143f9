/* socketpair(AF_UNIX, ...) for each type: options, names, data, boundaries. */
#include "net_unix.h"

static void one(const char *name, int type)
{
    int sv[2];
    printf("-- %s\n", name);
    SHOW("socketpair", socketpair(AF_UNIX, type, 0, sv));
    int v;
    socklen_t l = sizeof v;
    S(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l));
    printf("SO_TYPE %d\n", v);
    l = sizeof v;
    S(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &l));
    printf("SO_DOMAIN %d\n", v);
    l = sizeof v;
    S(getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &l));
    printf("SO_PROTOCOL %d\n", v);
    l = sizeof v;
    S(getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &v, &l));
    printf("SO_ACCEPTCONN %d\n", v);
    show_name("name", sv[0], 0);
    show_name("peer", sv[0], 1);
    show_poll("fresh", sv[0]);
    S(write(sv[0], "abc", 3));
    S(write(sv[0], "defg", 4));
    S(ioctl(sv[1], FIONREAD, &v));
    printf("FIONREAD %d\n", v);
    char buf[16] = {0};
    S(recv(sv[1], buf, 2, MSG_PEEK));
    S(read(sv[1], buf, sizeof buf));
    printf("read: %s\n", buf);
    S(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    S(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    S(write(sv[1], "back", 4));
    S(read(sv[0], buf, sizeof buf));
    S(listen(sv[0], 1));
    S(accept(sv[0], NULL, NULL));
    struct sockaddr_un a;
    S(connect(sv[0], (struct sockaddr *)&a, un_path(&a, "nowhere")));
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    one("stream", SOCK_STREAM);
    one("dgram", SOCK_DGRAM);
    one("seqpacket", SOCK_SEQPACKET);
    int sv[2];
    S(socketpair(AF_UNIX, SOCK_RAW, 0, sv));
    int v;
    socklen_t l = sizeof v;
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l);
    printf("SOCK_RAW pair is type %d\n", v);
    S(socketpair(AF_UNIX, SOCK_STREAM, PF_UNIX, sv));
    S(socketpair(AF_UNIX, SOCK_STREAM, 2, sv));
    S(socketpair(AF_UNIX, 4, 0, sv));
    S(socketpair(AF_UNIX, 10, 0, sv));
    S(socket(AF_UNIX, SOCK_STREAM, 7));
    S(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
    YN("nonblock", fcntl(sv[0], F_GETFL) & O_NONBLOCK);
    YN("cloexec", fcntl(sv[1], F_GETFD) & FD_CLOEXEC);
    char b;
    S(read(sv[0], &b, 1));
    /* a big write to a nonblocking pair: some fits, then EAGAIN */
    static char big[1 << 20];
    ssize_t n = write(sv[0], big, sizeof big);
    YN("partial write", n > 0 && n < (ssize_t)sizeof big);
    S(write(sv[0], big, 1));
    show_poll("full", sv[0]);
    long got = 0;
    while ((n = read(sv[1], big, sizeof big)) > 0)
        got += n;
    YN("read it all back", got > 0);
    show_poll("drained", sv[0]);
    /* how many small messages fit in the default send buffer */
    const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
    for (int t = 0; t < 3; t++) {
        int p2[2];
        MUST(socketpair(AF_UNIX, types[t] | SOCK_NONBLOCK, 0, p2));
        int k = 0;
        while (send(p2[0], "x", 1, 0) == 1 && k < 100000)
            k++;
        printf("type %d: %d one-byte messages, then %s\n", types[t], k, en(errno));
        show_poll("sender", p2[0]);
        MUST(read(p2[1], big, 1));
        show_poll("sender after one read", p2[0]);
        close(p2[0]);
        close(p2[1]);
    }
    MUST(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    printf("1 MiB nonblocking write: %zd\n", write(sv[0], big, sizeof big));
    return 0;
}
