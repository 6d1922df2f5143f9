// Initial process state: auxv entries, argv/envp layout, stack, fds.
#include "common.h"
#include <sys/auxv.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
    printf("argc >= 1: %s\n", argc >= 1 ? "yes" : "no");
    printf("argv[argc] NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
    printf("envp follows argv: %s\n", envp == argv + argc + 1 ? "yes" : "no");
    printf("environ == envp: %s\n", environ == envp ? "yes" : "no");
    printf("AT_PAGESZ: %lu\n", getauxval(AT_PAGESZ));
    printf("AT_RANDOM non-null: %s\n", getauxval(AT_RANDOM) ? "yes" : "no");
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN == argv[0]: %s\n", execfn && strcmp(execfn, argv[0]) == 0 ? "yes" : "no");
    printf("AT_PHDR non-null: %s\n", getauxval(AT_PHDR) ? "yes" : "no");
    printf("AT_PHENT: %lu\n", getauxval(AT_PHENT));
    printf("AT_PHNUM > 0: %s\n", getauxval(AT_PHNUM) > 0 ? "yes" : "no");
    printf("AT_ENTRY non-null: %s\n", getauxval(AT_ENTRY) ? "yes" : "no");
    printf("AT_UID %lu AT_EUID %lu AT_GID %lu AT_EGID %lu\n", getauxval(AT_UID), getauxval(AT_EUID),
           getauxval(AT_GID), getauxval(AT_EGID));
    printf("AT_SECURE: %lu\n", getauxval(AT_SECURE));
    printf("AT_CLKTCK: %lu\n", getauxval(AT_CLKTCK));
    errno = 0;
    unsigned long missing = getauxval(12345);
    printf("unknown auxv type: %lu %s\n", missing, en(errno));
    /* argument strings live above the pointer arrays on the stack */
    char local;
    printf("argv strings above argv array: %s\n", (void *)argv[0] > (void *)argv ? "yes" : "no");
    printf("stack local below argv: %s\n", (void *)&local < (void *)argv ? "yes" : "no");
    printf("argv pointer 8-byte aligned: %s\n", ((unsigned long)argv & 7) == 0 ? "yes" : "no");
    /* stdin/out/err are open; stdin is /dev/null for these tests */
    for (int fd = 0; fd < 3; fd++)
        printf("fd %d open: %s\n", fd, fcntl(fd, F_GETFD) >= 0 ? "yes" : "no");
    char c;
    SHOW("read stdin (/dev/null)", read(0, &c, 1));
    /* a re-exec with a known argv[0] path reports it as AT_EXECFN */
    if (argc == 2) {
        printf("child AT_EXECFN: %s\n", execfn);
        printf("child argv[0]: %s\n", argv[0]);
        return 0;
    }
    char self[4096];
    if (argv[0][0] == '/')
        snprintf(self, sizeof self, "%s", argv[0]);
    else if (!realpath(self_path(argv[0]), self))
        return 98;
    MUST(symlink(self, "prog"));
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        char *a[] = {"renamed-argv0", "x", NULL};
        char *e[] = {"K=V", NULL};
        execve("./prog", a, e);
        _exit(127);
    }
    wait_show("re-exec", p);
    /* initial signal state: nothing blocked, nothing pending */
    sigset_t m, pd;
    sigprocmask(SIG_SETMASK, NULL, &m);
    sigpending(&pd);
    printf("mask empty: %s, pending empty: %s\n", sigisemptyset(&m) ? "yes" : "no", sigisemptyset(&pd) ? "yes" : "no");
    return 0;
}
