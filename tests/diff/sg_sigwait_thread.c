// sigwaitinfo/sigtimedwait in one thread for a process-directed signal; timeouts and errors.
#include "thr_common.h"

static volatile int got;
static volatile int code;
static volatile pid_t spid;
static volatile pid_t wtid;

static void *waiter(void *a)
{
    (void)a;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN + 1);
    wtid = gettid();
    siginfo_t si;
    int r = sigwaitinfo(&s, &si);
    got = r;
    code = si.si_code;
    spid = si.si_pid;
    r = sigwaitinfo(&s, &si);
    printf("second: %s value %d code %s\n", r == SIGRTMIN + 1 ? "SIGRTMIN+1" : "?", si.si_value.sival_int,
           si.si_code == SI_QUEUE ? "SI_QUEUE" : "?");
    return NULL;
}

int main(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN + 1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    while (!wtid)
        usleep(1000);
    wait_sleeping(getpid(), wtid);
    kill(getpid(), SIGUSR2);
    union sigval v = {.sival_int = 77};
    sigqueue(getpid(), SIGRTMIN + 1, v);
    pthread_join(t, NULL);
    printf("first: %s code %s pid ok %s\n", got == SIGUSR2 ? "SIGUSR2" : "?", code == SI_USER ? "SI_USER" : "?",
           spid == getpid() ? "yes" : "no");
    /* timeouts */
    struct timespec z = {0, 0};
    SHOW("sigtimedwait zero timeout", sigtimedwait(&s, NULL, &z));
    struct timespec ten = {0, 10000000};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    SHOW("sigtimedwait 10ms", sigtimedwait(&s, NULL, &ten));
    YN("waited >= 10ms", now_ns(CLOCK_MONOTONIC) - t0 >= 10000000LL);
    struct timespec bad = {0, 1000000000};
    SHOW("sigtimedwait bad timeout", sigtimedwait(&s, NULL, &bad));
    SHOW("rt_sigtimedwait bad sigsetsize", syscall(SYS_rt_sigtimedwait, &s, NULL, &z, 4));
    SHOW("rt_sigtimedwait bad set pointer", syscall(SYS_rt_sigtimedwait, BADPTR, NULL, &z, 8));
    /* already pending: returned at once, even a thread-directed one */
    raise(SIGUSR2);
    siginfo_t si;
    SHOW("pending SIGUSR2", sigtimedwait(&s, &si, &z));
    printf("raise si_code: %d (SI_TKILL %d)\n", si.si_code, SI_TKILL);
    /* an unblocked signal with a handler interrupts the wait: EINTR */
    return 0;
}
