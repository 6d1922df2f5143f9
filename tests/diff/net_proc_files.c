/* The other /proc/net files: /proc/net/unix lists a listening abstract socket
 * (flags 00010000, type 0001, its inode, the name with '@'); the headers of
 * route, arp, netlink, unix; if_inet6's lo line; a bound netlink socket shows
 * in /proc/net/netlink with its port id. */
#include "common.h"
#include <linux/netlink.h>
#include <sys/socket.h>
#include <stddef.h>
#include <sys/un.h>

static void first_line(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512] = "";
    if (f && fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n > 1 && line[n - 2] == ' ')
            line[--n - 1] = '\n', line[n] = 0;
        printf("%s header: %s", path, line);
    } else
        printf("%s: %s\n", path, en(errno));
    if (f)
        fclose(f);
}

static int grep(const char *path, const char *needle, char *out, size_t outlen)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, needle)) {
            n++;
            if (out)
                snprintf(out, outlen, "%s", line);
        }
    if (f)
        fclose(f);
    return n;
}

int main(void)
{
    first_line("/proc/net/route");
    first_line("/proc/net/arp");
    first_line("/proc/net/netlink");
    first_line("/proc/net/unix");
    char line[512] = "";
    int n = grep("/proc/net/if_inet6", "       lo\n", line, sizeof line);
    printf("if_inet6 lo lines %d: %s", n, n ? line : "\n");

    int u = socket(AF_UNIX, SOCK_STREAM, 0);
    MUST(u);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    const char name[] = "rill-net-proc-files";
    memcpy(a.sun_path + 1, name, sizeof name - 1);
    MUST(bind(u, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 1 + sizeof name - 1));
    MUST(listen(u, 3));
    struct stat st;
    MUST(fstat(u, &st));
    n = grep("/proc/net/unix", " @rill-net-proc-files\n", line, sizeof line);
    printf("unix lines %d\n", n);
    if (n) {
        unsigned ref, proto, flags, type, state;
        unsigned long ino;
        char path[128];
        int k = sscanf(line, "%*[0-9a-f]: %x %x %x %x %x %lu %127s", &ref, &proto, &flags, &type, &state, &ino, path);
        printf("  fields %d protocol %u flags %08x type %04x state %02x inode matches %s path %s\n", k, proto, flags,
               type, state, ino == st.st_ino ? "yes" : "no", path);
    }

    int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    MUST(nl);
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    MUST(bind(nl, (struct sockaddr *)&sa, sizeof sa));
    socklen_t l = sizeof sa;
    MUST(getsockname(nl, (struct sockaddr *)&sa, &l));
    char want[32];
    snprintf(want, sizeof want, " 0   %-10u ", sa.nl_pid);
    printf("netlink line with our port id: %d\n", grep("/proc/net/netlink", want, NULL, 0));
    return 0;
}
