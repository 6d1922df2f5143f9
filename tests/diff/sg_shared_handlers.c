// Threads share signal dispositions (CLONE_SIGHAND): a handler installed by one thread serves all;
// kill() with a non-leader thread id is a process-directed signal.
#include "thr_common.h"

static volatile pid_t handled_by;
static volatile pid_t wtid;
static volatile int phase;
static int gate;

static void h(int s)
{
    (void)s;
    handled_by = gettid();
}

static void *worker(void *a)
{
    (void)a;
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigaction(SIGUSR1, &sa, NULL);
    /* this thread blocks SIGUSR1 */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    wtid = gettid();
    while (__atomic_load_n(&gate, __ATOMIC_SEQ_CST) == 0)
        futex6(&gate, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    while (!wtid)
        usleep(1000);
    struct sigaction cur;
    sigaction(SIGUSR1, NULL, &cur);
    YN("main sees the worker's handler", cur.sa_handler == h);
    /* kill() naming the worker's tid: a process signal, so main (not blocking) takes it */
    SHOW("kill(worker tid)", kill(wtid, SIGUSR1));
    for (int i = 0; i < 10000 && !handled_by; i++)
        usleep(1000);
    YN("handled by main", handled_by == gettid());
    SHOW("kill(worker tid, 0)", kill(wtid, 0));
    signal(SIGUSR1, SIG_IGN);
    __atomic_store_n(&gate, 1, __ATOMIC_SEQ_CST);
    futex6(&gate, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(t, NULL);
    return 0;
}
