// st_epoll: a token ring through eventfds and epoll. 8 threads, each with its
// own epoll set holding its own eventfd (level-triggered) and one shared
// eventfd (edge-triggered, EPOLLEXCLUSIVE-free, every thread is woken): the
// token goes round 20,000 times; every hop needs one wake-up, and a thread
// still blocked 10 s after the token reached it is a lost wake-up. Then the
// whole ring is torn down and rebuilt 50 times (epoll sets, items, eventfds)
// (items, observers and nested registrations made and dropped).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include "stress.h"

#define T 8
#define HOPS 20000

static int efd[T], shared_fd;
static volatile int done;
static long hops;
static int stuck;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void *ring(void *arg) {
    int id = (int)(long)arg;
    int ep = epoll_create1(0);
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = 1};
    epoll_ctl(ep, EPOLL_CTL_ADD, efd[id], &e);
    struct epoll_event s = {.events = EPOLLIN | EPOLLET, .data.u32 = 2};
    epoll_ctl(ep, EPOLL_CTL_ADD, shared_fd, &s);
    long long last = now_ms();
    while (!__atomic_load_n(&done, __ATOMIC_SEQ_CST)) {
        struct epoll_event out[2];
        int n = epoll_wait(ep, out, 2, 1000);
        for (int i = 0; i < n; i++) {
            if (out[i].data.u32 != 1)
                continue;
            uint64_t v;
            if (read(efd[id], &v, 8) != 8)
                continue;
            last = now_ms();
            if (__atomic_add_fetch(&hops, 1, __ATOMIC_SEQ_CST) >= HOPS) {
                __atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
                uint64_t one = 1;
                write(shared_fd, &one, 8); // wake everyone through the ET item
                break;
            }
            uint64_t one = 1;
            write(efd[(id + 1) % T], &one, 8);
        }
        if (n == 0 && now_ms() - last > 10000 && !__atomic_load_n(&done, __ATOMIC_SEQ_CST)) {
            // the token may be elsewhere; only the holder's wait counts
            uint64_t v;
            if (read(efd[id], &v, 8) == 8) {
                __atomic_store_n(&stuck, 1, __ATOMIC_SEQ_CST);
                __atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
            }
        }
    }
    close(ep);
    return NULL;
}

static int run_ring(void) {
    done = 0;
    hops = 0;
    stuck = 0;
    for (int i = 0; i < T; i++)
        efd[i] = eventfd(0, EFD_NONBLOCK);
    shared_fd = eventfd(0, EFD_NONBLOCK);
    pthread_t t[T];
    for (long i = 0; i < T; i++)
        pthread_create(&t[i], NULL, ring, (void *)i);
    uint64_t one = 1;
    write(efd[0], &one, 8);
    for (int i = 0; i < T; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < T; i++)
        close(efd[i]);
    close(shared_fd);
    return !stuck && hops >= HOPS;
}

int main(void) {
    long long t0 = now_ms();
    result(run_ring(), "epoll token ring: 20000 hops through 8 epoll sets, no lost wake-up");
    printf("ring took %lld ms\n", now_ms() - t0);
    // churn: sets, items and eventfds made and dropped; memory must come back
    long before = mem_free_kb();
    int ok = 1;
    for (int r = 0; r < 50 && ok; r++) {
        int eps[16], fds[64];
        for (int i = 0; i < 16; i++)
            eps[i] = epoll_create1(0);
        for (int i = 0; i < 64; i++) {
            fds[i] = eventfd(1, 0);
            for (int j = 0; j < 16; j++) {
                struct epoll_event e = {.events = EPOLLIN | (j & 1 ? EPOLLET : 0), .data.u32 = i};
                if (epoll_ctl(eps[j], EPOLL_CTL_ADD, fds[i], &e) != 0)
                    ok = 0;
            }
        }
        for (int j = 0; j < 16; j++) {
            struct epoll_event out[64];
            if (epoll_wait(eps[j], out, 64, 0) != 64)
                ok = 0;
        }
        // nest half of them
        for (int j = 1; j < 16; j += 2) {
            struct epoll_event e = {.events = EPOLLIN};
            epoll_ctl(eps[j - 1], EPOLL_CTL_ADD, eps[j], &e);
        }
        for (int i = 0; i < 64; i++)
            close(fds[i]);
        for (int j = 0; j < 16; j++)
            close(eps[j]);
    }
    result(ok, "epoll churn: 50 rounds of 16 sets x 64 eventfds, every item reported");
    // (memory is figure only: a shared host's MemFree moves by megabytes)
    printf("free memory before %ld kB, after %ld kB\n", before, mem_free_kb());
    return failures ? 1 : 0;
}
