// Bad user pointers must give EFAULT (never a crash), via raw syscalls.
#include "common.h"
#include <sys/utsname.h>

int main(void)
{
    put_file("f", "abc");
    int fd;
    MUST(fd = open("f", O_RDWR));
    void *ptrs[] = {BADPTR, KPTR, (void *)0xffffffffffffff00UL};
    const char *names[] = {"ptr 1", "kernel ptr", "top ptr"};
    for (int i = 0; i < 3; i++) {
        void *p = ptrs[i];
        char label[80];
#define T(what, call) snprintf(label, sizeof label, "%s %s", what, names[i]); SHOW(label, call)
        T("read", syscall(SYS_read, fd, p, 3));
        lseek(fd, 0, SEEK_SET);
        T("write", syscall(SYS_write, fd, p, 3));
        T("open", syscall(SYS_open, p, O_RDONLY));
        T("openat", syscall(SYS_openat, AT_FDCWD, p, O_RDONLY));
        T("stat path", syscall(SYS_stat, p, NULL));
        T("stat buf", syscall(SYS_stat, "f", p));
        T("fstat buf", syscall(SYS_fstat, fd, p));
        T("getcwd", syscall(SYS_getcwd, p, 4096));
        T("pipe", syscall(SYS_pipe, p));
        T("uname", syscall(SYS_uname, p));
        T("clock_gettime", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p));
        T("gettimeofday", syscall(SYS_gettimeofday, p, NULL));
        T("nanosleep", syscall(SYS_nanosleep, p, NULL));
        T("rt_sigaction", syscall(SYS_rt_sigaction, SIGUSR1, p, NULL, 8));
        T("rt_sigprocmask", syscall(SYS_rt_sigprocmask, SIG_BLOCK, p, NULL, 8));
        T("execve", syscall(SYS_execve, p, NULL, NULL));
        T("chdir", syscall(SYS_chdir, p));
        T("mkdir", syscall(SYS_mkdir, p, 0755));
        T("readlink", syscall(SYS_readlink, p, label, 10));
        T("getrlimit", syscall(SYS_getrlimit, RLIMIT_NOFILE, p));
        T("sysinfo", syscall(SYS_sysinfo, p));
        T("times", syscall(SYS_times, p));
        T("poll", syscall(SYS_poll, p, 1, 0));
        T("getdents64", syscall(SYS_getdents64, open(".", O_RDONLY | O_DIRECTORY), p, 4096));
        T("select", syscall(SYS_select, 1, p, NULL, NULL, NULL));
        T("getrandom", syscall(SYS_getrandom, p, 16, 0));
        T("rename", syscall(SYS_rename, p, "g"));
        T("ioctl TCGETS", syscall(SYS_ioctl, open("/dev/null", O_RDONLY), TCGETS, p));
        T("sched_getaffinity", syscall(SYS_sched_getaffinity, 0, 128, p));
        T("prlimit64 new", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, p, NULL));
    }
    /* NULL where a pointer is optional is fine; where required it is EFAULT */
    SHOW("read NULL len 0", syscall(SYS_read, fd, NULL, 0));
    SHOW("write NULL len 0", syscall(SYS_write, fd, NULL, 0));
    SHOW("read NULL len 1", syscall(SYS_read, fd, NULL, 1));
    SHOW("open NULL", syscall(SYS_open, NULL, O_RDONLY));
    /* partially valid buffer: page-crossing into unmapped memory */
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + 4096, 4096);
    put_file("g", "0123456789");
    int g;
    MUST(g = open("g", O_RDONLY));
    SHOW("read spanning into unmapped page", syscall(SYS_read, g, m + 4090, 10));
    int h;
    MUST(h = open("h", O_RDWR | O_CREAT | O_TRUNC, 0644));
    memset(m, 'z', 4096);
    SHOW("write spanning into unmapped page", syscall(SYS_write, h, m + 4090, 10));
    SHOW("path ending at unmapped page", syscall(SYS_open, memcpy(m + 4094, "ab", 2), O_RDONLY));
    /* read-only buffer as destination */
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    lseek(g, 0, SEEK_SET);
    SHOW("read into read-only page", syscall(SYS_read, g, ro, 4));
    SHOW("still alive", 0);
    return 0;
}
