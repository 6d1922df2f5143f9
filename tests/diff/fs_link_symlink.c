// link/symlink/readlink semantics.
#include "common.h"

int main(void)
{
    struct stat st;
    put_file("f", "data");
    SHOW("link", link("f", "h"));
    stat("f", &st);
    printf("nlink: %lu\n", (unsigned long)st.st_nlink);
    SHOW("link existing", link("f", "h"));
    SHOW("link missing", link("zz", "h2"));
    MUST(mkdir("d", 0755));
    SHOW("link dir", link("d", "d2"));
    SHOW("link into missing dir", link("f", "nodir/x"));
    SHOW("symlink", symlink("f", "s"));
    SHOW("symlink existing", symlink("f", "s"));
    SHOW("symlink empty target", symlink("", "e"));
    SHOW("symlink dangling ok", symlink("does/not/exist", "dang"));
    char buf[64];
    memset(buf, 'X', sizeof buf);
    SHOW("readlink", readlink("s", buf, sizeof buf));
    printf("target: %.1s next byte untouched: %c\n", buf, buf[1]);
    memset(buf, 0, sizeof buf);
    SHOW("readlink dangling", readlink("dang", buf, sizeof buf));
    printf("target: %s\n", buf);
    memset(buf, 0, sizeof buf);
    SHOW("readlink truncated to 4", readlink("dang", buf, 4));
    printf("truncated: %s\n", buf);
    SHOW("readlink size 0", syscall(SYS_readlink, "dang", buf, 0));
    SHOW("readlink size -1", syscall(SYS_readlink, "dang", buf, -1));
    SHOW("readlink non-link", readlink("f", buf, sizeof buf));
    SHOW("readlink dir", readlink("d", buf, sizeof buf));
    SHOW("readlink missing", readlink("nope", buf, sizeof buf));
    SHOW("readlink bad buf", syscall(SYS_readlink, "dang", BADPTR, 10));
    /* link to a symlink does not follow by default (linkat without flag) */
    SHOW("link to symlink", link("s", "s_hard"));
    YN("s_hard is symlink", lstat("s_hard", &st) == 0 && S_ISLNK(st.st_mode));
    SHOW("linkat AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, "s", AT_FDCWD, "s_follow", AT_SYMLINK_FOLLOW));
    YN("s_follow is regular", lstat("s_follow", &st) == 0 && S_ISREG(st.st_mode));
    SHOW("linkat bad flags", linkat(AT_FDCWD, "s", AT_FDCWD, "s_x", 0x1));
    /* symlink loops */
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    SHOW("open loop", open("loop1", O_RDONLY));
    SHOW("stat loop", stat("loop1", &st));
    SHOW("lstat loop", lstat("loop1", &st));
    /* chain of 40 is allowed, 41 is not */
    char a[32], b[32];
    put_file("c0", "end");
    for (int i = 1; i <= 41; i++) {
        snprintf(a, sizeof a, "c%d", i - 1);
        snprintf(b, sizeof b, "c%d", i);
        symlink(a, b);
    }
    SHOW("chain of 40", stat("c40", &st));
    SHOW("chain of 41", stat("c41", &st));
    /* relative symlink resolved relative to its directory */
    MUST(mkdir("d/in", 0755));
    put_file("d/in/t", "inner");
    SHOW("relative symlink in subdir", symlink("in/t", "d/rel"));
    SHOW("get via d/rel", get_file("d/rel", buf, sizeof buf));
    SHOW("symlink to dir then ..", symlink("d/in", "toin"));
    SHOW("stat toin/../rel", stat("toin/../rel", &st));
    SHOW("absolute symlink", symlink("/dev/null", "nul"));
    SHOW("write via nul", (long)write(open("nul", O_WRONLY), "x", 1));
    SHOW("symlinkat bad dirfd", symlinkat("x", 88, "y"));
    SHOW("readlinkat dirfd", readlinkat(open("d", O_RDONLY), "rel", buf, sizeof buf));
    SHOW("readlinkat AT_EMPTY_PATH fd", readlinkat(open("s", O_PATH | O_NOFOLLOW), "", buf, sizeof buf));
    return 0;
}
