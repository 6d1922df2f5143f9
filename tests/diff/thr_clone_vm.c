// clone(CLONE_VM) without CLONE_THREAD: a separate process sharing memory; exit_signal 0 children
// need __WCLONE/__WALL; CLONE_PARENT_SETTID/CHILD_SETTID; CLONE_FILES shares the fd table.
#include "thr_common.h"

static char stk[65536] __attribute__((aligned(16)));
static volatile int shared_val;
static int fd_from_child = -1;
static volatile int child_tid_word;

static int fn(void *a)
{
    shared_val = 42;
    fd_from_child = open("/dev/null", O_RDONLY);
    return (int)(long)a;
}

int main(void)
{
    int ptid = 0;
    pid_t k = clone(fn, stk + sizeof stk, CLONE_VM | CLONE_FILES | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD,
                    (void *)3L, &ptid, NULL, &child_tid_word);
    if (k < 0) {
        printf("clone: %s\n", en(errno));
        return 1;
    }
    wait_show("CLONE_VM child", k);
    printf("memory shared: %d, parent_tid ok %s, child_tid written in shared memory %s\n", shared_val,
           ptid == k ? "yes" : "no", child_tid_word == k ? "yes" : "no");
    printf("fd opened by the child is ours: %s\n", fd_from_child >= 0 && fcntl(fd_from_child, F_GETFD) >= 0 ? "yes" : "no");
    /* exit signal 0: only __WCLONE / __WALL see it */
    shared_val = 0;
    k = clone(fn, stk + sizeof stk, CLONE_VM, (void *)4L);
    int st;
    /* wait until it has run: shared_val set */
    for (int i = 0; i < 10000 && !shared_val; i++)
        usleep(1000);
    SHOW("waitpid without __WCLONE", waitpid(k, &st, WNOHANG));
    pid_t r = waitpid(k, &st, __WCLONE);
    YN("waitpid __WCLONE", r == k);
    show_status("clone child (exit signal 0)", st);
    /* a clone child with SIGUSR1 as exit signal is a "clone" child too */
    signal(SIGUSR1, SIG_IGN);
    k = clone(fn, stk + sizeof stk, CLONE_VM | SIGUSR1, (void *)5L);
    r = waitpid(k, &st, __WALL);
    YN("waitpid __WALL", r == k);
    show_status("clone child (SIGUSR1)", st);
    return 0;
}
