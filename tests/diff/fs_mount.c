// mount(2)/umount2(2) of tmpfs as root: errno order, flags and options, size and inode limits
// (ENOSPC), remount ro/rw (EROFS on every write path), statfs fields, stacking, busy mounts,
// MNT_DETACH/MNT_EXPIRE, and the /proc/self/mounts and mountinfo lines of the test's own
// mounts (paths shown relative to the test's directory). On Linux the test runs in a private
// mount namespace (unshare(CLONE_NEWNS), then / made private); Rill has no mount namespaces
// (unshare is ENOSYS there), so its mounts are global and the test unmounts all of them.
#include "common.h"
#include "caps.h"
#include <sys/mount.h>
#include <sys/statfs.h>

static char cwd[PATH_MAX];

/* The /proc/self/mounts (or mountinfo) lines whose mount point is under the cwd, with the cwd
 * shown as "." and, for mountinfo, the ids and device numbers left out. */
static void show_mounts(const char *file)
{
    char buf[65536];
    int info = strstr(file, "mountinfo") != NULL;
    long n = get_file(file, buf, sizeof buf);
    if (n <= 0) {
        printf("%s: unreadable\n", file);
        return;
    }
    size_t cl = strlen(cwd);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char *p = line;
        if (info) /* skip "id parent major:minor " */
            for (int i = 0; i < 3 && p; i++)
                p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
        if (!p)
            continue;
        /* mounts: "source point ..."; mountinfo: "root point ..." */
        char *sp = strchr(p, ' ');
        if (!sp || strncmp(sp + 1, cwd, cl) != 0 || (sp[1 + cl] != '/' && sp[1 + cl] != ' '))
            continue;
        printf("  %.*s .%s\n", (int)(sp - p), p, sp + 1 + cl);
    }
}

static void show_statfs(const char *what, const char *path)
{
    struct statfs s;
    if (statfs(path, &s) != 0) {
        printf("statfs %s: -1 %s\n", what, en(errno));
        return;
    }
    printf("statfs %s: type=%#lx bsize=%ld blocks=%lu bfree=%lu bavail=%lu files=%lu ffree=%lu "
           "namelen=%ld frsize=%ld flags=%#lx\n",
           what, (unsigned long)s.f_type, (long)s.f_bsize, (unsigned long)s.f_blocks,
           (unsigned long)s.f_bfree, (unsigned long)s.f_bavail, (unsigned long)s.f_files,
           (unsigned long)s.f_ffree, (long)s.f_namelen, (long)s.f_frsize, (unsigned long)s.f_flags);
}

static long fill(const char *path)
{
    static char blk[4096];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -errno;
    long total = 0, r;
    while ((r = write(fd, blk, sizeof blk)) > 0)
        total += r;
    int e = errno;
    close(fd);
    printf("fill %s: %ld bytes, then %s\n", path, total, r < 0 ? en(e) : "0");
    return total;
}

