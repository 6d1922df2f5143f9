/* Which file mappings are allowed: open mode vs MAP_SHARED/MAP_PRIVATE and
 * PROT_WRITE, mprotect of a read-only shared mapping. */
#include "common.h"

/* Abort the test if a setup step (a condition) fails. */
#define NEED(c)                                                                \
    do {                                                                       \
        if (!(c)) {                                                            \
            printf("SETUP FAILED line %d: %s: %s\n", __LINE__, #c, en(errno)); \
            exit(99);                                                          \
        }                                                                      \
    } while (0)

int main(void)
{
    put_file("f", "hello, world");
    int ro = open("f", O_RDONLY), wo = open("f", O_WRONLY), rw = open("f", O_RDWR);
    NEED(ro >= 0 && wo >= 0 && rw >= 0);
    SHOW("O_RDONLY shared PROT_WRITE", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED ? -1 : 0);
    SHOW("O_RDONLY shared PROT_READ", mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0) == MAP_FAILED ? -1 : 0);
    SHOW("O_RDONLY private PROT_WRITE", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0) == MAP_FAILED ? -1 : 0);
    SHOW("O_WRONLY shared PROT_WRITE", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, wo, 0) == MAP_FAILED ? -1 : 0);
    SHOW("O_WRONLY private PROT_READ", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, wo, 0) == MAP_FAILED ? -1 : 0);
    SHOW("O_RDWR shared PROT_WRITE", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0) == MAP_FAILED ? -1 : 0);
    char *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
    NEED(m != MAP_FAILED);
    SHOW("mprotect read-only shared +W", mprotect(m, 4096, PROT_READ | PROT_WRITE));
    char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 0);
    NEED(p != MAP_FAILED);
    SHOW("mprotect private +W", mprotect(p, 4096, PROT_READ | PROT_WRITE));
    p[0] = 'J';
    char c;
    pread(rw, &c, 1, 0);
    printf("private write after mprotect: mapping %c, file %c, shared %c\n", p[0], c, m[0]);
    /* a read-only private mapping follows the file */
    pwrite(rw, "Y", 1, 1);
    printf("read-only mapping follows pwrite: %c %c\n", m[1], p[1]);
    SHOW("mmap offset not page-aligned", mmap(NULL, 4096, PROT_READ, MAP_SHARED, rw, 100) == MAP_FAILED ? -1 : 0);
    int pm = open("/proc/self/maps", O_RDONLY);
    SHOW("mmap /proc/self/maps private", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, pm, 0) == MAP_FAILED ? -1 : 0);
    SHOW("mmap /proc/self/maps shared", mmap(NULL, 4096, PROT_READ, MAP_SHARED, pm, 0) == MAP_FAILED ? -1 : 0);
    SHOW("mmap a directory", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, open(".", O_RDONLY), 0) == MAP_FAILED ? -1 : 0);
    return 0;
}
