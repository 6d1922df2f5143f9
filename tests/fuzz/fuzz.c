/* Robustness fuzzer for Rill: unprivileged workers issue random syscalls with
 * random arguments; the kernel must survive and keep serving the parent.
 *
 * Build: gcc -O1 -Wall -static -o fuzz fuzz.c   (run as root in a temp dir)
 *
 * Design
 *  - The parent (root) creates a scratch directory "fuzzdir" (0777) with a few
 *    files, becomes a child subreaper, and runs up to SLOTS workers at a time.
 *  - Each worker: fd 0/1/2 -> /dev/null, fds 3..10 set to pipes, files, dirs
 *    and devices so that small fd numbers mean something; resource limits
 *    (address space, processes, file size, fds) so random calls cannot exhaust
 *    the machine; drops to uid/gid 65534; SIGKILL on parent death; a periodic
 *    20 ms SIGALRM (handler without SA_RESTART) so blocking calls return EINTR.
 *    Then it issues MAX_CALLS random syscalls (numbers 0..470) with a fixed
 *    PRNG seed per worker index, counting each completed call in a MAP_SHARED
 *    slot the parent reads after reaping it (a worker that dies loses only the
 *    call it died in).
 *  - The loop uses an inline-asm syscall and no libc (no errno/TLS), so a
 *    random arch_prctl(ARCH_SET_FS) does not break it. If a fork-like call
 *    (clone, fork, vfork, clone3) returns 0, the child runs exit(0) in the
 *    same asm block, touching no memory (its stack may be garbage or shared).
 *  - Parent watchdog: a worker making no progress for 2 s, or running for more
 *    than 20 s, is killed with SIGKILL and replaced. ptrace stops (a worker
 *    may PTRACE_TRACEME) are continued with the stop signal.
 *
 * Skipped syscall numbers (the only ones):
 *  - 169 reboot: could take the machine down (EPERM as nobody, but skipped as
 *    the brief requires).
 *  - 62 kill, 200 tkill, 234 tgkill, 129 rt_sigqueueinfo,
 *    297 rt_tgsigqueueinfo, 424 pidfd_send_signal: could signal processes
 *    other than the worker itself (its pid/tid are not worth targeting).
 *  - 335, 336: unassigned upstream (so they only exercise ENOSYS, which 340..
 *    423 cover as well), but the development host kernel traps them with
 *    SIGILL / odd results, which would make host runs meaningless.
 *
 * Output: "fuzz: workers N, died by signal M", "fuzz: watchdog kills K",
 * and finally exactly "fuzz: done N syscalls"; exit 0 when N >= 100000.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TARGET 120000L
#define MAX_CALLS 3000
#define SLOTS 3
#define MAX_NR 470
#define DEADLINE_NS (170LL * 1000000000LL)
#define STALL_NS (2LL * 1000000000LL)
#define WORKER_MAX_NS (20LL * 1000000000LL)
#define BUFSZ 65536

static volatile long *counters; /* MAP_SHARED, one cache line per slot */

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---------------------------------------------------------------- worker */

static unsigned char buf[BUFSZ] __attribute__((aligned(4096)));
static char paths[4096] __attribute__((aligned(4096)));
static long path_off[32];
static int npaths;
static uint64_t rng;

static uint64_t next(void)
{
    /* xorshift64* */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

static long raw6(long nr, long a1, long a2, long a3, long a4, long a5, long a6, long forky)
{
    long ret;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    register long r12 __asm__("r12") = forky;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "test %%r12, %%r12\n\t"
                     "jz 1f\n\t"
                     "mov $60, %%eax\n\t" /* child of a fork-like call: exit(0) */
                     "xor %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "1:\n\t"
                     : "=a"(ret)
                     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9), "r"(r12)
                     : "rcx", "r11", "memory");
    return ret;
}

static void add_path(const char *s)
{
    static long off;
    size_t n = strlen(s) + 1;
    if (npaths < 32 && off + (long)n < (long)sizeof paths) {
        memcpy(paths + off, s, n);
        path_off[npaths++] = off;
        off += n;
    }
}

