// futex timeouts: FUTEX_WAIT relative (monotonic), WAIT_BITSET absolute on MONOTONIC and REALTIME.
#include "thr_common.h"

static struct timespec abs_in(clockid_t c, long ms)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    ts.tv_nsec += ms * 1000000L;
    while (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    while (ts.tv_nsec < 0) {
        ts.tv_sec--;
        ts.tv_nsec += 1000000000L;
    }
    return ts;
}

int main(void)
{
    int v = 0;
    long long t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec rel = {0, 30000000};
    SHOW("WAIT rel 30ms", futex6(&v, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0));
    long long el = now_ns(CLOCK_MONOTONIC) - t0;
    YN("waited >= 30ms", el >= 30000000LL);
    /* an absolute time of a few seconds is "in the past" for WAIT_BITSET,
     * but a relative FUTEX_WAIT takes it as a duration: use 0.04 s */
    struct timespec small = {0, 40000000};
    t0 = now_ns(CLOCK_MONOTONIC);
    SHOW("WAIT_BITSET abs in the past", futex6(&v, FUTEX_WAIT_BITSET_PRIVATE, 0, &small, NULL, FUTEX_BITSET_MATCH_ANY));
    YN("returned at once (< 30ms)", now_ns(CLOCK_MONOTONIC) - t0 < 30000000LL);
    struct timespec a = abs_in(CLOCK_MONOTONIC, 30);
    t0 = now_ns(CLOCK_MONOTONIC);
    SHOW("WAIT_BITSET abs MONOTONIC +30ms", futex6(&v, FUTEX_WAIT_BITSET_PRIVATE, 0, &a, NULL, FUTEX_BITSET_MATCH_ANY));
    struct timespec n;
    clock_gettime(CLOCK_MONOTONIC, &n);
    YN("now past the deadline", n.tv_sec > a.tv_sec || (n.tv_sec == a.tv_sec && n.tv_nsec >= a.tv_nsec));
    a = abs_in(CLOCK_REALTIME, 30);
    SHOW("WAIT_BITSET abs REALTIME +30ms",
         futex6(&v, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &a, NULL, FUTEX_BITSET_MATCH_ANY));
    clock_gettime(CLOCK_REALTIME, &n);
    YN("realtime past the deadline", n.tv_sec > a.tv_sec || (n.tv_sec == a.tv_sec && n.tv_nsec >= a.tv_nsec));
    /* a REALTIME deadline that is 30 ms away in REALTIME but long past in
     * MONOTONIC terms would return at once if the clock were mixed up */
    a = abs_in(CLOCK_REALTIME, -1000);
    SHOW("WAIT_BITSET abs REALTIME past", futex6(&v, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &a, NULL, 1));
    a = abs_in(CLOCK_MONOTONIC, 20);
    SHOW("WAIT_BITSET shared abs", futex6(&v, FUTEX_WAIT_BITSET, 0, &a, NULL, 0xff));
    SHOW("WAIT_BITSET mismatch", futex6(&v, FUTEX_WAIT_BITSET, 1, &a, NULL, 0xff));
    /* a NULL timeout with a mismatching value returns at once */
    SHOW("WAIT_BITSET no timeout mismatch", futex6(&v, FUTEX_WAIT_BITSET, 3, NULL, NULL, 1));
    return 0;
}
