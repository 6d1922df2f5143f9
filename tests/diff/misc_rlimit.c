// getrlimit/setrlimit/prlimit64; RLIMIT_NOFILE enforced by open -> EMFILE.
#include "common.h"

int main(void)
{
    struct rlimit rl, old;
    /* RLIMIT_FSIZE: children report through their exit status only (stdout may be a file) */
    pid_t c = fork();
    if (c == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit fs = {100, 100};
        setrlimit(RLIMIT_FSIZE, &fs);
        int f = open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        static char b[150];
        long w1 = write(f, b, 150);
        long w2 = write(f, b, 10);
        _exit(w2 == -1 && errno == EFBIG ? (int)w1 : 1);
    }
    wait_show("FSIZE 100, SIGXFSZ ignored: bytes written before EFBIG", c);
    c = fork();
    if (c == 0) {
        no_core();
        struct rlimit fs = {10, 10};
        setrlimit(RLIMIT_FSIZE, &fs);
        int f = open("big2", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        char b[20] = {0};
        write(f, b, 10);
        write(f, b, 10);
        _exit(0);
    }
    wait_show("SIGXFSZ default", c);

    SHOW("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &old));
    printf("soft <= hard: %s\n", old.rlim_cur <= old.rlim_max ? "yes" : "no");
    rl.rlim_cur = 64;
    rl.rlim_max = old.rlim_max;
    SHOW("setrlimit NOFILE soft 64", setrlimit(RLIMIT_NOFILE, &rl));
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("read back soft: %lu\n", (unsigned long)rl.rlim_cur);
    int n = 0, fd;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0)
        n++;
    printf("opened until %s; total open fds %d\n", en(errno), n + 3);
    SHOW("dup at limit", dup(0));
    SHOW("F_DUPFD at limit-1", fcntl(0, F_DUPFD, 63));
    SHOW("dup2 to fd 64 (>= limit)", dup2(0, 64));
    SHOW("pipe at limit", pipe((int[2]){0, 0}));
    close(10);
    close(11);
    int p[2];
    SHOW("pipe after freeing two", pipe(p));
    struct rlimit bad = {100, 50};
    SHOW("soft > hard", setrlimit(RLIMIT_NOFILE, &bad));
    struct rlimit huge = {RLIM_INFINITY, RLIM_INFINITY};
    SHOW("NOFILE infinity (above nr_open)", setrlimit(RLIMIT_NOFILE, &huge));
    SHOW("getrlimit invalid resource", getrlimit(99, &rl));
    SHOW("setrlimit invalid resource", setrlimit(99, &rl));
    SHOW("getrlimit bad ptr", syscall(SYS_getrlimit, RLIMIT_NOFILE, BADPTR));
    struct rlimit o2;
    struct rlimit nw = {32, 48};
    SHOW("prlimit64 set+get self", prlimit(0, RLIMIT_NOFILE, &nw, &o2));
    printf("prlimit old soft: %lu\n", (unsigned long)o2.rlim_cur);
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("new: %lu %lu\n", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
    SHOW("prlimit nonexistent pid", prlimit(999999, RLIMIT_NOFILE, NULL, &o2));
    nw.rlim_max = 100;
    nw.rlim_cur = 10;
    fflush(stdout);
    c = fork();
    if (c == 0) {
        setuid(65534);
        SHOW("raise hard limit unprivileged", setrlimit(RLIMIT_NOFILE, &nw));
        struct rlimit lower = {16, 40};
        SHOW("lower hard limit unprivileged", setrlimit(RLIMIT_NOFILE, &lower));
        _exit(0);
    }
    wait_show("child", c);
    /* limits are inherited */
    c = fork();
    if (c == 0) {
        getrlimit(RLIMIT_NOFILE, &rl);
        printf("child sees: %lu %lu\n", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
        _exit(0);
    }
    wait_show("child", c);
    return 0;
}
