// Connections that die in the accept queue: a client that resets (SO_LINGER {1,0} close) before
// the server accepts; a client that closes normally after sending data. accept still returns
// them; the reset one reads ECONNRESET (Linux keeps it queued), the closed one reads its data
// then EOF.
#include "sock.h"

int main(void)
{
    int l = tcp_listener4();
    int c1 = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l));
    MUST(c1);
    MUST(write(c1, "data", 4));
    close(c1);
    int c2 = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l));
    MUST(c2);
    struct linger lg = {1, 0};
    MUST(setsockopt(c2, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    close(c2);
    char buf[8] = {0};
    int s1 = accept(l, NULL, NULL);
    SHOWOK("accept the closed one", s1);
    SHOW("read", read(s1, buf, sizeof buf));
    printf("data: %s\n", buf);
    SHOW("read EOF", read(s1, buf, sizeof buf));
    show_peername("peer of the closed one", s1);
    MUST(fcntl(l, F_SETFL, O_NONBLOCK));
    int s2 = accept(l, NULL, NULL);
    SHOWOK("accept the reset one", s2);
    SHOW("read", read(s2, buf, sizeof buf));
    SHOW("read again", read(s2, buf, sizeof buf));
    SHOW("queue empty", accept(l, NULL, NULL));
    return 0;
}
