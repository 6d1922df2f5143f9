// SIGPIPE is sent to the writing thread (si_code SI_USER, si_pid self); EPIPE when ignored or
// handled or blocked (then pending); the default action kills the process.
#include "thr_common.h"

static volatile pid_t handled_by;
static volatile int h_code;
static volatile pid_t h_pid;

static void h(int s, siginfo_t *si, void *uc)
{
    (void)s;
    (void)uc;
    handled_by = gettid();
    h_code = si->si_code;
    h_pid = si->si_pid;
}

static int wfd;
static volatile long wres;
static volatile int werr;
static volatile pid_t writer_tid;

static void *writer(void *a)
{
    (void)a;
    writer_tid = gettid();
    errno = 0;
    wres = write(wfd, "x", 1);
    werr = errno;
    return NULL;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGPIPE, &sa, NULL);
    int p[2];
    MUST(pipe(p));
    close(p[0]);
    wfd = p[1];
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    pthread_join(t, NULL);
    printf("write in thread: %ld %s\n", wres, en(werr));
    printf("SIGPIPE handled by the writer: %s, code %d, pid self %s\n", handled_by == writer_tid ? "yes" : "no",
           h_code, h_pid == getpid() ? "yes" : "no");
    signal(SIGPIPE, SIG_IGN);
    SHOW("write, SIGPIPE ignored", write(wfd, "x", 1));
    /* blocked: EPIPE and the signal stays pending on this thread */
    signal(SIGPIPE, SIG_DFL);
    sigset_t s, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    sigprocmask(SIG_BLOCK, &s, NULL);
    SHOW("write, SIGPIPE blocked", write(wfd, "x", 1));
    sigpending(&pend);
    YN("SIGPIPE pending", sigismember(&pend, SIGPIPE));
    int sig;
    sigwait(&s, &sig);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    pid_t k = fork();
    if (k == 0) {
        write(wfd, "x", 1);
        _exit(0);
    }
    wait_show("default SIGPIPE (pipe)", k);
    return 0;
}
