// Shared futexes across fork on MAP_SHARED memory: WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP use shared keys;
// private ops and private-memory words do not meet the other process.
#include "thr_common.h"

int main(void)
{
    int *sh = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return 99;
    int *a = &sh[0], *b = &sh[1], *c = &sh[1024 + 5], *ok = &sh[3];
    int pfd[2];
    MUST(pipe(pfd));
    pid_t kid = fork();
    if (kid == 0) {
        /* three waits in sequence, each reports its result in *ok */
        long r1 = futex6(a, FUTEX_WAIT, 0, NULL, NULL, 0);
        long r2 = futex6(a, FUTEX_WAIT, 0, NULL, NULL, 0);
        long r3 = futex6(c, FUTEX_WAIT, 0, NULL, NULL, 0);
        char m[64];
        int n = snprintf(m, sizeof m, "child waits: %ld %ld %ld\n", r1, r2, r3);
        write(pfd[1], m, n);
        _exit(0);
    }
    close(pfd[1]);
    wait_waiters(a, 1, 0);
    SHOW("private WAKE across processes", futex6(a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    SHOW("shared WAKE", futex6(a, FUTEX_WAKE, 1, NULL, NULL, 0));
    wait_waiters(a, 1, 0);
    SHOW("private REQUEUE across processes", futex6(a, FUTEX_REQUEUE_PRIVATE, 0, (void *)1L, b, 0));
    SHOW("shared CMP_REQUEUE a->b", futex6(a, FUTEX_CMP_REQUEUE, 0, (void *)1L, b, 0));
    SHOW("shared WAKE on a", futex6(a, FUTEX_WAKE, 1, NULL, NULL, 0));
    SHOW("WAKE_OP waking b", futex6(ok, FUTEX_WAKE_OP, 1, (void *)1L, b, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)));
    wait_waiters(c, 1, 0);
    SHOW("shared WAKE on second page", futex6(c, FUTEX_WAKE, 1, NULL, NULL, 0));
    char buf[80] = {0};
    ssize_t n = read(pfd[0], buf, sizeof buf - 1);
    printf("%s", n > 0 ? buf : "no report\n");
    wait_show("child", kid);
    /* private memory: a fork child's copy is a different futex */
    static int priv;
    kid = fork();
    if (kid == 0) {
        struct timespec ts = {0, 300000000};
        long r = futex6(&priv, FUTEX_WAIT, 0, &ts, NULL, 0);
        _exit(r == -1 && errno == ETIMEDOUT ? 0 : 1);
    }
    int st;
    for (int i = 0; i < 3000; i++) {
        if (futex6(&priv, FUTEX_WAKE, 1, NULL, NULL, 0) != 0)
            printf("woke the child's private copy\n");
        if (waitpid(kid, &st, WNOHANG) == kid)
            break;
        usleep(1000);
    }
    show_status("child on private copy", st);
    /* shared wait, private wake in the same process: different keys */
    static int same;
    struct timespec ts = {0, 1000000};
    SHOW("timed shared WAIT", futex6(&same, FUTEX_WAIT, 0, &ts, NULL, 0));
    return 0;
}
