// Signals to a child blocked in pause(): handled (pause returns) or fatal.
#include "common.h"

static volatile int hits;
static void h(int s) { (void)s; hits++; }

/* Send sig repeatedly until the child exits; returns its status. */
static int poke_until_exit(pid_t p, int sig)
{
    int st;
    for (int i = 0; i < 2000; i++) {
        kill(p, sig);
        pid_t r = waitpid(p, &st, WNOHANG);
        if (r == p)
            return st;
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    kill(p, SIGKILL);
    waitpid(p, &st, 0);
    return st;
}

int main(void)
{
    /* dispositions are set before fork so no signal can arrive too early */
    signal(SIGUSR1, h);
    pid_t p = fork();
    if (p == 0) {
        int r = pause();
        _exit(r == -1 && errno == EINTR && hits >= 1 ? 3 : 4);
    }
    show_status("handled USR1 wakes pause", poke_until_exit(p, SIGUSR1));
    p = fork();
    if (p == 0) {
        for (;;)
            pause();
    }
    show_status("SIGTERM on paused child", poke_until_exit(p, SIGTERM));
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, h);
    p = fork();
    if (p == 0) {
        pause();
        _exit(hits ? 5 : 6);
    }
    /* SIGINT is ignored (pause keeps waiting), then SIGHUP wakes it */
    kill(p, SIGINT);
    kill(p, SIGINT);
    show_status("ignored INT then HUP", poke_until_exit(p, SIGHUP));
    /* stopped then continued child stays in pause */
    signal(SIGUSR2, h);
    p = fork();
    if (p == 0) {
        pause();
        _exit(7);
    }
    kill(p, SIGSTOP);
    int st;
    waitpid(p, &st, WUNTRACED);
    show_status("paused child", st);
    kill(p, SIGCONT);
    show_status("after CONT then USR2", poke_until_exit(p, SIGUSR2));
    return 0;
}
