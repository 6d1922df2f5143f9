// Advisory locks between two processes: F_GETLK reports the holder's lock
// (type, range, pid; -1 for OFD locks), splitting and merging on partial
// unlock and type change, OFD vs POSIX locks, release on close, F_SETLKW
// waking and EDEADLK, flock(2), and leases (F_SETLEASE/F_GETLEASE, breaks
// signalled with SIGIO, O_NONBLOCK opens failing with EWOULDBLOCK).
#include "common.h"
#include <sys/file.h>

static const char *tname(int t)
{
    return t == F_RDLCK ? "F_RDLCK" : t == F_WRLCK ? "F_WRLCK" : t == F_UNLCK ? "F_UNLCK" : "?";
}

static pid_t parent_pid;

/* F_GETLK (or F_OFD_GETLK) for type on [start, start+len) and print it. */
static void getlk(const char *label, int fd, int cmd, int type, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, cmd, &fl) < 0) {
        printf("%s: -1 %s\n", label, en(errno));
        return;
    }
    if (fl.l_type == F_UNLCK) {
        printf("%s: F_UNLCK\n", label);
        return;
    }
    const char *who = fl.l_pid == -1           ? "-1"
                      : fl.l_pid == parent_pid ? "parent"
                                               : "other";
    printf("%s: %s start %lld len %lld pid %s whence %d\n", label, tname(fl.l_type),
           (long long)fl.l_start, (long long)fl.l_len, who, fl.l_whence);
}

static int setlk(int fd, int cmd, int type, int whence, off_t start, off_t len)
{
    struct flock fl = {.l_type = type, .l_whence = whence, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

static void tell(int fd)
{
    if (write(fd, "x", 1) != 1)
        exit(98);
}

static void hear(int fd)
{
    char c;
    if (read(fd, &c, 1) != 1) {
        printf("SETUP FAILED: peer gone\n");
        exit(98);
    }
}

/* Wait (10 s at most) until pid sleeps ('S' in /proc/PID/stat). */
static int wait_sleeping(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    for (int i = 0; i < 10000; i++) {
        if (get_file(path, buf, sizeof buf) > 0) {
            char *p = strrchr(buf, ')');
            if (p && p[1] == ' ' && p[2] == 'S')
                return 1;
        }
        usleep(1000);
    }
    return 0;
}

static void records(void)
{
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(fd);
    MUST(ftruncate(fd, 1000));
    int to_child[2], to_parent[2];
    MUST(pipe(to_child));
    MUST(pipe(to_parent));
    MUST(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    MUST(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 100, 10));
    MUST(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 200, 100));
    MUST(setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 240, 20));
    pid_t pid = fork();
    if (pid == 0) {
        int c = open("f", O_RDWR);
        getlk("read query vs write lock", c, F_GETLK, F_RDLCK, 5, 1);
        getlk("write query vs write lock", c, F_GETLK, F_WRLCK, 0, 0);
        getlk("write query vs read lock", c, F_GETLK, F_WRLCK, 105, 100);
        getlk("read query vs read lock", c, F_GETLK, F_RDLCK, 100, 10);
        getlk("query past the locks", c, F_GETLK, F_WRLCK, 300, 0);
        SHOW("setlk write on read lock", setlk(c, F_SETLK, F_WRLCK, SEEK_SET, 100, 1));
        SHOW("setlk read on read lock", setlk(c, F_SETLK, F_RDLCK, SEEK_SET, 100, 1));
        SHOW("setlk read on write lock", setlk(c, F_SETLK, F_RDLCK, SEEK_SET, 9, 1));
        getlk("split: left part", c, F_GETLK, F_WRLCK, 200, 100);
        getlk("split: the hole", c, F_GETLK, F_WRLCK, 240, 20);
        getlk("split: right part", c, F_GETLK, F_WRLCK, 255, 100);
        SHOW("lock in the hole", setlk(c, F_SETLK, F_WRLCK, SEEK_SET, 245, 5));
        SHOW("unlock it", setlk(c, F_SETLK, F_UNLCK, SEEK_SET, 245, 5));
        tell(to_parent[1]);
        hear(to_child[0]);
        getlk("hole locked again: merged with the right part", c, F_GETLK, F_WRLCK, 250, 1);
        getlk("read lock inside: read query", c, F_GETLK, F_RDLCK, 200, 100);
        getlk("read lock inside: read query on it", c, F_GETLK, F_RDLCK, 220, 10);
        getlk("read lock inside: write query on it", c, F_GETLK, F_WRLCK, 225, 100);
        getlk("whole file query", c, F_GETLK, F_WRLCK, 0, 0);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = -800, .l_len = -5};
        SHOW("getlk SEEK_END negative len", fcntl(c, F_GETLK, &fl));
        printf("  -> %s start %lld len %lld\n", tname(fl.l_type), (long long)fl.l_start,
               (long long)fl.l_len);
        getlk("OFD query sees POSIX lock", c, F_OFD_GETLK, F_RDLCK, 0, 1);
        struct flock bad = {.l_type = F_RDLCK, .l_pid = 1};
        SHOW("F_OFD_GETLK with l_pid", fcntl(c, F_OFD_GETLK, &bad));
        bad.l_type = 7;
        bad.l_pid = 0;
        SHOW("F_GETLK bad type", fcntl(c, F_GETLK, &bad));
        bad.l_type = F_UNLCK;
        SHOW("F_GETLK F_UNLCK", fcntl(c, F_GETLK, &bad));
        SHOW("bad whence", setlk(c, F_SETLK, F_RDLCK, 5, 0, 1));
        SHOW("negative start", setlk(c, F_SETLK, F_RDLCK, SEEK_SET, -1, 1));
        SHOW("range before 0", setlk(c, F_SETLK, F_RDLCK, SEEK_SET, 3, -4));
        int ro = open("f", O_RDONLY);
        SHOW("write lock on read-only fd", setlk(ro, F_SETLK, F_WRLCK, SEEK_SET, 900, 1));
        tell(to_parent[1]);
        hear(to_child[0]);
        getlk("OFD write lock seen by POSIX query", c, F_GETLK, F_RDLCK, 400, 1);
        getlk("after close of another fd", c, F_GETLK, F_WRLCK, 500, 1);
        tell(to_parent[1]);
        _exit(0);
    }
    hear(to_parent[0]);
    MUST(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 240, 20));
    MUST(setlk(fd, F_SETLK, F_RDLCK, SEEK_SET, 220, 10));
    tell(to_child[1]);
    hear(to_parent[0]);
    /* OFD locks: conflict with this process's POSIX locks and other OFDs */
    int a = open("f", O_RDWR), b = open("f", O_RDWR);
    SHOW("OFD write lock", setlk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 400, 10));
    SHOW("POSIX lock on it, same process", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 405, 1));
    SHOW("other OFD on it", setlk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 405, 1));
    SHOW("same OFD again (upgrade in place)", setlk(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 405, 1));
    getlk("own OFD query from another OFD", b, F_OFD_GETLK, F_WRLCK, 400, 10);
    SHOW("POSIX lock at 500", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 500, 1));
    close(b); /* closing any fd of the file drops the process's POSIX locks */
    tell(to_child[1]);
    hear(to_parent[0]);
    wait_show("records child", pid);
    close(a);
    close(fd);
}

