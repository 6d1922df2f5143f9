// sendmmsg/recvmmsg on UDP with vlen 32: counts returned, msg_len of each, boundaries kept,
// names filled per message; recvmmsg with MSG_DONTWAIT returns what is queued; vlen above
// UIO_MAXIOV is capped; an empty queue with MSG_DONTWAIT is EAGAIN.
#include "sock.h"

int main(void)
{
    int rx = udp_sock4(), tx = udp_sock4();
    struct sockaddr_in to = sin4("127.0.0.1", port_of(rx));
    struct mmsghdr mm[40];
    struct iovec iov[40];
    char data[40][64];
    memset(mm, 0, sizeof mm);
    for (int i = 0; i < 40; i++) {
        int n = snprintf(data[i], sizeof data[i], "message-%d", i);
        iov[i].iov_base = data[i];
        iov[i].iov_len = (size_t)n;
        mm[i].msg_hdr.msg_iov = &iov[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        mm[i].msg_hdr.msg_name = &to;
        mm[i].msg_hdr.msg_namelen = sizeof to;
    }
    SHOW("sendmmsg 32", sendmmsg(tx, mm, 32, 0));
    int lens_ok = 1;
    for (int i = 0; i < 32; i++)
        if (mm[i].msg_len != iov[i].iov_len)
            lens_ok = 0;
    printf("sendmmsg msg_len all right: %d\n", lens_ok);
    SHOW("sendmmsg 8 more", sendmmsg(tx, mm + 32, 8, 0));

    struct mmsghdr rm[40];
    struct iovec riov[40];
    char rbuf[40][64];
    sockaddr_any names[40];
    memset(rm, 0, sizeof rm);
    for (int i = 0; i < 40; i++) {
        riov[i].iov_base = rbuf[i];
        riov[i].iov_len = sizeof rbuf[i];
        rm[i].msg_hdr.msg_iov = &riov[i];
        rm[i].msg_hdr.msg_iovlen = 1;
        rm[i].msg_hdr.msg_name = &names[i];
        rm[i].msg_hdr.msg_namelen = sizeof names[i];
    }
    wait_ev(rx, POLLIN);
    SHOW("recvmmsg vlen 32", recvmmsg(rx, rm, 32, MSG_DONTWAIT, NULL));
    int ok = 1, from_ok = 1;
    for (int i = 0; i < 32; i++) {
        char want[64];
        int n = snprintf(want, sizeof want, "message-%d", i);
        if ((int)rm[i].msg_len != n || memcmp(rbuf[i], want, (size_t)n) != 0)
            ok = 0;
        if (rm[i].msg_hdr.msg_namelen != sizeof(struct sockaddr_in) ||
            ntohs(names[i].in4.sin_port) != port_of(tx))
            from_ok = 0;
    }
    printf("32 messages in order with msg_len: %d\n", ok);
    printf("32 names are the sender: %d\n", from_ok);
    SHOW("recvmmsg the rest (vlen 32, 8 queued)", recvmmsg(rx, rm, 32, MSG_DONTWAIT, NULL));
    printf("last: %.*s\n", (int)rm[7].msg_len, rbuf[7]);
    SHOW("recvmmsg empty MSG_DONTWAIT", recvmmsg(rx, rm, 32, MSG_DONTWAIT, NULL));
    SHOW("recvmmsg vlen 0", recvmmsg(rx, rm, 0, MSG_DONTWAIT, NULL));
    SHOW("sendmmsg vlen 0", sendmmsg(tx, mm, 0, 0));
    /* MSG_WAITFORONE: block for the first, then take what is there */
    SHOW("sendmmsg 3", sendmmsg(tx, mm, 3, 0));
    wait_ev(rx, POLLIN);
    SHOW("recvmmsg MSG_WAITFORONE vlen 10", recvmmsg(rx, rm, 10, MSG_WAITFORONE, NULL));
    /* a bad pointer in the middle: sendmmsg reports the ones sent before it */
    mm[2].msg_hdr.msg_iov = BADPTR;
    SHOW("sendmmsg with a bad third entry", sendmmsg(tx, mm, 5, 0));
    SHOW("sendmmsg bad first entry", sendmmsg(tx, mm + 2, 2, 0));
    wait_ev(rx, POLLIN);
    SHOW("recvmmsg those 2", recvmmsg(rx, rm, 10, MSG_DONTWAIT, NULL));
    struct timespec ts = {0, 20000000};
    SHOW("recvmmsg with a timeout, empty, MSG_DONTWAIT", recvmmsg(rx, rm, 10, MSG_DONTWAIT, &ts));
    return 0;
}
