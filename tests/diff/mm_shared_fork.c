// MAP_SHARED anonymous memory is shared after fork (both ways, grandchildren); MAP_PRIVATE is not.
#include "common.h"

int main(void)
{
    volatile int *sh = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile int *pr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sh[0] = 1;
    pr[0] = 1;
    /* page 1 of the shared mapping is never touched before fork */
    int pfd[2], qfd[2];
    MUST(pipe(pfd));
    MUST(pipe(qfd));
    pid_t c = fork();
    if (c == 0) {
        char b;
        sh[0] = 2;
        sh[1024] = 7;
        pr[0] = 2;
        write(pfd[1], "x", 1);
        read(qfd[0], &b, 1); /* parent wrote */
        printf("child sees parent's write: %d, private %d\n", sh[1], pr[0]);
        pid_t g = fork();
        if (g == 0) {
            sh[2] = 99;
            _exit(0);
        }
        waitpid(g, NULL, 0);
        _exit(0);
    }
    char b;
    read(pfd[0], &b, 1);
    printf("parent sees child's writes: %d %d, private %d\n", sh[0], sh[1024], pr[0]);
    sh[1] = 5;
    pr[0] = 3;
    write(qfd[1], "y", 1);
    wait_show("child", c);
    printf("grandchild's write: %d\n", sh[2]);
    /* many children increment distinct counters */
    for (int i = 0; i < 8; i++) {
        c = fork();
        if (c == 0) {
            for (int k = 0; k < 1000; k++)
                sh[10 + i]++;
            _exit(0);
        }
    }
    while (wait(NULL) > 0)
        ;
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += sh[10 + i];
    printf("8 children x 1000 increments: %d\n", sum);
    /* shared mapping made read-only in the child still shows parent updates */
    c = fork();
    if (c == 0) {
        mprotect((void *)sh, 4096, PROT_READ);
        write(pfd[1], "r", 1);
        read(qfd[0], &b, 1);
        _exit(sh[3] == 123 ? 0 : 1);
    }
    read(pfd[0], &b, 1);
    sh[3] = 123;
    write(qfd[1], "g", 1);
    wait_show("read-only child sees update", c);
    /* munmap in the child does not affect the parent */
    c = fork();
    if (c == 0) {
        munmap((void *)sh, 2 * 4096);
        _exit(0);
    }
    wait_show("child unmapped", c);
    sh[4] = 4;
    printf("parent still has it: %d\n", sh[4]);
    /* /dev/zero MAP_SHARED behaves like anonymous shared memory */
    int z = open("/dev/zero", O_RDWR);
    volatile int *dz = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
    c = fork();
    if (c == 0) {
        dz[0] = 77;
        _exit(0);
    }
    waitpid(c, NULL, 0);
    printf("/dev/zero shared: %d\n", dz[0]);
    return 0;
}
