// prctl(PR_CAPBSET_READ): known caps, unknown caps EINVAL; capget agrees with /proc/self/status.
#include "common.h"
#include <linux/capability.h>

int main(void)
{
    char buf[64];
    get_file("/proc/sys/kernel/cap_last_cap", buf, sizeof buf);
    int last = atoi(buf);
    printf("cap_last_cap >= 40: %s\n", last >= 40 ? "yes" : "no");
    /* caps a root container keeps: CHOWN DAC_OVERRIDE FOWNER KILL SETGID SETUID */
    const int keep[] = {0, 1, 3, 5, 6, 7};
    for (unsigned i = 0; i < sizeof keep / sizeof keep[0]; i++)
        SHOW("CAPBSET_READ", prctl(PR_CAPBSET_READ, keep[i], 0, 0, 0));
    SHOW("CAPBSET_READ last+1", prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0));
    SHOW("CAPBSET_READ 63", prctl(PR_CAPBSET_READ, 63, 0, 0, 0));
    SHOW("CAPBSET_READ 64", prctl(PR_CAPBSET_READ, 64, 0, 0, 0));
    SHOW("CAPBSET_READ -1", prctl(PR_CAPBSET_READ, -1, 0, 0, 0));
    SHOW("CAPBSET_READ 1000", prctl(PR_CAPBSET_READ, 1000, 0, 0, 0));
    SHOW("CAP_AMBIENT IS_SET last+1", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, last + 1, 0, 0));
    SHOW("CAP_AMBIENT bad op", prctl(PR_CAP_AMBIENT, 99, 0, 0, 0));
    /* capget v3: effective bits match CapEff in /proc/self/status */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    SHOW("capget", syscall(SYS_capget, &h, d));
    char st[4096];
    get_file("/proc/self/status", st, sizeof st);
    unsigned long long eff = 0;
    char *e = strstr(st, "CapEff:");
    if (e)
        sscanf(e, "CapEff: %llx", &eff);
    unsigned long long got = ((unsigned long long)d[1].effective << 32) | d[0].effective;
    printf("capget effective == CapEff: %s\n", got == eff ? "yes" : "no");
    printf("CHOWN, KILL, SETUID effective: %s\n", (eff & 1) && (eff & (1 << 5)) && (eff & (1 << 7)) ? "yes" : "no");
    /* bad version: EINVAL and the kernel's preferred version written back */
    struct __user_cap_header_struct bad = {0x12345678, 0};
    SHOW("capget bad version", syscall(SYS_capget, &bad, d));
    printf("version written back: %s\n", bad.version == _LINUX_CAPABILITY_VERSION_3 ? "v3" : "other");
    SHOW("capget NULL data (probe)", syscall(SYS_capget, &h, NULL));
    /* an unprivileged child has no effective capabilities */
    pid_t c = fork();
    if (c == 0) {
        setuid(65534);
        struct __user_cap_header_struct hh = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct dd[2];
        syscall(SYS_capget, &hh, dd);
        printf("after setuid: effective %s, permitted %s\n", dd[0].effective || dd[1].effective ? "some" : "none",
               dd[0].permitted || dd[1].permitted ? "some" : "none");
        printf("bounding set unchanged (CAPBSET_READ 0): %d\n", prctl(PR_CAPBSET_READ, 0, 0, 0, 0));
        _exit(0);
    }
    wait_show("child", c);
    return 0;
}
