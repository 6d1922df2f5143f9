/* Many threads in epoll_wait: on one epoll fd (an eventfd semaphore), and
 * each in its own epoll set on one pipe with EPOLLET (the ZLMediaKit poller
 * pattern): every token is taken exactly once, no thread is left stuck. */
#include "ev_common.h"
#include "thr_common.h"

#define N 8
#define TOKENS 400

static int ep1, efd;
static int taken[N];
static int stop1;
static int counted; /* tokens taken so far, by all threads */

static void *shared_worker(void *arg)
{
    int id = (int)(long)arg;
    for (;;) {
        struct epoll_event e;
        int n = epoll_wait(ep1, &e, 1, 10000);
        if (n == 0) {
            printf("thread %d: timed out (lost wake-up)\n", id);
            return NULL;
        }
        if (n < 0)
            continue;
        uint64_t v;
        if (read(efd, &v, 8) == 8) {
            if (__atomic_load_n(&stop1, __ATOMIC_SEQ_CST))
                return NULL; /* a stop token: one per thread */
            taken[id]++;
            __atomic_add_fetch(&counted, 1, __ATOMIC_SEQ_CST);
        }
    }
}

static int pp[2];
static int own_taken[N];
static volatile int stop;
static volatile pid_t own_tids[N];

static void *own_worker(void *arg)
{
    int id = (int)(long)arg;
    own_tids[id] = gettid();
    int ep = epoll_create1(0);
    ep_add(ep, pp[0], EPOLLIN | EPOLLET, id);
    while (!stop) {
        struct epoll_event e;
        int n = epoll_wait(ep, &e, 1, 200);
        if (n <= 0)
            continue;
        char c;
        /* edge-triggered: drain until EAGAIN */
        while (read(pp[0], &c, 1) == 1)
            own_taken[id]++;
    }
    close(ep);
    return NULL;
}

int main(void)
{
    ep1 = epoll_create1(0);
    efd = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK);
    ep_add(ep1, efd, EPOLLIN, 0);
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, shared_worker, (void *)i);
    uint64_t one = 1;
    for (int i = 0; i < TOKENS; i++) {
        CHECK(write(efd, &one, 8) == 8);
        if (i % 16 == 0)
            usleep(1000);
    }
    /* wait (10 s at most) until every token was counted, then stop the threads: a
     * token read before stop1 is set is always counted, so whatever a thread reads
     * after it is a stop token (an empty eventfd alone left a race: a token read but
     * not yet counted was taken for a stop token) */
    for (int k = 0; k < 2000; k++) {
        if (__atomic_load_n(&counted, __ATOMIC_SEQ_CST) >= TOKENS)
            break;
        usleep(5000);
    }
    __atomic_store_n(&stop1, 1, __ATOMIC_SEQ_CST);
    uint64_t stops = N;
    CHECK(write(efd, &stops, 8) == 8);
    int sum = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        sum += taken[i];
    }
    printf("shared epoll: %d tokens taken of %d\n", sum, TOKENS);

    CHECK(pipe2(pp, O_NONBLOCK) == 0);
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, own_worker, (void *)i);
    /* every poller in its epoll_wait before the first byte (bounded) */
    int asleep = 0;
    for (int i = 0; i < N; i++)
        asleep += wait_tid_sleeping(&own_tids[i]);
    printf("pollers asleep: %d of %d\n", asleep, N);
    for (int i = 0; i < TOKENS; i++) {
        CHECK(write(pp[1], "t", 1) == 1);
        if (i % 8 == 0)
            usleep(500);
    }
    /* all bytes must be drained by the pollers */
    int avail = 1;
    for (int k = 0; k < 400 && avail; k++) {
        usleep(10000);
        CHECK(ioctl(pp[0], FIONREAD, &avail) == 0);
    }
    stop = 1;
    sum = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        sum += own_taken[i];
    }
    printf("own epolls: %d bytes read of %d, left %d\n", sum, TOKENS, avail);
    return 0;
}
