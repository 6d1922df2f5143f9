// pipe/pipe2 basics: data flow, EOF, O_CLOEXEC, fstat, fork.
#include "common.h"

int main(void)
{
    int p[2];
    SHOW("pipe", pipe(p));
    printf("fds are 3,4: %s\n", p[0] == 3 && p[1] == 4 ? "yes" : "no");
    SHOW("write", write(p[1], "hello", 5));
    char buf[64] = {0};
    SHOW("read", read(p[0], buf, sizeof buf));
    printf("data: %s\n", buf);
    SHOW("write to read end", write(p[0], "x", 1));
    SHOW("read from write end", read(p[1], buf, 1));
    int fl0 = fcntl(p[0], F_GETFL), fl1 = fcntl(p[1], F_GETFL);
    printf("accmodes: %d %d\n", (fl0 & O_ACCMODE) == O_RDONLY, (fl1 & O_ACCMODE) == O_WRONLY);
    struct stat a, b;
    fstat(p[0], &a);
    fstat(p[1], &b);
    printf("both FIFO, same inode: %d %d\n", S_ISFIFO(a.st_mode) && S_ISFIFO(b.st_mode), a.st_ino == b.st_ino);
    close(p[1]);
    SHOW("read after writer closed (EOF)", read(p[0], buf, sizeof buf));
    close(p[0]);
    int q[2];
    SHOW("pipe2 O_CLOEXEC", pipe2(q, O_CLOEXEC));
    printf("cloexec: %d %d\n", fcntl(q[0], F_GETFD), fcntl(q[1], F_GETFD));
    SHOW("pipe2 bad flags", pipe2(q, 0x1));
    SHOW("pipe2 O_DIRECT", pipe2(q, O_DIRECT));
    /* data written before close is still readable after close */
    int r[2];
    MUST(pipe(r));
    write(r[1], "abc", 3);
    close(r[1]);
    SHOW("read buffered after close", read(r[0], buf, 2));
    SHOW("read rest", read(r[0], buf, 10));
    SHOW("then EOF", read(r[0], buf, 10));
    /* parent -> child -> parent through two pipes */
    int up[2], down[2];
    MUST(pipe(up));
    MUST(pipe(down));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        char c[32];
        int n = read(down[0], c, sizeof c);
        for (int i = 0; i < n; i++)
            c[i] = c[i] - 'a' + 'A';
        write(up[1], c, n);
        /* EOF on down after parent closes */
        n = read(down[0], c, sizeof c);
        _exit(n == 0 ? 0 : 1);
    }
    close(down[0]);
    close(up[1]);
    write(down[1], "roundtrip", 9);
    memset(buf, 0, sizeof buf);
    int n = read(up[0], buf, sizeof buf);
    printf("child replied %d: %s\n", n, buf);
    close(down[1]);
    wait_show("child", pid);
    SHOW("EOF when child exited", read(up[0], buf, 1));
    /* large transfer larger than the pipe buffer via child */
    int big[2];
    MUST(pipe(big));
    pid = fork();
    if (pid == 0) {
        close(big[0]);
        static char chunk[10000];
        for (int i = 0; i < 100; i++) {
            memset(chunk, 'a' + i % 26, sizeof chunk);
            if (write(big[1], chunk, sizeof chunk) != sizeof chunk)
                _exit(2);
        }
        _exit(0);
    }
    close(big[1]);
    long total = 0, sum = 0;
    char rb[4096];
    while ((n = read(big[0], rb, sizeof rb)) > 0) {
        for (int i = 0; i < n; i++)
            sum += rb[i];
        total += n;
    }
    printf("transferred %ld bytes, checksum %ld\n", total, sum);
    wait_show("writer", pid);
    SHOW("pipe bad ptr", syscall(SYS_pipe2, BADPTR, 0));
    return 0;
}
