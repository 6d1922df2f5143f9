// read(2)/write(2) basics: short reads, EOF, zero-length, offsets.
#include "common.h"

int main(void)
{
    int fd;
    MUST(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    SHOW("write 10", write(fd, "0123456789", 10));
    SHOW("write 0", write(fd, "", 0));
    SHOW("offset", lseek(fd, 0, SEEK_CUR));
    lseek(fd, 0, SEEK_SET);
    char buf[128];
    SHOW("read 4", read(fd, buf, 4));
    printf("got: %.4s\n", buf);
    SHOW("read 100 (short)", read(fd, buf, 100));
    printf("got: %.6s\n", buf);
    SHOW("read at EOF", read(fd, buf, 100));
    SHOW("read 0", read(fd, buf, 0));
    /* overwrite in the middle */
    lseek(fd, 2, SEEK_SET);
    SHOW("overwrite", write(fd, "AB", 2));
    lseek(fd, 0, SEEK_SET);
    memset(buf, 0, sizeof buf);
    SHOW("reread", read(fd, buf, sizeof buf));
    printf("content: %s\n", buf);
    /* large write and read back */
    static char big[200000], big2[200000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7 + 3);
    lseek(fd, 0, SEEK_SET);
    SHOW("big write", write(fd, big, sizeof big));
    lseek(fd, 0, SEEK_SET);
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, big2 + got, sizeof big2 - got);
        if (r <= 0)
            break;
        got += r;
    }
    printf("big read total: %zu match: %d\n", got, memcmp(big, big2, sizeof big) == 0);
    close(fd);
    /* two fds on one file have separate offsets */
    int a, b;
    MUST(a = open("f", O_RDONLY));
    MUST(b = open("f", O_RDONLY));
    read(a, buf, 5);
    printf("independent offsets: %ld %ld\n", (long)lseek(a, 0, SEEK_CUR), (long)lseek(b, 0, SEEK_CUR));
    /* dup shares offset */
    int c = dup(a);
    read(c, buf, 5);
    printf("dup shares offset: %ld\n", (long)lseek(a, 0, SEEK_CUR));
    SHOW("read -1 fd", read(-1, buf, 1));
    SHOW("write closed fd", write(50, buf, 1));
    /* read into a directory fd */
    int d;
    MUST(d = open(".", O_RDONLY | O_DIRECTORY));
    SHOW("read dir", read(d, buf, 10));
    return 0;
}
