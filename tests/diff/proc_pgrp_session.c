// Process groups and sessions.
#include "common.h"

int main(void)
{
    pid_t me = getpid();
    /* make ourselves a session leader in a child so results do not depend on the runner */
    int p[2];
    MUST(pipe(p));
    pid_t c = fork();
    if (c == 0) {
        pid_t s = setsid();
        printf("setsid in child: %s\n", s == getpid() ? "returns own pid" : en(errno));
        printf("getsid(0) == pid: %s\n", getsid(0) == getpid() ? "yes" : "no");
        printf("getpgrp == pid: %s\n", getpgrp() == getpid() ? "yes" : "no");
        SHOW("setsid again as leader", setsid());
        SHOW("setpgid(0,0) as session leader", setpgid(0, 0));
        /* grandchild: own group, then join back */
        int q[2];
        pipe(q);
        pid_t g = fork();
        if (g == 0) {
            char x;
            close(q[1]);
            read(q[0], &x, 1);
            _exit(0);
        }
        SHOW("setpgid(child, child)", setpgid(g, g));
        printf("getpgid(child) == child: %s\n", getpgid(g) == g ? "yes" : "no");
        SHOW("setpgid(child, own pgrp)", setpgid(g, 0) == 0 ? 0 : -1);
        printf("child pgid now == child: %s\n", getpgid(g) == g ? "yes" : "no");
        SHOW("setpgid(child, getpgrp())", setpgid(g, getpgrp()));
        printf("child back in our group: %s\n", getpgid(g) == getpgrp() ? "yes" : "no");
        SHOW("setpgid to nonexistent group", setpgid(g, 999999));
        SHOW("setpgid negative pgid", setpgid(g, -1));
        SHOW("setpgid nonexistent pid", setpgid(999999, 0));
        SHOW("getpgid nonexistent", getpgid(999999));
        SHOW("getsid nonexistent", getsid(999999));
        printf("getsid(child) == ours: %s\n", getsid(g) == getsid(0) ? "yes" : "no");
        close(q[1]);
        waitpid(g, NULL, 0);
        /* a grandchild that calls setsid gets a fresh session */
        g = fork();
        if (g == 0) {
            pid_t s = setsid();
            _exit(s == getpid() && getsid(0) == getpid() && getpgrp() == getpid() ? 0 : 1);
        }
        wait_show("grandchild setsid", g);
        /* after exec, setpgid on the child fails with EACCES */
        int r[2];
        pipe(r);
        g = fork();
        if (g == 0) {
            close(r[0]);
            fcntl(r[1], F_SETFD, FD_CLOEXEC);
            execl("/bin/sh", "sh", "-c", "read x", (char *)NULL);
            _exit(127);
        }
        close(r[1]);
        char x;
        read(r[0], &x, 1); /* EOF once exec closed the cloexec fd */
        SHOW("setpgid after child exec'd", setpgid(g, g));
        kill(g, SIGKILL);
        waitpid(g, NULL, 0);
        _exit(0);
    }
    wait_show("session child", c);
    /* kill(0) / kill(-pgrp) reach the group */
    c = fork();
    if (c == 0) {
        setpgid(0, 0);
        pid_t g = fork();
        if (g == 0) {
            for (;;)
                pause();
        }
        signal(SIGUSR1, SIG_IGN);
        kill(0, SIGUSR1);
        int st;
        waitpid(g, &st, 0);
        show_status("group member after kill(0)", st);
        _exit(0);
    }
    wait_show("group child", c);
    SHOW("getpgid(0) == getpgrp()", getpgid(0) == getpgrp() ? 0 : -1);
    /* not "> 0": in a container whose session leader lives outside the pid
     * namespace (as on CI), getsid(0) is 0 on Linux */
    SHOW("getsid(0) == getsid(self)", getsid(0) == getsid(getpid()) ? 0 : -1);
    (void)me;
    return 0;
}
