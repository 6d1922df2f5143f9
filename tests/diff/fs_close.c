// close(2) and close_range(2).
#include "common.h"

int main(void)
{
    int fd;
    MUST(fd = open("/dev/null", O_RDONLY));
    SHOW("close", close(fd));
    SHOW("close twice", close(fd));
    SHOW("close -1", close(-1));
    SHOW("close huge", close(1 << 30));
    for (int i = 0; i < 6; i++)
        MUST(open("/dev/null", O_RDONLY)); /* fds 3..8 */
    SHOW("close_range 4..6", syscall(SYS_close_range, 4, 6, 0));
    for (int i = 3; i <= 8; i++)
        printf("fd %d open: %s\n", i, fcntl(i, F_GETFD) >= 0 ? "yes" : "no");
    SHOW("close_range CLOEXEC 7..~0", syscall(SYS_close_range, 7, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */));
    printf("fd 7 cloexec: %d fd 8 cloexec: %d\n", fcntl(7, F_GETFD), fcntl(8, F_GETFD));
    SHOW("close_range first > last", syscall(SYS_close_range, 9, 3, 0));
    SHOW("close_range bad flags", syscall(SYS_close_range, 3, 4, 0x80));
    SHOW("close_range nothing open", syscall(SYS_close_range, 100, 200, 0));
    /* closing a pipe end makes the other see EOF */
    int p[2];
    MUST(pipe(p));
    close(p[1]);
    char c;
    SHOW("read after writer closed", read(p[0], &c, 1));
    /* closing stdin then opening reuses fd 0 */
    close(0);
    SHOW("open reuses fd 0", open("/dev/null", O_RDONLY));
    return 0;
}
