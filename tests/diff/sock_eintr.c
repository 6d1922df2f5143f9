// Signals and blocking socket calls: a handler without SA_RESTART interrupts recv, accept and
// connect-free waits with EINTR; with SA_RESTART recv and accept restart (and then get the
// data/connection); a recv with SO_RCVTIMEO set returns EINTR even with SA_RESTART (Linux
// does not restart calls with a socket timeout). The helper threads act only after the
// handler has run and the main thread is seen asleep again in the restarted call (bounded).
#include "sock.h"
#include "thr_common.h"

static volatile sig_atomic_t hits;
static void on_alrm(int s)
{
    (void)s;
    hits++;
}

static void handler(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, NULL);
}

static void arm(int ms)
{
    struct itimerval it = {{0, 0}, {0, ms * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static pid_t main_tid;
static sig_atomic_t want;

/* Until the handler has run `want` times and the main thread sleeps again (bounded). */
static void after_signal(void)
{
    for (int i = 0; i < 10000 && hits < want; i++)
        usleep(1000);
    if (hits < want)
        printf("TIMEOUT waiting for the signal\n");
    wait_sleeping(getpid(), main_tid);
}

static int feed_fd;
static void *late_writer(void *arg)
{
    (void)arg;
    after_signal();
    write(feed_fd, "late", 4);
    return NULL;
}

static int conn_port;
static void *late_connect(void *arg)
{
    (void)arg;
    after_signal();
    int c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", conn_port);
    return (void *)(intptr_t)c;
}

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    char buf[8];
    handler(0);
    arm(50);
    SHOW("recv, no SA_RESTART", recv(s, buf, sizeof buf, 0));
    int l = tcp_listener4();
    arm(50);
    SHOW("accept, no SA_RESTART", accept(l, NULL, NULL));
    int u = udp_sock4();
    arm(50);
    SHOW("udp recvfrom, no SA_RESTART", recvfrom(u, buf, sizeof buf, 0, NULL, NULL));
    struct pollfd p = {s, POLLIN, 0};
    arm(50);
    SHOW("poll, SA_RESTART irrelevant", poll(&p, 1, 5000));

    handler(1);
    main_tid = gettid();
    feed_fd = c;
    want = hits + 1;
    pthread_t t;
    sigset_t blk;
    sigemptyset(&blk);
    sigaddset(&blk, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &blk, NULL); /* the helper threads never take the signal */
    pthread_create(&t, NULL, late_writer, NULL);
    pthread_sigmask(SIG_UNBLOCK, &blk, NULL);
    arm(50);
    SHOW("recv, SA_RESTART (restarted, gets the data)", recv(s, buf, sizeof buf, 0));
    pthread_join(t, NULL);
    conn_port = port_of(l);
    want = hits + 1;
    pthread_sigmask(SIG_BLOCK, &blk, NULL);
    pthread_create(&t, NULL, late_connect, NULL);
    pthread_sigmask(SIG_UNBLOCK, &blk, NULL);
    arm(50);
    SHOWOK("accept, SA_RESTART (restarted)", accept(l, NULL, NULL));
    pthread_join(t, NULL);
    struct timeval tv = {2, 0};
    MUST(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    arm(50);
    SHOW("recv with SO_RCVTIMEO, SA_RESTART", recv(s, buf, sizeof buf, 0));
    printf("handler ran: %d times\n", (int)hits);
    return 0;
}
