// clock_getres/clock_gettime for every clock id, dynamic CPU clocks, errors.
#include "common.h"
#include <pthread.h>

int main(void)
{
    const struct { const char *n; clockid_t c; } ck[] = {
        {"REALTIME", CLOCK_REALTIME}, {"MONOTONIC", CLOCK_MONOTONIC},
        {"PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID}, {"THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID},
        {"MONOTONIC_RAW", CLOCK_MONOTONIC_RAW}, {"REALTIME_COARSE", CLOCK_REALTIME_COARSE},
        {"MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE}, {"BOOTTIME", CLOCK_BOOTTIME}, {"TAI", CLOCK_TAI},
    };
    for (unsigned i = 0; i < sizeof ck / sizeof ck[0]; i++) {
        struct timespec r = {-1, -1}, t = {-1, -1};
        long rr = syscall(SYS_clock_getres, ck[i].c, &r);
        long rt = syscall(SYS_clock_gettime, ck[i].c, &t);
        const char *res;
        if (rr != 0)
            res = en(errno);
        else if (r.tv_sec == 0 && r.tv_nsec == 1)
            res = "1ns";
        else if (r.tv_sec == 0 && r.tv_nsec >= 1000000 && r.tv_nsec <= 10000000)
            res = "one tick (1-10ms)";
        else
            res = "other";
        printf("%s: getres %s, gettime %s nsec-range %s\n", ck[i].n, res, rt ? en(errno) : "0",
               t.tv_nsec >= 0 && t.tv_nsec < 1000000000 ? "ok" : "bad");
    }
    struct timespec ts;
    /* (the alarm clocks 8 and 9 depend on the machine's RTC: not tested) */
    const clockid_t bad[] = {10, 12, 16, 100, -1, 0x7fffffff};
    const char *bn[] = {"SGI_CYCLE (10)", "12", "16", "100", "-1", "INT_MAX"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        long a = syscall(SYS_clock_gettime, bad[i], &ts);
        int ea = errno;
        errno = 0;
        long b = syscall(SYS_clock_getres, bad[i], &ts);
        printf("clock %s: gettime %s getres %s\n", bn[i], a ? en(ea) : "0", b ? en(errno) : "0");
    }
    SHOW("gettime bad pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR));
    SHOW("gettime NULL", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
    SHOW("getres NULL", syscall(SYS_clock_getres, CLOCK_REALTIME, NULL));
    SHOW("getres bad pointer", syscall(SYS_clock_getres, CLOCK_REALTIME, BADPTR));
    SHOW("getres kernel pointer", syscall(SYS_clock_getres, CLOCK_REALTIME, KPTR));
    /* dynamic CPU clocks: our own process, our thread, a child, a dead pid */
    clockid_t pc, tc;
    SHOW("clock_getcpuclockid(0)", clock_getcpuclockid(0, &pc));
    SHOW("process clock gettime", clock_gettime(pc, &ts));
    SHOW("process clock getres", clock_getres(pc, &ts));
    printf("process clock res 1ns: %s\n", ts.tv_sec == 0 && ts.tv_nsec == 1 ? "yes" : "no");
    SHOW("clock_getcpuclockid(getpid())", clock_getcpuclockid(getpid(), &pc));
    SHOW("gettime", clock_gettime(pc, &ts));
    SHOW("pthread_getcpuclockid(self)", pthread_getcpuclockid(pthread_self(), &tc));
    SHOW("thread clock gettime", clock_gettime(tc, &ts));
    pid_t c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    int r = clock_getcpuclockid(c, &pc);
    printf("child cpu clock id: %s\n", r ? en(r) : "0");
    SHOW("child clock gettime", clock_gettime(pc, &ts));
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
    SHOW("reaped child clock gettime", clock_gettime(pc, &ts));
    /* pid 999999: (~pid << 3) | CPUCLOCK_SCHED */
    clockid_t dead = (clockid_t)((~999999U << 3) | 2);
    SHOW("nonexistent pid clock", syscall(SYS_clock_gettime, dead, &ts));
    /* a thread clock of a tid that is not in our thread group */
    clockid_t tdead = (clockid_t)((~999999U << 3) | 4 | 2);
    SHOW("nonexistent thread clock", syscall(SYS_clock_gettime, tdead, &ts));
    /* CPUCLOCK type 3 is invalid */
    clockid_t inval = (clockid_t)((~0U << 3) | 3);
    SHOW("invalid cpu clock type", syscall(SYS_clock_gettime, inval, &ts));
    return 0;
}
