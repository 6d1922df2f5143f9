// get_mempolicy/set_mempolicy/mbind on a one-node machine.
// cflags: -Wno-unused-result
#include "common.h"

#define MPOL_DEFAULT 0
#define MPOL_PREFERRED 1
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_LOCAL 4
#define MPOL_F_NODE 1
#define MPOL_F_ADDR 2
#define MPOL_F_MEMS_ALLOWED 4
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)

static long getp(int *mode, unsigned long *mask, unsigned long maxnode, void *addr, unsigned long flags)
{
    return syscall(SYS_get_mempolicy, mode, mask, maxnode, addr, flags);
}
static long setp(int mode, const unsigned long *mask, unsigned long maxnode)
{
    return syscall(SYS_set_mempolicy, mode, mask, maxnode);
}

int main(void)
{
    int mode = -1;
    unsigned long mask[4] = {~0UL, ~0UL, ~0UL, ~0UL};
    SHOW("get default", getp(&mode, mask, 64 * 4, NULL, 0));
    printf("mode %d mask %lx\n", mode, mask[0]);
    mask[0] = ~0UL;
    SHOW("MEMS_ALLOWED", getp(&mode, mask, 64 * 4, NULL, MPOL_F_MEMS_ALLOWED));
    printf("allowed mask %lx\n", mask[0]);
    SHOW("get NULL NULL", getp(NULL, NULL, 0, NULL, 0));
    SHOW("get maxnode 0 with mask", getp(&mode, mask, 0, NULL, 0));
    SHOW("get bad flags", getp(&mode, mask, 64, NULL, 0x100));
    SHOW("get F_NODE without ADDR", getp(&mode, mask, 64, NULL, MPOL_F_NODE));
    SHOW("get bad mode ptr", getp(BADPTR, NULL, 0, NULL, 0));
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page[0] = 1;
    SHOW("F_ADDR", getp(&mode, NULL, 0, page, MPOL_F_ADDR));
    printf("addr mode %d\n", mode);
    mode = -1;
    SHOW("F_NODE|F_ADDR", getp(&mode, NULL, 0, page, MPOL_F_NODE | MPOL_F_ADDR));
    printf("page is on node %d\n", mode);
    SHOW("F_ADDR unmapped", getp(&mode, NULL, 0, (void *)0x1000, MPOL_F_ADDR));
    unsigned long one = 1, two = 2, none = 0;
    SHOW("set BIND {0}", setp(MPOL_BIND, &one, 64));
    mask[0] = 0;
    getp(&mode, mask, 64, NULL, 0);
    printf("mode %d mask %lx\n", mode, mask[0]);
    SHOW("set BIND {1}", setp(MPOL_BIND, &two, 64));
    SHOW("set BIND empty", setp(MPOL_BIND, &none, 64));
    SHOW("set INTERLEAVE {0}", setp(MPOL_INTERLEAVE, &one, 64));
    getp(&mode, mask, 64, NULL, 0);
    printf("mode %d mask %lx\n", mode, mask[0]);
    SHOW("set PREFERRED {0}", setp(MPOL_PREFERRED, &one, 64));
    getp(&mode, mask, 64, NULL, 0);
    printf("mode %d mask %lx\n", mode, mask[0]);
    SHOW("set PREFERRED empty (local)", setp(MPOL_PREFERRED, NULL, 0));
    SHOW("set LOCAL", setp(MPOL_LOCAL, NULL, 0));
    getp(&mode, mask, 64, NULL, 0);
    printf("mode %d\n", mode);
    SHOW("set LOCAL with mask", setp(MPOL_LOCAL, &one, 64));
    SHOW("set DEFAULT with mask", setp(MPOL_DEFAULT, &one, 64));
    SHOW("set bad mode 99", setp(99, &one, 64));
    SHOW("set BIND|STATIC|RELATIVE", setp(MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES, &one, 64));
    SHOW("set BIND|STATIC {0}", setp(MPOL_BIND | MPOL_F_STATIC_NODES, &one, 64));
    getp(&mode, mask, 64, NULL, 0);
    printf("mode %#x\n", mode);
    SHOW("set bad mask ptr", setp(MPOL_BIND, BADPTR, 64));
    /* the policy is inherited over fork */
    pid_t c = fork();
    if (c == 0) {
        int m = -1;
        getp(&m, NULL, 0, NULL, 0);
        _exit(m & 0xff);
    }
    int st;
    waitpid(c, &st, 0);
    printf("child's mode: %d\n", WEXITSTATUS(st));
    SHOW("set DEFAULT", setp(MPOL_DEFAULT, NULL, 0));
    getp(&mode, NULL, 0, NULL, 0);
    printf("mode %d\n", mode);
    /* mbind on a mapping */
    SHOW("mbind BIND {0}", syscall(SYS_mbind, page, 4096, MPOL_BIND, &one, 64, 0));
    SHOW("F_ADDR after mbind", getp(&mode, mask, 64, page, MPOL_F_ADDR));
    printf("vma mode %d mask %lx\n", mode, mask[0]);
    SHOW("mbind {1}", syscall(SYS_mbind, page, 4096, MPOL_BIND, &two, 64, 0));
    SHOW("mbind unaligned", syscall(SYS_mbind, page + 1, 4096, MPOL_BIND, &one, 64, 0));
    SHOW("mbind unmapped", syscall(SYS_mbind, (void *)0x1000, 4096, MPOL_BIND, &one, 64, 0));
    SHOW("mbind DEFAULT", syscall(SYS_mbind, page, 4096, MPOL_DEFAULT, NULL, 0, 0));
    /* sysfs agrees: one node */
    char b[64];
    SHOW("node/online readable", get_file("/sys/devices/system/node/online", b, sizeof b) > 0 ? 0 : -1);
    printf("node online: %s", b);
    return 0;
}
