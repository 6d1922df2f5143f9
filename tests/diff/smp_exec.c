// SMP: execve from a process whose other threads spin in user mode (on other
// CPUs): they are gone before the new image runs, which then runs alone.
#include "common.h"
#include <pthread.h>
#include <stdatomic.h>

static atomic_int started;

static void *spin(void *a)
{
    (void)a;
    atomic_fetch_add(&started, 1);
    for (;;)
        ;
    return NULL;
}

static int threads_now(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        printf("new image: %s, threads %d\n", argv[1], threads_now());
        return 0;
    }
    pthread_t th;
    for (int i = 0; i < 3; i++)
        MUST(-pthread_create(&th, NULL, spin, NULL));
    while (atomic_load(&started) < 3)
        sched_yield();
    printf("before exec: threads %d\n", threads_now());
    char *args[] = {argv[0], "after-exec", NULL};
    execv(self_path(argv[0]), args);
    printf("execv failed: %s\n", en(errno));
    return 1;
}
