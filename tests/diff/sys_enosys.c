// Unknown syscall numbers return ENOSYS; the process survives.
#include "common.h"

int main(void)
{
    /* 335 and 336 are unassigned upstream, but the development host kernel traps
     * them (SIGILL/ENXIO), so they are left out to keep host runs meaningful. */
    long nums[] = {340, 387, 400, 423, 499, 512, 547, 1000, 100000, -1, -1000, 0x40000000L + 1000};
    for (unsigned i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "syscall %ld", nums[i]);
        SHOW(label, syscall(nums[i], 1, 2, 3, 4, 5, 6));
    }
    SHOW("getpid still works", getpid() > 0);
    return 0;
}
