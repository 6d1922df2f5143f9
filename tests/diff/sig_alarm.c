// alarm/setitimer/getitimer deliver SIGALRM.
#include "common.h"

static volatile int hits;
static void h(int s) { (void)s; hits++; }

int main(void)
{
    signal(SIGALRM, h);
    SHOW("alarm(10) first", alarm(10));
    SHOW("alarm(5) returns remaining", alarm(5));
    SHOW("alarm(0) cancels, returns remaining", alarm(0));
    SHOW("alarm(0) again", alarm(0));
    /* alarm(1) delivers within ~1s */
    long long t0 = now_ns(CLOCK_MONOTONIC);
    alarm(1);
    while (!hits)
        pause();
    long long dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("alarm(1) fired: %d, after >= 1s: %s, < 3s: %s\n", hits, dt >= 1000000000LL ? "yes" : "no",
           dt < 3000000000LL ? "yes" : "no");
    /* setitimer one-shot */
    hits = 0;
    struct itimerval it = {{0, 0}, {0, 50000}}, cur;
    /* (t0 before arming: the timer cannot expire less than 50 ms after it, however long
     * this process is kept off the CPU between the calls) */
    t0 = now_ns(CLOCK_MONOTONIC);
    SHOW("setitimer 50ms", setitimer(ITIMER_REAL, &it, NULL));
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer remaining <= 50ms: %s\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 50000 ? "yes" : "no");
    while (!hits)
        pause();
    dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("itimer fired: %d elapsed >= 40ms: %s\n", hits, dt >= 40000000LL ? "yes" : "no");
    getitimer(ITIMER_REAL, &cur);
    printf("disarmed after firing: %s\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0 ? "yes" : "no");
    /* periodic */
    hits = 0;
    struct itimerval per = {{0, 10000}, {0, 10000}};
    setitimer(ITIMER_REAL, &per, NULL);
    while (hits < 5)
        pause();
    struct itimerval off = {{0, 0}, {0, 0}}, prev;
    setitimer(ITIMER_REAL, &off, &prev);
    printf("periodic fired >= 5: yes, interval kept: %s\n", prev.it_interval.tv_usec == 10000 ? "yes" : "no");
    SHOW("setitimer bad which", setitimer(42, &it, NULL));
    struct itimerval bad = {{0, 0}, {0, 2000000}};
    SHOW("setitimer bad usec", setitimer(ITIMER_REAL, &bad, NULL));
    /* alarm is not inherited by fork children */
    alarm(100);
    pid_t p = fork();
    if (p == 0) {
        _exit(alarm(0));
    }
    wait_show("child alarm remaining", p);
    alarm(0);
    /* default SIGALRM action kills */
    p = fork();
    if (p == 0) {
        signal(SIGALRM, SIG_DFL);
        struct itimerval q = {{0, 0}, {0, 10000}};
        setitimer(ITIMER_REAL, &q, NULL);
        for (;;)
            pause();
    }
    wait_show("default SIGALRM", p);
    return 0;
}
