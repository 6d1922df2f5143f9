// Filling a connection: non-blocking writes into a peer that does not read end in EAGAIN
// (after at least 64 KiB was taken), POLLOUT is then off, select says not writable; after the
// peer drains everything POLLOUT comes back and all bytes written are read back.
#include "sock.h"

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    MUST(fcntl(c, F_SETFL, O_NONBLOCK));
    static char buf[16384];
    memset(buf, 'f', sizeof buf);
    long total = 0;
    int eagain = 0;
    for (int i = 0; i < 100000; i++) {
        ssize_t r = write(c, buf, sizeof buf);
        if (r < 0) {
            eagain = errno == EAGAIN;
            break;
        }
        total += r;
    }
    printf("ended with EAGAIN: %d, took at least 64 KiB: %d\n", eagain, total >= 65536);
    SHOW("send MSG_DONTWAIT when full", send(c, buf, 1, MSG_DONTWAIT));
    show_poll("poll POLLOUT when full", c, POLLOUT, 0);
    fd_set w;
    FD_ZERO(&w);
    FD_SET(c, &w);
    struct timeval tv = {0, 0};
    printf("select writable when full: %d\n", select(c + 1, NULL, &w, NULL, &tv));
    show_poll("peer POLLIN", s, POLLIN, 0);
    static char rb[65536];
    long got = 0;
    MUST(fcntl(s, F_SETFL, O_NONBLOCK));
    for (;;) {
        ssize_t r = read(s, rb, sizeof rb);
        if (r > 0) {
            got += r;
            continue;
        }
        if (got >= total)
            break;
        if (!wait_ev(s, POLLIN))
            break;
    }
    printf("read back everything written: %d\n", got == total);
    printf("POLLOUT back after the drain: %s\n", revents_str(wait_ev(c, POLLOUT)));
    SHOW("write again", write(c, buf, 100));
    return 0;
}
