// open(2) flag semantics and errors.
#include "common.h"

int main(void)
{
    int fd;
    MUST(fd = open("f", O_CREAT | O_WRONLY, 0644));
    MUST(write(fd, "hello world\n", 12));
    close(fd);
    SHOWOK("O_CREAT|O_EXCL existing", open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
    SHOWOK("O_CREAT|O_EXCL new", open("g", O_CREAT | O_EXCL | O_WRONLY, 0644));
    SHOWOK("O_DIRECTORY on file", open("f", O_RDONLY | O_DIRECTORY));
    SHOWOK("O_DIRECTORY on dir", open(".", O_RDONLY | O_DIRECTORY));
    SHOWOK("open missing", open("nope", O_RDONLY));
    SHOWOK("O_CREAT in missing dir", open("nodir/x", O_CREAT | O_WRONLY, 0644));
    SHOWOK("path through file", open("f/x", O_RDONLY));
    SHOWOK("empty path", open("", O_RDONLY));
    MUST(mkdir("d", 0755));
    SHOWOK("dir O_WRONLY", open("d", O_WRONLY));
    SHOWOK("dir O_RDWR", open("d", O_RDWR));
    SHOWOK("dir O_CREAT", open("d", O_CREAT | O_RDONLY, 0644));
    SHOWOK("trailing slash file", open("f/", O_RDONLY));
    SHOWOK("O_CREAT trailing slash", open("newfile/", O_CREAT | O_WRONLY, 0644));

    /* O_TRUNC */
    MUST(fd = open("f", O_WRONLY | O_TRUNC));
    struct stat st;
    fstat(fd, &st);
    printf("size after O_TRUNC: %ld\n", (long)st.st_size);
    close(fd);

    /* O_APPEND */
    put_file("a", "abc");
    MUST(fd = open("a", O_WRONLY | O_APPEND));
    lseek(fd, 0, SEEK_SET);
    MUST(write(fd, "def", 3));
    printf("offset after append write: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    close(fd);
    char buf[64];
    get_file("a", buf, sizeof buf);
    printf("append content: %s\n", buf);

    /* read-only fd cannot write and vice versa */
    MUST(fd = open("a", O_RDONLY));
    SHOW("write on O_RDONLY", write(fd, "x", 1));
    close(fd);
    MUST(fd = open("a", O_WRONLY));
    SHOW("read on O_WRONLY", read(fd, buf, 1));
    close(fd);

    /* O_NOFOLLOW */
    MUST(symlink("a", "lnk"));
    SHOWOK("O_NOFOLLOW on symlink", open("lnk", O_RDONLY | O_NOFOLLOW));
    SHOWOK("O_NOFOLLOW on file", open("a", O_RDONLY | O_NOFOLLOW));
    SHOWOK("follow symlink", open("lnk", O_RDONLY));
    SHOWOK("O_NOFOLLOW|O_PATH on symlink", open("lnk", O_PATH | O_NOFOLLOW));

    /* O_PATH */
    MUST(fd = open("a", O_PATH));
    SHOW("read on O_PATH", read(fd, buf, 1));
    SHOW("write on O_PATH", write(fd, "x", 1));
    SHOW("fstat on O_PATH", fstat(fd, &st));
    printf("O_PATH fstat size: %ld\n", (long)st.st_size);
    int fl = fcntl(fd, F_GETFL);
    YN("O_PATH in F_GETFL", fl & O_PATH);
    close(fd);

    /* O_CLOEXEC */
    MUST(fd = open("a", O_RDONLY | O_CLOEXEC));
    printf("FD_CLOEXEC with O_CLOEXEC: %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    MUST(fd = open("a", O_RDONLY));
    printf("FD_CLOEXEC without: %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);

    /* access mode in F_GETFL */
    MUST(fd = open("a", O_RDWR | O_APPEND));
    fl = fcntl(fd, F_GETFL);
    printf("accmode RDWR: %d append: %d\n", (fl & O_ACCMODE) == O_RDWR, !!(fl & O_APPEND));
    close(fd);

    /* creat mode honoured (umask 0) */
    umask(0);
    MUST(fd = open("m", O_CREAT | O_WRONLY, 0751));
    fstat(fd, &st);
    printf("created mode: %o\n", st.st_mode & 07777);
    close(fd);
    /* O_CREAT on existing file keeps mode */
    MUST(fd = open("m", O_CREAT | O_WRONLY, 0600));
    fstat(fd, &st);
    printf("existing mode kept: %o\n", st.st_mode & 07777);
    close(fd);
    return 0;
}
