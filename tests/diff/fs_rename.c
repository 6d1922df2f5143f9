// rename/renameat2 semantics and Linux errnos.
#include "common.h"
#include <linux/fs.h>

static void cat(const char *p)
{
    char buf[64];
    if (get_file(p, buf, sizeof buf) < 0)
        printf("%s: %s\n", p, en(errno));
    else
        printf("%s: %s\n", p, buf);
}

int main(void)
{
    put_file("a", "A");
    put_file("b", "B");
    SHOW("rename replace", rename("a", "b"));
    cat("b");
    cat("a");
    SHOW("rename missing", rename("a", "c"));
    SHOW("rename to self", rename("b", "b"));
    MUST(mkdir("d1", 0755));
    MUST(mkdir("d2", 0755));
    put_file("d2/x", "x");
    SHOW("dir over non-empty dir", rename("d1", "d2"));
    SHOW("file over dir", rename("b", "d1"));
    SHOW("dir over file", rename("d1", "b"));
    SHOW("dir into own subdir", (mkdir("d1/sub", 0755), rename("d1", "d1/sub/inner")));
    SHOW("dir to itself/sub", rename("d1", "d1/new"));
    MUST(mkdir("e", 0755));
    SHOW("dir over empty dir", rename("d1", "e"));
    struct stat st;
    SHOW("moved subdir present", stat("e/sub", &st));
    SHOW("old dir gone", stat("d1", &st));
    SHOW("move file into dir", rename("b", "e/b"));
    cat("e/b");
    SHOW("rename into missing dir", rename("e/b", "nodir/b"));
    SHOW("rename . ", rename(".", "dot"));
    SHOW("rename to ..", rename("e/b", ".."));
    SHOW("rename trailing slash file", rename("e/b", "q/"));
    SHOW("rename dir trailing slash", rename("e/", "e2/"));
    SHOW("rename parent into child", rename("e2", "e2/sub/x"));
    /* symlink renamed, not its target */
    put_file("t", "T");
    MUST(symlink("t", "l"));
    SHOW("rename symlink", rename("l", "l2"));
    YN("l2 still link", lstat("l2", &st) == 0 && S_ISLNK(st.st_mode));
    /* hard links to same inode: rename is a no-op */
    MUST(link("t", "t_hard"));
    SHOW("rename hardlink onto same inode", rename("t", "t_hard"));
    YN("both names remain", stat("t", &st) == 0 && stat("t_hard", &st) == 0);
    /* renameat2 flags */
    put_file("n1", "1");
    put_file("n2", "2");
    SHOW("RENAME_NOREPLACE existing", syscall(SYS_renameat2, AT_FDCWD, "n1", AT_FDCWD, "n2", RENAME_NOREPLACE));
    SHOW("RENAME_NOREPLACE new", syscall(SYS_renameat2, AT_FDCWD, "n1", AT_FDCWD, "n3", RENAME_NOREPLACE));
    SHOW("RENAME_EXCHANGE", syscall(SYS_renameat2, AT_FDCWD, "n2", AT_FDCWD, "n3", RENAME_EXCHANGE));
    cat("n2");
    cat("n3");
    SHOW("RENAME_EXCHANGE missing", syscall(SYS_renameat2, AT_FDCWD, "n2", AT_FDCWD, "zz", RENAME_EXCHANGE));
    SHOW("both flags", syscall(SYS_renameat2, AT_FDCWD, "n2", AT_FDCWD, "n3", RENAME_EXCHANGE | RENAME_NOREPLACE));
    SHOW("bad flags", syscall(SYS_renameat2, AT_FDCWD, "n2", AT_FDCWD, "n3", 0x100));
    SHOW("renameat bad dirfd", renameat(99, "n2", AT_FDCWD, "n4"));
    /* open fd survives rename */
    int fd;
    MUST(fd = open("n2", O_RDONLY));
    rename("n2", "n5");
    char c = 0;
    read(fd, &c, 1);
    printf("read via fd after rename: %c\n", c);
    return 0;
}
