// MAP_GROWSDOWN mappings grow when the page below them is touched.
#include "common.h"

static void show(const char *label, char *addr)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        unsigned long s, e;
        char perm[8];
        if (sscanf(line, "%lx-%lx %7s", &s, &e, perm) == 3 && (unsigned long)addr >= s && (unsigned long)addr < e)
            printf("%s: %lu pages %s, ends at top: %s\n", label, (e - s) / 4096, perm, e == 0x400000010000UL ? "yes" : "no");
    }
    if (f)
        fclose(f);
}

int main(void)
{
    char *top = (char *)0x400000010000UL;
    char *g = mmap(top - 4 * 4096, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
    printf("mapped: %s\n", g == top - 4 * 4096 ? "yes" : "no");
    show("initial", g);
    g[0] = 1;
    g[-1] = 2; /* the page below: grows by one page */
    show("after touching the page below", g - 1);
    g[-10 * 4096] = 3; /* further below, still within reach */
    show("after touching 10 pages below", g - 10 * 4096);
    printf("data: %d %d %d\n", g[0], g[-1], g[-10 * 4096]);
    /* a mapping in the guard gap stops growth */
    char *h = mmap(top - 0x200000 - 4 * 4096, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
    char *blk = mmap(top - 0x200000 - 8 * 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("second + blocker: %s %s\n", h != MAP_FAILED ? "ok" : en(errno), blk != MAP_FAILED ? "ok" : en(errno));
    pid_t c = fork();
    if (c == 0) {
        no_core();
        h[-1] = 1; /* blocker within the guard gap: SIGSEGV */
        _exit(0);
    }
    wait_show("touch below with a mapping in the gap", c);
    return 0;
}
