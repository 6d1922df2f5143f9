// Writing to a pipe with no reader: SIGPIPE kills by default, EPIPE if ignored.
#include "common.h"

static volatile sig_atomic_t got;
static void h(int s) { got = s; }

int main(void)
{
    int p[2];
    MUST(pipe(p));
    close(p[0]);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        no_core();
        write(p[1], "x", 1);
        _exit(0);
    }
    wait_show("default SIGPIPE child", pid);
    signal(SIGPIPE, SIG_IGN);
    SHOW("write with SIGPIPE ignored", write(p[1], "x", 1));
    struct iovec iov = {"abc", 3};
    SHOW("writev with SIGPIPE ignored", writev(p[1], &iov, 1));
    signal(SIGPIPE, h);
    SHOW("write with handler", write(p[1], "x", 1));
    printf("handler got SIGPIPE: %d\n", got == SIGPIPE);
    /* blocked SIGPIPE: EPIPE and signal pending */
    signal(SIGPIPE, SIG_DFL);
    sigset_t s, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    sigprocmask(SIG_BLOCK, &s, NULL);
    SHOW("write with SIGPIPE blocked", write(p[1], "x", 1));
    sigpending(&pend);
    printf("SIGPIPE pending: %d\n", sigismember(&pend, SIGPIPE));
    signal(SIGPIPE, SIG_IGN); /* discards the pending one */
    sigpending(&pend);
    printf("pending discarded by SIG_IGN: %d\n", !sigismember(&pend, SIGPIPE));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    /* reader exits in a child: writer sees EPIPE after buffered data */
    int q[2];
    MUST(pipe(q));
    pid = fork();
    if (pid == 0) {
        close(q[1]);
        char c;
        read(q[0], &c, 1);
        _exit(c);
    }
    close(q[0]);
    SHOW("write while reader alive", write(q[1], "\x05", 1));
    wait_show("reader", pid);
    SHOW("write after reader exited", write(q[1], "y", 1));
    /* shell-like: child with SIG_IGN inherited across fork */
    pid = fork();
    if (pid == 0) {
        int r = write(p[1], "z", 1);
        _exit(r < 0 && errno == EPIPE ? 3 : 4);
    }
    wait_show("child inheriting SIG_IGN", pid);
    return 0;
}