static long arg(void)
{
    uint64_t r = next();
    switch (r % 12) {
    case 0:
        return (long)(next() % 17);                 /* small int */
    case 1:
        return -1;
    case 2:
        return (long)(next() % 11);                 /* fd 0..10 */
    case 3:
    case 4:
        return (long)(buf + next() % (BUFSZ - 256)); /* valid buffer */
    case 5:
        return (long)(paths + path_off[next() % npaths]); /* path string */
    case 6:
        return 0;                                   /* NULL */
    case 7:
        return (long)next();                        /* random 64-bit */
    case 8:
        return (long)(0xffff800000000000ULL + (next() & 0xffffffffffULL)); /* kernel */
    case 9:
        return (long)(4096 * (next() % 64));        /* page multiple */
    case 10:
        return (long)(1UL << (next() % 32)) | (long)(next() % 4); /* flag-ish */
    default:
        return (long)(next() % 4096);
    }
}

static void refresh_buf(void)
{
    /* fill with a mix of small numbers, pointers into buf and garbage so that
     * structures (iovecs, sigactions, timespecs...) sometimes look sensible */
    uint64_t *w = (uint64_t *)buf;
    for (size_t i = 0; i < BUFSZ / 8; i += 1 + next() % 4) {
        switch (next() % 4) {
        case 0:
            w[i] = next() % 64;
            break;
        case 1:
            w[i] = (uint64_t)(buf + next() % (BUFSZ - 256));
            break;
        case 2:
            w[i] = 0;
            break;
        default:
            w[i] = next();
        }
    }
}

static void on_alarm(int s)
{
    (void)s;
}

static int skipped(long nr)
{
    switch (nr) {
    case 169:                      /* reboot */
    case 62: case 200: case 234:   /* kill, tkill, tgkill */
    case 129: case 297: case 424:  /* rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal */
    case 335: case 336:            /* see header comment */
        return 1;
    }
    return 0;
}

static void must_open(const char *path, int flags)
{
    if (open(path, flags) < 0)
        open("/dev/null", O_RDWR);
}

static void worker(int slot, long index)
{
    volatile long *ctr = counters + slot * 8;
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* fds: 0-2 /dev/null, 3..10 assorted */
    if (syscall(SYS_close_range, 3, ~0U, 0) != 0)
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
    int nul = open("/dev/null", O_RDWR);
    dup2(nul, 0);
    dup2(nul, 1);
    dup2(nul, 2);
    if (nul > 2)
        close(nul);
    /* bounded resources */
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = 512UL << 20;
    setrlimit(RLIMIT_AS, &rl);
    rl.rlim_cur = rl.rlim_max = 64;
    setrlimit(RLIMIT_NPROC, &rl);
    setrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max = 1UL << 20;
    setrlimit(RLIMIT_FSIZE, &rl);
    rl.rlim_cur = rl.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &rl);
    rl.rlim_cur = rl.rlim_max = 64 << 10;
    setrlimit(RLIMIT_MEMLOCK, &rl);
    /* enter the scratch dir while still root: its parent may be root-only */
    if (chdir("fuzzdir") != 0)
        _exit(120);
    /* drop privileges */
    setgroups(0, NULL);
    setgid(65534);
    setuid(65534);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* reset by setuid */
    /* fixtures are opened as nobody, without following symlinks that
     * earlier workers may have planted; a failed open keeps the fd slot */
    int p[2];
    if (pipe(p) != 0) /* 3, 4 */
        _exit(121);
    must_open("/dev/null", O_RDWR);                          /* 5 */
    must_open("file", O_RDWR | O_NONBLOCK | O_NOFOLLOW);     /* 6 */
    must_open(".", O_RDONLY | O_DIRECTORY);                  /* 7 */
    must_open("/dev/zero", O_RDONLY);                        /* 8 */
    if (pipe2(p, O_NONBLOCK) != 0)                           /* 9, 10 */
        _exit(122);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 20000}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    /* data */
    rng = 0x243F6A8885A308D3ULL ^ ((uint64_t)(index + 1) * 0x9E3779B97F4A7C15ULL);
    const char *ps[] = {".", "..", "file", "dir", "link", "fifo", "newfile", "dir/sub", "", "/",
                        "/dev/null", "/dev/zero", "/tmp", "/proc/self/status", "/proc/self/fd",
                        "nonexistent", "file/x", "dir/../file", "/proc/self/maps", "dangling"};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        add_path(ps[i]);
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    add_path(longname);
    refresh_buf();
    for (long i = 0; i < MAX_CALLS; i++) {
        if ((i & 255) == 255)
            refresh_buf();
        long nr = (long)(next() % (MAX_NR + 1));
        if (skipped(nr))
            continue;
        long forky = nr == SYS_clone || nr == SYS_fork || nr == SYS_vfork || nr == 435 /* clone3 */;
        long a1 = arg(), a2 = arg(), a3 = arg(), a4 = arg(), a5 = arg(), a6 = arg();
        raw6(nr, a1, a2, a3, a4, a5, a6, forky);
        *ctr += 1;
    }
    raw6(SYS_exit_group, 0, 0, 0, 0, 0, 0, 0);
}

