// vfork: parent suspended until child _exits or execs; memory shared.
#include "common.h"
#include <spawn.h>

int main(int argc, char **argv)
{
    if (argc > 1) {
        printf("exec'd child says %s\n", argv[1]);
        return 11;
    }
    volatile int shared = 1;
    pid_t p = vfork();
    if (p == 0) {
        shared = 2;
        _exit(5);
    }
    printf("parent resumed after child exit, sees shared=%d\n", shared);
    wait_show("vfork child", p);
    char *args[] = {argv[0], "hello", NULL};
    p = vfork();
    if (p == 0) {
        execv(self_path(argv[0]), args);
        _exit(127);
    }
    wait_show("vfork+exec child", p);
    p = vfork();
    if (p == 0) {
        execl("/nonexistent/prog", "x", (char *)NULL);
        _exit(errno == ENOENT ? 66 : 67);
    }
    wait_show("vfork+failed exec", p);
    /* posix_spawn uses CLONE_VFORK */
    extern char **environ;
    char *sa[] = {"true", NULL};
    pid_t sp;
    int e = posix_spawn(&sp, "/bin/true", NULL, NULL, sa, environ);
    printf("posix_spawn /bin/true: %s\n", e ? en(e) : "ok");
    wait_show("spawned", sp);
    e = posix_spawn(&sp, "/nonexistent", NULL, NULL, sa, environ);
    printf("posix_spawn missing: %s\n", e ? en(e) : "ok");
    if (!e)
        wait_show("spawned missing", sp);
    return 0;
}
