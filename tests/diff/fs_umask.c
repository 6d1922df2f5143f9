// umask(2) effect on file and directory creation.
#include "common.h"

static void mode(const char *p)
{
    struct stat st;
    stat(p, &st);
    printf("%s: %o\n", p, st.st_mode & 07777);
}

int main(void)
{
    SHOW("umask(022) returns old (set 077 first)", (umask(077), umask(022)));
    SHOW("umask(0) returns", umask(0));
    SHOW("umask(0777) returns", umask(0777));
    SHOW("umask(01777) returns", umask(01777));
    SHOW("umask reads back (masked to 0777)", umask(0));
    const int masks[] = {0, 022, 077, 0777, 0002};
    for (int i = 0; i < 5; i++) {
        char f[32], d[32];
        umask(masks[i]);
        snprintf(f, sizeof f, "file_%03o", masks[i]);
        snprintf(d, sizeof d, "dir_%03o", masks[i]);
        close(open(f, O_CREAT | O_WRONLY, 0666));
        mkdir(d, 0777);
        mode(f);
        mode(d);
    }
    umask(027);
    MUST(mkfifo("fifo", 0666));
    mode("fifo");
    MUST(symlink("x", "sym"));
    struct stat st;
    lstat("sym", &st);
    printf("symlink ignores umask: %o\n", st.st_mode & 07777);
    /* umask is inherited by children */
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        printf("child umask: %03o\n", umask(0));
        _exit(0);
    }
    wait_show("child", p);
    /* chmod ignores umask */
    chmod("file_000", 0777);
    mode("file_000");
    return 0;
}
