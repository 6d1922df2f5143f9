// SIGCHLD to a threaded parent: collected by sigwaitinfo in a worker thread (CLD_EXITED/KILLED,
// si_pid, si_status); a child created by a non-main thread still belongs to the process.
#include "thr_common.h"

static volatile int n_got;
static siginfo_t got[2];

static void *collector(void *a)
{
    (void)a;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    for (int i = 0; i < 2; i++) {
        siginfo_t si;
        if (sigwaitinfo(&s, &si) == SIGCHLD)
            got[n_got++] = si;
    }
    return NULL;
}

static pid_t forked_in_thread;

static void *forker(void *a)
{
    (void)a;
    pid_t k = fork();
    if (k == 0)
        _exit(21);
    forked_in_thread = k;
    return NULL;
}

int main(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int gate[2];
    MUST(pipe(gate));
    pthread_t t;
    pthread_create(&t, NULL, collector, NULL);
    pid_t a = fork();
    if (a == 0)
        _exit(7);
    /* wait for the first SIGCHLD before making the second child (standard signals coalesce) */
    for (int i = 0; i < 10000 && n_got < 1; i++)
        usleep(1000);
    pid_t b = fork();
    if (b == 0) {
        char c;
        read(gate[0], &c, 1);
        _exit(0);
    }
    kill(b, SIGTERM);
    pthread_join(t, NULL);
    printf("first: code %s pid ok %s status %d\n", got[0].si_code == CLD_EXITED ? "CLD_EXITED" : "?",
           got[0].si_pid == a ? "yes" : "no", got[0].si_status);
    printf("second: code %s pid ok %s status %s\n", got[1].si_code == CLD_KILLED ? "CLD_KILLED" : "?",
           got[1].si_pid == b ? "yes" : "no", sigabbrev_np(got[1].si_status));
    wait_show("a", a);
    wait_show("b", b);
    /* a child forked by another thread is waitable from main */
    pthread_create(&t, NULL, forker, NULL);
    pthread_join(t, NULL);
    wait_show("child of a thread", forked_in_thread);
    int st;
    SHOW("no more children", waitpid(-1, &st, 0));
    return 0;
}
