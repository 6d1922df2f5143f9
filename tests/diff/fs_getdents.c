// getdents64(2): entries, d_type, small buffers, errors.
#include "common.h"

struct d64 {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        printf("open %s: %s\n", path, en(errno));
        return;
    }
    char buf[4096];
    char *names[256];
    int n = 0;
    for (;;) {
        long r = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (r <= 0)
            break;
        for (long off = 0; off < r;) {
            struct d64 *d = (struct d64 *)(buf + off);
            char *s = malloc(300);
            const char *t = d->type == DT_REG ? "reg" : d->type == DT_DIR ? "dir"
                : d->type == DT_LNK ? "lnk" : d->type == DT_FIFO ? "fifo" : "other";
            snprintf(s, 300, "%s(%s)", d->name, t);
            if (n < 256)
                names[n++] = s;
            off += d->reclen;
        }
    }
    qsort(names, n, sizeof names[0], cmp);
    printf("%s:", path);
    for (int i = 0; i < n; i++)
        printf(" %s", names[i]);
    printf("\n");
    close(fd);
}

int main(void)
{
    MUST(mkdir("d", 0755));
    put_file("d/zeta", "");
    put_file("d/alpha", "");
    put_file("d/Mid", "");
    MUST(mkdir("d/sub", 0755));
    MUST(symlink("alpha", "d/link"));
    MUST(mkfifo("d/pipe", 0600));
    list("d");
    list("d/sub");
    unlink("d/zeta");
    list("d");
    /* many entries need several calls with a small buffer */
    MUST(mkdir("many", 0755));
    for (int i = 0; i < 120; i++) {
        char p[64];
        snprintf(p, sizeof p, "many/file_with_a_longish_name_%03d", i);
        put_file(p, "");
    }
    int fd;
    MUST(fd = open("many", O_RDONLY | O_DIRECTORY));
    char buf[512];
    int calls = 0, entries = 0;
    for (;;) {
        long r = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (r < 0) {
            printf("error %s\n", en(errno));
            break;
        }
        if (r == 0)
            break;
        calls++;
        for (long off = 0; off < r;) {
            struct d64 *d = (struct d64 *)(buf + off);
            entries++;
            off += d->reclen;
        }
    }
    printf("entries incl . and ..: %d, needed several calls: %s\n", entries, calls > 5 ? "yes" : "no");
    SHOW("getdents at end", syscall(SYS_getdents64, fd, buf, sizeof buf));
    lseek(fd, 0, SEEK_SET);
    SHOW("getdents buffer too small", syscall(SYS_getdents64, fd, buf, 10));
    SHOW("getdents bad buffer", syscall(SYS_getdents64, fd, BADPTR, 4096));
    int f;
    MUST(f = open("d/alpha", O_RDONLY));
    SHOW("getdents on file", syscall(SYS_getdents64, f, buf, sizeof buf));
    SHOW("getdents bad fd", syscall(SYS_getdents64, 333, buf, sizeof buf));
    /* readdir via libc */
    DIR *dir = opendir("d/sub");
    int cnt = 0;
    struct dirent *de;
    while ((de = readdir(dir)))
        cnt++;
    printf("empty dir readdir count: %d\n", cnt);
    closedir(dir);
    /* removed directory still open: no entries */
    MUST(fd = open("d/sub", O_RDONLY | O_DIRECTORY));
    MUST(rmdir("d/sub"));
    SHOW("getdents on removed dir", syscall(SYS_getdents64, fd, buf, sizeof buf));
    return 0;
}
