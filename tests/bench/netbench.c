/* Loopback network rates for `cargo xtask bench net` (run in the guest, Rill and Linux alike):
 *   netbench connect SECS  TCP connect+close to a listener on 127.0.0.1 (a second process
 *                          accepts and closes), ops/s
 *   netbench udp SECS      1316-byte datagrams (7 MPEG-TS packets, as in RTP/UDP streaming)
 *                          from one socket to another on 127.0.0.1, a second process
 *                          receiving; datagrams/s sent and received
 * Prints "netbench: NAME VALUE UNIT" lines; exits non-zero on an error. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "netbench: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* A socket of `type` bound to 127.0.0.1 on a port the kernel picks; the address in *a. */
static int bound(int type, struct sockaddr_in *a) {
    int s = socket(AF_INET, type, 0);
    if (s < 0)
        die("socket");
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)a, sizeof *a) < 0)
        die("bind");
    socklen_t len = sizeof *a;
    if (getsockname(s, (struct sockaddr *)a, &len) < 0)
        die("getsockname");
    return s;
}

static int bench_connect(double secs) {
    struct sockaddr_in a;
    int l = bound(SOCK_STREAM, &a);
    if (listen(l, 128) < 0)
        die("listen");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        for (;;) {
            int c = accept(l, NULL, NULL);
            if (c < 0) {
                if (errno == EINTR)
                    continue;
                _exit(1);
            }
            close(c);
        }
    }
    close(l);
    long n = 0;
    double t0 = now(), t;
    while ((t = now()) - t0 < secs) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0)
            die("socket");
        if (connect(s, (struct sockaddr *)&a, sizeof a) < 0)
            die("connect");
        close(s);
        n++;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    printf("netbench: tcp-connect-close %.0f ops/s (%ld in %.2f s)\n", n / (t - t0), n, t - t0);
    return 0;
}

static int bench_udp(double secs) {
    struct sockaddr_in a, b;
    int r = bound(SOCK_DGRAM, &a);
    int rcvbuf = 1 << 20;
    setsockopt(r, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    int pipefd[2];
    if (pipe(pipefd) < 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        /* Receive until 1 s passes without a datagram; report the count through the pipe. */
        struct timeval tv = {1, 0};
        setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[2048];
        long got = 0;
        for (;;) {
            ssize_t k = recv(r, buf, sizeof buf, 0);
            if (k == 1316)
                got++;
            else if (k < 0 && errno != EINTR)
                break;
        }
        if (write(pipefd[1], &got, sizeof got) != sizeof got)
            _exit(1);
        _exit(0);
    }
    close(r);
    close(pipefd[1]);
    int s = bound(SOCK_DGRAM, &b);
    char buf[1316];
    memset(buf, 0x47, sizeof buf);
    long sent = 0;
    double t0 = now(), t;
    while ((t = now()) - t0 < secs) {
        if (sendto(s, buf, sizeof buf, 0, (struct sockaddr *)&a, sizeof a) == (ssize_t)sizeof buf)
            sent++;
        else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
            die("sendto");
    }
    long got = -1;
    if (read(pipefd[0], &got, sizeof got) != sizeof got)
        die("read from the receiver");
    waitpid(pid, NULL, 0);
    printf("netbench: udp-1316-sent %.0f datagrams/s (%ld)\n", sent / (t - t0), sent);
    printf("netbench: udp-1316-received %.0f datagrams/s (%ld)\n", got / (t - t0), got);
    return got > 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    double secs = argc > 2 ? atof(argv[2]) : 3;
    if (argc > 1 && strcmp(argv[1], "connect") == 0)
        return bench_connect(secs);
    if (argc > 1 && strcmp(argv[1], "udp") == 0)
        return bench_udp(secs);
    fprintf(stderr, "usage: netbench connect|udp [SECS]\n");
    return 2;
}
