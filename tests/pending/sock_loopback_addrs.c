// All of 127.0.0.0/8 is loopback: a listener on 127.0.0.2 is reachable at 127.0.0.2 only
// (127.0.0.1 refused), a wildcard listener accepts 127.3.4.5 and the accepted socket's name is
// that address; the source address chosen for 127.0.0.2 is 127.0.0.1 (lo's address), unless
// bound; UDP to a specific-address socket wins over a wildcard socket on the same port.
#include "sock.h"

int main(void)
{
    int p = free_port();
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = sin4("127.0.0.2", p);
    MUST(bind(l, (struct sockaddr *)&a, sizeof a));
    MUST(listen(l, 4));
    SHOW("connect 127.0.0.1 (listener on 127.0.0.2)", connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", p));
    int c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.2", p);
    SHOWOK("connect 127.0.0.2", c);
    show_sockname("client source", c);
    int s = accept(l, NULL, NULL);
    show_sockname("accepted name", s);
    show_peername("accepted peer", s);
    close(c);
    close(s);
    close(l);

    int w = bound_sock(AF_INET, SOCK_STREAM, "0.0.0.0");
    c = connect_to(AF_INET, SOCK_STREAM, "127.3.4.5", port_of(w));
    SHOWOK("connect 127.3.4.5 to a wildcard listener", c);
    s = accept(w, NULL, NULL);
    show_sockname("accepted name", s);
    close(c);
    close(s);
    c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in src = sin4("127.9.9.9", 0);
    MUST(bind(c, (struct sockaddr *)&src, sizeof src));
    struct sockaddr_in dst = sin4("127.0.0.1", port_of(w));
    SHOW("connect from a bound 127.9.9.9", connect(c, (struct sockaddr *)&dst, sizeof dst));
    s = accept(w, NULL, NULL);
    show_peername("server sees", s);

    p = free_port();
    int uw = socket(AF_INET, SOCK_DGRAM, 0), us = socket(AF_INET, SOCK_DGRAM, 0);
    MUST(seti(uw, SOL_SOCKET, SO_REUSEADDR, 1));
    MUST(seti(us, SOL_SOCKET, SO_REUSEADDR, 1));
    struct sockaddr_in aw = sin4("0.0.0.0", p), as = sin4("127.0.0.1", p);
    MUST(bind(uw, (struct sockaddr *)&aw, sizeof aw));
    MUST(bind(us, (struct sockaddr *)&as, sizeof as));
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    MUST(sendto(tx, "to1", 3, 0, (struct sockaddr *)&as, sizeof as));
    struct sockaddr_in a2 = sin4("127.0.0.2", p);
    MUST(sendto(tx, "to2", 3, 0, (struct sockaddr *)&a2, sizeof a2));
    char buf[8] = {0};
    usleep(10000);
    SHOW("specific socket gets", recv(us, buf, sizeof buf, MSG_DONTWAIT));
    printf("  %s\n", buf);
    SHOW("specific socket, second", recv(us, buf, sizeof buf, MSG_DONTWAIT));
    memset(buf, 0, sizeof buf);
    SHOW("wildcard socket gets", recv(uw, buf, sizeof buf, MSG_DONTWAIT));
    printf("  %s\n", buf);
    SHOW("wildcard socket, second", recv(uw, buf, sizeof buf, MSG_DONTWAIT));
    int uc = socket(AF_INET, SOCK_DGRAM, 0);
    MUST(connect(uc, (struct sockaddr *)&a2, sizeof a2));
    show_sockname("udp connected to 127.0.0.2: source", uc);
    return 0;
}
