// SIGKILL to a multi-threaded process kills every thread; SIGSTOP/SIGCONT stop and resume all
// threads together (WUNTRACED/WCONTINUED), a thread-directed SIGSTOP stops the whole process.
#include "thr_common.h"

static volatile unsigned long *counters;

static void *spinner(void *a)
{
    long i = (long)a;
    for (;;)
        __atomic_fetch_add(&counters[i], 1, __ATOMIC_RELAXED), sched_yield();
    return NULL;
}

static pid_t start(void)
{
    pid_t k = fork();
    if (k == 0) {
        pthread_t t[3];
        for (long i = 1; i <= 3; i++)
            pthread_create(&t[i - 1], NULL, spinner, (void *)i);
        spinner((void *)0L);
    }
    /* all four threads running */
    for (int n = 0; n < 10000; n++) {
        int ok = 1;
        for (int i = 0; i < 4; i++)
            ok &= counters[i] > 0;
        if (ok)
            break;
        usleep(1000);
    }
    return k;
}

static int all_frozen(void)
{
    unsigned long before[4];
    for (int i = 0; i < 4; i++)
        before[i] = counters[i];
    usleep(50000);
    for (int i = 0; i < 4; i++)
        if (counters[i] != before[i])
            return 0;
    return 1;
}

static int all_moving(void)
{
    unsigned long before[4];
    for (int i = 0; i < 4; i++)
        before[i] = counters[i];
    for (int n = 0; n < 10000; n++) {
        int ok = 1;
        for (int i = 0; i < 4; i++)
            ok &= counters[i] != before[i];
        if (ok)
            return 1;
        usleep(1000);
    }
    return 0;
}

int main(void)
{
    counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t k = start();
    int st;
    kill(k, SIGSTOP);
    waitpid(k, &st, WUNTRACED);
    show_status("after SIGSTOP", st);
    YN("every thread frozen", all_frozen());
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)k);
    kill(k, SIGCONT);
    waitpid(k, &st, WCONTINUED);
    show_status("after SIGCONT", st);
    YN("every thread running again", all_moving());
    /* a stop signal sent to one thread stops the whole group */
    DIR *d;
    char tp[64];
    snprintf(tp, sizeof tp, "/proc/%d/task", (int)k);
    d = opendir(tp);
    pid_t other = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && atoi(e->d_name) != k)
            other = atoi(e->d_name);
    if (d)
        closedir(d);
    syscall(SYS_tgkill, k, other, SIGSTOP);
    waitpid(k, &st, WUNTRACED);
    show_status("after tgkill SIGSTOP", st);
    YN("every thread frozen", all_frozen());
    syscall(SYS_tgkill, k, other, SIGCONT);
    waitpid(k, &st, WCONTINUED);
    show_status("after tgkill SIGCONT", st);
    YN("every thread running again", all_moving());
    kill(k, SIGKILL);
    wait_show("after SIGKILL", k);
    SHOW("no thread left", syscall(SYS_tgkill, k, other, 0));
    /* SIGKILL to a stopped threaded process */
    memset((void *)counters, 0, 4096);
    k = start();
    kill(k, SIGSTOP);
    waitpid(k, &st, WUNTRACED);
    kill(k, SIGKILL);
    wait_show("SIGKILL while stopped", k);
    /* SIGTERM (default action) to a thread kills the process */
    memset((void *)counters, 0, 4096);
    k = start();
    kill(k, SIGTERM);
    wait_show("SIGTERM", k);
    return 0;
}
