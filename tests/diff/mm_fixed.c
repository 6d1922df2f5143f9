// MAP_FIXED replaces existing mappings (whole or partial); MAP_FIXED_NOREPLACE.
#include "common.h"

int main(void)
{
    char *p = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 1, 8 * 4096);
    /* replace pages 2..3 */
    char *q = mmap(p + 2 * 4096, 2 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("fixed at address: %s\n", q == p + 2 * 4096 ? "yes" : "no");
    printf("replaced pages zero: %d %d, neighbours kept: %d %d\n", p[2 * 4096], p[4 * 4096 - 1], p[2 * 4096 - 1], p[4 * 4096]);
    /* replacing across two existing mappings */
    char *r = mmap(p + 3 * 4096, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("fixed spanning two vmas: %s\n", r == p + 3 * 4096 ? "yes" : "no");
    r[0] = 9;
    r[4096] = 8;
    printf("new contents: %d %d\n", p[3 * 4096], p[4 * 4096]);
    /* NOREPLACE on a fully occupied, partly occupied and free range */
    void *t = mmap(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("NOREPLACE occupied: %s\n", t == MAP_FAILED ? en(errno) : "mapped");
    MUST(munmap(p + 7 * 4096, 4096));
    t = mmap(p + 6 * 4096, 2 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("NOREPLACE partly occupied: %s\n", t == MAP_FAILED ? en(errno) : "mapped");
    printf("page 6 still holds data: %d\n", p[6 * 4096]);
    t = mmap(p + 7 * 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("NOREPLACE free: %s\n", t == p + 7 * 4096 ? "at address" : t == MAP_FAILED ? en(errno) : "elsewhere");
    /* NOREPLACE with unaligned address */
    t = mmap(p + 7 * 4096 + 1, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("NOREPLACE unaligned: %s\n", t == MAP_FAILED ? en(errno) : "mapped");
    /* MAP_FIXED over a hole recreates it */
    MUST(munmap(p + 5 * 4096, 4096));
    printf("hole unreadable: %s\n", probe_read(p + 5 * 4096) ? "no" : "yes");
    t = mmap(p + 5 * 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("hole refilled: %s readable %s\n", t == p + 5 * 4096 ? "yes" : "no", probe_read(p + 5 * 4096) ? "yes" : "no");
    /* (MAP_FIXED below mmap_min_addr depends on CAP_SYS_RAWIO: not tested) */
    /* beyond the user address space */
    t = mmap((void *)0x7ffffffff000UL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED past TASK_SIZE: %s\n", t == MAP_FAILED ? en(errno) : "mapped");
    t = mmap((void *)0x800000000000UL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at 1<<47: %s\n", t == MAP_FAILED ? en(errno) : "mapped");
    /* a high fixed address that is free */
    t = mmap((void *)0x500000000000UL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED high free: %s\n", t == (void *)0x500000000000UL ? "yes" : "no");
    return 0;
}
