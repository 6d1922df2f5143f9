// sysinfo/sched_getaffinity/sysconf: stable, derived facts only.
#include "common.h"
#include <sys/sysinfo.h>

int main(void)
{
    struct sysinfo si;
    SHOW("sysinfo", sysinfo(&si));
    printf("mem_unit > 0: %s\n", si.mem_unit > 0 ? "yes" : "no");
    printf("totalram > 0: %s\n", si.totalram > 0 ? "yes" : "no");
    printf("freeram <= totalram: %s\n", si.freeram <= si.totalram ? "yes" : "no");
    printf("uptime >= 0: %s\n", si.uptime >= 0 ? "yes" : "no");
    printf("procs > 0: %s\n", si.procs > 0 ? "yes" : "no");
    SHOW("sysinfo bad ptr", syscall(SYS_sysinfo, BADPTR));
    cpu_set_t set;
    CPU_ZERO(&set);
    SHOW("sched_getaffinity ok", sched_getaffinity(0, sizeof set, &set));
    printf("at least one cpu: %s\n", CPU_COUNT(&set) >= 1 ? "yes" : "no");
    SHOW("raw sched_getaffinity small len", syscall(SYS_sched_getaffinity, 0, 1, &set));
    long r = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
    printf("raw returns multiple of 8: %s\n", r > 0 && r % 8 == 0 ? "yes" : "no");
    SHOW("sched_getaffinity nonexistent", sched_getaffinity(999999, sizeof set, &set));
    printf("nprocs >= 1: %s\n", sysconf(_SC_NPROCESSORS_ONLN) >= 1 ? "yes" : "no");
    printf("page size: %ld\n", sysconf(_SC_PAGESIZE));
    printf("getpagesize: %d\n", getpagesize());
    SHOW("sched_yield", sched_yield());
    SHOW("sched_getscheduler", sched_getscheduler(0));
    struct sched_param sp;
    SHOW("sched_getparam", sched_getparam(0, &sp));
    printf("priority: %d\n", sp.sched_priority);
    SHOW("getpriority", (errno = 0, getpriority(PRIO_PROCESS, 0)));
    SHOW("setpriority 5", setpriority(PRIO_PROCESS, 0, 5));
    SHOW("getpriority after", getpriority(PRIO_PROCESS, 0));
    SHOW("nice(1)", nice(1));
    SHOW("getpriority invalid which", getpriority(42, 0));
    return 0;
}
