// Faults: SEGV_ACCERR for PROT_NONE/read-only/exec, SEGV_MAPERR for unmapped, exact si_addr.
#include "common.h"

static sigjmp_buf jb;
static volatile int code;
static volatile void *addr;
static void on_segv(int s, siginfo_t *si, void *uc)
{
    (void)s;
    (void)uc;
    code = si->si_code;
    addr = si->si_addr;
    siglongjmp(jb, 1);
}
static const char *cname(int c)
{
    return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}
static void rd(const char *label, volatile char *p)
{
    code = 0;
    if (sigsetjmp(jb, 1) == 0) {
        (void)*p;
        printf("%s read: ok\n", label);
    } else {
        printf("%s read: %s addr %s\n", label, cname(code), addr == p ? "exact" : "wrong");
    }
}
static void wr(const char *label, volatile char *p)
{
    code = 0;
    if (sigsetjmp(jb, 1) == 0) {
        *p = 1;
        printf("%s write: ok\n", label);
    } else {
        printf("%s write: %s addr %s\n", label, cname(code), addr == p ? "exact" : "wrong");
    }
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 1, 4 * 4096);
    MUST(mprotect(p, 4096, PROT_NONE));
    MUST(mprotect(p + 4096, 4096, PROT_READ));
    MUST(munmap(p + 2 * 4096, 4096));
    rd("PROT_NONE", p + 17);
    wr("PROT_NONE", p + 17);
    rd("PROT_READ", p + 4096 + 5);
    wr("PROT_READ", p + 4096 + 5);
    rd("unmapped", p + 2 * 4096 + 100);
    wr("unmapped", p + 2 * 4096 + 100);
    rd("rw", p + 3 * 4096);
    wr("rw", p + 3 * 4096);
    rd("NULL+16", (char *)16);
    rd("kernel address", (char *)KPTR);
    /* never-touched PROT_NONE mapping */
    char *n = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    rd("fresh PROT_NONE", n + 8);
    /* access restored by mprotect keeps the data */
    MUST(mprotect(p, 4096, PROT_READ | PROT_WRITE));
    printf("data after PROT_NONE round trip: %d\n", p[17]);
    /* write to a read-only page of a shared mapping */
    char *s = mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    wr("shared read-only", s);
    /* the default action kills (in a child) */
    pid_t c = fork();
    if (c == 0) {
        no_core();
        signal(SIGSEGV, SIG_DFL);
        *(volatile char *)n = 1;
        _exit(0);
    }
    wait_show("child writing PROT_NONE", c);
    return 0;
}
