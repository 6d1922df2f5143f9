/*
 * The ZLMediaKit poller pattern on a listening TCP socket: N threads, each
 * with its own epoll set holding the same non-blocking listen fd with
 * EPOLLET. All are woken by a connection; one accept wins, the others get
 * EAGAIN. M connections must each be accepted exactly once, and no thread
 * may be left stuck. */
#include "../diff/ev_common.h"
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define N 4
#define M 64

static int lfd;
static int accepted[N], eagain[N];
static volatile int stop;

static void *poller(void *arg)
{
    int id = (int)(long)arg;
    int ep = epoll_create1(0);
    ep_add(ep, lfd, EPOLLIN | EPOLLET, id);
    while (!stop) {
        struct epoll_event e;
        int n = epoll_wait(ep, &e, 1, 100);
        if (n <= 0)
            continue;
        for (;;) {
            int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (c < 0) {
                if (errno == EAGAIN)
                    __atomic_add_fetch(&eagain[id], 1, __ATOMIC_SEQ_CST);
                break;
            }
            char b = 0;
            /* tell the client which connection this was: it reads one byte */
            write(c, &b, 1);
            close(c);
            __atomic_add_fetch(&accepted[id], 1, __ATOMIC_SEQ_CST);
        }
    }
    close(ep);
    return NULL;
}

int main(void)
{
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(lfd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0);
    socklen_t al = sizeof a;
    CHECK(getsockname(lfd, (struct sockaddr *)&a, &al) == 0);
    CHECK(listen(lfd, 128) == 0);
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, poller, (void *)i);
    int served = 0;
    for (int i = 0; i < M; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(s >= 0);
        CHECK(connect(s, (struct sockaddr *)&a, sizeof a) == 0);
        struct timeval tv = {10, 0};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char b;
        if (read(s, &b, 1) == 1)
            served++;
        else
            printf("connection %d: not served (a lost wake-up?)\n", i);
        close(s);
    }
    stop = 1;
    int sum = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        sum += accepted[i];
    }
    printf("connections %d, served %d, accepted %d\n", M, served, sum);
    /* a burst: M connects before anyone accepts */
    stop = 0;
    memset(accepted, 0, sizeof accepted);
    int cs[M];
    for (int i = 0; i < M; i++) {
        cs[i] = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(connect(cs[i], (struct sockaddr *)&a, sizeof a) == 0);
    }
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, poller, (void *)i);
    served = 0;
    for (int i = 0; i < M; i++) {
        struct timeval tv = {10, 0};
        setsockopt(cs[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char b;
        served += read(cs[i], &b, 1) == 1;
        close(cs[i]);
    }
    stop = 1;
    sum = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        sum += accepted[i];
    }
    printf("burst: connections %d, served %d, accepted %d\n", M, served, sum);
    return 0;
}
