// Many short-lived threads: 200 created and joined in waves, each with its own tid and stack;
// exit values come back; /proc/self/task returns to one entry.
#include "thr_common.h"

static void *fn(void *a)
{
    long i = (long)a;
    volatile char buf[4096];
    buf[0] = (char)i;
    buf[4095] = (char)i;
    return (void *)(i * 3 + (buf[0] == (char)i));
}

int main(void)
{
    long sum = 0, want = 0;
    for (int wave = 0; wave < 5; wave++) {
        pthread_t t[40];
        for (long i = 0; i < 40; i++) {
            long id = wave * 40 + i;
            if (pthread_create(&t[i], NULL, fn, (void *)id) != 0) {
                printf("create failed at %ld\n", id);
                return 1;
            }
            want += id * 3 + 1;
        }
        for (int i = 0; i < 40; i++) {
            void *r;
            pthread_join(t[i], &r);
            sum += (long)r;
        }
    }
    printf("sum of exit values matches: %s\n", sum == want ? "yes" : "no");
    int n = count_self_tasks();
    printf("threads left: %d\n", n);
    return 0;
}
