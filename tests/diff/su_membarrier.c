// membarrier: QUERY bits, private expedited registration rules, errors.
#include "common.h"
#include <linux/membarrier.h>
#include <pthread.h>

static long mb(int cmd, unsigned flags, int cpu) { return syscall(SYS_membarrier, cmd, flags, cpu); }
static void *thr(void *a)
{
    (void)a;
    return (void *)mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}

int main(void)
{
    long q = mb(MEMBARRIER_CMD_QUERY, 0, 0);
    printf("QUERY ok: %s\n", q > 0 ? "yes" : "no");
    const struct { const char *n; int c; } bits[] = {
        {"PRIVATE_EXPEDITED", MEMBARRIER_CMD_PRIVATE_EXPEDITED},
        {"REGISTER_PRIVATE_EXPEDITED", MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED},
        {"PRIVATE_EXPEDITED_SYNC_CORE", MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE},
        {"REGISTER_PRIVATE_EXPEDITED_SYNC_CORE", MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE},
        {"GLOBAL_EXPEDITED", MEMBARRIER_CMD_GLOBAL_EXPEDITED},
        {"REGISTER_GLOBAL_EXPEDITED", MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED},
    };
    for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; i++)
        printf("%s supported: %s\n", bits[i].n, q & bits[i].c ? "yes" : "no");
    SHOW("QUERY with flags", mb(MEMBARRIER_CMD_QUERY, 1, 0));
    SHOW("unknown cmd 1<<20", mb(1 << 20, 0, 0));
    SHOW("two cmds at once", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED | MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0));
    SHOW("PRIVATE_EXPEDITED unregistered", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
    SHOW("REGISTER_PRIVATE_EXPEDITED", mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
    SHOW("REGISTER again", mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
    SHOW("PRIVATE_EXPEDITED registered", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
    SHOW("PRIVATE_EXPEDITED bad flags", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 2, 0));
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, thr, NULL);
    pthread_join(t, &r);
    printf("from another thread: %ld\n", (long)r);
    SHOW("SYNC_CORE unregistered", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
    SHOW("REGISTER SYNC_CORE", mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
    SHOW("SYNC_CORE registered", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
    SHOW("GLOBAL_EXPEDITED", mb(MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0));
    SHOW("REGISTER_GLOBAL_EXPEDITED", mb(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0));
    /* the registration is copied with the address space at fork */
    pid_t c = fork();
    if (c == 0) {
        long v = mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
        _exit(v == 0 ? 0 : 1);
    }
    wait_show("forked child still registered", c);
    return 0;
}
