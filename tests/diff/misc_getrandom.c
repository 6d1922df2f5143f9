// getrandom(2) lengths, flags, and /dev/urandom.
#include "common.h"
#include <sys/random.h>
#include <sys/auxv.h>

int main(void)
{
    unsigned char a[64], b[64];
    SHOW("getrandom 64", getrandom(a, sizeof a, 0));
    SHOW("getrandom 64 again", getrandom(b, sizeof b, 0));
    printf("two draws differ: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");
    int nz = 0;
    for (int i = 0; i < 64; i++)
        nz += a[i] != 0;
    printf("not all zero: %s\n", nz ? "yes" : "no");
    SHOW("getrandom 0 bytes", getrandom(a, 0, 0));
    SHOW("GRND_NONBLOCK", getrandom(a, 16, GRND_NONBLOCK));
    SHOW("GRND_RANDOM", getrandom(a, 16, GRND_RANDOM) > 0 ? 0 : -1);
    SHOW("GRND_INSECURE", getrandom(a, 16, 0x4));
    SHOW("invalid flags", getrandom(a, 16, 0x80));
    SHOW("INSECURE|RANDOM invalid", getrandom(a, 16, 0x4 | GRND_RANDOM));
    SHOW("bad ptr", syscall(SYS_getrandom, BADPTR, 16, 0));
    static unsigned char big[1 << 20];
    long r = getrandom(big, sizeof big, 0);
    printf("1MiB request returned full or >=256: %s\n", r == (long)sizeof big || r >= 256 ? "yes" : "no");
    int fd;
    MUST(fd = open("/dev/urandom", O_RDONLY));
    SHOW("read /dev/urandom 100", read(fd, a, 64) + read(fd, b, 36));
    printf("urandom not all zero: %s\n", a[0] | a[1] | a[2] | a[3] | a[4] | a[5] | a[6] | a[7] ? "yes" : "no");
    SHOW("write /dev/urandom", write(fd, "x", 1));
    int fw;
    MUST(fw = open("/dev/urandom", O_WRONLY));
    SHOW("write /dev/urandom (wronly)", write(fw, "seed", 4));
    int fr;
    SHOWOK("open /dev/random", fr = open("/dev/random", O_RDONLY | O_NONBLOCK));
    /* AT_RANDOM is 16 bytes, not all zero */
    unsigned char *ar = (unsigned char *)getauxval(AT_RANDOM);
    int z = 0;
    for (int i = 0; i < 16; i++)
        z |= ar[i];
    printf("AT_RANDOM nonzero: %s\n", z ? "yes" : "no");
    return 0;
}
