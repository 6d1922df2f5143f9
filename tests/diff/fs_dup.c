// dup/dup2/dup3 semantics.
#include "common.h"

int main(void)
{
    int fd;
    MUST(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    SHOW("fd is 3", fd);
    SHOW("dup", dup(fd));
    SHOW("dup2 to 10", dup2(fd, 10));
    SHOW("dup2 same fd", dup2(fd, fd));
    SHOW("dup2 bad same fd", dup2(77, 77));
    SHOW("dup2 bad old", dup2(77, 5));
    SHOW("dup2 negative new", dup2(fd, -1));
    SHOW("dup2 huge new", dup2(fd, 1 << 30));
    SHOW("dup3 same fd", dup3(fd, fd, 0));
    SHOW("dup3 bad flags", dup3(fd, 11, 0x1));
    SHOW("dup3 O_CLOEXEC", dup3(fd, 12, O_CLOEXEC));
    SHOW("FD_CLOEXEC on 12", fcntl(12, F_GETFD));
    SHOW("dup bad", dup(-1));
    SHOW("dup closed", dup(55));
    /* dup2 over an open fd closes it silently */
    int other;
    MUST(other = open("/dev/null", O_RDONLY));
    SHOW("dup2 over open", dup2(fd, other));
    write(other, "via-other", 9);
    char buf[16] = {0};
    pread(fd, buf, 15, 0);
    printf("wrote through dup'd fd: %s\n", buf);
    printf("shared offset: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    /* dup2 onto stdout redirects output */
    int saved = dup(1);
    dup2(fd, 1);
    printf("to-file\n");
    dup2(saved, 1);
    close(saved);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 15, 9);
    printf("stdout redirected content: %s", buf);
    /* dup after close picks the lowest */
    close(4);
    SHOW("dup fills lowest (4)", dup(fd));
    SHOW("raw dup2 syscall", syscall(SYS_dup2, fd, 20));
    SHOW("raw dup3 same", syscall(SYS_dup3, fd, fd, 0));
    return 0;
}
