// RLIMIT_AS: mmap, mremap and brk fail with ENOMEM past the address-space limit.
#include "common.h"

static unsigned long vm_kb(void)
{
    char b[8192];
    get_file("/proc/self/status", b, sizeof b);
    char *p = strstr(b, "VmSize:");
    return p ? strtoul(p + 7, NULL, 10) : 0;
}

int main(void)
{
    pid_t c = fork();
    if (c == 0) {
        /* the limit: what we use now plus 64 MiB */
        unsigned long cur = vm_kb() * 1024;
        struct rlimit r = {cur + (64UL << 20), RLIM_INFINITY};
        SHOW("setrlimit AS", setrlimit(RLIMIT_AS, &r));
        void *a = mmap(NULL, 32UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("mmap 32 MiB: %s\n", a == MAP_FAILED ? en(errno) : "ok");
        void *b = mmap(NULL, 64UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("mmap 64 MiB more: %s\n", b == MAP_FAILED ? en(errno) : "ok");
        void *n = mmap(NULL, 64UL << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        printf("PROT_NONE NORESERVE 64 MiB counts too: %s\n", n == MAP_FAILED ? en(errno) : "ok");
        void *m = mremap(a, 32UL << 20, 80UL << 20, MREMAP_MAYMOVE);
        printf("mremap grow past limit: %s\n", m == MAP_FAILED ? en(errno) : "ok");
        m = mremap(a, 32UL << 20, 16UL << 20, 0);
        printf("mremap shrink: %s\n", m == MAP_FAILED ? en(errno) : "ok");
        unsigned long brk0 = syscall(SYS_brk, 0);
        unsigned long got = syscall(SYS_brk, brk0 + (100UL << 20));
        printf("brk +100 MiB refused: %s\n", got == brk0 ? "yes" : "no");
        got = syscall(SYS_brk, brk0 + (1UL << 20));
        printf("brk +1 MiB: %s\n", got == brk0 + (1UL << 20) ? "yes" : "no");
        /* MAP_FIXED over an existing mapping only counts the growth */
        void *f = mmap(a, 16UL << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        printf("MAP_FIXED replacing: %s\n", f == MAP_FAILED ? en(errno) : "ok");
        munmap(a, 16UL << 20);
        b = mmap(NULL, 40UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("after munmap, 40 MiB: %s\n", b == MAP_FAILED ? en(errno) : "ok");
        /* malloc of a big block fails cleanly */
        void *big = malloc(200UL << 20);
        printf("malloc 200 MiB: %s\n", big ? "ok" : "NULL");
        _exit(0);
    }
    wait_show("child", c);
    return 0;
}
