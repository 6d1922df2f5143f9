// setitimer/getitimer: ITIMER_REAL one-shot and periodic, old values, VIRTUAL/PROF, errors.
#include "common.h"

static volatile int alrm, vt, prof;
static void h(int s)
{
    if (s == SIGALRM)
        alrm++;
    else if (s == SIGVTALRM)
        vt++;
    else if (s == SIGPROF)
        prof++;
}
static long long tv_us(struct timeval t) { return t.tv_sec * 1000000LL + t.tv_usec; }

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGVTALRM, &sa, NULL);
    sigaction(SIGPROF, &sa, NULL);
    struct itimerval cur, old;
    SHOW("getitimer REAL unarmed", getitimer(ITIMER_REAL, &cur));
    printf("unarmed: %lld %lld\n", tv_us(cur.it_value), tv_us(cur.it_interval));
    struct itimerval one = {{0, 0}, {5, 0}};
    SHOW("arm 5s", setitimer(ITIMER_REAL, &one, &old));
    printf("old was zero: %s\n", tv_us(old.it_value) == 0 ? "yes" : "no");
    getitimer(ITIMER_REAL, &cur);
    printf("remaining in (4.5s, 5s]: %s, interval 0: %s\n", tv_us(cur.it_value) > 4500000 && tv_us(cur.it_value) <= 5000000 ? "yes" : "no",
           tv_us(cur.it_interval) == 0 ? "yes" : "no");
    struct itimerval per = {{0, 20000}, {0, 20000}};
    SHOW("rearm periodic 20ms", setitimer(ITIMER_REAL, &per, &old));
    printf("old value about 5s: %s\n", tv_us(old.it_value) > 4500000 ? "yes" : "no");
    while (alrm < 5)
        pause();
    getitimer(ITIMER_REAL, &cur);
    printf("periodic fired 5 times, still armed: %s, interval 20ms: %s\n", tv_us(cur.it_value) > 0 ? "yes" : "no",
           tv_us(cur.it_interval) == 20000 ? "yes" : "no");
    struct itimerval zero = {{0, 0}, {0, 0}};
    SHOW("disarm", setitimer(ITIMER_REAL, &zero, &old));
    printf("old interval 20ms: %s\n", tv_us(old.it_interval) == 20000 ? "yes" : "no");
    int n = alrm;
    usleep(100000);
    printf("no more signals after disarm: %s\n", alrm == n ? "yes" : "no");
    /* value 0 with an interval: disarmed */
    struct itimerval onlyint = {{1, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &onlyint, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("interval without value: disarmed %s\n", tv_us(cur.it_value) == 0 ? "yes" : "no");
    /* tiny value rounds up to a tick, still fires */
    struct itimerval tiny = {{0, 0}, {0, 1}};
    n = alrm;
    /* (SIGALRM blocked until sigsuspend: a signal between the check and pause() would leave
     * pause() waiting forever) */
    sigset_t blk, unblk;
    sigemptyset(&blk);
    sigaddset(&blk, SIGALRM);
    sigprocmask(SIG_BLOCK, &blk, &unblk);
    setitimer(ITIMER_REAL, &tiny, NULL);
    while (alrm == n)
        sigsuspend(&unblk);
    sigprocmask(SIG_SETMASK, &unblk, NULL);
    printf("1us timer fired: yes\n");
    /* errors */
    struct itimerval bad = {{0, 0}, {0, 1000000}};
    SHOW("usec 1e6", setitimer(ITIMER_REAL, &bad, NULL));
    bad.it_value.tv_usec = -1;
    SHOW("usec -1", setitimer(ITIMER_REAL, &bad, NULL));
    SHOW("which 3", setitimer(3, &one, NULL));
    SHOW("getitimer which -1", getitimer(-1, &cur));
    SHOW("getitimer bad ptr", syscall(SYS_getitimer, ITIMER_REAL, BADPTR));
    SHOW("setitimer bad new", syscall(SYS_setitimer, ITIMER_REAL, BADPTR, NULL));
    SHOW("setitimer NULL new", syscall(SYS_setitimer, ITIMER_REAL, NULL, &old));
    /* ITIMER_VIRTUAL and ITIMER_PROF count CPU time */
    struct itimerval v = {{0, 0}, {0, 50000}};
    SHOW("arm VIRTUAL 50ms", setitimer(ITIMER_VIRTUAL, &v, NULL));
    SHOW("arm PROF 50ms", setitimer(ITIMER_PROF, &v, NULL));
    getitimer(ITIMER_VIRTUAL, &cur);
    printf("VIRTUAL armed: %s\n", tv_us(cur.it_value) > 0 ? "yes" : "no");
    /* sleeping does not consume CPU time */
    usleep(150000);
    printf("after 150ms sleep: vt %d prof %d\n", vt, prof);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    volatile unsigned long x = 0;
    while ((vt == 0 || prof == 0) && now_ns(CLOCK_MONOTONIC) - t0 < 5000000000LL)
        x++;
    printf("after burning: vt %d prof %d\n", vt, prof);
    getitimer(ITIMER_VIRTUAL, &cur);
    printf("one-shot VIRTUAL disarmed: %s\n", tv_us(cur.it_value) == 0 ? "yes" : "no");
    /* timers are not inherited by fork */
    setitimer(ITIMER_REAL, &one, NULL);
    pid_t c = fork();
    if (c == 0) {
        struct itimerval cc;
        getitimer(ITIMER_REAL, &cc);
        _exit(tv_us(cc.it_value) == 0 ? 0 : 1);
    }
    wait_show("child has no timer", c);
    setitimer(ITIMER_REAL, &zero, NULL);
    return 0;
}
