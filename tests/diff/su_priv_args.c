// Argument checks of privileged calls, made as root with the capabilities (Linux checks the
// capability first, so without it every line would be EPERM): sethostname lengths,
// settimeofday with nothing to set.
#include "common.h"
#include "caps.h"

int main(void)
{
    need_cap(CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
    need_cap(CAP_SYS_TIME, "CAP_SYS_TIME");
    SHOW("sethostname too long", syscall(SYS_sethostname, "x", 65));
    SHOW("sethostname negative", syscall(SYS_sethostname, "x", -1));
    SHOW("settimeofday NULL NULL", syscall(SYS_settimeofday, NULL, NULL));
    return 0;
}
