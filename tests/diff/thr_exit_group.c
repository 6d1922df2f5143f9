// SYS_exit ends one thread, exit_group (and exit from any thread) ends all; main thread exiting first.
#include "thr_common.h"

static void *sleeper(void *a)
{
    (void)a;
    for (;;)
        pause();
    return NULL;
}

static void *exit_thread_only(void *a)
{
    (void)a;
    syscall(SYS_exit, 5);
    return NULL;
}

static void *exit_group_thread(void *a)
{
    (void)a;
    syscall(SYS_exit_group, 6);
    return NULL;
}

static void *late_exit(void *a)
{
    pid_t main_tid = (pid_t)(long)a;
    /* the main thread has left: it is a zombie in /proc (state Z) or gone */
    for (int i = 0; i < 10000; i++) {
        char s = task_state(getpid(), main_tid);
        if (s == 'Z' || s == '?')
            break;
        usleep(1000);
    }
    printf("late thread: still running after main thread exit\n");
    exit(9);
}

int main(void)
{
    pid_t k = fork();
    if (k == 0) {
        pthread_t t;
        pthread_create(&t, NULL, exit_thread_only, NULL);
        pthread_join(t, NULL);
        printf("child: thread exited alone, process alive\n");
        _exit(4);
    }
    wait_show("SYS_exit in a thread", k);
    k = fork();
    if (k == 0) {
        pthread_t t1, t2;
        pthread_create(&t1, NULL, sleeper, NULL);
        pthread_create(&t2, NULL, exit_group_thread, NULL);
        for (;;)
            pause();
    }
    wait_show("exit_group from a thread", k);
    k = fork();
    if (k == 0) {
        pthread_t t;
        pthread_create(&t, NULL, late_exit, (void *)(long)gettid());
        pthread_exit(NULL);
    }
    wait_show("main thread pthread_exit, last thread exit(9)", k);
    k = fork();
    if (k == 0) {
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
        syscall(SYS_exit, 3); /* main thread only; the sleeper keeps the process */
    }
    int st;
    usleep(50000);
    YN("main-thread SYS_exit: process still there", waitpid(k, &st, WNOHANG) == 0);
    kill(k, SIGTERM);
    wait_show("after SIGTERM", k);
    return 0;
}
