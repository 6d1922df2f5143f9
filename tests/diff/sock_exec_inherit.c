// Sockets across fork and exec: a child shares the connection (what it writes the peer reads;
// the parent closing its copy does not end it), a socket without FD_CLOEXEC survives exec and
// works in the new image, one with SOCK_CLOEXEC is closed (EBADF there).
#include "sock.h"

int main(int argc, char **argv)
{
    if (argc == 3) {
        int fd = atoi(argv[1]), cl = atoi(argv[2]);
        char lab[64];
        snprintf(lab, sizeof lab, "after exec: write to the inherited socket");
        SHOW(lab, write(fd, "exec", 4));
        int t = -1;
        socklen_t l = sizeof t;
        SHOW("after exec: SO_TYPE of the inherited socket", getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &l));
        printf("type: %d\n", t);
        SHOW("after exec: the SOCK_CLOEXEC socket", fcntl(cl, F_GETFD));
        return 0;
    }
    int c, s;
    tcp_pair(0, &c, &s);
    pid_t pid = fork();
    if (pid == 0) {
        write(s, "child", 5);
        _exit(0);
    }
    wait_show("child", pid);
    char buf[16] = {0};
    SHOW("parent's peer reads", read(c, buf, sizeof buf));
    printf("data: %s\n", buf);
    int cl = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    pid = fork();
    if (pid == 0) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", s);
        snprintf(b, sizeof b, "%d", cl);
        execl(self_path(argv[0]), argv[0], a, b, (char *)NULL);
        _exit(127);
    }
    wait_show("exec child", pid);
    memset(buf, 0, sizeof buf);
    SHOW("peer reads what the exec'd child wrote", read(c, buf, sizeof buf));
    printf("data: %s\n", buf);
    close(s);
    SHOW("EOF once every copy is closed", read(c, buf, sizeof buf));
    return 0;
}
