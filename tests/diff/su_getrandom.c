// getrandom flags and limits.
#include "common.h"
#include <sys/random.h>

int main(void)
{
    unsigned char a[64], b[64];
    SHOW("flags 0", getrandom(a, sizeof a, 0));
    SHOW("NONBLOCK", getrandom(b, sizeof b, GRND_NONBLOCK));
    printf("two reads differ: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");
    SHOW("RANDOM", getrandom(a, 16, GRND_RANDOM));
    SHOW("RANDOM|NONBLOCK", getrandom(a, 16, GRND_RANDOM | GRND_NONBLOCK));
    SHOW("INSECURE", getrandom(a, 16, 4));
    SHOW("INSECURE|NONBLOCK", getrandom(a, 16, 4 | GRND_NONBLOCK));
    SHOW("INSECURE|RANDOM", getrandom(a, 16, 4 | GRND_RANDOM));
    SHOW("unknown flag 8", getrandom(a, 16, 8));
    SHOW("flag 0x80000000", getrandom(a, 16, 0x80000000));
    SHOW("len 0", getrandom(a, 0, 0));
    SHOW("len 0 NULL", getrandom(NULL, 0, 0));
    SHOW("bad pointer", syscall(SYS_getrandom, BADPTR, 16, 0));
    SHOW("kernel pointer", syscall(SYS_getrandom, KPTR, 16, 0));
    /* large reads */
    size_t big = 1 << 20;
    unsigned char *m = malloc(big);
    long r = getrandom(m, big, 0);
    printf("1 MiB read returns: %ld\n", r);
    int zeros = 0;
    for (size_t i = 0; i < big; i += 4096)
        if (!m[i] && !m[i + 1] && !m[i + 2] && !m[i + 3])
            zeros++;
    printf("pages starting with 4 zero bytes: %s\n", zeros < 3 ? "few" : "many");
    /* byte distribution is roughly uniform */
    long hist[256] = {0};
    for (size_t i = 0; i < big; i++)
        hist[m[i]]++;
    long mn = big, mx = 0;
    for (int i = 0; i < 256; i++) {
        if (hist[i] < mn)
            mn = hist[i];
        if (hist[i] > mx)
            mx = hist[i];
    }
    printf("every byte value within 20%% of mean: %s\n", mn > 4096 * 8 / 10 && mx < 4096 * 12 / 10 ? "yes" : "no");
    /* partially bad buffer: the first page is written, then EFAULT or a short count */
    char *pg = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(pg + 4096, 4096);
    r = getrandom(pg + 4096 - 100, 200, 0);
    printf("straddling unmapped page: %s\n", r == -1 ? en(errno) : r == 100 ? "short 100" : "other");
    /* /dev/urandom agrees in spirit */
    int fd = open("/dev/urandom", O_RDONLY);
    SHOW("read /dev/urandom", read(fd, a, sizeof a));
    fd = open("/dev/random", O_RDONLY | O_NONBLOCK);
    SHOW("read /dev/random nonblock", read(fd, a, sizeof a));
    return 0;
}
