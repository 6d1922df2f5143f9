// Partial munmap: middle hole, front, back, across VMAs, holes in the range.
#include "common.h"

static void pattern(char *p, int n)
{
    char s[64];
    int k = 0;
    for (int i = 0; i < n; i++)
        s[k++] = probe_read(p + (size_t)i * 4096) ? (p[(size_t)i * 4096] ? 'd' : 'z') : '.';
    s[k] = 0;
    printf("%s\n", s);
}

int main(void)
{
    /* fence off 16 pages so nothing else lands in the range */
    char *p = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 16; i++)
        p[i * 4096] = 1;
    pattern(p, 16);
    SHOW("middle", munmap(p + 7 * 4096, 2 * 4096));
    pattern(p, 16);
    SHOW("front", munmap(p, 4096));
    pattern(p, 16);
    SHOW("back", munmap(p + 15 * 4096, 4096));
    pattern(p, 16);
    SHOW("across hole", munmap(p + 5 * 4096, 6 * 4096));
    pattern(p, 16);
    SHOW("already unmapped", munmap(p + 7 * 4096, 4096));
    SHOW("length not page multiple", munmap(p + 3 * 4096, 10));
    pattern(p, 16);
    SHOW("unaligned start", munmap(p + 4096 + 1, 4096));
    SHOW("zero length", munmap(p + 4096, 0));
    SHOW("wrapping", munmap(p + 4096, (size_t)-4096));
    SHOW("kernel address", munmap(KPTR, 4096));
    SHOW("past TASK_SIZE", munmap((void *)0x7ffffffff000UL, 8192));
    SHOW("NULL 4096", munmap(NULL, 4096));
    /* remap into a hole and check the neighbours */
    char *r = mmap(p + 7 * 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("refill hole: %s\n", r == p + 7 * 4096 ? "yes" : "no");
    pattern(p, 16);
    /* munmap of different kinds of vmas together */
    char *q = mmap(NULL, 6 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    MUST(mmap(q + 2 * 4096, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    MUST(mprotect(q + 4 * 4096, 4096, PROT_READ));
    for (int i = 0; i < 4; i++)
        q[i * 4096] = 2;
    SHOW("across private/shared/ro", munmap(q + 4096, 4 * 4096));
    pattern(q, 6);
    SHOW("rest", munmap(q, 6 * 4096));
    pattern(q, 6);
    return 0;
}
