// futex(2): WAIT value mismatch, timeout, WAKE counts, cross-thread wakeup.
#include "common.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>

static int fut;
static atomic_int started;

static long futex(int *uaddr, int op, int val, const struct timespec *ts)
{
    return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static void *waiter(void *a)
{
    (void)a;
    atomic_fetch_add(&started, 1);
    while (__atomic_load_n(&fut, __ATOMIC_SEQ_CST) == 0)
        futex(&fut, FUTEX_WAIT_PRIVATE, 0, NULL);
    return NULL;
}

int main(void)
{
    int v = 5;
    SHOW("WAIT value mismatch", futex(&v, FUTEX_WAIT, 4, NULL));
    struct timespec ts = {0, 20000000};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    SHOW("WAIT timeout 20ms", futex(&v, FUTEX_WAIT, 5, &ts));
    printf("waited >= 20ms: %s\n", now_ns(CLOCK_MONOTONIC) - t0 >= 20000000LL ? "yes" : "no");
    SHOW("WAKE nobody", futex(&v, FUTEX_WAKE, 1, NULL));
    SHOW("WAIT bad address", futex(BADPTR, FUTEX_WAIT, 0, NULL));
    SHOW("WAIT unaligned", futex((int *)((char *)&v + 1), FUTEX_WAIT, 0, NULL));
    struct timespec bad = {0, 2000000000};
    SHOW("WAIT bad timeout", futex(&v, FUTEX_WAIT, 5, &bad));
    SHOW("invalid op", futex(&v, 99, 0, NULL));
    /* absolute timeout via WAIT_BITSET */
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 10000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    SHOW("WAIT_BITSET abs timeout", syscall(SYS_futex, &v, FUTEX_WAIT_BITSET, 5, &abs, NULL, FUTEX_BITSET_MATCH_ANY));
    SHOW("WAIT_BITSET zero mask", syscall(SYS_futex, &v, FUTEX_WAIT_BITSET, 5, &abs, NULL, 0));
    /* threads blocked in WAIT are woken */
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, waiter, NULL);
    while (atomic_load(&started) < 3)
        sched_yield();
    __atomic_store_n(&fut, 1, __ATOMIC_SEQ_CST);
    long n = futex(&fut, FUTEX_WAKE_PRIVATE, 3, NULL);
    printf("WAKE returned <= 3: %s\n", n >= 0 && n <= 3 ? "yes" : "no");
    long woken = 0;
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL), woken++;
    printf("all waiters finished: %ld\n", woken);
    /* shared futex across fork through MAP_SHARED */
    int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *sh = 0;
    pid_t c = fork();
    if (c == 0) {
        while (__atomic_load_n(sh, __ATOMIC_SEQ_CST) == 0)
            futex(sh, FUTEX_WAIT, 0, NULL);
        _exit(*sh);
    }
    __atomic_store_n(sh, 7, __ATOMIC_SEQ_CST);
    futex(sh, FUTEX_WAKE, 1, NULL);
    wait_show("cross-process futex", c);
    /* CLONE_CHILD_CLEARTID: pthread_join relies on it; set_tid_address returns tid */
    long tid = syscall(SYS_set_tid_address, NULL);
    printf("set_tid_address returns tid: %s\n", tid == gettid() ? "yes" : "no");
    return 0;
}
