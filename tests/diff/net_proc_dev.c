/* /proc/net/dev: its two header lines, a lo line with 16 counters (bytes equal
 * in and out on lo); /proc/net is a link to self/net; /proc/self/net/dev too. */
#include "common.h"

static void check(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("%s: %s\n", path, en(errno));
        return;
    }
    char line[512];
    int n = 0, lo = 0;
    while (fgets(line, sizeof line, f)) {
        if (n < 2)
            printf("header %d: %s", n, line);
        n++;
        char name[32];
        unsigned long long v[16];
        int k = sscanf(line, " %31[^:]: %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                       name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
                       &v[12], &v[13], &v[14], &v[15]);
        if (k == 17 && !strcmp(name, "lo")) {
            lo++;
            printf("lo: prefix \"%.7s\" rx bytes == tx bytes: %s, errors 0: %s\n", line, v[0] == v[8] ? "yes" : "no",
                   v[2] == 0 && v[10] == 0 ? "yes" : "no");
        }
    }
    printf("%s: lo lines %d\n", path, lo);
    fclose(f);
}

int main(void)
{
    char t[64] = "";
    SHOW("readlink /proc/net", readlink("/proc/net", t, sizeof t - 1));
    printf("  -> %s\n", t);
    struct stat st;
    SHOW("stat /proc/net", stat("/proc/net", &st));
    YN("  a directory", S_ISDIR(st.st_mode));
    check("/proc/net/dev");
    check("/proc/self/net/dev");
    return 0;
}
