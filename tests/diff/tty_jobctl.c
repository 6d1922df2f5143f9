// Terminal job control: a background process group that reads its controlling terminal is
// stopped by SIGTTIN (EIO when SIGTTIN is ignored), one that changes the terminal's settings
// or foreground group is stopped by SIGTTOU (allowed when SIGTTOU is ignored), and writes stop
// it only under TOSTOP. The terminal is a pseudo-terminal where the system has them (the
// host) and the console otherwise (Rill has no ptys yet): the rules are the same.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int term = -1;

static const char *en(int e)
{
    switch (e) {
    case EIO: return "EIO";
    case EINTR: return "EINTR";
    case EPERM: return "EPERM";
    case ENOTTY: return "ENOTTY";
    default: return "other";
    }
}

static int open_term(void)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0) {
        const char *n = ptsname(m);
        int s = n ? open(n, O_RDWR | O_NOCTTY) : -1;
        if (s >= 0)
            return s; /* the master stays open (leaked on purpose) */
    }
    return open("/dev/console", O_RDWR | O_NOCTTY);
}

/* Runs fn in a child of a new background process group and reports how it ended. */
static void bg(const char *what, int (*fn)(void))
{
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        _exit(fn());
    }
    setpgid(c, c);
    int st;
    if (waitpid(c, &st, WUNTRACED) != c) {
        printf("%s: waitpid failed\n", what);
        return;
    }
    if (WIFSTOPPED(st)) {
        printf("%s: stopped by %s\n", what, strsignal(WSTOPSIG(st)));
        kill(c, SIGKILL);
        waitpid(c, &st, 0);
    } else if (WIFEXITED(st)) {
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    } else {
        printf("%s: killed by %s\n", what, strsignal(WTERMSIG(st)));
    }
}

static int do_read(void)
{
    char b;
    return read(term, &b, 1) < 0 ? 100 + (errno == EIO) : 1;
}

static int read_ignored(void)
{
    signal(SIGTTIN, SIG_IGN);
    char b;
    ssize_t r = read(term, &b, 1);
    printf("  read with SIGTTIN ignored: %zd %s\n", r, r < 0 ? en(errno) : "");
    return 0;
}

static int read_blocked(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTTIN);
    sigprocmask(SIG_BLOCK, &s, NULL);
    char b;
    ssize_t r = read(term, &b, 1);
    printf("  read with SIGTTIN blocked: %zd %s\n", r, r < 0 ? en(errno) : "");
    return 0;
}

static int do_write(void)
{
    return write(term, "", 1) == 1 ? 0 : 1;
}

static int do_tcsetattr(void)
{
    struct termios t;
    if (tcgetattr(term, &t) != 0)
        return 2;
    return tcsetattr(term, TCSANOW, &t) == 0 ? 0 : 1;
}

static int tcsetattr_ignored(void)
{
    signal(SIGTTOU, SIG_IGN);
    struct termios t;
    tcgetattr(term, &t);
    int r = tcsetattr(term, TCSANOW, &t);
    printf("  tcsetattr with SIGTTOU ignored: %d\n", r);
    return 0;
}

static int do_tcsetpgrp(void)
{
    return tcsetpgrp(term, getpgrp()) == 0 ? 0 : 1;
}

static int do_tcgetattr(void)
{
    struct termios t;
    return tcgetattr(term, &t) == 0 ? 0 : 1;
}

static int hup_pipe[2];

static void on_hup(int sig)
{
    (void)sig;
    write(hup_pipe[1], "H", 1);
    _exit(0);
}

/* A session leader that exits hangs up its terminal: its foreground group gets SIGHUP. */
static void hangup(void)
{
    pipe(hup_pipe);
    pid_t leader = fork();
    if (leader == 0) {
        setsid();
        term = open_term();
        if (term < 0 || ioctl(term, TIOCSCTTY, 0) != 0)
            _exit(1);
        int ready[2];
        pipe(ready);
        pid_t fg = fork();
        if (fg == 0) {
            setpgid(0, 0);
            signal(SIGHUP, on_hup);
            write(ready[1], "r", 1);
            for (;;)
                pause();
        }
        setpgid(fg, fg);
        char b;
        read(ready[0], &b, 1);
        signal(SIGTTOU, SIG_IGN);
        tcsetpgrp(term, fg);
        _exit(0); /* the child keeps running in the foreground */
    }
    close(hup_pipe[1]);
    int st;
    waitpid(leader, &st, 0);
    char b = 0;
    alarm(10); /* no SIGHUP: fail instead of hanging */
    ssize_t r = read(hup_pipe[0], &b, 1);
    printf("foreground group got SIGHUP when the session leader exited: %s\n",
           r == 1 && b == 'H' ? "yes" : "no");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    pid_t leader = fork();
    if (leader == 0) {
        if (setsid() < 0) {
            printf("setsid failed\n");
            _exit(1);
        }
        term = open_term();
        if (term < 0)
            _exit(77);
        printf("TIOCSCTTY: %d\n", ioctl(term, TIOCSCTTY, 0));
        printf("tcsetpgrp to own group: %d\n", tcsetpgrp(term, getpgrp()));
        printf("tcgetpgrp is own group: %s\n", tcgetpgrp(term) == getpgrp() ? "yes" : "no");
        struct termios orig;
        tcgetattr(term, &orig);
        bg("background read", do_read);
        bg("background read, SIGTTIN ignored", read_ignored);
        bg("background read, SIGTTIN blocked", read_blocked);
        bg("background tcgetattr", do_tcgetattr);
        bg("background tcsetattr", do_tcsetattr);
        bg("background tcsetattr, SIGTTOU ignored", tcsetattr_ignored);
        bg("background tcsetpgrp", do_tcsetpgrp);
        struct termios t = orig;
        t.c_lflag |= TOSTOP;
        tcsetattr(term, TCSANOW, &t);
        bg("background write under TOSTOP", do_write);
        tcsetattr(term, TCSANOW, &orig);
        _exit(0);
    }
    int st;
    waitpid(leader, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
        /* neither a pseudo-terminal nor the console: nothing to compare */
        printf("SKIP: no terminal to test with\n");
        return 77;
    }
    printf("session leader: %s %d\n", WIFEXITED(st) ? "exited" : "signalled",
           WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    hangup();
    return 0;
}
