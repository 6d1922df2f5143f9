/* Connection refusal: a socket node nobody listens on, a full backlog, a
 * listener that closes with connections queued. */
#include "net_unix.h"
#include "thr_common.h"

int main(void)
{
    struct sockaddr_un a;
    socklen_t al = un_path(&a, "s");
    int l, c;
    MUST(c = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(c, (struct sockaddr *)&a, al));
    MUST(l = socket(AF_UNIX, SOCK_STREAM, 0));
    S(bind(l, (struct sockaddr *)&a, al));
    S(connect(c, (struct sockaddr *)&a, al));
    S(listen(l, 1));
    /* backlog 1 takes two; a nonblocking third gets EAGAIN */
    int cs[4];
    for (int i = 0; i < 4; i++) {
        MUST(cs[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
        printf("connect %d: ", i);
        SHOW("", connect(cs[i], (struct sockaddr *)&a, al));
    }
    show_poll("queued client", cs[0]);
    /* a blocking connect waits until accept makes room */
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        int b = socket(AF_UNIX, SOCK_STREAM, 0);
        int r = connect(b, (struct sockaddr *)&a, al);
        printf("child blocking connect: %d\n", r);
        _exit(0);
    }
    /* once the child is seen asleep in its connect (bounded) */
    wait_sleeping(p, p);
    int s;
    MUST(s = accept(l, NULL, NULL));
    wait_show("child", p);
    S(write(cs[0], "data", 4));
    /* the listener closes: queued connections are reset */
    close(l);
    show_poll("queued client after listener close", cs[1]);
    int e;
    socklen_t el = sizeof e;
    S(getsockopt(cs[1], SOL_SOCKET, SO_ERROR, &e, &el));
    printf("SO_ERROR %s\n", e ? en(e) : "0");
    char buf[8];
    S(read(cs[1], buf, sizeof buf));
    /* the accepted connection lives on */
    S(read(s, buf, sizeof buf));
    /* the node stays; nobody listens */
    S(access("s", F_OK));
    int c2;
    MUST(c2 = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(c2, (struct sockaddr *)&a, al));
    S(unlink("s"));
    S(connect(c2, (struct sockaddr *)&a, al));
    /* a plain socket node made with mknod */
    S(mknod("n", S_IFSOCK | 0600, 0));
    socklen_t nl = un_path(&a, "n");
    S(connect(c2, (struct sockaddr *)&a, nl));
    /* bind over it */
    S(bind(c2, (struct sockaddr *)&a, nl));
    /* a listener that stopped receiving refuses */
    int l2;
    MUST(l2 = socket(AF_UNIX, SOCK_STREAM, 0));
    socklen_t l2l = un_path(&a, "s2");
    S(bind(l2, (struct sockaddr *)&a, l2l));
    S(listen(l2, 5));
    S(shutdown(l2, SHUT_RD));
    S(connect(c2, (struct sockaddr *)&a, l2l));
    return 0;
}
