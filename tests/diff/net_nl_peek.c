/* Datagram semantics of a netlink socket: MSG_PEEK|MSG_TRUNC gives the next
 * datagram's full length (as glibc sizes its buffer), a short recvmsg sets
 * MSG_TRUNC and drops the rest, poll shows POLLIN while replies are queued. */
#include "net_nl.h"

static char buf[65536];

int main(void)
{
    int fd = nl_open(NULL);
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    SHOW("poll idle", poll(&p, 1, 0));
    printf("  revents %#x\n", p.revents);
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 1};
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, 0, 0, 0);
    nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, 0, 0, 0);
    p.revents = 0;
    SHOW("poll queued", poll(&p, 1, 0));
    printf("  revents %#x\n", p.revents);
    int full = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
    YN("peek|trunc gives a length", full > 100);
    int again = recv(fd, buf, 8, MSG_PEEK | MSG_TRUNC);
    YN("again the same", again == full);
    int got = recv(fd, buf, sizeof buf, 0);
    YN("read gives it", got == full);
    YN("it is one message", ((struct nlmsghdr *)buf)->nlmsg_len == (unsigned)full);

    struct iovec iov = {buf, 16};
    struct sockaddr_nl from;
    struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
    int n = recvmsg(fd, &m, 0);
    printf("short recvmsg: %d flags trunc %d namelen %u from pid %u groups %u\n", n,
           !!(m.msg_flags & MSG_TRUNC), m.msg_namelen, from.nl_pid, from.nl_groups);
    SHOW("then empty", recv(fd, buf, sizeof buf, MSG_DONTWAIT));
    p.revents = 0;
    SHOW("poll drained", poll(&p, 1, 0));
    printf("  revents %#x\n", p.revents);
    /* read(2) and write(2) work too */
    char req[32] = {0};
    struct nlmsghdr *h = (struct nlmsghdr *)req;
    h->nlmsg_len = 32;
    h->nlmsg_type = RTM_GETLINK;
    h->nlmsg_flags = NLM_F_REQUEST;
    ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index = 1;
    SHOW("write", write(fd, req, 32));
    YN("read", read(fd, buf, sizeof buf) == full);
    return 0;
}
