// mkdir/rmdir and their errors.
#include "common.h"

int main(void)
{
    struct stat st;
    umask(022);
    SHOW("mkdir a", mkdir("a", 0777));
    stat("a", &st);
    printf("mode after umask 022: %o\n", st.st_mode & 07777);
    SHOW("mkdir a again", mkdir("a", 0777));
    SHOW("mkdir missing parent", mkdir("x/y", 0777));
    put_file("f", "x");
    SHOW("mkdir under file", mkdir("f/y", 0777));
    SHOW("mkdir over file", mkdir("f", 0777));
    SHOW("mkdir trailing slash", mkdir("b/", 0755));
    SHOW("mkdir empty", mkdir("", 0755));
    SHOW("mkdir sticky", mkdir("s", 01777));
    stat("s", &st);
    printf("sticky mode: %o\n", st.st_mode & 07777);
    SHOW("mkdir a/c", mkdir("a/c", 0700));
    SHOW("rmdir non-empty", rmdir("a"));
    SHOW("rmdir file", rmdir("f"));
    SHOW("rmdir missing", rmdir("zz"));
    SHOW("rmdir .", rmdir("."));
    SHOW("rmdir a/c/.", rmdir("a/c/."));
    SHOW("rmdir a/..", rmdir("a/.."));
    SHOW("rmdir trailing slash", rmdir("a/c/"));
    SHOW("rmdir a", rmdir("a"));
    SHOW("stat a", stat("a", &st));
    SHOW("rmdir b", rmdir("b"));
    MUST(symlink("s", "sl"));
    SHOW("rmdir symlink to dir", rmdir("sl"));
    SHOW("mkdir on dangling symlink", (symlink("nowhere", "dl"), mkdir("dl", 0755)));
    SHOW("mkdirat bad fd", mkdirat(77, "q", 0755));
    SHOW("mkdir bad ptr", syscall(SYS_mkdir, BADPTR, 0755));
    /* deep nesting */
    char path[512] = "deep";
    int ok = 1;
    for (int i = 0; i < 30; i++) {
        if (mkdir(path, 0755) < 0)
            ok = 0;
        strcat(path, "/n");
    }
    printf("30 nested mkdirs ok: %d\n", ok);
    /* cannot rmdir cwd's parent chain while non-empty; but can rmdir cwd itself */
    MUST(mkdir("gone", 0755));
    MUST(chdir("gone"));
    SHOW("rmdir ../gone (cwd)", rmdir("../gone"));
    char buf[256];
    SHOW("getcwd of removed dir", syscall(SYS_getcwd, buf, sizeof buf) < 0 ? -1 : 0);
    SHOW("create in removed cwd", open("new", O_CREAT | O_WRONLY, 0644));
    SHOW("stat . in removed cwd", stat(".", &st));
    printf("removed dir nlink: %lu\n", (unsigned long)st.st_nlink);
    return 0;
}
