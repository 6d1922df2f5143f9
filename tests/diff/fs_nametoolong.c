// ENAMETOOLONG for long components and long paths.
#include "common.h"

int main(void)
{
    char name[300];
    memset(name, 'a', 255);
    name[255] = 0;
    SHOWOK("create 255-char name", open(name, O_CREAT | O_WRONLY, 0644));
    SHOW("stat 255-char name", access(name, F_OK));
    name[255] = 'a';
    name[256] = 0;
    SHOWOK("create 256-char name", open(name, O_CREAT | O_WRONLY, 0644));
    SHOW("stat 256-char name", access(name, F_OK));
    SHOW("mkdir 256-char name", mkdir(name, 0755));
    static char path[8192];
    /* 4095 chars + NUL fits PATH_MAX, 4096 does not */
    memset(path, 0, sizeof path);
    for (int i = 0; i < 4095; i += 2) {
        path[i] = 'x';
        path[i + 1] = '/';
    }
    path[4095] = 0;
    path[4094] = 'x';
    SHOW("path 4095 chars (missing)", access(path, F_OK));
    memset(path, 0, sizeof path);
    for (int i = 0; i < 4096; i += 2) {
        path[i] = 'x';
        path[i + 1] = '/';
    }
    path[4095] = 'x';
    SHOW("path 4096 chars", access(path, F_OK));
    SHOW("open path 4096 chars", open(path, O_RDONLY));
    SHOW("symlink target 4096 chars", symlink(path, "lnk"));
    path[4095] = 0;
    SHOW("symlink target 4095 chars", symlink(path, "lnk"));
    SHOW("chdir 256-char", chdir(name));
    SHOW("unlink 256-char", unlink(name));
    SHOW("rename to 256-char", rename("lnk", name));
    return 0;
}
