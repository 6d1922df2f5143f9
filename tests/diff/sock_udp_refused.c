// ICMP port unreachable on loopback: a connected UDP socket sending to a port nobody holds gets
// ECONNREFUSED on its next call (send or recv), once; SO_ERROR shows it; poll shows POLLERR;
// an unconnected socket is not told (IP_RECVERR off). v4 and v6.
#include "sock.h"

/* After a datagram to the dead port at `a`: until a connected probe's datagram sent
 * after it has its error back (bounded), so the first one's ICMP has come in too. */
static void after_icmp(int fam, struct sockaddr *a, socklen_t al)
{
    int p = socket(fam, SOCK_DGRAM, 0);
    if (connect(p, a, al) == 0 && send(p, "p", 1, 0) == 1)
        wait_ev(p, POLLERR);
    close(p);
}

static void run(int v6)
{
    printf("-- %s\n", v6 ? "v6" : "v4");
    int fam = v6 ? AF_INET6 : AF_INET;
    int dead = unused_port(fam, SOCK_DGRAM);
    int c = socket(fam, SOCK_DGRAM, 0);
    if (v6) {
        struct sockaddr_in6 a = sin6("::1", dead);
        MUST(connect(c, (struct sockaddr *)&a, sizeof a));
    } else {
        struct sockaddr_in a = sin4("127.0.0.1", dead);
        MUST(connect(c, (struct sockaddr *)&a, sizeof a));
    }
    SHOW("first send", send(c, "x", 1, 0));
    printf("poll: %s\n", revents_str(wait_ev(c, POLLERR)));
    SHOW("second send", send(c, "x", 1, 0));
    SHOW("third send", send(c, "x", 1, 0));
    wait_ev(c, POLLERR);
    char b;
    SHOW("recv", recv(c, &b, 1, MSG_DONTWAIT));
    SHOW("recv again", recv(c, &b, 1, MSG_DONTWAIT));
    SHOW("fourth send", send(c, "x", 1, 0));
    wait_ev(c, POLLERR);
    show_opt("SO_ERROR", c, SOL_SOCKET, SO_ERROR);
    show_opt("SO_ERROR again", c, SOL_SOCKET, SO_ERROR);
    close(c);

    int u = socket(fam, SOCK_DGRAM, 0);
    if (v6) {
        struct sockaddr_in6 a = sin6("::1", dead);
        SHOW("unconnected sendto", sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof a));
        after_icmp(fam, (struct sockaddr *)&a, sizeof a);
        SHOW("unconnected sendto again", sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof a));
    } else {
        struct sockaddr_in a = sin4("127.0.0.1", dead);
        SHOW("unconnected sendto", sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof a));
        after_icmp(fam, (struct sockaddr *)&a, sizeof a);
        SHOW("unconnected sendto again", sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof a));
    }
    show_poll("unconnected poll", u, POLLIN | POLLOUT, 0);
    close(u);
}

int main(void)
{
    run(0);
    run(1);
    return 0;
}
