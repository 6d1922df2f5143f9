// Job control: terminal stop signals in orphaned process groups, and the
// SIGHUP+SIGCONT an exit sends to a group it orphans while it has stopped members.
#include "common.h"

static int hup_pipe = -1;
static void on_hup(int s)
{
    (void)s;
    if (write(hup_pipe, "H", 1) < 0)
        _exit(9);
}
static void on_cont(int s)
{
    (void)s;
    if (write(hup_pipe, "C", 1) < 0)
        _exit(9);
}

static void show_stop(const char *label, pid_t p)
{
    int st;
    pid_t w = waitpid(p, &st, WUNTRACED);
    if (w != p)
        printf("%s: waitpid failed\n", label);
    else if (WIFSTOPPED(st))
        printf("%s: stopped by %s\n", label, sigabbrev_np(WSTOPSIG(st)));
    else
        show_status(label, st);
}

int main(void)
{
    /* We adopt orphans, so what happens does not depend on the host's init. */
    MUST(prctl(PR_SET_CHILD_SUBREAPER, 1));

    /* A new session: its process group has no parent link inside the session,
     * so it is orphaned and SIGTSTP/SIGTTIN/SIGTTOU are discarded; SIGSTOP is not. */
    pid_t a = fork();
    if (a == 0) {
        setsid();
        raise(SIGTSTP);
        raise(SIGTTIN);
        raise(SIGTTOU);
        printf("orphaned group: terminal stop signals discarded\n");
        raise(SIGSTOP);
        printf("orphaned group: continued after SIGSTOP\n");
        _exit(3);
    }
    show_stop("session leader", a);
    kill(a, SIGCONT);
    wait_show("session leader", a);

    /* Inside that kind of session, a child in its own group is linked to the
     * session through its parent: SIGTSTP stops it. When the parent exits, the
     * group is orphaned with a stopped member: it gets SIGHUP, then SIGCONT. */
    int fds[2];
    MUST(pipe(fds));
    int rep[2];
    MUST(pipe(rep));
    a = fork();
    if (a == 0) {
        setsid();
        pid_t b = fork();
        if (b == 0) {
            setpgid(0, 0);
            hup_pipe = fds[1];
            struct sigaction sa = {0};
            sa.sa_handler = on_hup;
            sigaction(SIGHUP, &sa, NULL);
            sa.sa_handler = on_cont;
            sigaction(SIGCONT, &sa, NULL);
            raise(SIGTSTP);
            /* continued (by the orphaning SIGCONT) */
            _exit(5);
        }
        setpgid(b, b);
        int st;
        pid_t w = waitpid(b, &st, WUNTRACED);
        char r = (w == b && WIFSTOPPED(st)) ? (char)WSTOPSIG(st) : 0;
        if (write(rep[1], &r, 1) != 1)
            _exit(8);
        _exit(0); /* orphans b's group */
    }
    close(fds[1]);
    close(rep[1]);
    char r = 0;
    if (read(rep[0], &r, 1) == 1 && r)
        printf("child group: stopped by %s\n", sigabbrev_np(r));
    else
        printf("child group: not stopped\n");
    wait_show("middle", a);
    /* b is now ours (subreaper); it exits after the SIGHUP+SIGCONT */
    int st;
    pid_t b = wait(&st);
    printf("orphaned child reaped: %s\n", b > 0 ? "yes" : "no");
    show_status("orphaned child", st);
    char got[8] = {0};
    ssize_t n = read(fds[0], got, sizeof got - 1);
    printf("signals seen by the orphan: %s\n", n > 0 ? got : "none");
    return 0;
}
