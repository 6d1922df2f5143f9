// recv flags on TCP and UDP: MSG_PEEK leaves the data (and peeks partially), MSG_DONTWAIT is
// EAGAIN on an empty blocking socket, MSG_TRUNC on TCP discards bytes, MSG_WAITALL with a
// non-blocking flag, unknown flag bits are ignored on recv.
#include "sock.h"

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    char buf[32] = {0};
    SHOW("tcp MSG_DONTWAIT empty", recv(s, buf, sizeof buf, MSG_DONTWAIT));
    MUST(write(c, "peekaboo", 8));
    wait_ev(s, POLLIN);
    SHOW("tcp MSG_PEEK 4", recv(s, buf, 4, MSG_PEEK));
    printf("peeked: %.4s\n", buf);
    SHOW("tcp MSG_PEEK all", recv(s, buf, sizeof buf, MSG_PEEK));
    SHOW("tcp recv 3", recv(s, buf, 3, 0));
    printf("got: %.3s\n", buf);
    SHOW("tcp MSG_PEEK rest", recv(s, buf, sizeof buf, MSG_PEEK));
    SHOW("tcp MSG_TRUNC 2 (discard)", recv(s, NULL, 2, MSG_TRUNC));
    SHOW("tcp recv rest", recv(s, buf, sizeof buf, 0));
    printf("got: %.3s\n", buf);
    SHOW("tcp MSG_DONTWAIT|MSG_WAITALL empty", recv(s, buf, 4, MSG_DONTWAIT | MSG_WAITALL));
    MUST(write(c, "ab", 2));
    wait_ev(s, POLLIN);
    SHOW("tcp MSG_DONTWAIT|MSG_WAITALL short", recv(s, buf, 4, MSG_DONTWAIT | MSG_WAITALL));
    MUST(write(c, "cd", 2));
    wait_ev(s, POLLIN);
    SHOW("tcp unknown flag 0x80000", recv(s, buf, sizeof buf, 0x80000));
    SHOW("tcp MSG_OOB without urgent data", recv(s, buf, sizeof buf, MSG_OOB));

    int u = udp_sock4(), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    SHOW("udp MSG_DONTWAIT empty", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    MUST(sendto(tx, "datagram1", 9, 0, (struct sockaddr *)&to, sizeof to));
    MUST(sendto(tx, "dg2", 3, 0, (struct sockaddr *)&to, sizeof to));
    sockaddr_any from;
    socklen_t fl = sizeof from;
    SHOW("udp MSG_PEEK 4", recvfrom(u, buf, 4, MSG_PEEK, &from.sa, &fl));
    printf("peek source is tx: %d\n", ntohs(from.in4.sin_port) == port_of(tx));
    SHOW("udp MSG_PEEK full", recv(u, buf, sizeof buf, MSG_PEEK));
    SHOW("udp MSG_PEEK|MSG_TRUNC small", recv(u, buf, 2, MSG_PEEK | MSG_TRUNC));
    SHOW("udp recv", recv(u, buf, sizeof buf, 0));
    printf("got: %.9s\n", buf);
    SHOW("udp recv second", recv(u, buf, sizeof buf, 0));
    SHOW("udp MSG_DONTWAIT drained", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    SHOW("udp MSG_OOB", recv(u, buf, sizeof buf, MSG_OOB | MSG_DONTWAIT));
    SHOW("send MSG_OOB on udp", sendto(tx, "x", 1, MSG_OOB, (struct sockaddr *)&to, sizeof to));
    return 0;
}
