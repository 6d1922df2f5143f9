// mprotect argument errors and edge cases.
#include "common.h"

int main(void)
{
    char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    MUST(munmap(p + 2 * 4096, 4096));
    SHOW("ok", mprotect(p, 4096, PROT_READ));
    SHOW("unaligned start", mprotect(p + 1, 4096, PROT_READ));
    SHOW("unaligned length rounds up", mprotect(p, 100, PROT_READ));
    SHOW("length 0", mprotect(p, 0, PROT_READ));
    SHOW("length 0 unmapped", mprotect(p + 2 * 4096, 0, PROT_READ));
    SHOW("unmapped", mprotect(p + 2 * 4096, 4096, PROT_READ));
    SHOW("ends in hole", mprotect(p + 4096, 2 * 4096, PROT_READ));
    SHOW("unknown prot bit", mprotect(p, 4096, 0x40));
    SHOW("PROT_SEM", mprotect(p, 4096, PROT_READ | 0x8));
    SHOW("PROT_GROWSDOWN on normal vma", mprotect(p, 4096, PROT_READ | PROT_GROWSDOWN));
    SHOW("PROT_GROWSUP", mprotect(p, 4096, PROT_READ | PROT_GROWSUP));
    SHOW("GROWSDOWN|GROWSUP", mprotect(p, 4096, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP));
    SHOW("wrapping length", mprotect(p, (size_t)-4096, PROT_READ));
    SHOW("kernel address", mprotect(KPTR, 4096, PROT_READ));
    SHOW("NULL page", mprotect(NULL, 4096, PROT_READ));
    SHOW("all bits", mprotect(p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
    /* shared mapping of a read-only file cannot become writable */
    int fd = open("f", O_RDWR | O_CREAT, 0600);
    MUST(ftruncate(fd, 4096));
    int ro = open("f", O_RDONLY);
    char *s = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
    SHOW("shared ro file +WRITE", mprotect(s, 4096, PROT_READ | PROT_WRITE));
    char *pr = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ro, 0);
    SHOW("private ro file +WRITE", mprotect(pr, 4096, PROT_READ | PROT_WRITE));
    pr[0] = 'x';
    char c = 0;
    pread(fd, &c, 1, 0);
    printf("private write reached file: %s\n", c == 'x' ? "yes" : "no");
    return 0;
}
