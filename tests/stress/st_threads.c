// Stress: start and join 500 threads (in batches), checking every thread's result, and check
// that memory comes back: free memory after the last of 10 rounds is within 256 KiB of its
// level after the first (warm-up) round, i.e. less than 60 bytes per thread started after it
// (free memory: MemFree, plus on Linux its caches of freed pages and objects; mem_free_kb()).
// The kernel may free lazily: when the last reading is short, it is polled for up to
// SETTLE_MS for memory to come back. Rounds run both inside this process (glibc caches
// thread stacks) and in forked children (everything is freed at exit).
// Prints "PASS ..." / "FAIL ..." lines computed here; exits 0 only when everything passed.
// Not a differential test: the figures depend on the machine (the host's MemFree moves with
// whatever else runs there).
// Built with -DST_THREADS_LEAK=1, every 4th thread (-DST_THREADS_LEAK_EVERY=N: every Nth)
// leaks a touched private 4 KiB mmap (1 KiB per thread: the in-process check must fail; the
// forked one must pass, exit frees it); with -DST_THREADS_LEAK=2 it touches a new page of a
// shared mapping the parent keeps (both fail).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define THREADS 500
#define BATCH 50
#define ROUNDS 10
#define TOLERANCE_KB 256L
#define SETTLE_MS 3000
#ifndef ST_THREADS_LEAK
#define ST_THREADS_LEAK 0
#endif
#ifndef ST_THREADS_LEAK_EVERY
#define ST_THREADS_LEAK_EVERY 4
#endif

#include "stress.h"

#if ST_THREADS_LEAK
#define LEAK_REGION (32L << 20)
static char *leak_region; // shared: [0] holds the next page's index
static void leak(long n) {
    if (n % ST_THREADS_LEAK_EVERY)
        return;
    char *p;
    if (ST_THREADS_LEAK == 1)
        p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    else {
        long i = atomic_fetch_add((_Atomic long *)leak_region, 1) + 1;
        p = i < LEAK_REGION / 4096 ? leak_region + i * 4096 : MAP_FAILED;
    }
    if (p != MAP_FAILED)
        p[0] = 1;
}
#endif

struct slot {
    long in, out;
    pthread_t tid;
};

static void *work(void *arg) {
    struct slot *s = arg;
    // A little stack and heap use so that both must be given back.
    volatile char buf[2048];
    memset((char *)buf, (int)(s->in & 0x7f), sizeof buf);
    char *p = malloc(256);
    if (!p)
        return (void *)-1L;
    p[0] = buf[100];
    s->out = s->in * 3 + 1 + (p[0] - (char)(s->in & 0x7f));
    free(p);
#if ST_THREADS_LEAK
    leak(s->in);
#endif
    return (void *)(s->in ^ 0x5a5a);
}

// One round: THREADS threads, BATCH at a time; returns the number of wrong results.
static int thread_round(void) {
    static struct slot slots[BATCH];
    int bad = 0;
    for (int base = 0; base < THREADS; base += BATCH) {
        for (int i = 0; i < BATCH; i++) {
            slots[i].in = base + i;
            slots[i].out = -1;
            int e = pthread_create(&slots[i].tid, NULL, work, &slots[i]);
            if (e) {
                fprintf(stderr, "pthread_create #%d: %s\n", base + i, strerror(e));
                return bad + THREADS - base;
            }
        }
        for (int i = 0; i < BATCH; i++) {
            void *ret = NULL;
            int e = pthread_join(slots[i].tid, &ret);
            if (e || (long)ret != (slots[i].in ^ 0x5a5a) || slots[i].out != slots[i].in * 3 + 1)
                bad++;
        }
    }
    return bad;
}

static int forked_round(void) {
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(thread_round() == 0 ? 0 : 1);
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void leak_check(const char *kind, int (*round)(void)) {
    long after[ROUNDS];
    int bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (round() != 0)
            bad++;
        after[r] = mem_free_kb();
    }
    // Bounded wait for memory the kernel gives back late.
    long first = after[0], last = after[ROUNDS - 1];
    int waited = 0;
    while (first - last > TOLERANCE_KB && waited < SETTLE_MS) {
        pause_ms(20);
        waited += 20;
        last = mem_free_kb();
    }
    char what[200];
    snprintf(what, sizeof what, "%s: %d rounds of %d threads, every result right", kind, ROUNDS,
             THREADS);
    result(bad == 0, what);
    long drift = first - last;
    snprintf(what, sizeof what,
             "%s: free memory after round %d within %ld kB of its level after round 1 "
             "(change %+ld kB)",
             kind, ROUNDS, TOLERANCE_KB, -drift);
    result(first > 0 && last > 0 && drift <= TOLERANCE_KB, what);
    if (drift > TOLERANCE_KB) {
        fprintf(stderr, "%s: free memory (kB) after each round:", kind);
        for (int r = 0; r < ROUNDS; r++)
            fprintf(stderr, " %ld", after[r]);
        fprintf(stderr, "; %d ms later: %ld (%ld bytes per thread after round 1)\n", waited,
                last, drift * 1024 / ((ROUNDS - 1) * (long)THREADS));
    }
}

int main(void) {
#if ST_THREADS_LEAK
    leak_region = mmap(NULL, LEAK_REGION, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (leak_region == MAP_FAILED)
        return 1;
#endif
    result(mem_free_kb() > 0, "free memory is readable");
    leak_check("forked", forked_round);
    leak_check("in-process", thread_round);
    return failures ? 1 : 0;
}
