// execve in a multi-threaded process: the other threads exit as if killed, so a process-shared
// robust mutex one of them held becomes EOWNERDEAD for others; the exec'ing thread's own too.
#include "thr_common.h"

static pthread_mutex_t *mu;
static volatile int locked;

static void *holder(void *a)
{
    (void)a;
    pthread_mutex_lock(&mu[0]);
    locked = 1;
    for (;;)
        pause();
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "after-exec") == 0)
        return 4;
    mu = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 2; i++) {
        pthread_mutexattr_t at;
        pthread_mutexattr_init(&at);
        pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
        pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
        pthread_mutex_init(&mu[i], &at);
    }
    pid_t k = fork();
    if (k == 0) {
        pthread_t t;
        pthread_create(&t, NULL, holder, NULL);
        while (!locked)
            usleep(1000);
        pthread_mutex_lock(&mu[1]); /* held by the exec'ing thread itself */
        char *args[] = {(char *)self_path(argv[0]), "after-exec", NULL};
        execv(args[0], args);
        _exit(1);
    }
    wait_show("exec'd child", k);
    int r = pthread_mutex_lock(&mu[0]);
    printf("mutex held by a thread that exec killed: %s\n", r ? en(r) : "0");
    r = pthread_mutex_lock(&mu[1]);
    printf("mutex held by the exec'ing thread: %s\n", r ? en(r) : "0");
    return 0;
}
