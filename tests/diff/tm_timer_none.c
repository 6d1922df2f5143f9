// POSIX timers with SIGEV_NONE and NULL sevp; timer ids; gettime counting down; fork/exec.
#include "common.h"

static volatile int got, gotval;
static void h(int s, siginfo_t *si, void *uc)
{
    (void)s;
    (void)uc;
    got++;
    gotval = si->si_value.sival_int;
}
static long long its_ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(int argc, char **argv)
{
    if (argc > 1) {
        /* after exec, timers are gone: timer 0 is not ours */
        struct itimerspec c;
        SHOW("after exec gettime id 0", syscall(SYS_timer_gettime, 0, &c));
        return 0;
    }
    timer_t t;
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_NONE;
    SHOW("create SIGEV_NONE", timer_create(CLOCK_MONOTONIC, &ev, &t));
    printf("first timer id: %ld\n", (long)(intptr_t)t);
    struct itimerspec its = {{0, 0}, {0, 200000000}}, cur;
    timer_settime(t, 0, &its, NULL);
    timer_gettime(t, &cur);
    long long a = its_ns(cur.it_value);
    usleep(50000);
    timer_gettime(t, &cur);
    long long b = its_ns(cur.it_value);
    printf("counting down: %s, decreased by >= 50ms: %s\n", b < a ? "yes" : "no", a - b >= 50000000 ? "yes" : "no");
    usleep(200000);
    timer_gettime(t, &cur);
    printf("expired one-shot reads 0: %s\n", its_ns(cur.it_value) == 0 ? "yes" : "no");
    /* periodic SIGEV_NONE: value stays within (0, interval] */
    struct itimerspec per = {{0, 30000000}, {0, 30000000}};
    timer_settime(t, 0, &per, NULL);
    usleep(100000);
    timer_gettime(t, &cur);
    printf("periodic value in (0, 30ms]: %s\n", its_ns(cur.it_value) > 0 && its_ns(cur.it_value) <= 30000000 ? "yes" : "no");
    SHOW("getoverrun SIGEV_NONE", timer_getoverrun(t));
    /* NULL sevp: SIGALRM with si_value = timer id */
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGALRM, &sa, NULL);
    int id2 = -1;
    SHOW("create NULL sevp (raw)", syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &id2));
    printf("second timer id: %d\n", id2);
    timer_t t2 = (timer_t)(intptr_t)id2;
    struct itimerspec one = {{0, 0}, {0, 10000000}};
    timer_settime(t2, 0, &one, NULL);
    while (!got)
        pause();
    printf("default SIGALRM delivered, sival is the id: %s\n", gotval == id2 ? "yes" : "no");
    /* ids are reused after delete: lowest free */
    timer_delete(t);
    timer_t t3;
    timer_create(CLOCK_MONOTONIC, &ev, &t3);
    printf("id after deleting the first: %ld\n", (long)(intptr_t)t3);
    /* a child starts without timers */
    pid_t c = fork();
    if (c == 0) {
        struct itimerspec cc;
        long r = syscall(SYS_timer_gettime, t2, &cc);
        _exit(r == -1 && errno == EINVAL ? 0 : 1);
    }
    wait_show("child has no timers (EINVAL)", c);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        timer_t x;
        timer_create(CLOCK_MONOTONIC, &ev, &x);
        execl(self_path(argv[0]), argv[0], "exec", (char *)NULL);
        _exit(127);
    }
    wait_show("exec child", c);
    /* many timers */
    int okc = 0;
    timer_t many[100];
    for (int i = 0; i < 100; i++)
        if (timer_create(CLOCK_MONOTONIC, &ev, &many[i]) == 0)
            okc++;
    printf("100 more timers created: %d\n", okc);
    for (int i = 0; i < 100; i++)
        timer_delete(many[i]);
    return 0;
}
