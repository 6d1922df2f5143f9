// openat(2) and *at dirfd semantics.
#include "common.h"

int main(void)
{
    MUST(mkdir("d", 0755));
    MUST(mkdir("d/sub", 0755));
    put_file("d/sub/file", "content\n");
    put_file("plain", "x");
    int dfd, fd;
    MUST(dfd = open("d", O_RDONLY | O_DIRECTORY));
    SHOWOK("openat relative", fd = openat(dfd, "sub/file", O_RDONLY));
    char buf[32] = {0};
    read(fd, buf, sizeof buf - 1);
    printf("read: %s", buf);
    close(fd);
    SHOWOK("openat AT_FDCWD", openat(AT_FDCWD, "d/sub/file", O_RDONLY));
    SHOWOK("openat .. from d", openat(dfd, "../plain", O_RDONLY));
    int pfd;
    MUST(pfd = open("plain", O_RDONLY));
    SHOWOK("openat dirfd is file", openat(pfd, "x", O_RDONLY));
    SHOWOK("openat bad dirfd", openat(9999, "x", O_RDONLY));
    SHOWOK("openat -5 dirfd", openat(-5, "x", O_RDONLY));
    SHOWOK("openat absolute ignores bad dirfd", openat(9999, "/dev/null", O_RDONLY));
    SHOWOK("openat O_CREAT in dirfd", fd = openat(dfd, "new", O_CREAT | O_WRONLY, 0644));
    close(fd);
    struct stat st;
    SHOW("stat d/new", stat("d/new", &st));
    int opath;
    MUST(opath = open("d", O_PATH | O_DIRECTORY));
    SHOWOK("openat via O_PATH dirfd", openat(opath, "sub/file", O_RDONLY));
    SHOW("fstatat via O_PATH dirfd", fstatat(opath, "sub", &st, 0));
    YN("sub is dir", S_ISDIR(st.st_mode));
    SHOWOK("openat2 raw missing", syscall(SYS_openat, dfd, "missing", O_RDONLY));
    SHOWOK("openat dirfd after rename", (rename("d", "d2"), openat(dfd, "sub/file", O_RDONLY)));
    SHOW("mkdirat", mkdirat(dfd, "made", 0700));
    SHOW("mkdirat exists", mkdirat(dfd, "made", 0700));
    SHOW("stat d2/made", stat("d2/made", &st));
    printf("made mode: %o\n", st.st_mode & 0777);
    return 0;
}
