// pthreads: create/join, shared memory, TLS, per-thread signal masks, exit codes.
#include "common.h"
#include <pthread.h>

static __thread int tls = 1;
static int shared;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *inc(void *arg)
{
    long n = (long)arg;
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&mu);
        shared++;
        pthread_mutex_unlock(&mu);
    }
    tls = 99;
    return (void *)(long)tls;
}

static void *ret42(void *a)
{
    (void)a;
    pthread_exit((void *)42);
}

static void *blocker(void *a)
{
    (void)a;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    sigset_t cur;
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    return (void *)(long)sigismember(&cur, SIGUSR1);
}

int main(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, inc, (void *)10000L);
    long rets = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        rets += (long)r;
    }
    printf("shared counter: %d\n", shared);
    printf("thread return values sum: %ld\n", rets);
    printf("main tls untouched: %d\n", tls);
    void *r;
    pthread_create(&t[0], NULL, ret42, NULL);
    pthread_join(t[0], &r);
    printf("pthread_exit value: %ld\n", (long)r);
    pthread_create(&t[0], NULL, blocker, NULL);
    pthread_join(t[0], &r);
    sigset_t cur;
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    printf("thread mask blocked USR1: %ld, main unaffected: %d\n", (long)r, !sigismember(&cur, SIGUSR1));
    int e = pthread_join(t[0], &r);
    printf("join twice: %s\n", e ? en(e) : "ok");
    /* many short-lived threads */
    int ok = 0;
    for (int i = 0; i < 50; i++) {
        pthread_t x;
        if (pthread_create(&x, NULL, inc, (void *)1L) == 0 && pthread_join(x, NULL) == 0)
            ok++;
    }
    printf("50 sequential threads: %d, counter %d\n", ok, shared);
    /* detached thread */
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    e = pthread_create(&t[1], &at, inc, (void *)1L);
    printf("detached create: %s\n", e ? en(e) : "ok");
    /* fork from a multi-threaded process: child has one thread */
    pthread_create(&t[2], NULL, inc, (void *)1000L);
    pid_t c = fork();
    if (c == 0) {
        char buf[4096];
        long n = get_file("/proc/self/status", buf, sizeof buf);
        char *th = n > 0 ? strstr(buf, "Threads:\t") : NULL;
        _exit(th ? atoi(th + 9) : 0);
    }
    pthread_join(t[2], NULL);
    wait_show("child threads count", c);
    /* raw gettid in threads differs */
    return 0;
}
