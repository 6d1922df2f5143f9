// readv/writev/preadv/pwritev scatter-gather I/O.
#include "common.h"

int main(void)
{
    int fd;
    MUST(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    struct iovec iov[4] = {
        {"hello", 5}, {NULL, 0}, {", ", 2}, {"world\n", 6},
    };
    SHOW("writev", writev(fd, iov, 4));
    SHOW("offset", lseek(fd, 0, SEEK_CUR));
    lseek(fd, 0, SEEK_SET);
    char a[3], b[4], c[20];
    memset(c, 0, sizeof c);
    struct iovec r[3] = {{a, 3}, {b, 4}, {c, 20}};
    SHOW("readv", readv(fd, r, 3));
    printf("a=%.3s b=%.4s c=%s", a, b, c);
    SHOW("readv at EOF", readv(fd, r, 3));
    struct iovec p1[2] = {{"AB", 2}, {"CD", 2}};
    SHOW("pwritev @2", pwritev(fd, p1, 2, 2));
    SHOW("offset unchanged", lseek(fd, 0, SEEK_CUR));
    char x[4] = {0}, y[8] = {0};
    struct iovec p2[2] = {{x, 3}, {y, 7}};
    SHOW("preadv @0", preadv(fd, p2, 2, 0));
    printf("x=%s y=%s\n", x, y);
    SHOW("writev iovcnt -1", syscall(SYS_writev, fd, iov, -1));
    SHOW("writev iovcnt 1025", syscall(SYS_writev, fd, iov, 1025));
    SHOW("writev iovcnt 0", syscall(SYS_writev, fd, iov, 0));
    SHOW("readv bad iov ptr", syscall(SYS_readv, fd, BADPTR, 1));
    struct iovec bad[1] = {{BADPTR, 4}};
    lseek(fd, 0, SEEK_SET);
    SHOW("readv bad buffer", syscall(SYS_readv, fd, bad, 1));
    SHOW("writev bad buffer", syscall(SYS_writev, fd, bad, 1));
    struct iovec huge[2] = {{a, (size_t)-1 / 2}, {b, (size_t)-1 / 2}};
    SHOW("writev len overflow", syscall(SYS_writev, fd, huge, 2));
    SHOW("preadv negative offset", syscall(SYS_preadv, fd, p2, 2, -1L, 0L));
    int p[2];
    MUST(pipe(p));
    SHOW("writev pipe", writev(p[1], iov, 4));
    char pb[32] = {0};
    SHOW("read pipe", read(p[0], pb, sizeof pb));
    printf("pipe: %s", pb);
    SHOW("preadv pipe", preadv(p[0], p2, 2, 0));
    return 0;
}
