/* EPOLLEXCLUSIVE: threads each asleep in their own epoll set holding one
 * eventfd exclusively; one write wakes exactly one of them. */
#include "ev_common.h"

#define N 4
static int efd;
static int woke[N];
static int tids[N];
static int eps[N];

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    __atomic_store_n(&tids[id], (int)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
    struct epoll_event e;
    int n = epoll_wait(eps[id], &e, 1, 20000);
    if (n == 1)
        __atomic_store_n(&woke[id], 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static int asleep(int tid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    if (get_file(path, buf, sizeof buf) <= 0)
        return 0;
    char *r = strrchr(buf, ')');
    return r && r[1] == ' ' && r[2] == 'S';
}

static int count_woken(void)
{
    int n = 0;
    for (int i = 0; i < N; i++)
        n += __atomic_load_n(&woke[i], __ATOMIC_SEQ_CST);
    return n;
}

int main(void)
{
    efd = eventfd(0, EFD_NONBLOCK);
    for (int i = 0; i < N; i++) {
        eps[i] = epoll_create1(0);
        SHOW("add exclusive", ep_add(eps[i], efd, EPOLLIN | EPOLLEXCLUSIVE, i));
    }
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    /* wait until all are asleep */
    for (int k = 0; k < 1000; k++) {
        int s = 0;
        for (int i = 0; i < N; i++)
            s += __atomic_load_n(&tids[i], __ATOMIC_SEQ_CST) && asleep(tids[i]);
        if (s == N)
            break;
        usleep(5000);
    }
    usleep(50000);
    uint64_t one = 1;
    CHECK(write(efd, &one, 8) == 8);
    for (int k = 0; k < 1000 && count_woken() == 0; k++)
        usleep(2000);
    usleep(200000);
    printf("woken by one write: %d\n", count_woken());
    /* the others are still asleep: more writes wake the rest */
    for (int r = 0; r < N && count_woken() < N; r++) {
        CHECK(write(efd, &one, 8) == 8);
        for (int k = 0; k < 100; k++)
            usleep(2000);
    }
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    printf("woken in the end: %d\n", count_woken());
    /* a non-exclusive epoll set on the same file is always woken too */
    return 0;
}
