// Socket ioctls: FIONREAD/SIOCINQ (bytes queued on TCP; the first datagram's size on UDP),
// SIOCOUTQ (unsent bytes: 0 once the peer has acknowledged), FIONBIO, SIOCATMARK, and an
// unknown ioctl on a socket.
#include "sock.h"
#include <linux/sockios.h>

static void showi(const char *label, int fd, unsigned long req)
{
    int v = -12345;
    if (ioctl(fd, req, &v) < 0)
        printf("%s: -1 %s\n", label, en(errno));
    else
        printf("%s: %d\n", label, v);
}

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    showi("tcp FIONREAD empty", s, FIONREAD);
    MUST(write(c, "12345", 5));
    MUST(write(c, "678", 3));
    wait_ev(s, POLLIN);
    for (int i = 0, n = 0; i < 100 && ioctl(s, FIONREAD, &n) == 0 && n < 8; i++)
        usleep(10000);
    showi("tcp FIONREAD after 5+3", s, FIONREAD);
    showi("tcp SIOCINQ", s, SIOCINQ);
    char b[4];
    MUST(read(s, b, 4));
    showi("tcp FIONREAD after reading 4", s, FIONREAD);
    int q = -1;
    for (int i = 0; i < 100; i++) {
        ioctl(c, SIOCOUTQ, &q);
        if (q == 0)
            break;
        usleep(10000);
    }
    printf("tcp SIOCOUTQ reaches 0 once acknowledged: %d\n", q == 0);
    showi("tcp SIOCOUTQNSD", c, SIOCOUTQNSD);
    showi("tcp SIOCATMARK", s, SIOCATMARK);
    int l = tcp_listener4();
    showi("listening FIONREAD", l, FIONREAD);
    showi("listening SIOCOUTQ", l, SIOCOUTQ);

    int u = udp_sock4(), tx = socket(AF_INET, SOCK_DGRAM, 0);
    showi("udp FIONREAD empty", u, FIONREAD);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    MUST(sendto(tx, "0123456789", 10, 0, (struct sockaddr *)&to, sizeof to));
    MUST(sendto(tx, "abc", 3, 0, (struct sockaddr *)&to, sizeof to));
    wait_ev(u, POLLIN);
    showi("udp FIONREAD (first datagram)", u, FIONREAD);
    showi("udp SIOCINQ", u, SIOCINQ);
    char big[16];
    MUST(recv(u, big, sizeof big, 0));
    showi("udp FIONREAD after one", u, FIONREAD);
    MUST(recv(u, big, sizeof big, 0));
    MUST(sendto(tx, "", 0, 0, (struct sockaddr *)&to, sizeof to));
    wait_ev(u, POLLIN);
    showi("udp FIONREAD zero-length datagram", u, FIONREAD);
    showi("udp SIOCOUTQ", tx, SIOCOUTQ);
    int on = 1;
    SHOW("FIONBIO on", ioctl(s, FIONBIO, &on));
    SHOW("read nonblocking", read(s, b, 4));
    SHOW("read empty nonblocking", read(s, b, 4));
    SHOW("FIONREAD bad pointer", ioctl(s, FIONREAD, BADPTR));
    SHOW("unknown ioctl", ioctl(s, 0x7a7a, &on));
    SHOW("TCGETS on socket", ioctl(s, 0x5401, &on));
    return 0;
}
