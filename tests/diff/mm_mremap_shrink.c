// mremap shrinking and the basic error cases.
#include "common.h"

static sigjmp_buf jb;
static void on_segv(int s) { (void)s; siglongjmp(jb, 1); }
static int mapped(volatile char *p)
{
    if (sigsetjmp(jb, 1))
        return 0;
    (void)*p;
    return 1;
}

int main(void)
{
    signal(SIGSEGV, on_segv);
    char *a = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(a, 'a', 8 * 4096);
    char *r = mremap(a, 8 * 4096, 3 * 4096, 0);
    printf("shrink: %s, data %c, tail unmapped %s, kept part %s\n", r == a ? "in place" : "moved", a[3 * 4096 - 1],
           mapped(a + 3 * 4096) ? "no" : "yes", mapped(a + 2 * 4096) ? "yes" : "no");
    r = mremap(a, 3 * 4096, 3 * 4096, 0);
    printf("same size: %s\n", r == a ? "same" : r == MAP_FAILED ? en(errno) : "moved");
    r = mremap(a, 3 * 4096, 4096 + 1, 0);
    printf("unaligned new size: %s, second page %s\n", r == a ? "same" : "moved", mapped(a + 4096) ? "mapped" : "gone");
    /* shrink the middle of a vma: splits it */
    char *b = mmap(NULL, 6 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r = mremap(b + 2 * 4096, 3 * 4096, 4096, 0);
    printf("shrink middle: %s, holes: %d%d%d%d%d%d\n", r == b + 2 * 4096 ? "same" : "bad", mapped(b), mapped(b + 4096), mapped(b + 2 * 4096),
           mapped(b + 3 * 4096), mapped(b + 4 * 4096), mapped(b + 5 * 4096));
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
    printf("PROT_NONE grown: %s, readable %s\n", r == MAP_FAILED ? en(errno) : "ok", r != MAP_FAILED && mapped(r) ? "yes" : "no");
    return 0;
}
