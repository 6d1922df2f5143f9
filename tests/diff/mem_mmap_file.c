// File-backed mmap: MAP_PRIVATE reads content, MAP_SHARED writes through.
#include "common.h"

int main(void)
{
    char data[8192];
    for (int i = 0; i < 8192; i++)
        data[i] = 'a' + i % 26;
    int fd;
    MUST(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    write(fd, data, 6000);
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("MAP_PRIVATE: %s\n", p != MAP_FAILED ? "ok" : en(errno));
    printf("content matches: %s\n", memcmp(p, data, 6000) == 0 ? "yes" : "no");
    printf("tail of last page zero: %s\n", p[6000] == 0 && p[8191 - 4096 + 4095 - 4096 + 4096] == 0 ? "yes" : "no");
    p[0] = 'Z';
    char c;
    pread(fd, &c, 1, 0);
    printf("private write not in file: %s\n", c == 'a' ? "yes" : "no");
    /* file changes after mapping are visible in untouched private pages */
    pwrite(fd, "CHANGED", 7, 4096);
    printf("later file write visible in untouched page: %s\n", memcmp(p + 4096, "CHANGED", 7) == 0 ? "yes" : "no");
    char *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("MAP_SHARED: %s\n", s != MAP_FAILED ? "ok" : en(errno));
    memcpy(s + 10, "SHARED", 6);
    char buf[8] = {0};
    pread(fd, buf, 6, 10);
    printf("shared write visible via read: %s\n", buf);
    SHOW("msync", msync(s, 4096, MS_SYNC));
    SHOW("msync bad flags", msync(s, 4096, MS_SYNC | MS_ASYNC));
    SHOW("msync unaligned", msync(s + 1, 4096, MS_SYNC));
    pwrite(fd, "WRITE", 5, 100);
    printf("file write visible in shared map: %s\n", memcmp(s + 100, "WRITE", 5) == 0 ? "yes" : "no");
    /* offset mapping */
    char *o = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
    printf("offset 4096 map: %.7s\n", o);
    /* errors */
    int ro;
    MUST(ro = open("f", O_RDONLY));
    SHOW("MAP_SHARED PROT_WRITE on O_RDONLY", (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
    SHOW("MAP_PRIVATE PROT_WRITE on O_RDONLY ok", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0) != MAP_FAILED ? 0 : -1);
    int wo;
    MUST(wo = open("f", O_WRONLY));
    SHOW("mmap O_WRONLY fd", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, wo, 0));
    int ap;
    MUST(ap = open("f", O_RDWR | O_APPEND));
    SHOW("MAP_SHARED write on O_APPEND", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0) != MAP_FAILED ? 0 : -1);
    int d;
    MUST(d = open(".", O_RDONLY));
    SHOW("mmap directory", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, d, 0));
    int pp[2];
    pipe(pp);
    SHOW("mmap pipe", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, pp[0], 0));
    SHOW("mprotect upgrade to WRITE on O_RDONLY shared map", mprotect(mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0), 4096, PROT_READ | PROT_WRITE));
    /* mapping survives close and ftruncate growth */
    close(fd);
    printf("map readable after close: %c\n", s[0]);
    /* shared mapping updates seen by child and vice versa */
    pid_t ch = fork();
    if (ch == 0) {
        memcpy(s + 200, "CHILD", 5);
        _exit(0);
    }
    waitpid(ch, NULL, 0);
    pread(ro, buf, 5, 200);
    buf[5] = 0;
    printf("child's shared write in file: %s\n", buf);
    return 0;
}
