// Per-thread queues: RT signals sent with tgkill/rt_tgsigqueueinfo queue every instance in order on
// that thread, standard ones coalesce, lower numbers are delivered first, thread before process.
#include "thr_common.h"

static char log_[256];
static volatile int nlog;

static void h(int s, siginfo_t *si, void *uc)
{
    (void)uc;
    nlog += snprintf(log_ + nlog, sizeof log_ - nlog, "%s%d/%d ", s >= SIGRTMIN ? "RT" : "", s >= SIGRTMIN ? s - SIGRTMIN : s,
                     si->si_code == SI_QUEUE ? si->si_value.sival_int : -1);
}

static volatile pid_t wtid;
static volatile int go;

static void *worker(void *a)
{
    (void)a;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    wtid = gettid();
    while (!go)
        usleep(1000);
    pthread_sigmask(SIG_UNBLOCK, &all, NULL);
    return NULL;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    for (int s = 1; s <= 64; s++)
        if (s != SIGKILL && s != SIGSTOP && (s < 32 || s >= SIGRTMIN))
            sigaction(s, &sa, NULL);
    /* main blocks everything too, so only the worker can take them */
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!wtid)
        usleep(1000);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_code = SI_QUEUE;
    for (int i = 1; i <= 3; i++) {
        si.si_value.sival_int = i;
        syscall(SYS_rt_tgsigqueueinfo, getpid(), wtid, SIGRTMIN + 3, &si);
    }
    si.si_value.sival_int = 9;
    syscall(SYS_rt_tgsigqueueinfo, getpid(), wtid, SIGRTMIN + 1, &si);
    syscall(SYS_tgkill, getpid(), wtid, SIGUSR2);
    syscall(SYS_tgkill, getpid(), wtid, SIGUSR2);
    syscall(SYS_tgkill, getpid(), wtid, SIGUSR1);
    /* a process-directed one for the same thread to pick up after its own */
    union sigval v = {.sival_int = 5};
    sigqueue(getpid(), SIGRTMIN, v);
    sigset_t p;
    sigpending(&p);
    printf("main sees the process-directed RTMIN pending: %s, the thread's SIGUSR1: %s\n",
           sigismember(&p, SIGRTMIN) ? "yes" : "no", sigismember(&p, SIGUSR1) ? "yes" : "no");
    go = 1;
    pthread_join(t, NULL);
    printf("delivery order: %s\n", log_);
    return 0;
}
