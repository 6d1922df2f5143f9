// RTP-like bursts: 100 datagrams of 1316 bytes (7 MPEG-TS packets) sent back to back over
// loopback into a socket with a 1 MiB receive buffer: all arrive, in order, intact; then the
// same with a receiver thread draining concurrently with recvmmsg (vlen 32) while the sender
// sends 1000 with sendmmsg, v6, never more than 100 ahead of the receiver.
#include "sock.h"

#define N 100
#define SZ 1316

static int rx6;
static int got6, order6 = 1;

static void *receiver(void *arg)
{
    (void)arg;
    static char bufs[32][SZ];
    struct mmsghdr mm[32];
    struct iovec iov[32];
    int next = 0;
    while (next < 1000) {
        memset(mm, 0, sizeof mm);
        for (int i = 0; i < 32; i++) {
            iov[i].iov_base = bufs[i];
            iov[i].iov_len = SZ;
            mm[i].msg_hdr.msg_iov = &iov[i];
            mm[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(rx6, mm, 32, MSG_WAITFORONE, NULL);
        if (n <= 0)
            break;
        for (int i = 0; i < n; i++) {
            int seq;
            memcpy(&seq, bufs[i], sizeof seq);
            if (seq != next || mm[i].msg_len != SZ)
                order6 = 0;
            next = seq + 1;
            __atomic_add_fetch(&got6, 1, __ATOMIC_SEQ_CST);
        }
    }
    return NULL;
}

int main(void)
{
    int rx = udp_sock4(), tx = socket(AF_INET, SOCK_DGRAM, 0);
    MUST(seti(rx, SOL_SOCKET, SO_RCVBUF, 1 << 20));
    struct sockaddr_in to = sin4("127.0.0.1", port_of(rx));
    MUST(connect(tx, (struct sockaddr *)&to, sizeof to));
    char pkt[SZ];
    int sent = 0;
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < SZ; k++)
            pkt[k] = (char)(i + k);
        memcpy(pkt, &i, sizeof i);
        sent += send(tx, pkt, SZ, 0) == SZ;
    }
    printf("sent: %d\n", sent);
    int got = 0, ok = 1;
    for (int i = 0; i < N; i++) {
        char rb[2000];
        ssize_t r = recv(rx, rb, sizeof rb, MSG_DONTWAIT);
        if (r < 0) {
            if (wait_ev(rx, POLLIN)) {
                i--;
                continue;
            }
            break;
        }
        int seq;
        memcpy(&seq, rb, sizeof seq);
        int intact = r == SZ && seq == i;
        for (int k = sizeof(int); intact && k < SZ; k++)
            if (rb[k] != (char)(i + k))
                intact = 0;
        ok &= intact;
        got++;
    }
    printf("received: %d in order and intact: %d\n", got, ok);

    rx6 = udp_sock6();
    MUST(seti(rx6, SOL_SOCKET, SO_RCVBUF, 1 << 20));
    int tx6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 t6 = sin6("::1", port_of(rx6));
    MUST(connect(tx6, (struct sockaddr *)&t6, sizeof t6));
    pthread_t th;
    pthread_create(&th, NULL, receiver, NULL);
    static char sbuf[1000][SZ];
    struct mmsghdr mm[50];
    struct iovec iov[50];
    int sent6 = 0;
    for (int base = 0; base < 1000; base += 50) {
        memset(mm, 0, sizeof mm);
        for (int i = 0; i < 50; i++) {
            int seq = base + i;
            memcpy(sbuf[seq], &seq, sizeof seq);
            iov[i].iov_base = sbuf[seq];
            iov[i].iov_len = SZ;
            mm[i].msg_hdr.msg_iov = &iov[i];
            mm[i].msg_hdr.msg_iovlen = 1;
        }
        int n = sendmmsg(tx6, mm, 50, 0);
        if (n > 0)
            sent6 += n;
        /* flow control, so the buffer never overflows: at most 100 datagrams in
         * flight (Linux charges ~2.3 KB a datagram against 2 x min(1 MiB, rmem_max),
         * 416 KiB with Debian's rmem_max; Rill's UDP queue holds 256 KiB of payload
         * whatever SO_RCVBUF says; bounded wait) */
        for (int k = 0; k < 10000 && sent6 - __atomic_load_n(&got6, __ATOMIC_SEQ_CST) > 50; k++)
            usleep(1000);
    }
    pthread_join(th, NULL);
    printf("v6 sendmmsg sent: %d, receiver got %d in order %d\n", sent6, got6, order6);
    return 0;
}
