// Timed waits woken before their deadline return 0 (FUTEX_WAIT relative, WAIT_BITSET absolute,
// REALTIME absolute); a requeued timed waiter keeps its timeout.
#include "thr_common.h"

static int word, other;
static volatile pid_t wtid;
static volatile long res;
static volatile int which;

static void *waiter(void *a)
{
    (void)a;
    struct timespec ts;
    wtid = gettid();
    long r;
    if (which == 0) {
        ts.tv_sec = 10;
        ts.tv_nsec = 0;
        r = futex6(&word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
    } else if (which == 1) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += 10;
        r = futex6(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &ts, NULL, 1);
    } else if (which == 2) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 10;
        r = futex6(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &ts, NULL, 1);
    } else {
        ts.tv_sec = 0;
        ts.tv_nsec = 100000000;
        r = futex6(&word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
    }
    res = r == -1 ? -errno : r;
    return NULL;
}

static void run(int w, const char *label)
{
    which = w;
    wtid = 0;
    pthread_t t;
    long long t0 = now_ns(CLOCK_MONOTONIC);
    pthread_create(&t, NULL, waiter, NULL);
    wait_tid_sleeping(&wtid);
    if (w == 3) {
        /* moved to another word: no one wakes it there, its 100 ms still run out */
        printf("%s: requeued %ld\n", label, futex6(&word, FUTEX_REQUEUE_PRIVATE, 0, (void *)1L, &other, 0));
    } else {
        printf("%s: woke %ld\n", label, futex6(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    }
    pthread_join(t, NULL);
    long long el = now_ns(CLOCK_MONOTONIC) - t0;
    printf("%s: result %s, well before 10 s: %s\n", label, res == 0 ? "0" : en((int)-res), el < 5000000000LL ? "yes" : "no");
}

int main(void)
{
    run(0, "FUTEX_WAIT 10 s");
    run(1, "WAIT_BITSET MONOTONIC +10 s");
    run(2, "WAIT_BITSET REALTIME +10 s");
    run(3, "FUTEX_WAIT 100 ms, requeued");
    printf("left on the other word: %ld\n", futex_waiters(&other, FUTEX_PRIVATE_FLAG));
    return 0;
}
