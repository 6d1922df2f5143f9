// execve: argv/envp passing and error codes.
#include "common.h"

extern char **environ;

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "show") == 0) {
        printf("argc=%d", argc);
        for (int i = 2; i < argc; i++)
            printf(" [%s]", argv[i]);
        printf("\nenv:");
        for (char **e = environ; *e; e++)
            printf(" [%s]", *e);
        printf("\nargv[argc] NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
        return 3;
    }
    if (argc > 3 && strcmp(argv[1], "probe") == 0) {
        printf("inherited fd open: %s\n", fcntl(atoi(argv[2]), F_GETFD) >= 0 ? "yes" : "no");
        printf("cloexec fd open: %s\n", fcntl(atoi(argv[3]), F_GETFD) >= 0 ? "yes" : "no");
        return 0;
    }
    const char *self = self_path(argv[0]);
    pid_t p = fork();
    if (p == 0) {
        char *a[] = {"prog", "show", "one", "two words", "", "three", NULL};
        char *e[] = {"A=1", "B=two", "EMPTY=", "NOEQ", NULL};
        execve(self, a, e);
        _exit(127);
    }
    wait_show("exec with args", p);
    p = fork();
    if (p == 0) {
        char *a[] = {"prog", "show", NULL};
        char *e[] = {NULL};
        execve(self, a, e);
        _exit(127);
    }
    wait_show("exec with empty env", p);
    p = fork();
    if (p == 0) {
        char *e[] = {"X=y", NULL};
        char *a[] = {"prog", "show", NULL};
        /* NULL envp is treated as empty on Linux */
        syscall(SYS_execve, self, a, NULL);
        (void)e;
        _exit(127);
    }
    wait_show("exec with NULL envp", p);
    char *a[] = {"x", NULL};
    char *e[] = {NULL};
    SHOW("execve missing", execve("./missing", a, e));
    put_file("noexec", "#!/bin/sh\necho hi\n");
    chmod("noexec", 0644);
    SHOW("execve non-executable", execve("./noexec", a, e));
    put_file("garbage", "this is not an executable\n\x01\x02\x03");
    chmod("garbage", 0755);
    SHOW("execve garbage", syscall(SYS_execve, "./garbage", a, e));
    put_file("empty", "");
    chmod("empty", 0755);
    SHOW("execve empty file", syscall(SYS_execve, "./empty", a, e));
    put_file("elfhdr", "\x7f" "ELF");
    chmod("elfhdr", 0755);
    SHOW("execve truncated ELF", syscall(SYS_execve, "./elfhdr", a, e));
    mkdir("dir", 0755);
    SHOW("execve directory", execve("./dir", a, e));
    SHOW("execve through file", execve("./garbage/x", a, e));
    SHOW("execve /dev/null", execve("/dev/null", a, e));
    SHOW("execve bad argv ptr", syscall(SYS_execve, self, BADPTR, e));
    char *badargv[] = {"x", BADPTR, NULL};
    SHOW("execve bad argv element", syscall(SYS_execve, self, badargv, e));
    SHOW("execve empty path", execve("", a, e));
    put_file("interp_missing", "#!/no/such/interpreter\n");
    chmod("interp_missing", 0755);
    SHOW("execve script with missing interpreter", execve("./interp_missing", a, e));
    /* CLOEXEC fds are closed across exec, others kept */
    int keep = open("/dev/null", O_RDONLY);
    int drop = open("/dev/null", O_RDONLY | O_CLOEXEC);
    fflush(stdout);
    p = fork();
    if (p == 0) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", keep);
        char buf2[16];
        snprintf(buf2, sizeof buf2, "%d", drop);
        execl(self, "prog", "probe", buf, buf2, (char *)NULL);
        _exit(127);
    }
    wait_show("fd probe", p);
    return 0;
}
