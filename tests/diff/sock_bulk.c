// 4 MiB over TCP loopback (v4 and v6), one thread writing in odd-sized chunks, the main thread
// reading in other sizes: every byte arrives, in order (FNV-1a checksum and count compared).
#include "sock.h"

#define TOTAL (4u << 20)
static int wfd;

static uint8_t byte_at(uint32_t i) { return (uint8_t)((i * 2654435761u) >> 13); }

static void *writer(void *arg)
{
    (void)arg;
    static uint8_t chunk[70001];
    uint32_t off = 0;
    size_t sizes[] = {1, 1000, 70001, 4096, 333, 65536};
    int k = 0;
    while (off < TOTAL) {
        size_t n = sizes[k++ % 6];
        if (n > TOTAL - off)
            n = TOTAL - off;
        for (size_t i = 0; i < n; i++)
            chunk[i] = byte_at(off + (uint32_t)i);
        if (write_full(wfd, chunk, n) != n)
            break;
        off += (uint32_t)n;
    }
    shutdown(wfd, SHUT_WR);
    return (void *)(uintptr_t)off;
}

static void run(int v6)
{
    int c, s;
    tcp_pair(v6, &c, &s);
    wfd = c;
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    static uint8_t buf[50000];
    uint32_t got = 0, h = 2166136261u, want = 2166136261u;
    int inorder = 1;
    size_t rs[] = {50000, 7, 16384, 1};
    int k = 0;
    for (;;) {
        ssize_t r = read(s, buf, rs[k++ % 4]);
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] != byte_at(got + (uint32_t)i))
                inorder = 0;
            h = (h ^ buf[i]) * 16777619u;
        }
        got += (uint32_t)r;
    }
    void *sent;
    pthread_join(t, &sent);
    for (uint32_t i = 0; i < TOTAL; i++)
        want = (want ^ byte_at(i)) * 16777619u;
    printf("%s: sent=%u received=%u in_order=%d checksum_match=%d\n", v6 ? "v6" : "v4",
           (unsigned)(uintptr_t)sent, (unsigned)got, inorder, h == want);
    close(c);
    close(s);
}

int main(void)
{
    run(0);
    run(1);
    return 0;
}
