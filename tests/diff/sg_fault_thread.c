// A fault in a non-main thread: its handler runs in that thread; unhandled, it kills the whole
// process (all threads), with the right wait status.
#include "thr_common.h"

static volatile pid_t handled_by;
static void *volatile fault_addr;
static sigjmp_buf jb;
static volatile pid_t ftid;

static void h(int s, siginfo_t *si, void *uc)
{
    (void)s;
    (void)uc;
    handled_by = gettid();
    fault_addr = si->si_addr;
    siglongjmp(jb, 1);
}

static void *faulter(void *a)
{
    (void)a;
    ftid = gettid();
    if (!sigsetjmp(jb, 1))
        *(volatile int *)16 = 1;
    return NULL;
}

static void *sleeper(void *a)
{
    (void)a;
    for (;;)
        pause();
    return NULL;
}

static void *crasher(void *a)
{
    (void)a;
    usleep(1000);
    *(volatile int *)8 = 1;
    return NULL;
}

static void *aborter(void *a)
{
    (void)a;
    abort();
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, faulter, NULL);
    pthread_join(t, NULL);
    printf("handled in the faulting thread: %s, addr %p\n", handled_by == ftid ? "yes" : "no", fault_addr);
    pid_t k = fork();
    if (k == 0) {
        no_core();
        signal(SIGSEGV, SIG_DFL);
        pthread_t a, b;
        pthread_create(&a, NULL, sleeper, NULL);
        pthread_create(&b, NULL, crasher, NULL);
        for (;;)
            pause();
    }
    wait_show("unhandled SIGSEGV in a thread", k);
    k = fork();
    if (k == 0) {
        no_core();
        pthread_t a, b;
        pthread_create(&a, NULL, sleeper, NULL);
        pthread_create(&b, NULL, aborter, NULL);
        for (;;)
            pause();
    }
    wait_show("abort() in a thread", k);
    return 0;
}
