// Thread-local storage and the FS/GS bases: __thread variables per thread, ARCH_GET_FS is the
// thread pointer, ARCH_SET_GS/GET_GS per thread, arch_prctl errors; pthread_detach; fork in a thread.
#include "thr_common.h"
#include <asm/prctl.h>

static __thread long tv = 5;
static __thread char tarr[64] = "init";

static void *worker(void *a)
{
    long id = (long)a;
    int ok_init = tv == 5 && strcmp(tarr, "init") == 0;
    tv = id * 100;
    snprintf(tarr, sizeof tarr, "thread %ld", id);
    unsigned long fs = 0, gs = 1;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
    syscall(SYS_arch_prctl, ARCH_GET_GS, &gs);
    int gs_zero = gs == 0;
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0x1000 * (id + 1));
    sched_yield();
    syscall(SYS_arch_prctl, ARCH_GET_GS, &gs);
    char line[160];
    snprintf(line, sizeof line, "thread %ld: fresh TLS %d, fs is pthread_self %d, gs starts 0 %d, own gs %d, tv %ld, %s",
             id, ok_init, fs == (unsigned long)pthread_self(), gs_zero, gs == 0x1000UL * (id + 1), tv, tarr);
    return strdup(line);
}

static volatile int detached_done;
static void *detached(void *a)
{
    (void)a;
    detached_done = 1;
    return NULL;
}

static void *forker(void *a)
{
    (void)a;
    tv = 77;
    pid_t k = fork();
    if (k == 0) {
        /* the child has one thread: this one, now its main thread */
        DIR *d = opendir("/proc/self/task");
        int n = 0;
        struct dirent *e;
        while (d && (e = readdir(d)))
            if (e->d_name[0] != '.')
                n++;
        _exit(n * 10 + (tv == 77));
    }
    int st;
    waitpid(k, &st, 0);
    return (void *)(long)WEXITSTATUS(st);
}

int main(void)
{
    pthread_t t[3];
    for (long i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 3; i++) {
        char *s;
        pthread_join(t[i], (void **)&s);
        printf("%s\n", s);
        free(s);
    }
    printf("main: tv %ld, %s\n", tv, tarr);
    unsigned long fs;
    SHOW("ARCH_GET_FS", syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
    YN("main fs is pthread_self", fs == (unsigned long)pthread_self());
    SHOW("ARCH_GET_FS bad pointer", syscall(SYS_arch_prctl, ARCH_GET_FS, BADPTR));
    SHOW("ARCH_SET_GS non-canonical", syscall(SYS_arch_prctl, ARCH_SET_GS, 0x800000000000UL));
    SHOW("ARCH_SET_FS kernel address", syscall(SYS_arch_prctl, ARCH_SET_FS, 0xffff800000000000UL));
    SHOW("bad code", syscall(SYS_arch_prctl, 0x1fff, 0));
    pthread_t d;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_create(&d, &at, detached, NULL);
    wait_flag(&detached_done);
    printf("detached thread ran: %d\n", detached_done);
    pthread_create(&d, NULL, detached, NULL);
    printf("pthread_detach: %d\n", pthread_detach(d));
    pthread_t f;
    void *r;
    pthread_create(&f, NULL, forker, NULL);
    pthread_join(f, &r);
    printf("fork in a thread: child threads*10 + kept TLS: %ld\n", (long)r);
    return 0;
}
