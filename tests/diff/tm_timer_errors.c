// timer_create/settime/gettime argument errors (raw syscalls).
#include "common.h"

int main(void)
{
    int id = -1;
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    SHOW("bad clock 99", syscall(SYS_timer_create, 99, &ev, &id));
    SHOW("clock -1", syscall(SYS_timer_create, -1, &ev, &id));
    SHOW("MONOTONIC_RAW", syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, &ev, &id));
    SHOW("MONOTONIC_COARSE", syscall(SYS_timer_create, CLOCK_MONOTONIC_COARSE, &ev, &id));
    SHOW("BOOTTIME", syscall(SYS_timer_create, CLOCK_BOOTTIME, &ev, &id));
    SHOW("TAI", syscall(SYS_timer_create, CLOCK_TAI, &ev, &id));
    ev.sigev_notify = 99;
    SHOW("bad notify", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = 0;
    SHOW("signal 0", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    ev.sigev_signo = 65;
    SHOW("signal 65", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    ev.sigev_notify = SIGEV_NONE;
    SHOW("SIGEV_NONE ignores signal number", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGUSR1;
    ev._sigev_un._tid = 999999;
    SHOW("THREAD_ID bad tid", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    ev._sigev_un._tid = getpid();
    SHOW("THREAD_ID main thread", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    ev.sigev_notify = SIGEV_THREAD_ID | SIGEV_SIGNAL;
    SHOW("THREAD_ID|SIGNAL", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    ev.sigev_notify = SIGEV_THREAD;
    SHOW("raw SIGEV_THREAD", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    SHOW("bad sevp", syscall(SYS_timer_create, CLOCK_MONOTONIC, BADPTR, &id));
    SHOW("bad id pointer", syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, BADPTR));
    int t = -1;
    ev.sigev_notify = SIGEV_NONE;
    MUST(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &t));
    struct itimerspec its = {{0, 0}, {1, 0}}, cur;
    its.it_value.tv_nsec = 1000000000;
    SHOW("value nsec 1e9", syscall(SYS_timer_settime, t, 0, &its, NULL));
    its.it_value.tv_nsec = 0;
    its.it_interval.tv_nsec = -1;
    SHOW("interval nsec -1", syscall(SYS_timer_settime, t, 0, &its, NULL));
    its.it_interval.tv_nsec = 0;
    its.it_value.tv_sec = -1;
    SHOW("negative value sec", syscall(SYS_timer_settime, t, 0, &its, NULL));
    its.it_value.tv_sec = 1;
    SHOW("unknown flags", syscall(SYS_timer_settime, t, 0x10, &its, NULL));
    SHOW("NULL new", syscall(SYS_timer_settime, t, 0, NULL, NULL));
    SHOW("bad new", syscall(SYS_timer_settime, t, 0, BADPTR, NULL));
    SHOW("bad old", syscall(SYS_timer_settime, t, 0, &its, BADPTR));
    SHOW("gettime bad ptr", syscall(SYS_timer_gettime, t, BADPTR));
    SHOW("gettime id 12345", syscall(SYS_timer_gettime, 12345, &cur));
    SHOW("gettime id -1", syscall(SYS_timer_gettime, -1, &cur));
    SHOW("getoverrun id 12345", syscall(SYS_timer_getoverrun, 12345));
    SHOW("delete id 12345", syscall(SYS_timer_delete, 12345));
    SHOW("delete", syscall(SYS_timer_delete, t));
    return 0;
}
