// /proc/self/task lists every thread (tids), shrinks as threads exit; task/TID/stat names the thread.
#include "thr_common.h"

static int gate;
static volatile pid_t tids[3];

static void *worker(void *a)
{
    long i = (long)a;
    tids[i] = gettid();
    while (__atomic_load_n(&gate, __ATOMIC_SEQ_CST) <= i)
        futex6(&gate, FUTEX_WAIT_PRIVATE, __atomic_load_n(&gate, __ATOMIC_SEQ_CST), NULL, NULL, 0);
    return NULL;
}

static int count_tasks(int *has_all)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0, found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        n++;
        pid_t t = atoi(e->d_name);
        if (t == getpid())
            found |= 1;
        for (int i = 0; i < 3; i++)
            if (t == tids[i])
                found |= 2 << i;
    }
    closedir(d);
    *has_all = found;
    return n;
}

int main(void)
{
    int found;
    printf("alone: %d tasks\n", count_tasks(&found));
    pthread_t t[3];
    for (long i = 0; i < 3; i++) {
        pthread_create(&t[i], NULL, worker, (void *)i);
        while (!tids[i])
            usleep(1000);
    }
    int n = count_tasks(&found);
    printf("with 3 threads: %d tasks, ids found mask %#x\n", n, found);
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tids[1]);
    get_file(path, buf, sizeof buf);
    YN("task stat starts with the tid", atoi(buf) == tids[1]);
    snprintf(path, sizeof path, "/proc/%d/task/%d", (int)getpid(), (int)tids[2]);
    struct stat st;
    SHOW("stat /proc/PID/task/TID", stat(path, &st));
    SHOW("stat /proc/self/task/1", stat("/proc/self/task/999999", &st));
    for (int i = 0; i < 3; i++) {
        __atomic_store_n(&gate, i + 1, __ATOMIC_SEQ_CST);
        futex6(&gate, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
        pthread_join(t[i], NULL);
        /* join returns at the CLONE_CHILD_CLEARTID wake, which comes before the thread
         * leaves the task list (on Linux too): wait, bounded, for it to go. A listing made
         * while a thread leaves can also miss a live one (Linux's proc readdir walks by
         * position), so a count below the expected one is read again too. */
        int want = 3 - i, left = count_tasks(&found);
        for (int k = 0; k < 2000 && left != want; k++) {
            usleep(1000);
            left = count_tasks(&found);
        }
        printf("after join %d: %d tasks\n", i, left);
    }
    return 0;
}
