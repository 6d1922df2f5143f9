// POSIX timers aimed at one thread (SIGEV_THREAD_ID) and glibc's SIGEV_THREAD.
#include "common.h"
#include <pthread.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif
static volatile pid_t got_tid;
static volatile int got;
static void h(int s)
{
    (void)s;
    got_tid = (pid_t)syscall(SYS_gettid);
    got++;
}
static volatile pid_t worker_tid;
static volatile int stop;
static void *worker(void *a)
{
    (void)a;
    worker_tid = (pid_t)syscall(SYS_gettid);
    while (!stop)
        usleep(1000);
    return NULL;
}
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int thread_calls;
static int thread_val;
static void notify(union sigval v)
{
    pthread_mutex_lock(&mu);
    thread_calls++;
    thread_val = v.sival_int;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

int main(void)
{
    signal(SIGUSR2, h);
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    while (!worker_tid)
        usleep(1000);
    /* the main thread blocks SIGUSR2 so a process-directed signal would be stuck;
       a thread-directed one reaches the worker */
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &m, NULL);
    timer_t t;
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR2;
    ev.sigev_notify_thread_id = worker_tid;
    SHOW("create THREAD_ID worker", timer_create(CLOCK_MONOTONIC, &ev, &t));
    struct itimerspec its = {{0, 0}, {0, 20000000}};
    timer_settime(t, 0, &its, NULL);
    for (int i = 0; i < 200 && !got; i++)
        usleep(5000);
    printf("delivered to the worker: %s\n", got && got_tid == worker_tid ? "yes" : "no");
    timer_delete(t);
    pthread_sigmask(SIG_UNBLOCK, &m, NULL);
    /* glibc SIGEV_THREAD: notification function runs in a new thread */
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = notify;
    ev.sigev_notify_attributes = NULL;
    ev.sigev_value.sival_int = 4242;
    SHOW("create SIGEV_THREAD", timer_create(CLOCK_MONOTONIC, &ev, &t));
    struct itimerspec per = {{0, 20000000}, {0, 20000000}};
    timer_settime(t, 0, &per, NULL);
    pthread_mutex_lock(&mu);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 5;
    while (thread_calls < 3)
        if (pthread_cond_timedwait(&cv, &mu, &dl) != 0)
            break;
    int calls = thread_calls, v = thread_val;
    pthread_mutex_unlock(&mu);
    printf("SIGEV_THREAD called >= 3 times: %s, value %d\n", calls >= 3 ? "yes" : "no", v);
    SHOW("delete SIGEV_THREAD timer", timer_delete(t));
    stop = 1;
    pthread_join(th, NULL);
    /* after the target thread exited, a THREAD_ID timer for it cannot be created */
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR2;
    ev.sigev_notify_thread_id = worker_tid;
    SHOW("create THREAD_ID for exited thread", timer_create(CLOCK_MONOTONIC, &ev, &t));
    return 0;
}
