// getrlimit/setrlimit/prlimit64 as root: lowering, raising within the hard limit, NOFILE vs nr_open, other pids.
#include "common.h"

int main(void)
{
    const struct { const char *n; int r; } res[] = {
        {"CPU", RLIMIT_CPU}, {"FSIZE", RLIMIT_FSIZE}, {"DATA", RLIMIT_DATA}, {"STACK", RLIMIT_STACK},
        {"CORE", RLIMIT_CORE}, {"RSS", RLIMIT_RSS}, {"NPROC", RLIMIT_NPROC}, {"NOFILE", RLIMIT_NOFILE},
        {"MEMLOCK", RLIMIT_MEMLOCK}, {"AS", RLIMIT_AS}, {"LOCKS", RLIMIT_LOCKS}, {"SIGPENDING", RLIMIT_SIGPENDING},
        {"MSGQUEUE", RLIMIT_MSGQUEUE}, {"NICE", RLIMIT_NICE}, {"RTPRIO", RLIMIT_RTPRIO}, {"RTTIME", RLIMIT_RTTIME},
    };
    for (unsigned i = 0; i < sizeof res / sizeof res[0]; i++) {
        struct rlimit r, r2;
        int a = getrlimit(res[i].r, &r);
        int b = prlimit(0, res[i].r, NULL, &r2);
        /* lowering the soft limit to itself always works */
        int c = setrlimit(res[i].r, &r);
        printf("%s: get %d prlimit %d same %s soft<=hard %s set-same %d\n", res[i].n, a, b,
               r.rlim_cur == r2.rlim_cur && r.rlim_max == r2.rlim_max ? "yes" : "no", r.rlim_cur <= r.rlim_max ? "yes" : "no", c);
    }
    /* a fresh, known state in a child */
    pid_t c = fork();
    if (c == 0) {
        struct rlimit r = {100, 200};
        SHOW("set CORE 100/200", setrlimit(RLIMIT_CORE, &r));
        r.rlim_cur = 200;
        SHOW("raise soft to hard", setrlimit(RLIMIT_CORE, &r));
        r.rlim_cur = 150;
        r.rlim_max = 150;
        SHOW("lower hard", setrlimit(RLIMIT_CORE, &r));
        getrlimit(RLIMIT_CORE, &r);
        printf("CORE now %lu/%lu\n", (unsigned long)r.rlim_cur, (unsigned long)r.rlim_max);
        r.rlim_cur = 300;
        SHOW("soft above hard", setrlimit(RLIMIT_CORE, &r));
        r.rlim_cur = RLIM_INFINITY;
        r.rlim_max = 150;
        SHOW("soft infinity, hard 150", setrlimit(RLIMIT_CORE, &r));
        /* NOFILE: the hard limit cannot exceed nr_open even for root */
        char buf[64];
        get_file("/proc/sys/fs/nr_open", buf, sizeof buf);
        unsigned long nr_open = strtoul(buf, NULL, 10);
        struct rlimit nf;
        getrlimit(RLIMIT_NOFILE, &nf);
        struct rlimit big = {nf.rlim_cur, RLIM_INFINITY};
        SHOW("NOFILE hard infinity", setrlimit(RLIMIT_NOFILE, &big));
        big.rlim_cur = big.rlim_max = nr_open + 1;
        SHOW("NOFILE nr_open+1", setrlimit(RLIMIT_NOFILE, &big));
        big.rlim_cur = 10;
        big.rlim_max = nf.rlim_max;
        SHOW("NOFILE soft 10", setrlimit(RLIMIT_NOFILE, &big));
        printf("sysconf(OPEN_MAX) follows: %ld\n", sysconf(_SC_OPEN_MAX));
        /* STACK limit shows in later execs; here just round-trips */
        struct rlimit st = {1 << 20, RLIM_INFINITY};
        struct rlimit sto;
        getrlimit(RLIMIT_STACK, &sto);
        st.rlim_max = sto.rlim_max;
        SHOW("STACK 1 MiB", setrlimit(RLIMIT_STACK, &st));
        getrlimit(RLIMIT_STACK, &st);
        printf("STACK soft: %lu\n", (unsigned long)st.rlim_cur);
        /* unprivileged: raising the hard limit fails with EPERM */
        struct rlimit lo = {50, 60};
        setrlimit(RLIMIT_CORE, &lo);
        setuid(65534);
        struct rlimit hi = {50, 70};
        SHOW("unprivileged raise hard", setrlimit(RLIMIT_CORE, &hi));
        hi.rlim_max = 60;
        hi.rlim_cur = 60;
        SHOW("unprivileged soft up to hard", setrlimit(RLIMIT_CORE, &hi));
        hi.rlim_max = 55;
        hi.rlim_cur = 55;
        SHOW("unprivileged lower hard", setrlimit(RLIMIT_CORE, &hi));
        hi.rlim_max = 60;
        SHOW("unprivileged raise back", setrlimit(RLIMIT_CORE, &hi));
        _exit(0);
    }
    wait_show("child", c);
    /* prlimit64 on another process: set a child's limit and read it back */
    int p[2];
    MUST(pipe(p));
    c = fork();
    if (c == 0) {
        char b;
        read(p[0], &b, 1);
        struct rlimit r;
        getrlimit(RLIMIT_CORE, &r);
        _exit(r.rlim_cur == 7 ? 0 : 1);
    }
    struct rlimit nr = {7, 7}, old;
    SHOW("prlimit child set", prlimit(c, RLIMIT_CORE, &nr, &old));
    struct rlimit rb;
    SHOW("prlimit child get", prlimit(c, RLIMIT_CORE, NULL, &rb));
    printf("child CORE: %lu/%lu\n", (unsigned long)rb.rlim_cur, (unsigned long)rb.rlim_max);
    write(p[1], "x", 1);
    wait_show("child saw 7", c);
    SHOW("prlimit ESRCH", prlimit(999999, RLIMIT_CORE, NULL, &rb));
    SHOW("prlimit bad resource", prlimit(0, 16, NULL, &rb));
    SHOW("prlimit bad new ptr", syscall(SYS_prlimit64, 0, RLIMIT_CORE, BADPTR, NULL));
    SHOW("prlimit bad old ptr", syscall(SYS_prlimit64, 0, RLIMIT_CORE, NULL, BADPTR));
    SHOW("prlimit NULL NULL", syscall(SYS_prlimit64, 0, RLIMIT_CORE, NULL, NULL));
    SHOW("setrlimit bad ptr", syscall(SYS_setrlimit, RLIMIT_CORE, BADPTR));
    return 0;
}
