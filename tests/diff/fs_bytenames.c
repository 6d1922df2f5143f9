// File names are bytes: every byte but '/' and NUL (0x80-0xff and invalid
// UTF-8 included) in create, getdents64, stat, rename, link, symlink,
// readlink, unlink, chdir/getcwd, /proc/self/{cwd,fd/N,comm,cmdline} and
// execve paths, argv and envp; NAME_MAX and PATH_MAX with such bytes.
// Names are printed in hex so the outputs compare exactly.
#include "common.h"

static void hex(const char *label, const unsigned char *s, size_t n)
{
    printf("%s:", label);
    for (size_t i = 0; i < n; i++)
        printf(" %02x", s[i]);
    printf("\n");
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists dir (without "." and ".."), sorted, in hex, 8 names a line. */
static void list_dir(const char *label, const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        printf("%s: open -1 %s\n", label, en(errno));
        return;
    }
    static char buf[65536];
    static char *names[1024];
    int n = 0;
    for (;;) {
        long r = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (r <= 0)
            break;
        for (long off = 0; off < r;) {
            unsigned short reclen = *(unsigned short *)(buf + off + 16);
            char *name = buf + off + 19;
            if (strcmp(name, ".") && strcmp(name, "..") && n < 1024)
                names[n++] = strdup(name);
            off += reclen;
        }
    }
    close(fd);
    qsort(names, n, sizeof names[0], cmp_names);
    printf("%s: %d names\n", label, n);
    for (int i = 0; i < n; i++) {
        printf("%s", i % 8 ? " " : "  ");
        for (const unsigned char *p = (const unsigned char *)names[i]; *p; p++)
            printf("%02x", *p);
        if (i % 8 == 7 || i == n - 1)
            printf("\n");
        free(names[i]);
    }
}

