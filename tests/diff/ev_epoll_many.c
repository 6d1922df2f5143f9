/* Fairness: 100 ready level-triggered items, maxevents 10: every item is
 * reported once in 10 calls (round robin), then again in the same order. */
#include "ev_common.h"

#define N 100

int main(void)
{
    int ep = epoll_create1(0);
    int ps[N][2];
    for (int i = 0; i < N; i++) {
        CHECK(pipe(ps[i]) == 0);
        CHECK(ep_add(ep, ps[i][0], EPOLLIN, i) == 0);
    }
    for (int i = 0; i < N; i++)
        CHECK(write(ps[i][1], "x", 1) == 1);
    int count[N] = {0};
    int order[2 * N], k = 0;
    for (int r = 0; r < 20; r++) {
        struct epoll_event e[10];
        int n = epoll_wait(ep, e, 10, 0);
        if (n != 10)
            printf("call %d: %d events\n", r, n);
        for (int i = 0; i < n; i++) {
            count[e[i].data.u64]++;
            order[k++] = (int)e[i].data.u64;
        }
    }
    int twice = 0;
    for (int i = 0; i < N; i++)
        twice += count[i] == 2;
    printf("items reported twice: %d\n", twice);
    int same = 1;
    for (int i = 0; i < N; i++)
        same &= order[i] == order[i + N];
    printf("same order both rounds: %d\n", same);
    printf("first round in readiness order: %d\n", order[0] == 0 && order[N - 1] == N - 1);
    /* drain half: only the other half is reported */
    char b;
    for (int i = 0; i < N; i += 2)
        CHECK(read(ps[i][0], &b, 1) == 1);
    struct epoll_event e[N];
    int n = epoll_wait(ep, e, N, 0);
    int odd = 1;
    for (int i = 0; i < n; i++)
        odd &= e[i].data.u64 % 2 == 1;
    printf("after draining evens: %d events, all odd: %d\n", n, odd);
    /* closing fds removes their items (the files go) */
    for (int i = 1; i < N; i += 2) {
        close(ps[i][0]);
    }
    n = epoll_wait(ep, e, N, 0);
    printf("after closing odds: %d\n", n);
    return 0;
}
