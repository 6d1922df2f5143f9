// Exec'ing standard utilities from /bin (busybox applets in the guest).
#include "common.h"

static void run(const char *label, char *const argv[])
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        char *envp[] = {"PATH=/bin:/usr/bin", "LC_ALL=C", NULL};
        dup2(1, 2);
        execve(argv[0], argv, envp);
        printf("exec failed: %s\n", en(errno));
        _exit(127);
    }
    wait_show(label, p);
}

int main(void)
{
    run("true", (char *[]){"/bin/true", NULL});
    run("false", (char *[]){"/bin/false", NULL});
    run("echo", (char *[]){"/bin/echo", "hello", "world", NULL});
    run("sh -c exit 7", (char *[]){"/bin/sh", "-c", "exit 7", NULL});
    run("sh -c kill self", (char *[]){"/bin/sh", "-c", "kill -TERM $$", NULL});
    run("sh arithmetic", (char *[]){"/bin/sh", "-c", "echo $((6 * 7))", NULL});
    run("sh pipeline", (char *[]){"/bin/sh", "-c", "echo abc | tr a-z A-Z", NULL});
    run("sh redirect", (char *[]){"/bin/sh", "-c", "echo data > f && cat f && rm f", NULL});
    run("sh missing command", (char *[]){"/bin/sh", "-c", "nonexistent_cmd_xyz 2>/dev/null", NULL});
    run("sh positional", (char *[]){"/bin/sh", "-c", "echo \"$0|$1|$2|$#\"", "zero", "one", "two", NULL});
    run("cat /dev/null", (char *[]){"/bin/cat", "/dev/null", NULL});
    run("busybox ls missing", (char *[]){"/bin/busybox", "ls", "/nonexistent_dir_q", NULL});
    run("busybox true", (char *[]){"/bin/busybox", "true", NULL});
    run("busybox seq", (char *[]){"/bin/busybox", "seq", "3", NULL});
    run("busybox unknown applet", (char *[]){"/bin/busybox", "no_such_applet_q", NULL});
    run("busybox sh -c", (char *[]){"/bin/busybox", "sh", "-c", "echo ${#PATH} $((1<<4))", NULL});
    run("sh subshell exit", (char *[]){"/bin/sh", "-c", "(exit 3); echo $?", NULL});
    run("sh while loop", (char *[]){"/bin/sh", "-c", "i=0; while [ $i -lt 3 ]; do echo i=$i; i=$((i+1)); done", NULL});
    run("sh background wait", (char *[]){"/bin/sh", "-c", "(exit 5) & wait $!; echo waited=$?", NULL});
    return 0;
}
