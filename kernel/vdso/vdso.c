/*
 * Rill's vDSO: clock_gettime, gettimeofday, time, clock_getres and getcpu
 * served in user space (the Linux x86_64 ABI: glibc finds these symbols
 * through AT_SYSINFO_EHDR with version LINUX_2.6).
 *
 * Built by kernel/build.rs with gcc as a position-independent shared object
 * without relocations (vdso.lds puts everything in one read+exec segment),
 * then embedded in the kernel with include_bytes!. The only data it reads is
 * the vvar page one page below its ELF header (see vvar.h).
 *
 * Clocks it cannot serve (CPU-time clocks, coarse and alarm clocks, unknown
 * ids) go to the real syscall, as Linux's vDSO does. Like Linux, pointers are
 * not checked: a bad one faults in user space.
 */
#include "vvar.h"

typedef long time_t;
struct timespec {
	long tv_sec;
	long tv_nsec;
};
struct timeval {
	long tv_sec;
	long tv_usec;
};
struct timezone {
	int tz_minuteswest;
	int tz_dsttime;
};

#define NSEC_PER_SEC 1000000000ULL

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_BOOTTIME 7
#define CLOCK_TAI 11

#define SYS_gettimeofday 96
#define SYS_time 201
#define SYS_clock_gettime 228
#define SYS_clock_getres 229
#define SYS_getcpu 309

/*
 * The vvar page lies one page below this object's ELF header (__ehdr_start,
 * defined by ld). Taken RIP-relative in asm: no relocation, and the compiler
 * does not see an access before the start of an object.
 */
static inline const volatile struct rill_vvar *vvar(void)
{
	const char *base;
	__asm__("lea __ehdr_start(%%rip), %0" : "=r"(base));
	return (const volatile struct rill_vvar *)(base - 4096);
}

static inline long sys2(long nr, long a, long b)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long sys3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline unsigned long long rdtsc_ordered(void)
{
	unsigned int lo, hi;
	/* lfence: the TSC is not read before the seqlock counter */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((unsigned long long)hi << 32) | lo;
}

/*
 * Nanoseconds of CLOCK_MONOTONIC (realtime == 0) or CLOCK_REALTIME
 * (realtime == 1) in *ns; returns 0 if the vDSO cannot serve it.
 */
static inline int read_ns(int realtime, long long *ns)
{
	const volatile struct rill_vvar *v = vvar();
	unsigned int seq;
	long long r;
	do {
		seq = v->seq;
		if (seq & 1) {
			__asm__ volatile("pause");
			continue;
		}
		__asm__ volatile("" ::: "memory");
		if (!(v->flags & 1))
			return 0;
		unsigned long long d = rdtsc_ordered() - v->tsc_base;
		unsigned __int128 p = (unsigned __int128)d * v->mult;
		r = (long long)(unsigned long long)(p >> v->shift);
		if (realtime)
			r += v->wall_base_ns;
		__asm__ volatile("" ::: "memory");
	} while ((seq & 1) || v->seq != seq);
	*ns = r;
	return 1;
}

static inline void split_ns(long long ns, long *sec, long *rem)
{
	long long s = ns / (long long)NSEC_PER_SEC;
	long long n = ns % (long long)NSEC_PER_SEC;
	if (n < 0) {
		n += NSEC_PER_SEC;
		s -= 1;
	}
	*sec = s;
	*rem = n;
}

/* -1: not served here; 0: monotonic; 1: realtime */
static inline int clock_kind(int id)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_TAI:
		return 1;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		return 0;
	default:
		return -1;
	}
}

int __vdso_clock_gettime(int id, struct timespec *ts)
{
	int k = clock_kind(id);
	long long ns;
	if (k < 0 || !read_ns(k, &ns))
		return (int)sys2(SYS_clock_gettime, id, (long)ts);
	split_ns(ns, &ts->tv_sec, &ts->tv_nsec);
	return 0;
}

int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz)
{
	long long ns;
	if (!read_ns(1, &ns))
		return (int)sys2(SYS_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		long rem;
		split_ns(ns, &tv->tv_sec, &rem);
		tv->tv_usec = rem / 1000;
	}
	if (tz) {
		tz->tz_minuteswest = 0;
		tz->tz_dsttime = 0;
	}
	return 0;
}

time_t __vdso_time(time_t *t)
{
	long long ns;
	long sec, rem;
	if (!read_ns(1, &ns))
		return sys2(SYS_time, (long)t, 0);
	split_ns(ns, &sec, &rem);
	if (t)
		*t = sec;
	return sec;
}

int __vdso_clock_getres(int id, struct timespec *res)
{
	if (clock_kind(id) < 0 || !(vvar()->flags & 1))
		return (int)sys2(SYS_clock_getres, id, (long)res);
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = 1;
	}
	return 0;
}

/*
 * The CPU number is the kernel's to tell (no per-CPU segment or TSC_AUX
 * convention yet): ask it.
 */
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	return sys3(SYS_getcpu, (long)cpu, (long)node, (long)unused);
}

int clock_gettime(int, struct timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval *, struct timezone *)
	__attribute__((weak, alias("__vdso_gettimeofday")));
time_t time(time_t *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
