// Microbenchmarks for `cargo xtask bench` (run inside Rill and inside Debian's Linux under the
// same QEMU): each prints "bench: NAME NS ns/op (N ops)" with the time per operation measured
// inside the guest with clock_gettime(CLOCK_MONOTONIC). Each benchmark repeats batches until
// its time budget is spent (--quick: a short budget, for the smoke test in `cargo xtask test`).
//   getppid   null system call
//   pipe      pipe ping-pong between two processes (one round trip = 2 writes + 2 reads)
//   thread    pthread_create + pthread_join of a thread that returns at once
//   forkexec  fork + execve of this program (exits at once) + waitpid
//   futex     futex wake/wait round trip between two threads
// Exits non-zero (with a "bench: NAME failed" line) if an operation fails.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double budget = 1.0;
static const char *self_path;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *name, const char *what) {
    printf("bench: %s failed: %s: %s\n", name, what, strerror(errno));
    exit(1);
}

// Runs op(batch) repeatedly until the budget is spent; reports ns per single op.
static void run(const char *name, long batch, int (*op)(long)) {
    long done = 0;
    double t0 = now(), t;
    do {
        if (op(batch) != 0)
            fail(name, "operation");
        done += batch;
        t = now();
    } while (t - t0 < budget);
    printf("bench: %s %.0f ns/op (%ld ops)\n", name, (t - t0) * 1e9 / done, done);
    fflush(stdout);
}

static int op_getppid(long n) {
    for (long i = 0; i < n; i++)
        syscall(SYS_getppid);
    return 0;
}

// ---- pipe ping-pong: the child echoes each byte back until EOF.
static int ping[2], pong[2];

static int op_pipe(long n) {
    char c = 'x';
    for (long i = 0; i < n; i++) {
        if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
            return -1;
    }
    return 0;
}

static void bench_pipe(void) {
    if (pipe(ping) || pipe(pong))
        fail("pipe", "pipe");
    pid_t pid = fork();
    if (pid < 0)
        fail("pipe", "fork");
    if (pid == 0) {
        close(ping[1]);
        close(pong[0]);
        char c;
        while (read(ping[0], &c, 1) == 1)
            if (write(pong[1], &c, 1) != 1)
                _exit(1);
        _exit(0);
    }
    close(ping[0]);
    close(pong[1]);
    run("pipe", 200, op_pipe);
    close(ping[1]);
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail("pipe", "echo child");
    close(pong[0]);
}

static void *nothing(void *arg) { return arg; }

static int op_thread(long n) {
    for (long i = 0; i < n; i++) {
        pthread_t t;
        void *r;
        if (pthread_create(&t, NULL, nothing, (void *)i) || pthread_join(t, &r) || (long)r != i)
            return -1;
    }
    return 0;
}

static int op_forkexec(long n) {
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            execl(self_path, self_path, "--exit", (char *)NULL);
            _exit(127);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            return -1;
    }
    return 0;
}

// ---- futex round trip: the word says whose turn it is (0 main, 1 partner, 2 stop).
static atomic_int word;

static long futex(atomic_int *uaddr, int op, int val) {
    return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static void wait_for(int want) {
    int v;
    while ((v = atomic_load(&word)) != want && v != 2)
        futex(&word, FUTEX_WAIT_PRIVATE, v);
}

static void *partner(void *arg) {
    for (;;) {
        wait_for(1);
        if (atomic_load(&word) == 2)
            return arg;
        atomic_store(&word, 0);
        futex(&word, FUTEX_WAKE_PRIVATE, 1);
    }
}

static int op_futex(long n) {
    for (long i = 0; i < n; i++) {
        atomic_store(&word, 1);
        futex(&word, FUTEX_WAKE_PRIVATE, 1);
        wait_for(0);
    }
    return 0;
}

static void bench_futex(void) {
    pthread_t t;
    atomic_store(&word, 0);
    if (pthread_create(&t, NULL, partner, NULL))
        fail("futex", "pthread_create");
    run("futex", 100, op_futex);
    atomic_store(&word, 2);
    futex(&word, FUTEX_WAKE_PRIVATE, 1);
    pthread_join(t, NULL);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--exit") == 0)
        return 0;
    self_path = argv[0];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            budget = 0.05;
        else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc)
            budget = atof(argv[++i]);
    }
    if (self_path[0] != '/') {
        fprintf(stderr, "bench: run me by absolute path (fork+exec re-executes argv[0])\n");
        return 2;
    }
    run("getppid", 1000, op_getppid);
    bench_pipe();
    run("thread", 20, op_thread);
    run("forkexec", 5, op_forkexec);
    bench_futex();
    return 0;
}
