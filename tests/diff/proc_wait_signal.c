// Children killed by signals: WIFSIGNALED/WTERMSIG, stop/continue reporting.
#include "common.h"

static pid_t spawn_pause(void)
{
    pid_t p = fork();
    if (p == 0) {
        no_core();
        for (;;)
            pause();
    }
    return p;
}

int main(void)
{
    int sigs[] = {SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGQUIT, SIGABRT, SIGSEGV};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        pid_t p = spawn_pause();
        kill(p, sigs[i]);
        int st;
        waitpid(p, &st, 0);
        printf("%s: signaled=%d termsig=%s exited=%d\n", sigabbrev_np(sigs[i]), WIFSIGNALED(st),
               sigabbrev_np(WTERMSIG(st)), WIFEXITED(st));
    }
    /* signals whose default is ignore do not kill */
    pid_t p = fork();
    if (p == 0) {
        raise(SIGCHLD);
        raise(SIGURG);
        raise(SIGWINCH);
        _exit(0);
    }
    wait_show("ignored-by-default signals", p);
    /* stop and continue */
    p = spawn_pause();
    kill(p, SIGSTOP);
    int st;
    SHOW("WUNTRACED", waitpid(p, &st, WUNTRACED) == p ? 0 : -1);
    show_status("after SIGSTOP", st);
    kill(p, SIGCONT);
    SHOW("WCONTINUED", waitpid(p, &st, WCONTINUED) == p ? 0 : -1);
    show_status("after SIGCONT", st);
    kill(p, SIGTSTP);
    waitpid(p, &st, WUNTRACED);
    show_status("after SIGTSTP", st);
    kill(p, SIGKILL);
    waitpid(p, &st, 0);
    show_status("killed while stopped", st);
    /* a stopped child is not reported without WUNTRACED */
    p = spawn_pause();
    kill(p, SIGSTOP);
    waitpid(p, &st, WUNTRACED);
    SHOW("stopped, WNOHANG without WUNTRACED", waitpid(p, &st, WNOHANG));
    kill(p, SIGTERM);  /* stays pending while stopped */
    SHOW("still stopped after SIGTERM", waitpid(p, &st, WNOHANG));
    kill(p, SIGCONT);
    waitpid(p, &st, 0);
    show_status("SIGTERM delivered after SIGCONT", st);
    /* raise in child of a signal it handles: exits normally */
    p = fork();
    if (p == 0) {
        signal(SIGTERM, SIG_IGN);
        raise(SIGTERM);
        _exit(4);
    }
    wait_show("SIGTERM ignored", p);
    /* abort() */
    p = fork();
    if (p == 0) {
        no_core();
        abort();
    }
    wait_show("abort", p);
    return 0;
}
