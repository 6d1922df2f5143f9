// Handlers that clobber FP/SSE state must not corrupt the interrupted code.
#include "common.h"

static volatile double sink;
static void h(int s)
{
    (void)s;
    double x = 1.0;
    for (int i = 0; i < 100; i++)
        x = x * 1.0001 + 3.25;
    sink = x;
    /* also touch the rounding mode visibly then restore it implicitly via sigreturn */
}

int main(void)
{
    signal(SIGALRM, h);
    struct itimerval it = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
    double acc = 0.0;
    volatile double a = 1.5, b = 2.25;
    long long iters = 0;
    long long t0 = now_ns(CLOCK_MONOTONIC);
    while (now_ns(CLOCK_MONOTONIC) - t0 < 200000000LL) {
        for (int i = 0; i < 1000; i++)
            acc += a * b;
        iters += 1000;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    double expect = 0.0;
    for (long long i = 0; i < iters; i++)
        expect += 1.5 * 2.25;
    printf("FP sum preserved under signals: %s\n", acc == expect ? "yes" : "no");
    /* integer state too */
    unsigned long h1 = 1469598103934665603UL;
    setitimer(ITIMER_REAL, &it, NULL);
    for (long i = 0; i < 3000000; i++)
        h1 = (h1 ^ (unsigned long)i) * 1099511628211UL;
    setitimer(ITIMER_REAL, &off, NULL);
    unsigned long h2 = 1469598103934665603UL;
    for (long i = 0; i < 3000000; i++)
        h2 = (h2 ^ (unsigned long)i) * 1099511628211UL;
    printf("integer hash preserved: %s\n", h1 == h2 ? "yes" : "no");
    return 0;
}
