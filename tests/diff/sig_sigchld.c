// SIGCHLD: delivered on child exit/stop with siginfo; SA_NOCLDWAIT/SIG_IGN auto-reap.
#include "common.h"

static volatile int got, code, status, pid_ok;
static volatile pid_t expect;

static void h(int s, siginfo_t *si, void *u)
{
    (void)s;
    (void)u;
    got++;
    code = si->si_code;
    status = si->si_status;
    pid_ok = si->si_pid == expect;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t blk, old;
    sigemptyset(&blk);
    sigaddset(&blk, SIGCHLD);
    sigprocmask(SIG_BLOCK, &blk, &old);
    pid_t p = fork();
    if (p == 0)
        _exit(12);
    expect = p;
    siginfo_t si;
    waitid(P_PID, p, &si, WEXITED | WNOWAIT);
    sigprocmask(SIG_SETMASK, &old, NULL); /* delivered here */
    printf("SIGCHLD on exit: got %d, CLD_EXITED %d, status %d, pid ok %d\n", got, code == CLD_EXITED, status, pid_ok);
    waitpid(p, NULL, 0);
    /* killed child */
    got = 0;
    sigprocmask(SIG_BLOCK, &blk, NULL);
    p = fork();
    if (p == 0) {
        for (;;)
            pause();
    }
    expect = p;
    kill(p, SIGKILL);
    waitid(P_PID, p, &si, WEXITED | WNOWAIT);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("SIGCHLD on kill: got %d, CLD_KILLED %d, status %s\n", got, code == CLD_KILLED, sigabbrev_np(status));
    waitpid(p, NULL, 0);
    /* stopped child generates SIGCHLD unless SA_NOCLDSTOP */
    got = 0;
    sigprocmask(SIG_BLOCK, &blk, NULL);
    p = fork();
    if (p == 0) {
        for (;;)
            pause();
    }
    expect = p;
    kill(p, SIGSTOP);
    int st;
    waitpid(p, &st, WUNTRACED);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("SIGCHLD on stop: got %d, CLD_STOPPED %d\n", got, code == CLD_STOPPED);
    sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    got = 0;
    sigprocmask(SIG_BLOCK, &blk, NULL);
    kill(p, SIGCONT);
    waitpid(p, &st, WCONTINUED);
    kill(p, SIGSTOP);
    waitpid(p, &st, WUNTRACED);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("SA_NOCLDSTOP: got %d\n", got);
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);
    /* default disposition: SIGCHLD ignored, process keeps running */
    signal(SIGCHLD, SIG_DFL);
    p = fork();
    if (p == 0)
        _exit(0);
    waitpid(p, NULL, 0);
    printf("default SIGCHLD did not kill us: yes\n");
    /* SIG_IGN: children are auto-reaped, wait returns ECHILD */
    signal(SIGCHLD, SIG_IGN);
    p = fork();
    if (p == 0)
        _exit(3);
    SHOW("wait with SIGCHLD ignored", waitpid(p, &st, 0));
    /* SA_NOCLDWAIT likewise */
    sa.sa_flags = SA_SIGINFO | SA_NOCLDWAIT;
    got = 0;
    sigaction(SIGCHLD, &sa, NULL);
    p = fork();
    if (p == 0)
        _exit(3);
    expect = p;
    SHOW("wait with SA_NOCLDWAIT", waitpid(p, &st, 0));
    printf("handler still ran: %d\n", got);
    return 0;
}
