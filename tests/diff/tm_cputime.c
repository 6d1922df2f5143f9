// CPU-time clocks advance with work, not with sleep; per thread; children in times()/getrusage.
#include "common.h"
#include <pthread.h>

static long long cpu(clockid_t c) { return now_ns(c); }
static void burn(long long ms)
{
    long long t0 = cpu(CLOCK_THREAD_CPUTIME_ID);
    volatile unsigned long x = 0;
    while (cpu(CLOCK_THREAD_CPUTIME_ID) - t0 < ms * 1000000LL)
        x++;
}
static volatile int go;
static void *worker(void *a)
{
    (void)a;
    burn(150);
    long long t = cpu(CLOCK_THREAD_CPUTIME_ID);
    /* stay alive until main has read our clock: a thread that has exited has no clock
     * (EINVAL), and a main thread slowed by a loaded host could miss the whole window */
    while (!go)
        usleep(1000);
    return (void *)(long)(t >= 150000000LL);
}

int main(void)
{
    long long p0 = cpu(CLOCK_PROCESS_CPUTIME_ID), t0 = cpu(CLOCK_THREAD_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
    burn(100);
    long long p1 = cpu(CLOCK_PROCESS_CPUTIME_ID), t1 = cpu(CLOCK_THREAD_CPUTIME_ID), w1 = now_ns(CLOCK_MONOTONIC);
    /* (a kernel that counts CPU time in 1 ms ticks may be off by a few ticks when an emulator
     * delivers late ticks in a burst: 10 ms of slack) */
    printf("work 100ms: thread >= 100ms %s, process >= thread delta %s, wall >= cpu %s\n",
           t1 - t0 >= 100000000 ? "yes" : "no", p1 - p0 >= t1 - t0 - 10000000 ? "yes" : "no", w1 - w0 >= t1 - t0 - 10000000 ? "yes" : "no");
    struct timespec s = {0, 200000000};
    nanosleep(&s, NULL);
    long long p2 = cpu(CLOCK_PROCESS_CPUTIME_ID), t2 = cpu(CLOCK_THREAD_CPUTIME_ID);
    printf("sleep 200ms: process advanced < 50ms %s, thread < 50ms %s\n", p2 - p1 < 50000000 ? "yes" : "no", t2 - t1 < 50000000 ? "yes" : "no");
    /* another thread's work shows in the process clock but not in ours */
    pthread_t th;
    clockid_t tc;
    pthread_create(&th, NULL, worker, NULL);
    pthread_getcpuclockid(th, &tc);
    void *ok;
    long long mine0 = cpu(CLOCK_THREAD_CPUTIME_ID), pr0 = cpu(CLOCK_PROCESS_CPUTIME_ID);
    struct timespec wt;
    int seen = 0;
    for (int i = 0; i < 400 && !seen; i++) {
        if (clock_gettime(tc, &wt) == 0 && wt.tv_sec * 1000000000LL + wt.tv_nsec >= 50000000)
            seen = 1;
        else
            usleep(5000);
    }
    go = 1;
    printf("other thread's clock readable and advancing: %s\n", seen ? "yes" : "no");
    pthread_join(th, &ok);
    long long mine1 = cpu(CLOCK_THREAD_CPUTIME_ID), pr1 = cpu(CLOCK_PROCESS_CPUTIME_ID);
    printf("worker saw its own 150ms: %s\n", ok ? "yes" : "no");
    printf("process clock includes worker: %s, main thread mostly idle: %s\n", pr1 - pr0 >= 140000000 ? "yes" : "no",
           mine1 - mine0 < 60000000 ? "yes" : "no");
    /* getrusage(SELF) >= process clock - 1 tick; RUSAGE_THREAD small */
    struct rusage ru, rt;
    getrusage(RUSAGE_SELF, &ru);
    getrusage(RUSAGE_THREAD, &rt);
    long long ru_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
    long long rt_ns = (rt.ru_utime.tv_sec + rt.ru_stime.tv_sec) * 1000000000LL + (rt.ru_utime.tv_usec + rt.ru_stime.tv_usec) * 1000LL;
    printf("rusage SELF >= 200ms: %s, THREAD < SELF: %s\n", ru_ns >= 200000000 ? "yes" : "no", rt_ns < ru_ns ? "yes" : "no");
    /* a child's burn shows in RUSAGE_CHILDREN only after wait */
    struct rusage rc0, rc1;
    getrusage(RUSAGE_CHILDREN, &rc0);
    pid_t c = fork();
    if (c == 0) {
        burn(120);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    getrusage(RUSAGE_CHILDREN, &rc1);
    long long d = (rc1.ru_utime.tv_sec + rc1.ru_stime.tv_sec - rc0.ru_utime.tv_sec - rc0.ru_stime.tv_sec) * 1000000LL +
                  (rc1.ru_utime.tv_usec + rc1.ru_stime.tv_usec - rc0.ru_utime.tv_usec - rc0.ru_stime.tv_usec);
    printf("children rusage grew by >= 100ms: %s\n", d >= 100000 ? "yes" : "no");
    return 0;
}
