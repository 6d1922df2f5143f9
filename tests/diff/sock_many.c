// 256 TCP connections open at once (v4 and v6 alternating) through one listener: all accepted,
// the clients' ports distinct within each family (Linux lets a v4 and a v6 connection share
// one) and in the ephemeral range, one byte each way on every connection, then all closed; the
// same for 256 UDP sockets bound to port 0.
#include "sock.h"

#define N 256

int main(void)
{
    int l = bound_sock(AF_INET6, SOCK_STREAM, "::");
    MUST(listen(l, N));
    static int cs[N], ss[N], ports[N];
    int ok = 0;
    for (int i = 0; i < N; i++) {
        cs[i] = i % 2 ? connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(l))
                      : connect_to(AF_INET6, SOCK_STREAM, "::1", port_of(l));
        MUST(cs[i]);
        ss[i] = accept(l, NULL, NULL);
        MUST(ss[i]);
        ports[i] = port_of(cs[i]);
    }
    int distinct = 1, inrange = 1;
    for (int i = 0; i < N; i++) {
        inrange &= in_ephemeral(ports[i]);
        for (int j = i % 2; j < i; j += 2) /* a v4 and a v6 connection may share a port */
            if (ports[i] == ports[j])
                distinct = 0;
    }
    for (int i = 0; i < N; i++) {
        char b = (char)i, r = 0, r2 = 0;
        if (write(cs[i], &b, 1) == 1 && read(ss[i], &r, 1) == 1 && r == b &&
            write(ss[i], &r, 1) == 1 && read(cs[i], &r2, 1) == 1 && r2 == b)
            ok++;
    }
    printf("connections: %d, ports distinct per family %d, in range %d, exchanges ok %d\n", N, distinct,
           inrange, ok);
    int eofs = 0;
    for (int i = 0; i < N; i++) {
        close(cs[i]);
        char b;
        eofs += read(ss[i], &b, 1) == 0;
        close(ss[i]);
    }
    printf("EOF seen on all: %d\n", eofs == N);
    static int us[N];
    for (int i = 0; i < N; i++)
        us[i] = bound_sock(i % 2 ? AF_INET : AF_INET6, SOCK_DGRAM, i % 2 ? "127.0.0.1" : "::1");
    distinct = 1;
    for (int i = 0; i < N; i++)
        for (int j = i % 2; j < i; j += 2)
            if (port_of(us[i]) == port_of(us[j]))
                distinct = 0;
    printf("udp sockets: %d, ports distinct per family %d\n", N, distinct);
    for (int i = 0; i < N; i++)
        close(us[i]);
    return 0;
}
