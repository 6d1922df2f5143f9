// Bind mounts (plain, recursive, of a subdirectory, of a file), bind-remount read-only, EXDEV
// between two mounts of one file system, unbindable and shared mounts, MS_MOVE, MS_NOEXEC
// (execve EACCES) and MS_NODEV (opening a device EACCES), the mountinfo lines of the test's
// mounts (ids masked, paths relative to the test's directory) and busybox df on a sized tmpfs.
// As fs_mount: Linux runs it in a private mount namespace, Rill (no namespaces) globally.
#include "common.h"
#include "caps.h"
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

static char cwd[PATH_MAX];

/* The mountinfo lines of mounts under the cwd: "root point opts [tags] - type source sbopts",
 * the cwd shown as ".", a peer group number as "N". */
static void show_info(void)
{
    char buf[65536];
    if (get_file("/proc/self/mountinfo", buf, sizeof buf) <= 0) {
        printf("mountinfo unreadable\n");
        return;
    }
    size_t cl = strlen(cwd);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char *p = line;
        for (int i = 0; i < 3 && p; i++)
            p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
        char *sp = p ? strchr(p, ' ') : NULL;
        if (!sp || strncmp(sp + 1, cwd, cl) != 0 || (sp[1 + cl] != '/' && sp[1 + cl] != ' '))
            continue;
        printf("  %.*s .", (int)(sp - p), p);
        for (char *q = sp + 1 + cl; *q; q++) {
            putchar(*q);
            if (strncmp(q, "shared:", 7) == 0) {
                printf("hared:N");
                q += 7;
                while (q[1] >= '0' && q[1] <= '9')
                    q++;
            }
        }
        putchar('\n');
    }
}

static void show_file(const char *label, const char *path)
{
    char b[64];
    long n = get_file(path, b, sizeof b);
    if (n < 0)
        printf("%s: -1 %s\n", label, en(errno));
    else
        printf("%s: %.*s\n", label, (int)n, b);
}

static void copy_self(const char *to)
{
    int in = open("/proc/self/exe", O_RDONLY);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    MUST(in);
    MUST(out);
    char buf[65536];
    long n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        MUST(write(out, buf, n) == n ? 0 : -1);
    close(in);
    close(out);
}

static void try_exec(const char *label, const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(path, path, "child", (char *)NULL);
        printf("%s: execl -1 %s\n", label, en(errno));
        _exit(1);
    }
    wait_show(label, pid);
}

