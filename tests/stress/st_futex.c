// Stress: 8 threads hammer futex words in two protocols (a ring until 10^6 wake-ups were
// checked, at least 7 s and at most RING_MAX_SECONDS, then 3 s of a mutex), with checks computed here
// ("PASS ..."/"FAIL ..." lines; exit 0 only when everything passed):
//  1. a token ring: every thread has its own word; the holder of the token clears its word,
//     sets its successor's to 1 and wakes it (FUTEX_WAKE, 1); the others sleep in FUTEX_WAIT
//     on their own word while it is 0. Every wake-up is needed: a single lost one (the
//     successor asleep and not woken) stops the ring for good, and the stop below then fails.
//     The passes must go round-robin, in order.
//  2. a futex mutex (0 free, 1 locked, 2 locked with waiters): every thread increments a shared
//     counter under it; the counter must equal the sum of the threads' own counts.
// Accounting, exact in both: the FUTEX_WAKE results (how many waiters each woke) must add up to
// the number of FUTEX_WAIT calls that returned 0 (Linux returns 0 only to a waiter a wake
// removed from the queue), so a wait that returns without sleeping (a no-op futex), a wake that
// wakes fewer or more than it reports, fails even once in millions. A wait that returns EAGAIN
// must have seen a value other than the one it was given.
// Waits must really sleep: during the ring, the main thread samples the waiters' state in
// /proc/self/task/TID/stat and must see them asleep ('S') in FUTEX_WAIT, inside one and the
// same call and without the token, in most of the samples.
// No lost wake-ups: every thread must finish within FINISH_SECONDS after the stop flag is set;
// the main thread reports the stuck ones and fails instead of hanging.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 8
#define RING_SECONDS 7
// The ring goes on until this many wake-ups were checked (so one lost wake-up in 10^6 is
// caught), within RING_MAX_SECONDS; checking fewer fails.
#define RING_WAKES 1000000L
#define RING_MAX_SECONDS 200
#define MUTEX_SECONDS 3
#define FINISH_SECONDS 10

#include "stress.h"

