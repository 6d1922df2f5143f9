/* shutdown(2) on unix sockets: what each side can still do, and poll bits. */
#include "net_unix.h"

static void pair(int type, int sv[2])
{
    MUST(socketpair(AF_UNIX, type, 0, sv));
}

int main(void)
{
    int sv[2];
    char buf[16];
    signal(SIGPIPE, SIG_IGN);
    const int types[] = {SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM};
    const char *names[] = {"stream", "seqpacket", "dgram"};
    for (int t = 0; t < 3; t++) {
        printf("-- %s SHUT_WR\n", names[t]);
        pair(types[t], sv);
        S(write(sv[1], "pending", 7));
        S(shutdown(sv[0], SHUT_WR));
        S(write(sv[0], "x", 1));
        show_poll("self", sv[0]);
        show_poll("peer", sv[1]);
        S(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
        S(read(sv[0], buf, sizeof buf));
        S(write(sv[1], "more", 4));
        S(read(sv[0], buf, sizeof buf));
        close(sv[0]);
        close(sv[1]);

        printf("-- %s SHUT_RD\n", names[t]);
        pair(types[t], sv);
        S(write(sv[1], "queued", 6));
        S(shutdown(sv[0], SHUT_RD));
        show_poll("self", sv[0]);
        show_poll("peer", sv[1]);
        S(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
        S(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
        S(write(sv[1], "x", 1));
        S(write(sv[0], "y", 1));
        close(sv[0]);
        close(sv[1]);

        printf("-- %s SHUT_RDWR\n", names[t]);
        pair(types[t], sv);
        S(shutdown(sv[0], SHUT_RDWR));
        show_poll("self", sv[0]);
        show_poll("peer", sv[1]);
        S(write(sv[1], "x", 1));
        S(shutdown(sv[0], SHUT_RDWR));
        close(sv[0]);
        show_poll("peer after close", sv[1]);
        close(sv[1]);
    }
    int s;
    MUST(s = socket(AF_UNIX, SOCK_STREAM, 0));
    S(shutdown(s, SHUT_RD));
    S(shutdown(s, -1));
    S(shutdown(s, 3));
    show_poll("unconnected after SHUT_RD", s);
    S(shutdown(s, SHUT_WR));
    show_poll("unconnected after both", s);
    /* a listener that shut down reading */
    struct sockaddr_un a;
    int l;
    MUST(l = socket(AF_UNIX, SOCK_STREAM, 0));
    MUST(bind(l, (struct sockaddr *)&a, un_abs(&a, "rill-shut-listen")));
    MUST(listen(l, 1));
    S(shutdown(l, SHUT_RDWR));
    show_poll("listener after shutdown", l);
    return 0;
}
