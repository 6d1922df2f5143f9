// Hint addresses: honoured when free, moved when occupied, rounded, below mmap_min_addr.
#include "common.h"

int main(void)
{
    void *hint = (void *)0x300000000000UL;
    void *a = mmap(hint, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("free hint honoured: %s\n", a == hint ? "yes" : "no");
    void *b = mmap(hint, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("occupied hint: %s, no overlap: %s\n", b == hint ? "same" : "elsewhere",
           (char *)b + 8192 <= (char *)a || (char *)b >= (char *)a + 8192 ? "yes" : "no");
    printf("first mapping intact: %s\n", mincore(a, 8192, (unsigned char[2]){0}) == 0 ? "yes" : "no");
    /* partly occupied hint */
    void *c = mmap((char *)hint - 4096, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("partly occupied hint: %s\n", c == (char *)hint - 4096 ? "same" : "elsewhere");
    /* unaligned hint */
    void *d = mmap((char *)hint + 0x100000 + 123, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("unaligned hint: %s\n", d == (char *)hint + 0x100000 ? "rounded down" : d == (char *)hint + 0x101000 ? "rounded up" : "elsewhere");
    /* hint below mmap_min_addr is ignored, not an error */
    void *e = mmap((void *)0x1000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("low hint: %s\n", e == MAP_FAILED ? en(errno) : e == (void *)0x1000 ? "at hint" : "elsewhere");
    /* hint beyond user space is ignored */
    void *f = mmap((void *)0x900000000000UL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("hint above TASK_SIZE: %s\n", f == MAP_FAILED ? en(errno) : (unsigned long)f < 0x800000000000UL ? "placed below" : "above");
    /* hint at the very top: the mapping would overflow */
    void *g = mmap((void *)0x7ffffffff000UL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("hint overlapping top: %s\n", g == MAP_FAILED ? en(errno) : (unsigned long)g + 8192 <= 0x7ffffffff000UL ? "placed below" : "at hint");
    /* a hint just below an existing mapping fits exactly */
    void *h = mmap((char *)a - 8192, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("adjacent hint: %s\n", h == (char *)a - 8192 ? "at hint" : "elsewhere");
    /* mmap without hint goes below the previous one (top-down) */
    void *i1 = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *i2 = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("top-down adjacent: %s\n", (char *)i2 + 4096 == (char *)i1 ? "yes" : "no");
    munmap(i2, 4096);
    void *i3 = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("freed slot reused: %s\n", i3 == i2 ? "yes" : "no");
    return 0;
}
