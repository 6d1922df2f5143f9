// time(), gettimeofday(), times(), getrusage() and the CPU-time clocks, each
// compared with another source over the same interval: time() and gettimeofday()
// (libc and raw syscall) with CLOCK_REALTIME read around them; times()'s return
// value with CLOCK_MONOTONIC; the caller's CPU time from times(), getrusage(SELF),
// CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID with each other (and not above
// the wall time) across a 300 ms busy loop; a child's CPU time from its own clock,
// wait4's rusage, getrusage(CHILDREN) and times()'s cutime+cstime (their growth). Only pass/fail
// facts are printed.
#include "common.h"
#include <sys/times.h>

static long long tv_us(const struct timeval *tv) { return tv->tv_sec * 1000000LL + tv->tv_usec; }
static long long ru_us(const struct rusage *r) { return tv_us(&r->ru_utime) + tv_us(&r->ru_stime); }
static long long ms(long long ns) { return ns / 1000000; }

/* Busy user-mode work until this process has used `ns` more CPU time (bounded:
 * 20 s of wall time). */
static void burn(long long ns)
{
    static volatile unsigned long x;
    long long c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
    while (now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0 < ns && now_ns(CLOCK_MONOTONIC) - w0 < 20000000000LL)
        for (int i = 0; i < 20000; i++)
            x = x * 3 + (unsigned long)i;
}

#define NEAR(label, a, b, tol) YN(label, (a) - (b) <= (tol) && (b) - (a) <= (tol))

int main(void)
{
    long hz = sysconf(_SC_CLK_TCK);
    printf("sysconf CLK_TCK: %ld\n", hz);

    /* wall-clock seconds and microseconds vs CLOCK_REALTIME around them (time() may
     * lag by a tick: it reads the coarse clock) */
    struct timespec r0, r1;
    struct timeval tv, rtv;
    time_t raw_out = 0;
    clock_gettime(CLOCK_REALTIME, &r0);
    time_t t_libc = time(NULL);
    long t_raw = syscall(SYS_time, &raw_out);
    gettimeofday(&tv, NULL);
    long g = syscall(SYS_gettimeofday, &rtv, NULL);
    clock_gettime(CLOCK_REALTIME, &r1);
    YN("time() within CLOCK_REALTIME's seconds", t_libc >= r0.tv_sec - 1 && t_libc <= r1.tv_sec);
    YN("raw time() within CLOCK_REALTIME's seconds", t_raw >= r0.tv_sec - 1 && t_raw <= r1.tv_sec);
    YN("raw time() stores what it returns", raw_out == t_raw);
    long long lo = (r0.tv_sec * 1000000000LL + r0.tv_nsec) / 1000;
    long long hi = (r1.tv_sec * 1000000000LL + r1.tv_nsec) / 1000;
    YN("gettimeofday within CLOCK_REALTIME", tv.tv_usec >= 0 && tv.tv_usec < 1000000 && tv_us(&tv) >= lo && tv_us(&tv) <= hi);
    YN("raw gettimeofday within CLOCK_REALTIME", g == 0 && rtv.tv_usec >= 0 && rtv.tv_usec < 1000000 &&
       tv_us(&rtv) >= lo && tv_us(&rtv) <= hi);

    /* the caller's CPU time over a busy loop, from four interfaces */
    struct tms t0, t1;
    struct rusage u0, u1;
    errno = 0;
    long long w0 = now_ns(CLOCK_MONOTONIC);
    clock_t c0 = times(&t0);
    getrusage(RUSAGE_SELF, &u0);
    long long p0 = now_ns(CLOCK_PROCESS_CPUTIME_ID), th0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    burn(300000000LL);
    long long p1 = now_ns(CLOCK_PROCESS_CPUTIME_ID), th1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    getrusage(RUSAGE_SELF, &u1);
    clock_t c1 = times(&t1);
    long long w1 = now_ns(CLOCK_MONOTONIC);
    YN("times() returned non-error", c0 != (clock_t)-1 && c1 != (clock_t)-1);
    SHOW("times(NULL)", times(NULL) != (clock_t)-1 ? 0 : -1);
    /* times()'s value counts clock ticks: as many as CLOCK_MONOTONIC saw (+-2) */
    NEAR("times() advanced with CLOCK_MONOTONIC", (long long)(c1 - c0), ms(w1 - w0) * hz / 1000, 2);
    long long dcpu = ms(p1 - p0);
    YN("CLOCK_PROCESS_CPUTIME_ID counted the loop (>= 300 ms)", dcpu >= 300);
    YN("CPU time not above the wall time", dcpu <= ms(w1 - w0) + 2);
    NEAR("CLOCK_THREAD_CPUTIME_ID agrees (single thread)", ms(th1 - th0), dcpu, 15);
    NEAR("getrusage(SELF) agrees", (ru_us(&u1) - ru_us(&u0)) / 1000, dcpu, 15);
    NEAR("times() utime+stime agree",
         (long long)(t1.tms_utime + t1.tms_stime - t0.tms_utime - t0.tms_stime) * 1000 / hz, dcpu, 25);

    /* a child's CPU time: its own clock (sent through a pipe) vs what the parent gets */
    /* (as deltas: what our runner reaped before it exec'd us counts here too) */
    struct tms tb;
    struct rusage cb;
    times(&tb);
    MUST(getrusage(RUSAGE_CHILDREN, &cb));
    int pp[2];
    MUST(pipe(pp));
    pid_t p = fork();
    MUST(p);
    if (p == 0) {
        burn(200000000LL);
        long long mine = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        (void)!write(pp[1], &mine, sizeof mine);
        _exit(0);
    }
    long long child = 0;
    MUST(read(pp[0], &child, sizeof child));
    struct rusage wr, cr;
    int st;
    MUST(wait4(p, &st, 0, &wr));
    MUST(getrusage(RUSAGE_CHILDREN, &cr));
    struct tms t2;
    times(&t2);
    /* the child ran a little after its last reading (write, exit): 0..30 ms more */
    long long wms = ru_us(&wr) / 1000, cms = (ru_us(&cr) - ru_us(&cb)) / 1000;
    long long tms = (long long)(t2.tms_cutime + t2.tms_cstime - tb.tms_cutime - tb.tms_cstime) * 1000 / hz;
    YN("wait4 rusage covers the child's own clock", wms >= ms(child) - 5 && wms <= ms(child) + 30);
    YN("getrusage(CHILDREN) covers the child's own clock", cms >= ms(child) - 5 && cms <= ms(child) + 30);
    YN("times() cutime+cstime cover the child's own clock", tms >= ms(child) - 15 && tms <= ms(child) + 30);

    struct rusage ru;
    SHOW("getrusage SELF", getrusage(RUSAGE_SELF, &ru));
    YN("maxrss > 0", ru.ru_maxrss > 0);
    SHOW("getrusage CHILDREN", getrusage(RUSAGE_CHILDREN, &ru));
    SHOW("getrusage THREAD", getrusage(RUSAGE_THREAD, &ru));
    SHOW("getrusage invalid", getrusage(42, &ru));
    SHOW("getrusage bad ptr", syscall(SYS_getrusage, RUSAGE_SELF, BADPTR));
    /* gmtime of a fixed time (libc, no kernel involved) */
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
