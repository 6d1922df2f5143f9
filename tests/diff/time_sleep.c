// nanosleep/clock_nanosleep durations and errors.
#include "common.h"

int main(void)
{
    struct timespec req = {0, 50000000}, rem;
    long long t0 = now_ns(CLOCK_MONOTONIC);
    SHOW("nanosleep 50ms", nanosleep(&req, &rem));
    long long dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("elapsed >= 50ms: %s, < 1s: %s\n", dt >= 50000000LL ? "yes" : "no", dt < 1000000000LL ? "yes" : "no");
    struct timespec zero = {0, 0};
    SHOW("nanosleep 0", nanosleep(&zero, NULL));
    struct timespec badn = {0, 1000000000};
    SHOW("nanosleep nsec 1e9", nanosleep(&badn, NULL));
    struct timespec negn = {0, -1};
    SHOW("nanosleep nsec -1", nanosleep(&negn, NULL));
    struct timespec negs = {-1, 0};
    SHOW("nanosleep sec -1", nanosleep(&negs, NULL));
    /* clock_nanosleep relative and absolute */
    t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec r30 = {0, 30000000};
    int e = clock_nanosleep(CLOCK_MONOTONIC, 0, &r30, NULL);
    dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("clock_nanosleep rel 30ms: %s elapsed>=30ms %s\n", e ? en(e) : "ok", dt >= 30000000LL ? "yes" : "no");
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 40000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    e = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    printf("clock_nanosleep abs: %s reached target: %s\n", e ? en(e) : "ok",
           now.tv_sec > abs.tv_sec || (now.tv_sec == abs.tv_sec && now.tv_nsec >= abs.tv_nsec) ? "yes" : "no");
    struct timespec past = {1, 0};
    e = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL);
    printf("abs time in the past returns at once: %s\n", e ? en(e) : "ok");
    clock_gettime(CLOCK_REALTIME, &abs);
    abs.tv_nsec += 20000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    e = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL);
    printf("REALTIME abs: %s\n", e ? en(e) : "ok");
    e = clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &r30, NULL);
    printf("THREAD_CPUTIME clock: %s\n", e ? en(e) : "ok");
    e = clock_nanosleep(1234, 0, &r30, NULL);
    printf("invalid clock: %s\n", e ? en(e) : "ok");
    e = clock_nanosleep(CLOCK_MONOTONIC, 0x10, &r30, NULL);
    printf("unknown flags (ignored): %s\n", e ? en(e) : "ok");
    SHOW("raw clock_nanosleep bad ptr", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BADPTR, NULL));
    /* usleep via libc */
    t0 = now_ns(CLOCK_MONOTONIC);
    usleep(10000);
    dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("usleep 10ms: %s\n", dt >= 10000000LL ? "yes" : "no");
    return 0;
}
