// sigtimedwait interrupted by another (handled, unblocked) signal: EINTR; a signal it waits for that
// arrives from another thread ends the wait with its siginfo.
#include "thr_common.h"

static volatile int hits;
static pid_t main_tid;
static void h(int s)
{
    (void)s;
    hits++;
}

static void *kicker(void *a)
{
    int sig = (int)(long)a;
    wait_sleeping(getpid(), main_tid);
    syscall(SYS_tgkill, getpid(), main_tid, sig);
    return NULL;
}

int main(void)
{
    main_tid = gettid();
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGUSR2);
    sigprocmask(SIG_BLOCK, &w, NULL);
    pthread_t t;
    pthread_create(&t, NULL, kicker, (void *)(long)SIGUSR1);
    struct timespec ts = {10, 0};
    SHOW("sigtimedwait hit by a handled signal (SA_RESTART)", sigtimedwait(&w, NULL, &ts));
    pthread_join(t, NULL);
    printf("hits %d\n", hits);
    pthread_create(&t, NULL, kicker, (void *)(long)SIGUSR2);
    siginfo_t si;
    int r = sigtimedwait(&w, &si, &ts);
    pthread_join(t, NULL);
    printf("awaited signal: %s, code %d, pid self %s\n", r == SIGUSR2 ? "SIGUSR2" : "?", si.si_code,
           si.si_pid == getpid() ? "yes" : "no");
    /* pause() and sigsuspend are never restarted either */
    pthread_create(&t, NULL, kicker, (void *)(long)SIGUSR1);
    SHOW("pause (SA_RESTART)", pause());
    pthread_join(t, NULL);
    return 0;
}
