// Raw clone() with glibc's thread flags: PARENT_SETTID, CHILD_CLEARTID wake on exit, SETTLS, flag errors.
#include "thr_common.h"

static volatile int ptid_word, ctid_word, child_ran;
static volatile long child_tid_seen, child_pid_seen;
static char stack[65536] __attribute__((aligned(16)));

__attribute__((no_stack_protector)) static int child_fn(void *a)
{
    (void)a;
    child_tid_seen = syscall(SYS_gettid);
    child_pid_seen = syscall(SYS_getpid);
    unsigned long fs = 0;
    syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fs);
    child_ran = fs == 0x12345000UL ? 2 : 1;
    /* exit only this thread: the raw syscall, glibc's TLS is not set up */
    syscall(SYS_exit, 0);
    return 0;
}

static long raw_clone(unsigned long flags, void *stk, volatile int *ptid, volatile int *ctid, unsigned long tls)
{
    long ret;
    register long r10 __asm__("r10") = (long)ctid;
    register long r8 __asm__("r8") = (long)tls;
    register long r9 __asm__("r9") = (long)child_fn;
    __asm__ volatile(
        "syscall\n"
        "test %%rax, %%rax\n"
        "jnz 1f\n"
        "xor %%edi, %%edi\n"
        "call *%%r9\n"
        "ud2\n"
        "1:\n"
        : "=a"(ret)
        : "0"(SYS_clone), "D"(flags), "S"(stk), "d"(ptid), "r"(r10), "r"(r8), "r"(r9)
        : "rcx", "r11", "memory");
    return ret;
}

int main(void)
{
    SHOW("THREAD without SIGHAND", syscall(SYS_clone, CLONE_VM | CLONE_THREAD, stack + sizeof stack, 0, 0, 0));
    SHOW("SIGHAND without VM", syscall(SYS_clone, CLONE_SIGHAND, stack + sizeof stack, 0, 0, 0));
    SHOW("NEWPID|THREAD", syscall(SYS_clone, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_NEWPID, stack + sizeof stack, 0, 0, 0));
    SHOW("FS|NEWNS", syscall(SYS_clone, CLONE_FS | CLONE_NEWNS, 0, 0, 0, 0));
    unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                          CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    ctid_word = -1;
    long tid = raw_clone(flags, stack + sizeof stack, &ptid_word, &ctid_word, 0x12345000UL);
    if (tid <= 0) {
        printf("clone failed: %s\n", en(errno));
        return 1;
    }
    YN("PARENT_SETTID wrote the tid", ptid_word == tid);
    /* CHILD_CLEARTID: the word becomes 0 and a futex wake follows */
    for (;;) {
        int v = ctid_word;
        if (v == 0)
            break;
        futex6((void *)&ctid_word, FUTEX_WAIT, v, NULL, NULL, 0);
    }
    YN("child saw its own tid", child_tid_seen == tid);
    YN("child saw our pid", child_pid_seen == getpid());
    printf("child saw its TLS base: %s\n", child_ran == 2 ? "yes" : "no");
    YN("thread tid differs from pid", tid != getpid());
    /* the thread is reaped by itself soon after the wake */
    long r = 0;
    for (int i = 0; i < 10000 && r == 0; i++) {
        r = syscall(SYS_tgkill, getpid(), tid, 0);
        if (r == 0)
            usleep(1000);
    }
    printf("tgkill on the exited thread: %s\n", r == -1 ? en(errno) : "still there");
    return 0;
}
