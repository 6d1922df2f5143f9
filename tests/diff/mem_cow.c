// fork copy-on-write: parent and child each see their own values.
#include "common.h"

static int global = 10;

int main(void)
{
    int stackv = 20;
    int *heap = malloc(sizeof *heap);
    *heap = 30;
    char *anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    anon[0] = 40;
    int p[2], back[2];
    MUST(pipe(p));
    MUST(pipe(back));
    pid_t c = fork();
    if (c == 0) {
        global = 11;
        stackv = 21;
        *heap = 31;
        anon[0] = 41;
        int v[4] = {global, stackv, *heap, anon[0]};
        write(p[1], v, sizeof v);
        /* wait for parent's modifications, which we must not see */
        char x;
        read(back[0], &x, 1);
        int w[4] = {global, stackv, *heap, anon[0]};
        write(p[1], w, sizeof w);
        _exit(0);
    }
    int v[4];
    read(p[0], v, sizeof v);
    printf("child wrote: %d %d %d %d\n", v[0], v[1], v[2], v[3]);
    printf("parent sees: %d %d %d %d\n", global, stackv, *heap, anon[0]);
    global = 12;
    stackv = 22;
    *heap = 32;
    anon[0] = 42;
    write(back[1], "x", 1);
    wait_show("child", c);
    /* child's second report was written after the parent's changes */
    read(p[0], v, sizeof v);
    printf("child still sees its own: %d %d %d %d\n", v[0], v[1], v[2], v[3]);
    /* untouched pages remain shared-in-content */
    char *big = malloc(1 << 20);
    memset(big, 'q', 1 << 20);
    c = fork();
    if (c == 0) {
        long s = 0;
        for (int i = 0; i < (1 << 20); i += 4096)
            s += big[i];
        _exit(s == 'q' * 256L ? 0 : 1);
    }
    wait_show("child reads inherited 1MiB", c);
    /* many forks each modifying memory */
    int bad = 0;
    for (int i = 0; i < 20; i++) {
        c = fork();
        if (c == 0) {
            global = 100 + i;
            _exit(global - 100);
        }
        int st;
        waitpid(c, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != i)
            bad++;
    }
    printf("20 forks, bad: %d, parent global: %d\n", bad, global);
    /* read-only mapping after fork stays read-only; MAP_SHARED stays shared */
    int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    c = fork();
    if (c == 0) {
        sh[0] = 99;
        _exit(0);
    }
    waitpid(c, NULL, 0);
    printf("shared mapping after fork: %d\n", sh[0]);
    return 0;
}
