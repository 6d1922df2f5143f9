// PIPE_BUF-sized writes from several writers are never interleaved.
#include "common.h"

#define WRITERS 4
#define RECS 40

int main(void)
{
    int p[2];
    MUST(pipe(p));
    printf("PIPE_BUF: %d\n", PIPE_BUF);
    fflush(stdout);
    pid_t kids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        kids[w] = fork();
        if (kids[w] == 0) {
            close(p[0]);
            char rec[PIPE_BUF];
            memset(rec, 'A' + w, sizeof rec);
            for (int i = 0; i < RECS; i++)
                if (write(p[1], rec, sizeof rec) != sizeof rec)
                    _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    int counts[WRITERS] = {0}, bad = 0, recs = 0;
    char rec[PIPE_BUF];
    for (;;) {
        size_t got = 0;
        while (got < sizeof rec) {
            ssize_t n = read(p[0], rec + got, sizeof rec - got);
            if (n <= 0)
                break;
            got += n;
        }
        if (got == 0)
            break;
        if (got != sizeof rec) {
            bad++;
            break;
        }
        recs++;
        for (size_t i = 1; i < sizeof rec; i++)
            if (rec[i] != rec[0]) {
                bad++;
                break;
            }
        if (rec[0] >= 'A' && rec[0] < 'A' + WRITERS)
            counts[rec[0] - 'A']++;
    }
    for (int w = 0; w < WRITERS; w++) {
        char l[32];
        snprintf(l, sizeof l, "writer %d", w);
        wait_show(l, kids[w]);
    }
    printf("records %d, interleaved %d\n", recs, bad);
    for (int w = 0; w < WRITERS; w++)
        printf("writer %d records: %d\n", w, counts[w]);
    return 0;
}
