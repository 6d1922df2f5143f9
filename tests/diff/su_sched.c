// sched_setscheduler/getscheduler/getparam/setparam/get_priority_min/max, sched_yield, rr_get_interval.
#include "common.h"
#include "caps.h"

int main(void)
{
    need_cap(CAP_SYS_NICE, "CAP_SYS_NICE");
    const struct { const char *n; int p; } pol[] = {
        {"OTHER", SCHED_OTHER}, {"FIFO", SCHED_FIFO}, {"RR", SCHED_RR}, {"BATCH", SCHED_BATCH},
        {"IDLE", SCHED_IDLE}, {"DEADLINE", 6}, {"4", 4}, {"-1", -1},
    };
    for (unsigned i = 0; i < sizeof pol / sizeof pol[0]; i++) {
        errno = 0;
        int mn = sched_get_priority_min(pol[i].p);
        int e1 = errno;
        errno = 0;
        int mx = sched_get_priority_max(pol[i].p);
        int e2 = errno;
        printf("%s: min %d%s%s max %d%s%s\n", pol[i].n, mn, mn < 0 ? " " : "", mn < 0 ? en(e1) : "", mx, mx < 0 ? " " : "", mx < 0 ? en(e2) : "");
    }
    SHOW("getscheduler", sched_getscheduler(0));
    struct sched_param sp = {-1};
    SHOW("getparam", sched_getparam(0, &sp));
    printf("priority: %d\n", sp.sched_priority);
    SHOW("sched_yield", sched_yield());
    SHOW("getscheduler ESRCH", sched_getscheduler(999999));
    SHOW("getscheduler -1", sched_getscheduler(-1));
    SHOW("getparam bad ptr", syscall(SYS_sched_getparam, 0, BADPTR));
    SHOW("getparam NULL", syscall(SYS_sched_getparam, 0, NULL));
    /* non-real-time policy changes in a child (real-time ones: su_sched_rt.c) */
    pid_t c = fork();
    if (c == 0) {
        struct sched_param p = {0};
        SHOW("BATCH", sched_setscheduler(0, SCHED_BATCH, &p));
        SHOW("getscheduler", sched_getscheduler(0));
        pid_t g = fork();
        if (g == 0)
            _exit(sched_getscheduler(0));
        int st;
        waitpid(g, &st, 0);
        printf("grandchild inherits: %d\n", WEXITSTATUS(st));
        SHOW("IDLE", sched_setscheduler(0, SCHED_IDLE, &p));
        SHOW("getscheduler", sched_getscheduler(0));
        SHOW("OTHER again", sched_setscheduler(0, SCHED_OTHER, &p));
        SHOW("getscheduler", sched_getscheduler(0));
        SHOW("BATCH|RESET_ON_FORK", sched_setscheduler(0, SCHED_BATCH | SCHED_RESET_ON_FORK, &p));
        SHOW("getscheduler shows flag", sched_getscheduler(0));
        g = fork();
        if (g == 0)
            _exit(sched_getscheduler(0));
        waitpid(g, &st, 0);
        printf("grandchild after RESET_ON_FORK: %d\n", WEXITSTATUS(st));
        p.sched_priority = 1;
        SHOW("OTHER priority 1", sched_setscheduler(0, SCHED_OTHER, &p));
        SHOW("setparam 1 on OTHER", sched_setparam(0, &p));
        p.sched_priority = 0;
        SHOW("setparam 0", sched_setparam(0, &p));
        SHOW("policy 42", sched_setscheduler(0, 42, &p));
        SHOW("policy -1", sched_setscheduler(0, -1, &p));
        SHOW("NULL param", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
        SHOW("bad param ptr", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BADPTR));
        SHOW("ESRCH", sched_setscheduler(999999, SCHED_OTHER, &p));
        SHOW("negative pid", sched_setscheduler(-5, SCHED_OTHER, &p));
        struct timespec ts;
        SHOW("rr_get_interval OTHER", sched_rr_get_interval(0, &ts));
        SHOW("rr_get_interval ESRCH", sched_rr_get_interval(999999, &ts));
        SHOW("rr_get_interval bad ptr", syscall(SYS_sched_rr_get_interval, 0, BADPTR));
        /* only a privileged caller may drop RESET_ON_FORK: do it now */
        SHOW("OTHER (drops RESET_ON_FORK)", sched_setscheduler(0, SCHED_OTHER, &p));
        /* unprivileged: no real-time policy without RLIMIT_RTPRIO */
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_RTPRIO, &rl);
        setuid(65534);
        p.sched_priority = 1;
        SHOW("unprivileged FIFO", sched_setscheduler(0, SCHED_FIFO, &p));
        p.sched_priority = 0;
        SHOW("unprivileged BATCH", sched_setscheduler(0, SCHED_BATCH, &p));
        SHOW("unprivileged back to OTHER", sched_setscheduler(0, SCHED_OTHER, &p));
        _exit(0);
    }
    wait_show("child", c);
    return 0;
}
