/* signalfd: reading blocked pending signals, the mask, flags, records. */
#include "ev_common.h"

static void show_rec(const char *l, struct signalfd_siginfo *s)
{
    printf("%s: signo %u code %d pid_ok %d uid_ok %d int %d ptr %#llx\n", l, s->ssi_signo, s->ssi_code,
           s->ssi_pid == (uint32_t)getpid(), s->ssi_uid == getuid(), s->ssi_int, (unsigned long long)s->ssi_ptr);
}

int main(void)
{
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &m, NULL);
    SHOW("bad flags", signalfd(-1, &m, 1));
    SHOW("bad size", syscall(SYS_signalfd4, -1, &m, 4, 0));
    SHOW("bad mask ptr", syscall(SYS_signalfd4, -1, KPTR, 8, 0));
    SHOW("not a signalfd", signalfd(0, &m, 0));
    SHOW("bad fd", signalfd(999, &m, 0));
    int fd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("cloexec %d nonblock %d accmode %d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0,
           (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, fcntl(fd, F_GETFL) & O_ACCMODE);
    struct signalfd_siginfo s[4];
    SHOW("read empty", read(fd, s, sizeof s[0]));
    SHOW("read short", read(fd, s, 127));
    kill(getpid(), SIGUSR1);
    SHOW("read short, pending", read(fd, s, 100));
    SHOW("read", read(fd, s, sizeof s));
    show_rec("kill", &s[0]);
    sigset_t p;
    sigpending(&p);
    printf("SIGUSR1 still pending: %d\n", sigismember(&p, SIGUSR1));
    raise(SIGUSR2);
    union sigval sv = {.sival_int = 42};
    sigqueue(getpid(), SIGRTMIN, sv);
    sv.sival_int = 43;
    sigqueue(getpid(), SIGRTMIN, sv);
    SHOW("read 4 records", read(fd, s, sizeof s));
    show_rec("first", &s[0]);
    show_rec("second", &s[1]);
    show_rec("third", &s[2]);
    /* only signals in the mask */
    sigset_t m2;
    sigemptyset(&m2);
    sigaddset(&m2, SIGUSR2);
    SHOW("update mask", signalfd(fd, &m2, 0));
    kill(getpid(), SIGUSR1);
    SHOW("USR1 not in mask", read(fd, s, sizeof s));
    kill(getpid(), SIGUSR2);
    SHOW("USR2 in mask", read(fd, s, sizeof s));
    show_rec("usr2", &s[0]);
    /* SIGKILL/SIGSTOP are silently dropped from the mask */
    sigset_t all;
    sigfillset(&all);
    SHOW("full mask", signalfd(fd, &all, 0));
    SHOW("read: the pending USR1", read(fd, s, sizeof s));
    show_rec("usr1", &s[0]);
    /* a blocking read waits for a signal from another process */
    int b = signalfd(-1, &m, 0);
    pid_t c = fork();
    if (c == 0) {
        usleep(100000);
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    SHOW("blocking read", read(b, s, sizeof s));
    printf("signo %u from child: %d\n", s[0].ssi_signo, s[0].ssi_pid == (uint32_t)c);
    waitpid(c, NULL, 0);
    /* SIGCHLD through a signalfd */
    sigset_t cm;
    sigemptyset(&cm);
    sigaddset(&cm, SIGCHLD);
    sigprocmask(SIG_BLOCK, &cm, NULL);
    int cf = signalfd(-1, &cm, 0);
    c = fork();
    if (c == 0)
        _exit(7);
    SHOW("sigchld read", read(cf, s, sizeof s[0]));
    printf("signo %u code %d status %d pid_ok %d\n", s[0].ssi_signo, s[0].ssi_code, s[0].ssi_status,
           s[0].ssi_pid == (uint32_t)c);
    waitpid(c, NULL, 0);
    /* thread-directed: tgkill */
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
    SHOW("tgkill", read(fd, s, sizeof s));
    show_rec("tgkill", &s[0]);
    SHOW("write", write(fd, s, sizeof s[0]));
    return 0;
}