int main(void)
{
    need_cap(CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
    if (unshare(CLONE_NEWNS) != 0 && errno != ENOSYS)
        printf("unshare: %s\n", en(errno));
    SHOW("make / private", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
    if (!getcwd(cwd, sizeof cwd))
        return 1;
    MUST(mkdir("m", 0755));
    MUST(mkdir("b", 0755));
    MUST(close(open("f", O_CREAT | O_WRONLY, 0644)));

    printf("-- errors\n");
    SHOW("unknown type", mount("tst", "m", "nosuchfs_q", 0, NULL));
    SHOW("empty type", mount("tst", "m", "", 0, NULL));
    SHOW("no type", mount("tst", "m", NULL, 0, NULL));
    SHOW("missing target", mount("tst", "nope", "tmpfs", 0, NULL));
    SHOW("target a file", mount("tst", "f", "tmpfs", 0, NULL));
    SHOW("unknown option", mount("tst", "m", "tmpfs", 0, "bogus=1"));
    SHOW("bad size", mount("tst", "m", "tmpfs", 0, "size=1q"));
    SHOW("size without value", mount("tst", "m", "tmpfs", 0, "size"));
    SHOW("nosuid as data", mount("tst", "m", "tmpfs", 0, "nosuid"));
    SHOW("bad mode", mount("tst", "m", "tmpfs", 0, "mode=9"));
    SHOW("unknown type, bad target", mount("tst", "f", "nosuchfs_q", 0, NULL));
    SHOW("bad data pointer", mount("tst", "m", "tmpfs", 0, BADPTR));
    SHOW("bad type pointer", mount("tst", "m", BADPTR, 0, NULL));
    SHOW("umount unknown flag", umount2("m", 0x100));
    SHOW("umount not mounted", umount2("m", 0));
    SHOW("umount missing", umount2("nope", 0));
    SHOW("private not a mount", mount(NULL, "m", NULL, MS_PRIVATE, NULL));
    SHOW("two propagation types", mount(NULL, "/", NULL, MS_PRIVATE | MS_SHARED, NULL));
    SHOW("remount not a mount", mount(NULL, "m", NULL, MS_REMOUNT, NULL));
    SHOW("bind without source", mount(NULL, "m", NULL, MS_BIND, NULL));
    SHOW("move not a mount", mount("b", "m", NULL, MS_MOVE, NULL));
    pid_t pid = fork();
    if (pid == 0) {
        if (setuid(65534) != 0)
            _exit(1);
        SHOW("nobody mount", mount("tst", "/", "tmpfs", 0, NULL));
        SHOW("nobody umount", umount2("/", 0));
        SHOW("nobody remount", mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL));
        _exit(0);
    }
    wait_show("nobody child", pid);

    printf("-- tmpfs with options\n");
    SHOW("mount", mount("tst", "m", "tmpfs", MS_NOSUID | MS_NODEV,
                        "size=1m,nr_inodes=16,mode=0750,uid=1,gid=2"));
    struct stat st;
    MUST(stat("m", &st));
    printf("root: mode=%o uid=%d gid=%d\n", st.st_mode, (int)st.st_uid, (int)st.st_gid);
    show_mounts("/proc/self/mounts");
    show_mounts("/proc/self/mountinfo");
    show_statfs("fresh", "m");
    put_file("m/a", "0123456789");
    show_statfs("one page", "m");
    long got = fill("m/big");
    printf("filled pages: %ld\n", got / 4096);
    show_statfs("full", "m");
    SHOW("truncate big", truncate("m/big", 8192));
    show_statfs("after truncate", "m");
    int made = 0;
    char name[64];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "m/n%d", i);
        int fd = open(name, O_CREAT | O_WRONLY, 0644);
        if (fd < 0) {
            printf("inode %d: %s\n", i, en(errno));
            break;
        }
        close(fd);
        made++;
    }
    printf("inodes made: %d\n", made);
    SHOW("mkdir when out of inodes", mkdir("m/dir", 0755));
    SHOW("symlink when out of inodes", symlink("a", "m/sl"));
    show_statfs("no inodes", "m");
    for (int i = 0; i < made; i++) {
        snprintf(name, sizeof name, "m/n%d", i);
        unlink(name);
    }
    SHOW("unlink big", unlink("m/big"));
    show_statfs("emptied", "m");

    printf("-- remount\n");
    SHOW("remount bad option", mount(NULL, "m", NULL, MS_REMOUNT, "bogus"));
    SHOW("remount size below use", mount(NULL, "m", NULL, MS_REMOUNT, "size=0x1000,nr_inodes=1"));
    int wfd = open("m/a", O_WRONLY);
    SHOW("remount ro with a file open for writing", mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL));
    close(wfd);
    wfd = open("m/a", O_RDONLY);
    SHOW("remount ro", mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID, NULL));
    close(wfd);
    show_mounts("/proc/mounts");
    show_statfs("ro", "m");
    SHOW("ro: create", open("m/new", O_CREAT | O_WRONLY, 0644));
    SHOW("ro: create existing excl", open("m/a", O_CREAT | O_EXCL | O_WRONLY, 0644));
    SHOW("ro: open write", open("m/a", O_WRONLY));
    SHOW("ro: open rdonly trunc", open("m/a", O_RDONLY | O_TRUNC));
    int fd = open("m/a", O_RDONLY);
    SHOWOK("ro: open read", fd);
    if (fd >= 0) {
        char c[4] = {0};
        SHOW("ro: read", read(fd, c, 3));
        printf("ro: data %s\n", c);
        close(fd);
    }
    SHOW("ro: unlink", unlink("m/a"));
    SHOW("ro: unlink missing", unlink("m/missing"));
    SHOW("ro: mkdir", mkdir("m/d", 0755));
    SHOW("ro: mkdir existing", mkdir("m/a", 0755));
    SHOW("ro: rmdir missing", rmdir("m/missing"));
    SHOW("ro: rename", rename("m/a", "m/c"));
    SHOW("ro: symlink", symlink("a", "m/l"));
    SHOW("ro: link", link("m/a", "m/h"));
    SHOW("ro: mkfifo", mkfifo("m/p", 0644));
    SHOW("ro: chmod", chmod("m/a", 0600));
    SHOW("ro: chown", chown("m/a", 1, 1));
    SHOW("ro: utimensat", utimensat(AT_FDCWD, "m/a", NULL, 0));
    SHOW("ro: truncate", truncate("m/a", 0));
    SHOW("ro: access W_OK", access("m/a", W_OK));
    SHOW("ro: access R_OK", access("m/a", R_OK));
    SHOW("remount rw, size=2m", mount(NULL, "m", NULL, MS_REMOUNT | MS_NOATIME, "size=2m"));
    show_mounts("/proc/self/mounts");
    show_statfs("rw again", "m");
    SHOW("rw: create", close(open("m/new", O_CREAT | O_WRONLY, 0644)));
    SHOW("remount keeps noatime", mount(NULL, "m", NULL, MS_REMOUNT, NULL));
    show_mounts("/proc/self/mounts");
    SHOW("remount strictatime", mount(NULL, "m", NULL, MS_REMOUNT | MS_STRICTATIME, NULL));
    show_mounts("/proc/self/mounts");
    show_statfs("strictatime", "m");

    printf("-- stacking and busy\n");
    SHOW("mount on top", mount("top", "m", "tmpfs", 0, "size=64k"));
    SHOW("top hides a", access("m/a", F_OK));
    show_mounts("/proc/self/mounts");
    SHOW("umount takes the top one", umount2("m", 0));
    SHOW("a visible again", access("m/a", F_OK));
    MUST(chdir("m"));
    SHOW("umount with cwd inside", umount2(".", 0));
    MUST(chdir(cwd));
    fd = open("m/a", O_RDONLY);
    SHOW("umount with a file open", umount2("m", 0));
    close(fd);
    MUST(mkdir("m/sub", 0755));
    SHOW("mount inside", mount("in", "m/sub", "tmpfs", 0, NULL));
    SHOW("umount with a submount", umount2("m", 0));
    SHOW("rmdir of a mount point", rmdir("m/sub"));
    SHOW("expire with detach", umount2("m/sub", MNT_EXPIRE | MNT_DETACH));
    SHOW("expire first", umount2("m/sub", MNT_EXPIRE));
    SHOW("expire second", umount2("m/sub", MNT_EXPIRE));
    SHOW("proc", mount("proc", "b", "proc", 0, NULL));
    SHOW("proc again (a new instance)", mount("proc2", "b", "proc", MS_NOEXEC, NULL));
    show_mounts("/proc/self/mounts");
    show_statfs("proc", "b");
    SHOW("umount proc2", umount2("b", 0));
    SHOW("umount proc", umount2("b", 0));
    SHOW("proc with options", mount("proc", "m/sub", "proc", 0, "nosuchopt"));
    SHOW("sysfs", mount("sysfs", "b", "sysfs", 0, NULL));
    SHOW("sysfs again on its root", mount("sysfs", "b", "sysfs", 0, NULL));
    show_statfs("sysfs", "b");
    SHOW("sysfs with options", mount("sysfs", "m/sub", "sysfs", 0, "x"));
    SHOW("umount sysfs", umount2("b", 0));

    printf("-- lazy unmount\n");
    MUST(chdir("m"));
    char mp[PATH_MAX + 8];
    snprintf(mp, sizeof mp, "%s/m", cwd);
    SHOW("detach with cwd inside", umount2(mp, MNT_DETACH));
    SHOW("detached: file still there", access("a", F_OK));
    SHOW("detached: create", close(open("x", O_CREAT | O_WRONLY, 0644)));
    MUST(chdir(cwd));
    SHOW("m is the plain dir", access("m/a", F_OK));
    show_mounts("/proc/self/mounts");

    printf("-- nosymfollow\n");
    SHOW("mount nosymfollow", mount("nsf", "b", "tmpfs", MS_NOSYMFOLLOW, "size=16k,nr_inodes=8"));
    put_file("b/x", "target");
    SHOW("symlink", symlink("x", "b/l"));
    SHOW("open through it", open("b/l", O_RDONLY));
    SHOW("open it O_PATH|O_NOFOLLOW", close(open("b/l", O_PATH | O_NOFOLLOW)));
    SHOW("stat through it", stat("b/l", &st));
    SHOW("lstat it", lstat("b/l", &st));
    char t[16] = {0};
    SHOW("readlink it", readlink("b/l", t, sizeof t - 1));
    show_mounts("/proc/self/mounts");
    show_statfs("nosymfollow", "b");
    SHOW("umount nosymfollow", umount2("b", 0));

    printf("-- other file systems\n");
    struct statfs ps;
    SHOW("statfs /proc", statfs("/proc", &ps));
    /* (its flags are the environment's) */
    printf("/proc type=%#lx namelen=%ld\n", (unsigned long)ps.f_type, (long)ps.f_namelen);
    int p[2];
    MUST(pipe(p));
    struct statfs s;
    SHOW("fstatfs pipe", fstatfs(p[0], &s));
    printf("pipe type=%#lx\n", (unsigned long)s.f_type);
    char l[64] = {0};
    SHOW("readlink /proc/mounts", readlink("/proc/mounts", l, sizeof l - 1));
    printf("/proc/mounts -> %s\n", l);
    return 0;
}
