// /dev/null, /dev/zero, /dev/full, /dev/urandom semantics.
#include "common.h"

int main(void)
{
    char buf[4096];
    int n;
    MUST(n = open("/dev/null", O_RDWR));
    SHOW("read /dev/null", read(n, buf, sizeof buf));
    SHOW("write /dev/null", write(n, "hello", 5));
    SHOW("write /dev/null 1MiB", write(n, malloc(1 << 20), 1 << 20));
    SHOW("pread /dev/null", pread(n, buf, 10, 100));
    struct stat st;
    fstat(n, &st);
    printf("/dev/null is chr: %d size %ld\n", S_ISCHR(st.st_mode), (long)st.st_size);
    int z;
    MUST(z = open("/dev/zero", O_RDWR));
    memset(buf, 'x', sizeof buf);
    SHOW("read /dev/zero", read(z, buf, sizeof buf));
    int allz = 1;
    for (size_t i = 0; i < sizeof buf; i++)
        allz &= buf[i] == 0;
    printf("all zeros: %s\n", allz ? "yes" : "no");
    SHOW("write /dev/zero", write(z, "abc", 3));
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
    printf("mmap /dev/zero: %s, zero: %d\n", m != MAP_FAILED ? "ok" : en(errno), m != MAP_FAILED && m[100] == 0);
    int full;
    MUST(full = open("/dev/full", O_RDWR));
    SHOW("write /dev/full", write(full, "x", 1));
    SHOW("write /dev/full 0 bytes", write(full, "x", 0));
    memset(buf, 'x', 16);
    SHOW("read /dev/full", read(full, buf, 16));
    printf("/dev/full reads zeros: %s\n", buf[0] == 0 && buf[15] == 0 ? "yes" : "no");
    int u;
    MUST(u = open("/dev/urandom", O_RDONLY));
    memset(buf, 0, sizeof buf);
    SHOW("read /dev/urandom 4096", read(u, buf, sizeof buf));
    int nz = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        nz += buf[i] != 0;
    printf("urandom mostly nonzero: %s\n", nz > 3500 ? "yes" : "no");
    SHOW("open /dev/null O_CREAT|O_EXCL", open("/dev/null", O_CREAT | O_EXCL | O_WRONLY, 0644));
    SHOW("open /dev/nonexistent", open("/dev/nonexistent_q", O_RDONLY));
    SHOW("mkdir /dev/null/x", mkdir("/dev/null/x", 0755));
    /* redirect stdout to /dev/null and back */
    int saved = dup(1);
    dup2(n, 1);
    printf("this goes nowhere\n");
    dup2(saved, 1);
    printf("stdout restored\n");
    /* poll on devices */
    struct pollfd pf[3] = {{n, POLLIN | POLLOUT, 0}, {z, POLLIN, 0}, {full, POLLOUT, 0}};
    SHOW("poll devices", poll(pf, 3, 0));
    printf("revents: %x %x %x\n", pf[0].revents, pf[1].revents, pf[2].revents);
    return 0;
}
