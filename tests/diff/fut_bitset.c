// FUTEX_WAIT_BITSET/WAKE_BITSET: only waiters whose bitset intersects the wake mask wake.
#include "thr_common.h"

static int word;
static volatile int woke[3];
static const int bits[3] = {1, 2, 6};

static volatile pid_t wtids[8];

static void *waiter(void *a)
{
    long i = (long)a;
    wtids[i] = gettid();
    futex6(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, bits[i]);
    woke[i] = 1;
    return NULL;
}

int main(void)
{
    pthread_t t[3];
    for (long i = 0; i < 3; i++) {
        pthread_create(&t[i], NULL, waiter, (void *)i);
        wait_tid_sleeping(&wtids[i]);
    }
    SHOW("WAKE_BITSET mask 8", futex6(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 8));
    SHOW("WAKE_BITSET mask 4", futex6(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 4));
    wait_flag(&woke[2]);
    printf("woke: %d%d%d\n", woke[0], woke[1], woke[2]);
    SHOW("WAKE_BITSET mask 3 count 1", futex6(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 3));
    wait_flag(&woke[0]);
    printf("woke: %d%d%d\n", woke[0], woke[1], woke[2]);
    /* plain FUTEX_WAKE is WAKE_BITSET with all bits */
    SHOW("WAKE", futex6(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    printf("woke: %d%d%d\n", woke[0], woke[1], woke[2]);
    /* a bitset-1 waiter: mask 2 misses it, MATCH_ANY wakes it */
    pthread_t u;
    woke[0] = 0;
    pthread_create(&u, NULL, waiter, (void *)0L);
    wait_waiters(&word, 1, FUTEX_PRIVATE_FLAG);
    SHOW("WAKE_BITSET mask 2 on bitset-1 waiter", futex6(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 2));
    SHOW("WAKE_BITSET mask ANY", futex6(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, FUTEX_BITSET_MATCH_ANY));
    pthread_join(u, NULL);
    printf("woke: %d\n", woke[0]);
    return 0;
}
