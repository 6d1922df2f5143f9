// FUTEX_WAKE_OP: every operation and comparison, sign-extended arguments, wakes on both words.
#include "thr_common.h"

static int w1, w2;
static const int ro_word = 0;
static volatile int woke1, woke2;

static void *wait1(void *a)
{
    (void)a;
    futex6(&w1, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    woke1 = 1;
    return NULL;
}
static void *wait2(void *a)
{
    (void)a;
    while (__atomic_load_n(&woke2, __ATOMIC_SEQ_CST) == 0) {
        int cur = __atomic_load_n(&w2, __ATOMIC_SEQ_CST);
        if (futex6(&w2, FUTEX_WAIT_PRIVATE, cur, NULL, NULL, 0) == 0)
            break;
    }
    woke2 = 1;
    return NULL;
}

static void op(const char *name, int init, int o, int oparg, int cmp, int cmparg)
{
    int x = 0;
    w2 = init;
    long r = futex6(&x, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &w2, FUTEX_OP(o, oparg, cmp, cmparg));
    printf("%s: init %d -> %d, ret %ld%s\n", name, init, w2, r, r < 0 ? en(errno) : "");
}

int main(void)
{
    op("SET 5", 3, FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 3);
    op("ADD 5", 3, FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 3);
    op("ADD -1 (0xfff)", 3, FUTEX_OP_ADD, 0xfff, FUTEX_OP_CMP_EQ, 3);
    op("OR 0x30", 3, FUTEX_OP_OR, 0x30, FUTEX_OP_CMP_EQ, 3);
    op("ANDN 1", 3, FUTEX_OP_ANDN, 1, FUTEX_OP_CMP_EQ, 3);
    op("XOR 0xff", 3, FUTEX_OP_XOR, 0xff, FUTEX_OP_CMP_EQ, 3);
    op("SET|SHIFT 4", 3, FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_EQ, 3);
    op("ADD|SHIFT 31", 0, FUTEX_OP_ADD | FUTEX_OP_OPARG_SHIFT, 31, FUTEX_OP_CMP_EQ, 3);
    op("SET|SHIFT 33", 0, FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 33, FUTEX_OP_CMP_EQ, 3);
    op("op 5", 3, 5, 1, FUTEX_OP_CMP_EQ, 3);
    op("op 7", 3, 7, 1, FUTEX_OP_CMP_EQ, 3);
    op("cmp 6", 3, FUTEX_OP_SET, 1, 6, 3);
    op("cmp 15", 3, FUTEX_OP_SET, 1, 15, 3);
    op("SET -2048", 0, FUTEX_OP_SET, 0x800, FUTEX_OP_CMP_EQ, 0);
    /* comparisons against the old value (no waiters on w2: ret 0 either way) */
    for (int c = 0; c < 6; c++)
        for (int old = -1; old <= 1; old++) {
            w1 = 0;
            w2 = old;
            pthread_t t2;
            woke2 = 0;
            pthread_create(&t2, NULL, wait2, NULL);
            wait_waiters(&w2, 1, FUTEX_PRIVATE_FLAG);
            /* cmparg 0xfff is -1 after sign extension */
            long r = futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &w2,
                            FUTEX_OP(FUTEX_OP_ADD, 0, c, old == -1 ? 0 : 0xfff));
            int hit = r == 1;
            if (!hit) {
                __atomic_store_n(&woke2, 1, __ATOMIC_SEQ_CST);
                futex6(&w2, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
            }
            pthread_join(t2, NULL);
            printf("cmp %d old %d vs %d: %s\n", c, old, old == -1 ? 0 : -1, hit ? "woke" : "no");
        }
    /* both words woken */
    w1 = 0;
    w2 = 0;
    woke2 = 0;
    pthread_t t1, t2;
    pthread_create(&t1, NULL, wait1, NULL);
    wait_waiters(&w1, 1, FUTEX_PRIVATE_FLAG);
    pthread_create(&t2, NULL, wait2, NULL);
    wait_waiters(&w2, 1, FUTEX_PRIVATE_FLAG);
    SHOW("WAKE_OP both", futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &w2, FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)));
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    printf("woke: %d %d, w2 = %d\n", woke1, woke2, w2);
    SHOW("WAKE_OP uaddr2 read-only", futex6(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, (void *)&ro_word, 0));
    return 0;
}
