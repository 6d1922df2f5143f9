// execve from a non-main thread: the other threads die, the exec'd image runs as the leader
// (getpid == gettid == the old pid), the parent sees the same pid exit.
#include "thr_common.h"

static const char *self;
static pid_t leader;

static void *sleeper(void *a)
{
    (void)a;
    for (;;)
        pause();
    return NULL;
}

static void *execer(void *a)
{
    (void)a;
    char arg[32];
    snprintf(arg, sizeof arg, "%d", (int)leader);
    char *argv[] = {(char *)self, "after-exec", arg, NULL};
    char *envp[] = {NULL};
    YN("exec'ing thread is not the leader", gettid() != getpid());
    execve(self, argv, envp);
    printf("execve failed: %s\n", en(errno));
    _exit(1);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "after-exec") == 0) {
        pid_t old = (pid_t)atoi(argv[2]);
        YN("after exec: getpid is the old pid", getpid() == old);
        YN("after exec: gettid == getpid", gettid() == getpid());
        /* one thread left */
        int n = count_self_tasks();
        printf("after exec: threads: %d\n", n);
        return 3;
    }
    self = self_path(argv[0]);
    pid_t k = fork();
    if (k == 0) {
        leader = getpid();
        pthread_t t1, t2;
        pthread_create(&t1, NULL, sleeper, NULL);
        pthread_create(&t2, NULL, execer, NULL);
        for (;;)
            pause();
    }
    wait_show("exec from a thread", k);
    /* the leader has already left with pthread_exit when the thread execs */
    k = fork();
    if (k == 0) {
        leader = getpid();
        pthread_t t2;
        pthread_create(&t2, NULL, execer, NULL);
        pthread_exit(NULL);
    }
    wait_show("exec from a thread after the leader exited", k);
    return 0;
}
