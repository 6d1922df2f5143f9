/* eventfd: counter, EFD_SEMAPHORE, EFD_NONBLOCK, 8-byte I/O, overflow, poll. */
#include "ev_common.h"

static int efd_b;
static void *later_write(void *a)
{
    usleep(100000);
    uint64_t v = (uint64_t)(long)a;
    write(efd_b, &v, 8);
    return NULL;
}
static void *later_read(void *a)
{
    (void)a;
    usleep(100000);
    uint64_t v;
    read(efd_b, &v, 8);
    return NULL;
}

static void pollbits(const char *l, int fd)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN | POLLOUT | POLLPRI | POLLRDNORM | POLLWRNORM};
    int n = poll(&pf, 1, 0);
    printf("%s: poll %d revents %#x\n", l, n, pf.revents);
}

int main(void)
{
    uint64_t v;
    SHOW("bad flags", eventfd(0, 0x10));
    SHOW("O_RDONLY flag", eventfd(0, O_RDONLY | 8));
    int e = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
    printf("cloexec %d nonblock %d\n", (fcntl(e, F_GETFD) & FD_CLOEXEC) != 0,
           (fcntl(e, F_GETFL) & O_NONBLOCK) != 0);
    printf("accmode %d\n", fcntl(e, F_GETFL) & O_ACCMODE);
    pollbits("count 3", e);
    SHOW("read 7 bytes", read(e, &v, 7));
    char big[16];
    SHOW("read 16 bytes", read(e, big, 16));
    memcpy(&v, big, 8);
    printf("value %llu\n", (unsigned long long)v);
    SHOW("read empty", read(e, &v, 8));
    pollbits("count 0", e);
    v = 5;
    SHOW("write 4 bytes", write(e, &v, 4));
    SHOW("write 5", write(e, &v, 8));
    SHOW("write 9 bytes", write(e, big, 9));
    v = 0;
    SHOW("write 0", write(e, &v, 8));
    SHOW("read", read(e, &v, 8));
    printf("value %llu\n", (unsigned long long)v);
    v = UINT64_MAX;
    SHOW("write UINT64_MAX", write(e, &v, 8));
    v = UINT64_MAX - 1;
    SHOW("write max", write(e, &v, 8));
    pollbits("count max", e);
    v = 1;
    SHOW("overflow", write(e, &v, 8));
    v = 0;
    SHOW("write 0 at max", write(e, &v, 8));
    SHOW("read max", read(e, &v, 8));
    printf("value %#llx\n", (unsigned long long)v);
    SHOW("bad buffer", read(e, BADPTR, 8));
    v = 1;
    write(e, &v, 8);
    SHOW("bad buffer, count 1", read(e, BADPTR, 8));
    SHOW("read after EFAULT", read(e, &v, 8));
    SHOW("lseek", lseek(e, 0, SEEK_SET));
    close(e);

    int s = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    for (int i = 0; i < 4; i++) {
        errno = 0;
        long r = read(s, &v, 8);
        printf("semaphore read %d: %ld %s value %llu\n", i, r, r < 0 ? en(errno) : "",
               r < 0 ? 0ULL : (unsigned long long)v);
    }
    close(s);

    /* blocking: a read waits for a write, a write waits for room */
    efd_b = eventfd(0, 0);
    pthread_t t;
    pthread_create(&t, NULL, later_write, (void *)7L);
    SHOW("blocking read", read(efd_b, &v, 8));
    printf("value %llu\n", (unsigned long long)v);
    pthread_join(t, NULL);
    v = UINT64_MAX - 1;
    write(efd_b, &v, 8);
    pthread_create(&t, NULL, later_read, NULL);
    v = 2;
    SHOW("blocking write", write(efd_b, &v, 8));
    pthread_join(t, NULL);
    SHOW("read", read(efd_b, &v, 8));
    printf("value %llu\n", (unsigned long long)v);
    /* the old eventfd(2) syscall */
    int o = syscall(SYS_eventfd, 9);
    SHOW("old eventfd read", read(o, &v, 8));
    printf("value %llu\n", (unsigned long long)v);
    /* shared across fork */
    pid_t c = fork();
    if (c == 0) {
        v = 40;
        write(o, &v, 8);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    SHOW("written by child", read(o, &v, 8));
    printf("value %llu\n", (unsigned long long)v);
    return 0;
}
