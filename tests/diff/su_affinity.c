// sched_getaffinity/setaffinity: counts consistent with sysconf, errors, inheritance, threads.
#include "common.h"
#include <pthread.h>

static volatile int th_ok;
static void *th(void *a)
{
    (void)a;
    cpu_set_t s;
    CPU_ZERO(&s);
    sched_getaffinity(0, sizeof s, &s);
    th_ok = CPU_COUNT(&s);
    return NULL;
}

int main(void)
{
    long on = sysconf(_SC_NPROCESSORS_ONLN), conf = sysconf(_SC_NPROCESSORS_CONF);
    cpu_set_t s;
    CPU_ZERO(&s);
    SHOW("getaffinity", sched_getaffinity(0, sizeof s, &s));
    int n = CPU_COUNT(&s);
    printf("count == online: %s, online <= conf: %s, cpu0 set: %s\n", n == on ? "yes" : "no", on <= conf ? "yes" : "no",
           CPU_ISSET(0, &s) ? "yes" : "no");
    unsigned long mask[16] = {0};
    long r = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
    printf("raw return is bytes, multiple of 8: %s\n", r > 0 && r % 8 == 0 && r <= (long)sizeof mask ? "yes" : "no");
    SHOW("raw size 8", syscall(SYS_sched_getaffinity, 0, 8, mask) > 0 ? 0 : -1);
    SHOW("raw size 4", syscall(SYS_sched_getaffinity, 0, 4, mask));
    SHOW("raw size 7", syscall(SYS_sched_getaffinity, 0, 7, mask));
    SHOW("raw size 0", syscall(SYS_sched_getaffinity, 0, 0, mask));
    SHOW("raw bad ptr", syscall(SYS_sched_getaffinity, 0, sizeof mask, BADPTR));
    SHOW("pid 999999", syscall(SYS_sched_getaffinity, 999999, sizeof mask, mask));
    SHOW("pid -1", syscall(SYS_sched_getaffinity, -1, sizeof mask, mask));
    SHOW("getpid()", syscall(SYS_sched_getaffinity, getpid(), sizeof mask, mask) > 0 ? 0 : -1);
    /* restrict to CPU 0 */
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    SHOW("setaffinity {0}", sched_setaffinity(0, sizeof one, &one));
    CPU_ZERO(&s);
    sched_getaffinity(0, sizeof s, &s);
    printf("now count %d, cpu0 %s\n", CPU_COUNT(&s), CPU_ISSET(0, &s) ? "set" : "clear");
    printf("sysconf online unchanged: %s\n", sysconf(_SC_NPROCESSORS_ONLN) == on ? "yes" : "no");
    printf("sched_getcpu is 0: %s\n", sched_getcpu() == 0 ? "yes" : "no");
    /* a child and a thread inherit it */
    pid_t c = fork();
    if (c == 0) {
        cpu_set_t cs;
        CPU_ZERO(&cs);
        sched_getaffinity(0, sizeof cs, &cs);
        _exit(CPU_COUNT(&cs));
    }
    int st;
    waitpid(c, &st, 0);
    printf("child inherits count: %d\n", WEXITSTATUS(st));
    pthread_t t;
    pthread_create(&t, NULL, th, NULL);
    pthread_join(t, NULL);
    printf("thread inherits count: %d\n", th_ok);
    /* errors */
    cpu_set_t empty;
    CPU_ZERO(&empty);
    SHOW("set empty mask", sched_setaffinity(0, sizeof empty, &empty));
    cpu_set_t far;
    CPU_ZERO(&far);
    CPU_SET(1000, &far);
    SHOW("set only cpu 1000", sched_setaffinity(0, sizeof far, &far));
    SHOW("set bad ptr", syscall(SYS_sched_setaffinity, 0, sizeof far, BADPTR));
    SHOW("set pid 999999", sched_setaffinity(999999, sizeof one, &one));
    /* a short mask (4 bytes) is fine for set */
    unsigned int small = 1;
    SHOW("set 4-byte mask", syscall(SYS_sched_setaffinity, 0, 4, &small));
    /* set a child's affinity from the parent */
    int p[2];
    MUST(pipe(p));
    c = fork();
    if (c == 0) {
        char b;
        read(p[0], &b, 1);
        cpu_set_t cs;
        CPU_ZERO(&cs);
        sched_getaffinity(0, sizeof cs, &cs);
        _exit(CPU_COUNT(&cs) == 1 && CPU_ISSET(0, &cs) ? 0 : 1);
    }
    SHOW("set child's mask", sched_setaffinity(c, sizeof one, &one));
    write(p[1], "x", 1);
    wait_show("child sees {0}", c);
    /* restore everything online */
    CPU_ZERO(&s);
    for (int i = 0; i < on; i++)
        CPU_SET(i, &s);
    SHOW("restore all", sched_setaffinity(0, sizeof s, &s));
    CPU_ZERO(&s);
    sched_getaffinity(0, sizeof s, &s);
    printf("restored count == online: %s\n", CPU_COUNT(&s) == on ? "yes" : "no");
    return 0;
}
