/* SCM_RIGHTS: passing a pipe end and a file, which read gets them, peeking,
 * limits, files in flight when the receiver closes. */
#include "net_unix.h"

int main(void)
{
    int sv[2], p[2], fds[16], n;
    char buf[64];
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    MUST(pipe(p));
    put_file("f", "file contents");
    int f;
    MUST(f = open("f", O_RDONLY));
    int two[2] = {p[1], f};
    S(write(sv[0], "ab", 2));
    S(send_fds(sv[0], "cd", 2, two, 2));
    S(write(sv[0], "ef", 2));
    close(p[1]);
    close(f);
    /* the rights ride on "cd": a read takes what is before and "cd", no more */
    recv_fds("peek", sv[1], buf, sizeof buf, MSG_PEEK, fds, &n);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    recv_fds("read", sv[1], buf, sizeof buf, 0, fds, &n);
    if (n == 2) {
        struct stat st;
        fstat(fds[0], &st);
        YN("first is a fifo", S_ISFIFO(st.st_mode));
        fstat(fds[1], &st);
        YN("second is a regular file", S_ISREG(st.st_mode));
        YN("new descriptors", fds[0] != fds[1] && fds[0] > 2);
        S(write(fds[0], "through the pipe", 16));
        memset(buf, 0, sizeof buf);
        S(read(p[0], buf, sizeof buf));
        printf("pipe: %s\n", buf);
        memset(buf, 0, sizeof buf);
        S(read(fds[1], buf, sizeof buf));
        printf("file: %s\n", buf);
        YN("cloexec clear", !(fcntl(fds[1], F_GETFD) & FD_CLOEXEC));
        close(fds[0]);
        close(fds[1]);
    }
    recv_fds("rest", sv[1], buf, sizeof buf, 0, fds, &n);
    /* the pipe's writer was only in flight: now it is closed everywhere */
    S(read(p[0], buf, sizeof buf));
    /* MSG_CMSG_CLOEXEC */
    MUST(f = open("f", O_RDONLY));
    S(send_fds(sv[0], "x", 1, &f, 1));
    recv_fds("cloexec", sv[1], buf, sizeof buf, MSG_CMSG_CLOEXEC, fds, &n);
    if (n == 1)
        YN("cloexec set", fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
    /* no room for the control data: the files are dropped, MSG_CTRUNC */
    S(send_fds(sv[0], "y", 1, &f, 1));
    struct iovec io = {buf, sizeof buf};
    struct msghdr m = {0};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    S(recvmsg(sv[1], &m, 0));
    printf("no control buffer: CTRUNC %d\n", !!(m.msg_flags & MSG_CTRUNC));
    /* two messages with rights are not read together */
    S(send_fds(sv[0], "1", 1, &f, 1));
    S(send_fds(sv[0], "2", 1, &f, 1));
    recv_fds("first of two", sv[1], buf, sizeof buf, 0, fds, &n);
    recv_fds("second of two", sv[1], buf, sizeof buf, 0, fds, &n);
    /* a datagram carries them too */
    int dv[2];
    MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv));
    S(send_fds(dv[0], "dg", 2, &f, 1));
    recv_fds("dgram", dv[1], buf, sizeof buf, 0, fds, &n);
    /* too many, and bad descriptors */
    int many[254];
    for (int i = 0; i < 254; i++)
        many[i] = f;
    S(send_fds(sv[0], "m", 1, many, 254));
    S(send_fds(sv[0], "m", 1, many, 253));
    recv_fds("253", sv[1], buf, sizeof buf, MSG_PEEK, fds, &n);
    int bad = 999;
    S(send_fds(sv[0], "b", 1, &bad, 1));
    /* a receiver closed with files in flight releases them */
    int q[2];
    MUST(pipe(q));
    int ev[2];
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, ev));
    S(send_fds(ev[0], "z", 1, &q[1], 1));
    close(q[1]);
    close(ev[1]);
    S(read(q[0], buf, sizeof buf));
    return 0;
}
