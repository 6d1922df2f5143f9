/* Extreme timeout arguments: tv_sec near INT64_MAX, a tv_sec whose nanoseconds wrap a 64-bit
 * multiplication to 0.29 s (18446744074 s), negative tv_nsec / tv_usec, tv_nsec = 1e9, a
 * negative tv_sec, in ppoll, pselect6, select, poll, futex (WAIT relative, WAIT_BITSET
 * absolute), nanosleep, clock_nanosleep (relative and TIMER_ABSTIME), timer_settime,
 * setitimer and rt_sigtimedwait. Linux: a huge valid timeout means "practically forever"
 * (saturated, never wrapped); an invalid one is EINVAL before anything else is looked at.
 * Calls that must block are ended by a periodic SIGALRM (a handler without SA_RESTART:
 * EINTR); a periodic timer, so that a signal sent before the call blocked cannot leave it
 * blocked. For the "wrap" cases the period (400 ms) is longer than the wrapped timeout, so
 * a kernel that wraps returns 0 (timed out) instead of EINTR. */
#include "common.h"
#include <linux/futex.h>

#define WRAP_SEC 18446744074LL /* * 1e9 = 2^64 + 290448384 */
#define NS_1E9 1000000000L

static volatile sig_atomic_t alarms;
static void on_alrm(int s)
{
    (void)s;
    alarms++;
}

static void arm_ms(long ms)
{
    struct itimerval it = {{ms / 1000, (ms % 1000) * 1000}, {ms / 1000, (ms % 1000) * 1000}};
    MUST(setitimer(ITIMER_REAL, &it, NULL));
}
static void disarm(void)
{
    struct itimerval it = {{0, 0}, {0, 0}};
    MUST(setitimer(ITIMER_REAL, &it, NULL));
}

/* Print "label: result" for a raw syscall result, after stopping the alarm. */
static void report(const char *label, long r, int e)
{
    disarm();
    if (r == -1)
        printf("%s: -1 %s\n", label, en(e));
    else
        printf("%s: %ld\n", label, r);
}

#define CALL(label, ms, expr)                                                  \
    do {                                                                       \
        arm_ms(ms);                                                            \
        errno = 0;                                                             \
        long _r = (long)(expr);                                                \
        int _e = errno;                                                        \
        report(label, _r, _e);                                                 \
    } while (0)

struct tcase {
    const char *name;
    long long sec;
    long nsec;
    long ms; /* alarm period */
};

static const struct tcase cases[] = {
    {"huge", INT64_MAX, 999999999L, 20},
    {"ktime-sec-max", 9223372037LL, 0, 20},
    {"wrap", WRAP_SEC, 0, 400},
    {"nsec=-1", 0, -1, 20},
    {"nsec=1e9", 0, NS_1E9, 20},
    {"sec=-1", -1, 0, 20},
    {"sec=min", INT64_MIN, 0, 20},
};
#define NCASES (sizeof cases / sizeof cases[0])

static struct timespec ts_of(const struct tcase *c)
{
    struct timespec t;
    t.tv_sec = (time_t)c->sec;
    t.tv_nsec = c->nsec;
    return t;
}

static void t_ppoll(int rfd)
{
    char l[96];
    for (size_t i = 0; i < NCASES; i++) {
        struct pollfd p = {rfd, POLLIN, 0};
        struct timespec t = ts_of(&cases[i]);
        snprintf(l, sizeof l, "ppoll %s", cases[i].name);
        CALL(l, cases[i].ms, syscall(SYS_ppoll, &p, 1, &t, NULL, 8));
        if (i == 0)
            YN("ppoll huge: time left written back is huge", t.tv_sec > 4000000000000000000LL);
    }
    struct pollfd p = {rfd, POLLIN, 0};
    struct timespec z = {0, 0};
    CALL("ppoll zero", 20, syscall(SYS_ppoll, &p, 1, &z, NULL, 8));
}

static void t_pselect6(int rfd)
{
    char l[96];
    for (size_t i = 0; i < NCASES; i++) {
        fd_set r;
        FD_ZERO(&r);
        FD_SET(rfd, &r);
        struct timespec t = ts_of(&cases[i]);
        snprintf(l, sizeof l, "pselect6 %s", cases[i].name);
        CALL(l, cases[i].ms, syscall(SYS_pselect6, rfd + 1, &r, NULL, NULL, &t, NULL));
        if (i == 0)
            YN("pselect6 huge: time left written back is huge", t.tv_sec > 4000000000000000000LL);
    }
}

