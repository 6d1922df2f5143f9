// A connect that cannot complete: the listener's accept queue is full (backlog 0 holds one
// connection), so the next client's SYN is dropped and its non-blocking connect stays in
// progress: connect again is EALREADY, poll shows nothing, SO_ERROR 0, read/write EAGAIN;
// draining the queue does not complete it at once (the SYN is retransmitted after ~1 s).
#include "sock.h"

int main(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = sin4("127.0.0.1", 0);
    MUST(bind(l, (struct sockaddr *)&a, sizeof a));
    MUST(listen(l, 0));
    a = sin4("127.0.0.1", port_of(l));
    int first = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l));
    SHOWOK("first client (fills the queue)", first);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(fd, (struct sockaddr *)&a, sizeof a);
    printf("second client connect: %s\n", r == 0 ? "0" : en(errno));
    SHOW("connect again", connect(fd, (struct sockaddr *)&a, sizeof a));
    show_poll("poll in progress", fd, POLLIN | POLLOUT, 100);
    show_opt("SO_ERROR in progress", fd, SOL_SOCKET, SO_ERROR);
    show_peername("getpeername in progress", fd);
    char b;
    SHOW("read in progress", read(fd, &b, 1));
    SHOW("write in progress", write(fd, "x", 1));
    int s = accept(l, NULL, NULL);
    SHOWOK("accept the first", s);
    SHOW("connect again after the queue drained (SYN not yet retransmitted)",
         connect(fd, (struct sockaddr *)&a, sizeof a));
    SHOW("close in progress", close(fd));
    return 0;
}
