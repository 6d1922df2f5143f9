/* epoll_wait timeouts: 0 returns at once, N ms waits at least N ms, -1 waits for an event. */
#include "ev_common.h"

static long long ms_since(struct timespec a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a.tv_sec) * 1000LL + (b.tv_nsec - a.tv_nsec) / 1000000;
}

static int efd;
static void *writer(void *a)
{
    (void)a;
    usleep(100000);
    uint64_t one = 1;
    write(efd, &one, 8);
    return NULL;
}

int main(void)
{
    int ep = epoll_create1(0);
    efd = eventfd(0, 0);
    ep_add(ep, efd, EPOLLIN, 1);
    struct epoll_event e;
    struct timespec a;
    clock_gettime(CLOCK_MONOTONIC, &a);
    SHOW("timeout 0", epoll_wait(ep, &e, 1, 0));
    clock_gettime(CLOCK_MONOTONIC, &a);
    SHOW("timeout 100", epoll_wait(ep, &e, 1, 100));
    printf(">= 100 ms: %d\n", ms_since(a) >= 99);
    clock_gettime(CLOCK_MONOTONIC, &a);
    SHOW("timeout -5 (infinite)", (pthread_create(&(pthread_t){0}, NULL, writer, NULL), epoll_wait(ep, &e, 1, -5)));
    printf(">= 90 ms: %d\n", ms_since(a) >= 90);
    uint64_t v;
    read(efd, &v, 8);
    struct timespec ts = {0, 80000000};
    clock_gettime(CLOCK_MONOTONIC, &a);
    SHOW("pwait2 80 ms", syscall(SYS_epoll_pwait2, ep, &e, 1, &ts, NULL, 8));
    printf(">= 80 ms: %d\n", ms_since(a) >= 79);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    SHOW("pwait2 NULL (infinite)", syscall(SYS_epoll_pwait2, ep, &e, 1, NULL, NULL, 8));
    pthread_join(t, NULL);
    printf("data %llu\n", (unsigned long long)e.data.u64);
    return 0;
}
