// alarm(): return values (seconds left, rounded), cancel, delivery, exec keeps it.
#include "common.h"

static volatile int got;
static void h(int s) { (void)s; got++; }

int main(int argc, char **argv)
{
    if (argc > 1) {
        /* after exec: the alarm is still pending */
        printf("after exec alarm(0) returns: %u\n", alarm(0));
        return 0;
    }
    signal(SIGALRM, h);
    printf("first alarm(10): %u\n", alarm(10));
    printf("alarm(5) returns: %u\n", alarm(5));
    printf("alarm(0) returns: %u\n", alarm(0));
    printf("alarm(0) again: %u\n", alarm(0));
    alarm(3);
    usleep(700000);
    /* 2.3 s left: Linux rounds to the nearest second (2; 2 for anything in
       (1.5 s, 2.5 s), so the check tolerates 300 ms of lateness) */
    printf("after 0.7s alarm(3) left: %u\n", alarm(0));
    alarm(1);
    usleep(600000);
    /* 0.4 s left: rounds to 0, but an armed alarm never reports 0 */
    printf("0.4s left rounds to: %u\n", alarm(0));
    got = 0;
    alarm(1);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    while (!got)
        pause();
    long long d = now_ns(CLOCK_MONOTONIC) - t0;
    printf("alarm(1) delivered after ~1s: %s\n", d >= 990000000 && d < 2000000000 ? "yes" : "no");
    printf("after delivery alarm(0): %u\n", alarm(0));
    /* alarm shares the ITIMER_REAL timer */
    alarm(7);
    struct itimerval it;
    getitimer(ITIMER_REAL, &it);
    printf("getitimer sees alarm: %s\n", it.it_value.tv_sec == 6 || it.it_value.tv_sec == 7 ? "yes" : "no");
    struct itimerval half = {{0, 0}, {0, 400000}};
    setitimer(ITIMER_REAL, &half, NULL);
    printf("alarm(0) after 0.4s itimer: %u\n", alarm(0));
    /* default action of SIGALRM terminates */
    pid_t c = fork();
    if (c == 0) {
        signal(SIGALRM, SIG_DFL);
        alarm(1);
        for (;;)
            pause();
    }
    wait_show("child with default SIGALRM", c);
    /* the alarm survives execve */
    fflush(stdout);
    c = fork();
    if (c == 0) {
        alarm(30);
        execl(self_path(argv[0]), argv[0], "x", (char *)NULL);
        _exit(127);
    }
    wait_show("exec child", c);
    return 0;
}
