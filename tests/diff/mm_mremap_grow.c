// mremap growing: in place when free, MAYMOVE, data kept, old range gone.
#include "common.h"

int main(void)
{
    char *area = mmap(NULL, 32 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    MUST(munmap(area, 32 * 4096));
    char *a = mmap(area, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    memset(a, 'a', 4 * 4096);
    /* free space after: grows in place even without MAYMOVE */
    char *b = mremap(a, 4 * 4096, 8 * 4096, 0);
    printf("grow in place: %s\n", b == a ? "same address" : b == MAP_FAILED ? en(errno) : "moved");
    printf("data kept: %s, new part zero: %s\n", a[4 * 4096 - 1] == 'a' ? "yes" : "no", a[4 * 4096] == 0 ? "yes" : "no");
    a[8 * 4096 - 1] = 'z';
    /* block the space after and grow again */
    MUST(mmap(a + 8 * 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    b = mremap(a, 8 * 4096, 12 * 4096, 0);
    printf("blocked without MAYMOVE: %s\n", b == MAP_FAILED ? en(errno) : "ok");
    b = mremap(a, 8 * 4096, 12 * 4096, MREMAP_MAYMOVE);
    printf("blocked with MAYMOVE: %s\n", b == MAP_FAILED ? en(errno) : b == a ? "same address" : "moved");
    printf("moved data: %c %c %s\n", b[0], b[8 * 4096 - 1], b[11 * 4096] == 0 ? "tail zero" : "tail dirty");
    printf("old range unmapped: %s\n", probe_read(a) ? "no" : "yes");
    printf("blocker still mapped: %s\n", probe_read(a + 8 * 4096) ? "yes" : "no");
    /* grow a piece in the middle of a vma: must move */
    char *c = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(c, 'c', 8 * 4096);
    char *d = mremap(c + 2 * 4096, 2 * 4096, 4 * 4096, 0);
    printf("grow middle piece no move: %s\n", d == MAP_FAILED ? en(errno) : "ok");
    d = mremap(c + 2 * 4096, 2 * 4096, 4 * 4096, MREMAP_MAYMOVE);
    printf("grow middle piece move: %s, data %c\n", d == MAP_FAILED ? en(errno) : "moved", d[0]);
    printf("hole left: %s, neighbours: %s %s\n", probe_read(c + 2 * 4096) ? "no" : "yes", probe_read(c + 4096) ? "yes" : "no",
           probe_read(c + 4 * 4096) ? "yes" : "no");
    /* growing a range that spans two vmas: EFAULT */
    char *e = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    MUST(mprotect(e + 2 * 4096, 2 * 4096, PROT_READ));
    SHOW("grow across vmas", (long)mremap(e, 4 * 4096, 8 * 4096, MREMAP_MAYMOVE));
    /* a shared anonymous mapping keeps sharing after it moved */
    int *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    MUST(mmap((char *)s + 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    *s = 1;
    pid_t ch = fork();
    if (ch == 0) {
        int *t = mremap(s, 4096, 4096 * 2, MREMAP_MAYMOVE);
        t[0] = 42;
        t[1024] = 43;
        _exit(t != (int *)s ? 0 : 1);
    }
    wait_show("child moved shared mapping", ch);
    printf("parent sees child's write: %d\n", *s);
    /* big grow of a touched region */
    char *big = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(big, "keep");
    for (size_t n = 2; n <= 1024; n *= 2) {
        big = mremap(big, (n / 2) * 4096, n * 4096, MREMAP_MAYMOVE);
        if (big == MAP_FAILED)
            break;
        big[n * 4096 - 1] = 1;
    }
    printf("doubling to 4 MiB: %s %s\n", big == MAP_FAILED ? en(errno) : "ok", big != MAP_FAILED && strcmp(big, "keep") == 0 ? "kept" : "lost");
    return 0;
}
