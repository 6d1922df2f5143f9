// sysinfo checked against independent sources: its memory fields against
// /proc/meminfo, uptime against CLOCK_BOOTTIME and /proc/uptime, procs against the
// threads under /proc and against threads this test creates, loads against
// /proc/loadavg; then sched_getaffinity/sysconf/priority facts.
#include "common.h"
#include <pthread.h>
#include <sys/sysinfo.h>

/* A /proc/meminfo field in bytes (0 if absent, as for HighTotal on x86_64). */
static unsigned long long meminfo(const char *key)
{
    static char buf[8192];
    if (get_file("/proc/meminfo", buf, sizeof buf) <= 0)
        return ~0ULL;
    size_t n = strlen(key);
    for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, key, n) == 0 && l[n] == ':')
            return strtoull(l + n + 1, NULL, 10) * 1024;
    return 0;
}

static int si_call(struct sysinfo *si)
{
    memset(si, 0, sizeof *si);
    return sysinfo(si);
}

/* A byte count of sysinfo `field` lies within `slack` of the meminfo value read just
 * before and just after (retried: other processes allocate meanwhile). */
#define NEAR_MEMINFO(label, field, key, slack)                                           \
    do {                                                                                 \
        int _ok = 0;                                                                     \
        for (int _i = 0; _i < 50 && !_ok; _i++) {                                        \
            struct sysinfo _s;                                                           \
            unsigned long long _a = meminfo(key);                                        \
            si_call(&_s);                                                                \
            unsigned long long _b = meminfo(key);                                        \
            unsigned long long _v = (unsigned long long)_s.field * _s.mem_unit;          \
            unsigned long long _lo = _a < _b ? _a : _b, _hi = _a < _b ? _b : _a;         \
            _ok = _v + (slack) >= _lo && _v <= _hi + (slack);                            \
        }                                                                                \
        YN(label, _ok);                                                                  \
    } while (0)

/* Threads of all processes listed under /proc. */
static long proc_threads(void)
{
    DIR *d = opendir("/proc");
    long n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/task", e->d_name);
        DIR *t = opendir(path);
        struct dirent *f;
        while (t && (f = readdir(t)))
            if (f->d_name[0] != '.')
                n++;
        if (t)
            closedir(t);
    }
    if (d)
        closedir(d);
    return n;
}

#define NT 8
static int gate[2];
static int started;
static void *parked(void *a)
{
    (void)a;
    __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
    char c;
    (void)!read(gate[0], &c, 1);
    return NULL;
}

/* sysinfo's procs goes up by NT while NT more threads of ours exist (retried:
 * other processes come and go meanwhile). */
static int procs_counts_threads(void)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        struct sysinfo s0, s1;
        MUST(pipe(gate));
        __atomic_store_n(&started, 0, __ATOMIC_SEQ_CST);
        si_call(&s0);
        pthread_t th[NT];
        for (int i = 0; i < NT; i++)
            MUST(-pthread_create(&th[i], NULL, parked, NULL));
        for (int i = 0; i < 10000 && __atomic_load_n(&started, __ATOMIC_SEQ_CST) < NT; i++)
            usleep(1000);
        si_call(&s1);
        close(gate[1]);
        for (int i = 0; i < NT; i++)
            pthread_join(th[i], NULL);
        close(gate[0]);
        if (s1.procs == s0.procs + NT)
            return 1;
    }
    return 0;
}

/* sysinfo's loads[] (16.16 fixed point) print as the first three /proc/loadavg
 * fields do (retried: the averages change every 5 s). */
static int loads_match(void)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        char buf[256], want[256];
        struct sysinfo s;
        si_call(&s);
        if (get_file("/proc/loadavg", buf, sizeof buf) <= 0)
            return 0;
        int n = 0;
        for (int i = 0; i < 3; i++) {
            /* as the kernel prints avenrun (11-bit fraction) rounded to 1/100 */
            unsigned long a = (s.loads[i] >> 5) + 2048 / 200;
            n += snprintf(want + n, sizeof want - n, "%lu.%02lu ", a >> 11,
                          ((a & 2047) * 100) >> 11);
        }
        if (strncmp(buf, want, strlen(want)) == 0)
            return 1;
    }
    return 0;
}

int main(void)
{
    struct sysinfo si;
    long long bt0 = now_ns(CLOCK_BOOTTIME);
    SHOW("sysinfo", si_call(&si));
    long long bt1 = now_ns(CLOCK_BOOTTIME);
    printf("mem_unit: %u\n", si.mem_unit);
    YN("totalram == MemTotal", (unsigned long long)si.totalram * si.mem_unit == meminfo("MemTotal"));
    NEAR_MEMINFO("freeram near MemFree", freeram, "MemFree", 1ULL << 20);
    NEAR_MEMINFO("sharedram near Shmem", sharedram, "Shmem", 1ULL << 20);
    NEAR_MEMINFO("bufferram near Buffers", bufferram, "Buffers", 1ULL << 20);
    YN("totalswap == SwapTotal", (unsigned long long)si.totalswap * si.mem_unit == meminfo("SwapTotal"));
    NEAR_MEMINFO("freeswap near SwapFree", freeswap, "SwapFree", 1ULL << 20);
    YN("totalhigh == HighTotal", (unsigned long long)si.totalhigh * si.mem_unit == meminfo("HighTotal"));
    YN("freehigh == HighFree", (unsigned long long)si.freehigh * si.mem_unit == meminfo("HighFree"));
    /* uptime: CLOCK_BOOTTIME's seconds (Linux rounds up) */
    YN("uptime within CLOCK_BOOTTIME's second",
       si.uptime >= bt0 / 1000000000 && si.uptime <= (bt1 + 999999999) / 1000000000);
    char up[128];
    double pu = get_file("/proc/uptime", up, sizeof up) > 0 ? strtod(up, NULL) : -10;
    YN("uptime agrees with /proc/uptime (to 1 s)", si.uptime >= pu - 1.5 && si.uptime <= pu + 1.5);
    int ok = 0;
    for (int i = 0; i < 20 && !ok; i++) {
        long a = proc_threads();
        struct sysinfo s;
        si_call(&s);
        ok = s.procs >= a || s.procs >= proc_threads();
    }
    YN("procs >= threads listed under /proc", ok);
    YN("procs grows by the threads this test creates", procs_counts_threads());
    YN("loads match /proc/loadavg", loads_match());
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
