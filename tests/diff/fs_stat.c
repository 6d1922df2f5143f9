// stat/fstat/lstat: type, mode, size, nlink, rdev of device files.
#include "common.h"
#include <sys/sysmacros.h>

static void show(const char *label, int r, struct stat *st)
{
    if (r < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    const char *t = S_ISREG(st->st_mode) ? "reg" : S_ISDIR(st->st_mode) ? "dir"
        : S_ISLNK(st->st_mode) ? "lnk" : S_ISCHR(st->st_mode) ? "chr"
        : S_ISFIFO(st->st_mode) ? "fifo" : S_ISBLK(st->st_mode) ? "blk" : "other";
    printf("%s: type=%s perm=%o", label, t, st->st_mode & 07777);
    if (!S_ISDIR(st->st_mode))
        printf(" size=%ld nlink=%lu", (long)st->st_size, (unsigned long)st->st_nlink);
    printf("\n");
}

int main(void)
{
    struct stat st;
    umask(022);
    put_file("f", "twelve bytes");
    chmod("f", 0640);
    show("stat f", stat("f", &st), &st);
    MUST(mkdir("d", 0751));
    show("stat d", stat("d", &st), &st);
    MUST(mkdir("d/a", 0755));
    MUST(mkdir("d/b", 0755));
    stat("d", &st);
    printf("dir nlink with 2 subdirs: %lu\n", (unsigned long)st.st_nlink);
    MUST(symlink("f", "l"));
    show("stat l", stat("l", &st), &st);
    show("lstat l", lstat("l", &st), &st);
    printf("symlink size = target len: %ld\n", (long)st.st_size);
    MUST(symlink("missing", "dangling"));
    show("stat dangling", stat("dangling", &st), &st);
    show("lstat dangling", lstat("dangling", &st), &st);
    show("stat missing", stat("missing", &st), &st);
    show("stat through file", stat("f/x", &st), &st);
    show("stat empty", stat("", &st), &st);
    show("stat /dev/null", stat("/dev/null", &st), &st);
    printf("/dev/null rdev: %u,%u\n", major(st.st_rdev), minor(st.st_rdev));
    stat("/dev/zero", &st);
    printf("/dev/zero rdev: %u,%u\n", major(st.st_rdev), minor(st.st_rdev));
    stat("/dev/full", &st);
    printf("/dev/full rdev: %u,%u\n", major(st.st_rdev), minor(st.st_rdev));
    stat("/dev/urandom", &st);
    printf("/dev/urandom rdev: %u,%u\n", major(st.st_rdev), minor(st.st_rdev));
    int fd;
    MUST(fd = open("f", O_RDONLY));
    show("fstat f", fstat(fd, &st), &st);
    struct stat st2;
    stat("f", &st2);
    YN("fstat ino == stat ino", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    int p[2];
    MUST(pipe(p));
    show("fstat pipe", fstat(p[0], &st), &st);
    show("fstat bad fd", fstat(999, &st), &st);
    MUST(link("f", "f2"));
    show("stat f after link", stat("f", &st), &st);
    MUST(mkfifo("fifo", 0600));
    show("stat fifo", stat("fifo", &st), &st);
    stat("/", &st);
    YN("/ is dir", S_ISDIR(st.st_mode));
    stat(".", &st);
    stat("d/..", &st2);
    YN("d/.. is .", st.st_ino == st2.st_ino);
    YN("blksize > 0", st.st_blksize > 0);
    return 0;
}
