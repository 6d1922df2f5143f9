// localtime_r honours a TZif file named by TZ=:path (what /etc/localtime is to glibc).
#include "common.h"

static void be32(unsigned char *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static void be64(unsigned char *p, uint64_t v) { be32(p, v >> 32); be32(p + 4, (uint32_t)v); }

/* A TZif v2 file: two types (standard +1h "XST", daylight +2h "XDT"), transitions
   at 1700000000 (to XDT) and 1710000000 (back to XST), footer rule "XST-1". */
static size_t make_tzif(unsigned char *b)
{
    size_t n = 0;
    for (int v = 0; v < 2; v++) {
        int tsz = v ? 8 : 4;
        memcpy(b + n, "TZif2", 5);
        memset(b + n + 5, 0, 15);
        n += 20;
        /* isutcnt isstdcnt leapcnt timecnt typecnt charcnt */
        be32(b + n, 0); be32(b + n + 4, 0); be32(b + n + 8, 0);
        be32(b + n + 12, 2); be32(b + n + 16, 2); be32(b + n + 20, 8);
        n += 24;
        if (tsz == 4) { be32(b + n, 1700000000); be32(b + n + 4, 1710000000); }
        else { be64(b + n, 1700000000); be64(b + n + 8, 1710000000); }
        n += 2 * tsz;
        b[n++] = 1; b[n++] = 0;
        be32(b + n, 3600); b[n + 4] = 0; b[n + 5] = 0; n += 6;
        be32(b + n, 7200); b[n + 4] = 1; b[n + 5] = 4; n += 6;
        memcpy(b + n, "XST\0XDT\0", 8);
        n += 8;
    }
    memcpy(b + n, "\nXST-1\n", 7);
    return n + 7;
}

static void show(time_t t)
{
    struct tm tm;
    char buf[64];
    localtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z %z", &tm);
    printf("%ld -> %s isdst %d gmtoff %ld\n", (long)t, buf, tm.tm_isdst, tm.tm_gmtoff);
}

int main(void)
{
    unsigned char b[512];
    size_t n = make_tzif(b);
    char path[PATH_MAX];
    if (!getcwd(path, sizeof path - 16))
        return 1;
    strcat(path, "/tzfile");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    MUST(fd);
    MUST(write(fd, b, n) == (ssize_t)n ? 0 : -1);
    close(fd);
    char tz[PATH_MAX + 2] = ":";
    strcat(tz, path);
    setenv("TZ", tz, 1);
    tzset();
    printf("tzname: %s %s\n", tzname[0], tzname[1]);
    show(1600000000);
    show(1700000000 - 1);
    show(1700000000);
    show(1705000000);
    show(1710000000);
    show(1800000000);
    /* mktime goes the other way */
    struct tm tm = {0};
    tm.tm_year = 2024 - 1900;
    tm.tm_mon = 0;
    tm.tm_mday = 1;
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    printf("mktime(2024-01-01 12:00 local): %ld\n", (long)mktime(&tm));
    /* a TZ file that does not exist falls back to UTC */
    setenv("TZ", ":/nonexistent/zone", 1);
    tzset();
    show(1700000000);
    /* POSIX TZ string without a file */
    setenv("TZ", "ABC-5:30", 1);
    tzset();
    show(1700000000);
    return 0;
}
