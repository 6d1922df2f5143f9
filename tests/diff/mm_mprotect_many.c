// Hundreds of mprotect calls on one area (malloc arena style); VMA count via /proc/self/maps.
#include "common.h"

static int count_in(char *b, size_t len)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int n = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long s, e;
        if (sscanf(line, "%lx-%lx", &s, &e) == 2 && e > (unsigned long)b && s < (unsigned long)b + len)
            n++;
    }
    if (f)
        fclose(f);
    return n;
}

int main(void)
{
    /* arena: reserve 64 MiB PROT_NONE, grow the usable part page by page */
    size_t len = 64 << 20;
    char *a = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    int fails = 0;
    for (int i = 1; i <= 300; i++) {
        if (mprotect(a, (size_t)i * 4096, PROT_READ | PROT_WRITE) != 0)
            fails++;
        a[(size_t)(i - 1) * 4096] = (char)i;
    }
    printf("grow 300 times: failures %d, vmas %d\n", fails, count_in(a, len));
    int ok = 1;
    for (int i = 1; i <= 300; i++)
        if (a[(size_t)(i - 1) * 4096] != (char)i)
            ok = 0;
    printf("data intact: %s\n", ok ? "yes" : "no");
    /* shrink back (arena trim) */
    for (int i = 300; i > 100; i--)
        if (mprotect(a + (size_t)(i - 1) * 4096, 4096, PROT_NONE) != 0)
            fails++;
    printf("shrink to 100: failures %d, vmas %d\n", fails, count_in(a, len));
    /* alternate protections on every other page: many VMAs */
    for (int i = 0; i < 100; i += 2)
        if (mprotect(a + (size_t)i * 4096, 4096, PROT_READ) != 0)
            fails++;
    printf("alternating: failures %d, vmas %d\n", fails, count_in(a, len));
    for (int i = 0; i < 100; i += 2)
        if (mprotect(a + (size_t)i * 4096, 4096, PROT_READ | PROT_WRITE) != 0)
            fails++;
    printf("restored: failures %d, vmas %d\n", fails, count_in(a, len));
    ok = 1;
    for (int i = 1; i <= 100; i++)
        if (a[(size_t)(i - 1) * 4096] != (char)i)
            ok = 0;
    printf("data intact: %s\n", ok ? "yes" : "no");
    /* the same with separate heaps like glibc's per-thread arenas */
    char *h[8];
    for (int k = 0; k < 8; k++) {
        h[k] = mmap(NULL, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        for (int i = 1; i <= 32; i++)
            if (mprotect(h[k], (size_t)i * 4096 * 4, PROT_READ | PROT_WRITE) != 0)
                fails++;
        memset(h[k], k, 32 * 4 * 4096);
    }
    ok = 1;
    for (int k = 0; k < 8; k++)
        if (h[k][0] != k || h[k][32 * 4 * 4096 - 1] != k || count_in(h[k], 1 << 20) != 2)
            ok = 0;
    printf("8 heaps: failures %d, each 2 vmas and data: %s\n", fails, ok ? "yes" : "no");
    MUST(munmap(a, len));
    printf("after munmap: vmas %d\n", count_in(a, len));
    return 0;
}
