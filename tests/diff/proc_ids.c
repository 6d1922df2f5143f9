// getpid/getppid/gettid relations across fork and threads.
#include "common.h"
#include <pthread.h>

static pid_t main_pid;
static void *thr(void *arg)
{
    (void)arg;
    printf("thread: getpid same: %s, gettid differs: %s, ppid same: %s\n",
           getpid() == main_pid ? "yes" : "no", gettid() != main_pid ? "yes" : "no",
           getppid() == (pid_t)(long)arg ? "yes" : "no");
    return NULL;
}

int main(void)
{
    main_pid = getpid();
    printf("pid > 1: %s\n", main_pid > 1 ? "yes" : "no");
    printf("gettid == getpid in main thread: %s\n", gettid() == main_pid ? "yes" : "no");
    printf("raw getpid matches: %s\n", syscall(SYS_getpid) == main_pid ? "yes" : "no");
    pthread_t t;
    pthread_create(&t, NULL, thr, (void *)(long)getppid());
    pthread_join(t, NULL);
    int p[2];
    MUST(pipe(p));
    pid_t c = fork();
    if (c == 0) {
        pid_t info[3] = {getpid(), getppid(), gettid()};
        write(p[1], info, sizeof info);
        _exit(0);
    }
    pid_t info[3];
    read(p[0], info, sizeof info);
    printf("child pid == fork return: %s\n", info[0] == c ? "yes" : "no");
    printf("child ppid == parent pid: %s\n", info[1] == main_pid ? "yes" : "no");
    printf("child tid == child pid: %s\n", info[2] == c ? "yes" : "no");
    wait_show("child", c);
    /* orphan is reparented: ppid changes away from its dead parent */
    c = fork();
    if (c == 0) {
        int q[2];
        pipe(q);
        pid_t mid = getpid();
        pid_t g = fork();
        if (g == 0) {
            close(q[1]);
            char x;
            read(q[0], &x, 1); /* EOF when mid exits */
            /* Linux closes the files of an exiting process before it
             * reparents its children: wait (bounded) for the reparenting */
            pid_t pp = getppid();
            for (int i = 0; i < 2000 && pp == mid; i++) {
                usleep(1000);
                pp = getppid();
            }
            write(p[1], &pp, sizeof pp);
            write(p[1], &mid, sizeof mid);
            _exit(0);
        }
        _exit(0);
    }
    wait_show("middle", c);
    pid_t pp, mid;
    read(p[0], &pp, sizeof pp);
    read(p[0], &mid, sizeof mid);
    printf("orphan reparented away from dead parent: %s\n", pp != mid ? "yes" : "no");
    /* pids of successive children are distinct */
    pid_t a = fork();
    if (a == 0)
        _exit(0);
    pid_t b = fork();
    if (b == 0)
        _exit(0);
    printf("two live children have distinct pids: %s\n", a != b ? "yes" : "no");
    waitpid(a, NULL, 0);
    waitpid(b, NULL, 0);
    return 0;
}
