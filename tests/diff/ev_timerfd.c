/* timerfd: create, relative and absolute settime, intervals, gettime, read. */
#include "ev_common.h"

static long long ms_between(struct timespec a, struct timespec b)
{
    return (b.tv_sec - a.tv_sec) * 1000LL + (b.tv_nsec - a.tv_nsec) / 1000000;
}

int main(void)
{
    SHOW("bad clock", timerfd_create(99, 0));
    SHOW("CLOCK_PROCESS_CPUTIME_ID", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    SHOW("bad flags", timerfd_create(CLOCK_MONOTONIC, 1));
    SHOWOK("boottime", timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC));
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    uint64_t n;
    struct itimerspec cur, old;
    SHOW("read disarmed", read(t, &n, 8));
    SHOW("gettime", timerfd_gettime(t, &cur));
    printf("disarmed: %ld %ld %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec,
           (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
    struct itimerspec bad = {.it_value = {0, 1000000000}};
    SHOW("settime bad nsec", timerfd_settime(t, 0, &bad, NULL));
    struct itimerspec neg = {.it_value = {-1, 0}};
    SHOW("settime negative", timerfd_settime(t, 0, &neg, NULL));
    struct itimerspec one = {.it_value = {0, 150000000}};
    SHOW("settime bad flags", timerfd_settime(t, 4, &one, NULL));
    SHOW("settime bad fd", timerfd_settime(999, 0, &one, NULL));
    SHOW("settime bad fd, bad flags", timerfd_settime(999, 4, &one, NULL));
    SHOW("settime non-timerfd", timerfd_settime(0, 0, &one, NULL));
    SHOW("settime bad ptr", timerfd_settime(t, 0, BADPTR, NULL));
    SHOW("gettime non-timerfd", timerfd_gettime(0, &cur));
    SHOW("gettime bad ptr", timerfd_gettime(t, BADPTR));
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    SHOW("settime 150ms", timerfd_settime(t, 0, &one, &old));
    printf("old disarmed: %d\n", old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0);
    SHOW("read early", read(t, &n, 8));
    timerfd_gettime(t, &cur);
    printf("remaining in (0, 150ms]: %d\n",
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 150000000);
    struct pollfd pf = {.fd = t, .events = POLLIN};
    SHOW("poll until expiry", poll(&pf, 1, 5000));
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("revents %#x, waited >= 140ms: %d\n", pf.revents, ms_between(a, b) >= 140);
    SHOW("read 4 bytes", read(t, &n, 4));
    SHOW("read", read(t, &n, 8));
    printf("expirations %llu\n", (unsigned long long)n);
    SHOW("read again", read(t, &n, 8));
    timerfd_gettime(t, &cur);
    printf("one-shot done: %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);

    /* interval: 50 ms; after ~275 ms at least 5 expirations accumulated */
    struct itimerspec iv = {.it_value = {0, 50000000}, .it_interval = {0, 50000000}};
    SHOW("settime interval", timerfd_settime(t, 0, &iv, NULL));
    usleep(275000);
    SHOW("read", read(t, &n, 8));
    printf("5 or more: %d (fewer than 9: %d)\n", n >= 5, n < 9);
    timerfd_gettime(t, &cur);
    printf("interval kept: %ld %ld, value <= 50ms: %d\n", (long)cur.it_interval.tv_sec,
           cur.it_interval.tv_nsec, cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 50000000);
    /* disarm, returning the old setting */
    struct itimerspec zero = {0};
    SHOW("disarm", timerfd_settime(t, 0, &zero, &old));
    printf("old interval %ld\n", old.it_interval.tv_nsec);
    SHOW("read disarmed", read(t, &n, 8));

    /* absolute, in the past: due at once */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct itimerspec past = {.it_value = {now.tv_sec - 1, now.tv_nsec}};
    SHOW("abs past", timerfd_settime(t, TFD_TIMER_ABSTIME, &past, NULL));
    SHOW("read", read(t, &n, 8));
    printf("expirations %llu\n", (unsigned long long)n);
    /* absolute past with an interval: the missed periods are counted */
    struct itimerspec pastiv = {.it_value = {now.tv_sec - 1, now.tv_nsec}, .it_interval = {0, 300000000}};
    SHOW("abs past interval", timerfd_settime(t, TFD_TIMER_ABSTIME, &pastiv, NULL));
    SHOW("read", read(t, &n, 8));
    printf("expirations 4 or 5: %d\n", n == 4 || n == 5);
    timerfd_settime(t, 0, &zero, NULL);

    /* CLOCK_REALTIME absolute, blocking read */
    int r = timerfd_create(CLOCK_REALTIME, 0);
    clock_gettime(CLOCK_REALTIME, &now);
    now.tv_nsec += 100000000;
    if (now.tv_nsec >= 1000000000) {
        now.tv_sec++;
        now.tv_nsec -= 1000000000;
    }
    struct itimerspec abs = {.it_value = now};
    SHOW("realtime abs", timerfd_settime(r, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &abs, NULL));
    clock_gettime(CLOCK_MONOTONIC, &a);
    SHOW("blocking read", read(r, &n, 8));
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("expirations %llu, waited >= 80ms: %d\n", (unsigned long long)n, ms_between(a, b) >= 80);
    SHOW("write", write(r, &n, 8));
    /* re-arming resets the count */
    struct itimerspec tiny = {.it_value = {0, 1000}};
    timerfd_settime(t, 0, &tiny, NULL);
    usleep(20000);
    timerfd_settime(t, 0, &zero, NULL);
    SHOW("re-armed: count reset", read(t, &n, 8));
    return 0;
}
