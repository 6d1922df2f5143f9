// Non-blocking pipes: EAGAIN on empty read and full write; capacity.
#include "common.h"

int main(void)
{
    int p[2];
    MUST(pipe2(p, O_NONBLOCK));
    char buf[4096];
    static char big[8192];
    SHOW("read empty", read(p[0], buf, 1));
    memset(buf, 'x', sizeof buf);
    long total = 0;
    int n;
    while ((n = write(p[1], buf, 1024)) > 0)
        total += n;
    printf("write full: %s, capacity %ld\n", en(errno), total);
    SHOW("F_GETPIPE_SZ", fcntl(p[1], F_GETPIPE_SZ));
    int avail = -1;
    ioctl(p[0], FIONREAD, &avail);
    printf("FIONREAD: %d\n", avail);
    /* after draining a page, a PIPE_BUF write fits again */
    SHOW("read 4096", read(p[0], buf, 4096));
    SHOW("write 4096 after drain", write(p[1], buf, 4096));
    SHOW("write 1 when full", write(p[1], buf, 1));
    /* partial writes: with 100 bytes of room a big write is partial */
    SHOW("read 100", read(p[0], buf, 100));
    SHOW("write 4097 non-atomic with little room", write(p[1], big, 4097));
    /* drain all */
    long drained = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        drained += n;
    printf("drained %ld then %s\n", drained, en(errno));
    close(p[1]);
    SHOW("read empty after writer closed", read(p[0], buf, 1));
    /* F_SETPIPE_SZ */
    int q[2];
    MUST(pipe2(q, O_NONBLOCK));
    SHOW("F_SETPIPE_SZ 4096", fcntl(q[0], F_SETPIPE_SZ, 4096));
    SHOW("F_GETPIPE_SZ", fcntl(q[0], F_GETPIPE_SZ));
    total = 0;
    while ((n = write(q[1], buf, 512)) > 0)
        total += n;
    printf("capacity after resize: %ld\n", total);
    SHOW("F_SETPIPE_SZ 1000 rounds up", fcntl(q[0], F_SETPIPE_SZ, 5000));
    SHOW("F_SETPIPE_SZ 0", fcntl(q[0], F_SETPIPE_SZ, 0));
    /* O_NONBLOCK toggled off via fcntl: read would block, so check flag only */
    fcntl(q[0], F_SETFL, 0);
    printf("nonblock cleared: %d\n", !(fcntl(q[0], F_GETFL) & O_NONBLOCK));
    return 0;
}
