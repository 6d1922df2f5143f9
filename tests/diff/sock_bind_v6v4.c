// One port, two families: an AF_INET6 socket on :: with IPV6_V6ONLY=0 also holds the IPv4 port
// (an AF_INET bind to it is EADDRINUSE, in both orders); with IPV6_V6ONLY=1 both coexist; an
// AF_INET6 socket bound to ::1 leaves the IPv4 port free.
#include "sock.h"

static int bind4(int fd, const char *ip, int port)
{
    struct sockaddr_in a = sin4(ip, port);
    return bind(fd, (struct sockaddr *)&a, sizeof a);
}

static int bind6(int fd, const char *ip, int port)
{
    struct sockaddr_in6 a = sin6(ip, port);
    return bind(fd, (struct sockaddr *)&a, sizeof a);
}

static void one_type(int ty, const char *tn)
{
    char lab[96];
    for (int only = 0; only <= 1; only++) {
        int p = free_port();
        int v = socket(AF_INET6, ty, 0);
        MUST(seti(v, IPPROTO_IPV6, IPV6_V6ONLY, only));
        MUST(bind6(v, "::", p));
        int f = socket(AF_INET, ty, 0);
        snprintf(lab, sizeof lab, "%s :: V6ONLY=%d then 0.0.0.0", tn, only);
        SHOW(lab, bind4(f, "0.0.0.0", p));
        close(f);
        f = socket(AF_INET, ty, 0);
        snprintf(lab, sizeof lab, "%s :: V6ONLY=%d then 127.0.0.1", tn, only);
        SHOW(lab, bind4(f, "127.0.0.1", p));
        close(f);
        close(v);

        p = free_port();
        f = socket(AF_INET, ty, 0);
        MUST(bind4(f, "0.0.0.0", p));
        v = socket(AF_INET6, ty, 0);
        MUST(seti(v, IPPROTO_IPV6, IPV6_V6ONLY, only));
        snprintf(lab, sizeof lab, "%s 0.0.0.0 then :: V6ONLY=%d", tn, only);
        SHOW(lab, bind6(v, "::", p));
        close(v);
        v = socket(AF_INET6, ty, 0);
        MUST(seti(v, IPPROTO_IPV6, IPV6_V6ONLY, only));
        snprintf(lab, sizeof lab, "%s 0.0.0.0 then ::1 V6ONLY=%d", tn, only);
        SHOW(lab, bind6(v, "::1", p));
        close(v);
        close(f);
    }
    int p = free_port();
    int v = socket(AF_INET6, ty, 0);
    MUST(bind6(v, "::1", p));
    int f = socket(AF_INET, ty, 0);
    snprintf(lab, sizeof lab, "%s ::1 then 127.0.0.1", tn);
    SHOW(lab, bind4(f, "127.0.0.1", p));
    close(f);
    close(v);
    p = free_port();
    v = socket(AF_INET6, ty, 0);
    MUST(bind6(v, "::ffff:127.0.0.1", p));
    f = socket(AF_INET, ty, 0);
    snprintf(lab, sizeof lab, "%s ::ffff:127.0.0.1 then 127.0.0.1", tn);
    SHOW(lab, bind4(f, "127.0.0.1", p));
    close(f);
    close(v);
}

int main(void)
{
    one_type(SOCK_STREAM, "tcp");
    one_type(SOCK_DGRAM, "udp");
    return 0;
}
