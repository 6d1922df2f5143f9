// Exit status truncation to 8 bits and exit paths.
#include "common.h"
#include <pthread.h>

static void *thr_exit(void *a)
{
    (void)a;
    exit(77); /* exit from a thread ends the whole process */
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int codes[] = {0, 1, 127, 128, 255, 256, 257, 300, -1, -255, 1000};
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        pid_t p = fork();
        if (p == 0)
            _exit(codes[i]);
        char l[32];
        snprintf(l, sizeof l, "_exit(%d)", codes[i]);
        wait_show(l, p);
    }
    pid_t p = fork();
    if (p == 0)
        exit(258);
    wait_show("exit(258)", p);
    p = fork();
    if (p == 0)
        syscall(SYS_exit_group, 0x1234);
    wait_show("exit_group(0x1234)", p);
    p = fork();
    if (p == 0)
        syscall(SYS_exit, 6);
    wait_show("raw exit(6) single thread", p);
    p = fork();
    if (p == 0) {
        pthread_t t;
        pthread_create(&t, NULL, thr_exit, NULL);
        for (;;)
            pause();
    }
    wait_show("exit from thread", p);
    /* exit() flushes stdio buffers, _exit() does not */
    p = fork();
    if (p == 0) {
        FILE *f = fdopen(dup(1), "w");
        fprintf(f, "flushed by exit\n");
        exit(0);
    }
    wait_show("exit flushes stdio", p);
    p = fork();
    if (p == 0) {
        FILE *f = fdopen(dup(1), "w");
        fprintf(f, "this must not appear\n");
        _exit(0);
    }
    wait_show("_exit skips stdio", p);
    return 0;
}
