/* File mappings share the file's pages: MAP_SHARED writes are the file's
 * data (read(), other processes' mappings), write()/pwrite() show in
 * mappings at once, MAP_PRIVATE copies on write without touching the file,
 * msync, mapping an unlinked file, SIGBUS past the end after ftruncate. */
#include "common.h"

/* Abort the test if a setup step (a condition) fails. */
#define NEED(c)                                                                \
    do {                                                                       \
        if (!(c)) {                                                            \
            printf("SETUP FAILED line %d: %s: %s\n", __LINE__, #c, en(errno)); \
            exit(99);                                                          \
        }                                                                      \
    } while (0)

#define PG 4096

static int mkfile(const char *name, size_t len, char fill)
{
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        printf("SETUP FAILED open %s\n", en(errno));
        exit(99);
    }
    char buf[PG];
    memset(buf, fill, sizeof buf);
    for (size_t off = 0; off < len; off += PG)
        if (pwrite(fd, buf, len - off < PG ? len - off : PG, off) < 0)
            exit(99);
    return fd;
}

static char rd(int fd, off_t off)
{
    char c = '?';
    if (pread(fd, &c, 1, off) != 1)
        return '!';
    return c;
}

/* Run fn in a child; report how it ended. */
static void child(const char *label, void (*fn)(void *), void *arg)
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        fn(arg);
        _exit(0);
    }
    wait_show(label, p);
}

static void touch(void *a)
{
    volatile char *p = a;
    (void)*p;
}

static void poke(void *a)
{
    volatile char *p = a;
    *p = 'z';
}

int main(void)
{
    no_core();
    int fd = mkfile("f", 3 * PG, 'a');
    char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    YN("mmap shared", m != MAP_FAILED);
    if (m == MAP_FAILED)
        return 0;
    printf("initial: %c %c\n", m[0], m[2 * PG + 5]);

    /* writes through the mapping are the file's data */
    m[10] = 'X';
    m[PG + 1] = 'Y';
    printf("read() sees mapping writes: %c %c\n", rd(fd, 10), rd(fd, PG + 1));
    /* write() shows in the mapping at once */
    pwrite(fd, "QRS", 3, 2 * PG + 100);
    printf("mapping sees pwrite: %.3s\n", m + 2 * PG + 100);
    struct stat st;
    fstat(fd, &st);
    printf("size unchanged by mapping writes: %ld\n", (long)st.st_size);

    /* another process mapping the same file, separately */
    fflush(stdout);
    int pp[2], cp[2];
    NEED(pipe(pp) == 0 && pipe(cp) == 0);
    pid_t c = fork();
    if (c == 0) {
        int f2 = open("f", O_RDWR);
        char *m2 = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, f2, 0);
        char go;
        if (m2 == MAP_FAILED || read(pp[0], &go, 1) != 1)
            _exit(2);
        /* parent wrote 'P' at 20 through its mapping */
        char seen = m2[20];
        m2[30] = 'C';
        write(cp[1], &seen, 1);
        _exit(0);
    }
    m[20] = 'P';
    write(pp[1], "g", 1);
    char seen = '?';
    read(cp[0], &seen, 1);
    wait_show("child", c);
    printf("child's mapping saw parent's write: %c\n", seen);
    printf("parent's mapping sees child's write: %c\n", m[30]);
    SHOW("msync MS_SYNC", msync(m, 3 * PG, MS_SYNC));
    SHOW("msync MS_ASYNC", msync(m, PG, MS_ASYNC));
    SHOW("msync MS_INVALIDATE", msync(m, PG, MS_INVALIDATE));

    /* MAP_PRIVATE: copy on write, invisible to the file */
    char *pv = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    YN("mmap private", pv != MAP_FAILED);
    printf("private sees file data: %c %c\n", pv[10], pv[PG + 1]);
    pv[10] = 'p';
    printf("private write: mapping %c, file %c, shared mapping %c\n", pv[10], rd(fd, 10), m[10]);
    /* a page not yet written follows the file */
    pwrite(fd, "W", 1, PG + 2);
    printf("unwritten private page follows file: %c\n", pv[PG + 2]);
    /* the written page does not */
    pwrite(fd, "V", 1, 11);
    printf("written private page keeps its copy: %c %c\n", pv[10], pv[11]);
    /* fork: the child's private copy is its own */
    fflush(stdout);
    c = fork();
    if (c == 0) {
        pv[12] = 'k';
        _exit(pv[12] == 'k' ? 0 : 1);
    }
    wait_show("child private write", c);
    printf("parent private after child write: %c\n", pv[12]);

    /* mapping survives unlink (and close) */
    int g = mkfile("g", PG, 'g');
    char *gm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, g, 0);
    NEED(gm != MAP_FAILED);
    SHOW("unlink", unlink("g"));
    gm[1] = 'U';
    printf("after unlink: mapping %c%c, read() %c\n", gm[0], gm[1], rd(g, 1));
    close(g);
    gm[2] = 'V';
    printf("after close: %c%c%c\n", gm[0], gm[1], gm[2]);
    SHOW("munmap", munmap(gm, PG));

    /* ftruncate: pages wholly past the end are gone (SIGBUS) */
    int h = mkfile("h", 3 * PG, 'h');
    char *hm = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, h, 0);
    char *hp = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, h, 0);
    NEED(hm != MAP_FAILED && hp != MAP_FAILED);
    printf("before truncate: %c %c %c\n", hm[0], hm[PG], hm[2 * PG]);
    hp[2 * PG] = 'c'; /* a private copy of the last page */
    SHOW("ftruncate to 1.5 pages", ftruncate(h, PG + PG / 2));
    printf("inside: %c, tail of last page zero: %s\n", hm[PG], hm[PG + PG / 2 + 1] == 0 ? "yes" : "no");
    child("shared read past the end", touch, hm + 2 * PG);
    child("shared write past the end", poke, hm + 2 * PG);
    child("private copy past the end", touch, hp + 2 * PG);
    SHOW("ftruncate to 3 pages", ftruncate(h, 3 * PG));
    printf("regrown page reads zero: %s\n", hm[2 * PG] == 0 ? "yes" : "no");
    hm[2 * PG] = 'n';
    printf("and takes writes: %c\n", rd(h, 2 * PG));

    /* a mapping longer than the file */
    int k = mkfile("k", 100, 'k');
    char *km = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, k, 0);
    NEED(km != MAP_FAILED);
    printf("short file: %c, rest of page zero: %s\n", km[99], km[100] == 0 && km[PG - 1] == 0 ? "yes" : "no");
    child("page past the end of a short file", touch, km + PG);
    return 0;
}
