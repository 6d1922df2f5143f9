// Futex keys: PRIVATE and shared operations on private memory do not meet (Linux keys them apart);
// shared waits on a MAP_SHARED file mapping meet through the file, at two different addresses.
#include "thr_common.h"

static int word;
static volatile pid_t wtid;
static volatile int shared_kind;
static int *wait_addr;

static void *waiter(void *a)
{
    (void)a;
    wtid = gettid();
    futex6(wait_addr, shared_kind ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

static void one(const char *label, int *waddr, int shared, int *wake_addr, int wake_op)
{
    wait_addr = waddr;
    shared_kind = shared;
    wtid = 0;
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    wait_tid_sleeping(&wtid);
    long r = futex6(wake_addr, wake_op, 1, NULL, NULL, 0);
    printf("%s: %ld\n", label, r);
    if (r == 0)
        futex6(waddr, shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(t, NULL);
}

int main(void)
{
    one("shared wait, private wake", &word, 1, &word, FUTEX_WAKE_PRIVATE);
    one("private wait, shared wake", &word, 0, &word, FUTEX_WAKE);
    one("shared wait, shared wake", &word, 1, &word, FUTEX_WAKE);
    one("private wait, private wake", &word, 0, &word, FUTEX_WAKE_PRIVATE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(fd);
    MUST(ftruncate(fd, 4096));
    int *m1 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int *m2 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    one("file mapping, two addresses, shared", &m1[10], 1, &m2[10], FUTEX_WAKE);
    one("file mapping, two addresses, private", &m1[10], 0, &m2[10], FUTEX_WAKE_PRIVATE);
    int *p1 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    one("private file mapping vs shared one", &p1[10], 1, &m1[10], FUTEX_WAKE);
    close(fd);
    unlink("f");
    return 0;
}
