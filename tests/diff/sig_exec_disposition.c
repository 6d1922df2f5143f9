// Across execve: handlers reset to default, SIG_IGN and the mask are kept.
#include "common.h"

static void h(int s) { (void)s; }

int main(int argc, char **argv)
{
    if (argc > 1) {
        struct sigaction sa;
        sigaction(SIGUSR1, NULL, &sa);
        printf("after exec: USR1 handler -> %s\n", sa.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
        sigaction(SIGUSR2, NULL, &sa);
        printf("after exec: USR2 SIG_IGN kept: %s\n", sa.sa_handler == SIG_IGN ? "yes" : "no");
        sigset_t m, p;
        sigprocmask(SIG_SETMASK, NULL, &m);
        printf("after exec: HUP still blocked: %d\n", sigismember(&m, SIGHUP));
        sigpending(&p);
        printf("after exec: HUP still pending: %d\n", sigismember(&p, SIGHUP));
        raise(SIGUSR2);
        printf("after exec: ignored USR2 harmless\n");
        return 0;
    }
    signal(SIGUSR1, h);
    signal(SIGUSR2, SIG_IGN);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    sigprocmask(SIG_BLOCK, &s, NULL);
    pid_t p = fork();
    if (p == 0) {
        raise(SIGHUP); /* pending signals survive exec (but not fork) */
        execl(self_path(argv[0]), argv[0], "child", (char *)NULL);
        _exit(127);
    }
    wait_show("exec child", p);
    /* the shell sees an ignored signal as ignored too */
    p = fork();
    if (p == 0) {
        execl("/bin/sh", "sh", "-c", "kill -USR2 $$; echo survived USR2", (char *)NULL);
        _exit(127);
    }
    wait_show("sh child", p);
    signal(SIGUSR2, SIG_DFL);
    signal(SIGHUP, SIG_IGN); /* drop the pending HUP */
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("parent done\n");
    return 0;
}
