// A timed FUTEX_WAIT in a stopped and continued process resumes with the time it had left
// (no handler runs, so Linux restarts it against the original deadline).
#include "thr_common.h"

int main(void)
{
    int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return 99;
    pid_t kid = fork();
    if (kid == 0) {
        struct timespec ts = {0, 400000000};
        long long t0 = now_ns(CLOCK_MONOTONIC);
        long r = futex6(&sh[0], FUTEX_WAIT, 0, &ts, NULL, 0);
        int e = errno;
        long long el = now_ns(CLOCK_MONOTONIC) - t0;
        /* stopped for 600 ms: starting over would take >= 1000 ms */
        printf("child: %ld %s, took 400..950 ms: %s\n", r, r ? en(e) : "", el >= 400000000LL && el < 950000000LL ? "yes" : "no");
        _exit(0);
    }
    wait_waiters(&sh[0], 1, 0);
    kill(kid, SIGSTOP);
    int st;
    waitpid(kid, &st, WUNTRACED);
    show_status("after SIGSTOP", st);
    usleep(600000);
    kill(kid, SIGCONT);
    wait_show("child", kid);
    return 0;
}