static void t_select(int rfd)
{
    static const struct {
        const char *name;
        long long sec;
        long usec;
        long ms;
    } v[] = {
        {"huge", INT64_MAX, 999999, 20},
        {"wrap", WRAP_SEC, 0, 400},
        {"usec=-1", 0, -1, 20},
        {"usec=1e6 (carried)", 0, 1000000, 20},
        {"usec=2.5e6 (carried)", 0, 2500000, 20},
        {"sec=max usec=1e6 (wraps)", INT64_MAX, 1000000, 20},
        {"sec=-1", -1, 0, 20},
    };
    char l[96];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        fd_set r;
        FD_ZERO(&r);
        FD_SET(rfd, &r);
        struct timeval t;
        t.tv_sec = (time_t)v[i].sec;
        t.tv_usec = v[i].usec;
        snprintf(l, sizeof l, "select %s", v[i].name);
        CALL(l, v[i].ms, syscall(SYS_select, rfd + 1, &r, NULL, NULL, &t));
        if (i == 0)
            YN("select huge: time left written back is huge", t.tv_sec > 4000000000000000000LL);
    }
}

static void t_poll(int rfd)
{
    struct pollfd p = {rfd, POLLIN, 0};
    CALL("poll INT_MAX ms", 20, poll(&p, 1, INT_MAX));
    CALL("poll -5 ms (forever)", 20, poll(&p, 1, -5));
    CALL("poll INT_MIN ms (forever)", 20, poll(&p, 1, INT_MIN));
}

static int fword;

static void t_futex(void)
{
    char l[96];
    for (size_t i = 0; i < NCASES; i++) {
        struct timespec t = ts_of(&cases[i]);
        snprintf(l, sizeof l, "futex WAIT %s", cases[i].name);
        CALL(l, cases[i].ms, syscall(SYS_futex, &fword, FUTEX_WAIT_PRIVATE, 0, &t, NULL, 0));
        /* the timeout is checked before the value */
        snprintf(l, sizeof l, "futex WAIT %s, value differs", cases[i].name);
        CALL(l, cases[i].ms, syscall(SYS_futex, &fword, FUTEX_WAIT_PRIVATE, 1, &t, NULL, 0));
    }
    for (size_t i = 0; i < NCASES; i++) {
        struct timespec t = ts_of(&cases[i]);
        snprintf(l, sizeof l, "futex WAIT_BITSET abs monotonic %s", cases[i].name);
        CALL(l, cases[i].ms,
             syscall(SYS_futex, &fword, FUTEX_WAIT_BITSET_PRIVATE, 0, &t, NULL, ~0U));
        snprintf(l, sizeof l, "futex WAIT_BITSET abs realtime %s", cases[i].name);
        CALL(l, cases[i].ms,
             syscall(SYS_futex, &fword, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &t,
                     NULL, ~0U));
    }
    struct timespec z = {0, 0};
    CALL("futex WAIT_BITSET abs 0 (past)", 20,
         syscall(SYS_futex, &fword, FUTEX_WAIT_BITSET_PRIVATE, 0, &z, NULL, ~0U));
    CALL("futex WAIT zero", 20, syscall(SYS_futex, &fword, FUTEX_WAIT_PRIVATE, 0, &z, NULL, 0));
}

static void t_sleeps(void)
{
    char l[96];
    for (size_t i = 0; i < NCASES; i++) {
        struct timespec t = ts_of(&cases[i]), rem = {-1, -1};
        snprintf(l, sizeof l, "nanosleep %s", cases[i].name);
        CALL(l, cases[i].ms, syscall(SYS_nanosleep, &t, &rem));
        if (i == 0)
            YN("nanosleep huge: rem > 9e9 s", rem.tv_sec > 9000000000LL);
    }
    static const int clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME};
    static const char *const cname[] = {"MONOTONIC", "REALTIME", "BOOTTIME"};
    for (int c = 0; c < 3; c++)
        for (int abs = 0; abs < 2; abs++)
            for (size_t i = 0; i < NCASES; i++) {
                struct timespec t = ts_of(&cases[i]), rem = {-1, -1};
                snprintf(l, sizeof l, "clock_nanosleep %s %s %s", cname[c],
                         abs ? "abs" : "rel", cases[i].name);
                CALL(l, cases[i].ms,
                     syscall(SYS_clock_nanosleep, clocks[c], abs ? TIMER_ABSTIME : 0, &t, &rem));
                if (i == 0 && !abs)
                    YN("  rem > 9e9 s", rem.tv_sec > 9000000000LL);
            }
    struct timespec z = {0, 0};
    CALL("clock_nanosleep abs 0 (past)", 20,
         syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &z, NULL));
}

