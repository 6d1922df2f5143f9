// SMP: threads that spin on shared atomics (no syscalls in the loops) only make
// progress if they really run in parallel or are preempted: a token ring passed
// between 4 threads, and a spinning barrier; the output is deterministic. The ring's
// threads first meet in smp_meet(): two of them must be seen on distinct CPUs at once.
#include "common.h"
#include <pthread.h>
#include <stdatomic.h>

#define NT 4
#define STEPS 400
#define ROUNDS 100

static atomic_long token;
static atomic_int arrived;
static atomic_int generation;
static long turns[NT];
static long rounds_done[NT];

static void *ring(void *arg)
{
    long me = (long)arg;
    smp_meet((int)me);
    for (;;) {
        long t = atomic_load(&token);
        if (t >= STEPS)
            break;
        if (t % NT == me) {
            turns[me]++;
            atomic_store(&token, t + 1);
        }
    }
    return NULL;
}

/* A sense-reversing barrier that only spins. */
static void barrier(void)
{
    int gen = atomic_load(&generation);
    if (atomic_fetch_add(&arrived, 1) == NT - 1) {
        atomic_store(&arrived, 0);
        atomic_fetch_add(&generation, 1);
    } else {
        while (atomic_load(&generation) == gen)
            ;
    }
}

static atomic_long sum;

static void *bar(void *arg)
{
    long me = (long)arg;
    for (int r = 0; r < ROUNDS; r++) {
        atomic_fetch_add(&sum, r);
        barrier();
        /* every thread sees the full sum of this round before anyone moves on */
        long want = (long)NT * (r * (long)(r + 1) / 2);
        if (atomic_load(&sum) < want)
            printf("thread %ld round %d: sum %ld < %ld\n", me, r, atomic_load(&sum), want);
        barrier();
        rounds_done[me]++;
    }
    return NULL;
}

int main(void)
{
    pthread_t th[NT];
    for (long i = 0; i < NT; i++)
        MUST(-pthread_create(&th[i], NULL, ring, (void *)i));
    for (int i = 0; i < NT; i++)
        pthread_join(th[i], NULL);
    printf("token ring: token %ld, turns", atomic_load(&token));
    for (int i = 0; i < NT; i++)
        printf(" %ld", turns[i]);
    printf("\n");
    smp_report();

    for (long i = 0; i < NT; i++)
        MUST(-pthread_create(&th[i], NULL, bar, (void *)i));
    for (int i = 0; i < NT; i++)
        pthread_join(th[i], NULL);
    printf("barrier: sum %ld, rounds", atomic_load(&sum));
    for (int i = 0; i < NT; i++)
        printf(" %ld", rounds_done[i]);
    printf("\n");

    /* the CPU set is consistent between the interfaces (not its size: host-dependent) */
    cpu_set_t set;
    CPU_ZERO(&set);
    MUST(sched_getaffinity(0, sizeof set, &set));
    long onln = sysconf(_SC_NPROCESSORS_ONLN);
    YN("affinity count == online cpus", CPU_COUNT(&set) == onln);
    YN("online cpus >= 1", onln >= 1);
    return 0;
}
