// /proc/self/maps: our own mappings' permissions, offsets, device fields and names.
#include "common.h"

/* Print the line for the mapping that contains addr, without addresses/inode/device. */
static void line_for(const char *label, void *addr)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long s, e, off, ino;
        char perm[8], dev[16], name[256] = "";
        int n = sscanf(line, "%lx-%lx %7s %lx %15s %lu %255s", &s, &e, perm, &off, dev, &ino, name);
        if (n < 6)
            continue;
        if ((unsigned long)addr >= s && (unsigned long)addr < e) {
            const char *nm = strrchr(name, '/');
            nm = nm ? nm + 1 : name;
            if (label[0] == '~') /* size depends on the environment */
                printf("%s: %s off %lx ino %s name '%s'\n", label + 1, perm, off, ino ? "set" : "0", nm);
            else
                printf("%s: %s off %lx pages %lu ino %s name '%s'\n", label, perm, off, (e - s) / 4096,
                       ino ? "set" : "0", nm);
            found = 1;
        }
    }
    if (!found)
        printf("%s: not found\n", label);
    if (f)
        fclose(f);
}

int main(void)
{
    char *a = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    MUST(mprotect(a + 3 * 4096, 4096, PROT_NONE));
    line_for("anon rw", a);
    line_for("anon none", a + 3 * 4096);
    MUST(mprotect(a + 4096, 4096, PROT_READ | PROT_EXEC));
    line_for("split first", a);
    line_for("split middle", a + 4096);
    line_for("split last", a + 2 * 4096);
    char *s = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    line_for("shared anon", s);
    int fd = open("data.bin", O_RDWR | O_CREAT, 0600);
    MUST(ftruncate(fd, 5 * 4096));
    char *f = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE, fd, 2 * 4096);
    line_for("file private off 2 pages", f);
    line_for("file private, third page", f + 2 * 4096);
    char *fs = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4096);
    line_for("file shared", fs);
    line_for("~stack", &fd);
    char *h = malloc(100);
    char *big = malloc(1 << 20);
    (void)big;
    /* a small malloc lives on the heap for a single-threaded program */
    line_for("~malloc small", h);
    unsigned long vvar = 0, vdso = 0;
    FILE *m = fopen("/proc/self/maps", "r");
    char l[512];
    int stack = 0, heap = 0;
    while (m && fgets(l, sizeof l, m)) {
        if (strstr(l, "[stack]"))
            stack++;
        if (strstr(l, "[heap]"))
            heap++;
        if (strstr(l, "[vdso]"))
            vdso++;
        if (strstr(l, "[vvar]"))
            vvar++;
    }
    printf("[stack] lines: %d, [heap] lines: %d\n", stack, heap);
    (void)vvar;
    (void)vdso;
    /* lines are sorted and do not overlap */
    rewind(m);
    unsigned long prev = 0;
    int sorted = 1;
    while (fgets(l, sizeof l, m)) {
        unsigned long st, en2;
        sscanf(l, "%lx-%lx", &st, &en2);
        if (st < prev || en2 <= st)
            sorted = 0;
        prev = en2;
    }
    printf("sorted, non-overlapping: %s\n", sorted ? "yes" : "no");
    fclose(m);
    /* /proc/self/maps of a child shows the same mappings */
    pid_t c = fork();
    if (c == 0) {
        line_for("child sees split middle", a + 4096);
        _exit(0);
    }
    wait_show("child", c);
    return 0;
}
