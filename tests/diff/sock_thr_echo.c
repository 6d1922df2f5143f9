// 8 client threads at once, each connecting to one echo server (a thread per connection) and
// echoing 200 messages of varying size over v4 or v6; every reply matches.
#include "sock.h"

#define CLIENTS 8
#define ROUNDS 200
static int port4, port6;

static void *server_conn(void *arg)
{
    int s = (int)(intptr_t)arg;
    char buf[4096];
    for (;;) {
        ssize_t r = read(s, buf, sizeof buf);
        if (r <= 0)
            break;
        if (write_full(s, buf, (size_t)r) != (size_t)r)
            break;
    }
    close(s);
    return NULL;
}

static void *acceptor(void *arg)
{
    int l = (int)(intptr_t)arg;
    for (int i = 0; i < CLIENTS / 2; i++) {
        int s = accept(l, NULL, NULL);
        if (s < 0)
            break;
        pthread_t t;
        pthread_create(&t, NULL, server_conn, (void *)(intptr_t)s);
        pthread_detach(t);
    }
    return NULL;
}

static void *client(void *arg)
{
    int id = (int)(intptr_t)arg;
    int c = id % 2 ? connect_to(AF_INET6, SOCK_STREAM, "::1", port6)
                   : connect_to(AF_INET, SOCK_STREAM, "127.0.0.1", port4);
    if (c < 0)
        return (void *)0;
    char out[3000], in[3000];
    long ok = 1;
    for (int r = 0; r < ROUNDS && ok; r++) {
        size_t n = 1 + (size_t)((id * 131 + r * 977) % 2999);
        for (size_t k = 0; k < n; k++)
            out[k] = (char)(id ^ r ^ k);
        if (write_full(c, out, n) != n || read_full(c, in, n) != n || memcmp(in, out, n) != 0)
            ok = 0;
    }
    close(c);
    return (void *)ok;
}

int main(void)
{
    int l4 = tcp_listener4(), l6 = tcp_listener6();
    port4 = port_of(l4);
    port6 = port_of(l6);
    pthread_t a4, a6, cl[CLIENTS];
    pthread_create(&a4, NULL, acceptor, (void *)(intptr_t)l4);
    pthread_create(&a6, NULL, acceptor, (void *)(intptr_t)l6);
    for (int i = 0; i < CLIENTS; i++)
        pthread_create(&cl[i], NULL, client, (void *)(intptr_t)i);
    int good = 0;
    for (int i = 0; i < CLIENTS; i++) {
        void *r;
        pthread_join(cl[i], &r);
        good += r != NULL;
    }
    pthread_join(a4, NULL);
    pthread_join(a6, NULL);
    printf("clients whose %d echoes all matched: %d of %d\n", ROUNDS, good, CLIENTS);
    return 0;
}
