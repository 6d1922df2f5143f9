// Data over a TCP connection with read/write/readv/writev/send/recv/sendto/recvfrom (v4 and
// v6): byte stream semantics (writes coalesce, reads split), iovec scatter/gather, zero-length
// reads and writes, recvfrom on TCP leaves the address alone.
#include "sock.h"

static void run(int v6)
{
    printf("-- %s\n", v6 ? "v6" : "v4");
    int c, s;
    tcp_pair(v6, &c, &s);
    SHOW("write", write(c, "hello ", 6));
    SHOW("send", send(c, "world", 5, 0));
    struct iovec wv[3] = {{"A", 1}, {"", 0}, {"BCD", 3}};
    SHOW("writev", writev(c, wv, 3));
    SHOW("sendto NULL addr", sendto(c, "!", 1, 0, NULL, 0));
    char buf[64] = {0};
    size_t got = read_full(s, buf, 16);
    printf("read %zu: %s\n", got, buf);
    SHOW("write 0 bytes", write(c, buf, 0));
    SHOW("send 0 bytes", send(c, buf, 0, 0));
    SHOW("write", write(s, "0123456789", 10));
    char x[3], y[4], z[8];
    memset(z, 0, sizeof z);
    struct iovec rv[3] = {{x, 3}, {y, 4}, {z, 8}};
    size_t n = 0;
    while (n < 10) {
        ssize_t r = readv(c, rv, 3);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n < 10) { /* a short readv: finish the rest into z */
            ssize_t r2 = read_full(c, z, 10 - n);
            n += (size_t)r2;
        }
    }
    printf("readv total %zu: %.3s|%.4s|%.3s\n", n, x, y, z);
    MUST(write(s, "abcdef", 6));
    char small[2];
    size_t t = 0;
    int calls = 0;
    while (t < 6) {
        ssize_t r = recv(c, small, sizeof small, 0);
        if (r <= 0)
            break;
        t += (size_t)r;
        calls++;
    }
    printf("6 bytes read 2 at a time: %zu in %d calls\n", t, calls);
    sockaddr_any from;
    memset(&from, 0x55, sizeof from);
    socklen_t fl = sizeof from;
    MUST(write(s, "q", 1));
    SHOW("recvfrom on tcp", recvfrom(c, buf, sizeof buf, 0, &from.sa, &fl));
    printf("recvfrom addrlen: %u\n", (unsigned)fl);
    SHOW("read 0 bytes", read(c, buf, 0));
    close(s);
    SHOW("read after peer close", read(c, buf, sizeof buf));
    SHOW("readv after peer close", readv(c, rv, 3));
    close(c);
}

int main(void)
{
    run(0);
    run(1);
    return 0;
}
