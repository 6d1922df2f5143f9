// FUTEX_REQUEUE / CMP_REQUEUE with waiters: returned counts, moved waiters wake on the target.
#include "thr_common.h"

static int a, b;
static volatile int woke[4];

static volatile pid_t wtids[8];

static void *waiter(void *arg)
{
    long i = (long)arg;
    wtids[i] = gettid();
    futex6(&a, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    woke[i] = 1;
    return NULL;
}

int main(void)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++) {
        pthread_create(&t[i], NULL, waiter, (void *)i);
        wait_tid_sleeping(&wtids[i]);
    }
    SHOW("CMP_REQUEUE value mismatch", futex6(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &b, 7));
    printf("still on a: %ld\n", futex_waiters(&a, FUTEX_PRIVATE_FLAG));
    SHOW("CMP_REQUEUE wake 1 move 2", futex6(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2L, &b, 0));
    wait_flag(&woke[0]);
    printf("first waiter woken: %d, others: %d%d%d\n", woke[0], woke[1], woke[2], woke[3]);
    printf("on a: %ld, on b: %ld\n", futex_waiters(&a, FUTEX_PRIVATE_FLAG), futex_waiters(&b, FUTEX_PRIVATE_FLAG));
    SHOW("WAKE a 10", futex6(&a, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
    wait_flag(&woke[3]);
    printf("last waiter woken from a: %d, middle: %d%d\n", woke[3], woke[1], woke[2]);
    SHOW("REQUEUE b->a wake 0 move 1", futex6(&b, FUTEX_REQUEUE_PRIVATE, 0, (void *)1L, &a, 0));
    SHOW("WAKE b 10", futex6(&b, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
    wait_flag(&woke[2]);
    printf("woken: %d%d%d%d\n", woke[0], woke[1], woke[2], woke[3]);
    SHOW("REQUEUE a->b wake 1 move 0", futex6(&a, FUTEX_REQUEUE_PRIVATE, 1, (void *)0L, &b, 0));
    wait_flag(&woke[1]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    printf("woken: %d%d%d%d\n", woke[0], woke[1], woke[2], woke[3]);
    SHOW("REQUEUE nobody", futex6(&a, FUTEX_REQUEUE_PRIVATE, 1, (void *)1L, &b, 0));
    return 0;
}
