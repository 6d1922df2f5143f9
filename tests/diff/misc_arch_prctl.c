// arch_prctl FS/GS base and prctl basics.
#include "common.h"
#include <asm/prctl.h>

static __thread int tls_var = 5;

int main(void)
{
    unsigned long fs = 0, gs = 1;
    SHOW("ARCH_GET_FS", syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
    printf("fs nonzero: %s\n", fs ? "yes" : "no");
    unsigned long self;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    printf("fs:0 points to TCB == fs base: %s\n", self == fs ? "yes" : "no");
    SHOW("ARCH_GET_GS", syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
    printf("gs base zero: %s\n", gs == 0 ? "yes" : "no");
    SHOW("ARCH_GET_FS bad ptr", syscall(SYS_arch_prctl, ARCH_GET_FS, BADPTR));
    SHOW("invalid code", syscall(SYS_arch_prctl, 0x9999, &fs));
    SHOW("ARCH_SET_FS kernel address", syscall(SYS_arch_prctl, ARCH_SET_FS, 0xffff800000000000UL));
    /* set GS, read it back */
    static unsigned long area[4] = {11, 22, 33, 44};
    SHOW("ARCH_SET_GS", syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)area));
    syscall(SYS_arch_prctl, ARCH_GET_GS, &gs);
    printf("gs base read back: %s\n", gs == (unsigned long)area ? "yes" : "no");
    unsigned long v;
    __asm__ volatile("mov %%gs:8, %0" : "=r"(v));
    printf("gs:8 = %lu\n", v);
    /* fs set in a child persists across a syscall and fork */
    pid_t p = fork();
    if (p == 0) {
        unsigned long cfs;
        syscall(SYS_arch_prctl, ARCH_GET_FS, &cfs);
        _exit(cfs == fs ? 0 : 1);
    }
    wait_show("child fs inherited", p);
    printf("tls var: %d\n", tls_var);
    SHOW("ARCH_SET_FS then GET roundtrip", 0);
    /* prctl */
    char name[32] = {0};
    SHOW("PR_SET_NAME", prctl(PR_SET_NAME, "a-very-long-thread-name", 0, 0, 0));
    SHOW("PR_GET_NAME", prctl(PR_GET_NAME, name, 0, 0, 0));
    printf("name truncated to 15: %s\n", name);
    SHOW("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    SHOW("PR_SET_PDEATHSIG", prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0));
    int sig = -1;
    SHOW("PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0));
    printf("pdeathsig: %s\n", sigabbrev_np(sig));
    SHOW("PR_SET_PDEATHSIG invalid", prctl(PR_SET_PDEATHSIG, 99, 0, 0, 0));
    SHOW("prctl invalid option", prctl(0x7fff, 0, 0, 0, 0));
    SHOW("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    SHOW("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    /* subreaper: orphaned grandchild is reparented to us */
    int pp[2];
    pipe(pp);
    p = fork();
    if (p == 0) {
        pid_t g = fork();
        if (g == 0) {
            char x;
            close(pp[1]);
            read(pp[0], &x, 1);
            _exit(33);
        }
        _exit(0);
    }
    wait_show("middle", p);
    close(pp[1]);
    int st;
    pid_t g = waitpid(-1, &st, 0);
    printf("subreaper reaped orphan: %s\n", g > 0 ? "yes" : "no");
    show_status("orphan", st);
    return 0;
}
