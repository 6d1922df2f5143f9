// A full TCP receive buffer drained in small reads, over 127.0.0.1 and ::1: a writer thread
// blocks writing 2 MiB of a counting pattern, then shuts down; main waits until it sleeps in
// write (both buffers full, their sizes fixed), then reads 100 bytes at a time, every 16th time first peeking
// 1000 bytes and checking that the reads that follow return the same bytes, every 37th time
// dropping 50 bytes with MSG_TRUNC. Every byte must come in order, the end must be EOF after
// exactly 2 MiB (a wrong byte is reported, and the rest still drained, so the writer ends). Rill moves
// a large chunk out of a nearly full buffer at once (its silly-window avoidance) and serves the
// reads that follow from it: this pins that those bytes keep their place and count.
#include "sock.h"
#include "thr_common.h"

#define TOTAL (2 << 20)

static int wfd;
static volatile pid_t wtid;
static long wrote;

static unsigned char pat(long i) { return (unsigned char)(i % 251); }

static void *writer(void *arg)
{
    (void)arg;
    static unsigned char buf[TOTAL];
    for (long i = 0; i < TOTAL; i++)
        buf[i] = pat(i);
    __atomic_store_n(&wtid, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
    wrote = (long)write_full(wfd, buf, TOTAL);
    shutdown(wfd, SHUT_WR);
    return NULL;
}

/* Index of the first byte of buf[0..n) that is not the pattern from `at`, or -1. */
static long bad_at(const unsigned char *buf, long n, long at)
{
    for (long i = 0; i < n; i++)
        if (buf[i] != pat(at + i))
            return at + i;
    return -1;
}

static void run(int v6)
{
    int c, s;
    tcp_pair(v6, &c, &s);
    /* fixed sizes (no autotuning) that 2 MiB overflows, on Linux as in Rill */
    MUST(seti(c, SOL_SOCKET, SO_SNDBUF, 65536));
    MUST(seti(s, SOL_SOCKET, SO_RCVBUF, 131072));
    wfd = c;
    wtid = 0;
    pthread_t t;
    MUST(pthread_create(&t, NULL, writer, NULL) == 0 ? 0 : -1);
    printf("%s: writer asleep in write: %s\n", v6 ? "v6" : "v4",
           wait_tid_sleeping(&wtid) == 1 ? "yes" : "no");
    long at = 0, bad = -1, peeks = 0, peek_bad = 0, truncs = 0;
    unsigned char buf[1000];
    for (long k = 0;; k++) {
        if (k % 16 == 0) {
            ssize_t p = recv(s, buf, sizeof buf, MSG_PEEK);
            if (p <= 0)
                break;
            unsigned char again[1000];
            if (read_full(s, again, (size_t)p) != (size_t)p || memcmp(buf, again, (size_t)p))
                peek_bad++;
            if (bad < 0)
                bad = bad_at(again, p, at);
            at += p;
            peeks++;
        } else if (k % 37 == 0) {
            ssize_t n = recv(s, buf, 50, MSG_TRUNC);
            if (n <= 0)
                break;
            at += n;
            truncs++;
        } else {
            ssize_t n = read(s, buf, 100);
            if (n <= 0)
                break;
            if (bad < 0)
                bad = bad_at(buf, n, at);
            at += n;
        }
    }
    pthread_join(t, NULL);
    char b;
    ssize_t end = recv(s, &b, 1, 0);
    printf("  writer wrote: %ld\n", wrote);
    printf("  bytes taken: %ld, first wrong byte: %ld, then: %zd\n", at, bad, end);
    printf("  peeks: %s, peeks unlike the read: %ld, MSG_TRUNC drops: %s\n",
           peeks > 100 ? "many" : "few", peek_bad, truncs > 100 ? "many" : "few");
    close(c);
    close(s);
}

int main(void)
{
    run(0);
    run(1);
    return 0;
}
