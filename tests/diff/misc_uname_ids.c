// uname (stable fields only) and the uid/gid family as root.
#include "common.h"
#include <sys/utsname.h>
#include <grp.h>
#include <sys/fsuid.h>

int main(void)
{
    struct utsname u;
    SHOW("uname", uname(&u));
    printf("sysname: %s\nmachine: %s\n", u.sysname, u.machine);
    printf("release non-empty: %s\n", u.release[0] ? "yes" : "no");
    printf("uid %d euid %d gid %d egid %d\n", getuid(), geteuid(), getgid(), getegid());
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    printf("resuid %d %d %d\n", r, e, s);
    gid_t gr, ge, gs;
    getresgid(&gr, &ge, &gs);
    printf("resgid %d %d %d\n", gr, ge, gs);
    int ng = getgroups(0, NULL);
    printf("getgroups count >= 0: %s\n", ng >= 0 ? "yes" : "no");
    gid_t small[1];
    SHOW("getgroups negative size", syscall(SYS_getgroups, -1, small));
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        SHOW("setgroups 2 groups", setgroups(2, (gid_t[]){7, 8}));
        gid_t g[8];
        int n = getgroups(8, g);
        printf("getgroups: %d [%d %d]\n", n, g[0], g[1]);
        SHOW("getgroups too small", getgroups(1, g));
        SHOW("setresgid 100,200,300", setresgid(100, 200, 300));
        getresgid(&gr, &ge, &gs);
        printf("resgid %d %d %d\n", gr, ge, gs);
        SHOW("setresuid 1000,1001,1002", setresuid(1000, 1001, 1002));
        getresuid(&r, &e, &s);
        printf("resuid %d %d %d\n", r, e, s);
        SHOW("seteuid to saved 1002", seteuid(1002));
        SHOW("seteuid to 0 (not in set)", seteuid(0));
        SHOW("setuid 5 unprivileged", setuid(5));
        SHOW("setgroups unprivileged", setgroups(0, NULL));
        SHOW("setuid to real 1000", setuid(1000));
        getresuid(&r, &e, &s);
        printf("resuid %d %d %d\n", r, e, s);
        _exit(0);
    }
    wait_show("child", p);
    p = fork();
    if (p == 0) {
        SHOW("setuid 65534 as root", setuid(65534));
        getresuid(&r, &e, &s);
        printf("all ids changed: %d %d %d\n", r, e, s);
        SHOW("setuid 0 back", setuid(0));
        SHOW("setgid 0 as nobody", setgid(0));
        _exit(0);
    }
    wait_show("child", p);
    SHOW("setresuid -1s no-op", setresuid(-1, -1, -1));
    SHOW("setfsuid returns old", setfsuid(-1));
    return 0;
}
