// A handler interrupting FUTEX_WAIT: untimed waits restart with SA_RESTART and fail EINTR without;
// timed waits fail EINTR even with SA_RESTART.
#include "thr_common.h"

static int word;
static volatile int hits;
static volatile long result;
static volatile int finished;
static volatile pid_t wtid;
static int timed;

static void h(int s)
{
    (void)s;
    __atomic_fetch_add(&hits, 1, __ATOMIC_SEQ_CST);
}

static void *waiter(void *a)
{
    (void)a;
    wtid = gettid();
    struct timespec ts = {20, 0};
    errno = 0;
    long r = futex6(&word, FUTEX_WAIT_PRIVATE, 0, timed ? &ts : NULL, NULL, 0);
    result = r == -1 ? -errno : r;
    finished = 1;
    return NULL;
}

static void run(const char *label, int restart, int is_timed)
{
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGUSR1, &sa, NULL);
    hits = 0;
    finished = 0;
    wtid = 0;
    timed = is_timed;
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    wait_waiters(&word, 1, FUTEX_PRIVATE_FLAG);
    syscall(SYS_tgkill, getpid(), wtid, SIGUSR1);
    wait_flag(&hits);
    /* restarted waits go back to the queue; others return */
    for (int i = 0; i < 10000 && !finished && futex_waiters(&word, FUTEX_PRIVATE_FLAG) == 0; i++)
        usleep(1000);
    int requeued = !finished;
    if (requeued)
        futex6(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(t, NULL);
    printf("%s: hits %d, back in the wait: %s, result %s\n", label, hits, requeued ? "yes" : "no",
           result == 0 ? "0" : en((int)-result));
}

int main(void)
{
    run("untimed, no SA_RESTART", 0, 0);
    run("untimed, SA_RESTART", 1, 0);
    run("timed, no SA_RESTART", 0, 1);
    run("timed, SA_RESTART", 1, 1);
    /* WAIT_BITSET with an absolute timeout behaves the same */
    return 0;
}
