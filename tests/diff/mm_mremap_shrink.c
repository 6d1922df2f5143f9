// mremap shrinking and the basic error cases.
#include "common.h"

int main(void)
{
    char *a = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(a, 'a', 8 * 4096);
    char *r = mremap(a, 8 * 4096, 3 * 4096, 0);
    printf("shrink: %s, data %c, tail unmapped %s, kept part %s\n", r == a ? "in place" : "moved", a[3 * 4096 - 1],
           probe_read(a + 3 * 4096) ? "no" : "yes", probe_read(a + 2 * 4096) ? "yes" : "no");
    r = mremap(a, 3 * 4096, 3 * 4096, 0);
    printf("same size: %s\n", r == a ? "same" : r == MAP_FAILED ? en(errno) : "moved");
    r = mremap(a, 3 * 4096, 4096 + 1, 0);
    printf("unaligned new size: %s, second page %s\n", r == a ? "same" : "moved", probe_read(a + 4096) ? "mapped" : "gone");
    /* shrink the middle of a vma: splits it */
    char *b = mmap(NULL, 6 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r = mremap(b + 2 * 4096, 3 * 4096, 4096, 0);
    printf("shrink middle: %s, holes: %d%d%d%d%d%d\n", r == b + 2 * 4096 ? "same" : "bad", probe_read(b), probe_read(b + 4096), probe_read(b + 2 * 4096),
           probe_read(b + 3 * 4096), probe_read(b + 4 * 4096), probe_read(b + 5 * 4096));
    SHOW("new_len 0", (long)mremap(b, 4096, 0, MREMAP_MAYMOVE));
    SHOW("unaligned old", (long)mremap(b + 1, 4096, 8192, MREMAP_MAYMOVE));
    SHOW("unmapped old", (long)mremap(b + 3 * 4096, 4096, 8192, MREMAP_MAYMOVE));
    SHOW("unmapped old shrink", (long)mremap(b + 3 * 4096, 8192, 4096, 0));
    SHOW("kernel address", (long)mremap(KPTR, 4096, 4096, 0));
    /* old_len 0 on a private mapping: EINVAL (only shared may be duplicated) */
    SHOW("old_len 0 private", (long)mremap(b, 0, 4096, MREMAP_MAYMOVE));
    /* mremap of a vma with PROT_NONE keeps the protection */
    char *n = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r = mremap(n, 4096, 2 * 4096, MREMAP_MAYMOVE);
    printf("PROT_NONE grown: %s, readable %s\n", r == MAP_FAILED ? en(errno) : "ok", r != MAP_FAILED && probe_read(r) ? "yes" : "no");
    return 0;
}
