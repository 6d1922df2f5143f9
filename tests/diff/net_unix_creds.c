/* SO_PEERCRED, SO_PASSCRED and SCM_CREDENTIALS (printed as comparisons with
 * getpid/getuid, never as numbers). */
#include "net_unix.h"

static void peercred(const char *label, int fd, pid_t pid)
{
    struct ucred uc;
    socklen_t l = sizeof uc;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &l) < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    printf("%s: len %d pid ok %d uid ok %d gid ok %d\n", label, (int)l, uc.pid == pid,
           uc.uid == geteuid(), uc.gid == getegid());
}

static void recv_creds(const char *label, int fd, pid_t pid)
{
    char buf[16] = {0}, ctl[CMSG_SPACE(sizeof(struct ucred)) * 2];
    struct iovec io = {buf, sizeof buf - 1};
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = sizeof ctl;
    ssize_t r = recvmsg(fd, &m, 0);
    if (r < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    printf("%s: %zd \"%s\"", label, r, buf);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred uc;
            memcpy(&uc, CMSG_DATA(c), sizeof uc);
            printf(" creds len %d pid ok %d uid ok %d gid ok %d", (int)(c->cmsg_len - CMSG_LEN(0)),
                   uc.pid == pid, uc.uid == getuid(), uc.gid == getgid());
        }
    printf("\n");
}

static ssize_t send_creds(int fd, const char *d, struct ucred uc)
{
    char ctl[CMSG_SPACE(sizeof uc)];
    struct iovec io = {(void *)d, strlen(d)};
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = sizeof ctl;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof uc);
    memcpy(CMSG_DATA(c), &uc, sizeof uc);
    return sendmsg(fd, &m, 0);
}

int main(void)
{
    int sv[2];
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    peercred("socketpair", sv[0], getpid());
    int u;
    MUST(u = socket(AF_UNIX, SOCK_STREAM, 0));
    struct ucred uc;
    socklen_t l = sizeof uc;
    S(getsockopt(u, SOL_SOCKET, SO_PEERCRED, &uc, &l));
    printf("unconnected: pid %d uid %d gid %d\n", uc.pid, (int)uc.uid, (int)uc.gid);
    l = 4;
    S(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &l));
    printf("short: len %d\n", (int)l);
    S(setsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, sizeof uc));
    /* without SO_PASSCRED: no credentials */
    S(write(sv[0], "a", 1));
    recv_creds("plain", sv[1], getpid());
    int one = 1, v;
    S(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    l = sizeof v;
    S(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l));
    printf("SO_PASSCRED %d\n", v);
    S(write(sv[0], "b", 1));
    recv_creds("passcred", sv[1], getpid());
    /* messages from two writers are not glued together */
    S(write(sv[0], "c", 1));
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        (void)!write(sv[0], "d", 1);
        _exit(0);
    }
    wait_show("writer", p);
    recv_creds("parent's", sv[1], getpid());
    recv_creds("child's", sv[1], p);
    /* explicit credentials: one's own */
    struct ucred mine = {getpid(), getuid(), getgid()};
    S(send_creds(sv[0], "e", mine));
    recv_creds("explicit", sv[1], getpid());
    /* datagrams, with the sender's SO_PASSCRED */
    int dv[2];
    MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv));
    S(setsockopt(dv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    S(write(dv[0], "f", 1));
    S(setsockopt(dv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    recv_creds("dgram", dv[1], getpid());
    /* connect/accept across processes: each end sees the other */
    struct sockaddr_un a;
    socklen_t al = un_path(&a, "s");
    int lsn;
    MUST(lsn = socket(AF_UNIX, SOCK_STREAM, 0));
    MUST(bind(lsn, (struct sockaddr *)&a, al));
    MUST(listen(lsn, 1));
    peercred("listener", lsn, getpid());
    int pp[2];
    MUST(pipe(pp));
    fflush(stdout);
    p = fork();
    if (p == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&a, al) < 0)
            _exit(1);
        struct ucred x;
        socklen_t xl = sizeof x;
        getsockopt(c, SOL_SOCKET, SO_PEERCRED, &x, &xl);
        char r = x.pid == getppid() ? 'y' : 'n';
        (void)!write(pp[1], &r, 1);
        char b;
        (void)!read(c, &b, 1);
        _exit(0);
    }
    int s;
    MUST(s = accept(lsn, NULL, NULL));
    peercred("accepted", s, p);
    char r = '?';
    (void)!read(pp[0], &r, 1);
    printf("client sees the listener: %c\n", r);
    close(s);
    wait_show("client", p);
    return 0;
}
