// futex(2) argument errors: EAGAIN, EFAULT, EINVAL (unaligned, bad timeouts, bitset 0), ENOSYS.
#include "thr_common.h"

int main(void)
{
    int v = 5;
    struct timespec ts = {0, 1000000};
    SHOW("WAIT mismatch", futex6(&v, FUTEX_WAIT, 4, NULL, NULL, 0));
    SHOW("WAIT_PRIVATE mismatch", futex6(&v, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0));
    SHOW("WAIT bad address", futex6(BADPTR, FUTEX_WAIT, 0, NULL, NULL, 0));
    SHOW("WAIT NULL address", futex6(NULL, FUTEX_WAIT, 0, NULL, NULL, 0));
    SHOW("WAIT kernel address", futex6((void *)0xffff800000000000UL, FUTEX_WAIT, 0, NULL, NULL, 0));
    SHOW("WAKE bad address", futex6((void *)0x1000, FUTEX_WAKE, 1, NULL, NULL, 0));
    SHOW("WAKE_PRIVATE bad address", futex6((void *)0x1000, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    SHOW("WAIT unaligned", futex6((char *)&v + 2, FUTEX_WAIT, 5, &ts, NULL, 0));
    SHOW("WAKE unaligned", futex6((char *)&v + 1, FUTEX_WAKE, 1, NULL, NULL, 0));
    struct timespec neg = {-1, 0};
    SHOW("WAIT negative tv_sec", futex6(&v, FUTEX_WAIT, 5, &neg, NULL, 0));
    struct timespec bign = {0, 1000000000};
    SHOW("WAIT tv_nsec 1e9", futex6(&v, FUTEX_WAIT, 5, &bign, NULL, 0));
    struct timespec negn = {0, -1};
    SHOW("WAIT tv_nsec -1", futex6(&v, FUTEX_WAIT, 5, &negn, NULL, 0));
    SHOW("WAIT bad timeout pointer", futex6(&v, FUTEX_WAIT, 5, BADPTR, NULL, 0));
    SHOW("WAIT mismatch beats bad timeout", futex6(&v, FUTEX_WAIT, 4, &neg, NULL, 0));
    struct timespec zero = {0, 0};
    SHOW("WAIT zero timeout", futex6(&v, FUTEX_WAIT, 5, &zero, NULL, 0));
    SHOW("WAIT_BITSET bitset 0", futex6(&v, FUTEX_WAIT_BITSET, 5, &ts, NULL, 0));
    SHOW("WAKE_BITSET bitset 0", futex6(&v, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0));
    SHOW("WAKE_BITSET none waiting", futex6(&v, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0x10));
    SHOW("WAKE count 0", futex6(&v, FUTEX_WAKE, 0, NULL, NULL, 0));
    SHOW("WAKE negative count", futex6(&v, FUTEX_WAKE, -1, NULL, NULL, 0));
    SHOW("op 2 (FD)", futex6(&v, 2, 0, NULL, NULL, 0));
    SHOW("op 14", futex6(&v, 14, 0, NULL, NULL, 0));
    SHOW("op 99", futex6(&v, 99, 0, NULL, NULL, 0));
    SHOW("op 99|PRIVATE", futex6(&v, 99 | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0));
    SHOW("WAKE|CLOCK_REALTIME", futex6(&v, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
    SHOW("WAIT|CLOCK_REALTIME mismatch", futex6(&v, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 4, NULL, NULL, 0));
    SHOW("REQUEUE|CLOCK_REALTIME", futex6(&v, FUTEX_REQUEUE | FUTEX_CLOCK_REALTIME, 0, 0, &v, 0));
    SHOW("CMP_REQUEUE mismatch", futex6(&v, FUTEX_CMP_REQUEUE, 0, (void *)1L, &v, 4));
    int w = 0;
    SHOW("CMP_REQUEUE negative wake", futex6(&v, FUTEX_CMP_REQUEUE, -1, (void *)1L, &w, 5));
    SHOW("CMP_REQUEUE negative requeue", futex6(&v, FUTEX_CMP_REQUEUE, 1, (void *)-1L, &w, 5));
    SHOW("CMP_REQUEUE ok none", futex6(&v, FUTEX_CMP_REQUEUE, 1, (void *)1L, &w, 5));
    SHOW("CMP_REQUEUE bad uaddr2", futex6(&v, FUTEX_CMP_REQUEUE, 1, (void *)1L, (void *)1, 5));
    SHOW("CMP_REQUEUE unaligned uaddr2", futex6(&v, FUTEX_CMP_REQUEUE, 1, (void *)1L, (char *)&w + 1, 5));
    SHOW("CMP_REQUEUE bad uaddr", futex6(BADPTR, FUTEX_CMP_REQUEUE, 1, (void *)1L, &w, 5));
    SHOW("REQUEUE none", futex6(&v, FUTEX_REQUEUE, 1, (void *)1L, &w, 0));
    SHOW("WAKE_OP bad uaddr2", futex6(&v, FUTEX_WAKE_OP, 1, (void *)1L, (void *)0x1000, 0));
    printf("value unchanged: %d %d\n", v, w);
    return 0;
}