/* Whether the link's text ends with "/" + suffix (the host's cwd differs). */
static void link_suffix(const char *label, const char *link, const char *suffix)
{
    char buf[4200];
    ssize_t n = readlink(link, buf, sizeof buf - 1);
    if (n < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    buf[n] = 0;
    size_t s = strlen(suffix);
    YN(label, (size_t)n > s && buf[n - s - 1] == '/' && !strcmp(buf + n - s, suffix));
}

/* A path of exactly n bytes naming dir/\xe9: "dir/../" repeated, padded with
 * extra slashes. */
static void build_path(char *path, const char *dir, size_t n)
{
    size_t dl = strlen(dir), len = 0;
    while (len + (dl + 4) + (dl + 2) < n) {
        memcpy(path + len, dir, dl);
        memcpy(path + len + dl, "/../", 4);
        len += dl + 4;
    }
    while (len + dl + 2 < n)
        path[len++] = '/';
    memcpy(path + len, dir, dl);
    memcpy(path + len + dl, "/\xe9", 2);
    path[len + dl + 2] = 0;
}

static const char *bad_utf8[] = {
    "\xc3\x28", "\xa0\xa1", "\xe2\x28\xa1", "\xe2\x82\x28", "\xf0\x28\x8c\xbc",
    "\xf0\x90\x28\xbc", "\xf8\xa1\xa1\xa1\xa1", "\xc0\xaf", "\xed\xa0\x80",
    "\xef\xbf\xbf", "\xfe\xff", "a\xff" "b", "\x01\x02\x1f\x7f",
    " \t\n\\", NULL,
};

static int child(int argc, char **argv)
{
    printf("child argc: %d\n", argc);
    for (int i = 1; i < argc; i++)
        hex("child argv", (unsigned char *)argv[i], strlen(argv[i]));
    const char *k = getenv("K");
    if (k)
        hex("child env K", (const unsigned char *)k, strlen(k));
    else
        printf("child env K: missing\n");
    char buf[512];
    long n = get_file("/proc/self/cmdline", buf, sizeof buf);
    hex("child /proc/self/cmdline", (unsigned char *)buf, n < 0 ? 0 : n);
    n = get_file("/proc/self/comm", buf, sizeof buf);
    hex("child /proc/self/comm", (unsigned char *)buf, n < 0 ? 0 : n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "child"))
        return child(argc, argv);
    MUST(mkdir("d", 0755));
    /* every byte but NUL and '/', after an 'n' (so "." and ".." do not occur) */
    int made = 0, first_bad = -1;
    for (int b = 1; b < 256; b++) {
        if (b == '/')
            continue;
        char name[8] = {'d', '/', 'n', (char)b, 0};
        int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd >= 0) {
            made++;
            close(fd);
        } else if (first_bad < 0) {
            first_bad = b;
        }
    }
    printf("created n+byte: %d, first failure: %d\n", made, first_bad);
    /* single high bytes and invalid UTF-8 sequences as whole names */
    for (int b = 0x80; b < 256; b++) {
        char name[8] = {'d', '/', (char)b, 0};
        int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd < 0)
            printf("create %02x: -1 %s\n", b, en(errno));
        else
            close(fd);
    }
    for (int i = 0; bad_utf8[i]; i++) {
        char name[32];
        snprintf(name, sizeof name, "d/%s", bad_utf8[i]);
        SHOWOK("create bad utf-8", open(name, O_CREAT | O_EXCL | O_WRONLY, 0600));
    }
    list_dir("listing", "d");

    /* stat, rename, link, symlink, readlink, unlink of each n+byte name */
    int st_ok = 0, ren_ok = 0, ln_ok = 0, sym_ok = 0, rl_ok = 0, un_ok = 0;
    for (int b = 1; b < 256; b++) {
        if (b == '/')
            continue;
        char n[8] = {'d', '/', 'n', (char)b, 0};
        char r[8] = {'d', '/', 'r', (char)b, (char)b, 0};
        char l[8] = {'d', '/', 'l', (char)b, 'x', 0};
        char s[8] = {'d', '/', 's', (char)b, 0};
        char t[8] = {'t', (char)b, (char)0xff, (char)b, 0};
        struct stat a, c;
        if (stat(n, &a) == 0 && S_ISREG(a.st_mode) && a.st_nlink == 1)
            st_ok++;
        if (rename(n, r) == 0 && stat(r, &c) == 0 && c.st_ino == a.st_ino &&
            access(n, F_OK) == -1 && errno == ENOENT)
            ren_ok++;
        if (link(r, l) == 0 && stat(l, &c) == 0 && c.st_ino == a.st_ino && c.st_nlink == 2)
            ln_ok++;
        if (symlink(t, s) == 0 && lstat(s, &c) == 0 && S_ISLNK(c.st_mode) && c.st_size == 4)
            sym_ok++;
        char buf[16];
        ssize_t k = readlink(s, buf, sizeof buf);
        if (k == 4 && !memcmp(buf, t, 4))
            rl_ok++;
        if (unlink(r) == 0 && unlink(l) == 0 && unlink(s) == 0)
            un_ok++;
    }
    printf("stat %d rename %d link %d symlink %d readlink %d unlink %d\n", st_ok, ren_ok,
           ln_ok, sym_ok, rl_ok, un_ok);
    list_dir("after unlink", "d");

    /* a directory with a byte name: chdir, getcwd, /proc/self/cwd, openat, fd links */
    const char *dn = "\xff\xfe\x80 dir\xc3\x28";
    MUST(mkdir(dn, 0755));
    MUST(chdir(dn));
    char cwd[4200];
    if (getcwd(cwd, sizeof cwd)) {
        size_t cl = strlen(cwd), dl = strlen(dn);
        YN("getcwd ends with the byte name", cl > dl && !strcmp(cwd + cl - dl, dn));
    } else {
        printf("getcwd: -1 %s\n", en(errno));
    }
    link_suffix("/proc/self/cwd ends with the byte name", "/proc/self/cwd", dn);
    MUST(chdir(".."));
    int dfd = open(dn, O_RDONLY | O_DIRECTORY);
    MUST(dfd);
    int ffd = openat(dfd, "\x80\x81", O_CREAT | O_RDWR, 0644);
    SHOWOK("openat byte name in byte dir", ffd);
    char fdl[64], suffix[64];
    snprintf(fdl, sizeof fdl, "/proc/self/fd/%d", ffd);
    snprintf(suffix, sizeof suffix, "%s/\x80\x81", dn);
    link_suffix("/proc/self/fd link ends with both names", fdl, suffix);
    SHOW("fstatat byte name", fstatat(dfd, "\x80\x81", &(struct stat){0}, 0));
    SHOW("renameat byte names", renameat(dfd, "\x80\x81", dfd, "\xfe\xfd"));
    SHOW("unlinkat byte name", unlinkat(dfd, "\xfe\xfd", 0));
    close(ffd);
    close(dfd);
    SHOW("rmdir byte dir", rmdir(dn));

    /* NAME_MAX: 255 bytes of 0x80.. are fine, 256 are not */
    char longname[300];
    for (int i = 0; i < 256; i++)
        longname[i] = (char)(0x80 + i % 128);
    longname[255] = 0;
    SHOWOK("create 255 high bytes", open(longname, O_CREAT | O_WRONLY, 0644));
    SHOW("stat 255 high bytes", access(longname, F_OK));
    char ln2[300];
    memcpy(ln2, longname, 255);
    ln2[0] = (char)0xff;
    ln2[255] = 0;
    SHOW("rename 255 high bytes", rename(longname, ln2));
    SHOW("symlink named 255 high bytes", symlink(ln2, longname));
    char rbuf[300];
    ssize_t rl = readlink(longname, rbuf, sizeof rbuf);
    YN("readlink 255-byte target", rl == 255 && !memcmp(rbuf, ln2, 255));
    longname[255] = (char)0x81;
    longname[256] = 0;
    SHOWOK("create 256 high bytes", open(longname, O_CREAT | O_WRONLY, 0644));
    SHOW("mkdir 256 high bytes", mkdir(longname, 0755));
    SHOW("rename to 256 high bytes", rename(ln2, longname));
    SHOW("link to 256 high bytes", link(ln2, longname));
    SHOW("symlink named 256 high bytes", symlink("x", longname));
    longname[255] = 0;
    SHOW("unlink 255 high bytes (symlink)", unlink(longname));
    SHOW("unlink 255 high bytes (file)", unlink(ln2));

    /* PATH_MAX: a path of 4095 bytes through a 255-byte directory resolves,
     * 4096 bytes give ENAMETOOLONG */
    char dname[256];
    for (int i = 0; i < 255; i++)
        dname[i] = (char)(0xff - i % 100);
    dname[255] = 0;
    MUST(mkdir(dname, 0755));
    char fpath[300];
    snprintf(fpath, sizeof fpath, "%s/\xe9", dname);
    put_file(fpath, "x");
    static char path[8192];
    build_path(path, dname, 4095);
    printf("long path length: %zu\n", strlen(path));
    SHOW("access 4095-byte path", access(path, F_OK));
    SHOWOK("open 4095-byte path", open(path, O_RDONLY));
    SHOW("symlink with 4095-byte target", symlink(path, "lnk"));
    char got[5000];
    ssize_t gl = readlink("lnk", got, sizeof got);
    YN("readlink 4095-byte target", gl == 4095 && !memcmp(got, path, 4095));
    SHOW("stat through 4095-byte link", access("lnk", F_OK));
    build_path(path, dname, 4096);
    printf("too long path length: %zu\n", strlen(path));
    SHOW("access 4096-byte path", access(path, F_OK));
    SHOW("open 4096-byte path", open(path, O_RDONLY));
    SHOW("symlink with 4096-byte target", symlink(path, "lnk2"));
    SHOW("unlink lnk", unlink("lnk"));
    SHOW("unlink in long dir", unlink(fpath));
    SHOW("rmdir long dir", rmdir(dname));

    /* comm set with PR_SET_NAME keeps its bytes */
    MUST(prctl(PR_SET_NAME, "\x80\xff\x01name\xc3\x28", 0, 0, 0));
    char cb[64];
    long cn = get_file("/proc/self/comm", cb, sizeof cb);
    hex("/proc/self/comm after PR_SET_NAME", (unsigned char *)cb, cn < 0 ? 0 : cn);
    char pn[17] = {0};
    MUST(prctl(PR_GET_NAME, pn, 0, 0, 0));
    hex("PR_GET_NAME", (unsigned char *)pn, strlen(pn));

    /* /proc/self/stat shows the name's bytes, status escapes only \n and \\ */
    MUST(prctl(PR_SET_NAME, "a\nb\\c\xff)d", 0, 0, 0));
    static char sb[4096];
    long sl = get_file("/proc/self/stat", sb, sizeof sb);
    char *lp = sl > 0 ? strchr(sb, '(') : NULL, *rp = sl > 0 ? strrchr(sb, ')') : NULL;
    if (lp && rp && rp > lp)
        hex("/proc/self/stat comm", (unsigned char *)lp + 1, rp - lp - 1);
    sl = get_file("/proc/self/status", sb, sizeof sb);
    char *nl = sl > 0 ? strstr(sb, "\nUmask:") : NULL;
    if (nl && !strncmp(sb, "Name:\t", 6))
        hex("/proc/self/status Name", (unsigned char *)sb + 6, nl - sb - 6);

    /* execve through a byte-named symlink with byte argv and envp */
    char exe[4096];
    ssize_t en_ = readlink("/proc/self/exe", exe, sizeof exe - 1);
    MUST(en_);
    exe[en_] = 0;
    MUST(symlink(exe, "e\xff\x80"));
    pid_t pid = fork();
    if (pid == 0) {
        char *av[] = {"./e\xff\x80", "child", "\xfe\x01\x7f", "\xc0\xaf", NULL};
        char *ev[] = {"K=\xc3\x28\xff", NULL};
        execve(av[0], av, ev);
        printf("execve: -1 %s\n", en(errno));
        _exit(1);
    }
    wait_show("exec child", pid);
    SHOW("unlink exec link", unlink("e\xff\x80"));
    return 0;
}
