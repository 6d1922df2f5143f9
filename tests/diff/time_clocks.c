// clock_gettime/clock_getres/gettimeofday/time: monotonicity and plausibility.
#include "common.h"

int main(void)
{
    struct timespec a, b;
    int ok = 1;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 10000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (b.tv_sec < a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec))
            ok = 0;
        a = b;
    }
    printf("CLOCK_MONOTONIC non-decreasing: %s\n", ok ? "yes" : "no");
    printf("tv_nsec in range: %s\n", b.tv_nsec >= 0 && b.tv_nsec < 1000000000 ? "yes" : "no");
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    printf("realtime plausible: %s\n", rt.tv_sec > 1735689600LL && rt.tv_sec < 4102444800LL ? "yes" : "no");
    struct timeval tv;
    SHOW("gettimeofday", gettimeofday(&tv, NULL));
    long long d = (long long)tv.tv_sec - rt.tv_sec;
    printf("gettimeofday within 1s of REALTIME: %s\n", d >= -1 && d <= 1 ? "yes" : "no");
    printf("tv_usec in range: %s\n", tv.tv_usec >= 0 && tv.tv_usec < 1000000 ? "yes" : "no");
    time_t t = time(NULL), t2;
    printf("time() within 1s: %s\n", t - rt.tv_sec >= -1 && t - rt.tv_sec <= 1 ? "yes" : "no");
    SHOW("raw time with ptr matches", (syscall(SYS_time, &t2) == t2) ? 0 : -1);
    clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
                       CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME};
    const char *names[] = {"REALTIME", "MONOTONIC", "PROCESS_CPUTIME", "THREAD_CPUTIME", "MONOTONIC_RAW",
                           "REALTIME_COARSE", "MONOTONIC_COARSE", "BOOTTIME"};
    for (int i = 0; i < 8; i++) {
        struct timespec ts, res;
        int r1 = clock_gettime(ids[i], &ts);
        int r2 = clock_getres(ids[i], &res);
        printf("%s: gettime %s getres %s res>0 %s res<=10ms %s\n", names[i], r1 ? en(errno) : "ok",
               r2 ? en(errno) : "ok", res.tv_sec > 0 || res.tv_nsec > 0 ? "yes" : "no",
               res.tv_sec == 0 && res.tv_nsec <= 10000000 ? "yes" : "no");
    }
    struct timespec res;
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("MONOTONIC resolution 1ns: %s\n", res.tv_sec == 0 && res.tv_nsec == 1 ? "yes" : "no");
    SHOW("clock_gettime invalid clock", syscall(SYS_clock_gettime, 100, &a));
    SHOW("clock_gettime -1 clock", syscall(SYS_clock_gettime, -1, &a));
    SHOW("clock_getres invalid clock", syscall(SYS_clock_getres, 100, &res));
    SHOW("clock_getres NULL res", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
    SHOW("clock_settime as root to invalid", syscall(SYS_clock_settime, CLOCK_MONOTONIC, &a));
    /* BOOTTIME >= MONOTONIC */
    struct timespec m, bt;
    clock_gettime(CLOCK_MONOTONIC, &m);
    clock_gettime(CLOCK_BOOTTIME, &bt);
    printf("BOOTTIME >= MONOTONIC: %s\n", bt.tv_sec > m.tv_sec || (bt.tv_sec == m.tv_sec && bt.tv_nsec >= m.tv_nsec) ? "yes" : "no");
    /* CPU time advances when burning CPU */
    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    volatile unsigned long x = 0;
    for (long i = 0; i < 20000000; i++)
        x += i;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    printf("process CPU time advances: %s\n", (c1.tv_sec - c0.tv_sec) * 1000000000LL + (c1.tv_nsec - c0.tv_nsec) > 0 ? "yes" : "no");
    return 0;
}
