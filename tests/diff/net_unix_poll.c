/* poll() readiness of unix sockets in each state, and a blocked reader and
 * writer woken by the peer. */
#include "net_unix.h"
#include "thr_common.h"

int main(void)
{
    struct sockaddr_un a;
    socklen_t al = un_abs(&a, "rill-poll-test");
    const int types[] = {SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM};
    const char *names[] = {"stream", "seqpacket", "dgram"};
    for (int t = 0; t < 3; t++) {
        printf("-- %s\n", names[t]);
        int s;
        MUST(s = socket(AF_UNIX, types[t], 0));
        show_poll("fresh", s);
        MUST(bind(s, (struct sockaddr *)&a, al));
        show_poll("bound", s);
        if (types[t] != SOCK_DGRAM) {
            MUST(listen(s, 4));
            show_poll("listening", s);
            int c;
            MUST(c = socket(AF_UNIX, types[t], 0));
            MUST(connect(c, (struct sockaddr *)&a, al));
            show_poll("listening with a connection queued", s);
            show_poll("connected client", c);
            int e;
            MUST(e = accept(s, NULL, NULL));
            show_poll("listening after accept", s);
            show_poll("accepted", e);
            MUST(write(c, "x", 1));
            show_poll("accepted with data", e);
            close(e);
            show_poll("client after server end closed", c);
            close(c);
        } else {
            int c;
            MUST(c = socket(AF_UNIX, SOCK_DGRAM, 0));
            MUST(connect(c, (struct sockaddr *)&a, al));
            show_poll("connected sender", c);
            MUST(write(c, "x", 1));
            show_poll("receiver with data", s);
            close(s);
            show_poll("sender after receiver closed", c);
            close(c);
        }
        close(s);
    }
    /* a blocked reader is woken by data, a blocked writer by room */
    int sv[2];
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        /* once the parent is seen asleep in poll (bounded) */
        wait_sleeping(getppid(), getppid());
        fflush(stdout);
        (void)!write(sv[1], "wake", 4);
        _exit(0);
    }
    struct pollfd pf = {sv[0], POLLIN, 0};
    S(poll(&pf, 1, 5000));
    printf("revents IN %d\n", !!(pf.revents & POLLIN));
    wait_show("writer", p);
    char buf[8];
    S(read(sv[0], buf, sizeof buf));
    int one = 1;
    MUST(fcntl(sv[0], F_SETFL, O_NONBLOCK));
    static char big[65536];
    while (write(sv[0], big, sizeof big) > 0)
        ;
    show_poll("full", sv[0]);
    fflush(stdout);
    p = fork();
    if (p == 0) {
        wait_sleeping(getppid(), getppid());
        fflush(stdout);
        static char sink[1 << 20];
        while (recv(sv[1], sink, sizeof sink, MSG_DONTWAIT) > 0)
            ;
        _exit(0);
    }
    pf = (struct pollfd){sv[0], POLLOUT, 0};
    S(poll(&pf, 1, 5000));
    printf("revents OUT %d\n", !!(pf.revents & POLLOUT));
    wait_show("reader", p);
    (void)one;
    return 0;
}
