// Process-directed signals go to a thread that does not block them; thread-directed ones stay
// pending on their thread; rt_sigpending shows process + own pending only.
#include "thr_common.h"

static volatile pid_t handled_by;
static volatile pid_t wtid;
static volatile int stop;
static int gate;
static volatile int pend_seen;

static void h(int s)
{
    (void)s;
    handled_by = gettid();
}

static void *worker(void *a)
{
    (void)a;
    wtid = gettid();
    while (!stop)
        futex6(&gate, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

static void *blocked_worker(void *a)
{
    (void)a;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    wtid = gettid();
    while (!stop)
        futex6(&gate, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    sigset_t p;
    sigpending(&p);
    pend_seen = sigismember(&p, SIGUSR2) ? 1 : 2;
    /* unblocking delivers it here */
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
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
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!wtid)
        usleep(1000);
    pid_t w = wtid;
    /* main blocks SIGUSR1: a kill() to the process must run in the worker */
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    wait_sleeping(getpid(), w);
    kill(getpid(), SIGUSR1);
    for (int i = 0; i < 10000 && !handled_by; i++)
        usleep(1000);
    YN("process signal handled by the unblocked worker", handled_by == w);
    sigpending(&p);
    YN("nothing left pending", !sigismember(&p, SIGUSR1));
    stop = 1;
    /* the word changes too: a worker between its check and FUTEX_WAIT gets EAGAIN */
    __atomic_store_n(&gate, 1, __ATOMIC_SEQ_CST);
    futex6(&gate, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
    pthread_join(t, NULL);
    /* everyone blocks it: it stays pending for the process, visible to all */
    handled_by = 0;
    kill(getpid(), SIGUSR1);
    sigpending(&p);
    YN("blocked everywhere: pending", sigismember(&p, SIGUSR1));
    printf("handled: %s\n", handled_by ? "yes" : "no");
    /* unblocking in main delivers it to main */
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    YN("delivered to main on unblock", handled_by == gettid());
    /* a thread-directed signal to a thread that blocks it stays with that thread */
    stop = 0;
    __atomic_store_n(&gate, 0, __ATOMIC_SEQ_CST);
    wtid = 0;
    handled_by = 0;
    pthread_create(&t, NULL, blocked_worker, NULL);
    while (!wtid)
        usleep(1000);
    w = wtid;
    syscall(SYS_tgkill, getpid(), w, SIGUSR2);
    sigpending(&p);
    YN("main does not see the thread's pending SIGUSR2", !sigismember(&p, SIGUSR2));
    printf("handled before unblock: %s\n", handled_by ? "yes" : "no");
    stop = 1;
    /* the word changes too: a worker between its check and FUTEX_WAIT gets EAGAIN */
    __atomic_store_n(&gate, 1, __ATOMIC_SEQ_CST);
    futex6(&gate, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
    pthread_join(t, NULL);
    printf("the thread saw it pending: %s\n", pend_seen == 1 ? "yes" : "no");
    YN("handled by that thread after unblock", handled_by == w);
    return 0;
}
