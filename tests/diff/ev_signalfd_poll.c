/* signalfd readiness: poll, select, epoll (LT and ET), wake-ups from other processes. */
#include "ev_common.h"

int main(void)
{
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGTERM);
    sigprocmask(SIG_BLOCK, &m, NULL);
    int fd = signalfd(-1, &m, SFD_NONBLOCK);
    struct pollfd pf = {.fd = fd, .events = POLLIN | POLLOUT};
    SHOW("poll none", poll(&pf, 1, 0));
    kill(getpid(), SIGUSR1);
    SHOW("poll pending", poll(&pf, 1, 0));
    printf("revents %#x\n", pf.revents);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(fd, &rs);
    struct timeval tv = {0, 0};
    SHOW("select", select(fd + 1, &rs, NULL, NULL, &tv));
    int ep = epoll_create1(0);
    SHOW("add", ep_add(ep, fd, EPOLLIN, 1));
    int ep2 = epoll_create1(0);
    SHOW("add ET", ep_add(ep2, fd, EPOLLIN | EPOLLET, 2));
    ep_show("LT", ep, 4, 0);
    ep_show("ET", ep2, 4, 0);
    ep_show("ET again", ep2, 4, 0);
    struct signalfd_siginfo s;
    SHOW("read", read(fd, &s, sizeof s));
    ep_show("LT after read", ep, 4, 0);
    /* another process signals us while we sleep in epoll_wait */
    pid_t c = fork();
    if (c == 0) {
        usleep(100000);
        kill(getppid(), SIGTERM);
        _exit(0);
    }
    ep_show("woken by a signal", ep, 4, 3000);
    ep_show("ET woken too", ep2, 4, 0);
    waitpid(c, NULL, 0);
    SHOW("read", read(fd, &s, sizeof s));
    printf("signo %u\n", s.ssi_signo);
    /* a blocking poll woken by the signal */
    c = fork();
    if (c == 0) {
        usleep(100000);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    pf.events = POLLIN;
    SHOW("blocking poll", poll(&pf, 1, 3000));
    waitpid(c, NULL, 0);
    SHOW("read", read(fd, &s, sizeof s));
    /* signals outside the mask do not make it ready */
    sigset_t u2;
    sigemptyset(&u2);
    sigaddset(&u2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &u2, NULL);
    kill(getpid(), SIGUSR2);
    SHOW("other signal", poll(&pf, 1, 0));
    /* after a mask update it is */
    sigaddset(&m, SIGUSR2);
    signalfd(fd, &m, 0);
    SHOW("after mask update", poll(&pf, 1, 0));
    ep_show("epoll after mask update", ep, 4, 0);
    return 0;
}
