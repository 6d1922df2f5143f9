// sigaltstack is per thread: a new thread starts with none; SA_ONSTACK handlers run on the
// calling thread's own alternate stack; SS_ONSTACK reported inside, EPERM to change it there.
#include "thr_common.h"

static char *alt_lo, *alt_hi;
static volatile int where, flags_inside, change_err;

static void h(int s)
{
    (void)s;
    char here;
    where = (&here >= alt_lo && &here < alt_hi) ? 1 : 2;
    stack_t o;
    sigaltstack(NULL, &o);
    flags_inside = o.ss_flags;
    stack_t n = {.ss_sp = alt_lo, .ss_size = 65536, .ss_flags = 0};
    change_err = sigaltstack(&n, NULL) == -1 ? errno : 0;
}

static void *thread_fn(void *a)
{
    (void)a;
    stack_t o;
    sigaltstack(NULL, &o);
    printf("thread: initial altstack %s, size %zu\n", o.ss_flags == SS_DISABLE ? "SS_DISABLE" : "enabled", o.ss_size);
    where = 0;
    raise(SIGUSR1);
    printf("thread: handler ran on %s\n", where == 1 ? "main's altstack" : where == 2 ? "its own stack" : "?");
    /* its own alternate stack */
    static char tstack[65536];
    char *lo = alt_lo, *hi = alt_hi;
    alt_lo = tstack;
    alt_hi = tstack + sizeof tstack;
    stack_t n = {.ss_sp = tstack, .ss_size = sizeof tstack, .ss_flags = 0};
    SHOW("thread: sigaltstack", sigaltstack(&n, NULL));
    raise(SIGUSR1);
    printf("thread: handler on its altstack: %s, SS_ONSTACK inside: %s, change inside: %s\n",
           where == 1 ? "yes" : "no", flags_inside == SS_ONSTACK ? "yes" : "no", change_err ? en(change_err) : "0");
    alt_lo = lo;
    alt_hi = hi;
    return NULL;
}

int main(void)
{
    static char mstack[65536];
    alt_lo = mstack;
    alt_hi = mstack + sizeof mstack;
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    stack_t n = {.ss_sp = mstack, .ss_size = sizeof mstack, .ss_flags = 0};
    SHOW("main: sigaltstack", sigaltstack(&n, NULL));
    raise(SIGUSR1);
    printf("main: handler on altstack: %s\n", where == 1 ? "yes" : "no");
    pthread_t t;
    pthread_create(&t, NULL, thread_fn, NULL);
    pthread_join(t, NULL);
    stack_t o;
    sigaltstack(NULL, &o);
    printf("main: still its own altstack: %s\n", o.ss_sp == mstack ? "yes" : "no");
    n.ss_size = 1024;
    SHOW("too small", sigaltstack(&n, NULL));
    n.ss_size = sizeof mstack;
    n.ss_flags = 7;
    SHOW("bad flags", sigaltstack(&n, NULL));
    n.ss_flags = SS_DISABLE;
    SHOW("disable", sigaltstack(&n, NULL));
    sigaltstack(NULL, &o);
    printf("after disable: %s\n", o.ss_flags == SS_DISABLE ? "SS_DISABLE" : "?");
    return 0;
}
