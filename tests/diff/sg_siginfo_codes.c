// SA_SIGINFO siginfo fields: kill (SI_USER), tgkill (SI_TKILL), sigqueue (SI_QUEUE, si_value),
// rt_sigqueueinfo/rt_tgsigqueueinfo rules (EPERM for forged codes towards others), ucontext mask.
#include "thr_common.h"

static volatile int s_signo, s_code, s_errno, s_val, s_inmask, s_oldmask_usr2;
static volatile pid_t s_pid;
static volatile uid_t s_uid;

static void h(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    s_signo = si->si_signo;
    s_code = si->si_code;
    s_errno = si->si_errno;
    s_pid = si->si_pid;
    s_uid = si->si_uid;
    s_val = si->si_value.sival_int;
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    s_inmask = sigismember(&cur, sig);
    s_oldmask_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
}

static void show(const char *what)
{
    printf("%s: signo %d code %d errno %d pid %s uid %d value %d in-mask %d old-mask-usr2 %d\n", what, s_signo,
           s_code, s_errno, s_pid == getpid() ? "self" : (s_pid == 0 ? "0" : "other"), (int)s_uid, s_val, s_inmask,
           s_oldmask_usr2);
    s_signo = s_code = s_errno = s_val = s_inmask = s_oldmask_usr2 = -1;
    s_pid = -1;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    for (int s = 1; s <= 64; s++)
        if (s != SIGKILL && s != SIGSTOP && (s < 32 || s >= SIGRTMIN))
            sigaction(s, &sa, NULL);
    kill(getpid(), SIGUSR1);
    show("kill");
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
    show("tgkill");
    syscall(SYS_tkill, gettid(), SIGUSR1);
    show("tkill");
    union sigval v = {.sival_int = 4242};
    sigqueue(getpid(), SIGRTMIN + 2, v);
    show("sigqueue");
    /* the handler's old mask (uc_sigmask) is the mask before delivery */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    kill(getpid(), SIGUSR1);
    show("kill with SIGUSR2 blocked");
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_code = SI_QUEUE;
    si.si_value.sival_int = 99;
    si.si_pid = 12345; /* forged pid: kept as given */
    SHOW("rt_sigqueueinfo self SI_QUEUE", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
    printf("forged pid kept: %s\n", s_pid == 12345 ? "yes" : "no");
    show("rt_sigqueueinfo");
    si.si_code = SI_USER;
    SHOW("rt_sigqueueinfo self SI_USER", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
    show("rt_sigqueueinfo SI_USER");
    si.si_code = SI_TKILL;
    SHOW("rt_tgsigqueueinfo self SI_TKILL", syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGUSR1, &si));
    show("rt_tgsigqueueinfo");
    si.si_code = -1;
    SHOW("rt_sigqueueinfo bad signal", syscall(SYS_rt_sigqueueinfo, getpid(), 65, &si));
    SHOW("rt_sigqueueinfo no such pid", syscall(SYS_rt_sigqueueinfo, 0x3ffffff0, SIGUSR1, &si));
    SHOW("rt_sigqueueinfo bad pointer", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, BADPTR));
    SHOW("rt_tgsigqueueinfo tid mismatch", syscall(SYS_rt_tgsigqueueinfo, getppid(), gettid(), SIGUSR1, &si));
    signal(SIGCHLD, SIG_DFL);
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, NULL);
    pid_t k = fork();
    if (k == 0) {
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_UNBLOCK, &term, NULL);
        for (;;)
            pause();
    }
    si.si_code = SI_USER;
    SHOW("rt_sigqueueinfo SI_USER to another process", syscall(SYS_rt_sigqueueinfo, k, SIGUSR1, &si));
    si.si_code = SI_KERNEL;
    SHOW("rt_sigqueueinfo SI_KERNEL to another process", syscall(SYS_rt_sigqueueinfo, k, SIGUSR1, &si));
    si.si_code = SI_QUEUE;
    SHOW("rt_sigqueueinfo SI_QUEUE to another process", syscall(SYS_rt_sigqueueinfo, k, SIGTERM, &si));
    wait_show("child", k);
    sigprocmask(SIG_UNBLOCK, &term, NULL);
    return 0;
}
