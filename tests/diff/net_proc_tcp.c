/* /proc/net/tcp: the header, and the line of a socket listening on 127.0.0.1
 * (found by its port; state 0A, its inode is the socket's); /proc/net/tcp6 and
 * udp/udp6 headers; a bound UDP socket's line in /proc/net/udp. */
#include "common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static void find(const char *path, unsigned port, unsigned long ino)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("%s: %s\n", path, en(errno));
        return;
    }
    char line[512], want[32];
    snprintf(want, sizeof want, "0100007F:%04X", port);
    int n = 0, found = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (n++ == 0) {
            printf("%s header (%zu chars): %.96s\n", path, len, line);
            continue;
        }
        char local[64], remote[64];
        unsigned st, uid;
        unsigned long inode;
        if (sscanf(line, "%*d: %63s %63s %x %*s %*s %*s %u %*d %lu", local, remote, &st, &uid, &inode) != 5)
            printf("unparsed: %s", line);
        else if (!strcmp(local, want)) {
            found++;
            printf("  remote %s state %02X uid %u inode matches %s line length %zu\n", remote, st, uid,
                   inode == ino ? "yes" : "no", len);
        }
    }
    printf("  found %d\n", found);
    fclose(f);
}

static void header(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512] = "";
    if (f && fgets(line, sizeof line, f))
        printf("%s header (%zu chars): %s", path, strlen(line), line);
    else
        printf("%s: %s\n", path, en(errno));
    if (f)
        fclose(f);
}

int main(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    MUST(s);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    MUST(bind(s, (struct sockaddr *)&a, sizeof a));
    MUST(listen(s, 5));
    socklen_t l = sizeof a;
    MUST(getsockname(s, (struct sockaddr *)&a, &l));
    struct stat st;
    MUST(fstat(s, &st));
    unsigned tport = ntohs(a.sin_port);
    find("/proc/net/tcp", tport, st.st_ino);

    int u = socket(AF_INET, SOCK_DGRAM, 0);
    MUST(u);
    a.sin_port = 0;
    MUST(bind(u, (struct sockaddr *)&a, sizeof a));
    l = sizeof a;
    MUST(getsockname(u, (struct sockaddr *)&a, &l));
    MUST(fstat(u, &st));
    find("/proc/net/udp", ntohs(a.sin_port), st.st_ino);
    header("/proc/net/tcp6");
    header("/proc/net/udp6");
    close(s);
    find("/proc/net/tcp", tport, 0);
    return 0;
}
