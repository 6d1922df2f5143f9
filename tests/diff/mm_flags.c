// MAP_NORESERVE, MAP_STACK, MAP_POPULATE, MAP_GROWSDOWN, MAP_LOCKED, MAP_32BIT and unknown flags.
#include "common.h"

int main(void)
{
    const struct { const char *n; int f; } fl[] = {
        {"NORESERVE", MAP_NORESERVE}, {"STACK", MAP_STACK}, {"POPULATE", MAP_POPULATE},
        {"LOCKED", MAP_LOCKED}, {"NONBLOCK", MAP_NONBLOCK}, {"DENYWRITE", MAP_DENYWRITE},
        {"EXECUTABLE", MAP_EXECUTABLE},
    };
    for (unsigned i = 0; i < sizeof fl / sizeof fl[0]; i++) {
        char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | fl[i].f, -1, 0);
        if (p == MAP_FAILED) {
            printf("%s: %s\n", fl[i].n, en(errno));
            continue;
        }
        p[0] = 1;
        p[4 * 4096 - 1] = 2;
        int a = p[0], b = p[4 * 4096 - 1];
        printf("%s: ok %d %d munmap %d\n", fl[i].n, a, b, munmap(p, 4 * 4096));
    }
    /* MAP_POPULATE makes pages resident at once */
    unsigned char vec[4];
    char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    MUST(mincore(p, 4 * 4096, vec));
    printf("POPULATE resident: %d%d%d%d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
    char *n = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    MUST(mincore(n, 4 * 4096, vec));
    printf("untouched resident: %d%d%d%d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
    n[4096] = 1;
    MUST(mincore(n, 4 * 4096, vec));
    printf("after one write: %d%d%d%d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
    /* MAP_SHARED|MAP_POPULATE */
    char *s = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    printf("shared populate: %s\n", s != MAP_FAILED ? "ok" : en(errno));
    /* MAP_GROWSDOWN: a mapping usable at its top page */
    char *g = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
    if (g == MAP_FAILED) {
        printf("GROWSDOWN: %s\n", en(errno));
    } else {
        g[16 * 4096 - 1] = 5;
        g[0] = 6;
        printf("GROWSDOWN: ok %d %d\n", g[16 * 4096 - 1], g[0]);
    }
    /* MAP_SHARED_VALIDATE with an unknown flag: EOPNOTSUPP; plain MAP_SHARED ignores it */
    int fd = open("f", O_RDWR | O_CREAT, 0600);
    MUST(ftruncate(fd, 4096));
    void *v = mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, fd, 0);
    printf("SHARED_VALIDATE unknown flag: %s\n", v == MAP_FAILED ? en(errno) : "mapped");
    v = mmap(NULL, 4096, PROT_READ, MAP_SHARED | 0x800000, fd, 0);
    printf("SHARED unknown flag: %s\n", v == MAP_FAILED ? en(errno) : "mapped");
    v = mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE, fd, 0);
    printf("SHARED_VALIDATE file: %s\n", v == MAP_FAILED ? en(errno) : "mapped");
    v = mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0);
    printf("SHARED_VALIDATE anon: %s\n", v == MAP_FAILED ? en(errno) : "mapped");
    v = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | 0x800000, -1, 0);
    printf("PRIVATE unknown flag: %s\n", v == MAP_FAILED ? en(errno) : "mapped");
    /* MAP_32BIT lands below 2 GiB */
    v = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    printf("MAP_32BIT below 2GiB: %s\n", v != MAP_FAILED && (unsigned long)v < 0x80000000UL ? "yes" : "no");
    return 0;
}
