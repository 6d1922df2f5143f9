// sigaction handlers: delivery, siginfo, sa_mask, oldact, registers preserved.
#include "common.h"

static volatile int depth, max_depth, count, calls;
static volatile int info_signo, info_code, info_pid_ok;
static volatile int usr2_blocked_in_handler;

static void plain(int s)
{
    (void)s;
    count++;
}

static void info(int s, siginfo_t *si, void *uc)
{
    (void)uc;
    info_signo = s == si->si_signo;
    info_code = si->si_code;
    info_pid_ok = si->si_pid == getpid();
}

static void masked(int s)
{
    (void)s;
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    usr2_blocked_in_handler = sigismember(&cur, SIGUSR2) * 2 + sigismember(&cur, SIGUSR1);
}

static void nested(int s)
{
    depth++;
    calls++;
    if (depth > max_depth)
        max_depth = depth;
    if (calls < 3)
        raise(s);
    depth--;
}

/* compute something with many live registers around a signal */
static long work(long seed)
{
    long a = seed, b = seed * 3, c = seed ^ 0x5555, d = seed + 17, e = seed * seed, f = ~seed;
    long g = a + b, h = c - d, i = e ^ f, j = a * 7 + c;
    raise(SIGUSR1);
    return a + b * 2 + c * 3 + d * 4 + e * 5 + f * 6 + g * 7 + h * 8 + i * 9 + j * 10;
}

int main(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = plain;
    SHOW("sigaction USR1", sigaction(SIGUSR1, &sa, &old));
    printf("old handler was SIG_DFL: %s\n", old.sa_handler == SIG_DFL ? "yes" : "no");
    raise(SIGUSR1);
    printf("count after raise: %d\n", count);
    sigaction(SIGUSR1, NULL, &old);
    printf("query returns our handler: %s\n", old.sa_handler == plain ? "yes" : "no");
    /* registers preserved: compare with a run without a handler effect */
    long r1 = work(12345);
    signal(SIGUSR1, SIG_IGN);
    long r2 = work(12345);
    printf("registers preserved across handler: %s\n", r1 == r2 ? "yes" : "no");
    /* SA_SIGINFO */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("siginfo: signo match %d, code SI_TKILL %d, pid ok %d\n", info_signo, info_code == SI_TKILL, info_pid_ok);
    kill(getpid(), SIGUSR2);
    printf("kill: code SI_USER %d, pid ok %d\n", info_code == SI_USER, info_pid_ok);
    union sigval v = {.sival_int = 5};
    sigqueue(getpid(), SIGUSR2, v);
    printf("sigqueue: code SI_QUEUE %d\n", info_code == SI_QUEUE);
    /* sa_mask and the signal itself are blocked inside the handler */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = masked;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("in handler: USR2 blocked %d, USR1 blocked %d\n", usr2_blocked_in_handler >> 1, usr2_blocked_in_handler & 1);
    sa.sa_flags = SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("SA_NODEFER: USR1 blocked %d\n", usr2_blocked_in_handler & 1);
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("mask restored after handler: %s\n", sigismember(&cur, SIGUSR1) || sigismember(&cur, SIGUSR2) ? "no" : "yes");
    /* nesting with SA_NODEFER */
    sa.sa_handler = nested;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("nested depth reached: %d\n", max_depth);
    /* without NODEFER the re-raise is deferred until return */
    depth = max_depth = calls = 0;
    sa.sa_flags = 0;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("deferred max depth: %d, calls: %d\n", max_depth, calls);
    /* SA_RESETHAND */
    count = 0;
    sa.sa_handler = plain;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    sigaction(SIGUSR1, NULL, &old);
    printf("SA_RESETHAND: ran %d, now SIG_DFL %s\n", count, old.sa_handler == SIG_DFL ? "yes" : "no");
    SHOW("sigaction invalid signo 0", sigaction(0, &sa, NULL));
    SHOW("sigaction invalid signo 65", sigaction(65, &sa, NULL));
    SHOW("raw rt_sigaction bad sigsetsize", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4));
    /* handlers are reset to default in a child after exec, SIG_IGN kept: checked elsewhere */
    return 0;
}
