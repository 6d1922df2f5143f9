// MSG_WAITALL on a blocking TCP socket gathers two writes into one recv: the second is
// made by another thread only once the reader is seen asleep in recv (thr_common's
// bounded wait_sleeping), so the recv has had to wait for it. Without MSG_WAITALL a recv
// returns what is queued. A peer close ends a WAITALL recv early with the bytes so far.
#include "sock.h"
#include "thr_common.h"

static int wfd;
static pid_t reader;

static void *writer(void *arg)
{
    (void)arg;
    write(wfd, "first", 5);
    if (!wait_sleeping(getpid(), reader))
        printf("reader never slept\n");
    write(wfd, "second", 6);
    return NULL;
}

static void *writer_close(void *arg)
{
    (void)arg;
    write(wfd, "part", 4);
    if (!wait_sleeping(getpid(), reader))
        printf("reader never slept\n");
    close(wfd);
    return NULL;
}

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    char buf[32] = {0};
    pthread_t t;
    wfd = c;
    reader = gettid();
    pthread_create(&t, NULL, writer, NULL);
    SHOW("recv MSG_WAITALL 11", recv(s, buf, 11, MSG_WAITALL));
    printf("data: %.11s\n", buf);
    pthread_join(t, NULL);
    // without MSG_WAITALL: what the first write queued, then the rest
    write(c, "first", 5);
    memset(buf, 0, sizeof buf);
    SHOW("recv without MSG_WAITALL", recv(s, buf, 11, 0));
    printf("data: %s\n", buf);
    write(c, "second", 6);
    memset(buf, 0, sizeof buf);
    SHOW("recv the rest", recv(s, buf, 11, 0));
    printf("data: %s\n", buf);
    pthread_create(&t, NULL, writer_close, NULL);
    SHOW("recv MSG_WAITALL 20, peer closes after 4", recv(s, buf, 20, MSG_WAITALL));
    pthread_join(t, NULL);
    SHOW("recv MSG_WAITALL after EOF", recv(s, buf, 20, MSG_WAITALL));
    return 0;
}
