// SIGBUS BUS_ADRERR on access past the end of a truncated file mapping, with si_addr.
#include "thr_common.h"

static volatile int f_sig, f_code;
static void *volatile f_addr;
static sigjmp_buf jb;

static void h(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    f_sig = sig;
    f_code = si->si_code;
    f_addr = si->si_addr;
    siglongjmp(jb, 1);
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(fd);
    MUST(ftruncate(fd, 8192));
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return 99;
    m[0] = 'a';
    if (!sigsetjmp(jb, 1))
        (void)*(volatile char *)(m + 2 * 4096 + 3);
    printf("beyond EOF (3rd page): sig %s code %d addr ok %s\n", f_sig ? sigabbrev_np(f_sig) : "none", f_code,
           f_addr == m + 2 * 4096 + 3 ? "yes" : "no");
    f_sig = 0;
    MUST(ftruncate(fd, 100));
    if (!sigsetjmp(jb, 1))
        (void)*(volatile char *)(m + 4096 + 1);
    /* (the 2nd page was never touched: no stale page stays mapped) */
    printf("after truncate, 2nd page: sig %s code %d addr ok %s\n", f_sig ? sigabbrev_np(f_sig) : "none", f_code,
           f_addr == m + 4096 + 1 ? "yes" : "no");
    f_sig = 0;
    char c = *(volatile char *)(m + 50);
    printf("first page still readable: %d, tail zeroed: %d\n", c == 0, *(volatile char *)(m + 200) == 0);
    printf("first byte: %c\n", m[0]);
    f_sig = 0;
    char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
    if (!sigsetjmp(jb, 1))
        (void)*(volatile char *)(p + 8);
    printf("private mapping past EOF: sig %s code %d\n", f_sig ? sigabbrev_np(f_sig) : "none", f_code);
    close(fd);
    unlink("f");
    return 0;
}
