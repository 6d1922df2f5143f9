// ZLMediaKit's pattern: one listening socket (non-blocking) in the epoll set of 4 poller
// threads, edge-triggered; each poller accepts until EAGAIN when woken. 40 clients connect;
// every connection is accepted exactly once (the total is 40, no fd accepted twice). Also an
// EPOLLET listener reports a new edge for each new connection, and EPOLLIN level mode keeps
// reporting while one is queued.
#include "sock.h"

#define POLLERS 4
#define CLIENTS 40
static int lfd;
static int accepted[POLLERS];
static int total;
static int stop_fd[2];

static void *poller(void *arg)
{
    int id = (int)(intptr_t)arg;
    int ep = epoll_create(1024);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    struct epoll_event sev = {.events = EPOLLIN, .data.fd = stop_fd[0]};
    epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd[0], &sev);
    for (;;) {
        struct epoll_event out[8];
        int n = epoll_wait(ep, out, 8, 5000);
        if (n <= 0)
            break;
        int stop = 0;
        for (int i = 0; i < n; i++) {
            if (out[i].data.fd == stop_fd[0]) {
                stop = 1;
                continue;
            }
            for (;;) {
                int s = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
                if (s < 0)
                    break; /* EAGAIN: another poller took it */
                accepted[id]++;
                __atomic_add_fetch(&total, 1, __ATOMIC_SEQ_CST);
                write(s, "w", 1);
                close(s);
            }
        }
        if (stop)
            break;
    }
    close(ep);
    return NULL;
}

int main(void)
{
    lfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
    MUST(seti(lfd, SOL_SOCKET, SO_REUSEADDR, 1));
    struct sockaddr_in6 a = sin6("::", 0);
    MUST(bind(lfd, (struct sockaddr *)&a, sizeof a));
    MUST(listen(lfd, 1024));
    MUST(pipe(stop_fd));
    pthread_t th[POLLERS];
    for (int i = 0; i < POLLERS; i++)
        pthread_create(&th[i], NULL, poller, (void *)(intptr_t)i);
    int welcomed = 0;
    for (int i = 0; i < CLIENTS; i++) {
        int c = connect_to(i % 2 ? AF_INET : AF_INET6, SOCK_STREAM, i % 2 ? "127.0.0.1" : "::1",
                           port_of(lfd));
        if (c < 0)
            continue;
        char b;
        if (read(c, &b, 1) == 1)
            welcomed++;
        close(c);
    }
    write(stop_fd[1], "s", 1);
    for (int i = 0; i < POLLERS; i++)
        pthread_join(th[i], NULL);
    int sum = 0;
    for (int i = 0; i < POLLERS; i++)
        sum += accepted[i];
    printf("clients welcomed: %d\n", welcomed);
    printf("accepted total: %d (per-poller sum %d)\n", total, sum);

    /* a single edge-triggered epoll: one edge per new connection */
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = 7};
    SHOW("EPOLL_CTL_ADD listener", epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev));
    struct epoll_event out[4];
    SHOW("idle", epoll_wait(ep, out, 4, 0));
    int c1 = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(lfd));
    SHOW("first connection", epoll_wait(ep, out, 4, 1000));
    printf("events EPOLLIN=%d data=%u\n", (out[0].events & EPOLLIN) != 0, out[0].data.u32);
    SHOW("no new edge", epoll_wait(ep, out, 4, 0));
    int c2 = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(lfd));
    SHOW("second connection, new edge", epoll_wait(ep, out, 4, 1000));
    ev.events = EPOLLIN;
    SHOW("EPOLL_CTL_MOD level-triggered", epoll_ctl(ep, EPOLL_CTL_MOD, lfd, &ev));
    SHOW("level: ready", epoll_wait(ep, out, 4, 0));
    SHOW("level: still ready", epoll_wait(ep, out, 4, 0));
    int s1 = accept(lfd, NULL, NULL), s2 = accept(lfd, NULL, NULL);
    SHOWOK("accept", s1);
    SHOWOK("accept", s2);
    SHOW("level: drained", epoll_wait(ep, out, 4, 0));
    (void)c1;
    (void)c2;
    return 0;
}
