// mlock/munlock/mlockall/munlockall/mlock2: success and errors.
#include "common.h"
#include "caps.h"

int main(void)
{
    need_cap(CAP_IPC_LOCK, "CAP_IPC_LOCK");
    char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    MUST(munmap(p + 3 * 4096, 4096));
    SHOW("mlock", mlock(p, 4096));
    SHOW("mlock unaligned start", mlock(p + 100, 100));
    SHOW("munlock", munlock(p, 4096));
    SHOW("mlock length 0", mlock(p, 0));
    SHOW("mlock unmapped", mlock(p + 3 * 4096, 4096));
    SHOW("mlock partly unmapped", mlock(p + 2 * 4096, 2 * 4096));
    SHOW("munlock unmapped", munlock(p + 3 * 4096, 4096));
    SHOW("mlock PROT_NONE", mlock(mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 4096));
    SHOW("mlock wrapping", mlock(p, (size_t)-4096));
    SHOW("mlock2 0", syscall(SYS_mlock2, p, 4096, 0));
    SHOW("mlock2 ONFAULT", syscall(SYS_mlock2, p, 4096, 1));
    SHOW("mlock2 bad flag", syscall(SYS_mlock2, p, 4096, 2));
    SHOW("mlockall CURRENT", mlockall(MCL_CURRENT));
    SHOW("mlockall FUTURE", mlockall(MCL_FUTURE));
    SHOW("mlockall ONFAULT alone", mlockall(MCL_ONFAULT));
    SHOW("mlockall 0", mlockall(0));
    SHOW("mlockall bad flag", mlockall(8));
    SHOW("munlockall", munlockall());
    unsigned char v[3];
    MUST(mlock(p, 3 * 4096));
    MUST(mincore(p, 3 * 4096, v));
    printf("mlock makes resident: %d%d%d\n", v[0] & 1, v[1] & 1, v[2] & 1);
    MUST(munlock(p, 3 * 4096));
    /* locked data survives */
    strcpy(p, "locked");
    printf("data: %s\n", p);
    /* an unprivileged process with RLIMIT_MEMLOCK 0 gets EPERM/ENOMEM */
    pid_t c = fork();
    if (c == 0) {
        struct rlimit r = {0, 0};
        setrlimit(RLIMIT_MEMLOCK, &r);
        setuid(65534);
        SHOW("unprivileged mlock with limit 0", mlock(p, 4096));
        SHOW("unprivileged mlockall with limit 0", mlockall(MCL_CURRENT));
        _exit(0);
    }
    wait_show("child", c);
    return 0;
}
