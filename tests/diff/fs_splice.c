/* splice between pipes and files, copy_file_range between files: data, offsets,
 * and the errors (no pipe, offsets on pipes, bad flags, O_APPEND, overlap). */
#include "common.h"

#define S(expr) SHOW(#expr, expr)

int main(void)
{
    int p[2], q[2];
    MUST(pipe(p));
    MUST(pipe(q));
    int f = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int g = open("g", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(f);
    MUST(g);
    MUST(write(f, "0123456789abcdef", 16));
    loff_t off = 4;
    S(splice(f, &off, p[1], NULL, 6, 0));
    printf("off=%lld pos=%lld\n", (long long)off, (long long)lseek(f, 0, SEEK_CUR));
    S(splice(p[0], NULL, q[1], NULL, 100, 0));
    char b[32] = {0};
    S(read(q[0], b, sizeof b));
    printf("data=%s\n", b);
    MUST(write(p[1], "hello", 5));
    off = 2;
    S(splice(p[0], NULL, g, &off, 5, 0));
    memset(b, 0, sizeof b);
    S(pread(g, b, sizeof b, 0));
    printf("g=[%c%c%s] off=%lld\n", b[0] ? b[0] : '.', b[1] ? b[1] : '.', b + 2, (long long)off);
    lseek(f, 0, SEEK_SET);
    S(splice(f, NULL, p[1], NULL, 3, 0));
    printf("pos=%lld\n", (long long)lseek(f, 0, SEEK_CUR));
    S(read(p[0], b, 3));
    /* errors */
    S(splice(f, NULL, g, NULL, 1, 0));
    S(splice(p[0], &off, g, NULL, 1, 0));
    S(splice(f, NULL, p[1], &off, 1, 0));
    S(splice(f, NULL, p[1], NULL, 1, 0x100));
    S(splice(p[0], NULL, p[1], NULL, 1, 0));
    S(splice(p[0], NULL, g, NULL, 1, SPLICE_F_NONBLOCK));
    S(splice(p[1], NULL, g, NULL, 1, 0));
    S(splice(99, NULL, p[1], NULL, 1, 0));
    S(splice(f, NULL, p[1], NULL, 0, 0));
    int a = open("a", O_WRONLY | O_CREAT | O_APPEND, 0644);
    MUST(write(p[1], "x", 1));
    S(splice(p[0], NULL, a, NULL, 1, 0));
    /* copy_file_range */
    loff_t i = 0, o = 0;
    S(copy_file_range(f, &i, a, &o, 4, 0));
    int h = open("h", O_RDWR | O_CREAT | O_TRUNC, 0644);
    i = 10;
    o = 0;
    S(copy_file_range(f, &i, h, &o, 100, 0));
    printf("i=%lld o=%lld\n", (long long)i, (long long)o);
    memset(b, 0, sizeof b);
    S(pread(h, b, sizeof b, 0));
    printf("h=%s\n", b);
    lseek(f, 1, SEEK_SET);
    S(copy_file_range(f, NULL, h, NULL, 2, 0));
    printf("fpos=%lld hpos=%lld\n", (long long)lseek(f, 0, SEEK_CUR), (long long)lseek(h, 0, SEEK_CUR));
    i = 0;
    o = 2;
    S(copy_file_range(f, &i, f, &o, 4, 0));
    S(copy_file_range(f, NULL, h, NULL, 1, 1));
    S(copy_file_range(p[0], NULL, h, NULL, 1, 0));
    S(copy_file_range(f, NULL, p[1], NULL, 1, 0));
    mkdir("d", 0755);
    int d = open("d", O_RDONLY | O_DIRECTORY);
    S(copy_file_range(d, NULL, h, NULL, 1, 0));
    return 0;
}
