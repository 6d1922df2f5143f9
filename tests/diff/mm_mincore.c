// mincore: residency of anonymous pages, errors.
#include "common.h"

int main(void)
{
    unsigned char v[8];
    char *p = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 1;
    p[3 * 4096] = 1;
    p[7 * 4096 + 4095] = 1;
    memset(v, 0xee, sizeof v);
    SHOW("mincore", mincore(p, 8 * 4096, v));
    printf("vector:");
    for (int i = 0; i < 8; i++)
        printf(" %d", v[i]);
    printf("\n");
    SHOW("partial page length", mincore(p, 4096 + 1, v));
    printf("two entries: %d %d, third untouched: %s\n", v[0], v[1], v[2] == 0 ? "yes" : "no");
    SHOW("unaligned", mincore(p + 1, 4096, v));
    SHOW("length 0", mincore(p, 0, v));
    SHOW("bad vector", mincore(p, 4096, BADPTR));
    SHOW("vector NULL", mincore(p, 4096, NULL));
    MUST(munmap(p + 5 * 4096, 4096));
    SHOW("range with hole", mincore(p, 8 * 4096, v));
    SHOW("hole only", mincore(p + 5 * 4096, 4096, v));
    SHOW("kernel address", mincore(KPTR, 4096, v));
    SHOW("wrapping", mincore(p, (size_t)-4096, v));
    /* DONTNEED drops residency */
    madvise(p, 4096, MADV_DONTNEED);
    mincore(p, 4096, v);
    printf("after DONTNEED: %d\n", v[0]);
    /* reading a private anon page maps the zero page: resident */
    volatile char x = p[2 * 4096];
    (void)x;
    mincore(p + 2 * 4096, 4096, v);
    printf("after read: %d\n", v[0]);
    /* shared anonymous page touched by a child is resident in the parent */
    char *s = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t c = fork();
    if (c == 0) {
        s[4096] = 1;
        _exit(0);
    }
    waitpid(c, NULL, 0);
    mincore(s, 2 * 4096, v);
    printf("shared after child touched page 1: %d %d\n", v[0], v[1]);
    /* PROT_NONE mapping: mincore still works */
    char *n = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SHOW("PROT_NONE", mincore(n, 4096, v));
    printf("PROT_NONE resident: %d\n", v[0]);
    return 0;
}
