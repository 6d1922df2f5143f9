// clock_nanosleep: relative and TIMER_ABSTIME on MONOTONIC/REALTIME/BOOTTIME, errors (returned, not errno).
#include "common.h"

static void on_alrm(int s) { (void)s; }
static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void)
{
    const clockid_t ids[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME, CLOCK_TAI};
    const char *nm[] = {"MONOTONIC", "REALTIME", "BOOTTIME", "TAI"};
    for (int k = 0; k < 4; k++) {
        /* A relative TAI sleep runs on the TAI clock (only REALTIME's is turned into a
         * MONOTONIC one, hrtimer_init), so a step of the host's clock can end it early by
         * MONOTONIC: it is measured on TAI itself, which has advanced 30 ms whatever. */
        clockid_t by = ids[k] == CLOCK_TAI ? CLOCK_TAI : CLOCK_MONOTONIC;
        struct timespec req = {0, 30000000};
        long long t0 = now_ns(by);
        int r = clock_nanosleep(ids[k], 0, &req, NULL);
        long long d = now_ns(by) - t0;
        printf("%s relative 30ms: %d, slept >= 30ms %s\n", nm[k], r, d >= 30000000 ? "yes" : "no");
        struct timespec now;
        clock_gettime(ids[k], &now);
        struct timespec abs = now;
        abs.tv_nsec += 40000000;
        if (abs.tv_nsec >= 1000000000) {
            abs.tv_sec++;
            abs.tv_nsec -= 1000000000;
        }
        r = clock_nanosleep(ids[k], TIMER_ABSTIME, &abs, NULL);
        struct timespec after;
        clock_gettime(ids[k], &after);
        printf("%s absolute +40ms: %d, woke at or after deadline %s\n", nm[k], r, ns(after) >= ns(abs) ? "yes" : "no");
        /* (a guest's MONOTONIC may be only seconds old: the epoch is always past) */
        struct timespec past = {0, 1};
        t0 = now_ns(CLOCK_MONOTONIC);
        r = clock_nanosleep(ids[k], TIMER_ABSTIME, &past, NULL);
        printf("%s absolute in the past: %d, immediate %s\n", nm[k], r, now_ns(CLOCK_MONOTONIC) - t0 < 20000000 ? "yes" : "no");
    }
    struct timespec req = {0, 1000000000};
    printf("tv_nsec 1e9: %s\n", en(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL)));
    req.tv_nsec = -1;
    printf("tv_nsec -1: %s\n", en(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL)));
    req.tv_nsec = 1000000000;
    printf("abs tv_nsec 1e9: %s\n", en(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL)));
    req.tv_sec = -1;
    req.tv_nsec = 0;
    printf("abs negative tv_sec: %d\n", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL));
    printf("rel negative tv_sec: %s\n", en(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL)));
    req.tv_sec = 0;
    req.tv_nsec = 1000;
    printf("bad clock 99: %s\n", en(clock_nanosleep(99, 0, &req, NULL)));
    printf("THREAD_CPUTIME: %s\n", en(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL)));
    printf("MONOTONIC_RAW: %s\n", en(clock_nanosleep(CLOCK_MONOTONIC_RAW, 0, &req, NULL)));
    printf("MONOTONIC_COARSE: %s\n", en(clock_nanosleep(CLOCK_MONOTONIC_COARSE, 0, &req, NULL)));
    printf("REALTIME_COARSE: %s\n", en(clock_nanosleep(CLOCK_REALTIME_COARSE, 0, &req, NULL)));
    printf("unknown flag bits ignored: %d\n", clock_nanosleep(CLOCK_MONOTONIC, 0x10, &req, NULL));
    printf("bad pointer: %s\n", en(clock_nanosleep(CLOCK_MONOTONIC, 0, BADPTR, NULL)));
    /* interrupted relative sleep fills rem; absolute does not */
    struct sigaction sa = {0};
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec two = {2, 0}, rem = {-1, -1};
    int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &two, &rem);
    printf("relative interrupted: %s, rem in (1.5s, 2s): %s\n", en(r), ns(rem) > 1500000000 && ns(rem) < 2000000000 ? "yes" : "no");
    struct timespec abs;
    clock_gettime(CLOCK_REALTIME, &abs);
    abs.tv_sec += 2;
    rem.tv_sec = -1;
    setitimer(ITIMER_REAL, &it, NULL);
    r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, &rem);
    printf("absolute interrupted: %s, rem untouched: %s\n", en(r), rem.tv_sec == -1 ? "yes" : "no");
    /* a 500us REALTIME sleep loop (like a stamp thread) stays near 500us per call */
    long long t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec half = {0, 500000};
    for (int i = 0; i < 100; i++)
        clock_nanosleep(CLOCK_REALTIME, 0, &half, NULL);
    long long d = now_ns(CLOCK_MONOTONIC) - t0;
    printf("100 x 500us: >= 50ms %s, < 1s %s\n", d >= 50000000 ? "yes" : "no", d < 1000000000 ? "yes" : "no");
    return 0;
}
