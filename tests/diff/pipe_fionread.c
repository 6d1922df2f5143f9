// ioctl(FIONREAD) and friends on pipes.
#include "common.h"

int main(void)
{
    int p[2];
    MUST(pipe(p));
    int n = -1;
    SHOW("FIONREAD empty", ioctl(p[0], FIONREAD, &n));
    printf("n=%d\n", n);
    write(p[1], "hello world", 11);
    SHOW("FIONREAD", ioctl(p[0], FIONREAD, &n));
    printf("n=%d\n", n);
    char buf[8];
    read(p[0], buf, 5);
    ioctl(p[0], FIONREAD, &n);
    printf("after reading 5: %d\n", n);
    SHOW("FIONREAD on write end", ioctl(p[1], FIONREAD, &n));
    printf("n=%d\n", n);
    SHOW("FIONREAD bad ptr", syscall(SYS_ioctl, p[0], FIONREAD, BADPTR));
    int on = 1;
    SHOW("FIONBIO on", ioctl(p[0], FIONBIO, &on));
    printf("O_NONBLOCK set: %d\n", !!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
    read(p[0], buf, 8);
    SHOW("read empty nonblocking", read(p[0], buf, 1));
    on = 0;
    ioctl(p[0], FIONBIO, &on);
    printf("O_NONBLOCK cleared: %d\n", !(fcntl(p[0], F_GETFL) & O_NONBLOCK));
    SHOW("FIOCLEX", ioctl(p[0], FIOCLEX));
    printf("cloexec: %d\n", fcntl(p[0], F_GETFD));
    SHOW("FIONCLEX", ioctl(p[0], FIONCLEX));
    printf("cloexec: %d\n", fcntl(p[0], F_GETFD));
    SHOW("TCGETS on pipe", ioctl(p[0], TCGETS, buf));
    SHOW("unknown ioctl on pipe", ioctl(p[0], 0x12345678, buf));
    /* FIONREAD on a regular file gives bytes left */
    put_file("f", "0123456789");
    int fd;
    MUST(fd = open("f", O_RDONLY));
    lseek(fd, 3, SEEK_SET);
    SHOW("FIONREAD file", ioctl(fd, FIONREAD, &n));
    printf("n=%d\n", n);
    return 0;
}
