// SMP TLB shootdown: a thread keeps writing to a page while the main thread
// unmaps it (or makes it read-only). Once munmap/mprotect has returned, every
// later access must fault, even on another CPU that had the page in its TLB.
// Main and the toucher meet in smp_meet() first: they must be seen on distinct CPUs at once.
#include "common.h"
#include <pthread.h>
#include <stdatomic.h>

#define ROUNDS 20

static volatile char *page;
static atomic_int changed;   /* set by main after munmap/mprotect returned */
static atomic_long accesses;
static long late;            /* accesses that succeeded after the change */
static int faulted;
static __thread sigjmp_buf jb;

static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(jb, 1);
}

static void *toucher(void *arg)
{
    (void)arg;
    smp_meet(1);
    if (sigsetjmp(jb, 1)) {
        faulted = 1;
        return NULL;
    }
    for (long i = 0;; i++) {
        int was = atomic_load(&changed);
        page[i & 4095] = (char)i;
        atomic_fetch_add(&accesses, 1);
        if (was && ++late > 100000)
            return NULL; /* the stale mapping keeps working: give up */
    }
}

static int round_trip(int prot_change)
{
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    MUST(page == MAP_FAILED ? -1 : 0);
    atomic_store(&changed, 0);
    atomic_store(&accesses, 0);
    late = 0;
    faulted = 0;
    pthread_t th;
    MUST(-pthread_create(&th, NULL, toucher, NULL));
    smp_meet(0);
    /* let the toucher run (and cache the translation) for a while */
    while (atomic_load(&accesses) < 20000)
        sched_yield();
    if (prot_change)
        MUST(mprotect((void *)page, 4096, PROT_READ));
    else
        MUST(munmap((void *)page, 4096));
    atomic_store(&changed, 1);
    pthread_join(th, NULL);
    if (prot_change)
        munmap((void *)page, 4096);
    return faulted && late == 0;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_NODEFER;
    MUST(sigaction(SIGSEGV, &sa, NULL));
    int ok = 0;
    for (int r = 0; r < ROUNDS; r++)
        ok += round_trip(0);
    printf("munmap: %d of %d rounds faulted with no late access\n", ok, ROUNDS);
    ok = 0;
    for (int r = 0; r < ROUNDS; r++)
        ok += round_trip(1);
    printf("mprotect: %d of %d rounds faulted with no late access\n", ok, ROUNDS);
    smp_report();
    return 0;
}
