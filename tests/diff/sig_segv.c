// SIGSEGV handler: si_addr/si_code for NULL writes, siglongjmp out; SIGKILL uncatchable.
#include "common.h"

static sigjmp_buf jb;
static volatile void *addr;
static volatile int code, signo;

static void h(int s, siginfo_t *si, void *u)
{
    (void)u;
    signo = s;
    addr = si->si_addr;
    code = si->si_code;
    siglongjmp(jb, 1);
}

static const char *cname(int c)
{
    if (signo == SIGBUS)
        return c == BUS_ADRERR ? "BUS_ADRERR" : c == BUS_ADRALN ? "BUS_ADRALN" : "other";
    return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    volatile int *volatile np = NULL;
    if (sigsetjmp(jb, 1) == 0) {
        *np = 1;
        printf("no fault?!\n");
    } else {
        printf("NULL write: SIGSEGV %d, si_addr==0 %d, %s\n", signo == SIGSEGV, addr == NULL, cname(code));
    }
    if (sigsetjmp(jb, 1) == 0) {
        (void)*(volatile int *)0x10;
    } else {
        printf("read at 0x10: si_addr==0x10 %d, %s\n", addr == (void *)0x10, cname(code));
    }
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(jb, 1) == 0) {
        ro[100] = 1;
    } else {
        printf("write to read-only page: si_addr matches %d, %s\n", addr == ro + 100, cname(code));
    }
    /* mask restored by siglongjmp(…,1): a second fault is caught again */
    if (sigsetjmp(jb, 1) == 0) {
        *np = 2;
    } else {
        printf("second NULL write caught: yes\n");
    }
    /* kernel address */
    if (sigsetjmp(jb, 1) == 0) {
        (void)*(volatile long *)0xffff800000000000UL;
    } else {
        printf("kernel address read: SIGSEGV %d\n", signo == SIGSEGV);
    }
    /* SIGBUS on mmap beyond end of file */
    put_file("small", "x");
    int fd = open("small", O_RDONLY);
    char *m = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    if (sigsetjmp(jb, 1) == 0) {
        (void)*(volatile char *)(m + 4096);
    } else {
        printf("beyond EOF: SIGBUS %d, %s, addr ok %d\n", signo == SIGBUS, cname(code), addr == m + 4096);
    }
    printf("inside last page ok: %c\n", m[0]);
    /* SIGKILL and SIGSTOP cannot be caught or ignored */
    SHOW("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
    SHOW("sigaction SIGSTOP", sigaction(SIGSTOP, &sa, NULL));
    SHOW("signal SIGKILL SIG_IGN", signal(SIGKILL, SIG_IGN) == SIG_ERR ? -1 : 0);
    struct sigaction q;
    SHOW("query SIGKILL allowed", sigaction(SIGKILL, NULL, &q));
    /* unhandled SIGSEGV kills a child */
    pid_t p = fork();
    if (p == 0) {
        no_core();
        signal(SIGSEGV, SIG_DFL);
        *np = 3;
        _exit(0);
    }
    wait_show("unhandled NULL write", p);
    /* SIGSEGV while SIGSEGV is blocked: still kills */
    p = fork();
    if (p == 0) {
        no_core();
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGSEGV);
        sigprocmask(SIG_BLOCK, &s, NULL);
        *np = 4;
        _exit(0);
    }
    wait_show("blocked SIGSEGV fault", p);
    return 0;
}
