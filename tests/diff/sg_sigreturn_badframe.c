// rt_sigreturn whose frame cannot be read (the stack pointer at an unmapped page, or at a
// kernel address) kills the caller with SIGSEGV, as Linux's badframe does; it does not return
// an errno to the code after the syscall.
#include "common.h"
#include <sys/mman.h>
#include <sys/wait.h>

static void sigreturn_at(long sp)
{
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "mov $15, %%eax\n\t"
                     "syscall\n\t"
                     "ud2\n\t" ::"r"(sp)
                     : "memory");
}

static void try(const char *what, long sp)
{
    pid_t pid = fork();
    if (pid == 0) {
        sigreturn_at(sp);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st))
        printf("%s: killed by %s\n", what, strsignal(WTERMSIG(st)));
    else
        printf("%s: exit %d\n", what, WEXITSTATUS(st));
}

int main(void)
{
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    MUST(p == MAP_FAILED ? -1 : 0);
    munmap(p + 4096, 4096);
    try("frame in an unmapped page", (long)(p + 4096 + 8));
    try("frame at a kernel address", (long)0xffff888000001000ULL);
    try("frame at address 8", 8);
    try("frame at address 0 (the kernel computes below it)", 0);
    return 0;
}
