/*
 * The data page ("vvar") the kernel shares read-only with every process,
 * mapped one page below the vDSO. kernel/src/time.rs writes it (struct
 * VvarData there has the same layout; keep them in step).
 *
 * Time from the TSC: mono_ns = ((tsc - tsc_base) * mult) >> shift, computed
 * in 128 bits, exactly as the kernel's own clock does, so a vDSO read and a
 * syscall read agree. realtime_ns = wall_base_ns + mono_ns. `seq` is odd
 * while the kernel rewrites the page (a seqlock): readers retry.
 */
#ifndef RILL_VVAR_H
#define RILL_VVAR_H

struct rill_vvar {
	unsigned int seq;
	/* bit 0: the TSC clock is usable; otherwise every call is a syscall */
	unsigned int flags;
	unsigned long long tsc_base;
	unsigned long long mult;
	unsigned int shift;
	unsigned int pad;
	long long wall_base_ns;
};

/* The layout kernel/src/time.rs checks too. */
_Static_assert(sizeof(struct rill_vvar) == 40, "vvar size");
_Static_assert(__builtin_offsetof(struct rill_vvar, tsc_base) == 8, "tsc_base");
_Static_assert(__builtin_offsetof(struct rill_vvar, mult) == 16, "mult");
_Static_assert(__builtin_offsetof(struct rill_vvar, shift) == 24, "shift");
_Static_assert(__builtin_offsetof(struct rill_vvar, wall_base_ns) == 32, "wall_base_ns");

#endif
