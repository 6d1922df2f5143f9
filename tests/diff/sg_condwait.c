// A handler runs in a thread blocked in pthread_cond_wait / pthread_mutex_lock / sem_wait;
// the waits resume and complete normally afterwards.
#include "thr_common.h"
#include <semaphore.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;
static volatile int hits;
static volatile pid_t wtid;
static sem_t sem;

static void h(int s)
{
    (void)s;
    hits++;
}

static void *cond_waiter(void *a)
{
    (void)a;
    pthread_mutex_lock(&mu);
    wtid = gettid();
    int r = 0;
    while (!ready)
        r = pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return (void *)(long)r;
}

static void *sem_waiter(void *a)
{
    (void)a;
    wtid = gettid();
    int r = sem_wait(&sem);
    return (void *)(long)(r == 0 ? 0 : errno);
}

static void *mutex_waiter(void *a)
{
    (void)a;
    wtid = gettid();
    int r = pthread_mutex_lock(&mu);
    pthread_mutex_unlock(&mu);
    return (void *)(long)r;
}

static void kick(void)
{
    wait_tid_sleeping(&wtid);
    syscall(SYS_tgkill, getpid(), wtid, SIGUSR1);
    wait_flag(&hits);
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = h; /* no SA_RESTART: futex-based waits still resume */
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, cond_waiter, NULL);
    kick();
    pthread_mutex_lock(&mu);
    ready = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(t, &r);
    printf("cond_wait: handler hits %d, result %ld\n", hits, (long)r);
    hits = 0;
    wtid = 0;
    sem_init(&sem, 0, 0);
    pthread_create(&t, NULL, sem_waiter, NULL);
    kick();
    sem_post(&sem);
    pthread_join(t, &r);
    printf("sem_wait without SA_RESTART: hits %d, result %s\n", hits, (long)r ? en((int)(long)r) : "0");
    hits = 0;
    wtid = 0;
    pthread_mutex_lock(&mu);
    pthread_create(&t, NULL, mutex_waiter, NULL);
    kick();
    pthread_mutex_unlock(&mu);
    pthread_join(t, &r);
    printf("mutex_lock: hits %d, result %ld\n", hits, (long)r);
    return 0;
}
