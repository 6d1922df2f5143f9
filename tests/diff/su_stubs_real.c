// Settings that used to be accepted and forgotten now read back, with
// Linux's inheritance: prctl PR_SET_KEEPCAPS, PR_SET_TIMERSLACK,
// PR_SET_THP_DISABLE; fcntl F_SETOWN/F_GETOWN, F_SETSIG/F_GETSIG;
// /proc/sys/kernel/tainted exists and reads as a number.
#include "common.h"

static void show_attrs(const char *who)
{
    printf("%s: keepcaps %d timerslack %d thp_disable %d\n", who, prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0),
           prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        show_attrs("after execve");
        SHOW("after execve: PR_SET_TIMERSLACK 0", prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
        show_attrs("after execve, slack reset");
        return 0;
    }
    show_attrs("start");
    SHOW("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
    SHOW("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    SHOW("PR_SET_TIMERSLACK 123456", prctl(PR_SET_TIMERSLACK, 123456, 0, 0, 0));
    SHOW("PR_SET_THP_DISABLE 1", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
    SHOW("PR_SET_THP_DISABLE extra arg", prctl(PR_SET_THP_DISABLE, 1, 1, 0, 0));
    SHOW("PR_GET_THP_DISABLE with arg2", prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0));
    show_attrs("set");
    pid_t pid = fork();
    if (pid == 0) {
        show_attrs("child");
        SHOW("child: PR_SET_TIMERSLACK 777", prctl(PR_SET_TIMERSLACK, 777, 0, 0, 0));
        SHOW("child: PR_SET_TIMERSLACK 0 (back to the parent's)", prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
        show_attrs("child");
        fflush(stdout);
        char *av[] = {argv[0], "exec", NULL};
        execv(self_path(argv[0]), av);
        printf("execv: %s\n", en(errno));
        _exit(1);
    }
    wait_show("child", pid);
    SHOW("PR_SET_TIMERSLACK 0", prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
    SHOW("PR_SET_KEEPCAPS 0", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
    SHOW("PR_SET_THP_DISABLE 0", prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0));
    show_attrs("reset");

    int p[2];
    MUST(pipe(p));
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    MUST(fd);
    SHOW("F_GETOWN initially", fcntl(fd, F_GETOWN));
    SHOW("F_SETOWN self", fcntl(fd, F_SETOWN, getpid()));
    YN("F_GETOWN is self", fcntl(fd, F_GETOWN) == getpid());
    int d = dup(fd);
    YN("F_GETOWN through a dup", fcntl(d, F_GETOWN) == getpid());
    SHOW("F_SETOWN own process group", fcntl(fd, F_SETOWN, -getpgrp()));
    YN("F_GETOWN is minus the group", fcntl(fd, F_GETOWN) == -getpgrp());
    SHOW("F_SETOWN missing pid", fcntl(fd, F_SETOWN, 4000000));
    SHOW("F_SETOWN missing group", fcntl(fd, F_SETOWN, -4000000));
    YN("F_GETOWN kept", fcntl(fd, F_GETOWN) == -getpgrp());
    SHOW("F_SETOWN 0", fcntl(fd, F_SETOWN, 0));
    SHOW("F_GETOWN", fcntl(fd, F_GETOWN));
    SHOW("F_SETOWN on a pipe", fcntl(p[0], F_SETOWN, getpid()));
    YN("F_GETOWN on the pipe", fcntl(p[0], F_GETOWN) == getpid());
    SHOW("F_GETOWN on the other end", fcntl(p[1], F_GETOWN));
    struct f_owner_ex ox = {.type = F_OWNER_TID, .pid = gettid()};
    SHOW("F_SETOWN_EX thread", fcntl(fd, F_SETOWN_EX, &ox));
    memset(&ox, 0x55, sizeof ox);
    SHOW("F_GETOWN_EX", fcntl(fd, F_GETOWN_EX, &ox));
    YN("F_GETOWN_EX gives the thread", ox.type == F_OWNER_TID && ox.pid == gettid());
    ox.type = 3;
    SHOW("F_SETOWN_EX bad type", fcntl(fd, F_SETOWN_EX, &ox));
    ox.type = F_OWNER_PGRP;
    ox.pid = getpgrp();
    SHOW("F_SETOWN_EX group", fcntl(fd, F_SETOWN_EX, &ox));
    YN("F_GETOWN gives minus the group", fcntl(fd, F_GETOWN) == -getpgrp());
    SHOW("F_GETSIG initially", fcntl(fd, F_GETSIG));
    SHOW("F_SETSIG SIGRTMIN+1", fcntl(fd, F_SETSIG, SIGRTMIN + 1));
    YN("F_GETSIG", fcntl(fd, F_GETSIG) == SIGRTMIN + 1);
    SHOW("F_SETSIG 65", fcntl(fd, F_SETSIG, 65));
    SHOW("F_SETSIG 64", fcntl(fd, F_SETSIG, 64));
    SHOW("F_GETSIG", fcntl(fd, F_GETSIG));
    SHOW("F_SETSIG 0", fcntl(fd, F_SETSIG, 0));
    SHOW("F_GETSIG", fcntl(fd, F_GETSIG));
    SHOW("F_GETOWN bad fd", fcntl(99, F_GETOWN));
    SHOW("F_SETSIG bad fd", fcntl(99, F_SETSIG, 1));

    /* a lease break goes to the file's owner with the F_SETSIG signal */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN + 2);
    sigaddset(&s, SIGIO);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int r = open("f", O_RDONLY);
    close(fd);
    close(d);
    MUST(fcntl(r, F_SETSIG, SIGRTMIN + 2));
    SHOW("F_SETLEASE F_WRLCK", fcntl(r, F_SETLEASE, F_WRLCK));
    YN("F_GETOWN set by F_SETLEASE", fcntl(r, F_GETOWN) == getpid());
    SHOW("conflicting O_NONBLOCK open", open("f", O_WRONLY | O_NONBLOCK));
    siginfo_t si;
    struct timespec zero = {0, 0};
    int sig = sigtimedwait(&s, &si, &zero);
    YN("lease break signal is the F_SETSIG one", sig == SIGRTMIN + 2);
    YN("with si_code POLL_MSG", sig > 0 && si.si_code == POLL_MSG);
    SHOW("F_SETLEASE F_UNLCK", fcntl(r, F_SETLEASE, F_UNLCK));
    close(r);

    static char st[4096];
    get_file("/proc/self/status", st, sizeof st);
    YN("status NoNewPrivs 0", strstr(st, "\nNoNewPrivs:\t0\n") != NULL);
    MUST(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    get_file("/proc/self/status", st, sizeof st);
    YN("status NoNewPrivs 1 after PR_SET_NO_NEW_PRIVS", strstr(st, "\nNoNewPrivs:\t1\n") != NULL);

    char buf[64];
    long n = get_file("/proc/sys/kernel/tainted", buf, sizeof buf);
    char *end = NULL;
    if (n > 0)
        strtoul(buf, &end, 10);
    YN("/proc/sys/kernel/tainted is a number and a newline", n > 1 && end && *end == '\n' && end[1] == 0);
    return 0;
}