/* ---------------------------------------------------------------- parent */

struct slot {
    pid_t pid;
    long index;
    long last;
    long long start, progress;
    int watchdog;
};

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counters == MAP_FAILED) {
        printf("fuzz: mmap failed\n");
        return 2;
    }
    umask(0);
    mkdir("fuzzdir", 0777);
    chmod("fuzzdir", 0777);
    int fd = open("fuzzdir/file", O_RDWR | O_CREAT | O_TRUNC, 0666);
    if (fd >= 0) {
        if (write(fd, "fuzz file contents\n", 19) < 0)
            printf("fuzz: setup write failed\n");
        close(fd);
    }
    mkdir("fuzzdir/dir", 0777);
    mkdir("fuzzdir/dir/sub", 0777);
    symlink("file", "fuzzdir/link");
    symlink("nowhere", "fuzzdir/dangling");
    mkfifo("fuzzdir/fifo", 0666);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);

    struct slot s[SLOTS];
    memset(s, 0, sizeof s);
    long started = 0, total = 0, died = 0, watchdog = 0, inflight_max = 0, setup_fail = 0;
    long long t0 = now_ns();
    for (;;) {
        long long now = now_ns();
        int active = 0;
        for (int i = 0; i < SLOTS; i++)
            active += s[i].pid != 0;
        /* start workers while more calls are needed and time remains */
        long inflight = (long)active * MAX_CALLS;
        for (int i = 0; i < SLOTS && total + inflight < TARGET && now - t0 < DEADLINE_NS; i++) {
            if (s[i].pid)
                continue;
            counters[i * 8] = 0;
            pid_t pid = fork();
            if (pid == 0)
                worker(i, started);
            if (pid < 0)
                break;
            s[i].pid = pid;
            s[i].index = started++;
            s[i].last = 0;
            s[i].start = s[i].progress = now;
            s[i].watchdog = 0;
            inflight += MAX_CALLS;
            active++;
        }
        if (inflight > inflight_max)
            inflight_max = inflight;
        if (active == 0)
            break;
        if (setup_fail > 20 && total == 0) {
            printf("fuzz: worker setup keeps failing\n");
            break;
        }
        /* reap everything: workers and orphans handed to us as subreaper */
        for (;;) {
            int st;
            pid_t r = waitpid(-1, &st, WNOHANG | __WALL);
            if (r <= 0)
                break;
            int k = -1;
            for (int i = 0; i < SLOTS; i++)
                if (s[i].pid == r)
                    k = i;
            if (WIFSTOPPED(st)) {
                /* ptrace stop of a worker (or orphan) that did PTRACE_TRACEME */
                if (ptrace(PTRACE_CONT, r, 0, (void *)(long)WSTOPSIG(st)) != 0)
                    kill(r, SIGKILL);
                continue;
            }
            if (k < 0)
                continue;
            total += counters[k * 8];
            if (WIFSIGNALED(st))
                died++;
            if (WIFEXITED(st) && WEXITSTATUS(st) >= 120 && WEXITSTATUS(st) <= 122 && counters[k * 8] == 0)
                setup_fail++;
            watchdog += s[k].watchdog;
            s[k].pid = 0;
        }
        /* watchdog */
        now = now_ns();
        for (int i = 0; i < SLOTS; i++) {
            if (!s[i].pid || s[i].watchdog)
                continue;
            long c = counters[i * 8];
            if (c != s[i].last) {
                s[i].last = c;
                s[i].progress = now;
            }
            if (now - s[i].progress > STALL_NS || now - s[i].start > WORKER_MAX_NS) {
                kill(s[i].pid, SIGKILL);
                s[i].watchdog = 1;
            }
        }
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    /* reap any stragglers (orphans of workers) briefly */
    while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
        ;
    printf("fuzz: workers %ld, died by signal %ld\n", started, died);
    printf("fuzz: watchdog kills %ld, elapsed %s 3 min\n", watchdog,
           now_ns() - t0 < 180LL * 1000000000LL ? "under" : "over");
    printf("fuzz: done %ld syscalls\n", total);
    return total >= 100000 ? 0 : 1;
}
