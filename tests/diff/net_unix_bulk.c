/* Bulk transfers with blocking peers in two processes: 4 MiB through a stream
 * pair, 2000 datagrams to a receiver that reads slowly at first, MSG_WAITALL. */
#include "net_unix.h"
#include "thr_common.h"

static unsigned sum(const unsigned char *b, size_t n, unsigned s)
{
    for (size_t i = 0; i < n; i++)
        s = s * 31 + b[i];
    return s;
}

int main(void)
{
    int sv[2];
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    static unsigned char buf[1 << 16];
    const long total = 4L << 20;
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        close(sv[1]);
        unsigned s = 0;
        for (long off = 0; off < total;) {
            size_t n = sizeof buf < (size_t)(total - off) ? sizeof buf : (size_t)(total - off);
            for (size_t i = 0; i < n; i++)
                buf[i] = (unsigned char)((off + i) * 7);
            s = sum(buf, n, s);
            ssize_t w = write(sv[0], buf, n);
            if (w != (ssize_t)n)
                _exit(1);
            off += n;
        }
        printf("sender sum %08x\n", s);
        _exit(0);
    }
    close(sv[0]);
    unsigned s = 0;
    long got = 0;
    ssize_t n;
    while ((n = read(sv[1], buf, 1000)) > 0) {
        s = sum(buf, n, s);
        got += n;
    }
    wait_show("sender", p);
    printf("receiver got %ld sum %08x\n", got, s);
    close(sv[1]);

    /* datagrams: the sender blocks on the receiver's full queue */
    int r;
    struct sockaddr_un a;
    socklen_t al = un_abs(&a, "rill-bulk-dgram");
    MUST(r = socket(AF_UNIX, SOCK_DGRAM, 0));
    MUST(bind(r, (struct sockaddr *)&a, al));
    fflush(stdout);
    p = fork();
    if (p == 0) {
        int c = socket(AF_UNIX, SOCK_DGRAM, 0);
        for (int i = 0; i < 2000; i++) {
            char m[16];
            int k = snprintf(m, sizeof m, "%d", i);
            if (sendto(c, m, k, 0, (struct sockaddr *)&a, al) != k)
                _exit(1);
        }
        _exit(0);
    }
    /* until the sender is seen blocked on the full queue (bounded) */
    YN("sender blocked on the full queue", wait_sleeping(p, p));
    int ok = 1;
    for (int i = 0; i < 2000; i++) {
        char m[16] = {0};
        if (recv(r, m, sizeof m - 1, 0) < 0 || atoi(m) != i)
            ok = 0;
    }
    wait_show("dgram sender", p);
    YN("2000 datagrams in order", ok);

    /* MSG_WAITALL gathers a record written in pieces */
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    fflush(stdout);
    p = fork();
    if (p == 0) {
        /* each piece once the reader is seen asleep in its recv (bounded) */
        for (int i = 0; i < 10; i++) {
            wait_sleeping(getppid(), getppid());
            (void)!write(sv[0], "0123456789", 10);
        }
        fflush(stdout);
        _exit(0);
    }
    char w[100];
    S(recv(sv[1], w, sizeof w, MSG_WAITALL));
    wait_show("piecewise writer", p);
    /* a socket's own descriptor in flight on itself, then everything closed */
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    S(send_fds(sv[0], "me", 2, &sv[1], 1));
    close(sv[0]);
    close(sv[1]);
    printf("done\n");
    return 0;
}
