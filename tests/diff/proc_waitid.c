// waitid(2): idtypes, options, siginfo fields.
#include "common.h"

static void show_si(const char *label, int r, siginfo_t *si, pid_t expect)
{
    if (r < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    const char *code = si->si_code == CLD_EXITED ? "CLD_EXITED" : si->si_code == CLD_KILLED ? "CLD_KILLED"
        : si->si_code == CLD_DUMPED ? "CLD_DUMPED" : si->si_code == CLD_STOPPED ? "CLD_STOPPED"
        : si->si_code == CLD_CONTINUED ? "CLD_CONTINUED" : si->si_code == 0 ? "0" : "?";
    printf("%s: signo=%s code=%s status=%d pid_ok=%s uid=%d\n", label,
           si->si_signo ? sigabbrev_np(si->si_signo) : "0", code, si->si_status,
           si->si_pid == expect ? "yes" : "no", si->si_uid);
}

int main(void)
{
    siginfo_t si;
    pid_t p = fork();
    if (p == 0)
        _exit(7);
    memset(&si, 0, sizeof si);
    show_si("P_PID WEXITED", waitid(P_PID, p, &si, WEXITED), &si, p);
    p = fork();
    if (p == 0)
        _exit(9);
    memset(&si, 0, sizeof si);
    show_si("WNOWAIT", waitid(P_PID, p, &si, WEXITED | WNOWAIT), &si, p);
    memset(&si, 0, sizeof si);
    show_si("P_ALL after WNOWAIT", waitid(P_ALL, 0, &si, WEXITED), &si, p);
    p = fork();
    if (p == 0) {
        for (;;)
            pause();
    }
    memset(&si, 0xff, sizeof si);
    int r = waitid(P_PID, p, &si, WEXITED | WNOHANG);
    printf("WNOHANG running: r=%d si_pid zeroed=%s\n", r, si.si_pid == 0 ? "yes" : "no");
    kill(p, SIGSTOP);
    memset(&si, 0, sizeof si);
    show_si("WSTOPPED", waitid(P_PID, p, &si, WSTOPPED), &si, p);
    kill(p, SIGCONT);
    memset(&si, 0, sizeof si);
    show_si("WCONTINUED", waitid(P_PID, p, &si, WCONTINUED), &si, p);
    kill(p, SIGUSR1);
    memset(&si, 0, sizeof si);
    show_si("killed", waitid(P_PID, p, &si, WEXITED), &si, p);
    p = fork();
    if (p == 0)
        _exit(1);
    memset(&si, 0, sizeof si);
    show_si("P_PGID own group", waitid(P_PGID, getpgid(0), &si, WEXITED), &si, p);
    memset(&si, 0, sizeof si);
    show_si("no children", waitid(P_ALL, 0, &si, WEXITED), &si, 0);
    show_si("no options", waitid(P_ALL, 0, &si, 0), &si, 0);
    show_si("bad idtype", waitid((idtype_t)42, 0, &si, WEXITED), &si, 0);
    show_si("bad options", waitid(P_ALL, 0, &si, WEXITED | 0x10000000), &si, 0);
    show_si("P_PID nonexistent", waitid(P_PID, 999999, &si, WEXITED), &si, 0);
    SHOW("raw waitid bad infop", syscall(SYS_waitid, P_ALL, 0, BADPTR, WEXITED, NULL));
    /* rusage via raw waitid 5th arg */
    p = fork();
    if (p == 0)
        _exit(2);
    struct rusage ru;
    memset(&si, 0, sizeof si);
    r = syscall(SYS_waitid, P_PID, p, &si, WEXITED, &ru);
    show_si("raw waitid with rusage", r, &si, p);
    return 0;
}
