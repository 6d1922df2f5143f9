// poll/ppoll/select/pselect6 blocked on pipes, woken by another process:
// the writer closing (POLLHUP), the reader closing (POLLERR), and data on
// one pipe among many (only that one is reported).
#include "common.h"
#include <sys/select.h>

static void revents(const char *label, int r, short e)
{
    printf("%s: ret=%d [%s%s%s%s]\n", label, r < 0 ? -errno : r, e & POLLIN ? "IN" : "",
           e & POLLOUT ? "OUT" : "", e & POLLHUP ? "HUP" : "", e & POLLERR ? "ERR" : "");
}

/* Is process `pid` asleep ('S' in /proc/PID/stat)? */
static int asleep(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    long n = get_file(path, buf, sizeof buf);
    if (n <= 0)
        return 0;
    char *e = strrchr(buf, ')');
    return e && e[1] == ' ' && e[2] == 'S';
}

static int go_w = -1, done_w = -1;

/* Fork a child that waits for the parent's go() (written just before its
 * blocking call), then (at most 10 s) until the parent sleeps, and then runs
 * `act`: the parent must be woken by it. The child stays until finish() (its
 * exit must not be what ends the wait). */
static pid_t later(void (*act)(int), int arg)
{
    pid_t parent = getpid();
    int g[2], d[2];
    MUST(pipe(g));
    MUST(pipe(d));
    pid_t pid = fork();
    if (pid == 0) {
        close(g[1]);
        close(d[1]);
        char c;
        if (read(g[0], &c, 1) != 1)
            _exit(1);
        for (int i = 0; i < 10000 && !asleep(parent); i++)
            usleep(1000);
        act(arg);
        if (read(d[0], &c, 1) != 1)
            _exit(1);
        _exit(0);
    }
    close(g[0]);
    close(d[0]);
    go_w = g[1];
    done_w = d[1];
    return pid;
}

static long long t_go;

static void go(void)
{
    MUST(write(go_w, "g", 1));
    close(go_w);
    t_go = now_ns(CLOCK_MONOTONIC);
}

/* The calls below time out after 15 s: one that returns only then (its
 * last check finds the event anyway) was not woken: a lost wake-up. */
static void prompt(void)
{
    long long dt = now_ns(CLOCK_MONOTONIC) - t_go;
    printf("  woken before the timeout: %s\n", dt < 10000000000LL ? "yes" : "no");
}

static void finish(pid_t c)
{
    MUST(write(done_w, "d", 1));
    close(done_w);
    wait_show("child", c);
}

static void do_close(int fd) { close(fd); }
static void do_write(int fd) { (void)!write(fd, "z", 1); }

int main(void)
{
    int p[2];

    /* writer closes while the reader polls */
    MUST(pipe(p));
    pid_t c = later(do_close, p[1]);
    close(p[1]);
    struct pollfd f = {p[0], POLLIN, 0};
    go();
    int r = poll(&f, 1, 15000);
    revents("poll, writer closes", r, f.revents);
    prompt();
    finish(c);
    close(p[0]);

    /* reader closes while the writer polls a full pipe */
    MUST(pipe(p));
    MUST(fcntl(p[1], F_SETFL, O_NONBLOCK));
    char big[4096] = {0};
    while (write(p[1], big, sizeof big) > 0) {
    }
    c = later(do_close, p[0]);
    close(p[0]);
    f = (struct pollfd){p[1], POLLOUT, 0};
    struct timespec ts = {15, 0};
    go();
    r = ppoll(&f, 1, &ts, NULL);
    revents("ppoll, reader closes", r, f.revents);
    prompt();
    finish(c);
    close(p[1]);

    /* select over 40 pipes; data arrives on one of them */
    enum { N = 40 };
    int rd[N], wr[N];
    for (int i = 0; i < N; i++) {
        int q[2];
        MUST(pipe(q));
        rd[i] = q[0];
        wr[i] = q[1];
    }
    c = later(do_write, wr[N - 3]);
    fd_set rs;
    FD_ZERO(&rs);
    int maxfd = 0;
    for (int i = 0; i < N; i++) {
        FD_SET(rd[i], &rs);
        if (rd[i] > maxfd)
            maxfd = rd[i];
    }
    struct timeval tv = {15, 0};
    go();
    r = select(maxfd + 1, &rs, NULL, NULL, &tv);
    printf("select 40 pipes: ret=%d", r);
    for (int i = 0; i < N; i++)
        if (FD_ISSET(rd[i], &rs))
            printf(" pipe#%d", i);
    printf("\n");
    prompt();
    finish(c);

    /* pselect6 on the same set, the writer of another pipe closes */
    c = later(do_close, wr[5]);
    close(wr[5]);
    FD_ZERO(&rs);
    for (int i = 0; i < N; i++)
        if (i != N - 3)
            FD_SET(rd[i], &rs);
    ts = (struct timespec){15, 0};
    go();
    r = pselect(maxfd + 1, &rs, NULL, NULL, &ts, NULL);
    printf("pselect 39 pipes, one writer closes: ret=%d", r);
    for (int i = 0; i < N; i++)
        if (FD_ISSET(rd[i], &rs))
            printf(" pipe#%d", i);
    printf("\n");
    prompt();
    finish(c);

    /* the same poll fd twice with different events, woken once */
    int q[2];
    MUST(pipe(q));
    c = later(do_write, q[1]);
    struct pollfd two[2] = {{q[0], POLLIN, 0}, {q[0], POLLPRI, 0}};
    go();
    r = poll(two, 2, 15000);
    printf("poll same fd twice: ret=%d revents=%#x %#x\n", r, two[0].revents, two[1].revents);
    prompt();
    finish(c);
    return 0;
}
