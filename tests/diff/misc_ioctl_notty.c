// ioctl on non-terminals: ENOTTY; isatty false; terminal-ish ioctls on /dev/null.
#include "common.h"
#include <termios.h>

int main(void)
{
    struct termios t;
    struct winsize ws;
    int p[2];
    MUST(pipe(p));
    put_file("f", "x");
    int f, n, z;
    MUST(f = open("f", O_RDWR));
    MUST(n = open("/dev/null", O_RDWR));
    MUST(z = open("/dev/zero", O_RDONLY));
    int d;
    MUST(d = open(".", O_RDONLY));
    int fds[] = {p[0], f, n, z, d};
    const char *names[] = {"pipe", "file", "/dev/null", "/dev/zero", "dir"};
    for (int i = 0; i < 5; i++) {
        char l[64];
        snprintf(l, sizeof l, "TCGETS %s", names[i]);
        SHOW(l, ioctl(fds[i], TCGETS, &t));
        snprintf(l, sizeof l, "TIOCGWINSZ %s", names[i]);
        SHOW(l, ioctl(fds[i], TIOCGWINSZ, &ws));
        snprintf(l, sizeof l, "TIOCGPGRP %s", names[i]);
        pid_t pg;
        SHOW(l, ioctl(fds[i], TIOCGPGRP, &pg));
        errno = 0;
        snprintf(l, sizeof l, "isatty %s", names[i]);
        int r = isatty(fds[i]);
        printf("%s: %d %s\n", l, r, en(errno));
    }
    SHOW("tcgetattr file", tcgetattr(f, &t));
    SHOW("ioctl bad fd", ioctl(99, TCGETS, &t));
    SHOW("ioctl FIONBIO on file", ioctl(f, FIONBIO, &(int){1}));
    SHOW("ioctl FIOCLEX on file", ioctl(f, FIOCLEX));
    SHOW("ioctl FIOASYNC on file", ioctl(f, FIOASYNC, &(int){0}));
    SHOW("ioctl unknown on file", ioctl(f, 0xdead, 0));
    SHOW("open /dev/tty without ctty", open("/dev/tty", O_RDWR));
    return 0;
}
