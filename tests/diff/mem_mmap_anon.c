// Anonymous mmap/munmap/mprotect/mremap behaviour and errors.
#include "common.h"

int main(void)
{
    char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap ok: %s, page aligned: %s\n", p != MAP_FAILED ? "yes" : "no", ((unsigned long)p & 4095) == 0 ? "yes" : "no");
    printf("zero filled: %s\n", p[0] == 0 && p[3 * 4096 - 1] == 0 ? "yes" : "no");
    memset(p, 7, 3 * 4096);
    printf("writable: %s\n", p[5000] == 7 ? "yes" : "no");
    SHOW("munmap middle page", munmap(p + 4096, 4096));
    printf("outer pages intact: %s\n", p[0] == 7 && p[8192] == 7 ? "yes" : "no");
    SHOW("munmap unaligned", munmap(p + 1, 4096));
    SHOW("munmap length 0", munmap(p, 0));
    SHOW("munmap already unmapped", munmap(p + 4096, 4096));
    SHOW("mmap length 0", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    SHOW("mmap no MAP_PRIVATE/SHARED", (long)mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0));
    SHOW("mmap both PRIVATE|SHARED", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    SHOW("mmap unaligned offset", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, open("/dev/zero", O_RDONLY), 1));
    SHOW("mmap MAP_FIXED unaligned", (long)mmap((void *)0x10001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    SHOW("mmap huge", (long)mmap(NULL, 1UL << 50, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    SHOW("mmap bad fd", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0));
    /* MAP_FIXED replaces an existing mapping */
    char *q = mmap(p, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at same address: %s, contents reset: %s\n", q == p ? "yes" : "no", p[0] == 0 ? "yes" : "no");
    /* MAP_FIXED_NOREPLACE on occupied range */
    void *r = mmap(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE occupied: %s\n", r == MAP_FAILED ? en(errno) : "mapped");
    /* hint address is honoured when free */
    void *hint = (void *)0x200000000UL;
    r = mmap(hint, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("free hint honoured: %s\n", r == hint ? "yes" : "no");
    /* mprotect */
    SHOW("mprotect read-only", mprotect(p, 4096, PROT_READ));
    SHOW("mprotect unaligned", mprotect(p + 1, 4096, PROT_READ));
    SHOW("mprotect unmapped", mprotect(p + 4096, 4096, PROT_READ));
    SHOW("mprotect bad prot", mprotect(p, 4096, 0x100));
    SHOW("mprotect PROT_NONE", mprotect(p + 8192, 4096, PROT_NONE));
    /* mremap grow/move */
    char *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(a, "remap me");
    char *b = mremap(a, 4096, 64 * 4096, MREMAP_MAYMOVE);
    printf("mremap grow: %s, data kept: %s\n", b != MAP_FAILED ? "ok" : en(errno), b != MAP_FAILED && strcmp(b, "remap me") == 0 ? "yes" : "no");
    b[63 * 4096] = 1;
    char *c = mremap(b, 64 * 4096, 4096, 0);
    printf("mremap shrink in place: %s\n", c == b ? "yes" : "no");
    SHOW("mremap bad flags", (long)mremap(b, 4096, 8192, 0x80));
    SHOW("mremap unaligned", (long)mremap(b + 1, 4096, 8192, MREMAP_MAYMOVE));
    /* madvise DONTNEED zeroes private anon pages */
    char *d = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(d, 9, 8192);
    SHOW("madvise DONTNEED", madvise(d, 8192, MADV_DONTNEED));
    printf("zeroed after DONTNEED: %s\n", d[0] == 0 && d[8191] == 0 ? "yes" : "no");
    SHOW("madvise invalid advice", madvise(d, 8192, 12345));
    /* shared anonymous memory is shared with a child */
    int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *sh = 1;
    pid_t pid = fork();
    if (pid == 0) {
        *sh = 42;
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("MAP_SHARED anon seen by parent: %d\n", *sh);
    /* mincore on mapped/unmapped */
    unsigned char vec[2];
    SHOW("mincore mapped", mincore(d, 8192, vec));
    char *hole = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole + 4096, 4096);
    SHOW("mincore unmapped", mincore(hole + 4096, 4096, vec));
    /* large allocation touched sparsely */
    char *big = mmap(NULL, 256UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (unsigned long off = 0; off < (256UL << 20); off += 16UL << 20)
        big[off] = 1;
    printf("256MiB sparse mapping usable: %s\n", big != MAP_FAILED ? "yes" : "no");
    SHOW("munmap big", munmap(big, 256UL << 20));
    return 0;
}
