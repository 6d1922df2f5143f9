// sysinfo and uname: deterministic fields and relations; /proc/sys/kernel agrees.
#include "common.h"
#include <sys/sysinfo.h>
#include <sys/utsname.h>

int main(void)
{
    struct sysinfo si;
    SHOW("sysinfo", sysinfo(&si));
    printf("mem_unit: %u\n", si.mem_unit);
    printf("freeram <= totalram: %s, totalram > 16 MiB: %s\n", si.freeram <= si.totalram ? "yes" : "no",
           (unsigned long long)si.totalram * si.mem_unit > (16ULL << 20) ? "yes" : "no");
    printf("freeswap <= totalswap: %s, bufferram <= totalram: %s, sharedram <= totalram: %s\n",
           si.freeswap <= si.totalswap ? "yes" : "no", si.bufferram <= si.totalram ? "yes" : "no",
           si.sharedram <= si.totalram ? "yes" : "no");
    printf("totalhigh: %lu freehigh: %lu\n", si.totalhigh, si.freehigh);
    printf("procs >= 1: %s\n", si.procs >= 1 ? "yes" : "no");
    struct timespec bt;
    clock_gettime(CLOCK_BOOTTIME, &bt);
    printf("uptime is BOOTTIME seconds (+-1): %s\n", si.uptime >= bt.tv_sec - 1 && si.uptime <= bt.tv_sec + 1 ? "yes" : "no");
    /* a forked child counts as a process */
    pid_t c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    struct sysinfo s2;
    sysinfo(&s2);
    printf("procs grew with a child: %s\n", s2.procs >= 2 ? "yes" : "no");
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
    /* /proc/meminfo MemTotal matches totalram */
    char buf[4096];
    get_file("/proc/meminfo", buf, sizeof buf);
    unsigned long kb = 0;
    char *m = strstr(buf, "MemTotal:");
    if (m)
        sscanf(m, "MemTotal: %lu kB", &kb);
    printf("MemTotal == totalram: %s\n", kb * 1024 == (unsigned long)si.totalram * si.mem_unit ? "yes" : "no");
    SHOW("sysinfo bad ptr", syscall(SYS_sysinfo, BADPTR));
    SHOW("sysinfo NULL", syscall(SYS_sysinfo, NULL));
    struct utsname u;
    SHOW("uname", uname(&u));
    printf("sysname: %s\nmachine: %s\n", u.sysname, u.machine);
    int dots = 0;
    for (char *p = u.release; *p; p++)
        dots += *p == '.';
    printf("release starts with a digit and has 2+ dots: %s\n", u.release[0] >= '0' && u.release[0] <= '9' && dots >= 2 ? "yes" : "no");
    printf("version non-empty: %s\n", u.version[0] ? "yes" : "no");
    char ost[64], osr[128], hn[128];
    get_file("/proc/sys/kernel/ostype", ost, sizeof ost);
    get_file("/proc/sys/kernel/osrelease", osr, sizeof osr);
    get_file("/proc/sys/kernel/hostname", hn, sizeof hn);
    ost[strcspn(ost, "\n")] = 0;
    osr[strcspn(osr, "\n")] = 0;
    hn[strcspn(hn, "\n")] = 0;
    printf("ostype == sysname: %s, osrelease == release: %s, hostname == nodename: %s\n", strcmp(ost, u.sysname) ? "no" : "yes",
           strcmp(osr, u.release) ? "no" : "yes", strcmp(hn, u.nodename) ? "no" : "yes");
    SHOW("uname bad ptr", syscall(SYS_uname, BADPTR));
    /* sethostname in a child with its own uts? no namespaces: only check errors */
    /* (the argument errors need CAP_SYS_ADMIN: su_priv_args) */
    c = fork();
    if (c == 0) {
        setuid(65534);
        SHOW("unprivileged sethostname", sethostname("x", 1));
        _exit(0);
    }
    wait_show("child", c);
    return 0;
}
