// UDP connect: send/write without an address go to the peer, recv only takes datagrams from
// it, sendto another address still works, connect to AF_UNSPEC dissolves the association
// (getpeername ENOTCONN, send EDESTADDRREQ), reconnect elsewhere, connect does not need a
// listener, the local address is chosen at connect.
#include "sock.h"

int main(void)
{
    int a = udp_sock4(), b = udp_sock4(), other = udp_sock4();
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW("send unconnected", send(c, "x", 1, 0));
    SHOW("write unconnected", write(c, "x", 1));
    struct sockaddr_in to = sin4("127.0.0.1", port_of(a));
    SHOW("connect", connect(c, (struct sockaddr *)&to, sizeof to));
    show_peername("peer", c);
    show_sockname("name", c);
    SHOW("send", send(c, "one", 3, 0));
    SHOW("write", write(c, "two", 3));
    char buf[16];
    sockaddr_any from;
    socklen_t fl = sizeof from;
    SHOW("a recvfrom", recvfrom(a, buf, sizeof buf, 0, &from.sa, &fl));
    printf("source is c: %d\n", ntohs(from.in4.sin_port) == port_of(c));
    SHOW("a recv", recv(a, buf, sizeof buf, 0));
    struct sockaddr_in cb = sin4("127.0.0.1", port_of(c));
    MUST(sendto(other, "junk", 4, 0, (struct sockaddr *)&cb, sizeof cb));
    MUST(sendto(a, "reply", 5, 0, (struct sockaddr *)&cb, sizeof cb));
    memset(buf, 0, sizeof buf);
    SHOW("c recv (only from its peer)", recv(c, buf, sizeof buf, 0));
    printf("data: %s\n", buf);
    SHOW("nothing else", recv(c, buf, sizeof buf, MSG_DONTWAIT));
    struct sockaddr_in tb = sin4("127.0.0.1", port_of(b));
    SHOW("sendto another address while connected", sendto(c, "side", 4, 0, (struct sockaddr *)&tb, sizeof tb));
    SHOW("b got it", recv(b, buf, sizeof buf, 0));
    struct sockaddr un;
    memset(&un, 0, sizeof un);
    un.sa_family = AF_UNSPEC;
    SHOW("connect AF_UNSPEC", connect(c, &un, sizeof un));
    show_peername("peer after disconnect", c);
    show_sockname("name after disconnect", c);
    SHOW("send after disconnect", send(c, "x", 1, 0));
    SHOW("connect AF_UNSPEC again", connect(c, &un, sizeof un));
    SHOW("connect to b", connect(c, (struct sockaddr *)&tb, sizeof tb));
    SHOW("send", send(c, "bb", 2, 0));
    SHOW("b recv", recv(b, buf, sizeof buf, 0));
    SHOW("reconnect to a", connect(c, (struct sockaddr *)&to, sizeof to));
    show_peername("peer", c);
    int c6 = socket(AF_INET6, SOCK_DGRAM, 0);
    int a6 = udp_sock6();
    struct sockaddr_in6 to6 = sin6("::1", port_of(a6));
    SHOW("v6 connect", connect(c6, (struct sockaddr *)&to6, sizeof to6));
    show_sockname("v6 name", c6);
    SHOW("v6 send", send(c6, "six", 3, 0));
    SHOW("v6 recv", recv(a6, buf, sizeof buf, 0));
    SHOW("v6 connect AF_UNSPEC", connect(c6, &un, sizeof un));
    show_peername("v6 peer after disconnect", c6);
    SHOW("v6 connect short AF_UNSPEC (len 2)", connect(c6, &un, 2));
    return 0;
}
