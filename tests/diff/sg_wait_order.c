// Which pending signal sigwaitinfo/sigtimedwait and delivery take first: synchronous ones
// (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS) before the others, then the lowest number;
// the thread's own queue before the process's.
#include "thr_common.h"

static char order[128];
static int n;

static void h(int s)
{
    n += snprintf(order + n, sizeof order - n, "%s ", sigabbrev_np(s));
}

int main(void)
{
    int sigs[] = {SIGHUP, SIGUSR2, SIGSEGV, SIGTERM, SIGFPE, SIGRTMIN, SIGINT, SIGSYS};
    sigset_t all;
    sigemptyset(&all);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&all, sigs[i]);
    sigprocmask(SIG_BLOCK, &all, NULL);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        kill(getpid(), sigs[i]);
    printf("sigwaitinfo order:");
    struct timespec z = {0, 0};
    int s;
    while ((s = sigtimedwait(&all, NULL, &z)) > 0)
        printf(" %s", s >= SIGRTMIN ? "RTMIN" : sigabbrev_np(s));
    printf("\n");
    /* thread-directed SIGUSR2 vs process-directed SIGHUP */
    kill(getpid(), SIGHUP);
    raise(SIGUSR2);
    printf("own queue first:");
    while ((s = sigtimedwait(&all, NULL, &z)) > 0)
        printf(" %s", sigabbrev_np(s));
    printf("\n");
    /* delivery to handlers follows the same order */
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigfillset(&sa.sa_mask);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigs[i] < SIGRTMIN)
            sigaction(sigs[i], &sa, NULL);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigs[i] < SIGRTMIN)
            kill(getpid(), sigs[i]);
    sigprocmask(SIG_UNBLOCK, &all, NULL);
    printf("handler order: %s\n", order);
    return 0;
}
