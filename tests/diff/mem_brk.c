// brk: query, grow, use, shrink, failure leaves break unchanged.
#include "common.h"

int main(void)
{
    unsigned long cur = syscall(SYS_brk, 0);
    printf("initial brk nonzero: %s\n", cur ? "yes" : "no");
    printf("brk(0) stable: %s\n", (unsigned long)syscall(SYS_brk, 0) == cur ? "yes" : "no");
    unsigned long want = cur + 1024 * 1024;
    unsigned long got = syscall(SYS_brk, want);
    printf("grow by 1MiB: %s\n", got == want ? "yes" : "no");
    char *p = (char *)cur;
    memset(p, 0xab, 1024 * 1024);
    int ok = 1;
    for (int i = 0; i < 1024 * 1024; i += 4096)
        ok &= (unsigned char)p[i] == 0xab;
    printf("new memory usable: %s\n", ok ? "yes" : "no");
    got = syscall(SYS_brk, cur + 4096);
    printf("shrink: %s\n", got == cur + 4096 ? "yes" : "no");
    got = syscall(SYS_brk, cur + 1024 * 1024);
    printf("regrow: %s, fresh pages zeroed: %s\n", got == cur + 1024 * 1024 ? "yes" : "no",
           p[8192] == 0 && p[1024 * 1024 - 1] == 0 ? "yes" : "no");
    printf("kept page retains data: %s\n", (unsigned char)p[100] == 0xab ? "yes" : "no");
    got = syscall(SYS_brk, 0xffff800000000000UL);
    printf("brk to kernel address returns old break: %s\n", got == cur + 1024 * 1024 ? "yes" : "no");
    got = syscall(SYS_brk, 1);
    printf("brk below start returns current: %s\n", got == cur + 1024 * 1024 ? "yes" : "no");
    /* unaligned break */
    got = syscall(SYS_brk, cur + 1024 * 1024 + 10);
    printf("unaligned brk accepted as is: %s\n", got == cur + 1024 * 1024 + 10 ? "yes" : "no");
    ((char *)cur)[1024 * 1024 + 9] = 1;
    ((char *)cur)[1024 * 1024 + 4095] = 1; /* same page: usable */
    printf("rest of page usable: yes\n");
    /* sbrk via libc */
    void *s0 = sbrk(0);
    void *s1 = sbrk(8192);
    printf("sbrk returns old break: %s\n", s0 == s1 ? "yes" : "no");
    memset(s1, 1, 8192);
    /* malloc lots of small blocks (uses brk) */
    long sum = 0;
    for (int i = 0; i < 10000; i++) {
        char *m = malloc(100);
        m[0] = 1;
        sum += m[0];
    }
    printf("malloc 10000 blocks: %ld\n", sum);
    /* access above the break faults */
    pid_t c = fork();
    if (c == 0) {
        no_core();
        unsigned long b = syscall(SYS_brk, 0);
        unsigned long pg = (b + 4095) & ~4095UL;
        ((volatile char *)pg)[1 << 20] = 1;
        _exit(0);
    }
    wait_show("write far above break", c);
    return 0;
}
