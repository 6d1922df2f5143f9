/* /proc/self/oom_score_adj, oom_adj and oom_score: the value is kept per process, read back,
 * inherited over fork, range-checked (-1000..1000, EINVAL outside, before any permission
 * check), parsed like kstrtoint (base 0), and oom_adj (-17..15) and oom_score follow it the
 * way Linux maps them. Writing oom_score_adj below its minimum (0 here) or oom_adj below the
 * current value needs CAP_SYS_RESOURCE, which root in CI containers may lack: the test only
 * lowers oom_score_adj to values above 0 and only raises oom_adj. */
#include "common.h"

static const char *const ADJ = "/proc/self/oom_score_adj";
static const char *const OADJ = "/proc/self/oom_adj";

static void put(const char *label, const char *path, const char *v)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0) {
        printf("%s: open -1 %s\n", label, en(errno));
        return;
    }
    errno = 0;
    ssize_t n = write(fd, v, strlen(v));
    if (n < 0)
        printf("%s: -1 %s\n", label, en(errno));
    else
        printf("%s: %zd\n", label, n);
    close(fd);
}

static long get(const char *path)
{
    char b[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -99999;
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0 || b[n - 1] != '\n')
        return -99998;
    return strtol(b, NULL, 10);
}

/* oom_score is (1000 + (rss + adj * pages / 1000) * 1000 / pages) * 2 / 3 (0..2000 scaled to
 * 0..1333): its low digits depend on the RAM and the resident size, so only its range is
 * printed: about 666 for 0, 1300 and more for 1000. */
static const char *score_class(long adj, long score)
{
    long want = (1000 + adj) * 2 / 3;
    if (score < 0)
        return "unreadable";
    return score >= want - 3 && score <= want + 3 ? "as adj says" : "other";
}

static void show(const char *when)
{
    long adj = get(ADJ);
    printf("%s: oom_score_adj %ld oom_adj %ld oom_score %s\n", when, adj, get(OADJ),
           score_class(adj, get("/proc/self/oom_score")));
}

int main(void)
{
    put("write 0", ADJ, "0");
    show("at 0");
    put("write 500", ADJ, "500");
    show("at 500");
    put("write 1000", ADJ, "1000\n");
    show("at 1000");
    put("write 1001", ADJ, "1001");
    put("write -1001", ADJ, "-1001");
    put("write abc", ADJ, "abc");
    put("write 12x", ADJ, "12x");
    show("after the bad writes");
    put("write 0x10", ADJ, "0x10");
    show("at 0x10");
    put("write +020 (octal)", ADJ, "+020");
    show("at +020");
    put("write '  300  '", ADJ, "  300  ");
    show("at 300");
    pid_t pid = fork();
    if (pid == 0) {
        show("child");
        put("child writes 700", ADJ, "700");
        show("child at 700");
        _exit(0);
    }
    wait_show("child", pid);
    show("parent after the child");
    put("write 100 (lower, above the minimum)", ADJ, "100");
    show("at 100");
    put("oom_adj write 3", OADJ, "3");
    show("oom_adj 3");
    put("oom_adj write 15", OADJ, "15");
    show("oom_adj 15");
    put("oom_adj write 16", OADJ, "16");
    put("oom_adj write -18", OADJ, "-18");
    show("after the bad oom_adj writes");
    return 0;
}
