// Stress: 8 threads hammer shared futex words for 10 s in two protocols, with checks computed
// here ("PASS ..."/"FAIL ..." lines; exit 0 only when everything passed):
//  1. a token ring: thread i waits (FUTEX_WAIT) until turn % 8 == i, increments turn and wakes
//     everyone (FUTEX_WAKE). A lost wake-up stalls the ring; the passes must be round-robin.
//  2. a futex mutex (0 free, 1 locked, 2 locked with waiters): every thread increments a shared
//     counter under it; the counter must equal the sum of the threads' own counts.
// No lost wake-ups: every thread must finish within a bounded time after the stop flag is set;
// the main thread reports the stuck ones and fails instead of hanging.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 8
#define PHASE_SECONDS 5
#define FINISH_SECONDS 30

static int failures;

static void result(int ok, const char *what) {
    printf("%s %s\n", ok ? "PASS" : "FAIL", what);
    fflush(stdout);
    if (!ok)
        failures++;
}

static long futex(atomic_int *uaddr, int op, int val) {
    return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static atomic_int stop;
static atomic_int finished;

// ---- 1. token ring
static atomic_int turn;
static long ring_passes[NTHREADS];

static void *ring(void *arg) {
    int me = (int)(long)arg;
    for (;;) {
        int t = atomic_load(&turn);
        if (t % NTHREADS != me) {
            long r = futex(&turn, FUTEX_WAIT_PRIVATE, t);
            if (r == -1 && errno != EAGAIN && errno != EINTR) {
                perror("FUTEX_WAIT");
                break;
            }
            continue;
        }
        int last = atomic_load(&stop);
        ring_passes[me]++;
        atomic_store(&turn, t + 1);
        futex(&turn, FUTEX_WAKE_PRIVATE, NTHREADS);
        // Having seen the stop flag, pass the token once more and leave: each thread in turn.
        if (last)
            break;
    }
    atomic_fetch_add(&finished, 1);
    return NULL;
}

// ---- 2. futex mutex
static atomic_int lock_word;
static long shared_count;
static long own_count[NTHREADS];

static void lock(void) {
    int c = 0;
    if (atomic_compare_exchange_strong(&lock_word, &c, 1))
        return;
    if (c != 2)
        c = atomic_exchange(&lock_word, 2);
    while (c != 0) {
        futex(&lock_word, FUTEX_WAIT_PRIVATE, 2);
        c = atomic_exchange(&lock_word, 2);
    }
}

static void unlock(void) {
    if (atomic_fetch_sub(&lock_word, 1) != 1) {
        atomic_store(&lock_word, 0);
        futex(&lock_word, FUTEX_WAKE_PRIVATE, 1);
    }
}

static void *counter(void *arg) {
    int me = (int)(long)arg;
    while (!atomic_load(&stop)) {
        for (int i = 0; i < 64; i++) {
            lock();
            long v = shared_count;
            // A window in which a second holder would lose an increment.
            for (volatile int k = 0; k < 8; k++)
                ;
            shared_count = v + 1;
            unlock();
            own_count[me]++;
        }
    }
    atomic_fetch_add(&finished, 1);
    return NULL;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Runs NTHREADS threads of fn for PHASE_SECONDS, then stops them; true when all finished.
static int phase(void *(*fn)(void *), const char *name) {
    pthread_t t[NTHREADS];
    atomic_store(&stop, 0);
    atomic_store(&finished, 0);
    for (long i = 0; i < NTHREADS; i++)
        if (pthread_create(&t[i], NULL, fn, (void *)i) != 0) {
            printf("FAIL %s: pthread_create\n", name);
            exit(1);
        }
    struct timespec tick = {0, 10 * 1000 * 1000};
    double end = now() + PHASE_SECONDS;
    while (now() < end)
        nanosleep(&tick, NULL);
    atomic_store(&stop, 1);
    double limit = now() + FINISH_SECONDS;
    while (atomic_load(&finished) < NTHREADS && now() < limit)
        nanosleep(&tick, NULL);
    int n = atomic_load(&finished);
    char what[160];
    snprintf(what, sizeof what, "%s: all %d threads finished after the stop (no lost wake-up)",
             name, NTHREADS);
    result(n == NTHREADS, what);
    if (n != NTHREADS) {
        printf("FAIL %s: %d threads still blocked %d s after the stop\n", name, NTHREADS - n,
               FINISH_SECONDS);
        // Stuck threads cannot be joined; exit_group ends them.
        fflush(stdout);
        exit(1);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    return 1;
}

int main(void) {
    phase(ring, "ring");
    long total = 0, lo = ring_passes[0], hi = ring_passes[0];
    for (int i = 0; i < NTHREADS; i++) {
        total += ring_passes[i];
        if (ring_passes[i] < lo)
            lo = ring_passes[i];
        if (ring_passes[i] > hi)
            hi = ring_passes[i];
    }
    result(total == atomic_load(&turn), "ring: every pass counted once");
    result(hi - lo <= 1, "ring: passes went round-robin");
    result(total >= 1000, "ring: at least 1000 passes");
    if (total < 1000 || hi - lo > 1)
        fprintf(stderr, "ring: %ld passes, per thread %ld..%ld\n", total, lo, hi);

    phase(counter, "mutex");
    long sum = 0;
    for (int i = 0; i < NTHREADS; i++)
        sum += own_count[i];
    result(sum == shared_count, "mutex: no lost increment");
    result(sum >= 1000, "mutex: at least 1000 increments");
    result(atomic_load(&lock_word) == 0, "mutex: free at the end");
    if (sum != shared_count || sum < 1000)
        fprintf(stderr, "mutex: shared %ld, sum of own counts %ld\n", shared_count, sum);
    return failures ? 1 : 0;
}