static void df(const char *dir)
{
    char cmd[PATH_MAX + 64], line[512];
    snprintf(cmd, sizeof cmd, "/bin/busybox df -k %s/%s", cwd, dir);
    FILE *f = popen(cmd, "r");
    if (!f) {
        printf("df: popen failed\n");
        return;
    }
    size_t cl = strlen(cwd);
    while (fgets(line, sizeof line, f)) {
        char *c = strstr(line, cwd);
        if (c)
            printf("  df: %.*s.%s", (int)(c - line), line, c + cl);
        else
            printf("  df: %s", line);
    }
    printf("df status: %d\n", pclose(f));
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "child") == 0) {
        printf("child ran\n");
        return 0;
    }
    need_cap(CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
    if (unshare(CLONE_NEWNS) != 0 && errno != ENOSYS)
        printf("unshare: %s\n", en(errno));
    SHOW("make / private", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
    if (!getcwd(cwd, sizeof cwd))
        return 1;
    const char *dirs[] = {"m", "b", "c", "d", "e", "x", "y"};
    for (unsigned i = 0; i < sizeof dirs / sizeof *dirs; i++)
        MUST(mkdir(dirs[i], 0755));
    put_file("ff", "file");

    printf("-- bind\n");
    SHOW("mount src", mount("src", "m", "tmpfs", 0, "size=8m"));
    MUST(mkdir("m/sub", 0755));
    MUST(mkdir("m/sub/inner", 0755));
    put_file("m/sub/f", "hello");
    SHOW("mount inner", mount("inner", "m/sub/inner", "tmpfs", MS_NOSUID, "size=64k"));
    put_file("m/sub/inner/g", "in");
    SHOW("bind m on b", mount("m", "b", NULL, MS_BIND, NULL));
    show_file("b/sub/f", "b/sub/f");
    SHOW("plain bind leaves the submount out", access("b/sub/inner/g", F_OK));
    SHOW("rbind m on c", mount("m", "c", NULL, MS_BIND | MS_REC, NULL));
    show_file("c/sub/inner/g", "c/sub/inner/g");
    SHOW("bind m/sub on d", mount("m/sub", "d", "ignored", MS_BIND | MS_RDONLY, NULL));
    show_file("d/f", "d/f");
    SHOW("bind a file on a file", mount("m/sub/f", "ff", NULL, MS_BIND, NULL));
    show_file("ff", "ff");
    SHOW("bind a file on a dir", mount("m/sub/f", "e", NULL, MS_BIND, NULL));
    SHOW("bind a missing source", mount("m/nope", "e", NULL, MS_BIND, NULL));
    show_info();

    printf("-- bind remount read-only\n");
    int wfd = open("b/sub/f", O_WRONLY);
    SHOW("remount b ro, a file open for writing in b",
         mount(NULL, "b", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
    close(wfd);
    wfd = open("m/sub/f", O_WRONLY);
    SHOW("remount b ro", mount(NULL, "b", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
    close(wfd);
    SHOW("create in b", open("b/new", O_CREAT | O_WRONLY, 0644));
    SHOW("create in m", close(open("m/new", O_CREAT | O_WRONLY, 0644)));
    SHOW("b sees it", access("b/new", F_OK));
    SHOW("unlink in b", unlink("b/new"));
    SHOW("chmod in b", chmod("b/new", 0600));
    struct statfs s, s2;
    SHOW("statfs b", statfs("b", &s));
    SHOW("statfs m", statfs("m", &s2));
    printf("b flags=%#lx, m flags=%#lx\n", (unsigned long)s.f_flags, (unsigned long)s2.f_flags);
    SHOW("remount b rw", mount(NULL, "b", NULL, MS_REMOUNT | MS_BIND, NULL));
    SHOW("unlink in b", unlink("b/new"));
    SHOW("rename across mounts of one fs", rename("m/sub/f", "d/f2"));
    SHOW("link across mounts of one fs", link("m/sub/f", "d/l"));
    SHOW("rename inside d", rename("d/f", "d/f3"));
    SHOW("rename back", rename("d/f3", "d/f"));

    printf("-- propagation and move\n");
    SHOW("d unbindable", mount(NULL, "d", NULL, MS_UNBINDABLE, NULL));
    SHOW("bind of unbindable", mount("d", "e", NULL, MS_BIND, NULL));
    SHOW("c shared (rec)", mount(NULL, "c", NULL, MS_SHARED | MS_REC, NULL));
    show_info();
    SHOW("c private (rec)", mount(NULL, "c", NULL, MS_PRIVATE | MS_REC | MS_SILENT, NULL));
    SHOW("d private", mount(NULL, "d", NULL, MS_PRIVATE, NULL));
    SHOW("move d to e", mount("d", "e", NULL, MS_MOVE, NULL));
    show_file("e/f", "e/f");
    SHOW("d is plain", access("d/f", F_OK));
    SHOW("move into itself", mount("e", "e/inner", NULL, MS_MOVE, NULL));
    show_info();

    printf("-- noexec, nodev\n");
    copy_self("m/prog");
    try_exec("exec from m", "m/prog");
    SHOW("mount x noexec,nodev", mount("ne", "x", "tmpfs", MS_NOEXEC | MS_NODEV, NULL));
    copy_self("x/prog");
    try_exec("exec from noexec x", "x/prog");
    SHOW("mknod null in x", mknod("x/null", S_IFCHR | 0666, makedev(1, 3)));
    SHOW("open it (nodev)", open("x/null", O_RDONLY));
    SHOW("mknod null in m", mknod("m/null", S_IFCHR | 0666, makedev(1, 3)));
    SHOW("open it", close(open("m/null", O_RDONLY)));
    SHOW("statfs x", statfs("x", &s));
    printf("x flags=%#lx\n", (unsigned long)s.f_flags);
    SHOW("remount x exec,dev", mount(NULL, "x", NULL, MS_REMOUNT, NULL));
    try_exec("exec from x again", "x/prog");
    SHOW("open it now", close(open("x/null", O_RDONLY)));
    SHOW("b noexec by bind remount", mount(NULL, "b", NULL, MS_REMOUNT | MS_BIND | MS_NOEXEC, NULL));
    try_exec("exec from b", "b/prog");
    try_exec("exec from m still", "m/prog");

    printf("-- df\n");
    SHOW("mount y", mount("dfm", "y", "tmpfs", 0, "size=1m"));
    int fd = open("y/data", O_CREAT | O_WRONLY, 0644);
    static char blk[10000];
    SHOW("write", write(fd, blk, sizeof blk));
    close(fd);
    df("y");

    printf("-- cleanup\n");
    const char *um[] = {"y", "x", "e", "ff", "b", "m/sub/inner", "m"};
    for (unsigned i = 0; i < sizeof um / sizeof *um; i++) {
        char l[64];
        snprintf(l, sizeof l, "umount %s", um[i]);
        SHOW(l, umount2(um[i], 0));
    }
    SHOW("umount c (busy with its submount)", umount2("c", 0));
    SHOW("umount c lazily", umount2("c", MNT_DETACH));
    show_info();
    return 0;
}
