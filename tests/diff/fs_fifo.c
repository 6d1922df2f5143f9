// Named pipes (mkfifo/mknod) open semantics.
#include "common.h"

int main(void)
{
    SHOW("mkfifo", mkfifo("fifo", 0644));
    SHOW("mkfifo exists", mkfifo("fifo", 0644));
    SHOW("mknod S_IFIFO", mknod("fifo2", S_IFIFO | 0600, 0));
    SHOW("mknod S_IFREG", mknod("reg", S_IFREG | 0600, 0));
    struct stat st;
    stat("reg", &st);
    printf("mknod reg is regular: %d size %ld\n", S_ISREG(st.st_mode), (long)st.st_size);
    SHOW("mknod bad type", mknod("bad", 0170000 | 0600, 0));
    SHOW("O_WRONLY|O_NONBLOCK no reader", open("fifo", O_WRONLY | O_NONBLOCK));
    int r, w;
    SHOWOK("O_RDONLY|O_NONBLOCK", r = open("fifo", O_RDONLY | O_NONBLOCK));
    char buf[16];
    SHOW("read with no writer", read(r, buf, sizeof buf));
    SHOWOK("O_WRONLY|O_NONBLOCK with reader", w = open("fifo", O_WRONLY | O_NONBLOCK));
    SHOW("read empty with writer", read(r, buf, sizeof buf));
    SHOW("write", write(w, "hello", 5));
    SHOW("read", read(r, buf, sizeof buf));
    close(w);
    SHOW("read after writer gone", read(r, buf, sizeof buf));
    close(r);
    /* blocking open pairs up with the other side in a child */
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        int fd = open("fifo", O_WRONLY);
        write(fd, "from child", 10);
        _exit(0);
    }
    MUST(r = open("fifo", O_RDONLY));
    memset(buf, 0, sizeof buf);
    int n = 0, k;
    while ((k = read(r, buf + n, sizeof buf - 1 - n)) > 0)
        n += k;
    printf("parent read: %s\n", buf);
    wait_show("child", p);
    SHOWOK("O_RDWR on fifo (Linux allows)", open("fifo", O_RDWR));
    stat("fifo", &st);
    printf("fifo is S_ISFIFO: %d size %ld\n", S_ISFIFO(st.st_mode), (long)st.st_size);
    SHOW("lseek fifo", lseek(r, 0, SEEK_SET));
    return 0;
}
