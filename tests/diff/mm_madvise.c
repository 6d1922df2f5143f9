// madvise: DONTNEED (private zeroed, shared kept), other advice, errors, DONTFORK/WIPEONFORK.
#include "common.h"

int main(void)
{
    char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *s = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(p, 'p', 4 * 4096);
    memset(s, 's', 4 * 4096);
    SHOW("DONTNEED private 2 pages", madvise(p + 4096, 2 * 4096, MADV_DONTNEED));
    printf("private: %d %d %d %d\n", p[0], p[4096], p[2 * 4096 + 5], p[3 * 4096]);
    SHOW("DONTNEED shared", madvise(s, 4 * 4096, MADV_DONTNEED));
    printf("shared kept: %c %c\n", s[0], s[4 * 4096 - 1]);
    p[4096] = 'n';
    printf("rewritable after DONTNEED: %c\n", p[4096]);
    /* DONTNEED after fork on a COW page: the child's view goes back to zero */
    pid_t c = fork();
    if (c == 0) {
        madvise(p, 4096, MADV_DONTNEED);
        _exit(p[0] == 0 ? 0 : 1);
    }
    wait_show("child DONTNEED on COW page zero", c);
    printf("parent unaffected: %c\n", p[0]);
    const struct { const char *n; int a; } adv[] = {
        {"NORMAL", MADV_NORMAL}, {"RANDOM", MADV_RANDOM}, {"SEQUENTIAL", MADV_SEQUENTIAL},
        {"WILLNEED", MADV_WILLNEED}, {"FREE", MADV_FREE}, {"MERGEABLE?", MADV_UNMERGEABLE},
        {"HUGEPAGE", MADV_HUGEPAGE}, {"NOHUGEPAGE", MADV_NOHUGEPAGE}, {"DONTDUMP", MADV_DODUMP},
        {"COLD", 20}, {"PAGEOUT", 21},
    };
    for (unsigned i = 0; i < sizeof adv / sizeof adv[0]; i++) {
        errno = 0;
        int r = madvise(p, 4 * 4096, adv[i].a);
        printf("%s: %s\n", adv[i].n, r == 0 ? "0" : en(errno));
    }
    SHOW("bad advice 12345", madvise(p, 4096, 12345));
    SHOW("bad advice -1", madvise(p, 4096, -1));
    SHOW("unaligned", madvise(p + 1, 4096, MADV_NORMAL));
    SHOW("length 0", madvise(p, 0, MADV_DONTNEED));
    MUST(munmap(p + 3 * 4096, 4096));
    SHOW("unmapped part", madvise(p + 2 * 4096, 2 * 4096, MADV_NORMAL));
    SHOW("unmapped part DONTNEED", madvise(p + 2 * 4096, 2 * 4096, MADV_DONTNEED));
    SHOW("wrapping", madvise(p, (size_t)-4096, MADV_NORMAL));
    SHOW("DONTNEED on PROT_NONE", madvise(mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 4096, MADV_DONTNEED));
    /* DONTFORK: the child does not get the mapping; WIPEONFORK: the child sees zeros */
    char *df = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *wf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    df[0] = 'D';
    wf[0] = 'W';
    SHOW("DONTFORK", madvise(df, 4096, MADV_DONTFORK));
    SHOW("WIPEONFORK", madvise(wf, 4096, MADV_WIPEONFORK));
    SHOW("WIPEONFORK on shared", madvise(s, 4096, MADV_WIPEONFORK));
    c = fork();
    if (c == 0) {
        _exit(wf[0] == 0 ? 0 : 1);
    }
    wait_show("child sees wiped page", c);
    c = fork();
    if (c == 0) {
        no_core();
        volatile char x = df[0];
        (void)x;
        _exit(0);
    }
    wait_show("child touching DONTFORK page", c);
    printf("parent keeps both: %c %c\n", df[0], wf[0]);
    SHOW("DOFORK", madvise(df, 4096, MADV_DOFORK));
    c = fork();
    if (c == 0)
        _exit(df[0] == 'D' ? 0 : 1);
    wait_show("after DOFORK child sees data", c);
    return 0;
}
