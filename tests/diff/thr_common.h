/* Helpers shared by the thr_*, fut_* and sg_* differential tests. */
#ifndef RILL_THR_COMMON_H
#define RILL_THR_COMMON_H
#include "common.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>

static inline long futex6(void *uaddr, int op, int val, const void *ts_or_n, void *uaddr2, int val3)
{
    return syscall(SYS_futex, uaddr, op, val, ts_or_n, uaddr2, val3);
}

/* State letter of thread `tid` of process `pid` ('?' if unreadable). */
static inline char task_state(pid_t pid, pid_t tid)
{
    char path[96], buf[512];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
    if (get_file(path, buf, sizeof buf) <= 0)
        return '?';
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : '?';
}

/* Wait (bounded, 10 s) until thread `tid` of `pid` sleeps in the kernel. */
static inline int wait_sleeping(pid_t pid, pid_t tid)
{
    for (int i = 0; i < 10000; i++) {
        char s = task_state(pid, tid);
        if (s == 'S' || s == 'D')
            return 1;
        usleep(1000);
    }
    printf("TIMEOUT waiting for %d to sleep\n", (int)tid);
    return 0;
}

/* Wait until a thread has published its tid in *slot, then until it sleeps
 * (used where the order in which waiters queue matters). */
static inline int wait_tid_sleeping(volatile pid_t *slot)
{
    for (int i = 0; i < 10000 && !__atomic_load_n(slot, __ATOMIC_SEQ_CST); i++)
        usleep(1000);
    return wait_sleeping(getpid(), *slot);
}

/* Number of waiters queued on futex word `a` (moved to a scratch word and
 * back with FUTEX_REQUEUE, which wakes nobody). */
static inline long futex_waiters(int *a, int private_flag)
{
    static int scratch;
    int op = FUTEX_REQUEUE | private_flag;
    long n = futex6(a, op, 0, (void *)(long)INT_MAX, &scratch, 0);
    futex6(&scratch, op, 0, (void *)(long)INT_MAX, a, 0);
    return n;
}

/* Wait (bounded, 10 s) until `n` waiters are queued on `a`. */
static inline int wait_waiters(int *a, long n, int private_flag)
{
    for (int i = 0; i < 10000; i++) {
        if (futex_waiters(a, private_flag) == n)
            return 1;
        usleep(1000);
    }
    printf("TIMEOUT waiting for %ld futex waiters\n", n);
    return 0;
}

/* Wait (bounded, 10 s) for an int flag to become nonzero. */
static inline int wait_flag(volatile int *f)
{
    for (int i = 0; i < 10000; i++) {
        if (__atomic_load_n(f, __ATOMIC_SEQ_CST))
            return 1;
        usleep(1000);
    }
    printf("TIMEOUT waiting for flag\n");
    return 0;
}
#endif
