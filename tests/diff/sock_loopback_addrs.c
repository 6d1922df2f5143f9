// All of 127.0.0.0/8 is loopback: a listener on 127.0.0.2 is reachable at 127.0.0.2 only
// (127.0.0.1 refused), a wildcard listener accepts 127.3.4.5 and the accepted socket's name is
// that address; the source address chosen for 127.0.0.2 is 127.0.0.1 (lo's address), unless
// bound; UDP to a specific-address socket wins over a wildcard socket on the same port (also
// ::1 over ::, whichever was bound first), a connected one over an unconnected one for its peer,
// and a wildcard socket connected over lo is bound to 127.0.0.1 from then on.
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
    wait_ev(us, POLLIN);
    wait_ev(uw, POLLIN);
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

    // a wildcard socket connected to 127.0.0.1 takes 127.0.0.1 as its own address (Linux's
    // ip4_datagram_connect): it gets its peer's datagrams to 127.0.0.1 over the socket bound
    // there, not those to 127.0.0.3
    int ucw = socket(AF_INET, SOCK_DGRAM, 0);
    MUST(seti(ucw, SOL_SOCKET, SO_REUSEADDR, 1));
    MUST(bind(ucw, (struct sockaddr *)&aw, sizeof aw));
    int peer = bound_sock(AF_INET, SOCK_DGRAM, "127.0.0.1");
    struct sockaddr_in pa = sin4("127.0.0.1", port_of(peer));
    MUST(connect(ucw, (struct sockaddr *)&pa, sizeof pa));
    show_sockname("connected wildcard socket", ucw);
    struct sockaddr_in a3 = sin4("127.0.0.3", p);
    MUST(sendto(tx, "stranger", 8, 0, (struct sockaddr *)&as, sizeof as));
    MUST(sendto(peer, "peer", 4, 0, (struct sockaddr *)&as, sizeof as));
    MUST(sendto(peer, "peer3", 5, 0, (struct sockaddr *)&a3, sizeof a3));
    wait_ev(us, POLLIN);
    wait_ev(ucw, POLLIN);
    wait_ev(uw, POLLIN);
    memset(buf, 0, sizeof buf);
    SHOW("connected socket gets", recv(ucw, buf, sizeof buf, MSG_DONTWAIT));
    printf("  %s\n", buf);
    SHOW("connected socket, second", recv(ucw, buf, sizeof buf, MSG_DONTWAIT));
    memset(buf, 0, sizeof buf);
    SHOW("specific socket gets", recv(us, buf, sizeof buf, MSG_DONTWAIT));
    printf("  %s\n", buf);
    SHOW("specific socket, second", recv(us, buf, sizeof buf, MSG_DONTWAIT));
    memset(buf, 0, sizeof buf);
    SHOW("wildcard socket gets", recv(uw, buf, sizeof buf, MSG_DONTWAIT));
    printf("  %s\n", buf);
    SHOW("wildcard socket, second", recv(uw, buf, sizeof buf, MSG_DONTWAIT));

    // IPv6: ::1 over ::, in either binding order
    for (int order = 0; order < 2; order++) {
        p = free_port();
        int w6 = socket(AF_INET6, SOCK_DGRAM, 0), s6 = socket(AF_INET6, SOCK_DGRAM, 0);
        MUST(seti(w6, SOL_SOCKET, SO_REUSEADDR, 1));
        MUST(seti(s6, SOL_SOCKET, SO_REUSEADDR, 1));
        struct sockaddr_in6 any6 = sin6("::", p), lo6 = sin6("::1", p);
        if (order == 0) {
            MUST(bind(w6, (struct sockaddr *)&any6, sizeof any6));
            MUST(bind(s6, (struct sockaddr *)&lo6, sizeof lo6));
        } else {
            MUST(bind(s6, (struct sockaddr *)&lo6, sizeof lo6));
            MUST(bind(w6, (struct sockaddr *)&any6, sizeof any6));
        }
        int t6 = socket(AF_INET6, SOCK_DGRAM, 0);
        MUST(sendto(t6, "six", 3, 0, (struct sockaddr *)&lo6, sizeof lo6));
        struct sockaddr_in v4 = sin4("127.0.0.1", p);
        MUST(sendto(tx, "four", 4, 0, (struct sockaddr *)&v4, sizeof v4));
        wait_ev(s6, POLLIN);
        wait_ev(w6, POLLIN);
        printf("v6 order %d:\n", order);
        memset(buf, 0, sizeof buf);
        SHOW("  ::1 socket gets", recv(s6, buf, sizeof buf, MSG_DONTWAIT));
        printf("    %s\n", buf);
        SHOW("  ::1 socket, second", recv(s6, buf, sizeof buf, MSG_DONTWAIT));
        memset(buf, 0, sizeof buf);
        SHOW("  :: socket gets (IPv4)", recv(w6, buf, sizeof buf, MSG_DONTWAIT));
        printf("    %s\n", buf);
        SHOW("  :: socket, second", recv(w6, buf, sizeof buf, MSG_DONTWAIT));
        close(w6);
        close(s6);
        close(t6);
    }
    return 0;
}
