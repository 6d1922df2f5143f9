// Faults on unmapped / protected memory reported to children as SIGSEGV with si_code.
#include "common.h"

static void h(int s, siginfo_t *si, void *u)
{
    (void)s;
    (void)u;
    /* exit code encodes si_code: 1 MAPERR, 2 ACCERR */
    _exit(si->si_code == SEGV_MAPERR ? 1 : si->si_code == SEGV_ACCERR ? 2 : 3);
}

static void catch(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
}

static void report(const char *what, pid_t p)
{
    int st;
    waitpid(p, &st, 0);
    if (WIFEXITED(st))
        printf("%s: %s\n", what, WEXITSTATUS(st) == 1 ? "SEGV_MAPERR" : WEXITSTATUS(st) == 2 ? "SEGV_ACCERR"
                                 : WEXITSTATUS(st) == 0 ? "no fault" : "other");
    else
        show_status(what, st);
}

int main(void)
{
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 1;
    munmap(p, 4096);
    pid_t c = fork();
    if (c == 0) {
        catch();
        (void)*(volatile char *)p;
        _exit(0);
    }
    report("read after munmap", c);
    c = fork();
    if (c == 0) {
        no_core();
        *(volatile char *)p = 1;
        _exit(0);
    }
    report("write after munmap, no handler", c);
    char *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    q[0] = 5;
    mprotect(q, 4096, PROT_READ);
    c = fork();
    if (c == 0) {
        catch();
        q[0] = 6;
        _exit(0);
    }
    report("write after mprotect(READ)", c);
    printf("read still fine: %d\n", q[0]);
    mprotect(q, 4096, PROT_NONE);
    c = fork();
    if (c == 0) {
        catch();
        (void)*(volatile char *)q;
        _exit(0);
    }
    report("read PROT_NONE", c);
    mprotect(q, 4096, PROT_READ | PROT_WRITE);
    q[0] = 7;
    printf("restored RW: %d\n", q[0]);
    /* executing a non-exec page */
    unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    code[0] = 0xc3; /* ret */
    c = fork();
    if (c == 0) {
        catch();
        ((void (*)(void))code)();
        _exit(0);
    }
    report("execute non-exec page", c);
    mprotect(code, 4096, PROT_READ | PROT_EXEC);
    c = fork();
    if (c == 0) {
        catch();
        ((void (*)(void))code)();
        _exit(0);
    }
    report("execute after PROT_EXEC", c);
    /* write to read-only file mapping (text segment) */
    c = fork();
    if (c == 0) {
        catch();
        *(volatile char *)(void *)main = 0;
        _exit(0);
    }
    report("write to own code", c);
    return 0;
}
