// brk growth/shrink as seen in /proc/self/maps ([heap]), blocked by a mapping, per-process after fork.
#include "common.h"

static void heap_line(const char *label)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int n = 0;
    unsigned long s = 0, e = 0;
    char perm[8] = "";
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "[heap]")) {
            n++;
            sscanf(line, "%lx-%lx %7s", &s, &e, perm);
        }
    if (f)
        fclose(f);
    unsigned long brk = syscall(SYS_brk, 0);
    if (n)
        printf("%s: [heap] lines %d perms %s ends at page_up(brk) %s\n", label, n, perm,
               e == ((brk + 4095) & ~4095UL) ? "yes" : "no");
    else
        printf("%s: no [heap]\n", label);
}

int main(void)
{
    unsigned long b0 = syscall(SYS_brk, 0);
    /* static glibc already used brk for TLS; dynamic may not have: force a heap */
    syscall(SYS_brk, b0 + 3 * 4096);
    heap_line("grown 3 pages");
    syscall(SYS_brk, b0 + 64 * 4096);
    heap_line("grown 64 pages");
    syscall(SYS_brk, b0 + 10 * 4096 + 5);
    heap_line("shrunk unaligned");
    /* a mapping right above the break blocks growth */
    unsigned long top = (b0 + 10 * 4096 + 5 + 4095) & ~4095UL;
    void *blk = mmap((void *)(top + 4 * 4096), 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("blocker mapped: %s\n", blk == MAP_FAILED ? en(errno) : "yes");
    unsigned long r = syscall(SYS_brk, top + 2 * 4096);
    printf("grow below blocker: %s\n", r == top + 2 * 4096 ? "yes" : "no");
    r = syscall(SYS_brk, top + 8 * 4096);
    printf("grow into blocker refused: %s\n", r == top + 2 * 4096 ? "yes" : "no");
    munmap(blk, 4096);
    r = syscall(SYS_brk, top + 8 * 4096);
    printf("grow after blocker removed: %s\n", r == top + 8 * 4096 ? "yes" : "no");
    heap_line("after blocker");
    /* the child's break is its own */
    pid_t c = fork();
    if (c == 0) {
        unsigned long cb = syscall(SYS_brk, 0);
        syscall(SYS_brk, cb + 16 * 4096);
        ((char *)cb)[16 * 4096 - 1] = 1;
        _exit(syscall(SYS_brk, 0) == cb + 16 * 4096 ? 0 : 1);
    }
    wait_show("child grew its break", c);
    printf("parent break unchanged: %s\n", (unsigned long)syscall(SYS_brk, 0) == top + 8 * 4096 ? "yes" : "no");
    /* shrink below the first page: the heap vma disappears */
    syscall(SYS_brk, b0);
    unsigned long after = syscall(SYS_brk, 0);
    printf("back to start: %s\n", after == b0 ? "yes" : "no");
    /* memory above a shrunk break faults */
    syscall(SYS_brk, b0 + 8 * 4096);
    memset((char *)b0, 1, 8 * 4096);
    syscall(SYS_brk, b0 + 4096);
    c = fork();
    if (c == 0) {
        no_core();
        unsigned long pg = (b0 + 4095) & ~4095UL;
        ((volatile char *)pg)[4 * 4096] = 1;
        _exit(0);
    }
    wait_show("write above shrunk break", c);
    return 0;
}
