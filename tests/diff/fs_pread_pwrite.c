// pread64/pwrite64: positional I/O leaves the file offset alone.
#include "common.h"

int main(void)
{
    int fd;
    MUST(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    write(fd, "abcdefghij", 10);
    lseek(fd, 3, SEEK_SET);
    char buf[32] = {0};
    SHOW("pread 4 @5", pread(fd, buf, 4, 5));
    printf("got: %s\n", buf);
    SHOW("offset unchanged", lseek(fd, 0, SEEK_CUR));
    SHOW("pwrite @8", pwrite(fd, "XYZ", 3, 8));
    SHOW("offset unchanged", lseek(fd, 0, SEEK_CUR));
    memset(buf, 0, sizeof buf);
    SHOW("pread all", pread(fd, buf, 31, 0));
    printf("content: %s\n", buf);
    SHOW("pread past EOF", pread(fd, buf, 4, 100));
    SHOW("pwrite far", pwrite(fd, "E", 1, 20));
    struct stat st;
    fstat(fd, &st);
    printf("size: %ld\n", (long)st.st_size);
    memset(buf, 'q', sizeof buf);
    SHOW("pread hole", pread(fd, buf, 10, 11));
    int zeros = 1;
    for (int i = 0; i < 9; i++)
        zeros &= buf[i] == 0;
    printf("hole zeros: %d last: %c\n", zeros, buf[9]);
    SHOW("pread negative", syscall(SYS_pread64, fd, buf, 1, -1L));
    SHOW("pwrite negative", syscall(SYS_pwrite64, fd, buf, 1, -5L));
    int p[2];
    MUST(pipe(p));
    SHOW("pread pipe", pread(p[0], buf, 1, 0));
    SHOW("pwrite pipe", pwrite(p[1], buf, 1, 0));
    SHOW("pread bad fd", pread(77, buf, 1, 0));
    /* O_APPEND: pwrite appends on Linux regardless of offset */
    int afd;
    MUST(afd = open("f", O_WRONLY | O_APPEND));
    SHOW("pwrite O_APPEND @0", pwrite(afd, "A", 1, 0));
    fstat(afd, &st);
    printf("size after append pwrite: %ld\n", (long)st.st_size);
    pread(fd, buf, 1, 0);
    printf("first byte still: %c\n", buf[0]);
    return 0;
}
