// chmod/fchmod/fchmodat and chown/fchown/lchown, observed through stat.
#include "common.h"

static void show(const char *p)
{
    struct stat st;
    if (lstat(p, &st) < 0) {
        printf("%s: %s\n", p, en(errno));
        return;
    }
    printf("%s: mode=%o uid=%u gid=%u\n", p, st.st_mode & 07777, st.st_uid, st.st_gid);
}

int main(void)
{
    umask(0);
    put_file("f", "x");
    SHOW("chmod 0600", chmod("f", 0600));
    show("f");
    SHOW("chmod 07777", chmod("f", 07777));
    show("f");
    SHOW("chmod 0170644 keeps type", chmod("f", 0170644));
    show("f");
    int fd;
    MUST(fd = open("f", O_RDONLY));
    SHOW("fchmod 0444", fchmod(fd, 0444));
    show("f");
    SHOW("fchmodat", fchmodat(AT_FDCWD, "f", 0640, 0));
    show("f");
    SHOW("chmod missing", chmod("missing", 0644));
    SHOW("fchmod bad fd", fchmod(555, 0644));
    int pfd;
    MUST(pfd = open("f", O_PATH));
    SHOW("fchmod O_PATH fd", fchmod(pfd, 0644));
    SHOW("fchmodat ignores 4th arg", syscall(SYS_fchmodat, AT_FDCWD, "f", 0644, 0x8000));
    SHOW("chown 1000:2000", chown("f", 1000, 2000));
    show("f");
    SHOW("chown -1:3000", chown("f", -1, 3000));
    show("f");
    SHOW("fchown 5:-1", fchown(fd, 5, -1));
    show("f");
    /* chown of a setuid/setgid-exec file clears those bits */
    chmod("f", 06755);
    show("f");
    SHOW("chown clears suid", chown("f", 7, 7));
    show("f");
    MUST(symlink("f", "l"));
    SHOW("lchown symlink", lchown("l", 42, 43));
    show("l");
    show("f");
    SHOW("chown via symlink", chown("l", 0, 0));
    show("f");
    SHOW("fchownat AT_SYMLINK_NOFOLLOW", fchownat(AT_FDCWD, "l", 9, 9, AT_SYMLINK_NOFOLLOW));
    show("l");
    SHOW("chown missing", chown("missing", 0, 0));
    SHOW("fchown bad fd", fchown(555, 0, 0));
    MUST(mkdir("d", 0700));
    SHOW("chmod dir 1755", chmod("d", 01755));
    show("d");
    /* setgid directory: new files inherit group, new subdirs inherit setgid */
    chown("d", 0, 77);
    chmod("d", 02775);
    put_file("d/in", "");
    mkdir("d/sub", 0755);
    show("d/in");
    show("d/sub");
    /* as root, access bits do not stop us */
    chmod("f", 0);
    SHOWOK("open mode-0 file as root", open("f", O_RDWR));
    return 0;
}
