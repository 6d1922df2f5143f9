// TCP_INFO: tcpi_state of a fresh (CLOSE=7), listening (LISTEN=10), established (1) socket, of
// both ends after a half close (FIN_WAIT2=5 / CLOSE_WAIT=8); the length returned (truncated to
// the optlen given, never more than the struct); TCP_INFO on UDP.
#include "sock.h"

static void st(const char *label, int fd)
{
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    socklen_t l = sizeof ti;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    printf("%s: state=%u len_ok=%d\n", label, ti.tcpi_state, l > 100 && l <= sizeof ti);
}

int main(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    st("fresh", fd);
    int l = tcp_listener4();
    st("listening", l);
    int c, s;
    tcp_pair(0, &c, &s);
    st("client established", c);
    st("server established", s);
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    socklen_t len = sizeof ti;
    getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len);
    printf("established: snd_mss>0 %d rcv_mss>0 %d pmtu>0 %d\n", ti.tcpi_snd_mss > 0,
           ti.tcpi_rcv_mss > 0, ti.tcpi_pmtu > 0);
    MUST(shutdown(c, SHUT_WR));
    char b;
    read(s, &b, 1);
    int state = 0;
    for (int i = 0; i < 200; i++) { /* the FIN's ACK may lag the peer's read of EOF */
        memset(&ti, 0, sizeof ti);
        len = sizeof ti;
        getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len);
        state = ti.tcpi_state;
        if (state != 4) /* FIN_WAIT1 */
            break;
        usleep(5000);
    }
    printf("client after SHUT_WR, FIN acknowledged: state=%d\n", state);
    st("server after peer FIN", s);
    unsigned char small[8];
    memset(small, 0xee, sizeof small);
    len = 4;
    SHOW("TCP_INFO optlen 4", getsockopt(s, IPPROTO_TCP, TCP_INFO, small, &len));
    printf("len=%u state_byte=%u byte4_untouched=%d\n", (unsigned)len, small[0], small[4] == 0xee);
    len = 0;
    SHOW("TCP_INFO optlen 0", getsockopt(s, IPPROTO_TCP, TCP_INFO, small, &len));
    printf("len=%u\n", (unsigned)len);
    int l6 = tcp_listener6();
    st("v6 listening", l6);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    st("udp", u);
    return 0;
}
