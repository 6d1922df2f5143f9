// /proc/self/status: deterministic fields (Name, State, Tgid, Pid, PPid, Threads, Uid/Gid, masks).
#include "common.h"
#include <pthread.h>

static char st[8192];
static const char *field(const char *name)
{
    static char val[256];
    get_file("/proc/self/status", st, sizeof st);
    char key[64];
    snprintf(key, sizeof key, "\n%s:", name);
    char *p = strstr(st, key);
    if (!p && strncmp(st, key + 1, strlen(key) - 1) == 0)
        p = st - 1;
    if (!p)
        return "(missing)";
    p += strlen(key);
    while (*p == '\t' || *p == ' ')
        p++;
    size_t n = strcspn(p, "\n");
    if (n >= sizeof val)
        n = sizeof val - 1;
    memcpy(val, p, n);
    val[n] = 0;
    return val;
}
static volatile int stop;
static void *thr(void *a)
{
    (void)a;
    while (!stop)
        usleep(1000);
    return NULL;
}

int main(void)
{
    prctl(PR_SET_NAME, "status-test", 0, 0, 0);
    printf("Name: %s\n", field("Name"));
    printf("State: %s\n", field("State"));
    printf("Tgid is getpid: %s\n", atoi(field("Tgid")) == getpid() ? "yes" : "no");
    printf("Pid is gettid: %s\n", atoi(field("Pid")) == (int)syscall(SYS_gettid) ? "yes" : "no");
    printf("PPid is getppid: %s\n", atoi(field("PPid")) == getppid() ? "yes" : "no");
    printf("Threads: %s\n", field("Threads"));
    printf("Uid: %s\n", field("Uid"));
    printf("Gid: %s\n", field("Gid"));
    printf("Umask: %s\n", field("Umask"));
    printf("TracerPid: %s\n", field("TracerPid"));
    printf("NoNewPrivs: %s\n", field("NoNewPrivs"));
    printf("Seccomp: %s\n", field("Seccomp"));
    printf("VmRSS present: %s\n", strcmp(field("VmRSS"), "(missing)") ? "yes" : "no");
    printf("VmSize present: %s\n", strcmp(field("VmSize"), "(missing)") ? "yes" : "no");
    printf("Cpus_allowed_list present: %s\n", strcmp(field("Cpus_allowed_list"), "(missing)") ? "yes" : "no");
    printf("Mems_allowed_list: %s\n", field("Mems_allowed_list"));
    /* signal masks */
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    signal(SIGUSR2, SIG_IGN);
    signal(SIGHUP, (void (*)(int))1 + 1); /* any handler address */
    raise(SIGUSR1);
    printf("SigBlk: %s\n", field("SigBlk"));
    /* (signals 32/33 may be ignored by the runner: glibc cannot reset them) */
    printf("SigIgn signals 1-31: %08llx\n", strtoull(field("SigIgn"), NULL, 16) & 0x7fffffffULL);
    printf("SigCgt has SIGHUP: %s\n", strtoull(field("SigCgt"), NULL, 16) & 1 ? "yes" : "no");
    printf("ShdPnd: %s\n", field("ShdPnd"));
    signal(SIGHUP, SIG_DFL);
    /* threads */
    pthread_t t[2];
    pthread_create(&t[0], NULL, thr, NULL);
    pthread_create(&t[1], NULL, thr, NULL);
    printf("Threads with 2 more: %s\n", field("Threads"));
    stop = 1;
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    /* pthread_join returns at the CLEARTID wake, before the thread has left the thread group
     * (Linux too): wait for that, bounded. */
    for (int i = 0; i < 2000 && strcmp(field("Threads"), "1") != 0; i++)
        usleep(1000);
    printf("Threads after join: %s\n", field("Threads"));
    /* a child with other ids */
    pid_t c = fork();
    if (c == 0) {
        setresgid(5, 6, 7);
        setresuid(1, 2, 3);
        printf("child Uid: %s\n", field("Uid"));
        printf("child Gid: %s\n", field("Gid"));
        printf("child CapEff: %s\n", field("CapEff"));
        _exit(0);
    }
    wait_show("child", c);
    /* a stopped child shows T, a zombie Z, via /proc/PID/status */
    c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    kill(c, SIGSTOP);
    int s;
    waitpid(c, &s, WUNTRACED);
    char path[64], buf[8192];
    snprintf(path, sizeof path, "/proc/%d/status", c);
    get_file(path, buf, sizeof buf);
    char *sp = strstr(buf, "State:");
    printf("stopped child: %.*s\n", sp ? (int)strcspn(sp, "\n") : 0, sp ? sp : "");
    kill(c, SIGKILL);
    siginfo_t si;
    waitid(P_PID, c, &si, WEXITED | WNOWAIT);
    get_file(path, buf, sizeof buf);
    sp = strstr(buf, "State:");
    printf("zombie child: %.*s\n", sp ? (int)strcspn(sp, "\n") : 0, sp ? sp : "");
    waitpid(c, NULL, 0);
    return 0;
}
