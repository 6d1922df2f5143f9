// socket(2) errnos for family/type/protocol combinations Linux and Rill must agree on.
#include "sock.h"

static void try(const char *label, int fam, int ty, int proto)
{
    errno = 0;
    int fd = socket(fam, ty, proto);
    if (fd < 0)
        printf("%s: -1 %s\n", label, en(errno));
    else {
        printf("%s: ok\n", label);
        close(fd);
    }
}

int main(void)
{
    try("INET STREAM 0", AF_INET, SOCK_STREAM, 0);
    try("INET STREAM TCP", AF_INET, SOCK_STREAM, IPPROTO_TCP);
    try("INET STREAM UDP", AF_INET, SOCK_STREAM, IPPROTO_UDP);
    try("INET DGRAM 0", AF_INET, SOCK_DGRAM, 0);
    try("INET DGRAM UDP", AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    try("INET DGRAM TCP", AF_INET, SOCK_DGRAM, IPPROTO_TCP);
    try("INET STREAM 200", AF_INET, SOCK_STREAM, 200);
    try("INET DGRAM 200", AF_INET, SOCK_DGRAM, 200);
    try("INET STREAM -1", AF_INET, SOCK_STREAM, -1);
    try("INET SEQPACKET", AF_INET, SOCK_SEQPACKET, 0);
    try("INET RDM", AF_INET, SOCK_RDM, 0);
    try("INET type 0", AF_INET, 0, 0);
    try("INET type 11", AF_INET, 11, 0);
    try("INET type 1000", AF_INET, 1000, 0);
    try("INET6 STREAM 0", AF_INET6, SOCK_STREAM, 0);
    try("INET6 STREAM TCP", AF_INET6, SOCK_STREAM, IPPROTO_TCP);
    try("INET6 STREAM UDP", AF_INET6, SOCK_STREAM, IPPROTO_UDP);
    try("INET6 DGRAM 0", AF_INET6, SOCK_DGRAM, 0);
    try("INET6 DGRAM UDP", AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
    try("INET6 DGRAM TCP", AF_INET6, SOCK_DGRAM, IPPROTO_TCP);
    try("INET6 SEQPACKET", AF_INET6, SOCK_SEQPACKET, 0);
    try("INET6 type 11", AF_INET6, 11, 0);
    try("UNIX STREAM 0", AF_UNIX, SOCK_STREAM, 0);
    try("UNIX STREAM 1", AF_UNIX, SOCK_STREAM, 1);
    try("family -1", -1, SOCK_STREAM, 0);
    try("family 46 (AF_MAX)", 46, SOCK_STREAM, 0);
    try("family 1000", 1000, SOCK_STREAM, 0);
    try("INET bad flag bit", AF_INET, SOCK_STREAM | 0x10000000, 0);
    try("INET NONBLOCK|CLOEXEC", AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    try("INET6 DGRAM NONBLOCK", AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    return 0;
}
