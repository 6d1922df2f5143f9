// accept4 flags: SOCK_NONBLOCK/SOCK_CLOEXEC land on the new fd (and only there: a non-blocking
// listener's plain accept gives a blocking socket), unknown flags are EINVAL.
#include "sock.h"

int main(void)
{
    int l = tcp_listener4();
    int p = port_of(l);
    int flags[] = {0, SOCK_NONBLOCK, SOCK_CLOEXEC, SOCK_NONBLOCK | SOCK_CLOEXEC};
    const char *names[] = {"0", "NONBLOCK", "CLOEXEC", "NONBLOCK|CLOEXEC"};
    for (int i = 0; i < 4; i++) {
        int c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
        MUST(c);
        int s = accept4(l, NULL, NULL, flags[i]);
        MUST(s);
        char lab[64];
        snprintf(lab, sizeof lab, "accept4 %s", names[i]);
        show_fdflags(lab, s);
        close(s);
        close(c);
    }
    int c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
    MUST(c);
    SHOW("accept4 bad flag 1", accept4(l, NULL, NULL, 1));
    SHOW("accept4 O_APPEND", accept4(l, NULL, NULL, O_APPEND));
    int s = accept4(l, NULL, NULL, 0);
    SHOWOK("connection still queued after EINVAL", s);
    close(s);
    close(c);
    MUST(fcntl(l, F_SETFL, O_NONBLOCK));
    c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
    s = accept(l, NULL, NULL);
    MUST(s);
    show_fdflags("plain accept on nonblocking listener", s);
    char b;
    close(s);
    SHOW("accept4 on empty nonblocking listener", accept4(l, NULL, NULL, SOCK_CLOEXEC));
    close(c);
    c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
    s = -1;
    while (s < 0 && wait_ev(l, POLLIN))
        s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
    SHOW("recv on NONBLOCK accepted", recv(s, &b, 1, 0));
    return 0;
}
