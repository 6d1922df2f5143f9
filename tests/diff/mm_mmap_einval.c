// mmap argument errors with exact errnos.
#include "common.h"

#define T(label, ...)                                                          \
    do {                                                                       \
        errno = 0;                                                             \
        void *_p = mmap(__VA_ARGS__);                                          \
        printf("%s: %s\n", label, _p == MAP_FAILED ? en(errno) : "ok");       \
    } while (0)

int main(void)
{
    int rw = open("rw", O_RDWR | O_CREAT, 0600);
    MUST(ftruncate(rw, 8192));
    int ro = open("rw", O_RDONLY);
    int wo = open("rw", O_WRONLY);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    int pfd[2];
    MUST(pipe(pfd));
    T("len 0", NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T("len 0 file", NULL, 0, PROT_READ, MAP_PRIVATE, rw, 0);
    T("no type", NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0);
    T("type 3 anon", NULL, 4096, PROT_READ, 3 | MAP_ANONYMOUS, -1, 0);
    T("type 0 file", NULL, 4096, PROT_READ, 0, rw, 0);
    T("fixed unaligned", (void *)0x10000001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    T("unaligned hint ok", (void *)0x10000001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T("anon unaligned offset", NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1);
    T("anon aligned offset", NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 4096);
    T("file unaligned offset", NULL, 4096, PROT_READ, MAP_PRIVATE, rw, 100);
    T("file offset past end", NULL, 4096, PROT_READ, MAP_PRIVATE, rw, 1 << 20);
    T("negative offset", NULL, 4096, PROT_READ, MAP_PRIVATE, rw, -4096);
    T("bad fd", NULL, 4096, PROT_READ, MAP_PRIVATE, 77, 0);
    T("fd -1 no anon", NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0);
    T("anon with fd", NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, rw, 0);
    T("directory", NULL, 4096, PROT_READ, MAP_PRIVATE, dir, 0);
    T("pipe", NULL, 4096, PROT_READ, MAP_PRIVATE, pfd[0], 0);
    T("write-only fd private", NULL, 4096, PROT_READ, MAP_PRIVATE, wo, 0);
    T("read-only fd shared write", NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    T("read-only fd private write", NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    T("read-only fd shared read", NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
    T("huge len", NULL, 1UL << 48, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T("len -1", NULL, (size_t)-1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T("len -4096", NULL, (size_t)-4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T("len 1<<47", NULL, 1UL << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    T("unknown prot bits", NULL, 4096, PROT_READ | 0x10, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T("PROT_NONE", NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T("fixed wraps", (void *)0xfffffffffffff000UL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    T("fixed kernel address", KPTR, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    T("GROWSDOWN shared", NULL, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
    T("/dev/zero private", NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, open("/dev/zero", O_RDWR), 0);
    T("/dev/null", NULL, 4096, PROT_READ, MAP_PRIVATE, open("/dev/null", O_RDWR), 0);
    return 0;
}
