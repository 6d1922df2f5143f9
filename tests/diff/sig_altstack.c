// sigaltstack: handlers with SA_ONSTACK run on the alternate stack.
#include "common.h"

static char *alt;
static size_t altsz;
static volatile int on_alt, ss_flags_in_handler;

static void h(int s)
{
    (void)s;
    char local;
    on_alt = (&local >= alt && &local < alt + altsz);
    stack_t cur;
    sigaltstack(NULL, &cur);
    ss_flags_in_handler = cur.ss_flags;
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"
__attribute__((noinline)) static void overflow(int depth)
{
    volatile char buf[1024];
    buf[0] = (char)depth;
    overflow(depth + 1);
    (void)buf[0];
}

static void segv(int s)
{
    (void)s;
    _exit(9);
}

int main(void)
{
    altsz = 65536;
    alt = malloc(altsz);
    stack_t ss = {.ss_sp = alt, .ss_size = altsz, .ss_flags = 0}, old;
    SHOW("sigaltstack set", sigaltstack(&ss, &old));
    printf("old was disabled: %d\n", old.ss_flags == SS_DISABLE);
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("handler on alt stack: %d, SS_ONSTACK reported: %d\n", on_alt, (ss_flags_in_handler & SS_ONSTACK) != 0);
    sa.sa_flags = 0;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("without SA_ONSTACK on alt stack: %d\n", on_alt);
    stack_t small = {.ss_sp = alt, .ss_size = 100, .ss_flags = 0};
    SHOW("too small", sigaltstack(&small, NULL));
    stack_t badf = {.ss_sp = alt, .ss_size = altsz, .ss_flags = 0x42};
    SHOW("bad flags", sigaltstack(&badf, NULL));
    stack_t dis = {.ss_flags = SS_DISABLE};
    SHOW("disable", sigaltstack(&dis, NULL));
    sigaltstack(NULL, &old);
    printf("now disabled: %d\n", (old.ss_flags & SS_DISABLE) != 0);
    /* stack overflow handled on the alternate stack */
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        no_core();
        struct rlimit rl = {1 << 20, 1 << 20};
        setrlimit(RLIMIT_STACK, &rl);
        sigaltstack(&ss, NULL);
        struct sigaction s2 = {0};
        s2.sa_handler = segv;
        s2.sa_flags = SA_ONSTACK;
        sigaction(SIGSEGV, &s2, NULL);
        overflow(0);
        _exit(1);
    }
    wait_show("stack overflow child", p);
    return 0;
}
