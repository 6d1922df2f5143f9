// Cross-thread wake-ups: a thread blocked in recv (TCP, UDP) is woken by a send from another
// thread; a thread blocked in poll on a socket is woken by data; a blocked recv is woken by the
// peer's shutdown (returns 0) and by shutdown(SHUT_RD) of its own socket from another thread.
// Each act comes once the thread is seen asleep in the kernel (thr_common's bounded
// wait_tid_sleeping), so it has to be woken.
#include "sock.h"
#include "thr_common.h"

static int rfd;
static volatile int woke;
static volatile pid_t tid;

static void *blocked_recv(void *arg)
{
    (void)arg;
    tid = gettid();
    char buf[16] = {0};
    ssize_t r = recv(rfd, buf, sizeof buf, 0);
    woke = 1;
    static char res[64];
    snprintf(res, sizeof res, "%zd '%s'", r, buf);
    return res;
}

static void *blocked_poll(void *arg)
{
    (void)arg;
    tid = gettid();
    struct pollfd p = {rfd, POLLIN, 0};
    int n = poll(&p, 1, 10000);
    static char res[200];
    snprintf(res, sizeof res, "%d %s", n, revents_str(p.revents));
    return res;
}

static void run(const char *label, int fd, void *(*fn)(void *), void (*act)(void))
{
    rfd = fd;
    woke = 0;
    tid = 0;
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    int asleep = wait_tid_sleeping(&tid);
    printf("%s: asleep: %d, still blocked: %d\n", label, asleep, !woke);
    act();
    void *res;
    pthread_join(t, &res);
    printf("%s: woke with %s\n", label, (char *)res);
}

static int c, s, u, tx;
static void send_tcp(void) { write(c, "tcp!", 4); }
static void send_udp(void)
{
    struct sockaddr_in to = sin4("127.0.0.1", port_of(u));
    sendto(tx, "udp!", 4, 0, (struct sockaddr *)&to, sizeof to);
}
static void peer_shut(void) { shutdown(c, SHUT_WR); }
static void own_shut(void) { shutdown(s, SHUT_RD); }

int main(void)
{
    tcp_pair(0, &c, &s);
    u = udp_sock4();
    tx = socket(AF_INET, SOCK_DGRAM, 0);
    run("tcp recv", s, blocked_recv, send_tcp);
    run("udp recv", u, blocked_recv, send_udp);
    run("tcp poll", s, blocked_poll, send_tcp);
    char b[8];
    read(s, b, sizeof b);
    run("udp poll", u, blocked_poll, send_udp);
    recv(u, b, sizeof b, 0);
    run("tcp recv, peer SHUT_WR", s, blocked_recv, peer_shut);
    close(c);
    close(s);
    tcp_pair(1, &c, &s);
    run("tcp6 recv, own SHUT_RD from another thread", s, blocked_recv, own_shut);
    return 0;
}
