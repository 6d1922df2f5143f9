// fcntl: F_DUPFD*, F_GETFD/SETFD, F_GETFL/SETFL, errors.
#include "common.h"

int main(void)
{
    int fd;
    MUST(fd = open("/dev/null", O_RDWR));
    SHOW("F_DUPFD min 10", fcntl(fd, F_DUPFD, 10));
    SHOW("F_DUPFD min 10 again", fcntl(fd, F_DUPFD, 10));
    SHOW("F_DUPFD_CLOEXEC min 20", fcntl(fd, F_DUPFD_CLOEXEC, 20));
    SHOW("F_GETFD of cloexec dup", fcntl(20, F_GETFD));
    SHOW("F_GETFD of plain dup", fcntl(10, F_GETFD));
    SHOW("F_SETFD FD_CLOEXEC", fcntl(10, F_SETFD, FD_CLOEXEC));
    SHOW("F_GETFD", fcntl(10, F_GETFD));
    SHOW("F_SETFD 0", fcntl(10, F_SETFD, 0));
    SHOW("F_GETFD", fcntl(10, F_GETFD));
    SHOW("F_DUPFD negative", fcntl(fd, F_DUPFD, -1));
    SHOW("F_DUPFD above limit", fcntl(fd, F_DUPFD, 1 << 30));
    int fl = fcntl(fd, F_GETFL);
    printf("GETFL accmode O_RDWR: %d append: %d nonblock: %d\n", (fl & O_ACCMODE) == O_RDWR,
           !!(fl & O_APPEND), !!(fl & O_NONBLOCK));
    SHOW("F_SETFL O_APPEND|O_NONBLOCK", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
    fl = fcntl(fd, F_GETFL);
    printf("GETFL accmode O_RDWR: %d append: %d nonblock: %d\n", (fl & O_ACCMODE) == O_RDWR,
           !!(fl & O_APPEND), !!(fl & O_NONBLOCK));
    /* SETFL cannot change access mode */
    fcntl(fd, F_SETFL, O_RDONLY);
    fl = fcntl(fd, F_GETFL);
    printf("after SETFL O_RDONLY still RDWR: %d append cleared: %d\n", (fl & O_ACCMODE) == O_RDWR, !(fl & O_APPEND));
    /* status flags shared across dup, fd flags not */
    int d = dup(fd);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    printf("dup sees NONBLOCK: %d, dup sees CLOEXEC: %d\n", !!(fcntl(d, F_GETFL) & O_NONBLOCK),
           fcntl(d, F_GETFD) & FD_CLOEXEC);
    /* pipe nonblocking via SETFL */
    int p[2];
    MUST(pipe(p));
    char c;
    SHOW("read empty pipe after SETFL O_NONBLOCK", (fcntl(p[0], F_SETFL, O_NONBLOCK), read(p[0], &c, 1)));
    fl = fcntl(p[1], F_GETFL);
    printf("pipe write end accmode WRONLY: %d\n", (fl & O_ACCMODE) == O_WRONLY);
    SHOW("F_GETFD bad fd", fcntl(999, F_GETFD));
    SHOW("F_GETFL bad fd", fcntl(-1, F_GETFL));
    SHOW("bad cmd", fcntl(fd, 9999));
    SHOW("F_GETPIPE_SZ on file", fcntl(fd, F_GETPIPE_SZ));
    SHOW("F_GETPIPE_SZ on pipe", fcntl(p[0], F_GETPIPE_SZ));
    int opath;
    MUST(opath = open("/dev/null", O_PATH));
    SHOW("F_GETFD on O_PATH", fcntl(opath, F_GETFD));
    SHOW("F_DUPFD on O_PATH", fcntl(opath, F_DUPFD, 0) >= 0 ? 0 : -1);
    /* O_APPEND via SETFL affects writes */
    int f;
    MUST(f = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644));
    write(f, "abc", 3);
    lseek(f, 0, SEEK_SET);
    fcntl(f, F_SETFL, O_APPEND);
    write(f, "d", 1);
    char buf[8] = {0};
    pread(f, buf, 7, 0);
    printf("after SETFL O_APPEND write: %s\n", buf);
    /* record locks (uncontended) */
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    SHOW("F_SETLK write lock", fcntl(f, F_SETLK, &lk));
    lk.l_type = F_WRLCK;
    SHOW("F_GETLK own lock", fcntl(f, F_GETLK, &lk));
    printf("GETLK reports unlocked for self: %d\n", lk.l_type == F_UNLCK);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct flock l2 = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1};
        int r = fcntl(f, F_SETLK, &l2);
        printf("child F_SETLK conflicting: %s\n", r < 0 ? en(errno) : "ok");
        struct flock l3 = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        fcntl(f, F_GETLK, &l3);
        printf("child GETLK type is WRLCK: %d start %ld len %ld pid is parent: %d\n",
               l3.l_type == F_WRLCK, (long)l3.l_start, (long)l3.l_len, l3.l_pid == getppid());
        struct flock l4 = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 5};
        r = fcntl(f, F_SETLK, &l4);
        printf("child F_SETLK non-overlapping: %s\n", r < 0 ? en(errno) : "ok");
        _exit(0);
    }
    wait_show("child", pid);
    lk.l_type = F_RDLCK;
    SHOW("F_SETLK read lock on O_RDWR", fcntl(f, F_SETLK, &lk));
    lk.l_type = 99;
    SHOW("F_SETLK bad type", fcntl(f, F_SETLK, &lk));
    return 0;
}
