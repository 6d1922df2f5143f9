// chdir/fchdir/getcwd, including symlinked dirs and ERANGE.
#include "common.h"

static char base[4096];

static void cwd(const char *label)
{
    char buf[4096];
    if (!getcwd(buf, sizeof buf)) {
        printf("%s: %s\n", label, en(errno));
        return;
    }
    size_t n = strlen(base);
    if (strncmp(buf, base, n) == 0)
        printf("%s: <base>%s\n", label, buf + n);
    else
        printf("%s: %s\n", label, buf);
}

int main(void)
{
    MUST(getcwd(base, sizeof base) ? 0 : -1);
    printf("cwd absolute: %s\n", base[0] == '/' ? "yes" : "no");
    MUST(mkdir("a", 0755));
    MUST(mkdir("a/b", 0755));
    MUST(symlink("a/b", "lb"));
    put_file("f", "x");
    SHOW("chdir a", chdir("a"));
    cwd("cwd");
    SHOW("chdir b", chdir("b"));
    cwd("cwd");
    SHOW("chdir ../..", chdir("../.."));
    cwd("cwd");
    SHOW("chdir via symlink", chdir("lb"));
    cwd("cwd (symlink resolved)");
    SHOW("chdir ..", chdir(".."));
    cwd("cwd after .. from symlinked");
    SHOW("chdir ..", chdir(".."));
    SHOW("chdir file", chdir("f"));
    SHOW("chdir missing", chdir("missing"));
    SHOW("chdir empty", chdir(""));
    SHOW("chdir bad ptr", syscall(SYS_chdir, BADPTR));
    int fd;
    MUST(fd = open("a/b", O_RDONLY | O_DIRECTORY));
    SHOW("fchdir", fchdir(fd));
    cwd("cwd");
    int ffd;
    MUST(ffd = open("../../f", O_RDONLY));
    SHOW("fchdir file", fchdir(ffd));
    SHOW("fchdir bad fd", fchdir(999));
    int pfd;
    MUST(pfd = open("..", O_PATH));
    SHOW("fchdir O_PATH", fchdir(pfd));
    cwd("cwd");
    char small[4];
    SHOW("getcwd small buffer", syscall(SYS_getcwd, small, sizeof small));
    SHOW("getcwd size 0", syscall(SYS_getcwd, small, 0));
    SHOW("getcwd bad ptr", syscall(SYS_getcwd, BADPTR, 4096));
    char big[4096];
    long n = syscall(SYS_getcwd, big, sizeof big);
    printf("raw getcwd returns strlen+1: %s\n", n == (long)strlen(big) + 1 ? "yes" : "no");
    errno = 0;
    char *r = getcwd(small, sizeof small);
    printf("libc getcwd small: %s %s\n", r ? "ok" : "NULL", en(errno));
    SHOW("chdir /", chdir("/"));
    cwd("cwd");
    SHOW("chdir /..", chdir("/.."));
    cwd("cwd");
    SHOW("chdir /tmp", chdir("/tmp"));
    cwd("cwd");
    SHOW("chdir //", chdir("//"));
    cwd("cwd");
    return 0;
}
