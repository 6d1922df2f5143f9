// /proc/self: exe, cmdline, fd listing, stat, status, comm.
#include "common.h"

static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(int argc, char **argv)
{
    char buf[8192];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    const char *b1 = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
    const char *b2 = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    printf("exe absolute: %s, basename == argv[0] basename: %s\n", buf[0] == '/' ? "yes" : "no", strcmp(b1, b2) == 0 ? "yes" : "no");
    long len = get_file("/proc/self/cmdline", buf, sizeof buf);
    int same = 1, off = 0;
    for (int i = 0; i < argc; i++) {
        if (off >= len || strcmp(buf + off, argv[i]) != 0)
            same = 0;
        off += strlen(argv[i]) + 1;
    }
    printf("cmdline == argv: %s (length matches: %s)\n", same ? "yes" : "no", off == len ? "yes" : "no");
    int fd;
    MUST(fd = open("/dev/null", O_RDONLY));
    int fd2 = dup2(fd, 7);
    DIR *d = opendir("/proc/self/fd");
    int fds[64], nf = 0;
    struct dirent *de;
    int dfd = dirfd(d);
    while ((de = readdir(d)))
        if (de->d_name[0] != '.' && atoi(de->d_name) != dfd && nf < 64)
            fds[nf++] = atoi(de->d_name);
    closedir(d);
    qsort(fds, nf, sizeof fds[0], cmp);
    int has[16] = {0};
    for (int i = 0; i < nf; i++)
        if (fds[i] >= 0 && fds[i] < 16)
            has[fds[i]] = 1;
    close(8);
    printf("/proc/self/fd lists 0 1 2: %s, new fd 3 and 7: %s, closed 8 absent: %s, count %d\n",
           has[0] && has[1] && has[2] ? "yes" : "no", has[3] && has[7] ? "yes" : "no", !has[8] ? "yes" : "no", nf);
    n = readlink("/proc/self/fd/7", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("fd 7 -> %s\n", buf);
    put_file("named", "x");
    int f = open("named", O_RDONLY);
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", f);
    n = readlink(link, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("file fd link ends with /named: %s\n", n > 6 && strcmp(buf + n - 6, "/named") == 0 ? "yes" : "no");
    int p[2];
    pipe(p);
    snprintf(link, sizeof link, "/proc/self/fd/%d", p[0]);
    n = readlink(link, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("pipe fd link starts with pipe:[: %s\n", strncmp(buf, "pipe:[", 6) == 0 ? "yes" : "no");
    /* reopen via /proc/self/fd */
    int r = open(link, O_WRONLY);
    printf("reopen pipe via /proc/self/fd: %s\n", r >= 0 ? "ok" : en(errno));
    len = get_file("/proc/self/stat", buf, sizeof buf);
    char *rp = strrchr(buf, ')');
    int fields = 2;
    for (char *q = rp + 1; *q; q++)
        if (*q == ' ')
            fields++;
    printf("/proc/self/stat fields >= 52: %s\n", fields >= 52 ? "yes" : "no");
    printf("stat pid field == getpid: %s\n", atoi(buf) == getpid() ? "yes" : "no");
    printf("stat state R: %s\n", rp && rp[2] == 'R' ? "yes" : "no");
    get_file("/proc/self/comm", buf, sizeof buf);
    char want[32];
    snprintf(want, sizeof want, "%.15s\n", b2);
    printf("comm == first 15 of basename: %s\n", strcmp(buf, want) == 0 ? "yes" : "no");
    prctl(PR_SET_NAME, "renamed", 0, 0, 0);
    get_file("/proc/self/comm", buf, sizeof buf);
    printf("comm after PR_SET_NAME: %s", buf);
    get_file("/proc/self/status", buf, sizeof buf);
    printf("status has Name: renamed: %s\n", strstr(buf, "Name:\trenamed\n") ? "yes" : "no");
    printf("status has Pid line: %s\n", strstr(buf, "\nPid:\t") ? "yes" : "no");
    struct stat st;
    printf("/proc/self is symlink: %s\n", lstat("/proc/self", &st) == 0 && S_ISLNK(st.st_mode) ? "yes" : "no");
    char pidpath[64];
    snprintf(pidpath, sizeof pidpath, "/proc/%d", getpid());
    n = readlink("/proc/self", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("/proc/self -> own pid: %s\n", atoi(buf) == getpid() ? "yes" : "no");
    printf("/proc/<pid> is dir: %s\n", stat(pidpath, &st) == 0 && S_ISDIR(st.st_mode) ? "yes" : "no");
    printf("/proc/cmdline exists: %s\n", access("/proc/cmdline", F_OK) == 0 ? "yes" : "no");
    SHOW("/proc/self/nonexistent", open("/proc/self/nonexistent_q", O_RDONLY));
    n = readlink("/proc/self/cwd", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    char cwd[4096];
    getcwd(cwd, sizeof cwd);
    printf("/proc/self/cwd == getcwd: %s\n", strcmp(buf, cwd) == 0 ? "yes" : "no");
    (void)fd2;
    return 0;
}
