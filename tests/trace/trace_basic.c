/* The tracer test (xtask/src/tracetest.rs): run under the host's `strace -f` and under
 * Rill's `rill.strace=trace_basic`; the lines from the "BEGIN" write on must agree after
 * masking what legitimately differs (addresses, pids, inode numbers, times).
 * It touches every formatter family: paths, open flags and modes, escaped buffers with
 * the 32-byte cut, errors with their text, stat structs, pipe fd pairs, sigsets, a
 * blocking read resumed after the child's lines, fork/wait4 with a decoded status,
 * timespecs, an unknown syscall, and exit_group. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    static const char data[] = "hello, trace\n\0\1\377\"\\tab\there and forty more bytes";
    char buf[128];
    struct stat st;
    int p[2], status = 0;

    if (write(1, "BEGIN\n", 6) != 6)
        return 1;
    int fd = open("trace_basic.txt", O_WRONLY | O_CREAT | O_TRUNC, 0640);
    if (fd < 0 || write(fd, data, sizeof data - 1) != (ssize_t)(sizeof data - 1))
        return 2;
    close(fd);
    if (stat("trace_basic.txt", &st) != 0 || st.st_size != (off_t)(sizeof data - 1))
        return 3;
    fd = open("trace_basic.txt", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, buf, 10) != 10 || read(fd, buf, sizeof buf) <= 0)
        return 4;
    if (fstat(fd, &st) != 0)
        return 5;
    close(fd);
    if (open("no/such/file", O_RDONLY) != -1 || unlink("trace_basic.txt") != 0)
        return 6;
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &set, &old) != 0 || sigprocmask(SIG_SETMASK, &old, NULL) != 0)
        return 7;
    if (pipe(p) != 0)
        return 8;
    long pid = syscall(SYS_fork);
    if (pid < 0)
        return 9;
    if (pid == 0) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (write(p[1], "from the child\n", 15) != 15)
            _exit(10);
        _exit(3);
    }
    close(p[1]);
    if (read(p[0], buf, 64) != 15)
        return 11;
    if (wait4(-1, &status, 0, NULL) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 3)
        return 12;
    if (syscall(400, 1, 2, 3, 4, 5, 6) != -1)
        return 13;
    if (write(1, "END\n", 4) != 4)
        return 14;
    return 0;
}
