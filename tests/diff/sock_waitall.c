// MSG_WAITALL on a blocking TCP socket gathers two writes made 50 ms apart by another thread
// into one recv; without it the first recv returns what arrived first. A peer close ends a
// WAITALL recv early with the bytes so far.
#include "sock.h"

static int wfd;

static void *writer(void *arg)
{
    (void)arg;
    write(wfd, "first", 5);
    usleep(50000);
    write(wfd, "second", 6);
    return NULL;
}

static void *writer_close(void *arg)
{
    (void)arg;
    write(wfd, "part", 4);
    usleep(50000);
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
    pthread_create(&t, NULL, writer, NULL);
    SHOW("recv MSG_WAITALL 11", recv(s, buf, 11, MSG_WAITALL));
    printf("data: %.11s\n", buf);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, writer, NULL);
    memset(buf, 0, sizeof buf);
    SHOW("recv without MSG_WAITALL", recv(s, buf, 11, 0));
    printf("data: %s\n", buf);
    pthread_join(t, NULL);
    SHOW("recv the rest", recv(s, buf, 11, 0));
    pthread_create(&t, NULL, writer_close, NULL);
    SHOW("recv MSG_WAITALL 20, peer closes after 4", recv(s, buf, 20, MSG_WAITALL));
    pthread_join(t, NULL);
    SHOW("recv MSG_WAITALL after EOF", recv(s, buf, 20, MSG_WAITALL));
    return 0;
}
