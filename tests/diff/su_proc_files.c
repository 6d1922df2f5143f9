// Files start-up code probes: overcommit_memory, node0/meminfo, cpu lists, /proc/filesystems, nr_open...
#include "common.h"

static void show_file(const char *p)
{
    char b[256];
    long n = get_file(p, b, sizeof b);
    if (n < 0) {
        printf("%s: %s\n", p, en(errno));
        return;
    }
    b[strcspn(b, "\n")] = 0;
    printf("%s: '%s'\n", p, b);
}

int main(void)
{
    show_file("/proc/sys/vm/overcommit_memory");
    show_file("/proc/sys/fs/nr_open");
    show_file("/sys/devices/system/node/online");
    show_file("/sys/devices/system/node/possible");
    char b[4096];
    long n = get_file("/sys/devices/system/node/node0/meminfo", b, sizeof b);
    printf("node0/meminfo readable: %s\n", n > 0 ? "yes" : "no");
    unsigned long kb = 0;
    char *m = strstr(b, "Node 0 MemTotal:");
    if (m)
        sscanf(m, "Node 0 MemTotal: %lu kB", &kb);
    printf("Node 0 MemTotal line: %s, > 0: %s\n", m ? "yes" : "no", kb > 0 ? "yes" : "no");
    printf("Node 0 MemFree line: %s\n", strstr(b, "Node 0 MemFree:") ? "yes" : "no");
    n = get_file("/sys/devices/system/node/node0/cpulist", b, sizeof b);
    printf("node0/cpulist readable: %s\n", n > 0 ? "yes" : "no");
    printf("node1 exists: %s\n", access("/sys/devices/system/node/node1", F_OK) == 0 ? "yes" : "no");
    /* cpu lists agree with sysconf */
    char on[64];
    get_file("/sys/devices/system/cpu/online", on, sizeof on);
    int lo = -1, hi = -1;
    int k = sscanf(on, "%d-%d", &lo, &hi);
    long cnt = k == 2 ? hi - lo + 1 : k == 1 ? 1 : -1;
    printf("cpu/online count == sysconf online: %s\n", cnt == sysconf(_SC_NPROCESSORS_ONLN) ? "yes" : "no");
    printf("cpu/online starts at 0: %s\n", lo == 0 ? "yes" : "no");
    printf("cpu/possible readable: %s\n", get_file("/sys/devices/system/cpu/possible", on, sizeof on) > 0 ? "yes" : "no");
    printf("cpu0 directory: %s\n", access("/sys/devices/system/cpu/cpu0", F_OK) == 0 ? "yes" : "no");
    /* /proc/filesystems lists the basics with nodev */
    n = get_file("/proc/filesystems", b, sizeof b);
    const char *want[] = {"nodev\tproc\n", "nodev\ttmpfs\n", "nodev\tsysfs\n", "nodev\tdevpts\n"};
    for (int i = 0; i < 4; i++)
        printf("filesystems has %.*s: %s\n", (int)strlen(want[i]) - 1, want[i], strstr(b, want[i]) ? "yes" : "no");
    /* absent probes ffmpeg/openssl make */
    show_file("/proc/sys/crypto/fips_enabled_nonexistent");
    printf("/sys/fs/selinux exists: %s\n", access("/sys/fs/selinux/enforce", F_OK) == 0 ? "yes" : "no");
    /* /proc/self/exe is readable */
    char exe[PATH_MAX];
    long l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    printf("readlink /proc/self/exe absolute: %s\n", l > 0 && exe[0] == '/' ? "yes" : "no");
    /* /proc/meminfo has the fields glibc/sysconf read */
    get_file("/proc/meminfo", b, sizeof b);
    printf("meminfo MemTotal/MemFree/MemAvailable: %s %s %s\n", strstr(b, "MemTotal:") ? "yes" : "no",
           strstr(b, "MemFree:") ? "yes" : "no", strstr(b, "MemAvailable:") ? "yes" : "no");
    printf("sysconf PHYS_PAGES > 0: %s, AVPHYS_PAGES <= PHYS_PAGES: %s\n", sysconf(_SC_PHYS_PAGES) > 0 ? "yes" : "no",
           sysconf(_SC_AVPHYS_PAGES) <= sysconf(_SC_PHYS_PAGES) ? "yes" : "no");
    printf("sysconf PAGESIZE: %ld, CLK_TCK: %ld\n", sysconf(_SC_PAGESIZE), sysconf(_SC_CLK_TCK));
    struct rlimit r;
    getrlimit(RLIMIT_NOFILE, &r);
    printf("sysconf OPEN_MAX == NOFILE soft: %s\n", sysconf(_SC_OPEN_MAX) == (long)r.rlim_cur ? "yes" : "no");
    getrlimit(RLIMIT_STACK, &r);
    long am = sysconf(_SC_ARG_MAX);
    printf("ARG_MAX consistent with stack limit: %s\n",
           r.rlim_cur == RLIM_INFINITY || am == (long)(r.rlim_cur / 4) || am == 131072 ? "yes" : "no");
    return 0;
}
