/* /proc/sys/net: the values programs read (somaxconn, buffer sizes, the local
 * port range, tcp_rmem/wmem, disable_ipv6, max_dgram_qlen) have the right shape;
 * the ones Rill and the host surely share are printed. */
#include "common.h"

static int nums(const char *path, long *v, int max)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("%s: %s\n", path, en(errno));
        return -1;
    }
    char line[256] = "";
    int n = 0;
    if (fgets(line, sizeof line, f)) {
        char *p = line, *end;
        while (n < max) {
            long x = strtol(p, &end, 10);
            if (end == p)
                break;
            v[n++] = x;
            p = end;
        }
        printf("%s: %d numbers, tabs %s, ends with newline %s\n", path, n, strchr(line, '\t') ? "yes" : "no",
               line[strlen(line) - 1] == '\n' ? "yes" : "no");
    }
    fclose(f);
    return n;
}

int main(void)
{
    long v[4];
    if (nums("/proc/sys/net/core/somaxconn", v, 4) == 1)
        YN("  positive", v[0] > 0);
    const char *one[] = {"/proc/sys/net/core/rmem_max", "/proc/sys/net/core/wmem_max",
                         "/proc/sys/net/core/rmem_default", "/proc/sys/net/core/wmem_default",
                         "/proc/sys/net/ipv4/tcp_syncookies", "/proc/sys/net/unix/max_dgram_qlen",
                         "/proc/sys/net/ipv4/ip_forward"};
    for (unsigned i = 0; i < sizeof one / sizeof *one; i++)
        nums(one[i], v, 4);
    if (nums("/proc/sys/net/ipv4/ip_local_port_range", v, 4) == 2)
        YN("  low < high", v[0] < v[1]);
    if (nums("/proc/sys/net/ipv4/tcp_rmem", v, 4) == 3)
        printf("  min %ld default %ld\n", v[0], v[1]);
    if (nums("/proc/sys/net/ipv4/tcp_wmem", v, 4) == 3)
        printf("  min %ld default %ld\n", v[0], v[1]);
    if (nums("/proc/sys/net/ipv6/conf/all/disable_ipv6", v, 4) == 1)
        printf("  value %ld\n", v[0]);
    struct stat st;
    SHOW("stat /proc/sys/net", stat("/proc/sys/net", &st));
    YN("  directory", S_ISDIR(st.st_mode));
    return 0;
}
