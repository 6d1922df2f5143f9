// Real-time policies as root (needs CAP_SYS_NICE like MediaServer's pollers): FIFO/RR, priorities, fork.
#include "common.h"
#include "caps.h"

int main(void)
{
    need_cap(CAP_SYS_NICE, "CAP_SYS_NICE");
    /* changes happen in a child so the test process stays SCHED_OTHER */
    pid_t c = fork();
    if (c == 0) {
        struct sched_param p = {99};
        SHOW("set FIFO 99", sched_setscheduler(0, SCHED_FIFO, &p));
        SHOW("getscheduler", sched_getscheduler(0));
        sched_getparam(0, &p);
        printf("priority: %d\n", p.sched_priority);
        p.sched_priority = 10;
        SHOW("setparam 10", sched_setparam(0, &p));
        sched_getparam(0, &p);
        printf("priority: %d\n", p.sched_priority);
        p.sched_priority = 0;
        SHOW("FIFO priority 0", sched_setscheduler(0, SCHED_FIFO, &p));
        p.sched_priority = 100;
        SHOW("FIFO priority 100", sched_setscheduler(0, SCHED_FIFO, &p));
        p.sched_priority = 5;
        SHOW("set RR 5", sched_setscheduler(0, SCHED_RR, &p));
        SHOW("getscheduler", sched_getscheduler(0));
        struct timespec ts;
        SHOW("rr_get_interval", sched_rr_get_interval(0, &ts));
        printf("RR interval positive: %s\n", ts.tv_sec > 0 || ts.tv_nsec > 0 ? "yes" : "no");
        /* a forked child inherits the policy; RESET_ON_FORK drops it */
        pid_t g = fork();
        if (g == 0)
            _exit(sched_getscheduler(0));
        int st;
        waitpid(g, &st, 0);
        printf("grandchild policy: %d\n", WEXITSTATUS(st));
        SHOW("RR|RESET_ON_FORK", sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &p));
        SHOW("getscheduler shows flag", sched_getscheduler(0));
        g = fork();
        if (g == 0) {
            struct sched_param q;
            sched_getparam(0, &q);
            _exit(sched_getscheduler(0) * 10 + q.sched_priority);
        }
        waitpid(g, &st, 0);
        printf("grandchild after RESET_ON_FORK: policy*10+prio %d\n", WEXITSTATUS(st));
        p.sched_priority = 1;
        SHOW("OTHER priority 1", sched_setscheduler(0, SCHED_OTHER, &p));
        p.sched_priority = 0;
        SHOW("back to OTHER", sched_setscheduler(0, SCHED_OTHER, &p));
        p.sched_priority = 0;
        SHOW("back to OTHER", sched_setscheduler(0, SCHED_OTHER, &p));
        SHOW("getscheduler", sched_getscheduler(0));
        sched_getparam(0, &p);
        printf("priority: %d\n", p.sched_priority);
        _exit(0);
    }
    wait_show("child", c);
    return 0;
}
