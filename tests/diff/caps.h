/* For differential tests that need a privilege: CI runs them as root in a container that may
 * lack capabilities (Docker drops CAP_SYS_NICE, CAP_SYS_TIME, CAP_SYS_ADMIN, CAP_IPC_LOCK...),
 * and without the host's answer there is nothing to compare. need_cap() ends the program with
 * exit status 77 and a "SKIP: ..." line, which the harness reports as skipped on that host. */
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int have_cap(int cap)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0)
        return 0;
    return (d[cap / 32].effective >> (cap % 32)) & 1;
}

static void need_cap(int cap, const char *name)
{
    if (!have_cap(cap)) {
        printf("SKIP: needs %s\n", name);
        fflush(stdout);
        exit(77);
    }
}
