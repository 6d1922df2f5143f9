/* Abstract names ("\0name") and autobind: their lengths, one table per socket
 * type, names that vanish with their socket. */
#include "net_unix.h"

int main(void)
{
    struct sockaddr_un a;
    socklen_t al = un_abs(&a, "rill-abstract");
    int l, c, d;
    MUST(l = socket(AF_UNIX, SOCK_STREAM, 0));
    S(bind(l, (struct sockaddr *)&a, al));
    show_name("bound", l, 0);
    S(listen(l, 1));
    MUST(c = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(c, (struct sockaddr *)&a, al));
    show_name("client peer", c, 1);
    int l2;
    MUST(l2 = socket(AF_UNIX, SOCK_STREAM, 0));
    S(bind(l2, (struct sockaddr *)&a, al));
    /* the same name for a datagram socket is another name */
    MUST(d = socket(AF_UNIX, SOCK_DGRAM, 0));
    S(bind(d, (struct sockaddr *)&a, al));
    /* the name is exactly addrlen bytes: a longer one is different */
    struct sockaddr_un b = a;
    S(bind(l2, (struct sockaddr *)&b, al + 1));
    show_name("longer name", l2, 0);
    /* a shorter connect does not find it */
    int c2;
    MUST(c2 = socket(AF_UNIX, SOCK_STREAM, 0));
    S(connect(c2, (struct sockaddr *)&a, al - 1));
    /* gone with its socket */
    close(l);
    S(connect(c2, (struct sockaddr *)&a, al));
    int l3;
    MUST(l3 = socket(AF_UNIX, SOCK_STREAM, 0));
    S(bind(l3, (struct sockaddr *)&a, al));
    /* the empty abstract name */
    int e;
    MUST(e = socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un z = {.sun_family = AF_UNIX};
    S(bind(e, (struct sockaddr *)&z, 3));
    show_name("empty abstract", e, 0);
    /* autobind: addrlen 2 gives "\0" and five hex digits */
    int ab;
    MUST(ab = socket(AF_UNIX, SOCK_DGRAM, 0));
    S(bind(ab, (struct sockaddr *)&z, 2));
    struct sockaddr_un n;
    socklen_t nl = sizeof n;
    S(getsockname(ab, (struct sockaddr *)&n, &nl));
    int hex = 1;
    for (int i = 1; i < 6; i++)
        hex &= !!strchr("0123456789abcdef", n.sun_path[i]) && n.sun_path[i];
    printf("autobind: len %d leading NUL %d five hex digits %d\n", (int)nl, n.sun_path[0] == 0, hex);
    S(bind(ab, (struct sockaddr *)&z, 2));
    S(bind(ab, (struct sockaddr *)&a, al));
    /* the autobound name can be sent to */
    int s;
    MUST(s = socket(AF_UNIX, SOCK_DGRAM, 0));
    S(sendto(s, "hi", 2, 0, (struct sockaddr *)&n, nl));
    char buf[8];
    S(recv(ab, buf, sizeof buf, 0));
    /* a sender with SO_PASSCRED is autobound when it sends */
    int one = 1;
    S(setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    show_name("before send", s, 0);
    S(sendto(s, "hi", 2, 0, (struct sockaddr *)&n, nl));
    nl = sizeof n;
    S(getsockname(s, (struct sockaddr *)&n, &nl));
    printf("after send: len %d\n", (int)nl);
    struct sockaddr_un f;
    socklen_t fl = sizeof f;
    S(recvfrom(ab, buf, sizeof buf, 0, (struct sockaddr *)&f, &fl));
    printf("from: len %d same %d\n", (int)fl, fl == nl && !memcmp(&f, &n, nl));
    /* a client with SO_PASSCRED is autobound at connect */
    int l4, c4;
    MUST(l4 = socket(AF_UNIX, SOCK_STREAM, 0));
    S(bind(l4, (struct sockaddr *)&z, 2));
    nl = sizeof n;
    getsockname(l4, (struct sockaddr *)&n, &nl);
    S(listen(l4, 1));
    MUST(c4 = socket(AF_UNIX, SOCK_STREAM, 0));
    S(setsockopt(c4, SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
    S(connect(c4, (struct sockaddr *)&n, nl));
    socklen_t cl = sizeof f;
    getsockname(c4, (struct sockaddr *)&f, &cl);
    printf("passcred client name len %d\n", (int)cl);
    return 0;
}
