// rt_sigqueueinfo/sigqueue: values delivered in order; signalfd-free checks.
#include "common.h"

static volatile int vals[16], n;
static void h(int s, siginfo_t *si, void *u)
{
    (void)s;
    (void)u;
    if (n < 16)
        vals[n++] = si->si_value.sival_int;
}

int main(void)
{
    int sig = SIGRTMIN + 2;
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, NULL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_BLOCK, &s, NULL);
    for (int i = 1; i <= 5; i++) {
        union sigval v = {.sival_int = i * 10};
        sigqueue(getpid(), sig, v);
    }
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("delivered %d:", n);
    for (int i = 0; i < n; i++)
        printf(" %d", vals[i]);
    printf("\n");
    printf("SIGRTMIN>=32: %s SIGRTMAX=64: %s\n", SIGRTMIN >= 32 ? "yes" : "no", SIGRTMAX == 64 ? "yes" : "no");
    /* sigwaitinfo returns value and code */
    sigprocmask(SIG_BLOCK, &s, NULL);
    union sigval v = {.sival_int = 777};
    sigqueue(getpid(), sig, v);
    siginfo_t si;
    int r = sigwaitinfo(&s, &si);
    printf("sigwaitinfo: sig ok %d value %d code SI_QUEUE %d\n", r == sig, si.si_value.sival_int, si.si_code == SI_QUEUE);
    /* raw rt_sigqueueinfo with si_code >= 0 to self is allowed? Linux forbids positive codes for other processes */
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = SI_QUEUE;
    si.si_value.sival_int = 5;
    SHOW("rt_sigqueueinfo self", syscall(SYS_rt_sigqueueinfo, getpid(), sig, &si));
    si.si_code = SI_USER;
    SHOW("rt_sigqueueinfo SI_USER code to self", syscall(SYS_rt_sigqueueinfo, getpid(), sig, &si));
    si.si_code = SI_KERNEL;
    SHOW("rt_sigqueueinfo SI_KERNEL code", syscall(SYS_rt_sigqueueinfo, getpid(), sig, &si));
    SHOW("rt_sigqueueinfo nonexistent", syscall(SYS_rt_sigqueueinfo, 999999, sig, &si));
    SHOW("sigqueue invalid sig", sigqueue(getpid(), 99, v));
    struct timespec z = {0, 0};
    int got = 0;
    while (sigtimedwait(&s, &si, &z) > 0)
        got++;
    printf("drained queued: %d\n", got);
    /* queued to a child */
    int p[2];
    MUST(pipe(p));
    pid_t c = fork();
    if (c == 0) {
        sigset_t w;
        sigemptyset(&w);
        sigaddset(&w, sig);
        siginfo_t ci;
        write(p[1], "r", 1);
        int rr = sigwaitinfo(&w, &ci);
        _exit(rr == sig ? ci.si_value.sival_int : 0);
    }
    char x;
    read(p[0], &x, 1);
    v.sival_int = 42;
    sigqueue(c, sig, v);
    wait_show("child got value", c);
    return 0;
}
