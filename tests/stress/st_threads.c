// Stress: start and join 1,000 threads (in batches), checking every thread's result, and check
// that memory comes back: free memory (MemFree in /proc/meminfo) after several more rounds is
// within a tolerance of its level after the first (warm-up) round. Rounds run both inside this
// process (glibc caches thread stacks) and in forked children (everything is freed at exit).
// Prints "PASS ..." / "FAIL ..." lines computed here; exits 0 only when everything passed.
// Not a differential test: the figures depend on the machine (the host's MemFree moves with
// whatever else runs there).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 1000
#define BATCH 50
#define ROUNDS 4
// A leak of one 4 KiB page per thread over three rounds would be 12 MiB.
#define TOLERANCE_KB 4096L

static int failures;

static void result(int ok, const char *what) {
    printf("%s %s\n", ok ? "PASS" : "FAIL", what);
    fflush(stdout);
    if (!ok)
        failures++;
}

static long mem_free_kb(void) {
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long kb = -1;
    if (f) {
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
                break;
        fclose(f);
    }
    if (kb < 0) {
        struct sysinfo si;
        if (sysinfo(&si) == 0)
            kb = (long)((unsigned long long)si.freeram * si.mem_unit / 1024);
    }
    return kb;
}

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

static void leak_check(const char *kind, int (*round)(void)) {
    long after[ROUNDS];
    int bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (round() != 0)
            bad++;
        after[r] = mem_free_kb();
    }
    char what[160];
    snprintf(what, sizeof what, "%s: %d rounds of %d threads, every result right", kind, ROUNDS,
             THREADS);
    result(bad == 0, what);
    long drift = after[0] - after[ROUNDS - 1];
    snprintf(what, sizeof what, "%s: free memory back to its level after round 1 (within %ld kB)",
             kind, TOLERANCE_KB);
    result(after[0] > 0 && drift <= TOLERANCE_KB, what);
    if (drift > TOLERANCE_KB)
        fprintf(stderr, "%s: MemFree after round 1: %ld kB, after round %d: %ld kB\n", kind,
                after[0], ROUNDS, after[ROUNDS - 1]);
}

int main(void) {
    result(mem_free_kb() > 0, "free memory is readable");
    leak_check("forked", forked_round);
    leak_check("in-process", thread_round);
    return failures ? 1 : 0;
}
