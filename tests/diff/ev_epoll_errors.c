/* epoll's error cases, in Linux's order. */
#include "ev_common.h"

int main(void)
{
    SHOW("create 0", epoll_create(0));
    SHOW("create -1", epoll_create(-1));
    SHOW("create1 bad flag", epoll_create1(1));
    SHOW("create1 O_NONBLOCK", epoll_create1(O_NONBLOCK));
    int ep = epoll_create1(0);
    int p[2];
    CHECK(pipe(p) == 0);
    struct epoll_event e = {.events = EPOLLIN, .data.u64 = 1};
    SHOW("bad epfd", epoll_ctl(999, EPOLL_CTL_ADD, p[0], &e));
    SHOW("bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &e));
    SHOW("negative fd", epoll_ctl(ep, EPOLL_CTL_ADD, -1, &e));
    SHOW("bad event ptr", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], BADPTR));
    SHOW("bad event ptr, bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, KPTR));
    SHOW("DEL ignores the event ptr", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], BADPTR));
    put_file("reg", "x");
    int rf = open("reg", O_RDONLY);
    SHOW("regular file", epoll_ctl(ep, EPOLL_CTL_ADD, rf, &e));
    int df = open(".", O_RDONLY | O_DIRECTORY);
    SHOW("directory", epoll_ctl(ep, EPOLL_CTL_ADD, df, &e));
    SHOW("regular file, non-epoll epfd", epoll_ctl(p[0], EPOLL_CTL_ADD, rf, &e));
    SHOW("non-epoll epfd", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &e));
    SHOW("self", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e));
    SHOW("bad op", epoll_ctl(ep, 0, p[0], &e));
    SHOW("bad op 99", epoll_ctl(ep, 99, p[0], &e));
    SHOW("MOD missing", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
    SHOW("DEL missing", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &e));
    SHOW("ADD", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
    SHOW("ADD again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
    SHOW("ADD write end", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &e));
    /* EPOLLEXCLUSIVE rules */
    int q[2];
    CHECK(pipe(q) == 0);
    struct epoll_event x = {.events = EPOLLIN | EPOLLEXCLUSIVE};
    SHOW("exclusive ADD", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &x));
    SHOW("exclusive MOD", epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &x));
    struct epoll_event plain = {.events = EPOLLIN};
    SHOW("MOD of an exclusive item", epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &plain));
    SHOW("DEL of an exclusive item", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
    struct epoll_event xp = {.events = EPOLLIN | EPOLLPRI | EPOLLEXCLUSIVE};
    SHOW("exclusive with EPOLLPRI", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &xp));
    struct epoll_event xo = {.events = EPOLLEXCLUSIVE | EPOLLONESHOT | EPOLLIN};
    SHOW("exclusive with ONESHOT", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &xo));
    struct epoll_event xe = {.events = EPOLLEXCLUSIVE | EPOLLET | EPOLLOUT | EPOLLWAKEUP};
    SHOW("exclusive with ET|OUT|WAKEUP", epoll_ctl(ep, EPOLL_CTL_ADD, q[1], &xe));
    int ep2 = epoll_create1(0);
    SHOW("exclusive epoll fd", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &x));
    SHOW("EPOLLWAKEUP accepted", ep_add(ep, ep2, EPOLLIN | EPOLLWAKEUP, 3));
    /* epoll_wait */
    struct epoll_event out[4];
    SHOW("wait max 0", epoll_wait(ep, out, 0, 0));
    SHOW("wait max -1", epoll_wait(ep, out, -1, 0));
    SHOW("wait max huge", epoll_wait(ep, out, 0x7fffffff, 0));
    SHOW("wait kernel ptr", epoll_wait(ep, KPTR, 4, 0));
    SHOW("wait bad epfd", epoll_wait(999, out, 4, 0));
    SHOW("wait non-epoll", epoll_wait(p[0], out, 4, 0));
    SHOW("wait max 0 and bad epfd", epoll_wait(999, out, 0, 0));
    SHOW("wait max 0, non-epoll", epoll_wait(p[0], out, 0, 0));
    SHOW("wait kernel ptr, non-epoll", epoll_wait(p[0], KPTR, 4, 0));
    SHOW("wait kernel ptr, bad epfd", epoll_wait(999, KPTR, 4, 0));
    SHOW("wait kernel ptr, max 0", epoll_wait(ep, KPTR, 0, 0));
    CHECK(write(p[1], "x", 1) == 1);
    SHOW("wait unmapped ptr, event ready", epoll_wait(ep, BADPTR, 4, 0));
    sigset_t m;
    sigemptyset(&m);
    SHOW("pwait bad sigsetsize", syscall(SYS_epoll_pwait, ep, out, 4, 0, &m, 4));
    SHOW("pwait bad sigsetsize, NULL mask", syscall(SYS_epoll_pwait, ep, out, 4, 0, NULL, 4));
    SHOW("pwait bad mask ptr", syscall(SYS_epoll_pwait, ep, out, 4, 0, KPTR, 8));
    struct timespec bad = {0, 1000000000};
    SHOW("pwait2 bad timespec", syscall(SYS_epoll_pwait2, ep, out, 4, &bad, NULL, 8));
    SHOW("pwait2 bad ts ptr", syscall(SYS_epoll_pwait2, ep, out, 4, KPTR, NULL, 8));
    struct timespec zero = {0, 0};
    SHOW("pwait2 zero", syscall(SYS_epoll_pwait2, ep, out, 4, &zero, NULL, 8));
    char b;
    CHECK(read(p[0], &b, 1) == 1);
    SHOW("pwait2 zero, empty", syscall(SYS_epoll_pwait2, ep, out, 4, &zero, NULL, 8));
    /* read/write on an epoll fd */
    char buf[16];
    SHOW("read epoll fd", read(ep, buf, sizeof buf));
    SHOW("write epoll fd", write(ep, buf, 8));
    SHOW("lseek epoll fd", lseek(ep, 0, SEEK_SET));
    return 0;
}
