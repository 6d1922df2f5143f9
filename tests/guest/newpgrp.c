// newpgrp PROG [ARGS...]: runs PROG as the leader of a new process group in the current
// session, like a job-control shell runs a command. test-init.sh runs every test through it,
// and xtask runs the host side the same way (Command::process_group(0)), so process-group
// semantics (e.g. SIGTSTP is ignored in orphaned groups) match on both sides.
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: newpgrp PROG [ARGS...]\n", stderr);
        return 127;
    }
    if (setpgid(0, 0) != 0) {
        perror("newpgrp: setpgid");
        return 127;
    }
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
