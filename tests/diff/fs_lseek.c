// lseek(2): whence values, past EOF, holes, errors.
#include "common.h"

int main(void)
{
    int fd;
    MUST(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    write(fd, "0123456789", 10);
    SHOW("SEEK_SET 3", lseek(fd, 3, SEEK_SET));
    SHOW("SEEK_CUR +2", lseek(fd, 2, SEEK_CUR));
    SHOW("SEEK_CUR -1", lseek(fd, -1, SEEK_CUR));
    SHOW("SEEK_END 0", lseek(fd, 0, SEEK_END));
    SHOW("SEEK_END -4", lseek(fd, -4, SEEK_END));
    SHOW("SEEK_END +5", lseek(fd, 5, SEEK_END));
    SHOW("write past EOF", write(fd, "X", 1));
    struct stat st;
    fstat(fd, &st);
    printf("size: %ld\n", (long)st.st_size);
    char buf[32];
    lseek(fd, 10, SEEK_SET);
    SHOW("read hole", read(fd, buf, 6));
    printf("hole bytes: %d %d %d %d %d %c\n", buf[0], buf[1], buf[2], buf[3], buf[4], buf[5]);
    SHOW("SEEK_SET -1", lseek(fd, -1, SEEK_SET));
    SHOW("offset after failed", lseek(fd, 0, SEEK_CUR));
    SHOW("SEEK_CUR to negative", lseek(fd, -100, SEEK_CUR));
    SHOW("SEEK_END to negative", lseek(fd, -100, SEEK_END));
    SHOW("whence 7", lseek(fd, 0, 7));
    SHOW("SEEK_SET big", lseek(fd, 1L << 40, SEEK_SET));
    SHOW("read at big offset", read(fd, buf, 1));
    SHOW("SEEK_DATA 0", lseek(fd, 0, SEEK_DATA));
    SHOW("SEEK_DATA past EOF", lseek(fd, 100, SEEK_DATA));
    SHOW("SEEK_HOLE past EOF", lseek(fd, 100, SEEK_HOLE));
    int p[2];
    MUST(pipe(p));
    SHOW("lseek pipe read end", lseek(p[0], 0, SEEK_CUR));
    SHOW("lseek pipe write end", lseek(p[1], 0, SEEK_SET));
    SHOW("lseek bad fd", lseek(99, 0, SEEK_SET));
    int d;
    MUST(d = open(".", O_RDONLY | O_DIRECTORY));
    SHOW("lseek dir 0", lseek(d, 0, SEEK_SET));
    int n;
    MUST(n = open("/dev/null", O_RDWR));
    SHOW("lseek /dev/null", lseek(n, 123, SEEK_SET));
    int z;
    MUST(z = open("/dev/zero", O_RDONLY));
    SHOW("lseek /dev/zero", lseek(z, 4096, SEEK_SET));
    return 0;
}
