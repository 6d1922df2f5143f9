// SOCK_NONBLOCK and SOCK_CLOEXEC at socket(2) are visible through fcntl; O_NONBLOCK set with
// F_SETFL and FIONBIO make recv/accept return EAGAIN.
#include "sock.h"

int main(void)
{
    int ty[] = {SOCK_STREAM, SOCK_DGRAM};
    int fam[] = {AF_INET, AF_INET6};
    for (int f = 0; f < 2; f++)
        for (int t = 0; t < 2; t++) {
            char lab[64];
            const char *fn = fam[f] == AF_INET ? "inet" : "inet6";
            const char *tn = ty[t] == SOCK_STREAM ? "stream" : "dgram";
            int a = socket(fam[f], ty[t], 0);
            int b = socket(fam[f], ty[t] | SOCK_NONBLOCK, 0);
            int c = socket(fam[f], ty[t] | SOCK_CLOEXEC, 0);
            int d = socket(fam[f], ty[t] | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            MUST(a); MUST(b); MUST(c); MUST(d);
            snprintf(lab, sizeof lab, "%s %s plain", fn, tn);
            show_fdflags(lab, a);
            snprintf(lab, sizeof lab, "%s %s NONBLOCK", fn, tn);
            show_fdflags(lab, b);
            snprintf(lab, sizeof lab, "%s %s CLOEXEC", fn, tn);
            show_fdflags(lab, c);
            snprintf(lab, sizeof lab, "%s %s both", fn, tn);
            show_fdflags(lab, d);
            close(a); close(b); close(c); close(d);
        }
    int u = udp_sock4();
    char buf[8];
    MUST(fcntl(u, F_SETFL, O_NONBLOCK));
    show_fdflags("udp after F_SETFL O_NONBLOCK", u);
    SHOW("recv nonblocking udp", recv(u, buf, sizeof buf, 0));
    MUST(fcntl(u, F_SETFL, 0));
    int on = 1;
    SHOW("FIONBIO 1", ioctl(u, FIONBIO, &on));
    show_fdflags("udp after FIONBIO 1", u);
    SHOW("recv after FIONBIO", recv(u, buf, sizeof buf, 0));
    on = 0;
    SHOW("FIONBIO 0", ioctl(u, FIONBIO, &on));
    show_fdflags("udp after FIONBIO 0", u);
    SHOW("recv MSG_DONTWAIT", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    int l = tcp_listener4();
    MUST(fcntl(l, F_SETFL, O_NONBLOCK));
    SHOW("accept nonblocking listener", accept(l, NULL, NULL));
    int d = dup(l);
    show_fdflags("dup of nonblocking listener", d);
    return 0;
}
