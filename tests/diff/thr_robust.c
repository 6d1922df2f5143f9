// Robust mutexes: the owner thread or process dies holding it -> EOWNERDEAD, then consistent/
// ENOTRECOVERABLE; set_robust_list/get_robust_list arguments.
#include "thr_common.h"

static pthread_mutex_t *m;

static void *die_holding(void *a)
{
    (void)a;
    pthread_mutex_lock(m);
    return NULL; /* thread exits with the lock held */
}

static void init_robust(pthread_mutex_t *mu, int pshared)
{
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    if (pshared)
        pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(mu, &at);
    pthread_mutexattr_destroy(&at);
}

int main(void)
{
    void *head;
    size_t len;
    SHOW("set_robust_list bad len", syscall(SYS_set_robust_list, NULL, 23));
    SHOW("get_robust_list self", syscall(SYS_get_robust_list, 0, &head, &len));
    printf("len: %zu\n", len);
    SHOW("get_robust_list no such thread", syscall(SYS_get_robust_list, 0x3ffffff0, &head, &len));
    SHOW("get_robust_list bad pointer", syscall(SYS_get_robust_list, 0, BADPTR, &len));
    static pthread_mutex_t local;
    m = &local;
    init_robust(m, 0);
    pthread_t t;
    pthread_create(&t, NULL, die_holding, NULL);
    pthread_join(t, NULL);
    int r = pthread_mutex_lock(m);
    printf("lock after the owner thread died: %s\n", r ? en(r) : "0");
    printf("consistent: %d\n", pthread_mutex_consistent(m));
    printf("unlock: %d\n", pthread_mutex_unlock(m));
    printf("lock again: %d\n", pthread_mutex_lock(m));
    pthread_mutex_unlock(m);
    /* not made consistent: unusable afterwards */
    pthread_create(&t, NULL, die_holding, NULL);
    pthread_join(t, NULL);
    r = pthread_mutex_lock(m);
    printf("lock: %s\n", r ? en(r) : "0");
    pthread_mutex_unlock(m);
    r = pthread_mutex_lock(m);
    printf("lock after unlock without consistent: %s\n", r ? en(r) : "0");
    /* process-shared: the owner process dies */
    pthread_mutex_t *shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    init_robust(shm, 1);
    int p[2];
    MUST(pipe(p));
    pid_t k = fork();
    if (k == 0) {
        pthread_mutex_lock(shm);
        write(p[1], "L", 1);
        pause();
        _exit(0);
    }
    char c;
    read(p[0], &c, 1);
    r = pthread_mutex_trylock(shm);
    printf("trylock while the child holds it: %s\n", r ? en(r) : "0");
    kill(k, SIGKILL);
    wait_show("owner child", k);
    r = pthread_mutex_lock(shm);
    printf("lock after the owner process died: %s\n", r ? en(r) : "0");
    pthread_mutex_consistent(shm);
    pthread_mutex_unlock(shm);
    /* a waiter sleeping in the kernel when the owner process dies */
    int q[2];
    MUST(pipe(q));
    k = fork();
    if (k == 0) {
        pthread_mutex_lock(shm);
        write(p[1], "L", 1);
        read(q[0], &c, 1); /* parent says "now die" */
        _exit(0);
    }
    read(p[0], &c, 1);
    pid_t w = fork();
    if (w == 0) {
        int rr = pthread_mutex_lock(shm);
        printf("sleeping waiter got: %s\n", rr ? en(rr) : "0");
        _exit(0);
    }
    wait_waiters((int *)shm, 1, 0);
    write(q[1], "D", 1);
    wait_show("waiter", w);
    wait_show("second owner", k);
    return 0;
}