static long futex(atomic_int *uaddr, int op, int val) {
    return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static atomic_int stop;
static atomic_int finished;
static atomic_int done[NTHREADS];
static atomic_int tids[NTHREADS];

// Per-thread futex accounting (each thread writes only its own slot).
struct acct {
    long woken;     // FUTEX_WAKE results added up
    long wait0;     // FUTEX_WAIT returned 0
    long eagain;    // FUTEX_WAIT returned EAGAIN
    long bad;       // an EAGAIN with the expected value still there, or another error
    long lastbad;   // the last such result (errno, or -1 for a wrong EAGAIN)
};
static struct acct accts[NTHREADS];

static void account_wait(struct acct *a, long r, atomic_int *word, int val) {
    if (r == 0)
        a->wait0++;
    else if (errno == EAGAIN) {
        a->eagain++;
        // The value the kernel saw was not val; only this thread can set it back to val.
        if (atomic_load(word) == val) {
            a->bad++;
            a->lastbad = -1;
        }
    } else {
        a->bad++;
        a->lastbad = errno;
    }
}

// The state letter of one of this process's threads, from /proc/self/task/TID/stat
// ("TID (comm) S ..."); 0 when unreadable.
static char thread_state(int tid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

// ---- 1. token ring
static atomic_int word[NTHREADS];  // 1: this thread holds the token
static atomic_long seq[NTHREADS];  // odd while this thread is inside FUTEX_WAIT
static atomic_long turn;           // passes so far; only the holder writes it
static long ring_passes[NTHREADS];
static atomic_long out_of_order;

static void *ring(void *arg) {
    int me = (int)(long)arg;
    int next = (me + 1) % NTHREADS;
    struct acct *a = &accts[me];
    atomic_store(&tids[me], (int)syscall(SYS_gettid));
    for (;;) {
        if (atomic_load(&word[me]) == 0) {
            atomic_fetch_add(&seq[me], 1);
            long r = futex(&word[me], FUTEX_WAIT_PRIVATE, 0);
            int e = errno;
            atomic_fetch_add(&seq[me], 1);
            errno = e;
            account_wait(a, r, &word[me], 0);
            continue;
        }
        atomic_store(&word[me], 0);
        int last = atomic_load(&stop);
        long t = atomic_load(&turn);
        if (t % NTHREADS != me)
            atomic_fetch_add(&out_of_order, 1);
        ring_passes[me]++;
        atomic_store(&turn, t + 1);
        atomic_store(&word[next], 1);
        long w = futex(&word[next], FUTEX_WAKE_PRIVATE, 1);
        if (w >= 0)
            __atomic_fetch_add(&a->woken, w, __ATOMIC_RELAXED);
        else {
            a->bad++;
            a->lastbad = errno;
        }
        // Having seen the stop flag, pass the token once more and leave: each thread in turn.
        if (last)
            break;
    }
    atomic_store(&done[me], 1);
    atomic_fetch_add(&finished, 1);
    return NULL;
}

// Sleep samples: a waiter seen asleep in FUTEX_WAIT without the token.
static long samples, asleep, other_state;

// One sample of thread k: only counted when k was inside one and the same FUTEX_WAIT call, with
// its word 0 (the token elsewhere), from before the state was read until after. Its word goes
// back to 0 only by k's own hand after leaving the call, so reading the word before the second
// look at seq closes the window.
static void sample(int k) {
    int tid = atomic_load(&tids[k]);
    long s1 = atomic_load(&seq[k]);
    if (!tid || !(s1 & 1) || atomic_load(&word[k]) != 0)
        return;
    char st = thread_state(tid);
    int w2 = atomic_load(&word[k]);
    long s2 = atomic_load(&seq[k]);
    if (w2 != 0 || s2 != s1)
        return;
    samples++;
    if (st == 'S')
        asleep++;
    else
        other_state++;
}

// ---- 2. futex mutex
static atomic_int lock_word;
static long shared_count;
static long own_count[NTHREADS];

static void lock(struct acct *a) {
    int c = 0;
    if (atomic_compare_exchange_strong(&lock_word, &c, 1))
        return;
    if (c != 2)
        c = atomic_exchange(&lock_word, 2);
    while (c != 0) {
        long r = futex(&lock_word, FUTEX_WAIT_PRIVATE, 2);
        if (r == 0)
            a->wait0++;
        else if (errno == EAGAIN)
            a->eagain++;
        else {
            a->bad++;
            a->lastbad = errno;
        }
        c = atomic_exchange(&lock_word, 2);
    }
}

static void unlock(struct acct *a) {
    if (atomic_fetch_sub(&lock_word, 1) != 1) {
        atomic_store(&lock_word, 0);
        long w = futex(&lock_word, FUTEX_WAKE_PRIVATE, 1);
        if (w >= 0)
            __atomic_fetch_add(&a->woken, w, __ATOMIC_RELAXED);
        else {
            a->bad++;
            a->lastbad = errno;
        }
    }
}

static void *counter(void *arg) {
    int me = (int)(long)arg;
    struct acct *a = &accts[me];
    while (!atomic_load(&stop)) {
        for (int i = 0; i < 64; i++) {
            lock(a);
            long v = shared_count;
            // A window in which a second holder would lose an increment.
            for (volatile int k = 0; k < 8; k++)
                ;
            shared_count = v + 1;
            unlock(a);
            own_count[me]++;
        }
    }
    atomic_store(&done[me], 1);
    atomic_fetch_add(&finished, 1);
    return NULL;
}

// Runs NTHREADS threads of fn for secs seconds (the main thread sampling their states when
// sampling is set), then stops them; exits with a FAIL line when some never finish.
static long live_woken(void) {
    long n = 0;
    for (int i = 0; i < NTHREADS; i++)
        n += __atomic_load_n(&accts[i].woken, __ATOMIC_RELAXED);
    return n;
}

// Runs fn in NTHREADS threads for secs seconds, then on (up to max_secs) until they woke
// `wakes` waiters in all.
static void phase(void *(*fn)(void *), const char *name, int secs, int sampling, long wakes,
                  int max_secs) {
    pthread_t t[NTHREADS];
    atomic_store(&stop, 0);
    atomic_store(&finished, 0);
    memset(accts, 0, sizeof accts);
    for (int i = 0; i < NTHREADS; i++)
        atomic_store(&done[i], 0);
    for (long i = 0; i < NTHREADS; i++)
        if (pthread_create(&t[i], NULL, fn, (void *)i) != 0) {
            printf("FAIL %s: pthread_create\n", name);
            exit(1);
        }
    struct timespec tick = {0, sampling ? 1000 * 1000 : 10 * 1000 * 1000};
    double start = now(), end = start + secs, last = start + max_secs;
    for (unsigned k = 0; now() < end; k++) {
        if (sampling)
            sample(k % NTHREADS);
        nanosleep(&tick, NULL);
    }
    // (no more sampling: reading /proc takes the kernel from the ring's threads)
    struct timespec slow = {0, 20 * 1000 * 1000};
    while (live_woken() < wakes && now() < last)
        nanosleep(&slow, NULL);
    atomic_store(&stop, 1);
    tick.tv_nsec = 10 * 1000 * 1000;
    double limit = now() + FINISH_SECONDS;
    while (atomic_load(&finished) < NTHREADS && now() < limit)
        nanosleep(&tick, NULL);
    int n = atomic_load(&finished);
    char what[160];
    snprintf(what, sizeof what, "%s: all %d threads finished after the stop (no lost wake-up)",
             name, NTHREADS);
    result(n == NTHREADS, what);
    if (n != NTHREADS) {
        printf("FAIL %s: %d threads still blocked %d s after the stop:", name, NTHREADS - n,
               FINISH_SECONDS);
        for (int i = 0; i < NTHREADS; i++)
            if (!atomic_load(&done[i])) {
                char st = thread_state(atomic_load(&tids[i]));
                printf(" %d (state %c)", i, st ? st : '?');
            }
        printf("\n");
        if (fn == ring) {
            printf("ring: after %ld passes, token words:", atomic_load(&turn));
            for (int i = 0; i < NTHREADS; i++)
                printf(" %d", atomic_load(&word[i]));
            printf("\n");
        }
        // Stuck threads cannot be joined; exit_group ends them.
        fflush(stdout);
        exit(1);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
}

// The exact reconciliation of one phase's futex calls.
static void reconcile(const char *name) {
    struct acct sum = {0};
    for (int i = 0; i < NTHREADS; i++) {
        sum.woken += accts[i].woken;
        sum.wait0 += accts[i].wait0;
        sum.eagain += accts[i].eagain;
        sum.bad += accts[i].bad;
        if (accts[i].bad)
            sum.lastbad = accts[i].lastbad;
    }
    char what[200];
    snprintf(what, sizeof what,
             "%s: FUTEX_WAKE woke %ld waiters, %ld FUTEX_WAIT calls returned 0 (must be equal)",
             name, sum.woken, sum.wait0);
    result(sum.woken == sum.wait0, what);
    if (strcmp(name, "ring") == 0) {
        snprintf(what, sizeof what, "ring: at least %ld wake-ups checked", RING_WAKES);
        result(sum.woken >= RING_WAKES, what);
    }
    snprintf(what, sizeof what,
             "%s: %ld EAGAIN results, none with the expected value in place, no other error",
             name, sum.eagain);
    result(sum.bad == 0, what);
    if (sum.bad)
        fprintf(stderr, "%s: %ld bad futex results, the last %s\n", name, sum.bad,
                sum.lastbad == -1 ? "EAGAIN with the value unchanged" : strerror(sum.lastbad));
}

int main(void) {
    atomic_store(&word[0], 1);
    phase(ring, "ring", RING_SECONDS, 1, RING_WAKES, RING_MAX_SECONDS);
    long total = 0, lo = ring_passes[0], hi = ring_passes[0];
    for (int i = 0; i < NTHREADS; i++) {
        total += ring_passes[i];
        if (ring_passes[i] < lo)
            lo = ring_passes[i];
        if (ring_passes[i] > hi)
            hi = ring_passes[i];
    }
    char what[200];
    result(total == atomic_load(&turn), "ring: every pass counted once");
    result(hi - lo <= 1 && atomic_load(&out_of_order) == 0, "ring: passes went round-robin");
    snprintf(what, sizeof what, "ring: %ld passes (at least 1000)", total);
    result(total >= 1000, what);
    if (total < 1000 || hi - lo > 1 || atomic_load(&out_of_order))
        fprintf(stderr, "ring: %ld passes, per thread %ld..%ld, %ld out of order\n", total, lo,
                hi, atomic_load(&out_of_order));
    reconcile("ring");
    // Every waiter sleeps through 7 of every 8 passes; only one entering or leaving its call
    // may be seen running.
    snprintf(what, sizeof what,
             "ring: waiters seen asleep in FUTEX_WAIT without the token in %ld of %ld samples "
             "(at least 20, and 3 in 4)",
             asleep, samples);
    result(asleep >= 20 && asleep * 4 >= samples * 3, what);

    phase(counter, "mutex", MUTEX_SECONDS, 0, 0, MUTEX_SECONDS);
    long sum = 0;
    for (int i = 0; i < NTHREADS; i++)
        sum += own_count[i];
    snprintf(what, sizeof what, "mutex: no lost increment in %ld", sum);
    result(sum == shared_count, what);
    result(sum >= 1000, "mutex: at least 1000 increments");
    result(atomic_load(&lock_word) == 0, "mutex: free at the end");
    if (sum != shared_count || sum < 1000)
        fprintf(stderr, "mutex: shared %ld, sum of own counts %ld\n", shared_count, sum);
    reconcile("mutex");
    return failures ? 1 : 0;
}
