// mprotect splits and merges VMAs (seen in /proc/self/maps); RELRO-like pattern.
#include "common.h"

static char *base;

/* Print the maps lines inside [base, base+len) relative to base. */
static void show(const char *label, size_t len)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    printf("%s:", label);
    while (f && fgets(line, sizeof line, f)) {
        unsigned long s, e;
        char perm[8];
        if (sscanf(line, "%lx-%lx %7s", &s, &e, perm) != 3)
            continue;
        if (e <= (unsigned long)base || s >= (unsigned long)base + len)
            continue;
        long so = (long)s - (long)base, eo = (long)e - (long)base;
        printf(" [%ld-%ld %s]", so / 4096, eo / 4096, perm);
    }
    printf("\n");
    if (f)
        fclose(f);
}

int main(void)
{
    /* guard mappings around so neighbours never merge with ours */
    char *area = mmap(NULL, 12 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base = area + 4096;
    MUST(mmap(area, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    MUST(mmap(area + 11 * 4096, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    MUST(mmap(base, 10 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    for (int i = 0; i < 10; i++)
        base[i * 4096] = (char)i;
    show("initial", 10 * 4096);
    MUST(mprotect(base + 3 * 4096, 2 * 4096, PROT_READ));
    show("middle read-only", 10 * 4096);
    MUST(mprotect(base, 4096, PROT_NONE));
    show("first none", 10 * 4096);
    MUST(mprotect(base + 9 * 4096, 4096, PROT_READ | PROT_EXEC));
    show("last rx", 10 * 4096);
    MUST(mprotect(base + 3 * 4096, 2 * 4096, PROT_READ | PROT_WRITE));
    show("middle back (merge)", 10 * 4096);
    MUST(mprotect(base, 10 * 4096, PROT_READ | PROT_WRITE));
    show("all rw (merge)", 10 * 4096);
    /* RELRO: a loader maps rw, fills, then makes the front read-only */
    MUST(mprotect(base, 6 * 4096, PROT_READ));
    show("relro", 10 * 4096);
    int ok = 1;
    for (int i = 0; i < 10; i++)
        if (base[i * 4096] != (char)i)
            ok = 0;
    printf("data kept: %s\n", ok ? "yes" : "no");
    /* mprotect spanning several VMAs with different protections */
    MUST(mprotect(base + 2 * 4096, 6 * 4096, PROT_NONE));
    show("span none", 10 * 4096);
    MUST(mprotect(base, 10 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
    show("all rwx", 10 * 4096);
    /* munmap in the middle then mprotect across the hole: ENOMEM, first part changed */
    MUST(munmap(base + 5 * 4096, 4096));
    SHOW("mprotect across hole", mprotect(base + 3 * 4096, 4 * 4096, PROT_READ));
    show("after failed mprotect", 10 * 4096);
    SHOW("mprotect starting in hole", mprotect(base + 5 * 4096, 2 * 4096, PROT_READ));
    show("after second failure", 10 * 4096);
    return 0;
}
