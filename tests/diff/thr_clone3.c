// clone3(): argument checks (size, exit_signal, stack, set_tid), E2BIG on non-zero tail, fork-like use.
#include "thr_common.h"

struct ca {
    unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};

static long c3(struct ca *a, size_t n)
{
    return syscall(SYS_clone3, a, n);
}

int main(void)
{
    static unsigned char big[8192];
    struct ca a;
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    SHOW("size 0", c3(&a, 0));
    SHOW("size 63", c3(&a, 63));
    SHOW("size above a page", c3(&a, 4097));
    SHOW("NULL args", c3(NULL, 64));
    SHOW("bad pointer", c3(BADPTR, 64));
    memcpy(big, &a, sizeof a);
    big[200] = 1;
    SHOW("non-zero tail", syscall(SYS_clone3, big, 4096));
    a.exit_signal = 65;
    SHOW("exit_signal 65", c3(&a, 64));
    a.exit_signal = SIGCHLD;
    a.flags = SIGCHLD; /* CSIGNAL bits are not allowed in flags */
    SHOW("CSIGNAL in flags", c3(&a, 64));
    a.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
    SHOW("THREAD with exit_signal", c3(&a, 64));
    a.flags = CLONE_PARENT;
    SHOW("PARENT with exit_signal", c3(&a, 64));
    a.flags = CLONE_THREAD;
    a.exit_signal = 0;
    SHOW("THREAD without SIGHAND", c3(&a, 64));
    a.flags = 0;
    a.exit_signal = SIGCHLD;
    a.stack = (unsigned long)big;
    a.stack_size = 0;
    SHOW("stack without size", c3(&a, 64));
    a.stack = 0;
    a.stack_size = 4096;
    SHOW("size without stack", c3(&a, 64));
    a.stack_size = 0;
    a.set_tid_size = 1;
    SHOW("set_tid_size without set_tid", c3(&a, sizeof a));
    a.set_tid_size = 0;
    a.flags = 1ULL << 40;
    SHOW("unknown flag bit 40", c3(&a, 64));
    a.flags = 0;
    /* fork-like: exit_signal SIGCHLD, the parent can wait for it */
    long pid = c3(&a, 64);
    if (pid == 0)
        _exit(7);
    YN("clone3 fork returned a pid", pid > 0);
    wait_show("clone3 child", (pid_t)pid);
    /* a larger struct with a zero tail is accepted */
    memset(big, 0, sizeof big);
    memcpy(big, &a, sizeof a);
    pid = syscall(SYS_clone3, big, 4096);
    if (pid == 0)
        _exit(8);
    wait_show("clone3 child (4096-byte args)", (pid_t)pid);
    /* CLONE_PARENT_SETTID and CHILD_SETTID through clone3 */
    int ptid = 0;
    static int ctid;
    a.flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID;
    a.parent_tid = (unsigned long)&ptid;
    a.child_tid = (unsigned long)&ctid;
    pid = c3(&a, 64);
    if (pid == 0)
        _exit(ctid == getpid() ? 0 : 1);
    YN("parent_tid written", ptid == pid);
    YN("child_tid not written in the parent's copy", ctid == 0);
    wait_show("clone3 SETTID child", (pid_t)pid);
    /* exit_signal 0: the parent gets no SIGCHLD and needs __WALL */
    a.flags = 0;
    a.exit_signal = 0;
    pid = c3(&a, 64);
    if (pid == 0)
        _exit(9);
    int st;
    SHOW("waitpid without __WALL", waitpid((pid_t)pid, &st, WNOHANG) == 0 ? 0 : -1);
    if (waitpid((pid_t)pid, &st, __WALL) == pid)
        show_status("exit_signal 0 child", st);
    return 0;
}
