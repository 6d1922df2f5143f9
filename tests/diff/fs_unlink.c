// unlink/unlinkat semantics, including unlinking open files.
#include "common.h"

int main(void)
{
    struct stat st;
    put_file("f", "still here\n");
    MUST(mkdir("d", 0755));
    SHOW("unlink dir", unlink("d"));
    SHOW("unlink missing", unlink("missing"));
    SHOW("unlink through file", unlink("f/x"));
    SHOW("unlink empty", unlink(""));
    SHOW("unlink trailing slash on file", unlink("f/"));
    SHOW("unlinkat AT_REMOVEDIR file", unlinkat(AT_FDCWD, "f", AT_REMOVEDIR));
    SHOW("unlinkat bad flag", unlinkat(AT_FDCWD, "f", 0x1));
    SHOW("unlinkat AT_REMOVEDIR dir", unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));
    int fd;
    MUST(fd = open("f", O_RDWR));
    SHOW("unlink open file", unlink("f"));
    SHOW("stat after unlink", stat("f", &st));
    fstat(fd, &st);
    printf("fstat nlink after unlink: %lu size: %ld\n", (unsigned long)st.st_nlink, (long)st.st_size);
    char buf[32] = {0};
    SHOW("read unlinked", pread(fd, buf, sizeof buf - 1, 0));
    printf("content: %s", buf);
    SHOW("write unlinked", pwrite(fd, "more", 4, 11));
    fstat(fd, &st);
    printf("size now: %ld\n", (long)st.st_size);
    close(fd);
    /* symlink removal removes the link, not the target */
    put_file("t", "target");
    MUST(symlink("t", "l"));
    SHOW("unlink symlink", unlink("l"));
    SHOW("target survives", stat("t", &st));
    /* hard links: nlink decreases */
    MUST(link("t", "t2"));
    stat("t", &st);
    printf("nlink with 2 names: %lu\n", (unsigned long)st.st_nlink);
    unlink("t2");
    stat("t", &st);
    printf("nlink after unlink: %lu\n", (unsigned long)st.st_nlink);
    /* unlink in a dirfd */
    int dfd;
    MUST(dfd = open(".", O_RDONLY | O_DIRECTORY));
    SHOW("unlinkat dirfd", unlinkat(dfd, "t", 0));
    SHOW("unlinkat bad dirfd", unlinkat(123, "t", 0));
    SHOW("unlink bad ptr", syscall(SYS_unlink, KPTR));
    /* mmap keeps the data alive too */
    put_file("m", "mapped");
    MUST(fd = open("m", O_RDONLY));
    char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    unlink("m");
    printf("mapped after unlink: %.6s\n", p);
    return 0;
}
