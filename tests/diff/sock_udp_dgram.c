// UDP datagram semantics: boundaries kept (3 sends, 3 recvs of their own sizes, never merged),
// zero-length datagrams are real datagrams (recv returns 0, poll POLLIN), order kept, recvfrom
// gives the sender's address, two sockets exchange in both directions, v4 and v6.
#include "sock.h"

static void run(int v6)
{
    printf("-- %s\n", v6 ? "v6" : "v4");
    int a = v6 ? udp_sock6() : udp_sock4(), b = v6 ? udp_sock6() : udp_sock4();
    sockaddr_any ta, tb;
    socklen_t la = sizeof ta, lb = sizeof tb;
    getsockname(a, &ta.sa, &la);
    getsockname(b, &tb.sa, &lb);
    const char *msgs[] = {"one", "", "three33", "", "x"};
    for (int i = 0; i < 5; i++)
        MUST(sendto(a, msgs[i], strlen(msgs[i]), 0, &tb.sa, lb));
    for (int i = 0; i < 5; i++) {
        char buf[32] = {0};
        sockaddr_any from;
        socklen_t fl = sizeof from;
        ssize_t r = recvfrom(b, buf, sizeof buf, 0, &from.sa, &fl);
        printf("datagram %d: %zd '%s' from_a=%d fromlen=%u\n", i, r, buf,
               fl == la && memcmp(&from, &ta, fl) == 0, (unsigned)fl);
    }
    SHOW("empty now", recv(b, NULL, 0, MSG_DONTWAIT));
    MUST(sendto(b, "", 0, 0, &ta.sa, la));
    show_poll("zero-length datagram readable", a, POLLIN, 1000);
    SHOW("recv it", recv(a, NULL, 0, 0));
    show_poll("then not readable", a, POLLIN, 0);
    for (int i = 0; i < 10; i++) {
        char m[4];
        snprintf(m, sizeof m, "%d", i);
        sendto(b, m, strlen(m), 0, &ta.sa, la);
        sendto(a, m, strlen(m), 0, &tb.sa, lb);
    }
    int order = 1;
    for (int i = 0; i < 10; i++) {
        char m1[4] = {0}, m2[4] = {0};
        recv(a, m1, sizeof m1, 0);
        recv(b, m2, sizeof m2, 0);
        if (atoi(m1) != i || atoi(m2) != i)
            order = 0;
    }
    printf("both directions in order: %d\n", order);
    SHOW("write() with no peer", write(a, "x", 1));
    SHOW("sendto AF_UNSPEC", sendto(a, "x", 1, 0, &(struct sockaddr){.sa_family = AF_UNSPEC}, sizeof(struct sockaddr)));
    close(a);
    close(b);
}

int main(void)
{
    run(0);
    run(1);
    return 0;
}
