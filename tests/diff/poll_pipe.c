// poll(2)/ppoll(2) readiness on pipes.
#include "common.h"

static void pr(const char *label, int r, struct pollfd *f, int n)
{
    printf("%s: ret=%d", label, r < 0 ? -errno : r);
    for (int i = 0; i < n; i++) {
        short e = f[i].revents;
        printf(" [%s%s%s%s%s]", e & POLLIN ? "IN" : "", e & POLLOUT ? "OUT" : "",
               e & POLLHUP ? "HUP" : "", e & POLLERR ? "ERR" : "", e & POLLNVAL ? "NVAL" : "");
    }
    printf("\n");
}

int main(void)
{
    int p[2];
    MUST(pipe(p));
    struct pollfd f[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
    pr("empty pipe", poll(f, 2, 0), f, 2);
    write(p[1], "x", 1);
    pr("with data", poll(f, 2, 0), f, 2);
    f[0].events = POLLIN | POLLOUT;
    pr("read end asks OUT too", poll(f, 1, 0), f, 1);
    f[0].events = 0;
    pr("no events requested", poll(f, 1, 0), f, 1);
    f[0].events = POLLIN;
    close(p[1]);
    pr("writer closed, data left", poll(f, 1, 0), f, 1);
    char c;
    read(p[0], &c, 1);
    pr("writer closed, drained", poll(f, 1, 0), f, 1);
    int q[2];
    MUST(pipe(q));
    close(q[0]);
    struct pollfd g = {q[1], POLLOUT, 0};
    pr("reader closed", poll(&g, 1, 0), &g, 1);
    struct pollfd bad[3] = {{999, POLLIN, 0}, {-1, POLLIN, 0}, {0, POLLIN, 0}};
    pr("bad fd, negative fd, /dev/null", poll(bad, 3, 0), bad, 3);
    SHOW("poll nfds huge", syscall(SYS_poll, f, 1 << 20, 0));
    SHOW("poll NULL 0 fds 0 timeout", poll(NULL, 0, 0));
    SHOW("poll bad ptr", syscall(SYS_poll, BADPTR, 1, 0));
    /* timeout elapses */
    int r[2];
    MUST(pipe(r));
    struct pollfd h = {r[0], POLLIN, 0};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    int ret = poll(&h, 1, 50);
    long long dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("poll 50ms: ret=%d elapsed>=50ms: %s\n", ret, dt >= 50000000LL ? "yes" : "no");
    struct timespec ts = {0, 30000000};
    t0 = now_ns(CLOCK_MONOTONIC);
    ret = ppoll(&h, 1, &ts, NULL);
    dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("ppoll 30ms: ret=%d elapsed>=30ms: %s\n", ret, dt >= 30000000LL ? "yes" : "no");
    struct timespec z = {0, 0};
    pr("ppoll zero timeout", ppoll(&h, 1, &z, NULL), &h, 1);
    struct timespec badts = {0, 2000000000};
    SHOW("ppoll bad timespec", ppoll(&h, 1, &badts, NULL));
    /* child writes later: poll with infinite timeout wakes */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        write(r[1], "y", 1);
        _exit(0);
    }
    pr("poll -1 wakes on child write", poll(&h, 1, -1), &h, 1);
    wait_show("child", pid);
    /* regular files are always ready */
    put_file("f", "data");
    int fd;
    MUST(fd = open("f", O_RDWR));
    struct pollfd ff = {fd, POLLIN | POLLOUT, 0};
    pr("regular file", poll(&ff, 1, 0), &ff, 1);
    int dn;
    MUST(dn = open("/dev/null", O_RDWR));
    struct pollfd nf = {dn, POLLIN | POLLOUT, 0};
    pr("/dev/null", poll(&nf, 1, 0), &nf, 1);
    return 0;
}
