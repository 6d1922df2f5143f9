/* Calling the vDSO's entry points directly: results agree with the real
 * syscalls (monotonic never goes backwards between vDSO and syscall reads,
 * realtime within a tolerance, same resolution), clocks the vDSO does not
 * serve still work (it makes the syscall), and a bad pointer faults in user
 * space instead of returning EFAULT. */
#include "common.h"
#include <elf.h>
#include <sys/auxv.h>

typedef int (*cgt_t)(clockid_t, struct timespec *);
typedef int (*gtod_t)(struct timeval *, struct timezone *);
typedef time_t (*time_fn)(time_t *);
typedef long (*getcpu_t)(unsigned *, unsigned *, void *);

/* Look a symbol up through DT_HASH / DT_GNU_HASH-free linear scan. */
static void *vsym(const char *name)
{
    const Elf64_Ehdr *eh = (const void *)getauxval(AT_SYSINFO_EHDR);
    if (!eh)
        return NULL;
    const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
    uintptr_t bias = 0;
    const Elf64_Dyn *dyn = NULL;
    int first = 1;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && first) {
            bias = (uintptr_t)eh - (ph[i].p_vaddr - ph[i].p_offset);
            first = 0;
        }
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const void *)(bias + ph[i].p_vaddr);
    if (!dyn)
        return NULL;
    const Elf64_Sym *sym = NULL;
    const char *str = NULL;
    const Elf32_Word *hash = NULL;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        if (dyn->d_tag == DT_SYMTAB)
            sym = (const void *)(bias + dyn->d_un.d_ptr);
        if (dyn->d_tag == DT_STRTAB)
            str = (const void *)(bias + dyn->d_un.d_ptr);
        if (dyn->d_tag == DT_HASH)
            hash = (const void *)(bias + dyn->d_un.d_ptr);
    }
    if (!sym || !str || !hash)
        return NULL;
    for (unsigned i = 1; i < hash[1]; i++)
        if (sym[i].st_shndx != SHN_UNDEF && !strcmp(str + sym[i].st_name, name))
            return (void *)(bias + sym[i].st_value);
    return NULL;
}

