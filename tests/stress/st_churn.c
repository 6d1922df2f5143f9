// Stress: process and thread churn with every per-process and per-thread attribute touched.
// 20,000 fork+exit+wait cycles, each child setting its nice value, scheduling policy and
// parameters, CPU affinity, membarrier registration, memory policy (set_mempolicy and mbind),
// oom_score_adj, name, rlimits, umask, a signal action, interval timers (ITIMER_REAL,
// VIRTUAL, PROF, alarm) and a POSIX timer, then exiting; and 5,000 threads (50 at a time)
// each setting its own nice value, policy, affinity, memory policy and name, and creating and
// deleting a POSIX timer. A kernel that keeps any of these in a table keyed by pid or tid
// and never prunes it loses memory with every process: free memory (MemFree, see
// mem_free_kb) after the churn and a bounded settling wait must be back within 1 MiB of its
// level after a warm-up phase.
// Prints "PASS ..." / "FAIL ..." lines computed here; exits 0 only when everything passed.
// Not a differential test: free memory depends on the machine.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FORKS 20000
#define THREADS 5000
#define BATCH 50
#define WARM_FORKS 1000
#define WARM_THREADS 500
#define TOLERANCE_KB 1024L
#define SETTLE_MS 10000

#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED 16

#include "stress.h"

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void on_usr1(int sig) {
    (void)sig;
}

// Every attribute a child can set on itself; returns the number of calls that failed.
// The first failing call is reported once (a word shared by all the children).
static volatile int *reported;
#define CHK(bad, call)                                                                     \
    do {                                                                                   \
        if ((call) != 0) {                                                                 \
            (bad)++;                                                                       \
            if (__sync_bool_compare_and_swap(reported, 0, 1))                              \
                fprintf(stderr, "st_churn: %s failed: %s\n", #call, strerror(errno));      \
        }                                                                                  \
    } while (0)

static int touch_process(void) {
    int bad = 0;
    cpu_set_t set;
    struct sched_param sp = {0};
    unsigned long node0 = 1;
    CHK(bad, setpriority(PRIO_PROCESS, 0, 7));
    CHK(bad, sched_setscheduler(0, SCHED_BATCH, &sp));
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    CHK(bad, sched_setaffinity(0, sizeof set, &set));
    CHK(bad, syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
    CHK(bad, syscall(SYS_set_mempolicy, MPOL_PREFERRED, &node0, 2UL));
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        bad++;
    else
        CHK(bad, syscall(SYS_mbind, page, 4096UL, MPOL_BIND, &node0, 2UL, 0U));
    int fd = open("/proc/self/oom_score_adj", O_WRONLY);
    CHK(bad, fd < 0 || write(fd, "300", 3) != 3);
    if (fd >= 0)
        close(fd);
    CHK(bad, prctl(PR_SET_NAME, "churn-child", 0, 0, 0));
    struct rlimit rl = {512, 1024};
    CHK(bad, setrlimit(RLIMIT_NOFILE, &rl));
    umask(077);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    CHK(bad, sigaction(SIGUSR1, &sa, NULL));
    struct itimerval it = {{0, 0}, {3600, 0}};
    CHK(bad, setitimer(ITIMER_REAL, &it, NULL));
    CHK(bad, setitimer(ITIMER_VIRTUAL, &it, NULL));
    CHK(bad, setitimer(ITIMER_PROF, &it, NULL));
    alarm(7200);
    timer_t tm;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    if (timer_create(CLOCK_MONOTONIC, &ev, &tm) != 0)
        CHK(bad, -1);
    else {
        struct itimerspec its = {{0, 0}, {3600, 0}};
        CHK(bad, timer_settime(tm, 0, &its, NULL));
    }
    return bad;
}

static int fork_cycles(int n) {
    int bad = 0;
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return bad + n - i;
        if (pid == 0)
            _exit(touch_process() == 0 ? 0 : 1);
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            bad++;
    }
    return bad;
}

// What a thread sets on itself (Linux keeps these per thread).
static void *thread_work(void *arg) {
    long bad = 0;
    cpu_set_t set;
    struct sched_param sp = {0};
    unsigned long node0 = 1;
    CHK(bad, setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5));
    CHK(bad, sched_setscheduler(0, SCHED_IDLE, &sp));
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    CHK(bad, sched_setaffinity(0, sizeof set, &set));
    CHK(bad, syscall(SYS_set_mempolicy, MPOL_BIND, &node0, 2UL));
    CHK(bad, prctl(PR_SET_NAME, "churn-thread", 0, 0, 0));
    timer_t tm;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_NONE;
    if (timer_create(CLOCK_MONOTONIC, &ev, &tm) != 0)
        CHK(bad, -1);
    else
        CHK(bad, timer_delete(tm));
    (void)arg;
    return (void *)bad;
}

static int thread_cycles(int n) {
    int bad = 0;
    pthread_t t[BATCH];
    for (int base = 0; base < n; base += BATCH) {
        for (int i = 0; i < BATCH; i++)
            if (pthread_create(&t[i], NULL, thread_work, NULL) != 0)
                return bad + n - base;
        for (int i = 0; i < BATCH; i++) {
            void *ret = (void *)1L;
            if (pthread_join(t[i], &ret) != 0 || ret != NULL)
                bad++;
        }
    }
    return bad;
}

int main(void) {
    char what[200];
    reported = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (reported == MAP_FAILED)
        return 1;
    long start = mem_free_kb();
    result(start > 0, "free memory is readable");
    // Warm-up: the kernel's tables and heap reach their working size.
    int bad = fork_cycles(WARM_FORKS) + thread_cycles(WARM_THREADS);
    pause_ms(200);
    start = mem_free_kb();
    bad += fork_cycles(FORKS);
    snprintf(what, sizeof what, "%d fork+exit+wait cycles, every attribute set in each child",
             FORKS);
    result(bad == 0, what);
    bad = thread_cycles(THREADS);
    snprintf(what, sizeof what, "%d threads, each setting its own attributes", THREADS);
    result(bad == 0, what);
    // Bounded wait for memory the kernel gives back late.
    long end = mem_free_kb();
    int waited = 0;
    while (start - end > TOLERANCE_KB && waited < SETTLE_MS) {
        pause_ms(50);
        waited += 50;
        end = mem_free_kb();
    }
    snprintf(what, sizeof what,
             "free memory after the churn within %ld kB of its level after the warm-up "
             "(change %+ld kB)",
             TOLERANCE_KB, end - start);
    result(start > 0 && end > 0 && start - end <= TOLERANCE_KB, what);
    if (start - end > TOLERANCE_KB)
        fprintf(stderr, "st_churn: MemFree %ld kB after warm-up, %ld kB at the end (%d ms later)\n",
                start, end, waited);
    return failures ? 1 : 0;
}
