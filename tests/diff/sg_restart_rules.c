// SA_RESTART vs not, for read on a pipe and for wait4, with the signal sent by another thread once
// the main thread sleeps in the call; nanosleep reports the time left after EINTR.
#include "thr_common.h"

static volatile int hits;
static pid_t main_tid;
static int wfd = -1;

static void h(int s)
{
    (void)s;
    hits++;
}

static void *kicker(void *a)
{
    int feed = (int)(long)a;
    wait_sleeping(getpid(), main_tid);
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    if (feed) {
        /* once the handler ran, give the restarted read its data */
        wait_flag(&hits);
        wait_sleeping(getpid(), main_tid);
        write(wfd, "x", 1);
    }
    return NULL;
}

static void set(int flags)
{
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigaction(SIGUSR1, &sa, NULL);
    hits = 0;
}

int main(void)
{
    main_tid = gettid();
    int p[2];
    MUST(pipe(p));
    wfd = p[1];
    char c;
    pthread_t t;
    set(0);
    pthread_create(&t, NULL, kicker, (void *)0L);
    SHOW("read, no SA_RESTART", read(p[0], &c, 1));
    pthread_join(t, NULL);
    printf("hits %d\n", hits);
    set(SA_RESTART);
    pthread_create(&t, NULL, kicker, (void *)1L);
    SHOW("read, SA_RESTART", read(p[0], &c, 1));
    pthread_join(t, NULL);
    printf("hits %d, byte %c\n", hits, c);
    /* wait4 */
    int q[2];
    MUST(pipe(q));
    pid_t k = fork();
    if (k == 0) {
        read(q[0], &c, 1);
        _exit(5);
    }
    set(0);
    pthread_create(&t, NULL, kicker, (void *)0L);
    int st;
    SHOW("wait4, no SA_RESTART", wait4(k, &st, 0, NULL));
    pthread_join(t, NULL);
    set(SA_RESTART);
    wfd = q[1];
    pthread_create(&t, NULL, kicker, (void *)1L);
    YN("wait4, SA_RESTART returns the child", wait4(k, &st, 0, NULL) == k);
    pthread_join(t, NULL);
    show_status("child", st);
    /* nanosleep: EINTR even with SA_RESTART, rem holds the time left */
    set(SA_RESTART);
    pthread_create(&t, NULL, kicker, (void *)0L);
    struct timespec req = {5, 0}, rem = {0, 0};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    SHOW("nanosleep 5s, SA_RESTART", nanosleep(&req, &rem));
    long long slept = now_ns(CLOCK_MONOTONIC) - t0;
    pthread_join(t, NULL);
    long long left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
    YN("rem plausible (0 < rem <= 5s - slept + 50ms)", left > 0 && left <= 5000000000LL - slept + 50000000LL);
    /* clock_nanosleep returns the error number */
    pthread_create(&t, NULL, kicker, (void *)0L);
    int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
    pthread_join(t, NULL);
    printf("clock_nanosleep: %s\n", r ? en(r) : "0");
    /* select without SA_RESTART: EINTR; with it: EINTR too (never restarted) */
    set(SA_RESTART);
    pthread_create(&t, NULL, kicker, (void *)0L);
    fd_set rf;
    FD_ZERO(&rf);
    FD_SET(p[0], &rf);
    SHOW("select, SA_RESTART", select(p[0] + 1, &rf, NULL, NULL, NULL));
    pthread_join(t, NULL);
    return 0;
}
