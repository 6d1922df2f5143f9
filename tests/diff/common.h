/* Shared helpers for the Rill differential tests (host Linux vs Rill).
 * Every test must print only deterministic, environment-independent facts. */
#ifndef RILL_DIFF_COMMON_H
#define RILL_DIFF_COMMON_H
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BADPTR ((void *)1)
#define KPTR ((void *)0xffff800000000000UL)

/* Name of an errno value, e.g. "ENOENT". */
static inline const char *en(int e)
{
    const char *s = strerrorname_np(e);
    return s ? s : "E?";
}

/* Print "label: VALUE" or "label: -1 ENAME". */
#define SHOW(label, expr)                                                      \
    do {                                                                       \
        errno = 0;                                                             \
        long _r = (long)(expr);                                                \
        int _e = errno;                                                        \
        if (_r == -1)                                                          \
            printf("%s: -1 %s\n", (label), en(_e));                            \
        else                                                                   \
            printf("%s: %ld\n", (label), _r);                                  \
    } while (0)

/* Print "label: ok" for any non-negative result (fds etc.), else the errno. */
#define SHOWOK(label, expr)                                                    \
    do {                                                                       \
        errno = 0;                                                             \
        long _r = (long)(expr);                                                \
        int _e = errno;                                                        \
        if (_r < 0)                                                            \
            printf("%s: -1 %s\n", (label), en(_e));                            \
        else                                                                   \
            printf("%s: ok\n", (label));                                       \
    } while (0)

/* Abort the test loudly if a setup step fails. */
#define MUST(expr)                                                             \
    do {                                                                       \
        if ((long)(expr) < 0) {                                                \
            printf("SETUP FAILED line %d: %s: %s\n", __LINE__, #expr,          \
                   en(errno));                                                 \
            exit(99);                                                          \
        }                                                                      \
    } while (0)

#define YN(label, cond) printf("%s: %s\n", (label), (cond) ? "yes" : "no")

/* Unbuffered stdout so output interleaves correctly with forks and stderr.
 * When started by the runner (no arguments), also normalise what a parent
 * could leak into us: extra open fds, ignored or blocked signals. Re-exec'd
 * helper invocations (argc > 1) keep what they inherited on purpose. */
__attribute__((constructor)) static void rill_diff_init(int argc, char **argv, char **envp)
{
    (void)argv;
    (void)envp;
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc != 1)
        return;
    if (syscall(SYS_close_range, 3, ~0U, 0) != 0)
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
    for (int sig = 1; sig < 32; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Describe a wait status deterministically. */
static inline void show_status(const char *label, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", label, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by %s\n", label, sigabbrev_np(WTERMSIG(st)));
    else if (WIFSTOPPED(st))
        printf("%s: stopped by %s\n", label, sigabbrev_np(WSTOPSIG(st)));
    else if (WIFCONTINUED(st))
        printf("%s: continued\n", label);
    else
        printf("%s: status 0x%x\n", label, st);
}

/* Wait for a specific child and describe it. */
static inline void wait_show(const char *label, pid_t pid)
{
    int st = 0;
    pid_t r = waitpid(pid, &st, 0);
    if (r != pid) {
        printf("%s: waitpid failed %s\n", label, en(errno));
        return;
    }
    show_status(label, st);
}

/* Write a whole file (create/truncate, mode 0644). */
static inline void put_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        printf("SETUP FAILED put_file %s: %s\n", path, en(errno));
        exit(99);
    }
    size_t n = strlen(data);
    if (write(fd, data, n) != (ssize_t)n) {
        printf("SETUP FAILED write %s\n", path);
        exit(99);
    }
    close(fd);
}

/* Read a whole small file into buf (NUL-terminated); returns length or -1. */
static inline long get_file(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n >= cap - 1)
            break;
    }
    buf[n] = 0;
    close(fd);
    return (long)n;
}

static inline long long now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Path usable to re-exec this program. */
static inline const char *self_path(const char *argv0)
{
    return strchr(argv0, '/') ? argv0 : "/proc/self/exe";
}

/* Keep crashing children from producing core dumps. */
static inline void no_core(void)
{
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Number of threads of this process (entries of /proc/self/task). */
static inline int count_self_tasks(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n;
}

static sigjmp_buf probe_jb;
static void probe_on_segv(int s)
{
    (void)s;
    siglongjmp(probe_jb, 1);
}

/* Whether *p can be read (the SIGSEGV of a failed read is caught here). */
static inline int probe_read(volatile char *p)
{
    signal(SIGSEGV, probe_on_segv);
    if (sigsetjmp(probe_jb, 1))
        return 0;
    (void)*p;
    return 1;
}

/* ---- SMP: proof that two CPUs ran this test's threads at the same time ----
 * Each participating thread calls smp_meet(slot) (a distinct slot < SMP_SLOTS per
 * thread) while the others may be running; it spins there, publishing the CPU that
 * getcpu(2) reports, until some thread has seen another slot publish a CPU different
 * from its own twice while it itself stayed on one CPU; then all meets return. The
 * wait is bounded (10 s from the first meet, shared by all: later meets return at once
 * once it has passed). smp_report() prints the verdict. On one CPU (Rill -smp 1, the
 * host under taskset -c 0) every getcpu reports the same CPU: the verdict is "no". */
#define SMP_SLOTS 8
static struct {
    long beat;
    int cpu;
} smp_slot[SMP_SLOTS];
static int smp_pair_seen;
static long long smp_deadline;

static inline int smp_getcpu(void)
{
    unsigned c = ~0U;
    if (syscall(SYS_getcpu, &c, NULL, NULL) != 0)
        return -1;
    return (int)c;
}

static inline void smp_meet(int slot)
{
    long long zero = 0, end = now_ns(CLOCK_MONOTONIC) + 10000000000LL;
    __atomic_compare_exchange_n(&smp_deadline, &zero, end, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    end = __atomic_load_n(&smp_deadline, __ATOMIC_SEQ_CST);
    long base[SMP_SLOTS] = {0};
    int home = -2;
    for (unsigned n = 0; !__atomic_load_n(&smp_pair_seen, __ATOMIC_SEQ_CST); n++) {
        if ((n & 63) == 0 && now_ns(CLOCK_MONOTONIC) > end)
            return;
        int c = smp_getcpu();
        __atomic_store_n(&smp_slot[slot].cpu, c, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&smp_slot[slot].beat, 1, __ATOMIC_SEQ_CST);
        if (c < 0)
            continue;
        if (c != home) { /* (re)start the window on this CPU */
            home = c;
            for (int k = 0; k < SMP_SLOTS; k++)
                base[k] = __atomic_load_n(&smp_slot[k].beat, __ATOMIC_SEQ_CST);
            continue;
        }
        for (int k = 0; k < SMP_SLOTS; k++) {
            if (k == slot)
                continue;
            /* two more beats of k since the window opened: its latest cpu value was
             * written after that, while this thread was (still) on `home` */
            long b = __atomic_load_n(&smp_slot[k].beat, __ATOMIC_SEQ_CST);
            int kc = __atomic_load_n(&smp_slot[k].cpu, __ATOMIC_SEQ_CST);
            if (b >= base[k] + 2 && kc >= 0 && kc != home)
                __atomic_store_n(&smp_pair_seen, 1, __ATOMIC_SEQ_CST);
        }
    }
}

static inline void smp_report(void)
{
    YN("two cpus ran this test's threads at the same time (getcpu)",
       __atomic_load_n(&smp_pair_seen, __ATOMIC_SEQ_CST));
}

#endif
