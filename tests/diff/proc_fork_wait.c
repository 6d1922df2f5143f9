// fork + wait4/waitpid: exit codes, WNOHANG, ECHILD, ordering.
#include "common.h"

int main(void)
{
    pid_t me = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        printf("child: ppid is parent: %s, pid differs: %s\n", getppid() == me ? "yes" : "no",
               getpid() != me ? "yes" : "no");
        _exit(42);
    }
    int st;
    pid_t r = waitpid(pid, &st, 0);
    printf("waitpid returned child pid: %s\n", r == pid ? "yes" : "no");
    show_status("status", st);
    SHOW("waitpid again (reaped)", waitpid(pid, &st, 0));
    SHOW("wait with no children", wait(&st));
    SHOW("WNOHANG no children", waitpid(-1, &st, WNOHANG));
    /* WNOHANG on a running child returns 0 */
    int p[2];
    MUST(pipe(p));
    pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        read(p[0], &c, 1);
        _exit(c);
    }
    close(p[0]);
    SHOW("WNOHANG running child", waitpid(pid, &st, WNOHANG));
    write(p[1], "\x09", 1);
    wait_show("released child", pid);
    /* several children, reap with wait4(-1) and check all statuses */
    int seen = 0;
    for (int i = 0; i < 5; i++) {
        pid_t c = fork();
        if (c == 0)
            _exit(10 + i);
    }
    for (int i = 0; i < 5; i++) {
        struct rusage ru;
        r = wait4(-1, &st, 0, &ru);
        if (r > 0 && WIFEXITED(st))
            seen |= 1 << (WEXITSTATUS(st) - 10);
    }
    printf("all 5 statuses seen: %s\n", seen == 31 ? "yes" : "no");
    SHOW("wait4 none left", wait4(-1, &st, 0, NULL));
    SHOW("waitpid bad options", waitpid(-1, &st, 0x1000000));
    SHOW("waitpid not our child (pid 1)", waitpid(1, &st, 0));
    SHOW("waitpid nonexistent", waitpid(999999, &st, 0));
    /* NULL status pointer is allowed */
    pid = fork();
    if (pid == 0)
        _exit(0);
    printf("wait NULL status ok: %s\n", waitpid(pid, NULL, 0) == pid ? "yes" : "no");
    /* bad status pointer: EFAULT, child stays reapable? Linux reaps it; check */
    pid = fork();
    if (pid == 0)
        _exit(3);
    SHOW("wait4 bad status ptr", syscall(SYS_wait4, pid, BADPTR, 0, NULL) == pid ? 0 : -1);
    SHOW("wait after EFAULT", waitpid(pid, &st, WNOHANG));
    /* grandchild is not our child; orphan gets reparented */
    pid = fork();
    if (pid == 0) {
        pid_t g = fork();
        if (g == 0)
            _exit(0);
        _exit(g > 0 ? 5 : 6);
    }
    wait_show("middle child", pid);
    SHOW("no grandchild to wait for", waitpid(-1, &st, 0));
    /* fork returns distinct values; memory is separate */
    int val = 1;
    pid = fork();
    if (pid == 0) {
        val = 2;
        _exit(val);
    }
    wait_show("child val", pid);
    printf("parent val: %d\n", val);
    /* wait for a process group */
    pid = fork();
    if (pid == 0)
        _exit(8);
    SHOW("waitpid(0) same pgrp", waitpid(0, &st, 0) == pid ? 0 : -1);
    show_status("pgrp wait", st);
    return 0;
}
