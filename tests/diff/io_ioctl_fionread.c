// Which files answer which ioctl: FIONREAD on pipes, FIFOs, regular files
// (also past the end), directories and devices; FIGETBSZ; terminal ioctls
// on non-terminals.
#include "common.h"
#include <linux/fs.h>
#include <sys/stat.h>
#include <termios.h>

static void fionread(const char *label, int fd)
{
    int n = -12345;
    int r = ioctl(fd, FIONREAD, &n);
    if (r < 0)
        printf("FIONREAD %s: %s\n", label, en(errno));
    else
        printf("FIONREAD %s: %d\n", label, n);
}

int main(void)
{
    int p[2];
    MUST(pipe(p));
    fionread("empty pipe", p[0]);
    MUST(write(p[1], "0123456789", 10));
    fionread("pipe read end", p[0]);
    fionread("pipe write end", p[1]);
    int bs = 0;
    SHOW("FIGETBSZ pipe", ioctl(p[0], FIGETBSZ, &bs));
    printf("pipe block size: %d\n", bs);
    struct termios t;
    SHOW("TCGETS pipe", ioctl(p[0], TCGETS, &t));
    SHOW("TIOCSPGRP pipe", ioctl(p[1], TIOCSPGRP, &(int){getpgrp()}));

    MUST(mkfifo("fifo", 0600));
    int ff;
    MUST(ff = open("fifo", O_RDWR));
    fionread("empty fifo", ff);
    MUST(write(ff, "abc", 3));
    fionread("fifo", ff);
    SHOW("TCGETS fifo", ioctl(ff, TCGETS, &t));
    SHOW("FIONREAD fifo bad ptr", ioctl(ff, FIONREAD, BADPTR));

    put_file("f", "0123456789");
    int fd;
    MUST(fd = open("f", O_RDONLY));
    fionread("file at 0", fd);
    lseek(fd, 4, SEEK_SET);
    fionread("file at 4", fd);
    lseek(fd, 10, SEEK_SET);
    fionread("file at end", fd);
    lseek(fd, 25, SEEK_SET);
    fionread("file past end", fd);
    SHOW("FIONREAD file bad ptr", ioctl(fd, FIONREAD, BADPTR));
    SHOW("TIOCGWINSZ file", ioctl(fd, TIOCGWINSZ, &(struct winsize){0}));

    int d;
    MUST(d = open(".", O_RDONLY | O_DIRECTORY));
    fionread("directory", d);
    int nul;
    MUST(nul = open("/dev/null", O_RDONLY));
    fionread("/dev/null", nul);
    SHOW("unknown ioctl /dev/null", ioctl(nul, 0x7a7a, 0));
    return 0;
}
