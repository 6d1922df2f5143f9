// SO_RCVLOWAT: default 1; with 10 set, 5 queued bytes do not make the socket readable for poll,
// 10 do; a blocking recv waits for the low-water mark (returns once 10 arrived, written in two
// parts by another thread); 0 reads back as 1; SO_SNDLOWAT reads 1 and cannot be set
// (ENOPROTOOPT).
#include "sock.h"

static int wfd;
static void *writer(void *arg)
{
    (void)arg;
    write(wfd, "12345", 5);
    usleep(50000);
    write(wfd, "67890", 5);
    return NULL;
}

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    show_opt("SO_RCVLOWAT default", s, SOL_SOCKET, SO_RCVLOWAT);
    show_opt("SO_SNDLOWAT default", s, SOL_SOCKET, SO_SNDLOWAT);
    SHOW("set SO_SNDLOWAT", seti(s, SOL_SOCKET, SO_SNDLOWAT, 5));
    SHOW("set SO_RCVLOWAT 10", seti(s, SOL_SOCKET, SO_RCVLOWAT, 10));
    show_opt("SO_RCVLOWAT", s, SOL_SOCKET, SO_RCVLOWAT);
    MUST(write(c, "abcde", 5));
    usleep(20000);
    show_poll("5 bytes queued", s, POLLIN, 0);
    MUST(write(c, "fghij", 5));
    show_poll("10 bytes queued", s, POLLIN, 1000);
    char buf[32] = {0};
    SHOW("recv", recv(s, buf, sizeof buf, 0));
    wfd = c;
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    memset(buf, 0, sizeof buf);
    SHOW("blocking recv waits for 10", recv(s, buf, sizeof buf, 0));
    printf("data: %s\n", buf);
    pthread_join(t, NULL);
    MUST(write(c, "xyz", 3));
    usleep(20000);
    SHOW("recv smaller than lowat (buffer 2)", recv(s, buf, 2, MSG_DONTWAIT));
    SHOW("set SO_RCVLOWAT 0", seti(s, SOL_SOCKET, SO_RCVLOWAT, 0));
    show_opt("SO_RCVLOWAT", s, SOL_SOCKET, SO_RCVLOWAT);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW("udp set SO_RCVLOWAT 100", seti(u, SOL_SOCKET, SO_RCVLOWAT, 100));
    show_opt("udp SO_RCVLOWAT", u, SOL_SOCKET, SO_RCVLOWAT);
    return 0;
}
