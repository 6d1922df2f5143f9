// FUTEX_WAKE counts with queued waiters: exact numbers, FIFO, WAKE 0 and negative wake one.
#include "thr_common.h"

static int word;
static volatile int done[6];
static volatile int order[6], norder;

static volatile pid_t wtids[8];

static void *waiter(void *a)
{
    long i = (long)a;
    wtids[i] = gettid();
    while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0) {
        long r = futex6(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        if (r == 0)
            break;
    }
    order[__atomic_fetch_add(&norder, 1, __ATOMIC_SEQ_CST)] = (int)i;
    done[i] = 1;
    return NULL;
}

int main(void)
{
    pthread_t t[6];
    /* start waiters one by one so the queue order is known */
    for (long i = 0; i < 6; i++) {
        pthread_create(&t[i], NULL, waiter, (void *)i);
        wait_tid_sleeping(&wtids[i]);
    }
    printf("queued: %ld\n", futex_waiters(&word, FUTEX_PRIVATE_FLAG));
    SHOW("WAKE 2", futex6(&word, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0));
    wait_flag(&done[0]);
    wait_flag(&done[1]);
    printf("first woken: %d %d\n", order[0] + order[1] == 1 ? 1 : 0, norder);
    printf("left: %ld\n", futex_waiters(&word, FUTEX_PRIVATE_FLAG));
    SHOW("WAKE 0 (wakes one)", futex6(&word, FUTEX_WAKE_PRIVATE, 0, NULL, NULL, 0));
    wait_flag(&done[2]);
    SHOW("WAKE -1 (wakes one)", futex6(&word, FUTEX_WAKE_PRIVATE, -1, NULL, NULL, 0));
    wait_flag(&done[3]);
    printf("third and fourth in order: %s\n", done[2] && done[3] && !done[4] ? "yes" : "no");
    printf("left: %ld\n", futex_waiters(&word, FUTEX_PRIVATE_FLAG));
    SHOW("WAKE shared on private waiters", futex6(&word, FUTEX_WAKE, 10, NULL, NULL, 0));
    __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
    SHOW("WAKE 10", futex6(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
    for (int i = 0; i < 6; i++)
        pthread_join(t[i], NULL);
    printf("all done: %d\n", norder);
    return 0;
}