static long long ts_ns(const struct timespec *t)
{
    return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long sys_ns(clockid_t c)
{
    struct timespec t;
    syscall(SYS_clock_gettime, c, &t);
    return ts_ns(&t);
}

int main(void)
{
    cgt_t cgt = vsym("__vdso_clock_gettime");
    gtod_t gtod = vsym("__vdso_gettimeofday");
    time_fn tm = vsym("__vdso_time");
    cgt_t getres = vsym("__vdso_clock_getres");
    getcpu_t getcpu = vsym("__vdso_getcpu");
    YN("found all five", cgt && gtod && tm && getres && getcpu);
    if (!(cgt && gtod && tm && getres && getcpu))
        return 0;

    static const clockid_t mono[] = {CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME};
    static const char *mono_name[] = {"MONOTONIC", "MONOTONIC_RAW", "BOOTTIME"};
    for (int c = 0; c < 3; c++) {
        int ordered = 1, rc = 0;
        for (int i = 0; i < 2000; i++) {
            struct timespec a, b;
            rc |= cgt(mono[c], &a);
            long long s = sys_ns(mono[c]);
            rc |= cgt(mono[c], &b);
            long long s2 = sys_ns(mono[c]);
            if (!(ts_ns(&a) <= s && s <= ts_ns(&b) && ts_ns(&b) <= s2))
                ordered = 0;
            if (a.tv_nsec < 0 || a.tv_nsec >= 1000000000)
                ordered = 0;
        }
        printf("%s: rc %d, vdso/syscall reads never go backwards: %s\n", mono_name[c], rc,
               ordered ? "yes" : "no");
    }
    {
        struct timespec a;
        int rc = cgt(CLOCK_REALTIME, &a);
        long long d = sys_ns(CLOCK_REALTIME) - ts_ns(&a);
        printf("REALTIME: rc %d, within 50 ms of the syscall: %s\n", rc,
               d >= 0 && d < 50000000 ? "yes" : "no");
        rc = cgt(CLOCK_TAI, &a);
        d = sys_ns(CLOCK_TAI) - ts_ns(&a);
        printf("TAI: rc %d, within 50 ms of the syscall: %s\n", rc,
               d >= 0 && d < 50000000 ? "yes" : "no");
    }
    {
        struct timeval tv;
        struct timezone tz = {123, 456};
        long long s0 = sys_ns(CLOCK_REALTIME);
        int rc = gtod(&tv, &tz);
        long long s1 = sys_ns(CLOCK_REALTIME);
        long long v = (long long)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
        printf("gettimeofday: rc %d, between two syscall reads (us): %s, usec in range: %s\n",
               rc, v >= s0 / 1000 * 1000 && v <= s1 ? "yes" : "no",
               tv.tv_usec >= 0 && tv.tv_usec < 1000000 ? "yes" : "no");
        struct timezone ktz = {123, 456};
        struct timeval ktv;
        syscall(SYS_gettimeofday, &ktv, &ktz);
        YN("gettimeofday tz as the syscall's", tz.tz_minuteswest == ktz.tz_minuteswest &&
                                                   tz.tz_dsttime == ktz.tz_dsttime);
        SHOW("gettimeofday(NULL, NULL)", gtod(NULL, NULL));
    }
    {
        time_t t1 = 0;
        long s0 = syscall(SYS_time, NULL);
        time_t r = tm(&t1);
        long s1 = syscall(SYS_time, NULL);
        printf("time: stored == returned %s, between two syscall reads %s\n",
               r == t1 ? "yes" : "no", r >= s0 && r <= s1 ? "yes" : "no");
        r = tm(NULL);
        YN("time(NULL) sane", r >= s0);
    }
    static const clockid_t all[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                    CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW,
                                    CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE,
                                    CLOCK_BOOTTIME, CLOCK_TAI};
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) {
        struct timespec v = {-1, -1}, k = {-2, -2};
        int rc = getres(all[i], &v);
        long krc = syscall(SYS_clock_getres, all[i], &k);
        printf("getres(%d): rc %d, same as syscall %s\n", all[i], rc,
               rc == krc && v.tv_sec == k.tv_sec && v.tv_nsec == k.tv_nsec ? "yes" : "no");
    }
    SHOW("getres(MONOTONIC, NULL)", getres(CLOCK_MONOTONIC, NULL));
    {
        /* CPU-time clocks are served by the syscall behind the vDSO */
        struct timespec a, b;
        int rc = cgt(CLOCK_PROCESS_CPUTIME_ID, &a);
        syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &b);
        printf("PROCESS_CPUTIME: rc %d, not after the syscall's: %s\n", rc,
               ts_ns(&a) <= ts_ns(&b) ? "yes" : "no");
        rc = cgt(CLOCK_MONOTONIC_COARSE, &a);
        printf("MONOTONIC_COARSE: rc %d, sane %s\n", rc, a.tv_sec >= 0 ? "yes" : "no");
    }
    /* unknown clocks: the raw syscall's -EINVAL comes back */
    SHOW("clock_gettime(12345)", cgt(12345, &(struct timespec){0}) == -EINVAL);
    SHOW("clock_gettime(-1)", cgt(-1, &(struct timespec){0}) == -EINVAL);
    SHOW("clock_getres(12345)", getres(12345, &(struct timespec){0}) == -EINVAL);
    {
        unsigned cpu = 9999, node = 9999;
        long rc = getcpu(&cpu, &node, NULL);
        printf("getcpu: rc %ld, cpu < nprocs %s, node 0 %s\n", rc,
               cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF) ? "yes" : "no",
               node == 0 ? "yes" : "no");
    }
    /* glibc's wrappers give the same answers */
    {
        struct timespec a;
        long long s = sys_ns(CLOCK_MONOTONIC);
        clock_gettime(CLOCK_MONOTONIC, &a);
        YN("glibc clock_gettime after the syscall", ts_ns(&a) >= s);
        struct timeval tv;
        YN("glibc gettimeofday ok", gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 0);
    }
    /* like Linux, the vDSO does not check pointers: a bad one is SIGSEGV */
    no_core();
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        cgt(CLOCK_MONOTONIC, BADPTR);
        _exit(0);
    }
    wait_show("vdso clock_gettime(bad pointer)", p);
    p = fork();
    if (p == 0) {
        _exit(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR) == -1 && errno == EFAULT);
    }
    wait_show("syscall clock_gettime(bad pointer) EFAULT", p);
    return 0;
}
