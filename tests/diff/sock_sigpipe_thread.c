// SIGPIPE from a socket write is directed at the writing thread: a second thread writes to a
// reset connection and the handler runs in that thread (not main); with SIGPIPE blocked in the
// writer it stays pending for that thread only (sigpending there, not in main) and the write
// still returns EPIPE.
#include "sock.h"

static volatile pid_t handler_tid;
static void on_pipe(int s)
{
    (void)s;
    handler_tid = (pid_t)syscall(SYS_gettid);
}

static int dead(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    struct linger lg = {1, 0};
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(s);
    wait_ev(c, POLLERR);
    char b;
    read(c, &b, 1); /* consume ECONNRESET */
    return c;
}

static int wfd;
static pid_t writer_tid;
static int write_errno, pending_in_writer;

static void *writer(void *arg)
{
    int block = (int)(intptr_t)arg;
    writer_tid = (pid_t)syscall(SYS_gettid);
    if (block) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &s, NULL);
    }
    errno = 0;
    write(wfd, "x", 1);
    write_errno = errno;
    if (block) {
        sigset_t p;
        sigpending(&p);
        pending_in_writer = sigismember(&p, SIGPIPE);
        /* discard it so it never reaches the handler */
        signal(SIGPIPE, SIG_IGN);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGPIPE);
        pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    }
    return NULL;
}

int main(void)
{
    signal(SIGPIPE, on_pipe);
    wfd = dead();
    pthread_t t;
    pthread_create(&t, NULL, writer, (void *)0);
    pthread_join(t, NULL);
    printf("write errno: %s\n", en(write_errno));
    printf("handler ran in the writer thread: %d\n", handler_tid == writer_tid && handler_tid != 0);
    handler_tid = 0;
    pthread_create(&t, NULL, writer, (void *)1);
    pthread_join(t, NULL);
    printf("blocked: write errno: %s, pending in the writer: %d\n", en(write_errno),
           pending_in_writer);
    sigset_t p;
    sigpending(&p);
    printf("pending in main: %d, handler ran: %d\n", sigismember(&p, SIGPIPE), handler_tid != 0);
    return 0;
}
