// Signals pending on a thread die with it; process-directed pending signals survive a thread's exit
// and reach the remaining threads.
#include "thr_common.h"

static volatile int hits;
static void h(int s)
{
    (void)s;
    hits++;
}

static void *blocker(void *a)
{
    (void)a;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    /* one for this thread only, one for the process */
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
    kill(getpid(), SIGUSR2);
    sigset_t p;
    sigpending(&p);
    printf("thread: USR1 pending %d, USR2 pending %d\n", sigismember(&p, SIGUSR1), sigismember(&p, SIGUSR2));
    return NULL;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t s, p;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    pthread_t t;
    pthread_create(&t, NULL, blocker, NULL);
    pthread_join(t, NULL);
    sigpending(&p);
    printf("main after the thread exited: USR1 pending %d, USR2 pending %d\n", sigismember(&p, SIGUSR1),
           sigismember(&p, SIGUSR2));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("handled after unblocking: %d\n", hits);
    return 0;
}
