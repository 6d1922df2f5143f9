// sendfile from a regular file to a TCP socket (whole file, with an offset pointer, from the
// file position), and splice from a socket into a pipe; the receiver checks every byte.
#include "sock.h"
#include <sys/sendfile.h>

static void *drain(void *arg)
{
    int fd = *(int *)arg;
    static char buf[300000];
    size_t n = read_full(fd, buf, 200000 + 1000 + 500);
    long ok = 1;
    for (size_t i = 0; i < 200000 && i < n; i++)
        if (buf[i] != (char)('A' + i % 23))
            ok = 0;
    for (size_t i = 0; i < 1000 && 200000 + i < n; i++)
        if (buf[200000 + i] != (char)('A' + (100 + i) % 23))
            ok = 0;
    static char msg[80];
    snprintf(msg, sizeof msg, "received %zu bytes, content ok %ld\n", n, ok);
    return msg;
}

int main(void)
{
    static char data[200000];
    for (int i = 0; i < 200000; i++)
        data[i] = (char)('A' + i % 23);
    int f = open("payload", O_RDWR | O_CREAT | O_TRUNC, 0600);
    MUST(f);
    MUST(write(f, data, sizeof data));
    MUST(lseek(f, 0, SEEK_SET));
    int c, s;
    tcp_pair(0, &c, &s);
    pthread_t t;
    pthread_create(&t, NULL, drain, &s);
    size_t left = sizeof data;
    long total = 0;
    while (left > 0) {
        ssize_t r = sendfile(c, f, NULL, left);
        if (r <= 0)
            break;
        total += r;
        left -= (size_t)r;
    }
    printf("sendfile from position: %ld\n", total);
    printf("file position after: %ld\n", (long)lseek(f, 0, SEEK_CUR));
    off_t off = 100;
    total = 0;
    while (total < 1000) {
        ssize_t r = sendfile(c, f, &off, 1000 - (size_t)total);
        if (r <= 0)
            break;
        total += r;
    }
    printf("sendfile with offset: %ld, offset now %ld, position %ld\n", total, (long)off,
           (long)lseek(f, 0, SEEK_CUR));
    off = 199500;
    SHOW("sendfile past the end (500 of 1000)", sendfile(c, f, &off, 1000));
    void *msg;
    pthread_join(t, &msg);
    printf("%s", (char *)msg);
    off = 200000;
    SHOW("sendfile at EOF", sendfile(c, f, &off, 10));
    int ro = open("payload", O_WRONLY);
    SHOW("sendfile from a write-only fd", sendfile(c, ro, NULL, 10));

    int p[2];
    MUST(pipe(p));
    MUST(write(s, "spliced!", 8));
    wait_ev(c, POLLIN);
    SHOW("splice socket -> pipe", splice(c, NULL, p[1], NULL, 100, 0));
    char buf[16] = {0};
    SHOW("read pipe", read(p[0], buf, sizeof buf));
    printf("data: %s\n", buf);
    MUST(write(p[1], "back", 4));
    SHOW("splice pipe -> socket", splice(p[0], NULL, s, NULL, 100, 0));
    SHOW("read socket", read(c, buf, sizeof buf));
    return 0;
}
