// Handlers that clobber FP/SSE state must not corrupt the interrupted code: a
// 1 ms interval timer interrupts an FP loop and then an integer loop, each until
// at least MIN_SIGS handler runs have been counted (bounded by 10 s), and the
// interrupted loops' results must match a recomputation without signals.
#include "common.h"

#define MIN_SIGS 50

static volatile double sink;
static volatile sig_atomic_t nsig;
static void h(int s)
{
    (void)s;
    double x = 1.0;
    for (int i = 0; i < 100; i++)
        x = x * 1.0001 + 3.25;
    sink = x;
    nsig++;
}

int main(void)
{
    signal(SIGALRM, h);
    struct itimerval it = {{0, 1000}, {0, 1000}};
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    double acc = 0.0;
    volatile double a = 1.5, b = 2.25;
    long long iters = 0;
    long long t0 = now_ns(CLOCK_MONOTONIC);
    while (nsig < MIN_SIGS && now_ns(CLOCK_MONOTONIC) - t0 < 10000000000LL) {
        for (int i = 0; i < 1000; i++)
            acc += a * b;
        iters += 1000;
    }
    setitimer(ITIMER_REAL, &off, NULL);
    int fp_sigs = nsig;
    double expect = 0.0;
    for (long long i = 0; i < iters; i++)
        expect += 1.5 * 2.25;
    printf("signals during the FP loop >= %d: %s\n", MIN_SIGS, fp_sigs >= MIN_SIGS ? "yes" : "no");
    printf("FP sum preserved under signals: %s\n", acc == expect ? "yes" : "no");
    /* integer state too */
    nsig = 0;
    unsigned long h1 = 1469598103934665603UL;
    long n = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    t0 = now_ns(CLOCK_MONOTONIC);
    while (nsig < MIN_SIGS && now_ns(CLOCK_MONOTONIC) - t0 < 10000000000LL)
        for (long e = n + 100000; n < e; n++)
            h1 = (h1 ^ (unsigned long)n) * 1099511628211UL;
    setitimer(ITIMER_REAL, &off, NULL);
    int int_sigs = nsig;
    unsigned long h2 = 1469598103934665603UL;
    for (long i = 0; i < n; i++)
        h2 = (h2 ^ (unsigned long)i) * 1099511628211UL;
    printf("signals during the integer loop >= %d: %s\n", MIN_SIGS, int_sigs >= MIN_SIGS ? "yes" : "no");
    printf("integer hash preserved: %s\n", h1 == h2 ? "yes" : "no");
    return 0;
}
