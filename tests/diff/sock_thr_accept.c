// Blocking accept in 6 threads on one listener: 30 connections are each accepted exactly once
// (the accepted sockets' peer ports are all distinct and match the clients'); then the waiting
// acceptors, once each is seen asleep (thr_common's bounded wait_sleeping), are woken by
// shutdown(SHUT_RD) of the listener and return EINVAL.
#include "sock.h"
#include "thr_common.h"

#define THREADS 6
#define CONNS 30
static int lfd;
static int ports[CONNS + THREADS];
static int nports;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int errs[THREADS];
static volatile pid_t tids[THREADS];

static void *acceptor(void *arg)
{
    int id = (int)(intptr_t)arg;
    tids[id] = gettid();
    for (;;) {
        sockaddr_any pa;
        socklen_t pl = sizeof pa;
        int s = accept(lfd, &pa.sa, &pl);
        if (s < 0) {
            errs[id] = errno;
            return NULL;
        }
        pthread_mutex_lock(&mu);
        ports[nports++] = ntohs(pa.in4.sin_port);
        pthread_mutex_unlock(&mu);
        close(s);
    }
}

int main(void)
{
    lfd = tcp_listener4();
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, acceptor, (void *)(intptr_t)i);
    int cports[CONNS], cfd[CONNS];
    for (int i = 0; i < CONNS; i++) {
        cfd[i] = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(lfd));
        MUST(cfd[i]);
        cports[i] = port_of(cfd[i]);
    }
    /* wait until all were accepted */
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&mu);
        int n = nports;
        pthread_mutex_unlock(&mu);
        if (n >= CONNS)
            break;
        usleep(10000);
    }
    int asleep = 0;
    for (int i = 0; i < THREADS; i++)
        asleep += wait_tid_sleeping(&tids[i]);
    printf("acceptors asleep: %d of %d\n", asleep, THREADS);
    SHOW("shutdown SHUT_RD on the listener", shutdown(lfd, SHUT_RD));
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    int once = 1;
    for (int i = 0; i < CONNS; i++) {
        int hits = 0;
        for (int k = 0; k < nports; k++)
            hits += ports[k] == cports[i];
        if (hits != 1)
            once = 0;
    }
    printf("accepted: %d, each client exactly once: %d\n", nports, once);
    int einval = 0;
    for (int i = 0; i < THREADS; i++)
        einval += errs[i] == EINVAL;
    printf("acceptors woken with EINVAL: %d of %d\n", einval, THREADS);
    SHOW("accept after shutdown", accept(lfd, NULL, NULL));
    show_opt("SO_ACCEPTCONN after shutdown", lfd, SOL_SOCKET, SO_ACCEPTCONN);
    SHOW("listen again", listen(lfd, 5));
    int c = connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port_of(lfd));
    SHOWOK("connect to the relistened socket", c);
    return 0;
}
