// statx(2): mask, fields, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, errors.
#include "common.h"

static void sx(const char *label, int dfd, const char *path, int flags)
{
    struct statx s;
    memset(&s, 0, sizeof s);
    long r = syscall(SYS_statx, dfd, path, flags, STATX_BASIC_STATS, &s);
    if (r < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    printf("%s: basic=%d type=%o perm=%o", label,
           (s.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS, s.stx_mode & S_IFMT,
           s.stx_mode & 07777);
    if (!S_ISDIR(s.stx_mode))
        printf(" size=%llu nlink=%u", (unsigned long long)s.stx_size, s.stx_nlink);
    printf(" uid=%u gid=%u\n", s.stx_uid, s.stx_gid);
}

int main(void)
{
    umask(0);
    put_file("f", "0123456789abcdef");
    chmod("f", 0604);
    MUST(mkdir("d", 0700));
    MUST(symlink("f", "l"));
    sx("statx f", AT_FDCWD, "f", 0);
    sx("statx d", AT_FDCWD, "d", 0);
    sx("statx l follow", AT_FDCWD, "l", 0);
    sx("statx l nofollow", AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW);
    int fd;
    MUST(fd = open("f", O_RDONLY));
    sx("statx fd AT_EMPTY_PATH", fd, "", AT_EMPTY_PATH);
    sx("statx fd empty no flag", fd, "", 0);
    sx("statx missing", AT_FDCWD, "missing", 0);
    sx("statx bad dirfd", 555, "f", 0);
    sx("statx bad flags", AT_FDCWD, "f", 0x40000000);
    struct statx s;
    SHOW("statx NULL path", syscall(SYS_statx, AT_FDCWD, NULL, 0, STATX_BASIC_STATS, &s));
    SHOW("statx bad buf", syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, BADPTR));
    SHOW("statx reserved mask", syscall(SYS_statx, AT_FDCWD, "f", 0, 0x80000000U, &s));
    sx("statx /dev/null", AT_FDCWD, "/dev/null", 0);
    memset(&s, 0, sizeof s);
    syscall(SYS_statx, AT_FDCWD, "/dev/null", 0, STATX_BASIC_STATS, &s);
    printf("/dev/null rdev %u:%u\n", s.stx_rdev_major, s.stx_rdev_minor);
    return 0;
}
