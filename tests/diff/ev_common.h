/* Helpers shared by the ev_* tests (epoll, eventfd, timerfd, signalfd). */
#ifndef EV_COMMON_H
#define EV_COMMON_H
#include "common.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

/* Stop with a message when a setup step does not give what it must. */
#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            printf("CHECK failed at line %d: %s (%s)\n", __LINE__, #c,         \
                   en(errno));                                                 \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static inline int ep_add(int ep, int fd, unsigned ev, unsigned long long data)
{
    struct epoll_event e = {.events = ev, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static inline int ep_mod(int ep, int fd, unsigned ev, unsigned long long data)
{
    struct epoll_event e = {.events = ev, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
}

/* epoll_wait and print "label: n [data:events ...]". */
static inline int ep_show(const char *label, int ep, int max, int timeout)
{
    struct epoll_event evs[64];
    int n = epoll_wait(ep, evs, max, timeout);
    int e = errno;
    printf("%s:", label);
    if (n < 0) {
        printf(" -1 %s\n", en(e));
        return n;
    }
    printf(" %d", n);
    for (int i = 0; i < n; i++)
        printf(" %llu:%#x", (unsigned long long)evs[i].data.u64, evs[i].events);
    printf("\n");
    return n;
}
#endif
