/* Permissions of unix socket path names for an unprivileged process: connect
 * needs write permission on the node, bind write permission on the directory. */
#include "net_unix.h"

int main(void)
{
    umask(022);
    struct sockaddr_un a, b;
    socklen_t al = un_path(&a, "open"), bl = un_path(&b, "closed");
    int lo, lc;
    MUST(lo = socket(AF_UNIX, SOCK_STREAM, 0));
    MUST(bind(lo, (struct sockaddr *)&a, al));
    MUST(listen(lo, 5));
    MUST(chmod("open", 0777));
    MUST(lc = socket(AF_UNIX, SOCK_STREAM, 0));
    MUST(bind(lc, (struct sockaddr *)&b, bl));
    MUST(listen(lc, 5));
    struct stat st;
    MUST(stat("closed", &st));
    printf("closed mode %o\n", st.st_mode & 0777);
    MUST(mkdir("ro", 0755));
    MUST(mkdir("rw", 0777));
    MUST(chmod("rw", 0777));
    MUST(chmod(".", 0755));
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        if (setgid(65534) < 0 || setuid(65534) < 0)
            _exit(2);
        int c;
        MUST(c = socket(AF_UNIX, SOCK_STREAM, 0));
        S(connect(c, (struct sockaddr *)&b, bl));
        S(connect(c, (struct sockaddr *)&a, al));
        int d;
        MUST(d = socket(AF_UNIX, SOCK_STREAM, 0));
        struct sockaddr_un x;
        S(bind(d, (struct sockaddr *)&x, un_path(&x, "ro/s")));
        S(bind(d, (struct sockaddr *)&x, un_path(&x, "rw/s")));
        struct stat s2;
        if (stat("rw/s", &s2) == 0)
            printf("owned by the binder %d\n", s2.st_uid == 65534);
        _exit(0);
    }
    wait_show("unprivileged", p);
    /* root may connect anywhere */
    int c;
    MUST(c = socket(AF_UNIX, SOCK_STREAM, 0));
    MUST(chmod("closed", 0));
    S(connect(c, (struct sockaddr *)&b, bl));
    return 0;
}
