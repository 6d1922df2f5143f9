// Shared by the stress tests (tests/stress/*.c): PASS/FAIL lines and the free-memory
// figure the leak checks compare. Each test includes it once, after its system headers.
#ifndef RILL_STRESS_H
#define RILL_STRESS_H
#include <stdio.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static int failures;

static inline void result(int ok, const char *what) {
    printf("%s %s\n", ok ? "PASS" : "FAIL", what);
    fflush(stdout);
    if (!ok)
        failures++;
}

// Free pages Linux keeps on its per-CPU lists ("count:" of each CPU's pageset in
// /proc/zoneinfo), in kB: free, but not in MemFree. 0 where the file is missing (Rill).
static inline long percpu_free_kb(void) {
    FILE *f = fopen("/proc/zoneinfo", "r");
    char line[256];
    long pages = 0, n;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, " count: %ld", &n) == 1)
            pages += n;
    fclose(f);
    return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

// Free memory in kB: MemFree, plus what Linux keeps in its caches of freed pages and objects,
// which come and go by megabytes (the per-CPU free lists) and hundreds of kB (the slab caches,
// "Slab:" in /proc/meminfo) as threads come and go, and do not shrink when idle. Rill has
// neither (its MemFree counts everything its kernel heap holds), so there the figure is
// exactly MemFree; should Rill's meminfo get a Slab line, it must not be added here.
static inline long mem_free_kb(void) {
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long kb = -1, slab = 0, v;
    if (f) {
        while (fgets(line, sizeof line, f)) {
            if (sscanf(line, "MemFree: %ld kB", &v) == 1)
                kb = v;
            else if (sscanf(line, "Slab: %ld kB", &v) == 1)
                slab = v;
        }
        fclose(f);
    }
    if (kb < 0) {
        struct sysinfo si;
        if (sysinfo(&si) == 0)
            kb = (long)((unsigned long long)si.freeram * si.mem_unit / 1024);
    }
    return kb < 0 ? kb : kb + slab + percpu_free_kb();
}

#endif
