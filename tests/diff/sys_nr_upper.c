// The syscall number is the low 32 bits of rax, taken as an unsigned int (Linux's
// do_syscall_64 / x64_sys_call): the upper half is ignored, and a low half beyond the
// table (bit 31 set: "negative") is ENOSYS. Arguments declared int or unsigned int are
// their registers' low 32 bits.
#include "common.h"

int main(void)
{
    pid_t me = getpid();
    SHOW("getpid | 1<<32 is getpid", syscall(SYS_getpid | (1L << 32)) == me);
    SHOW("getpid | 0xdead<<32 is getpid", syscall(SYS_getpid | (0xdeadL << 32)) == me);
    SHOW("getpid | 0xffffffff<<32 is getpid", syscall(SYS_getpid | (0xffffffffL << 32)) == me);
    SHOW("getppid | 1<<40 is getppid", syscall(SYS_getppid | (1L << 40)) == getppid());
    SHOW("0x80000000 | getpid", syscall(0x80000000L | SYS_getpid));
    SHOW("0xffffffff", syscall(0xffffffffL));
    SHOW("1<<32 alone is read(0, ...)", syscall(1L << 32, -1, NULL, 0));
    /* int arguments: only the low 32 bits count (fd -1 with garbage above is -1 = EBADF;
     * fd 1 with garbage above is 1) */
    SHOW("close(fd | 0x7<<32) of a bad fd", syscall(SYS_close, (7L << 32) | 1000));
    SHOW("write(1 | 1<<32, \"\", 0)", syscall(SYS_write, (1L << 32) | 1, "", 0));
    SHOW("kill(me | 1<<32, 0)", syscall(SYS_kill, (1L << 32) | me, 0));
    SHOW("umask(0022 | 1<<32) then umask", (syscall(SYS_umask, (1L << 32) | 022), umask(022)));
    return 0;
}
