// nanosleep: duration, remaining time after a handled signal, argument errors.
#include "common.h"

static void on_alrm(int s) { (void)s; }

int main(void)
{
    struct timespec req = {0, 50000000}, rem = {-1, -1};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    SHOW("nanosleep 50ms", nanosleep(&req, &rem));
    long long d = now_ns(CLOCK_MONOTONIC) - t0;
    printf("slept >= 50ms: %s, < 1s: %s, rem untouched: %s\n", d >= 50000000 ? "yes" : "no", d < 1000000000 ? "yes" : "no",
           rem.tv_sec == -1 ? "yes" : "no");
    req.tv_nsec = 0;
    SHOW("zero", nanosleep(&req, NULL));
    req.tv_nsec = 1;
    SHOW("1ns", nanosleep(&req, NULL));
    req.tv_nsec = 1000000000;
    SHOW("tv_nsec 1e9", syscall(SYS_nanosleep, &req, NULL));
    req.tv_nsec = -1;
    SHOW("tv_nsec -1", syscall(SYS_nanosleep, &req, NULL));
    req.tv_sec = -1;
    req.tv_nsec = 0;
    SHOW("tv_sec -1", syscall(SYS_nanosleep, &req, NULL));
    SHOW("bad req", syscall(SYS_nanosleep, BADPTR, NULL));
    SHOW("NULL req", syscall(SYS_nanosleep, NULL, NULL));
    /* interrupted by a handled signal: EINTR and the time left */
    struct sigaction sa = {0};
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 100000}};
    req.tv_sec = 2;
    req.tv_nsec = 0;
    t0 = now_ns(CLOCK_MONOTONIC); /* before arming: the signal comes >= 100 ms after it */
    setitimer(ITIMER_REAL, &it, NULL);
    long r = syscall(SYS_nanosleep, &req, &rem);
    int e = errno;
    d = now_ns(CLOCK_MONOTONIC) - t0;
    printf("interrupted: %s, after >= 100ms: %s, well before 2s: %s\n", r == -1 ? en(e) : "completed", d >= 100000000 ? "yes" : "no",
           d < 1500000000 ? "yes" : "no");
    long long left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
    /* The sleep began after t0 and was cut short before the clock read after it: rem lies
     * in [2 s - elapsed, 2 s) (1 ms for rounding), however late this process ran before or
     * after the call. */
    printf("rem plausible (2s - elapsed <= rem < 2s): %s, nsec range: %s\n",
           left >= 2000000000LL - d - 1000000 && left < 2000000000LL ? "yes" : "no",
           rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000 ? "yes" : "no");
    /* bad rem pointer: interrupted sleep reports EFAULT */
    setitimer(ITIMER_REAL, &it, NULL);
    r = syscall(SYS_nanosleep, &req, BADPTR);
    printf("interrupted with bad rem: %s\n", r == -1 ? en(errno) : "completed");
    /* SA_RESTART does not restart nanosleep */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    r = syscall(SYS_nanosleep, &req, &rem);
    printf("SA_RESTART handler: %s\n", r == -1 ? en(errno) : "completed");
    /* an ignored signal does not interrupt */
    signal(SIGALRM, SIG_IGN);
    setitimer(ITIMER_REAL, &it, NULL);
    req.tv_sec = 0;
    req.tv_nsec = 200000000;
    t0 = now_ns(CLOCK_MONOTONIC);
    r = syscall(SYS_nanosleep, &req, &rem);
    d = now_ns(CLOCK_MONOTONIC) - t0;
    printf("ignored signal: %s, full 200ms: %s\n", r == -1 ? en(errno) : "completed", d >= 200000000 ? "yes" : "no");
    return 0;
}
