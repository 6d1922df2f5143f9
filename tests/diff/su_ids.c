// uid/gid calls: setresuid/getresuid, setresgid, setgroups/getgroups, setfsuid, permission rules.
#include "common.h"
#include <grp.h>
#include <sys/fsuid.h>

static void ids(const char *label)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    printf("%s: uid %u %u %u gid %u %u %u\n", label, r, e, s, gr, ge, gs);
}

int main(void)
{
    pid_t c = fork();
    if (c == 0) {
        ids("start");
        SHOW("getgroups(0)", getgroups(0, NULL) >= 0 ? 0 : -1);
        gid_t g[4] = {10, 20, 30, 40};
        SHOW("setgroups 3", setgroups(3, g));
        SHOW("getgroups(0)", getgroups(0, NULL));
        gid_t out[8] = {0};
        SHOW("getgroups(8)", getgroups(8, out));
        printf("groups: %u %u %u\n", out[0], out[1], out[2]);
        SHOW("getgroups(2) too small", getgroups(2, out));
        SHOW("getgroups(-1)", syscall(SYS_getgroups, -1, out));
        SHOW("setgroups -1", syscall(SYS_setgroups, -1, g));
        SHOW("setgroups 70000", syscall(SYS_setgroups, 70000, g));
        SHOW("setgroups bad ptr", syscall(SYS_setgroups, 2, BADPTR));
        SHOW("getgroups bad ptr", syscall(SYS_getgroups, 8, BADPTR));
        SHOW("setgroups 0", setgroups(0, NULL));
        SHOW("getgroups(0)", getgroups(0, NULL));
        SHOW("setgroups 1", setgroups(1, g));
        SHOW("setresgid 100 200 300", setresgid(100, 200, 300));
        SHOW("setresuid 1000 1001 1002", setresuid(1000, 1001, 1002));
        ids("after setres");
        /* unprivileged: may only use values from the current set */
        SHOW("setresuid -1 1000 -1", setresuid(-1, 1000, -1));
        SHOW("setresuid -1 1002 -1", setresuid(-1, 1002, -1));
        SHOW("setresuid -1 5 -1", setresuid(-1, 5, -1));
        SHOW("setresgid 300 -1 -1", setresgid(300, -1, -1));
        SHOW("setresgid 7 -1 -1", setresgid(7, -1, -1));
        ids("after unprivileged changes");
        SHOW("setgroups unprivileged", setgroups(1, g));
        SHOW("getgroups still 1", getgroups(0, NULL));
        SHOW("setuid(0) unprivileged", setuid(0));
        SHOW("setuid(1000) (real uid)", setuid(1000));
        ids("after setuid(1000)");
        /* setfsuid(-1) changes nothing and returns the fsuid (which follows the euid) */
        printf("setfsuid(-1) returns %d\n", setfsuid(-1));
        _exit(0);
    }
    wait_show("child", c);
    c = fork();
    if (c == 0) {
        /* root: setuid sets all three; saved set-user-ID keeps euid 0 when only euid changes */
        SHOW("seteuid 1234", seteuid(1234));
        ids("seteuid");
        SHOW("seteuid back to 0", seteuid(0));
        SHOW("setreuid 5 6", setreuid(5, 6));
        ids("setreuid");
        SHOW("setreuid -1 0 back", setreuid(-1, 0));
        SHOW("setuid 77", setuid(77));
        ids("setuid as root");
        SHOW("seteuid 0 now", seteuid(0));
        _exit(0);
    }
    wait_show("child", c);
    SHOW("getresuid bad ptr", syscall(SYS_getresuid, BADPTR, BADPTR, BADPTR));
    return 0;
}
