// SO_REUSEPORT: two UDP sockets (and two TCP listeners) on one port when both set it; a third
// without it is EADDRINUSE; datagrams sent to the port reach one of the group; connections to
// the shared listening port are all accepted by one of the listeners.
#include "sock.h"

static int bind4(int fd, const char *ip, int port)
{
    struct sockaddr_in a = sin4(ip, port);
    return bind(fd, (struct sockaddr *)&a, sizeof a);
}

int main(void)
{
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    int u3 = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW("udp1 SO_REUSEPORT", seti(u1, SOL_SOCKET, SO_REUSEPORT, 1));
    MUST(bind4(u1, "127.0.0.1", 0));
    int p = port_of(u1);
    SHOW("udp3 without SO_REUSEPORT", bind4(u3, "127.0.0.1", p));
    MUST(seti(u2, SOL_SOCKET, SO_REUSEPORT, 1));
    SHOW("udp2 with SO_REUSEPORT", bind4(u2, "127.0.0.1", p));
    printf("same port: %d\n", port_of(u1) == port_of(u2));
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("127.0.0.1", p);
    int sent = 0;
    for (int i = 0; i < 20; i++)
        sent += sendto(tx, "d", 1, 0, (struct sockaddr *)&to, sizeof to) == 1;
    printf("sent: %d\n", sent);
    int got = 0;
    char b;
    for (int i = 0; i < 40; i++) {
        int fds[2] = {u1, u2};
        struct pollfd pf[2] = {{u1, POLLIN, 0}, {u2, POLLIN, 0}};
        if (poll(pf, 2, got == sent ? 0 : 1000) <= 0)
            break;
        for (int k = 0; k < 2; k++)
            if (pf[k].revents & POLLIN)
                got += recv(fds[k], &b, 1, 0) == 1;
    }
    printf("received by the group: %d\n", got);

    int l1 = socket(AF_INET, SOCK_STREAM, 0), l2 = socket(AF_INET, SOCK_STREAM, 0);
    int l3 = socket(AF_INET, SOCK_STREAM, 0);
    MUST(seti(l1, SOL_SOCKET, SO_REUSEPORT, 1));
    MUST(seti(l2, SOL_SOCKET, SO_REUSEPORT, 1));
    MUST(bind4(l1, "127.0.0.1", 0));
    p = port_of(l1);
    SHOW("tcp2 bind with SO_REUSEPORT", bind4(l2, "127.0.0.1", p));
    SHOW("listen 1", listen(l1, 16));
    SHOW("listen 2", listen(l2, 16));
    SHOW("tcp3 without SO_REUSEPORT", bind4(l3, "127.0.0.1", p));
    int cs[10];
    for (int i = 0; i < 10; i++) {
        cs[i] = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p);
        MUST(cs[i]);
    }
    MUST(fcntl(l1, F_SETFL, O_NONBLOCK));
    MUST(fcntl(l2, F_SETFL, O_NONBLOCK));
    int acc = 0;
    for (int i = 0; i < 20; i++) {
        int a = accept(l1, NULL, NULL);
        if (a >= 0) {
            acc++;
            close(a);
        }
        a = accept(l2, NULL, NULL);
        if (a >= 0) {
            acc++;
            close(a);
        }
    }
    printf("accepted by the group: %d\n", acc);
    return 0;
}
