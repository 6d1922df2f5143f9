// Bad file descriptors give EBADF across fd-taking syscalls.
#include "common.h"

int main(void)
{
    int fds[] = {-1, 12345, 1 << 30, (int)0x80000000};
    char buf[8];
    struct stat st;
    for (int i = 0; i < 4; i++) {
        int b = fds[i];
        printf("-- fd %d\n", b);
        SHOW("read", syscall(SYS_read, b, buf, 1));
        SHOW("write", syscall(SYS_write, b, buf, 1));
        SHOW("close", syscall(SYS_close, b));
        SHOW("fstat", syscall(SYS_fstat, b, &st));
        SHOW("lseek", syscall(SYS_lseek, b, 0, SEEK_SET));
        SHOW("dup", syscall(SYS_dup, b));
        SHOW("fcntl GETFD", syscall(SYS_fcntl, b, F_GETFD));
        SHOW("ioctl", syscall(SYS_ioctl, b, FIONREAD, buf));
        SHOW("fchdir", syscall(SYS_fchdir, b));
        SHOW("getdents64", syscall(SYS_getdents64, b, buf, sizeof buf));
        SHOW("ftruncate", syscall(SYS_ftruncate, b, 0));
        SHOW("fsync", syscall(SYS_fsync, b));
        SHOW("fchmod", syscall(SYS_fchmod, b, 0644));
        SHOW("mmap", syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, b, 0));
        SHOW("pread64", syscall(SYS_pread64, b, buf, 1, 0));
    }
    /* fd 0 closed */
    close(0);
    SHOW("read closed stdin", read(0, buf, 1));
    /* poll reports bad fds in revents, select fails */
    struct pollfd p = {.fd = 55, .events = POLLIN};
    SHOW("poll bad fd", poll(&p, 1, 0));
    printf("revents POLLNVAL: %d\n", p.revents == POLLNVAL);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(55, &rs);
    struct timeval tv = {0, 0};
    SHOW("select bad fd", select(56, &rs, NULL, NULL, &tv));
    /* openat dirfd */
    SHOW("openat bad dirfd", syscall(SYS_openat, 4444, "x", O_RDONLY));
    SHOW("openat AT_FDCWD-1", syscall(SYS_openat, AT_FDCWD - 1, "x", O_RDONLY));
    return 0;
}
