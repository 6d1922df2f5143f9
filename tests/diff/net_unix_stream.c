/* AF_UNIX stream sockets over a path name: bind/listen/connect/accept, an echo
 * server in a child, the names getsockname/getpeername/accept give, unlink. */
#include "net_unix.h"

int main(void)
{
    struct sockaddr_un a, b;
    socklen_t al = un_path(&a, "sock"), bl;
    int l, c, s;
    MUST(l = socket(AF_UNIX, SOCK_STREAM, 0));
    show_name("unbound name", l, 0);
    S(listen(l, 5));
    S(bind(l, (struct sockaddr *)&a, al));
    show_name("bound name", l, 0);
    S(bind(l, (struct sockaddr *)&a, al));
    struct stat st;
    S(stat("sock", &st));
    YN("node is a socket", S_ISSOCK(st.st_mode));
    mode_t um = umask(0);
    umask(um);
    YN("node mode is 0777 & ~umask", (st.st_mode & 07777) == (0777 & ~um));
    int l2;
    MUST(l2 = socket(AF_UNIX, SOCK_STREAM, 0));
    S(bind(l2, (struct sockaddr *)&a, al));
    S(listen(l, 5));
    S(listen(l, 5));
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        /* the echo server: one connection, echo until EOF */
        int s = accept(l, (struct sockaddr *)&b, &(socklen_t){sizeof b});
        if (s < 0)
            _exit(1);
        char buf[256];
        ssize_t n;
        while ((n = read(s, buf, sizeof buf)) > 0)
            if (write(s, buf, n) != n)
                _exit(2);
        _exit(n == 0 ? 0 : 3);
    }
    MUST(c = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(c, (struct sockaddr *)&a, al));
    S(connect(c, (struct sockaddr *)&a, al));
    show_name("client name", c, 0);
    show_name("client peer", c, 1);
    const char *msgs[] = {"hello", "unix", "sockets"};
    for (int i = 0; i < 3; i++) {
        char buf[64] = {0};
        S(write(c, msgs[i], strlen(msgs[i])));
        int got = 0, n;
        while (got < (int)strlen(msgs[i]) && (n = read(c, buf + got, sizeof buf - 1 - got)) > 0)
            got += n;
        printf("echo: %s\n", buf);
    }
    S(shutdown(c, SHUT_WR));
    char buf[8];
    S(read(c, buf, sizeof buf));
    wait_show("server", p);
    close(c);

    /* the address accept gives: unnamed and named connectors */
    MUST(c = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(c, (struct sockaddr *)&a, al));
    memset(&b, 0x55, sizeof b);
    bl = sizeof b;
    MUST(s = accept(l, (struct sockaddr *)&b, &bl));
    printf("accept unnamed: len %d\n", (int)bl);
    show_name("server end name", s, 0);
    show_name("server end peer", s, 1);
    close(s);
    close(c);
    struct sockaddr_un cn;
    socklen_t cl = un_path(&cn, "client");
    MUST(c = socket(AF_UNIX, SOCK_STREAM, 0));
    S(bind(c, (struct sockaddr *)&cn, cl));
    S(connect(c, (struct sockaddr *)&a, al));
    bl = sizeof b;
    MUST(s = accept(l, (struct sockaddr *)&b, &bl));
    printf("accept named: len %d path %s\n", (int)bl, b.sun_path);
    show_name("server end peer", s, 1);
    /* a short buffer: truncated, full length back */
    bl = 4;
    memset(&b, 0, sizeof b);
    S(getpeername(s, (struct sockaddr *)&b, &bl));
    printf("short getpeername: len %d '%c%c'\n", (int)bl, b.sun_path[0], b.sun_path[1]);
    /* recvfrom on a stream from a named peer */
    S(write(c, "x", 1));
    bl = sizeof b;
    memset(&b, 0, sizeof b);
    S(recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&b, &bl));
    printf("recvfrom: len %d path %s\n", (int)bl, bl > 2 ? b.sun_path : "");
    S(sendto(s, "x", 1, 0, (struct sockaddr *)&a, al));

    /* unlink: the name goes, the connection stays */
    S(unlink("sock"));
    int c2;
    MUST(c2 = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(c2, (struct sockaddr *)&a, al));
    S(write(s, "still", 5));
    memset(buf, 0, sizeof buf);
    S(read(c, buf, sizeof buf - 1));
    printf("got: %s\n", buf);
    show_name("listener name after unlink", l, 0);
    /* the old listener keeps its name; a new one can bind the path again */
    S(bind(l2, (struct sockaddr *)&a, al));
    S(listen(l2, 5));
    S(connect(c2, (struct sockaddr *)&a, al));

    /* connecting to other kinds of files */
    put_file("plain", "x");
    socklen_t pl = un_path(&b, "plain");
    int c3;
    MUST(c3 = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(c3, (struct sockaddr *)&b, pl));
    MUST(symlink("sock", "link"));
    pl = un_path(&b, "link");
    S(connect(c3, (struct sockaddr *)&b, pl));
    MUST(mkdir("d", 0755));
    MUST(chdir("d"));
    pl = un_path(&b, "../sock");
    int c4;
    MUST(c4 = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(c4, (struct sockaddr *)&b, pl));
    pl = un_path(&b, "nodir/x");
    S(bind(c4, (struct sockaddr *)&b, pl));
    return 0;
}
