// Large sparse mappings: 1 GiB NORESERVE touched sparsely; many GiB reserved PROT_NONE.
#include "common.h"

int main(void)
{
    size_t len = 1UL << 30;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("1 GiB NORESERVE: %s\n", p == MAP_FAILED ? en(errno) : "ok");
    long sum = 0;
    for (size_t off = 0; off < len; off += 8UL << 20) {
        p[off] = 1;
        p[off + 4095] = 2;
    }
    for (size_t off = 0; off < len; off += 8UL << 20)
        sum += p[off] + p[off + 4095];
    printf("128 touched pages sum: %ld\n", sum);
    printf("untouched reads zero: %s\n", p[len / 2 + 12345] == 0 ? "yes" : "no");
    unsigned char v[4];
    mincore(p + (16UL << 20), 4 * 4096, v);
    printf("residency around a touched page: %d %d %d %d\n", v[0], v[1], v[2], v[3]);
    SHOW("munmap half", munmap(p, len / 2));
    printf("upper half still there: %d\n", p[len / 2 + (8UL << 20)]);
    SHOW("munmap rest", munmap(p + len / 2, len / 2));
    /* 16 GiB PROT_NONE reservation (like Go or JVM heaps), then commit a slice */
    size_t big = 16UL << 30;
    char *r = mmap(NULL, big, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("16 GiB PROT_NONE: %s\n", r == MAP_FAILED ? en(errno) : "ok");
    SHOW("commit 1 MiB in the middle", mprotect(r + (8UL << 30), 1 << 20, PROT_READ | PROT_WRITE));
    memset(r + (8UL << 30), 7, 1 << 20);
    printf("committed: %d\n", r[(8UL << 30) + (1 << 20) - 1]);
    SHOW("munmap reservation", munmap(r, big));
    /* 1 GiB touched sparsely and forked: COW of few pages only */
    char *q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    for (size_t off = 0; off < len; off += 64UL << 20)
        q[off] = 3;
    pid_t c = fork();
    if (c == 0) {
        int s = 0;
        for (size_t off = 0; off < len; off += 64UL << 20) {
            s += q[off];
            q[off] = 4;
        }
        _exit(s == 48 ? 0 : 1);
    }
    wait_show("child read 16 pages and wrote them", c);
    printf("parent unchanged: %d\n", q[0]);
    return 0;
}
