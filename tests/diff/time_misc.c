// times(), getrusage(), time-related sanity.
#include "common.h"
#include <sys/times.h>

int main(void)
{
    struct tms t;
    errno = 0;
    clock_t c = times(&t);
    printf("times() returned non-error: %s\n", c != (clock_t)-1 ? "yes" : "no");
    printf("fields non-negative: %s\n", t.tms_utime >= 0 && t.tms_stime >= 0 && t.tms_cutime >= 0 && t.tms_cstime >= 0 ? "yes" : "no");
    SHOW("times(NULL)", times(NULL) != (clock_t)-1 ? 0 : -1);
    printf("sysconf CLK_TCK: %ld\n", sysconf(_SC_CLK_TCK));
    /* child CPU time accumulates in cutime after wait */
    pid_t p = fork();
    if (p == 0) {
        volatile unsigned long x = 0;
        long long t0 = now_ns(CLOCK_MONOTONIC);
        while (now_ns(CLOCK_MONOTONIC) - t0 < 150000000LL)
            x++;
        _exit(0);
    }
    waitpid(p, NULL, 0);
    times(&t);
    printf("children cpu time counted: %s\n", t.tms_cutime + t.tms_cstime > 0 ? "yes" : "no");
    struct rusage ru;
    SHOW("getrusage SELF", getrusage(RUSAGE_SELF, &ru));
    SHOW("getrusage CHILDREN", getrusage(RUSAGE_CHILDREN, &ru));
    printf("children utime+stime > 0: %s\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec > 0 ? "yes" : "no");
    printf("maxrss > 0: %s\n", ru.ru_maxrss > 0 ? "yes" : "no");
    SHOW("getrusage THREAD", getrusage(RUSAGE_THREAD, &ru));
    SHOW("getrusage invalid", getrusage(42, &ru));
    SHOW("getrusage bad ptr", syscall(SYS_getrusage, RUSAGE_SELF, BADPTR));
    /* localtime with TZ unset is UTC in both worlds */
    unsetenv("TZ");
    setenv("TZ", "UTC0", 1);
    tzset();
    time_t fixed = 1700000000;
    struct tm tm;
    gmtime_r(&fixed, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    printf("gmtime(1700000000): %s\n", buf);
    return 0;
}
