// #! scripts: interpreter, optional argument, argv layout, recursion limits.
#include "common.h"

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (strcmp(base, "interp") == 0) {
        printf("interp argc=%d:", argc);
        for (int i = 0; i < argc; i++)
            printf(" [%s]", argv[i]);
        printf("\n");
        return 0;
    }
    char self[4096];
    if (argv[0][0] == '/')
        snprintf(self, sizeof self, "%s", argv[0]);
    else if (!realpath(self_path(argv[0]), self))
        return 98;
    MUST(symlink(self, "interp"));
    put_file("s1", "#!/bin/sh\necho \"script: $0 $# $@\"\nexit 4\n");
    chmod("s1", 0755);
    put_file("s2", "#!./interp\n");
    put_file("s3", "#!./interp  one arg  with spaces \n");
    put_file("s4", "#! ./interp\tx\n");
    put_file("s5", "#!./interp -x\r\n");
    put_file("s6", "#!./s2\n"); /* nested: interpreter is itself a script */
    put_file("s7", "#!/bin/echo\n");
    put_file("s8", "#!/bin/echo hello\n");
    for (int i = 2; i <= 8; i++) {
        char n[8];
        snprintf(n, sizeof n, "s%d", i);
        chmod(n, 0755);
    }
    char *envp[] = {"PATH=/bin:/usr/bin", NULL};
    const char *scripts[] = {"./s1", "./s2", "./s3", "./s4", "./s5", "./s6", "./s7", "./s8"};
    for (int i = 0; i < 8; i++) {
        pid_t p = fork();
        if (p == 0) {
            char *a[] = {"ignored-argv0", "a", "b c", NULL};
            execve(scripts[i], a, envp);
            printf("exec %s failed: %s\n", scripts[i], en(errno));
            _exit(127);
        }
        char l[32];
        snprintf(l, sizeof l, "%s", scripts[i]);
        wait_show(l, p);
    }
    /* interpreter loop: script whose interpreter is itself */
    put_file("loop", "#!./loop\n");
    chmod("loop", 0755);
    char *a[] = {"x", NULL};
    SHOW("self-interpreting script", execve("./loop", a, envp));
    /* interpreter not executable */
    put_file("ni", "#!./noexec_interp\n");
    chmod("ni", 0755);
    put_file("noexec_interp", "");
    SHOW("non-executable interpreter", execve("./ni", a, envp));
    /* script without exec permission */
    chmod("s1", 0644);
    SHOW("script without x bit", execve("./s1", a, envp));
    /* very long #! line (> 256 bytes) is ENOEXEC on modern Linux */
    char longline[400] = "#!./interp ";
    memset(longline + 11, 'y', 300);
    longline[311] = '\n';
    longline[312] = 0;
    put_file("long", longline);
    chmod("long", 0755);
    pid_t p = fork();
    if (p == 0) {
        execve("./long", a, envp);
        printf("long shebang: %s\n", en(errno));
        _exit(0);
    }
    wait_show("long shebang", p);
    return 0;
}
