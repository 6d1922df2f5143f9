// rt_sigsuspend with a temporary mask, woken by another thread's process-directed signal;
// the old mask comes back; rt_sigpending across threads.
#include "thr_common.h"

static volatile int hits, mask_has_usr2;
static pid_t main_tid;

static void h(int s)
{
    (void)s;
    hits++;
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    mask_has_usr2 = sigismember(&cur, SIGUSR2);
}

static void *sender(void *a)
{
    (void)a;
    /* this thread blocks SIGUSR1 so the process signal must go to main */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    wait_sleeping(getpid(), main_tid);
    sigset_t p;
    sigpending(&p);
    printf("sender: nothing pending yet: %s\n", sigismember(&p, SIGUSR1) ? "no" : "yes");
    kill(getpid(), SIGUSR1);
    return NULL;
}

int main(void)
{
    main_tid = gettid();
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t block, tmp, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    pthread_t t;
    pthread_create(&t, NULL, sender, NULL);
    sigfillset(&tmp);
    sigdelset(&tmp, SIGUSR1);
    SHOW("sigsuspend", sigsuspend(&tmp));
    pthread_join(t, NULL);
    printf("hits %d, temporary mask active in handler: %s\n", hits, mask_has_usr2 ? "yes" : "no");
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("mask restored: USR1 %d USR2 %d\n", sigismember(&now, SIGUSR1), sigismember(&now, SIGUSR2));
    /* a signal already pending and unblocked by the temporary mask: returns at once */
    raise(SIGUSR1);
    sigemptyset(&tmp);
    SHOW("sigsuspend with pending", sigsuspend(&tmp));
    printf("hits %d\n", hits);
    SHOW("rt_sigsuspend bad size", syscall(SYS_rt_sigsuspend, &tmp, 4));
    SHOW("rt_sigsuspend bad pointer", syscall(SYS_rt_sigsuspend, BADPTR, 8));
    SHOW("rt_sigpending bad size", syscall(SYS_rt_sigpending, &tmp, 16));
    SHOW("rt_sigpending size 4", syscall(SYS_rt_sigpending, &tmp, 4));
    SHOW("rt_sigprocmask bad how", syscall(SYS_rt_sigprocmask, 7, &tmp, NULL, 8));
    SHOW("rt_sigprocmask bad how, no set", syscall(SYS_rt_sigprocmask, 7, NULL, NULL, 8));
    SHOW("rt_sigprocmask bad size", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &tmp, NULL, 4));
    return 0;
}
