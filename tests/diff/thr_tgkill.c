// tgkill/tkill: argument errors, tgid mismatch, signal lands on the named thread, gettid vs getpid.
#include "thr_common.h"

static volatile pid_t handled_by;
static volatile pid_t worker_tid;
static volatile int stop;
static int gate;

static void h(int s)
{
    (void)s;
    handled_by = gettid();
}

static void *worker(void *a)
{
    (void)a;
    printf("worker: getpid == main pid: %s, gettid != getpid: %s\n", getpid() == *(pid_t *)a ? "yes" : "no",
           gettid() != getpid() ? "yes" : "no");
    worker_tid = gettid();
    while (!stop)
        futex6(&gate, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

int main(void)
{
    pid_t me = getpid();
    YN("main: gettid == getpid", gettid() == me);
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, worker, &me);
    while (!worker_tid)
        usleep(1000);
    pid_t wt = worker_tid;
    SHOW("tgkill bad signal 65", syscall(SYS_tgkill, me, wt, 65));
    SHOW("tgkill signal -1", syscall(SYS_tgkill, me, wt, -1));
    SHOW("tgkill tid 0", syscall(SYS_tgkill, me, 0, SIGUSR1));
    SHOW("tgkill tid -1", syscall(SYS_tgkill, me, -1, SIGUSR1));
    SHOW("tgkill tgid 0", syscall(SYS_tgkill, 0, wt, SIGUSR1));
    SHOW("tgkill tgid -5", syscall(SYS_tgkill, -5, wt, SIGUSR1));
    SHOW("tgkill tgid mismatch (tid as tgid)", syscall(SYS_tgkill, wt, wt, 0));
    SHOW("tgkill tgid of the parent", syscall(SYS_tgkill, getppid(), wt, 0));
    SHOW("tgkill no such tid", syscall(SYS_tgkill, me, 0x3ffffff0, 0));
    SHOW("tgkill probe 0", syscall(SYS_tgkill, me, wt, 0));
    SHOW("tkill probe", syscall(SYS_tkill, wt, 0));
    SHOW("tkill tid 0", syscall(SYS_tkill, 0, 0));
    SHOW("tkill bad signal", syscall(SYS_tkill, wt, 100));
    SHOW("tkill no such tid", syscall(SYS_tkill, 0x3ffffff0, 0));
    SHOW("kill with a thread id", kill(wt, 0));
    wait_sleeping(me, wt);
    SHOW("tgkill SIGUSR1 to worker", syscall(SYS_tgkill, me, wt, SIGUSR1));
    while (!handled_by)
        usleep(1000);
    YN("handled by the worker", handled_by == wt);
    handled_by = 0;
    SHOW("tkill SIGUSR1 to main", syscall(SYS_tkill, me, SIGUSR1));
    YN("handled by main", handled_by == me);
    stop = 1;
    /* the word changes too: a worker between its check and FUTEX_WAIT gets EAGAIN */
    __atomic_store_n(&gate, 1, __ATOMIC_SEQ_CST);
    futex6(&gate, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(t, NULL);
    return 0;
}
