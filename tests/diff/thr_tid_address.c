// set_tid_address and CLONE_CHILD_CLEARTID: return value, PR_GET_TID_ADDRESS, the clear+wake at
// thread exit (pthread_join relies on it), an unmapped address is ignored at exit.
#include "thr_common.h"

static volatile int *word;
static volatile int seen_tid;

static void *t_set(void *a)
{
    (void)a;
    seen_tid = gettid();
    /* point the clear-at-exit word elsewhere: glibc's own stays set, so join needs help */
    long r = syscall(SYS_set_tid_address, word);
    return (void *)(long)(r == gettid());
}

static void *t_bad(void *a)
{
    (void)a;
    syscall(SYS_set_tid_address, (void *)8);
    return NULL;
}

int main(void)
{
    long r = syscall(SYS_set_tid_address, NULL);
    YN("set_tid_address returns the tid", r == gettid());
    int *addr = NULL;
    SHOW("PR_GET_TID_ADDRESS", prctl(PR_GET_TID_ADDRESS, &addr));
    YN("reads back NULL", addr == NULL);
    static int mine;
    syscall(SYS_set_tid_address, &mine);
    prctl(PR_GET_TID_ADDRESS, &addr);
    YN("reads back our word", addr == &mine);
    word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *word = 12345;
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &at, t_set, NULL);
    /* wait for the kernel to clear our word at the thread's exit */
    for (;;) {
        int v = *word;
        if (v == 0)
            break;
        struct timespec ts = {5, 0};
        if (syscall(SYS_futex, word, FUTEX_WAIT, v, &ts, NULL, 0) == -1 && errno == ETIMEDOUT) {
            printf("not woken\n");
            break;
        }
    }
    printf("word cleared at thread exit: %d\n", *word);
    /* an unmapped clear address: the thread exits quietly */
    pthread_create(&t, NULL, t_bad, NULL);
    /* glibc's join waits on its own tid word, which that thread replaced: poll /proc */
    for (int i = 0; i < 10000; i++) {
        int n = count_self_tasks();
        if (n == 1)
            break;
        usleep(1000);
    }
    printf("process survived a bad clear address\n");
    return 0;
}
