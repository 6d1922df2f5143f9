// fsync/fdatasync/sync/syncfs on various fds.
#include "common.h"

int main(void)
{
    int fd;
    MUST(fd = open("f", O_RDWR | O_CREAT, 0644));
    write(fd, "data", 4);
    SHOW("fsync file", fsync(fd));
    SHOW("fdatasync file", fdatasync(fd));
    SHOW("syncfs", syncfs(fd));
    sync();
    printf("sync returned\n");
    int ro;
    MUST(ro = open("f", O_RDONLY));
    SHOW("fsync read-only fd", fsync(ro));
    int d;
    MUST(d = open(".", O_RDONLY | O_DIRECTORY));
    SHOW("fsync dir", fsync(d));
    int p[2];
    MUST(pipe(p));
    SHOW("fsync pipe", fsync(p[0]));
    SHOW("fdatasync pipe", fdatasync(p[1]));
    SHOW("fsync bad fd", fsync(999));
    int n;
    MUST(n = open("/dev/null", O_WRONLY));
    SHOW("fsync /dev/null", fsync(n));
    SHOW("sync_file_range", sync_file_range(fd, 0, 4, SYNC_FILE_RANGE_WRITE));
    SHOW("sync_file_range bad flags", sync_file_range(fd, 0, 4, 0x100));
    return 0;
}
