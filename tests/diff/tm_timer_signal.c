// POSIX timers with SIGEV_SIGNAL: siginfo (SI_TIMER, value, overrun), relative/absolute, periodic, delete.
#include "common.h"

static volatile int hits, code, val, ovr;
static void h(int s, siginfo_t *si, void *uc)
{
    (void)s;
    (void)uc;
    hits++;
    code = si->si_code;
    val = si->si_value.sival_int;
    ovr = si->si_overrun;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    timer_t t;
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 1;
    ev.sigev_value.sival_int = 1234;
    SHOW("timer_create MONOTONIC", timer_create(CLOCK_MONOTONIC, &ev, &t));
    struct itimerspec its = {{0, 0}, {0, 50000000}}, cur, old;
    SHOW("gettime unarmed", timer_gettime(t, &cur));
    printf("unarmed value: %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    SHOW("settime relative 50ms", timer_settime(t, 0, &its, &old));
    printf("old value zero: %s\n", old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0 ? "yes" : "no");
    timer_gettime(t, &cur);
    printf("remaining in (0, 50ms]: %s\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 50000000 ? "yes" : "no");
    while (hits == 0)
        pause();
    long long d = now_ns(CLOCK_MONOTONIC) - t0;
    printf("fired after >= 50ms: %s; si_code SI_TIMER: %s; value %d; overrun %d\n", d >= 50000000 ? "yes" : "no",
           code == SI_TIMER ? "yes" : "no", val, ovr);
    timer_gettime(t, &cur);
    printf("one-shot disarmed: %s\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0 ? "yes" : "no");
    /* absolute on REALTIME via a second timer with SIGUSR1 */
    timer_t t2;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_value.sival_int = 77;
    SHOW("timer_create REALTIME", timer_create(CLOCK_REALTIME, &ev, &t2));
    struct itimerspec abs = {{0, 0}, {0, 0}};
    clock_gettime(CLOCK_REALTIME, &abs.it_value);
    abs.it_value.tv_nsec += 30000000;
    if (abs.it_value.tv_nsec >= 1000000000) {
        abs.it_value.tv_sec++;
        abs.it_value.tv_nsec -= 1000000000;
    }
    hits = 0;
    SHOW("settime absolute +30ms", timer_settime(t2, TIMER_ABSTIME, &abs, NULL));
    while (hits == 0)
        pause();
    printf("absolute fired: value %d\n", val);
    /* absolute time in the past fires at once */
    hits = 0;
    abs.it_value.tv_sec -= 100;
    SHOW("settime absolute past", timer_settime(t2, TIMER_ABSTIME, &abs, NULL));
    t0 = now_ns(CLOCK_MONOTONIC);
    while (hits == 0)
        pause();
    printf("past deadline fired immediately: %s\n", now_ns(CLOCK_MONOTONIC) - t0 < 50000000 ? "yes" : "no");
    /* periodic 10ms: count signals, then block the signal and read the overrun */
    struct itimerspec per = {{0, 10000000}, {0, 10000000}};
    hits = 0;
    SHOW("settime periodic 10ms", timer_settime(t, 0, &per, NULL));
    while (hits < 5)
        pause();
    printf("periodic fired 5 times: yes\n");
    sigset_t m, o;
    sigemptyset(&m);
    sigaddset(&m, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &m, &o);
    usleep(100000); /* ~10 expiries, one signal queued */
    timer_gettime(t, &cur);
    printf("still armed, interval 10ms: %s\n", cur.it_interval.tv_nsec == 10000000 && (cur.it_value.tv_nsec > 0 || cur.it_value.tv_sec > 0) ? "yes" : "no");
    int before = hits;
    sigprocmask(SIG_SETMASK, &o, NULL);
    printf("one queued signal delivered on unblock: %s, si_overrun >= 3: %s\n", hits == before + 1 || hits == before + 2 ? "yes" : "no", ovr >= 3 ? "yes" : "no");
    SHOW("getoverrun after delivery >= 0", timer_getoverrun(t) >= 0 ? 0 : -1);
    /* disarm with zero value; old value reports the interval */
    struct itimerspec zero = {{0, 0}, {0, 0}};
    SHOW("disarm", timer_settime(t, 0, &zero, &old));
    printf("old interval 10ms: %s\n", old.it_interval.tv_nsec == 10000000 ? "yes" : "no");
    before = hits;
    usleep(50000);
    printf("no signals after disarm: %s\n", hits == before ? "yes" : "no");
    SHOW("timer_delete", timer_delete(t));
    SHOW("timer_delete again", timer_delete(t));
    SHOW("gettime deleted", timer_gettime(t, &cur));
    SHOW("settime deleted", timer_settime(t, 0, &its, NULL));
    SHOW("getoverrun deleted", timer_getoverrun(t));
    SHOW("timer_delete t2", timer_delete(t2));
    /* deleting an armed periodic timer stops it */
    timer_t t3;
    ev.sigev_signo = SIGUSR1;
    timer_create(CLOCK_MONOTONIC, &ev, &t3);
    timer_settime(t3, 0, &per, NULL);
    usleep(30000);
    timer_delete(t3);
    before = hits;
    usleep(50000);
    printf("deleted armed timer silent: %s\n", hits == before ? "yes" : "no");
    return 0;
}
