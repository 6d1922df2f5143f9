// Ordering between clocks: monotonic never goes back, coarse vs fine, realtime vs gettimeofday/time.
#include "common.h"

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void)
{
    const clockid_t ids[] = {CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME, CLOCK_MONOTONIC_COARSE, CLOCK_REALTIME_COARSE};
    const char *names[] = {"MONOTONIC", "MONOTONIC_RAW", "BOOTTIME", "MONOTONIC_COARSE", "REALTIME_COARSE"};
    for (int k = 0; k < 5; k++) {
        struct timespec a, b;
        int ok = 1;
        clock_gettime(ids[k], &a);
        for (int i = 0; i < 20000; i++) {
            clock_gettime(ids[k], &b);
            if (ns(b) < ns(a))
                ok = 0;
            a = b;
        }
        /* raw syscalls too */
        for (int i = 0; i < 2000; i++) {
            syscall(SYS_clock_gettime, ids[k], &b);
            if (ns(b) < ns(a))
                ok = 0;
            a = b;
        }
        printf("%s never decreases: %s\n", names[k], ok ? "yes" : "no");
    }
    /* coarse clocks lag the fine ones by less than 2 ticks and are never ahead */
    struct timespec c1, f, c2;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &c1);
    clock_gettime(CLOCK_MONOTONIC, &f);
    clock_gettime(CLOCK_MONOTONIC_COARSE, &c2);
    printf("coarse <= fine: %s, fine - coarse < 25ms: %s\n", ns(c1) <= ns(f) ? "yes" : "no", ns(f) - ns(c1) < 25000000 ? "yes" : "no");
    clock_gettime(CLOCK_REALTIME_COARSE, &c1);
    clock_gettime(CLOCK_REALTIME, &f);
    printf("realtime coarse <= fine: %s, within 25ms: %s\n", ns(c1) <= ns(f) ? "yes" : "no", ns(f) - ns(c1) < 25000000 ? "yes" : "no");
    /* BOOTTIME >= MONOTONIC; MONOTONIC_RAW close to MONOTONIC over a short interval */
    struct timespec m0, r0, m1, r1, bt;
    clock_gettime(CLOCK_MONOTONIC, &m0);
    clock_gettime(CLOCK_MONOTONIC_RAW, &r0);
    clock_gettime(CLOCK_BOOTTIME, &bt);
    usleep(100000);
    clock_gettime(CLOCK_MONOTONIC, &m1);
    clock_gettime(CLOCK_MONOTONIC_RAW, &r1);
    printf("BOOTTIME >= MONOTONIC: %s\n", ns(bt) >= ns(m0) ? "yes" : "no");
    long long dm = ns(m1) - ns(m0), dr = ns(r1) - ns(r0);
    printf("100ms sleep seen by MONOTONIC: %s, RAW agrees within 5ms: %s\n", dm >= 100000000 && dm < 1000000000 ? "yes" : "no",
           llabs(dm - dr) < 5000000 ? "yes" : "no");
    /* REALTIME, gettimeofday and time() agree */
    struct timespec rt;
    struct timeval tv;
    clock_gettime(CLOCK_REALTIME, &rt);
    gettimeofday(&tv, NULL);
    time_t t = time(NULL);
    long long dtv = (long long)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL - ns(rt);
    printf("gettimeofday - REALTIME in [0, 50ms): %s\n", dtv >= -1000 && dtv < 50000000 ? "yes" : "no");
    printf("time() is REALTIME seconds: %s\n", t == rt.tv_sec || t == rt.tv_sec + 1 ? "yes" : "no");
    struct timeval stv;
    syscall(SYS_gettimeofday, &stv, NULL);
    time_t st;
    long sr = syscall(SYS_time, &st);
    printf("raw gettimeofday/time agree: %s %s\n", stv.tv_sec - rt.tv_sec <= 1 ? "yes" : "no", sr == st && st - rt.tv_sec <= 1 ? "yes" : "no");
    struct timezone tz = {-1, -1};
    SHOW("gettimeofday with tz", syscall(SYS_gettimeofday, &stv, &tz));
    printf("tz: %d %d\n", tz.tz_minuteswest, tz.tz_dsttime);
    SHOW("gettimeofday NULL NULL", syscall(SYS_gettimeofday, NULL, NULL));
    SHOW("gettimeofday bad tv", syscall(SYS_gettimeofday, BADPTR, NULL));
    SHOW("gettimeofday bad tz", syscall(SYS_gettimeofday, &stv, BADPTR));
    SHOW("time bad pointer", syscall(SYS_time, BADPTR));
    SHOW("time NULL > 1.7e9", syscall(SYS_time, NULL) > 1700000000L ? 0 : -1);
    /* settimeofday/clock_settime argument checks (no change is made) */
    struct timespec bad = {0, 1000000000};
    SHOW("clock_settime bad nsec", clock_settime(CLOCK_REALTIME, &bad));
    SHOW("clock_settime MONOTONIC", clock_settime(CLOCK_MONOTONIC, &rt));
    SHOW("clock_settime bad clock", clock_settime(99, &rt));
    struct timeval btv = {0, 1000000};
    SHOW("settimeofday bad usec", syscall(SYS_settimeofday, &btv, NULL));
    /* (settimeofday(NULL, NULL) needs CAP_SYS_TIME: su_priv_args) */
    return 0;
}
