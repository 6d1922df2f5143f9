// truncate/ftruncate: grow, shrink, zero-fill, errors.
#include "common.h"

static long size(const char *p)
{
    struct stat st;
    return stat(p, &st) < 0 ? -1 : (long)st.st_size;
}

int main(void)
{
    put_file("f", "0123456789");
    SHOW("truncate 4", truncate("f", 4));
    printf("size: %ld\n", size("f"));
    SHOW("truncate 8 (grow)", truncate("f", 8));
    printf("size: %ld\n", size("f"));
    char buf[16];
    long n = get_file("f", buf, sizeof buf);
    printf("content len %ld: %.4s %d %d %d %d\n", n, buf, buf[4], buf[5], buf[6], buf[7]);
    SHOW("truncate -1", truncate("f", -1));
    SHOW("truncate missing", truncate("missing", 0));
    MUST(mkdir("d", 0755));
    SHOW("truncate dir", truncate("d", 0));
    int fd;
    MUST(fd = open("f", O_RDWR));
    lseek(fd, 6, SEEK_SET);
    SHOW("ftruncate 2", ftruncate(fd, 2));
    printf("offset unchanged: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    SHOW("write at offset 6", write(fd, "Z", 1));
    printf("size: %ld\n", size("f"));
    SHOW("ftruncate 0", ftruncate(fd, 0));
    printf("size: %ld\n", size("f"));
    SHOW("ftruncate big", ftruncate(fd, 1L << 30));
    printf("size: %ld\n", size("f"));
    SHOW("pread in sparse area", pread(fd, buf, 4, 1L << 29));
    printf("zeros: %d\n", buf[0] == 0 && buf[3] == 0);
    SHOW("ftruncate -5", ftruncate(fd, -5));
    int ro;
    MUST(ro = open("f", O_RDONLY));
    SHOW("ftruncate on O_RDONLY", ftruncate(ro, 0));
    int p[2];
    MUST(pipe(p));
    SHOW("ftruncate pipe", ftruncate(p[1], 0));
    SHOW("ftruncate bad fd", ftruncate(999, 0));
    int dfd;
    MUST(dfd = open("d", O_RDONLY));
    SHOW("ftruncate dir", ftruncate(dfd, 0));
    MUST(symlink("f", "l"));
    SHOW("truncate via symlink", truncate("l", 3));
    printf("size: %ld\n", size("f"));
    SHOW("truncate /dev/null", truncate("/dev/null", 0));
    SHOW("O_TRUNC /dev/null", open("/dev/null", O_WRONLY | O_TRUNC) >= 0 ? 0 : -1);
    return 0;
}
