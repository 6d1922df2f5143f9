// newfstatat(2): flags and dirfd handling.
#include "common.h"

int main(void)
{
    struct stat st;
    put_file("f", "abc");
    MUST(mkdir("d", 0755));
    put_file("d/g", "12345");
    MUST(symlink("d/g", "l"));
    int dfd;
    MUST(dfd = open("d", O_RDONLY | O_DIRECTORY));
    SHOW("fstatat dirfd g", fstatat(dfd, "g", &st, 0));
    printf("size %ld\n", (long)st.st_size);
    SHOW("fstatat cwd l", fstatat(AT_FDCWD, "l", &st, 0));
    printf("l follow size %ld reg %d\n", (long)st.st_size, S_ISREG(st.st_mode));
    SHOW("fstatat l nofollow", fstatat(AT_FDCWD, "l", &st, AT_SYMLINK_NOFOLLOW));
    printf("l nofollow size %ld lnk %d\n", (long)st.st_size, S_ISLNK(st.st_mode));
    SHOW("AT_EMPTY_PATH on dirfd", fstatat(dfd, "", &st, AT_EMPTY_PATH));
    printf("is dir %d\n", S_ISDIR(st.st_mode));
    SHOW("empty path no flag", syscall(SYS_newfstatat, dfd, "", &st, 0));
    SHOW("bad flag", syscall(SYS_newfstatat, AT_FDCWD, "f", &st, 0x1));
    SHOW("bad dirfd", syscall(SYS_newfstatat, 444, "f", &st, 0));
    SHOW("absolute with bad dirfd", syscall(SYS_newfstatat, 444, "/dev/null", &st, 0));
    SHOW("dirfd is file", syscall(SYS_newfstatat, open("f", O_RDONLY), "x", &st, 0));
    SHOW("bad statbuf", syscall(SYS_newfstatat, AT_FDCWD, "f", BADPTR, 0));
    SHOW("kernel statbuf", syscall(SYS_newfstatat, AT_FDCWD, "f", KPTR, 0));
    SHOW("stat syscall", syscall(SYS_stat, "f", &st));
    SHOW("lstat syscall", syscall(SYS_lstat, "l", &st));
    printf("lstat lnk %d\n", S_ISLNK(st.st_mode));
    SHOW("fstat syscall", syscall(SYS_fstat, dfd, &st));
    return 0;
}
