// Many short-lived threads: 200 created and joined in waves of 40. While a wave's
// threads are all alive (parked on a barrier): the tids they get from gettid are
// pairwise distinct and none is the process's; /proc/self/task lists exactly them
// and the main thread; pthread_kill with each pthread_t (glibc signals the tid the
// kernel stored at clone's CLONE_PARENT_SETTID) runs the handler in the thread that
// reported that tid; their stacks are disjoint. Each exit value comes back to the
// right join; /proc/self/task returns to one entry.
#include "thr_common.h"

#define WAVE 40
#define WAVES 5

static pthread_barrier_t bar;
static int ready;
static pid_t tid[WAVE], sig_tid[WAVE];
static uintptr_t stack_at[WAVE];
static __thread int my_idx;

static void on_usr1(int s)
{
    (void)s;
    __atomic_store_n(&sig_tid[my_idx], gettid(), __ATOMIC_SEQ_CST);
}

static void *fn(void *a)
{
    long id = (long)a;
    int i = (int)(id % WAVE);
    my_idx = i;
    volatile char buf[4096];
    buf[0] = (char)id;
    buf[4095] = (char)id;
    stack_at[i] = (uintptr_t)buf;
    tid[i] = gettid();
    __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
    pthread_barrier_wait(&bar);
    return (void *)(id * 3 + (buf[0] == (char)id && buf[4095] == (char)id));
}

static int cmp_pid(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return (x > y) - (x < y);
}
static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

/* The tids listed under /proc/self/task, sorted; returns how many (at most cap). */
static int task_tids(pid_t *out, int cap)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && n < cap)
            out[n++] = (pid_t)atoi(e->d_name);
    if (d)
        closedir(d);
    qsort(out, n, sizeof *out, cmp_pid);
    return n;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    MUST(sigaction(SIGUSR1, &sa, NULL));
    int distinct = 1, not_pid = 1, listed = 1, kill_ok = 1, stacks = 1, values = 1;
    long sum = 0, want = 0;
    for (int wave = 0; wave < WAVES; wave++) {
        pthread_t t[WAVE];
        MUST(-pthread_barrier_init(&bar, NULL, WAVE + 1));
        __atomic_store_n(&ready, 0, __ATOMIC_SEQ_CST);
        memset(sig_tid, 0, sizeof sig_tid);
        for (long i = 0; i < WAVE; i++) {
            long id = wave * WAVE + i;
            if (pthread_create(&t[i], NULL, fn, (void *)id) != 0) {
                printf("create failed at %ld\n", id);
                return 1;
            }
            want += id * 3 + 1;
        }
        for (int i = 0; i < 10000 && __atomic_load_n(&ready, __ATOMIC_SEQ_CST) < WAVE; i++)
            usleep(1000);
        if (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < WAVE) {
            printf("TIMEOUT waiting for wave %d to start\n", wave);
            return 1;
        }
        /* tids: distinct, none the process's, exactly what /proc/self/task lists */
        pid_t sorted[WAVE + 1], listing[WAVE + 8];
        memcpy(sorted, tid, sizeof tid);
        for (int i = 0; i < WAVE; i++)
            if (tid[i] <= 0 || tid[i] == getpid())
                not_pid = 0;
        sorted[WAVE] = gettid();
        qsort(sorted, WAVE + 1, sizeof *sorted, cmp_pid);
        for (int i = 1; i <= WAVE; i++)
            if (sorted[i] == sorted[i - 1])
                distinct = 0;
        int n = task_tids(listing, WAVE + 8);
        if (n != WAVE + 1 || memcmp(listing, sorted, sizeof sorted) != 0)
            listed = 0;
        /* pthread_kill(t[i]) lands in the thread that reported tid[i] */
        for (int i = 0; i < WAVE; i++) {
            MUST(-pthread_kill(t[i], SIGUSR1));
            for (int k = 0; k < 10000 && !__atomic_load_n(&sig_tid[i], __ATOMIC_SEQ_CST); k++)
                usleep(100);
            if (sig_tid[i] != tid[i])
                kill_ok = 0;
        }
        /* each stack frame at least a page (its buf) away from the others */
        uintptr_t at[WAVE];
        memcpy(at, stack_at, sizeof at);
        qsort(at, WAVE, sizeof *at, cmp_ptr);
        for (int i = 1; i < WAVE; i++)
            if (at[i] - at[i - 1] < 4096)
                stacks = 0;
        pthread_barrier_wait(&bar);
        for (int i = 0; i < WAVE; i++) {
            void *r;
            pthread_join(t[i], &r);
            long id = wave * WAVE + i;
            if ((long)r != id * 3 + 1)
                values = 0;
            sum += (long)r;
        }
        pthread_barrier_destroy(&bar);
    }
    YN("live threads' tids pairwise distinct (with the main thread's)", distinct);
    YN("no thread has the process's tid", not_pid);
    YN("/proc/self/task lists exactly the live threads", listed);
    YN("pthread_kill reaches the thread with that tid", kill_ok);
    YN("live threads' stacks disjoint", stacks);
    YN("each join got its thread's exit value", values);
    printf("sum of exit values matches: %s\n", sum == want ? "yes" : "no");
    printf("threads left: %d\n", count_self_tasks());
    return 0;
}
