// Timeouts and times at the top of their range: Linux saturates a huge poll/select timeout
// (it waits "forever", here on a ready pipe so it returns at once) and a huge itimer value
// (KTIME_MAX, not wrapped), and refuses to set the wall clock beyond TIME_SETTOD_SEC_MAX or before 0
// (EINVAL, checked before the permission). Arithmetic on these values must neither wrap nor
// overflow (a kernel built with overflow checks panics).
#include "common.h"

int main(void)
{
    int p[2];
    if (pipe(p) != 0 || write(p[1], "x", 1) != 1)
        return 1;

    struct pollfd pf = {p[0], POLLIN, 0};
    struct timespec huge = {LLONG_MAX, 999999999};
    SHOW("ppoll huge timeout, ready fd", syscall(SYS_ppoll, &pf, 1, &huge, NULL, 8));
    printf("revents POLLIN: %s\n", pf.revents == POLLIN ? "yes" : "no");

    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timespec huge2 = {LLONG_MAX, 999999999};
    SHOW("pselect6 huge timeout, ready fd", syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &huge2, NULL));
    printf("readable: %s\n", FD_ISSET(p[0], &r) ? "yes" : "no");

    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval huge_tv = {LLONG_MAX, 999999};
    SHOW("select huge timeout, ready fd", syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &huge_tv));
    printf("readable: %s\n", FD_ISSET(p[0], &r) ? "yes" : "no");

    struct itimerval big = {{0, 0}, {LLONG_MAX, 999999}}, zero = {{0, 0}, {0, 0}}, old;
    SHOW("setitimer REAL huge", setitimer(ITIMER_REAL, &big, NULL));
    SHOW("disarm REAL", setitimer(ITIMER_REAL, &zero, &old));
    // KTIME_MAX ns less the uptime: about 9.2e9 s
    printf("old value above 1e9 s: %s\n", old.it_value.tv_sec > 1000000000 ? "yes" : "no");
    struct itimerval big_iv = {{LLONG_MAX, 999999}, {LLONG_MAX, 999999}};
    SHOW("setitimer VIRTUAL huge", setitimer(ITIMER_VIRTUAL, &big_iv, NULL));
    SHOW("disarm VIRTUAL", setitimer(ITIMER_VIRTUAL, &zero, &old));
    // (not the old value: Linux adds the CPU time used to KTIME_MAX and wraps)
    printf("old interval above 1e9 s: %s\n", old.it_interval.tv_sec > 1000000000 ? "yes" : "no");

    // never a valid clock: EINVAL whoever asks, and nothing is set
    struct timespec far = {LLONG_MAX, 0}, settod_max = {8277292036LL, 0}, neg = {-1, 0};
    SHOW("clock_settime LLONG_MAX s", clock_settime(CLOCK_REALTIME, &far));
    SHOW("clock_settime TIME_SETTOD_SEC_MAX s", clock_settime(CLOCK_REALTIME, &settod_max));
    SHOW("clock_settime -1 s", clock_settime(CLOCK_REALTIME, &neg));
    struct timeval far_tv = {LLONG_MAX, 0}, neg_tv = {-1, 0};
    SHOW("settimeofday LLONG_MAX s", settimeofday(&far_tv, NULL));
    SHOW("settimeofday -1 s", settimeofday(&neg_tv, NULL));
    return 0;
}