static void t_timer_settime(void)
{
    timer_t tm;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_NONE;
    MUST(timer_create(CLOCK_MONOTONIC, &ev, &tm));
    char l[96];
    for (int abs = 0; abs < 2; abs++)
        for (size_t i = 0; i < NCASES; i++) {
            struct itimerspec its = {ts_of(&cases[i]), ts_of(&cases[i])}, cur;
            snprintf(l, sizeof l, "timer_settime %s %s", abs ? "abs" : "rel", cases[i].name);
            SHOW(l, timer_settime(tm, abs ? TIMER_ABSTIME : 0, &its, NULL));
            if (timer_gettime(tm, &cur) == 0 && (i == 0 || i == 2))
                printf("  armed: %s, value > 9e9 s: %s, interval %lld.%09ld\n",
                       cur.it_value.tv_sec || cur.it_value.tv_nsec ? "yes" : "no",
                       cur.it_value.tv_sec > 9000000000LL ? "yes" : "no",
                       (long long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
            /* an invalid interval is EINVAL even with a valid value */
            struct itimerspec bad = {ts_of(&cases[i]), {1, 0}};
            snprintf(l, sizeof l, "timer_settime %s interval %s", abs ? "abs" : "rel",
                     cases[i].name);
            SHOW(l, timer_settime(tm, abs ? TIMER_ABSTIME : 0, &bad, NULL));
        }
    MUST(timer_delete(tm));
}

static void t_setitimer(void)
{
    static const struct {
        const char *name;
        long long sec;
        long usec;
    } v[] = {
        {"huge", INT64_MAX, 999999},
        {"wrap", WRAP_SEC, 0},
        {"usec=-1", 0, -1},
        {"usec=1e6", 0, 1000000},
        {"sec=-1", -1, 0},
    };
    static const int which[] = {ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF};
    static const char *const wname[] = {"REAL", "VIRTUAL", "PROF"};
    char l[96];
    for (int w = 0; w < 3; w++)
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            struct itimerval it, cur;
            it.it_value.tv_sec = (time_t)v[i].sec;
            it.it_value.tv_usec = v[i].usec;
            it.it_interval = it.it_value;
            snprintf(l, sizeof l, "setitimer %s %s", wname[w], v[i].name);
            SHOW(l, setitimer(which[w], &it, NULL));
            /* (Linux's ITIMER_VIRTUAL/PROF read back a huge value wrapped negative) */
            if (which[w] == ITIMER_REAL && getitimer(which[w], &cur) == 0 && (i == 0 || i == 1))
                printf("  value > 9e9 s: %s%s\n", cur.it_value.tv_sec > 9000000000LL ? "yes" : "no",
                       i == 0
                           ? (cur.it_interval.tv_sec == 9223372036LL &&
                                      cur.it_interval.tv_usec == 854775
                                  ? ", interval KTIME_MAX"
                                  : ", interval other")
                           : "");
            struct itimerval off = {{0, 0}, {0, 0}};
            MUST(setitimer(which[w], &off, NULL));
            /* an invalid interval with a valid value */
            it.it_value.tv_sec = 100;
            it.it_value.tv_usec = 0;
            snprintf(l, sizeof l, "setitimer %s interval %s", wname[w], v[i].name);
            SHOW(l, setitimer(which[w], &it, NULL));
            MUST(setitimer(which[w], &off, NULL));
        }
}

static void t_sigtimedwait(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    MUST(sigprocmask(SIG_BLOCK, &set, NULL));
    char l[96];
    for (size_t i = 0; i < NCASES; i++) {
        struct timespec t = ts_of(&cases[i]);
        snprintf(l, sizeof l, "rt_sigtimedwait %s", cases[i].name);
        CALL(l, cases[i].ms, syscall(SYS_rt_sigtimedwait, &set, NULL, &t, 8));
    }
    struct timespec z = {0, 0};
    CALL("rt_sigtimedwait zero", 20, syscall(SYS_rt_sigtimedwait, &set, NULL, &z, 8));
    /* an invalid timeout is EINVAL even with the signal pending */
    MUST(kill(getpid(), SIGUSR1));
    for (size_t i = 3; i < NCASES; i++) {
        struct timespec t = ts_of(&cases[i]);
        snprintf(l, sizeof l, "rt_sigtimedwait %s, signal pending", cases[i].name);
        CALL(l, cases[i].ms, syscall(SYS_rt_sigtimedwait, &set, NULL, &t, 8));
    }
    struct timespec h = ts_of(&cases[0]);
    CALL("rt_sigtimedwait huge, signal pending", 20,
         syscall(SYS_rt_sigtimedwait, &set, NULL, &h, 8));
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    MUST(sigaction(SIGALRM, &sa, NULL));
    int p[2];
    MUST(pipe(p));
    t_ppoll(p[0]);
    t_pselect6(p[0]);
    t_select(p[0]);
    t_poll(p[0]);
    t_futex();
    t_sleeps();
    t_timer_settime();
    t_setitimer();
    t_sigtimedwait();
    YN("alarms were delivered", alarms > 0);
    return 0;
}
