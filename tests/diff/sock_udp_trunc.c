// UDP truncation: a datagram longer than the buffer is cut, the rest discarded; MSG_TRUNC makes
// recv return the full length; recvmsg sets MSG_TRUNC in msg_flags; read() truncates too.
#include "sock.h"

int main(void)
{
    int u = udp_sock4(), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    char big[1000];
    for (int i = 0; i < 1000; i++)
        big[i] = (char)('a' + i % 26);
    for (int i = 0; i < 5; i++)
        MUST(sendto(tx, big, sizeof big, 0, (struct sockaddr *)&to, sizeof to));
    char buf[16] = {0};
    SHOW("recv 10 of 1000", recv(u, buf, 10, 0));
    printf("data: %.10s\n", buf);
    SHOW("recv MSG_TRUNC 10 of 1000", recv(u, buf, 10, MSG_TRUNC));
    SHOW("recv NULL buffer MSG_TRUNC", recv(u, NULL, 0, MSG_TRUNC));
    struct iovec iov = {buf, 8};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    SHOW("recvmsg 8 of 1000", recvmsg(u, &m, 0));
    printf("msg_flags MSG_TRUNC: %d\n", (m.msg_flags & MSG_TRUNC) != 0);
    SHOW("read 5 of 1000", read(u, buf, 5));
    SHOW("nothing left", recv(u, buf, 10, MSG_DONTWAIT));
    MUST(sendto(tx, "exact", 5, 0, (struct sockaddr *)&to, sizeof to));
    memset(&m, 0, sizeof m);
    iov.iov_len = 5;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    SHOW("recvmsg exact fit", recvmsg(u, &m, 0));
    printf("msg_flags MSG_TRUNC: %d\n", (m.msg_flags & MSG_TRUNC) != 0);
    return 0;
}
