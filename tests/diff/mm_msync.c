// msync argument rules.
#include "common.h"

int main(void)
{
    char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int fd = open("f", O_RDWR | O_CREAT, 0600);
    MUST(ftruncate(fd, 8192));
    char *f = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    MUST(munmap(p + 3 * 4096, 4096));
    SHOW("anon MS_SYNC", msync(p, 4096, MS_SYNC));
    SHOW("anon MS_ASYNC", msync(p, 4096, MS_ASYNC));
    SHOW("flags 0", msync(p, 4096, 0));
    SHOW("MS_INVALIDATE", msync(p, 4096, MS_INVALIDATE));
    SHOW("ASYNC|SYNC", msync(p, 4096, MS_ASYNC | MS_SYNC));
    SHOW("unknown flag", msync(p, 4096, 8));
    SHOW("unaligned", msync(p + 1, 4096, MS_SYNC));
    SHOW("unaligned length", msync(p, 100, MS_SYNC));
    SHOW("length 0", msync(p, 0, MS_SYNC));
    SHOW("unmapped", msync(p + 3 * 4096, 4096, MS_SYNC));
    SHOW("ends in hole", msync(p + 2 * 4096, 2 * 4096, MS_SYNC));
    SHOW("wrapping", msync(p, (size_t)-4096, MS_SYNC));
    SHOW("kernel address", msync(KPTR, 4096, MS_SYNC));
    memcpy(f, "synced", 6);
    SHOW("file MS_SYNC", msync(f, 8192, MS_SYNC));
    char buf[8] = {0};
    pread(fd, buf, 6, 0);
    printf("file sees: %s\n", buf);
    SHOW("file MS_ASYNC|MS_INVALIDATE", msync(f, 8192, MS_ASYNC | MS_INVALIDATE));
    /* locked pages with MS_INVALIDATE: EBUSY on Linux */
    MUST(mlock(f, 4096));
    SHOW("MS_INVALIDATE on locked", msync(f, 4096, MS_INVALIDATE));
    MUST(munlock(f, 4096));
    return 0;
}
