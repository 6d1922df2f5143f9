// SO_RCVLOWAT: default 1; with 10 set, 5 queued bytes do not make the socket readable for poll,
// 10 do; a blocking recv waits for the low-water mark: started on an empty queue it returns once
// 10 arrived in two parts, and started with 5 queued it returns 15 once 10 more arrived (both
// written only when the reader is seen asleep in recv); 0 reads back as 1; SO_SNDLOWAT reads 1
// and cannot be set (ENOPROTOOPT). Threads are ordered by markers, never by sleeping.
#include "sock.h"

/* The blocking recv runs in a reader thread, which sends its tid through a pipe first; main
 * writes the bytes that are to wake it only once that thread sleeps in the kernel. */
static int rfd, tidpipe[2], rdone;
static long rgot;
static char rbuf[32];
static size_t rlen = sizeof rbuf - 1;
static void *reader(void *arg)
{
    (void)arg;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    if (write(tidpipe[1], &tid, sizeof tid) != sizeof tid)
        return NULL;
    rgot = recv(rfd, rbuf, rlen, 0);
    __atomic_store_n(&rdone, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* Starts a reader of `s` and returns its tid once it is about to call recv. */
static pid_t start_reader(int s, pthread_t *t)
{
    rfd = s;
    rgot = 0;
    memset(rbuf, 0, sizeof rbuf);
    __atomic_store_n(&rdone, 0, __ATOMIC_SEQ_CST);
    MUST(pthread_create(t, NULL, reader, NULL) == 0 ? 0 : -1);
    pid_t tid = 0;
    MUST(read(tidpipe[0], &tid, sizeof tid));
    return tid;
}

/* Thread `tid`'s state letter from /proc/self/task/TID/stat ('?' if unreadable). */
static char task_state(pid_t tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    if (get_file(path, buf, sizeof buf) <= 0)
        return '?';
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : '?';
}

/* 1 once the reader `tid` sleeps in the kernel, 0 if its recv returned first or 10 s passed
 * (the loop yields; it does not sleep). */
static int wait_asleep(pid_t tid)
{
    long long end = now_ns(CLOCK_MONOTONIC) + 10000000000LL;
    while (now_ns(CLOCK_MONOTONIC) < end) {
        if (__atomic_load_n(&rdone, __ATOMIC_SEQ_CST))
            return 0;
        if (task_state(tid) == 'S')
            return 1;
        sched_yield();
    }
    return 0;
}

/* The bytes queued unread on `s` (FIONREAD) once they reach `n`, or after 10 s. */
static int wait_queued(int s, int n)
{
    long long end = now_ns(CLOCK_MONOTONIC) + 10000000000LL;
    int q = 0;
    while (ioctl(s, FIONREAD, &q) == 0 && q < n && now_ns(CLOCK_MONOTONIC) < end)
        sched_yield();
    return q;
}

/* Writes `pre` (unless NULL) and waits until it is queued, then starts a reader of `s` with
 * a buffer of `len` bytes and waits until it sleeps in recv. */
static void read_after(int c, int s, const char *pre, size_t len, pthread_t *t)
{
    if (pre) {
        MUST(write(c, pre, strlen(pre)));
        printf("queued before recv: %d\n", wait_queued(s, (int)strlen(pre)));
    }
    rlen = len;
    pid_t tid = start_reader(s, t);
    printf("reader asleep in recv: %d\n", wait_asleep(tid));
}

/* Joins the reader and shows what its recv returned. */
static void read_result(pthread_t t, const char *label)
{
    pthread_join(t, NULL);
    printf("%s: %ld\n", label, rgot);
    printf("data: %s\n", rbuf);
}

int main(void)
{
    int c, s;
    tcp_pair(0, &c, &s);
    MUST(pipe(tidpipe));
    show_opt("SO_RCVLOWAT default", s, SOL_SOCKET, SO_RCVLOWAT);
    show_opt("SO_SNDLOWAT default", s, SOL_SOCKET, SO_SNDLOWAT);
    SHOW("set SO_SNDLOWAT", seti(s, SOL_SOCKET, SO_SNDLOWAT, 5));
    SHOW("set SO_RCVLOWAT 10", seti(s, SOL_SOCKET, SO_RCVLOWAT, 10));
    show_opt("SO_RCVLOWAT", s, SOL_SOCKET, SO_RCVLOWAT);
    MUST(write(c, "abcde", 5));
    printf("queued: %d\n", wait_queued(s, 5));
    show_poll("5 bytes queued", s, POLLIN, 0);
    MUST(write(c, "fghij", 5));
    show_poll("10 bytes queued", s, POLLIN, 1000);
    char buf[32] = {0};
    SHOW("recv", recv(s, buf, sizeof buf, 0));

    // Nothing queued when the recv starts; 5 bytes, then (once they are queued) 5 more.
    pthread_t t;
    size_t full = sizeof rbuf - 1;
    read_after(c, s, NULL, full, &t);
    MUST(write(c, "12345", 5));
    printf("queued while it sleeps: %d\n", wait_queued(s, 5));
    MUST(write(c, "67890", 5));
    read_result(t, "blocking recv waits for 10");

    // 5 bytes queued when the recv starts, 10 more once it sleeps. Linux has copied the first
    // 5 out when it sleeps and wakes the reader only when the bytes still unread reach the
    // mark (5 more would leave it asleep): the 10 wake it, and it returns all 15.
    read_after(c, s, "ABCDE", full, &t);
    MUST(write(c, "FGHIJKLMNO", 10));
    read_result(t, "blocking recv with 5 queued waits for 10 more");

    // 5 queued when the recv starts, then 5 more once it sleeps, then 5 more: the reader has
    // copied the first 5 before sleeping (nothing is unread), the next 5 leave the unread bytes
    // below the mark, so it sleeps on until the third 5 bring them to 10, and returns 15.
    read_after(c, s, "PQRST", full, &t);
    int unread = -1;
    MUST(ioctl(s, FIONREAD, &unread));
    printf("unread while it sleeps: %d\n", unread);
    MUST(write(c, "UVWXY", 5));
    printf("unread after 5 more: %d\n", wait_queued(s, 5));
    MUST(write(c, "Z1234", 5));
    read_result(t, "blocking recv with 5 queued, then 5 and 5");

    // a buffer smaller than the mark: the read waits until the unread bytes reach the mark
    // (Linux wakes a reader only then), and takes what fits
    read_after(c, s, NULL, 4, &t);
    MUST(write(c, "smal", 4));
    printf("unread after 4: %d\n", wait_queued(s, 4));
    MUST(write(c, "lbuffe", 6));
    read_result(t, "blocking recv, buffer 4, 4 then 6 bytes");
    SHOW("rest", recv(s, buf, sizeof buf, MSG_DONTWAIT));

    MUST(write(c, "xyz", 3));
    printf("queued: %d\n", wait_queued(s, 3));
    SHOW("recv smaller than lowat (buffer 2)", recv(s, buf, 2, MSG_DONTWAIT));
    SHOW("set SO_RCVLOWAT 0", seti(s, SOL_SOCKET, SO_RCVLOWAT, 0));
    show_opt("SO_RCVLOWAT", s, SOL_SOCKET, SO_RCVLOWAT);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW("udp set SO_RCVLOWAT 100", seti(u, SOL_SOCKET, SO_RCVLOWAT, 100));
    show_opt("udp SO_RCVLOWAT", u, SOL_SOCKET, SO_RCVLOWAT);
    return 0;
}
