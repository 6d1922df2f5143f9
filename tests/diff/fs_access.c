// access/faccessat as root: R/W always, X needs some x bit.
#include "common.h"

int main(void)
{
    put_file("f", "x");
    chmod("f", 0);
    SHOW("F_OK", access("f", F_OK));
    SHOW("R_OK mode 0 as root", access("f", R_OK));
    SHOW("W_OK mode 0 as root", access("f", W_OK));
    SHOW("X_OK mode 0 as root", access("f", X_OK));
    chmod("f", 0100);
    SHOW("X_OK mode 0100 as root", access("f", X_OK));
    chmod("f", 0001);
    SHOW("X_OK mode 0001 as root", access("f", X_OK));
    SHOW("missing", access("missing", F_OK));
    SHOW("through file", access("f/x", F_OK));
    SHOW("bad mode", access("f", 8));
    MUST(mkdir("d", 0));
    SHOW("X_OK dir mode 0 as root", access("d", X_OK));
    SHOW("faccessat AT_EACCESS", faccessat(AT_FDCWD, "f", R_OK, AT_EACCESS));
    SHOW("faccessat bad flag raw", syscall(SYS_faccessat2, AT_FDCWD, "f", R_OK, 0x1));
    SHOW("faccessat (3 args) raw", syscall(SYS_faccessat, AT_FDCWD, "f", R_OK));
    SHOW("faccessat2 AT_SYMLINK_NOFOLLOW", (symlink("missing", "dang"),
        syscall(SYS_faccessat2, AT_FDCWD, "dang", F_OK, AT_SYMLINK_NOFOLLOW)));
    SHOW("access dangling", access("dang", F_OK));
    SHOW("faccessat bad dirfd", faccessat(98, "f", F_OK, 0));
    SHOW("access bad ptr", syscall(SYS_access, BADPTR, F_OK));
    SHOW("/dev/null W_OK", access("/dev/null", W_OK));
    SHOW("/bin/sh X_OK", access("/bin/sh", X_OK));
    /* as an unprivileged user, permissions apply */
    fflush(stdout);
    chmod("f", 0600);
    chmod(".", 0755);
    pid_t p = fork();
    if (p == 0) {
        if (setgid(65534) < 0 || setuid(65534) < 0) {
            printf("setuid failed\n");
            _exit(1);
        }
        printf("nobody R_OK on 0600 root file: %s\n", access("f", R_OK) ? en(errno) : "ok");
        printf("nobody open 0600 root file: %s\n", open("f", O_RDONLY) < 0 ? en(errno) : "ok");
        printf("nobody create in 0755 root dir: %s\n",
               open("new", O_CREAT | O_WRONLY, 0644) < 0 ? en(errno) : "ok");
        printf("nobody R_OK /dev/null: %s\n", access("/dev/null", R_OK) ? en(errno) : "ok");
        _exit(0);
    }
    wait_show("child", p);
    return 0;
}
