// kill(2): signal 0 probes, errors, self, groups.
#include "common.h"

static volatile sig_atomic_t got;
static void h(int s) { got = s; }

int main(void)
{
    SHOW("kill self sig 0", kill(getpid(), 0));
    SHOW("kill nonexistent sig 0", kill(999999, 0));
    SHOW("kill nonexistent SIGTERM", kill(999999, SIGTERM));
    SHOW("kill invalid signal 65", kill(getpid(), 65));
    SHOW("kill invalid signal -1", kill(getpid(), -1));
    SHOW("kill pid INT_MIN", kill(INT_MIN, 0));
    signal(SIGUSR1, h);
    SHOW("kill self SIGUSR1", kill(getpid(), SIGUSR1));
    printf("handler ran before kill returned: %s\n", got == SIGUSR1 ? "yes" : "no");
    got = 0;
    SHOW("raise SIGUSR1", raise(SIGUSR1));
    printf("handler ran: %s\n", got == SIGUSR1 ? "yes" : "no");
    got = 0;
    SHOW("tgkill self", syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1));
    printf("handler ran: %s\n", got == SIGUSR1 ? "yes" : "no");
    SHOW("tgkill wrong tgid", syscall(SYS_tgkill, 999999, gettid(), SIGUSR1));
    SHOW("tgkill tid 0", syscall(SYS_tgkill, getpid(), 0, SIGUSR1));
    SHOW("tkill self sig 0", syscall(SYS_tkill, gettid(), 0));
    /* zombie still accepts signal 0 */
    pid_t c = fork();
    if (c == 0)
        _exit(0);
    siginfo_t si;
    waitid(P_PID, c, &si, WEXITED | WNOWAIT);
    SHOW("kill zombie sig 0", kill(c, 0));
    waitpid(c, NULL, 0);
    SHOW("kill reaped sig 0", kill(c, 0));
    /* kill a child */
    c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    SHOW("kill child SIGKILL", kill(c, SIGKILL));
    wait_show("child", c);
    /* unprivileged process cannot signal root's process */
    int p[2];
    MUST(pipe(p));
    pid_t target = fork();
    if (target == 0) {
        char x;
        close(p[1]);
        read(p[0], &x, 1);
        _exit(0);
    }
    c = fork();
    if (c == 0) {
        if (setuid(65534) < 0)
            _exit(99);
        int r = kill(target, SIGTERM);
        printf("nobody kills root process: %s\n", r < 0 ? en(errno) : "ok");
        r = kill(target, 0);
        printf("nobody probes root process: %s\n", r < 0 ? en(errno) : "ok");
        _exit(0);
    }
    wait_show("unprivileged child", c);
    close(p[1]);
    wait_show("target", target);
    SHOW("kill(-1 group of nonexistent)", kill(-999999, SIGTERM));
    return 0;
}
