// Orderly close: data written just before close is delivered before EOF; close of a listener
// with connections not yet accepted resets them (the client's read gets ECONNRESET); close of
// one of two fds (dup) of a socket keeps the connection; closing an accepted socket while the
// listener lives leaves the listener working.
#include "sock.h"

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    static char data[100000];
    memset(data, 'z', sizeof data);
    pid_t pid = fork();
    if (pid == 0) {
        close(c);
        write_full(s, data, sizeof data);
        close(s);
        _exit(0);
    }
    close(s);
    static char rb[200000];
    size_t n = read_full(c, rb, sizeof rb);
    printf("read before EOF: %zu\n", n);
    SHOW("then EOF", read(c, rb, 1));
    wait_show("writer", pid);
    close(c);

    int l = tcp_listener4();
    int cl = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l));
    MUST(cl);
    close(l);
    printf("client revents after listener close: %s\n", revents_str(wait_ev(cl, POLLIN)));
    char b;
    SHOW("client read", read(cl, &b, 1));
    close(cl);

    tcp_pair(0, &c, &s);
    int d = dup(s);
    close(s);
    SHOW("write via the dup", write(d, "dup", 3));
    char buf[8];
    SHOW("peer reads", read(c, buf, sizeof buf));
    show_poll("peer sees no hangup", c, POLLIN | POLLRDHUP, 0);
    close(d);
    SHOW("EOF after the last fd closed", read(c, buf, sizeof buf));
    close(c);

    l = tcp_listener4();
    c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l));
    s = accept(l, NULL, NULL);
    close(s);
    close(c);
    int c2 = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l));
    SHOWOK("listener still accepts", c2);
    SHOWOK("accept", accept(l, NULL, NULL));
    return 0;
}
