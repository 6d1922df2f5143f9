/* One epoll set over a timerfd, an eventfd, a signalfd and a pipe. A child makes
 * the eventfd, signalfd and pipe ready in turn, each once the parent has reported
 * the one before (a counter in shared memory; bounded waits). */
#include "ev_common.h"
#include "thr_common.h"
#include <sys/mman.h>

/* Until *n reaches k (bounded, 10 s). */
static void wait_count(int *n, int k)
{
    for (int i = 0; i < 10000 && __atomic_load_n(n, __ATOMIC_SEQ_CST) < k; i++)
        usleep(1000);
}

int main(void)
{
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, NULL);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    int efd = eventfd(0, EFD_NONBLOCK);
    int sfd = signalfd(-1, &m, SFD_NONBLOCK);
    int p[2];
    CHECK(pipe(p) == 0);
    int ep = epoll_create1(0);
    ep_add(ep, tfd, EPOLLIN, 1);
    ep_add(ep, efd, EPOLLIN, 2);
    ep_add(ep, sfd, EPOLLIN, 3);
    ep_add(ep, p[0], EPOLLIN, 4);
    ep_show("nothing", ep, 8, 0);
    struct itimerspec it = {.it_value = {0, 100000000}};
    timerfd_settime(tfd, 0, &it, NULL);
    ep_show("timer (blocking)", ep, 8, 3000);
    uint64_t v;
    SHOW("timer read", read(tfd, &v, 8));
    printf("expirations %llu\n", (unsigned long long)v);
    ep_show("after timer read", ep, 8, 0);
    int *reported = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(reported != MAP_FAILED);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        /* the first once the parent is asleep in epoll_wait */
        wait_sleeping(getppid(), getppid());
        uint64_t one = 3;
        write(efd, &one, 8);
        wait_count(reported, 1);
        kill(getppid(), SIGUSR1);
        wait_count(reported, 2);
        write(p[1], "x", 1);
        fflush(stdout);
        _exit(0);
    }
    int seen = 0;
    while (seen != 0x1c) {
        struct epoll_event e[8];
        int n = epoll_wait(ep, e, 8, 3000);
        if (n <= 0) {
            printf("timeout, seen %#x\n", seen);
            break;
        }
        for (int i = 0; i < n; i++) {
            int id = (int)e[i].data.u64;
            if (seen & (1 << id))
                continue;
            seen |= 1 << id;
            printf("event %d %#x\n", id, e[i].events);
            __atomic_add_fetch(reported, 1, __ATOMIC_SEQ_CST);
        }
    }
    waitpid(c, NULL, 0);
    SHOW("eventfd", read(efd, &v, 8));
    printf("value %llu\n", (unsigned long long)v);
    struct signalfd_siginfo si;
    SHOW("signalfd", read(sfd, &si, sizeof si));
    char b;
    SHOW("pipe", read(p[0], &b, 1));
    ep_show("all consumed", ep, 8, 0);
    /* an interval timer under ET: each expiry is an edge only after a read */
    int t2 = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    int ep2 = epoll_create1(0);
    ep_add(ep2, t2, EPOLLIN | EPOLLET, 9);
    struct itimerspec iv = {.it_value = {0, 20000000}, .it_interval = {0, 20000000}};
    timerfd_settime(t2, 0, &iv, NULL);
    int rounds = 0;
    for (int i = 0; i < 5; i++) {
        struct epoll_event e;
        if (epoll_wait(ep2, &e, 1, 2000) == 1 && read(t2, &v, 8) == 8 && v >= 1)
            rounds++;
    }
    printf("interval ET rounds %d\n", rounds);
    return 0;
}
