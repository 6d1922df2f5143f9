// Blocking read interrupted by a handler: EINTR without SA_RESTART, restarted with it.
#include "common.h"

static int wfd;
static volatile int hits;
static void h_plain(int s) { (void)s; hits++; }
static void h_feed(int s)
{
    (void)s;
    hits++;
    write(wfd, "R", 1); /* data for the restarted read */
}

static void arm(long usec)
{
    struct itimerval it = {{0, 0}, {0, usec}};
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
    int p[2];
    MUST(pipe(p));
    wfd = p[1];
    struct sigaction sa = {0};
    sa.sa_handler = h_plain;
    sigaction(SIGALRM, &sa, NULL);
    char c = 0;
    arm(30000);
    SHOW("read without SA_RESTART", read(p[0], &c, 1));
    printf("handler hits: %d\n", hits);
    sa.sa_handler = h_feed;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    arm(30000);
    SHOW("read with SA_RESTART", read(p[0], &c, 1));
    printf("got byte: %c, hits: %d\n", c, hits);
    /* wait4 also restarts / is interrupted */
    pid_t child = fork();
    if (child == 0) {
        char x;
        close(p[1]);
        read(p[0], &x, 1);
        _exit(0);
    }
    sa.sa_handler = h_plain;
    sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    arm(30000);
    int st;
    SHOW("waitpid without SA_RESTART", waitpid(child, &st, 0));
    write(p[1], "x", 1);
    wait_show("child", child);
    /* nanosleep is interrupted even with SA_RESTART and reports the remainder */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    arm(20000);
    struct timespec req = {5, 0}, rem = {0, 0};
    SHOW("nanosleep with SA_RESTART", nanosleep(&req, &rem));
    printf("remaining between 3s and 5s: %s\n", rem.tv_sec >= 3 && rem.tv_sec < 5 ? "yes" : "no");
    /* pause() always returns EINTR */
    arm(20000);
    SHOW("pause", pause());
    /* poll is never restarted */
    arm(20000);
    struct pollfd pf = {p[0], POLLIN, 0};
    SHOW("poll with SA_RESTART", poll(&pf, 1, 5000));
    /* write to a full pipe is interrupted */
    sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    static char big[65536];
    while (write(p[1], big, sizeof big) > 0)
        ;
    fcntl(p[1], F_SETFL, 0);
    arm(20000);
    SHOW("write to full pipe interrupted", write(p[1], big, 10));
    printf("total handler hits: %d\n", hits);
    return 0;
}
