// Anonymous private and shared mappings: zero fill, sizes, protections, access.
#include "common.h"

int main(void)
{
    size_t sizes[] = {1, 4095, 4096, 4097, 3 * 4096, 1 << 20};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int sh = 0; sh < 2; sh++) {
            char *p = mmap(NULL, sizes[i], PROT_READ | PROT_WRITE, (sh ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) {
                printf("len %zu %s: %s\n", sizes[i], sh ? "shared" : "private", en(errno));
                continue;
            }
            size_t rounded = (sizes[i] + 4095) & ~4095UL;
            int zero = 1;
            for (size_t k = 0; k < rounded; k += 512)
                if (p[k])
                    zero = 0;
            memset(p, 0x5a, rounded); /* the whole rounded length is usable */
            int last = p[rounded - 1];
            int um = munmap(p, sizes[i]);
            printf("len %zu %s: aligned %s zero %s last byte %d munmap %d\n", sizes[i], sh ? "shared" : "private",
                   ((unsigned long)p & 4095) == 0 ? "yes" : "no", zero ? "yes" : "no", last, um);
        }
    }
    /* read-only anonymous memory reads as zeros */
    unsigned char *r = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("PROT_READ reads zero: %s\n", r[0] == 0 && r[8191] == 0 ? "yes" : "no");
    /* PROT_WRITE alone implies read on x86 */
    char *w = mmap(NULL, 4096, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    w[1] = 3;
    printf("PROT_WRITE readable: %d\n", w[1]);
    /* PROT_EXEC|PROT_READ mapping */
    char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("PROT_EXEC mapping: %s\n", x != MAP_FAILED ? "ok" : en(errno));
    /* PROT_SEM and PROT_GROWSUP bits */
    SHOW("PROT_SEM accepted", mmap(NULL, 4096, PROT_READ | 0x8, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
    /* two mappings do not overlap */
    char *a = mmap(NULL, 4096 * 4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b = mmap(NULL, 4096 * 4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("disjoint: %s\n", a + 4 * 4096 <= b || b + 4 * 4096 <= a ? "yes" : "no");
    /* Linux places consecutive mappings top-down: the second below the first */
    printf("top-down: %s\n", b < a ? "yes" : "no");
    /* many small mappings */
    int ok = 1;
    void *v[200];
    for (int i = 0; i < 200; i++) {
        v[i] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (v[i] == MAP_FAILED)
            ok = 0;
        else
            *(int *)v[i] = i;
    }
    for (int i = 0; i < 200; i++)
        if (*(int *)v[i] != i || munmap(v[i], 4096) != 0)
            ok = 0;
    printf("200 small mappings: %s\n", ok ? "ok" : "bad");
    return 0;
}
