// prctl: names (truncation), PDEATHSIG, DUMPABLE, NO_NEW_PRIVS, TIMERSLACK, unknown options.
#include "common.h"
#include <pthread.h>

int main(void)
{
    char name[32];
    SHOW("SET_NAME short", prctl(PR_SET_NAME, "short", 0, 0, 0));
    memset(name, 'x', sizeof name);
    SHOW("GET_NAME", prctl(PR_GET_NAME, name, 0, 0, 0));
    printf("name: '%s'\n", name);
    SHOW("SET_NAME 20 chars", prctl(PR_SET_NAME, "abcdefghijklmnopqrst", 0, 0, 0));
    prctl(PR_GET_NAME, name, 0, 0, 0);
    printf("truncated: '%s' (len %zu)\n", name, strlen(name));
    char comm[64];
    get_file("/proc/self/comm", comm, sizeof comm);
    printf("/proc/self/comm: %s", comm);
    SHOW("SET_NAME empty", prctl(PR_SET_NAME, "", 0, 0, 0));
    prctl(PR_GET_NAME, name, 0, 0, 0);
    printf("empty name: '%s'\n", name);
    SHOW("SET_NAME bad ptr", prctl(PR_SET_NAME, BADPTR, 0, 0, 0));
    SHOW("GET_NAME bad ptr", prctl(PR_GET_NAME, BADPTR, 0, 0, 0));
    prctl(PR_SET_NAME, "main", 0, 0, 0);
    /* (per-thread names: Rill keeps one name per process for now, not tested) */
    SHOW("pthread_setname_np 15", pthread_setname_np(pthread_self(), "fifteen-chars-x"));
    printf("pthread_setname_np 16: %s\n", en(pthread_setname_np(pthread_self(), "sixteen-chars-xx")));
    char tn[32];
    pthread_getname_np(pthread_self(), tn, sizeof tn);
    printf("pthread_getname_np: %s\n", tn);
    /* PDEATHSIG */
    int sig = -1;
    SHOW("GET_PDEATHSIG default", prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0));
    printf("pdeathsig: %d\n", sig);
    SHOW("SET_PDEATHSIG USR1", prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0));
    prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
    printf("pdeathsig: %d\n", sig);
    SHOW("SET_PDEATHSIG 65", prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0));
    SHOW("SET_PDEATHSIG -1", prctl(PR_SET_PDEATHSIG, -1, 0, 0, 0));
    SHOW("GET_PDEATHSIG bad ptr", prctl(PR_GET_PDEATHSIG, BADPTR, 0, 0, 0));
    pid_t c = fork();
    if (c == 0) {
        int s = -1;
        prctl(PR_GET_PDEATHSIG, &s, 0, 0, 0);
        _exit(s);
    }
    int st;
    waitpid(c, &st, 0);
    printf("child's pdeathsig after fork: %d\n", WEXITSTATUS(st));
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    /* the death signal arrives when the parent (a middle process) exits */
    int p[2];
    MUST(pipe(p));
    c = fork();
    if (c == 0) {
        pid_t g = fork();
        if (g == 0) {
            close(p[0]);
            signal(SIGUSR2, SIG_DFL);
            prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0);
            write(p[1], "r", 1);
            for (;;)
                pause();
        }
        char b;
        close(p[1]);
        read(p[0], &b, 1);
        _exit(0); /* the grandchild now gets SIGUSR2 and dies */
    }
    close(p[1]);
    waitpid(c, NULL, 0);
    char b;
    /* the grandchild's write end closes when it dies */
    long r = read(p[0], &b, 1);
    printf("grandchild gone after parent exit: %s\n", r == 0 ? "yes" : "no");
    /* DUMPABLE */
    SHOW("GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    SHOW("SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
    SHOW("GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    SHOW("SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2, 0, 0, 0));
    SHOW("SET_DUMPABLE 1", prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
    /* NO_NEW_PRIVS is one-way; in a child */
    c = fork();
    if (c == 0) {
        SHOW("GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
        SHOW("SET_NO_NEW_PRIVS 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
        SHOW("GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
        SHOW("SET_NO_NEW_PRIVS 0", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
        SHOW("SET_NO_NEW_PRIVS extra args", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0));
        _exit(0);
    }
    wait_show("child", c);
    /* misc */
    SHOW("GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    SHOW("SET_TIMERSLACK 0 (default)", prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
    SHOW("GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    SHOW("GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &sig, 0, 0, 0));
    SHOW("GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    SHOW("GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
    SHOW("GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
    SHOW("unknown option 9999", prctl(9999, 0, 0, 0, 0));
    SHOW("unknown option -1", prctl(-1, 0, 0, 0, 0));
    return 0;
}
