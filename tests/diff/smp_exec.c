// SMP: execve from a process whose other threads spin in user mode (on other
// CPUs): they are gone before the new image runs, which then runs alone. The spinners
// first meet in smp_meet(): two of them must be seen on distinct CPUs at once.
#include "common.h"
#include <pthread.h>
#include <stdatomic.h>

static atomic_int started;

static void *spin(void *a)
{
    smp_meet((int)(long)a);
    atomic_fetch_add(&started, 1);
    for (;;)
        ;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        printf("new image: %s, threads %d\n", argv[1], count_self_tasks());
        return 0;
    }
    pthread_t th;
    for (long i = 0; i < 3; i++)
        MUST(-pthread_create(&th, NULL, spin, (void *)i));
    while (atomic_load(&started) < 3)
        sched_yield();
    smp_report();
    printf("before exec: threads %d\n", count_self_tasks());
    char *args[] = {argv[0], "after-exec", NULL};
    execv(self_path(argv[0]), args);
    printf("execv failed: %s\n", en(errno));
    return 1;
}
