// A sleep interrupted by a stop/continue (no handler runs) resumes with the
// time it had left (restart_syscall), instead of failing with EINTR or
// starting over; with a handler it fails with EINTR and reports the rest.
#include "common.h"

static void on_usr1(int s) { (void)s; }

static void child_sleep(int fd, int use_clock)
{
    struct timespec req = {1, 0}, rem = {0, 0};
    write(fd, "r", 1);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    int r = use_clock ? clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem)
                      : nanosleep(&req, &rem);
    int e = r == 0 ? 0 : (use_clock ? r : errno);
    long long ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
    /* whether the stop came during the sleep or just before it, the child
     * sleeps 1 s of its own time and the call succeeds; a sleep that
     * started over after the stop would take ~1.55 s */
    _exit(e == 0 && ms >= 1000 && ms < 1400 ? 0 : 1);
}

static void stop_cont(const char *label, int use_clock)
{
    int p[2];
    MUST(pipe(p));
    pid_t c = fork();
    if (c == 0)
        child_sleep(p[1], use_clock);
    char x;
    read(p[0], &x, 1);
    usleep(500 * 1000);
    kill(c, SIGSTOP);
    usleep(50 * 1000);
    kill(c, SIGCONT);
    wait_show(label, c);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    stop_cont("nanosleep across SIGSTOP/SIGCONT", 0);
    stop_cont("clock_nanosleep across SIGSTOP/SIGCONT", 1);
    /* with a handler: EINTR and the remaining time */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    int p[2];
    MUST(pipe(p));
    pid_t c = fork();
    if (c == 0) {
        struct timespec req = {2, 0}, rem = {0, 0};
        write(p[1], "r", 1);
        int r = nanosleep(&req, &rem);
        int e = errno;
        _exit(r == -1 && e == EINTR && rem.tv_sec <= 2 && (rem.tv_sec > 0 || rem.tv_nsec > 0) ? 0 : 1);
    }
    char x;
    read(p[0], &x, 1);
    usleep(50 * 1000);
    kill(c, SIGUSR1);
    wait_show("nanosleep with a handler: EINTR and rem", c);
    return 0;
}