static void blocking(void)
{
    int fd = open("g", O_RDWR | O_CREAT | O_TRUNC, 0644);
    MUST(fd);
    int to_parent[2];
    MUST(pipe(to_parent));
    MUST(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    pid_t pid = fork();
    if (pid == 0) {
        MUST(setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
        tell(to_parent[1]);
        /* blocks until the parent unlocks byte 0 */
        int r = setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
        printf("child F_SETLKW: %d\n", r);
        _exit(0);
    }
    hear(to_parent[0]);
    YN("child sleeps in F_SETLKW", wait_sleeping(pid));
    SHOW("parent F_SETLKW closing the cycle", setlk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));
    SHOW("parent F_SETLK on it", setlk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
    /* printed after the child's line: it runs as soon as the lock is free */
    int un = setlk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
    wait_show("blocking child", pid);
    printf("parent unlocked byte 0: %d\n", un);
    getlk("child's locks went with it", fd, F_GETLK, F_WRLCK, 0, 0);
    close(fd);
}

static void flocks(void)
{
    int a = open("h", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int b = open("h", O_RDONLY);
    MUST(a);
    MUST(b);
    SHOW("LOCK_SH a", flock(a, LOCK_SH | LOCK_NB));
    SHOW("LOCK_SH b", flock(b, LOCK_SH | LOCK_NB));
    SHOW("LOCK_EX b (a shares)", flock(b, LOCK_EX | LOCK_NB));
    SHOW("LOCK_EX a (b's lock went)", flock(a, LOCK_EX | LOCK_NB));
    SHOW("LOCK_SH b", flock(b, LOCK_SH | LOCK_NB));
    SHOW("fcntl lock beside flock", setlk(b, F_SETLK, F_RDLCK, SEEK_SET, 0, 0));
    int to_parent[2], to_child[2];
    MUST(pipe(to_parent));
    MUST(pipe(to_child));
    pid_t pid = fork();
    if (pid == 0) {
        SHOW("child LOCK_EX on the inherited description", flock(a, LOCK_EX | LOCK_NB));
        int c = open("h", O_RDONLY);
        SHOW("child LOCK_SH on its own description", flock(c, LOCK_SH | LOCK_NB));
        tell(to_parent[1]);
        SHOW("child LOCK_SH blocking", flock(c, LOCK_SH));
        _exit(0);
    }
    hear(to_parent[0]);
    YN("child sleeps in flock", wait_sleeping(pid));
    int un = flock(a, LOCK_UN);
    wait_show("flock child", pid);
    printf("LOCK_UN a: %d\n", un);
    SHOW("LOCK_UN twice", flock(a, LOCK_UN));
    SHOW("bad op", flock(a, 0));
    SHOW("bad op LOCK_SH|LOCK_EX", flock(a, LOCK_SH | LOCK_EX));
    SHOW("bad fd", flock(-1, LOCK_SH));
    int p = open("h", O_PATH);
    SHOW("O_PATH fd", flock(p, LOCK_SH));
    close(p);
    close(a);
    close(b);
}

static int take_sigio(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGIO);
    struct timespec zero = {0, 0};
    return sigtimedwait(&s, NULL, &zero) == SIGIO;
}

static void leases(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGIO);
    sigprocmask(SIG_BLOCK, &s, NULL);
    put_file("l", "data");
    int r = open("l", O_RDONLY);
    MUST(r);
    SHOW("F_GETLEASE none", fcntl(r, F_GETLEASE));
    SHOW("F_SETLEASE F_UNLCK without lease", fcntl(r, F_SETLEASE, F_UNLCK));
    SHOW("F_SETLEASE bad arg", fcntl(r, F_SETLEASE, 5));
    SHOW("F_SETLEASE F_RDLCK", fcntl(r, F_SETLEASE, F_RDLCK));
    SHOW("F_GETLEASE", fcntl(r, F_GETLEASE));
    SHOW("F_SETLEASE F_WRLCK (only open)", fcntl(r, F_SETLEASE, F_WRLCK));
    SHOW("F_GETLEASE", fcntl(r, F_GETLEASE));
    /* a read open breaks a write lease down to a read lease */
    SHOW("O_RDONLY|O_NONBLOCK open", open("l", O_RDONLY | O_NONBLOCK));
    YN("SIGIO sent", take_sigio());
    SHOW("F_GETLEASE (downgrade pending)", fcntl(r, F_GETLEASE));
    SHOW("F_SETLEASE F_RDLCK (downgrade)", fcntl(r, F_SETLEASE, F_RDLCK));
    int r2 = open("l", O_RDONLY | O_NONBLOCK);
    SHOWOK("O_RDONLY open now", r2);
    YN("no second SIGIO", !take_sigio());
    SHOW("F_SETLEASE F_WRLCK with two opens", fcntl(r, F_SETLEASE, F_WRLCK));
    /* a write open breaks a read lease */
    SHOW("O_WRONLY|O_NONBLOCK open", open("l", O_WRONLY | O_NONBLOCK));
    YN("SIGIO sent", take_sigio());
    SHOW("F_GETLEASE (unlock pending)", fcntl(r, F_GETLEASE));
    SHOW("F_SETLEASE F_RDLCK from other fd while pending", fcntl(r2, F_SETLEASE, F_RDLCK));
    SHOW("F_SETLEASE F_UNLCK", fcntl(r, F_SETLEASE, F_UNLCK));
    int w = open("l", O_WRONLY | O_NONBLOCK);
    SHOWOK("O_WRONLY open now", w);
    SHOW("F_SETLEASE F_RDLCK with a writer", fcntl(r, F_SETLEASE, F_RDLCK));
    SHOW("F_SETLEASE F_WRLCK on the writer (not alone)", fcntl(w, F_SETLEASE, F_WRLCK));
    close(w);
    close(r2);
    int d = open(".", O_RDONLY | O_DIRECTORY);
    SHOW("F_SETLEASE on a directory", fcntl(d, F_SETLEASE, F_RDLCK));
    close(d);
    int pp[2];
    MUST(pipe(pp));
    SHOW("F_SETLEASE on a pipe", fcntl(pp[0], F_SETLEASE, F_RDLCK));
    SHOW("F_GETLEASE on a pipe", fcntl(pp[0], F_GETLEASE));
    close(pp[0]);
    close(pp[1]);
    close(r);

    /* a blocking open waits for another process to give way */
    int to_parent[2];
    MUST(pipe(to_parent));
    pid_t pid = fork();
    if (pid == 0) {
        int c = open("l", O_RDONLY);
        MUST(fcntl(c, F_SETLEASE, F_WRLCK));
        tell(to_parent[1]);
        struct timespec ten = {10, 0};
        int sig = sigtimedwait(&s, NULL, &ten);
        printf("child got %s\n", sig == SIGIO ? "SIGIO" : "nothing");
        printf("child F_GETLEASE: %s\n", tname(fcntl(c, F_GETLEASE)));
        SHOW("child F_SETLEASE F_UNLCK", fcntl(c, F_SETLEASE, F_UNLCK));
        _exit(0);
    }
    hear(to_parent[0]);
    int ok = open("l", O_WRONLY) >= 0;
    wait_show("lease child", pid);
    YN("open for writing waited for the holder", ok);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

int main(void)
{
    parent_pid = getpid();
    records();
    blocking();
    flocks();
    leases();
    return 0;
}
